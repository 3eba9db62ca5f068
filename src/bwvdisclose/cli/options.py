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
        type=click.Path(path_type=Path, file_okay=False),
        envvar="BWVDISCLOSE_STORE",
        default=Path("casefiles"),
        show_default=True,
        help="Case store folder (or set BWVDISCLOSE_STORE).",
    )(f)
