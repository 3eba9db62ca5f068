"""Shared fixtures: one CliRunner, and one TEST signing identity per session (RSA keys are slow)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from bwvdisclose.signing import create_test_identity

PASSPHRASE = b"correct horse battery staple"


@dataclass(frozen=True)
class KeyFiles:
    p12: Path
    pem: Path
    passphrase: bytes


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(catch_exceptions=False)


@pytest.fixture(scope="session")
def key_files(tmp_path_factory: pytest.TempPathFactory) -> KeyFiles:
    out = tmp_path_factory.mktemp("keys")
    p12, pem = create_test_identity(
        "Jane Smith", "decision_maker", out, PASSPHRASE, rank="Inspector", number="4711"
    )
    return KeyFiles(p12=p12, pem=pem, passphrase=PASSPHRASE)
