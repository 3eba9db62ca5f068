"""Small pieces several commands share: who is acting, opening the store, consoles."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click

from bwvdisclose.case import Actor, fold
from bwvdisclose.cases import Cases
from bwvdisclose.cli.intake import ask, check_field
from bwvdisclose.cli.options import require_store
from bwvdisclose.limits import check_length
from bwvdisclose.policy import load_policy
from bwvdisclose.policy.catalog import folder_for
from bwvdisclose.policy.load import resolve_policy_folder
from bwvdisclose.safetext import WHAT, hidden_char
from bwvdisclose.store import open_store


def actor(user: str | None, role: str, number: str | None) -> Actor:
    name = user or _login()
    if not number:
        if not sys.stdin.isatty():
            raise click.UsageError(
                "give your collar or staff number with --number or BWVDISCLOSE_NUMBER"
            )
        number = ask("Your collar or staff number", lambda t: check_field(t, "the number"))
    if not name.strip() or not role.strip() or not number.strip():
        raise click.UsageError("name, role and number must not be empty")
    for what, text in (("name", name), ("role", role), ("number", number)):
        check_length(text.strip(), what)
        problem = hidden_char(text)
        if problem:
            raise click.UsageError(
                f"your {what} holds {WHAT} or a byte that is not UTF-8 ({problem})"
            )
    return Actor(name=name.strip(), role=role.strip(), number=number.strip())


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown user"


def open_cases(store: str, criteria: Path | None, create: bool = False) -> Cases:
    """The store seen through --criteria, or the default policy (`new` opens cases with it).

    A store that is not there is an error unless `create`.
    """
    if not create:
        require_store(store)
    folder = resolve_policy_folder(criteria)
    return Cases(open_store(store), load_policy(folder), folder)


def open_case(store: str, criteria: Path | None, case_id: str) -> Cases:
    """The store seen through CASE_ID's policy: --criteria if given, else the version it names.

    A case keeps the policy version it was assessed under (the latest recommendation's, else
    the one it was opened under), even after the default moves on to a newer version.
    """
    if criteria is not None:
        return open_cases(store, criteria)
    require_store(store)
    cases_store = open_store(store)
    state = fold(cases_store.read(case_id))
    folder = folder_for(state.recommendation_policy or state.policy)
    return Cases(cases_store, load_policy(folder), folder)
