"""`bwvdisclose demo`: fill an empty store with synthetic cases for trying audits out."""

from __future__ import annotations

import time
from pathlib import Path

import click

from bwvdisclose.cli.options import store_value
from bwvdisclose.cli.progress import progress_bar
from bwvdisclose.store.postgres.connect import display_url, is_postgres_url
from bwvdisclose.synth import default_keys_dir, generate_store


@click.command("demo")
@click.option(
    "--cases", type=click.IntRange(1, 1_000_000), default=100, show_default=True,
    help="How many synthetic cases to write.",
)  # fmt: skip
@click.option(
    "--store", required=True, metavar="DIR|URL", callback=store_value,
    help="An empty or new folder, or an empty database store (postgresql://...).",
)  # fmt: skip
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same cases.")
@click.option(
    "--keys", "keys_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
    help="Folder for the demo TEST signing identities (default: STORE.keys beside the store).",
)  # fmt: skip
def demo_command(cases: int, store: str, seed: int, keys_dir: Path | None) -> None:
    """Write a synthetic case store: invented cases, real hash chains and signatures.

    Every outcome, exception, block, referral, condition and redaction of the policy
    appears once there are 25 or more cases. Sign-offs are made by demo TEST
    identities (passphrase in the README), never by real people.
    """
    if keys_dir is None and is_postgres_url(store):
        raise click.UsageError("a database store keeps no files beside it: give --keys DIR")
    keys = keys_dir or default_keys_dir(Path(store))
    started = time.perf_counter()
    with progress_bar(cases, "Writing cases") as step:
        generate_store(store, cases, seed=seed, keys_dir=keys, progress=lambda _: step())
    took = time.perf_counter() - started
    shown = display_url(store) if is_postgres_url(store) else store
    click.echo(f"wrote {cases} synthetic cases to {shown} in {took:.1f} s (TEST keys in {keys})")
