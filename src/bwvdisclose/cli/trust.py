"""Trust at the CLI edge: the roots from `--trust`, and the signing key a command was given."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bwvdisclose.cli.options import KeySpec
from bwvdisclose.safetext import visible

if TYPE_CHECKING:
    from bwvdisclose.trust.roots import TrustRoots
    from bwvdisclose.trust.statement import AnyIdentity


def trust_roots(trust: tuple[Path, ...], announce: bool = False) -> TrustRoots:
    """`--trust` paths, else BWVDISCLOSE_TRUST; with `announce`, name any TEST root."""
    from bwvdisclose.trust.roots import roots_from

    roots = roots_from(list(trust))
    for subject in roots.test_roots() if announce else ():
        click.echo(visible(f"note: trust root {subject} is a TEST CA, not for operational use"))
    return roots


@contextmanager
def opened_identity(spec: KeySpec) -> Iterator[AnyIdentity]:
    """The signing identity `spec` names: a PKCS#12 file, or a key on a PKCS#11 token.

    Passphrase and PIN come from the named environment variable or a hidden prompt,
    never from an argument. A token session is closed afterwards.
    """
    from bwvdisclose.trust.keys import load_identity, passphrase_from
    from bwvdisclose.trust.token import open_token

    if spec.p12 is not None:

        def ask() -> str:
            return str(click.prompt(f"Passphrase for {spec.p12.name}", hide_input=True, err=True))  # type: ignore[union-attr]

        yield load_identity(
            spec.p12, passphrase_from(spec.passphrase_env, None if spec.passphrase_env else ask)
        )
        return

    def ask_pin() -> str:
        return str(
            click.prompt(f"User PIN for token {spec.token_label}", hide_input=True, err=True)
        )

    pin = passphrase_from(spec.pin_env, None if spec.pin_env else ask_pin).decode("utf-8")
    identity = open_token(spec.pkcs11_lib, spec.token_label, spec.key_label, pin)  # type: ignore[arg-type]
    try:
        yield identity
    finally:
        identity.close()
