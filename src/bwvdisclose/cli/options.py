"""Options shared by several commands, as reusable decorators."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def criteria_option(f: F) -> F:
    return click.option(
        "--criteria",
        "criteria",
        type=click.Path(path_type=Path, file_okay=False),
        envvar="BWVDISCLOSE_CRITERIA",
        default=None,
        help="Policy folder to use (default: the shipped criteria/met-bwv-2020).",
    )(f)


def format_option(*choices: str) -> Callable[[F], F]:
    def decorate(f: F) -> F:
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(choices),
            default=choices[0],
            show_default=True,
            help="Output format.",
        )(f)

    return decorate


def store_option(f: F) -> F:
    return click.option(
        "--store",
        metavar="DIR|URL",
        envvar="BWVDISCLOSE_STORE",
        default="casefiles",
        show_default=True,
        help="The case store: a folder, or a PostgreSQL URL postgresql://... "
        "(or set BWVDISCLOSE_STORE).",
    )(f)


def actor_options(f: F) -> F:
    """Who is acting: recorded on every event this command writes."""
    f = click.option(
        "--number",
        envvar="BWVDISCLOSE_NUMBER",
        default=None,
        help="Your collar or staff number (or set BWVDISCLOSE_NUMBER).",
    )(f)
    f = click.option(
        "--user-role",
        envvar="BWVDISCLOSE_ROLE",
        default="duty officer",
        show_default=True,
        help="Your role (or set BWVDISCLOSE_ROLE).",
    )(f)
    return click.option(
        "--user",
        envvar="BWVDISCLOSE_USER",
        default=None,
        help="Your name (or set BWVDISCLOSE_USER; default: your login name).",
    )(f)
