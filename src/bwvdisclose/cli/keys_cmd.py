"""`bwvdisclose keys`: make TEST signing identities for trying the tool out."""

from __future__ import annotations

from pathlib import Path

import click

from bwvdisclose.cli.options import Choice
from bwvdisclose.signing import (
    ROLES,
    cert_fingerprint,
    create_test_identity,
    load_cert_pem,
    passphrase_from,
)


@click.group("keys")
def keys() -> None:
    """Signing keys and certificates."""


@keys.command("create")
@click.option("--name", required=True, help="Signer's full name (certificate CN).")
@click.option("--role", required=True, type=Choice(ROLES), help="Signer's role in a case.")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write NAME.p12 and NAME.pem into.",
)
@click.option("--rank", default="", help="Rank, e.g. Inspector.")
@click.option("--number", default="", help="Collar or staff number.")
@click.option(
    "--passphrase-env",
    metavar="VAR",
    default=None,
    help="Read the key passphrase from this environment variable instead of prompting.",
)
def create(
    name: str, role: str, out_dir: Path, rank: str, number: str, passphrase_env: str | None
) -> None:
    """Create a key and a self-signed TEST certificate.

    The key is written only inside a passphrase-protected PKCS#12 file. The
    certificate is marked TEST ONLY: operational records need a certificate
    from the force's own PKI.
    """
    passphrase = passphrase_from(passphrase_env, _prompt_twice)
    p12, pem = create_test_identity(name, role, out_dir, passphrase, rank=rank, number=number)
    click.echo(f"key (encrypted PKCS#12): {p12}")
    click.echo(f"certificate (PEM):       {pem}")
    click.echo(f"fingerprint (SHA-256):   {cert_fingerprint(load_cert_pem(pem))}")
    click.echo("This is a TEST certificate, self-signed; do not use it for operational records.")


def _prompt_twice() -> str:
    value: str = click.prompt("Key passphrase", hide_input=True, confirmation_prompt=True, err=True)
    return value
