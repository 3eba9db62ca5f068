"""Small pieces several commands share: who is acting, opening the store, consoles."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click

from bwvdisclose.case import Actor, CaseStore
from bwvdisclose.cases import Cases
from bwvdisclose.cli.intake import ask, check_field
from bwvdisclose.cli.options import require_store
from bwvdisclose.policy import load_policy
from bwvdisclose.safetext import hidden_char


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
        problem = hidden_char(text)
        if problem:
            raise click.UsageError(
                f"your {what} holds a control character or a byte that is not UTF-8 ({problem})"
            )
    return Actor(name=name.strip(), role=role.strip(), number=number.strip())


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown user"


def open_cases(store: Path, criteria: Path | None, create: bool = False) -> Cases:
    """The store seen through the policy; a store that is not there is an error unless `create`."""
    if not create:
        require_store(store)
    return Cases(CaseStore(store), load_policy(criteria))
