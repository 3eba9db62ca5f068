"""Options shared by several commands, as reusable decorators."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from bwvdisclose.errors import CaseError

if TYPE_CHECKING:
    from bwvdisclose.case import Actor

F = TypeVar("F", bound=Callable[..., Any])


def did_you_mean(word: str, options: Sequence[str]) -> str:
    """` (did you mean X?)` for the closest of `options`, or nothing when none is close."""
    import difflib  # only for a mistake; kept out of every start-up

    close = difflib.get_close_matches(word.lower(), list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


class Choice(click.Choice):  # type: ignore[type-arg]
    """click's Choice, with a did-you-mean when the value is a near miss."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as exc:
            hint = did_you_mean(str(value), [str(c) for c in self.choices])
            self.fail(f"{exc.message.rstrip('.')}{hint}", param, ctx)


def criteria_option(f: F) -> F:
    return click.option(
        "--criteria",
        "criteria",
        type=click.Path(path_type=Path, file_okay=False),
        envvar="BWVDISCLOSE_CRITERIA",
        default=None,
        help=(
            "Policy folder to use (default: for a new case the shipped criteria/met-bwv-2020-v2, "
            "version 2020.2; for a stored case the version it names)."
        ),
    )(f)


def format_option(*choices: str) -> Callable[[F], F]:
    def decorate(f: F) -> F:
        return click.option(
            "--format",
            "fmt",
            type=Choice(choices),
            default=choices[0],
            show_default=True,
            help="Output format.",
        )(f)

    return decorate


