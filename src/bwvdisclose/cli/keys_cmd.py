"""`bwvdisclose keys`: a TEST certificate authority and TEST identities issued from it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from bwvdisclose.cli.options import Choice
from bwvdisclose.errors import SigningError
from bwvdisclose.trust.keys import cert_fingerprint, passphrase_from
from bwvdisclose.trust.profile import ROLES, check_number

TEST_WARNING = "This is a TEST {what}; never use it for operational records."


@click.group("keys")
def keys() -> None:
    """A TEST certificate authority and TEST signing identities."""


def _number(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not value.strip():
        return ""
    try:
        return check_number(value)
    except SigningError as exc:
        raise click.BadParameter(str(exc)) from None


@keys.command("ca")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default="bwvdisclose TEST CA", show_default=True, help="The CA's name.")
@click.option(
    "--passphrase-env",
    metavar="VAR",
    default=None,
    help="Read the CA key's passphrase from this environment variable instead of prompting.",
)
def ca_command(folder: Path, name: str, passphrase_env: str | None) -> None:
    """Make a TEST certificate authority in FOLDER: ca.pem (the root) and ca.p12 (its key).

    Give ca.pem to --trust (or BWVDISCLOSE_TRUST) and issue identities with
    `keys create --ca FOLDER`. Everything it issues is marked TEST ONLY; a force uses
    its own CA, whose certificates follow the same profile (see README, Trust).
    """
    from bwvdisclose.trust.ca import make_test_ca
    from bwvdisclose.trust.keys import load_cert_pem

    passphrase = passphrase_from(passphrase_env, _prompt_twice("CA key passphrase"))
    pem = make_test_ca(folder, passphrase, name=name)
    click.echo(f"CA certificate (trust root): {pem}")
    click.echo(f"CA key (encrypted PKCS#12):  {folder / 'ca.p12'}")
    click.echo(f"fingerprint (SHA-256):       {cert_fingerprint(load_cert_pem(pem))}")
    click.echo(TEST_WARNING.format(what="certificate authority"))


@keys.command("create")
@click.option("--name", required=True, help="Signer's full name (certificate commonName).")
@click.option("--role", required=True, type=Choice(ROLES), help="Signer's role.")
@click.option(
    "--ca",
    "ca_dir",
    required=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="The TEST CA folder to issue from (made by `keys ca`).",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write NAME.p12 and NAME.pem into.",
)
@click.option("--rank", default="", help="Rank, e.g. Inspector (certificate title).")
@click.option(
    "--number", default="", callback=_number, help="Collar or staff number (serialNumber)."
)
@click.option(
    "--passphrase-env",
    metavar="VAR",
    default=None,
    help="Read the new key's passphrase from this environment variable instead of prompting.",
)
@click.option(
    "--ca-passphrase-env",
    metavar="VAR",
    default=None,
    help="Read the CA key's passphrase from this environment variable instead of prompting.",
)
def create(
    name: str,
    role: str,
    ca_dir: Path,
    out_dir: Path,
    rank: str,
    number: str,
    passphrase_env: str | None,
    ca_passphrase_env: str | None,
) -> None:
    """Issue a TEST identity from a TEST CA: a key and certificate naming the person,
    role, rank and number.

    The key is written only inside a passphrase-protected PKCS#12 file (with the CA
    certificate). A PKCS#12 from the force's own CA works the same way.
    """
    from bwvdisclose.trust.ca import issue_test_identity, load_ca

    passphrase = passphrase_from(passphrase_env, _prompt_twice("New key's passphrase"))
    ca_pass = passphrase_from(
        ca_passphrase_env,
        None if ca_passphrase_env else lambda: _hidden(f"Passphrase for {ca_dir}/ca.p12"),
    )
    ca = load_ca(ca_dir, ca_pass)
    issued = issue_test_identity(
        ca, out_dir, passphrase, name=name, role=role, rank=rank, number=number
    )
    click.echo(f"key (encrypted PKCS#12): {issued.p12}")
    click.echo(f"certificate (PEM):       {issued.pem}")
    click.echo(f"fingerprint (SHA-256):   {cert_fingerprint(issued.certificate)}")
    click.echo(TEST_WARNING.format(what="certificate"))


def _hidden(prompt: str) -> str:
    return str(click.prompt(prompt, hide_input=True, err=True))


def _prompt_twice(prompt: str) -> Callable[[], str]:
    def ask() -> str:
        value: str = click.prompt(prompt, hide_input=True, confirmation_prompt=True, err=True)
        return value

    return ask
