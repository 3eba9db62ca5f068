from __future__ import annotations

import datetime as dt
import itertools
import os
import socket
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result

from bwvdisclose.answers import Answer
from bwvdisclose.case import Actor, PolicyApproval
from bwvdisclose.cases import Cases
from bwvdisclose.cli.main import cli
from bwvdisclose.policy import Policy, load_policy
from bwvdisclose.trust.ca import issue_test_identity, load_ca, make_test_ca
from bwvdisclose.trust.keys import Identity
from bwvdisclose.trust.roots import TrustRoots
from tests.pgcluster import Cluster

if TYPE_CHECKING:
    from bwvdisclose.trust.paths import TrustChecker

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
CRITERIA = ROOT / "criteria"
PASSPHRASE = b"correct horse battery staple"
DEMO_CA = ROOT / "demo" / "ca" / "ca.pem"  # issued the shipped policies' TEST approvals
CA_START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)  # test clocks go back to 2024


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
    # The demo CA approved the shipped policies; the tests' CA joins it once made (trust_env).
    os.environ["BWVDISCLOSE_TRUST"] = str(DEMO_CA)


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


@dataclass(frozen=True)
class TestAuthority:
    """A TEST CA made once per session; `issue` makes identities from it."""

    __test__ = False  # not a test class, whatever its name

    folder: Path
    ca: Identity

    @property
    def pem(self) -> Path:
        return self.folder / "ca.pem"

    def issue(
        self, out: Path, name: str, role: str, rank: str = "", number: str = "", **kw: Any
    ) -> KeyFiles:
        issued = issue_test_identity(
            self.ca, out, PASSPHRASE, name=name, role=role, rank=rank, number=number,
            not_before=kw.pop("not_before", CA_START), key_size=2048, **kw,
        )  # fmt: skip
        return KeyFiles(p12=issued.p12, pem=issued.pem, passphrase=PASSPHRASE)


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> TestAuthority:
    folder = tmp_path_factory.mktemp("test-ca") / "ca"
    make_test_ca(folder, PASSPHRASE, name="bwvdisclose tests TEST CA", not_before=CA_START)
    return TestAuthority(folder, load_ca(folder, PASSPHRASE))


@pytest.fixture(scope="session", autouse=True)
def trust_env(test_ca: TestAuthority) -> Iterator[str]:
    """Every test trusts the tests' CA and the demo CA (shipped approvals), unless it says not."""
    value = f"{test_ca.pem}{os.pathsep}{DEMO_CA}"
    old = os.environ.get("BWVDISCLOSE_TRUST")
    os.environ["BWVDISCLOSE_TRUST"] = value
    yield value
    if old is None:
        os.environ.pop("BWVDISCLOSE_TRUST", None)
    else:
        os.environ["BWVDISCLOSE_TRUST"] = old


@pytest.fixture(scope="session")
def key_files(tmp_path_factory: pytest.TempPathFactory, test_ca: TestAuthority) -> KeyFiles:
    """One TEST signing identity per session, issued by the tests' CA."""
    out = tmp_path_factory.mktemp("keys")
    return test_ca.issue(out, "Jane Smith", "decision_maker", rank="Inspector", number="4711")


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A local listening socket: tests show that rendering never connects to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    yield server
    server.close()


def shipped_approval(policy: Policy) -> PolicyApproval:
    """The shipped TEST approval of `policy` (by the demo CA's policy owner)."""
    from bwvdisclose.trust.approval import find_approval
    from bwvdisclose.trust.paths import TrustChecker
    from bwvdisclose.trust.roots import load_roots

    folders = [p for p in sorted(CRITERIA.iterdir()) if p.is_dir()]
    folder = next(p for p in folders if load_policy(p).sha256 == policy.sha256)
    checker = TrustChecker(load_roots([DEMO_CA]))
    return find_approval(folder, policy, checker, dt.datetime.now(dt.UTC))


def signed_case(cases: Cases, actor: Actor, key_files: KeyFiles) -> str:
    """A case opened, answered (the policy's example of a plain do-not-publish), decided as
    recommended and signed off by the decision maker (`key_files`): ready for its record,
    every event one the workflow writes. One RSA signature."""
    from bwvdisclose.answers import validate_answers
    from bwvdisclose.cases import Intake
    from bwvdisclose.policy.examples import load_example
    from bwvdisclose.trust.keys import load_identity

    policy = cases.policy
    when = dt.datetime(2026, 11, 20, 14, 30, tzinfo=dt.UTC)
    case_id = cases.open(actor, Intake("CAD 1", when, "Whitehall", ["c1"]))
    folder = next(
        p for p in (POLICY_2020_1, POLICY_2020_2) if load_policy(p).sha256 == policy.sha256
    )
    example = load_example(folder / "examples" / "01-default-do-not-publish.yaml")
    answers = validate_answers(policy, example.answers, example.name)
    cases.apply(case_id, actor, explained(policy, answers), None)
    cases.decide(case_id, actor, "do_not_publish", "Agreed", approval=shipped_approval(policy))
    identity = load_identity(key_files.p12, key_files.passphrase)
    cases.sign(case_id, identity, "decision_maker", env_checker())
    return case_id


def env_checker() -> TrustChecker:
    """A trust checker with the roots every test trusts (BWVDISCLOSE_TRUST)."""
    from bwvdisclose.trust.paths import TrustChecker

    return TrustChecker(roots(*os.environ["BWVDISCLOSE_TRUST"].split(os.pathsep)))


def roots(*paths: Path | str) -> TrustRoots:
    """Trust roots from PEM paths, for calling the library directly."""
    from bwvdisclose.trust.roots import load_roots

    return load_roots([Path(p) for p in paths])


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
