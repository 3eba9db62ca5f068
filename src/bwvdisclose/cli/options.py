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


def tsa_option(f: F) -> F:
    return click.option(
        "--tsa",
        metavar="URL",
        envvar="BWVDISCLOSE_TSA",
        default=None,
        help=(
            "RFC 3161 time-stamping authority (or set BWVDISCLOSE_TSA): timestamps the signature "
            "and embeds revocation data so it verifies for years (PAdES B-LTA)."
        ),
    )(f)


def trust_option(f: F) -> F:
    return click.option(
        "--trust",
        "trust",
        multiple=True,
        type=click.Path(path_type=Path),
        envvar="BWVDISCLOSE_TRUST",
        help="Trusted root certificates: a PEM file or a folder of them (repeatable; "
        "or set BWVDISCLOSE_TRUST).",
    )(f)
