from __future__ import annotations

import itertools
import os
import socket
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bwvdisclose.answers import Answer
from bwvdisclose.cli.main import cli
from bwvdisclose.policy import Policy, load_policy
from bwvdisclose.signing import create_test_identity
from tests.pgcluster import Cluster

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
CRITERIA = ROOT / "criteria"
PASSPHRASE = b"correct horse battery staple"


@dataclass(frozen=True)
class KeyFiles:
    p12: Path
    pem: Path
    passphrase: bytes


POLICY_2020_1 = CRITERIA / "met-bwv-2020"
POLICY_2020_2 = CRITERIA / "met-bwv-2020-v2"


def pytest_configure(config: pytest.Config) -> None:
    """Tests run the CLI under version 2020.1 (their answers files are written for it).

    Set for the whole session, so fixtures of any scope (and the processes they start) see
    it. Version 2020.2 is the default for new cases; tests of it name its folder, or carry
    the `default_policy` marker to run with no BWVDISCLOSE_CRITERIA at all.
    """
    config.addinivalue_line(
        "markers", "default_policy: run with the shipped default policy (no BWVDISCLOSE_CRITERIA)"
    )
    os.environ["BWVDISCLOSE_CRITERIA"] = str(POLICY_2020_1)


@pytest.fixture(autouse=True)
def _default_policy(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("default_policy"):
        monkeypatch.delenv("BWVDISCLOSE_CRITERIA", raising=False)


@pytest.fixture(scope="session", autouse=True)
def private_user_folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Caches, drafts and the default store go to a temporary home, never the real one."""
    home = tmp_path_factory.mktemp("home")
    names = ("XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME")
    saved = {name: os.environ.get(name) for name in names}
    for name in names:
        os.environ[name] = str(home / name.lower())
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy(CRITERIA / "met-bwv-2020")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


Invoke = Callable[..., Result]


@pytest.fixture
def invoke(runner: CliRunner) -> Invoke:
    """Run the CLI in-process; exceptions are not swallowed, so a crash fails the test."""

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(cli, list(args), input=input, env=env, catch_exceptions=False)

    return run


@pytest.fixture(scope="session")
def key_files(tmp_path_factory: pytest.TempPathFactory) -> KeyFiles:
    """One TEST signing identity per session (RSA keys are slow to make)."""
    out = tmp_path_factory.mktemp("keys")
    p12, pem = create_test_identity(
        "Jane Smith", "decision_maker", out, PASSPHRASE, rank="Inspector", number="4711"
    )
    return KeyFiles(p12=p12, pem=pem, passphrase=PASSPHRASE)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A local listening socket: tests show that rendering never connects to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    yield server
    server.close()


def explained(
    policy: Policy, answers: Mapping[str, Answer], why: str = "Recorded for the test"
) -> dict[str, Answer]:
    """Answers from a policy example (which needs none) with the rationales a case requires."""
    return {
        k: a
        if a.rationale or not policy.questions[k].rationale_required
        else Answer(value=a.value, rationale=why)
        for k, a in answers.items()
    }


# --- a real PostgreSQL server, started once per session when a test asks for it ----------


_DATABASES = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A throwaway PostgreSQL cluster (initdb + pg_ctl in a temp folder), stopped at the end."""
    with Cluster() as cluster:
        yield cluster


@pytest.fixture
def pg_database(pg_cluster: Cluster) -> str:
    """The superuser's URL of a new, empty database for this one test."""
    return pg_cluster.create_database(f"t{next(_DATABASES)}")


@pytest.fixture(scope="session")
def pg_store_template(pg_cluster: Cluster) -> str:
    """A database holding an initialised, empty case store, copied for each test."""
    from bwvdisclose.store.postgres.connect import connect
    from bwvdisclose.store.postgres.schema import init_store

    with connect(pg_cluster.create_database("store_template")) as conn:
        init_store(conn)
    return "store_template"


@pytest.fixture
def pg_url(pg_cluster: Cluster, pg_store_template: str) -> str:
    """A new database holding an initialised, empty case store (owned by the superuser)."""
    return pg_cluster.create_database(f"s{next(_DATABASES)}", template=pg_store_template)