def default_store() -> Path:
    """The store when none is named: the user's data folder (XDG), never the working folder.

    Cases hold personal data; a default inside a source checkout would leave them one
    `git add .` away from a commit.
    """
    base = os.environ.get("XDG_DATA_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".local" / "share"
    return root / "bwvdisclose" / "casefiles"


def require_store(store: str | Path) -> None:
    """One behaviour for a missing store, for every command that reads one. (A database
    store is checked when first used: not there, not set up, or not reachable.)"""
    from bwvdisclose.store.postgres.connect import is_postgres_url

    if not is_postgres_url(store) and not Path(store).is_dir():
        raise CaseError(
            f"no case store at {store} (`bwvdisclose new` creates one; "
            "choose another with --store or BWVDISCLOSE_STORE)"
        )


def store_value(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """A PostgreSQL URL as given; anything else is a folder, checked as click checks one."""
    from bwvdisclose.store.postgres.connect import is_postgres_url

    if is_postgres_url(value):
        return value
    return str(click.Path(file_okay=False).convert(value, param, ctx))


def store_option(f: F) -> F:
    return click.option(
        "--store",
        metavar="DIR|URL",
        callback=store_value,
        envvar="BWVDISCLOSE_STORE",
        default=lambda: str(default_store()),
        show_default="$XDG_DATA_HOME/bwvdisclose/casefiles, else ~/.local/share/...",
        help="The case store: a folder, or a PostgreSQL URL postgresql://... "
        "(or set BWVDISCLOSE_STORE).",
    )(f)


@dataclass(frozen=True)
class Acting:
    """Who says they are acting (--user, --user-role, --number), until a command needs them."""

    user: str | None
    role: str
    number: str | None

    def actor(self) -> Actor:
        """The actor recorded on the events; asks for the number at a terminal if not given."""
        from bwvdisclose.cli.common import actor

        return actor(self.user, self.role, self.number)


def actor_options(f: F) -> F:
    """Who is acting, recorded on every event the command writes: passed on as `acting`."""

    @functools.wraps(f)
    def with_acting(
        *args: Any, user: str | None, user_role: str, number: str | None, **kw: Any
    ) -> Any:
        return f(*args, acting=Acting(user, user_role, number), **kw)

    wrapped: Any = with_acting
    wrapped = click.option(
        "--number",
        envvar="BWVDISCLOSE_NUMBER",
        default=None,
        help="Your collar or staff number (or set BWVDISCLOSE_NUMBER).",
    )(wrapped)
    wrapped = click.option(
        "--user-role",
        envvar="BWVDISCLOSE_ROLE",
        default="duty officer",
        show_default=True,
        help="Your role (or set BWVDISCLOSE_ROLE).",
    )(wrapped)
    wrapped = click.option(
        "--user",
        envvar="BWVDISCLOSE_USER",
        default=None,
        help="Your name (or set BWVDISCLOSE_USER; default: your login name).",
    )(wrapped)
    return cast(F, wrapped)


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
    """`--trust` (repeatable): the roots every signature must chain to; else BWVDISCLOSE_TRUST."""
    return click.option(
        "--trust",
        "trust",
        multiple=True,
        type=click.Path(path_type=Path),
        help="Trusted root certificate (PEM file, or a folder of them); repeatable. "
        "Default: BWVDISCLOSE_TRUST (PEM files or folders, ':'-separated).",
    )(f)


@dataclass(frozen=True)
class KeySpec:
    """Where the signing key is: an encrypted PKCS#12 file, or a key on a PKCS#11 token."""

    p12: Path | None
    passphrase_env: str | None
    pkcs11_lib: Path | None
    token_label: str | None
    key_label: str | None
    pin_env: str | None


_KEY_PARAMS = ("key", "passphrase_env", "pkcs11_lib", "token_label", "key_label", "pin_env")


def optional_signing_key_options(f: F) -> F:
    """signing_key_options, where giving no key at all is allowed (`key` is then None)."""
    return signing_key_options(f, required=False)


def signing_key_options(f: F, required: bool = True) -> F:
    """--key FILE.p12 [--passphrase-env VAR], or --pkcs11-lib --token-label --key-label
    [--pin-env VAR]; the command receives them as one `key: KeySpec` argument."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = [kwargs.pop(name) for name in _KEY_PARAMS]
        given = any(v is not None for v in values)
        kwargs["key"] = _checked(KeySpec(*values)) if required or given else None
        return f(*args, **kwargs)

    options = [
        click.option(
            "--pin-env",
            metavar="VAR",
            help="Read the token's user PIN from this environment variable (default: ask).",
        ),
        click.option("--key-label", help="Label of the key and its certificate on the token."),
        click.option("--token-label", help="Label of the PKCS#11 token (smartcard, HSM)."),
        click.option(
            "--pkcs11-lib",
            type=click.Path(path_type=Path, dir_okay=False),
            help="PKCS#11 library of the token, e.g. /usr/lib/softhsm/libsofthsm2.so.",
        ),
        click.option(
            "--passphrase-env",
            metavar="VAR",
            help="Read the key file's passphrase from this environment variable (default: ask).",
        ),
        click.option(
            "--key",
            "key",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Your signing key and certificate (encrypted PKCS#12 file).",
        ),
    ]
    decorated: Any = wrapper
    for option in options:
        decorated = option(decorated)
    return decorated  # type: ignore[no-any-return]


def _checked(spec: KeySpec) -> KeySpec:
    """One key, named completely: a file or a token, with its own secret's variable."""
    token = (spec.pkcs11_lib, spec.token_label, spec.key_label)
    if spec.p12 is not None and any(token):
        raise click.UsageError("give either --key FILE.p12 or a token (--pkcs11-lib ...), not both")
    if spec.p12 is not None and spec.pin_env:
        raise click.UsageError("--pin-env is for a token; a key file takes --passphrase-env")
    if spec.p12 is None and not all(token):
        raise click.UsageError(
            "give your key: --key FILE.p12, or --pkcs11-lib PATH --token-label L --key-label K"
        )
    if spec.p12 is None and spec.passphrase_env:
        raise click.UsageError("--passphrase-env is for a key file; a token takes --pin-env")
    return spec
