"""The compiled-policy cache: faster loads; an edited policy never passes as the approved one.

An entry is the seal (HMAC-SHA256 under a per-user key), a newline, then the body. A
forged, damaged, copied or stale entry is refused, and the policy is read from its files.
"""

from __future__ import annotations

import hmac
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bwvdisclose.policy import cache as policy_cache
from bwvdisclose.policy.load import _from_cache, _load_cached, _load_source, policy_sha256
from tests.conftest import CRITERIA, ROOT


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("BWVDISCLOSE_NO_CACHE", raising=False)
    _load_cached.cache_clear()
    target = tmp_path / "policy"
    shutil.copytree(CRITERIA / "met-bwv-2020", target)
    return target


def _entry(sha: str) -> Path:
    return policy_cache.entry_path(sha)


def _cached(folder: Path) -> str:
    sha = policy_sha256(folder)
    _load_cached(folder, sha)
    assert _entry(sha).is_file()
    return sha


def _body(sha: str) -> dict[str, Any]:
    """The entry's body as plain JSON (tags and all), for tests that forge one."""
    seal, _, body = _entry(sha).read_bytes().partition(b"\n")
    assert len(seal) == 64
    return json.loads(body)  # type: ignore[no-any-return]


def _write(sha: str, seal: bytes, body: bytes) -> None:
    _entry(sha).write_bytes(seal + b"\n" + body)


@pytest.mark.parametrize(
    "name", ["met-bwv-2020", "met-bwv-2020-v2", "met-bwv-2020-r2-illustrative"]
)
def test_a_cached_policy_equals_the_one_read_from_its_files(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("BWVDISCLOSE_NO_CACHE", raising=False)
    _load_cached.cache_clear()
    folder = CRITERIA / name
    sha = _cached(folder)
    cached = _from_cache(sha)
    assert cached is not None
    assert cached == _load_source(folder, sha)
    assert cached.questions == _load_source(folder, sha).questions
    assert oct(_entry(sha).stat().st_mode & 0o777) == "0o600"
    assert oct(policy_cache.cache_dir().stat().st_mode & 0o777) == "0o700"


def test_an_edited_folder_is_never_served_from_the_cache(folder: Path) -> None:
    _cached(folder)
    path = folder / "policy.yaml"
    path.write_text(path.read_text().replace("Does the footage show force", "Does it show force"))
    sha = policy_sha256(folder)
    assert _from_cache(sha) is None  # a new hash: nothing cached under it
    edited = _load_cached(folder, sha)
    assert edited.questions["force.shown"].prompt.startswith("Does it show force")


def test_a_forged_entry_is_refused_unread_and_the_files_are_read(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry rewritten to say something else under the approved hash fails its seal,
    and nothing of it is parsed: the seal is checked over the bytes as stored."""
    sha = _cached(folder)
    seal = _entry(sha).read_bytes().partition(b"\n")[0]
    forged = _entry(sha).read_bytes().partition(b"\n")[2].replace(b'"title":"', b'"title":"X', 1)
    _write(sha, seal, forged)
    parsed: list[object] = []
    with monkeypatch.context() as m:
        m.setattr(policy_cache.json, "loads", lambda *a, **k: parsed.append(a))
        assert _from_cache(sha) is None
    assert parsed == []
    _load_cached.cache_clear()
    assert not _load_cached(folder, sha).steps[0].title.startswith("X")


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[:-1],  # cut short
        lambda raw: raw[:100] + bytes([raw[100] ^ 1]) + raw[101:],  # one bit flipped
        lambda raw: raw.replace(b"\n", b"", 1),  # no seal line
        lambda raw: b"",  # empty
        lambda raw: raw[:64].upper() + raw[64:],  # the seal's case changed
    ],
    ids=["truncated", "bit-flip", "no-seal", "empty", "seal-case"],
)
def test_a_damaged_entry_is_refused(folder: Path, damage: Any) -> None:
    sha = _cached(folder)
    _entry(sha).write_bytes(damage(_entry(sha).read_bytes()))
    assert _from_cache(sha) is None


def test_an_entry_sealed_with_another_key_is_refused(folder: Path) -> None:
    sha = _cached(folder)
    key = policy_cache.cache_dir() / "key"
    key.write_bytes(os.urandom(32))  # e.g. a cache copied from another user or machine
    assert _from_cache(sha) is None


def test_an_entry_copied_under_another_hash_is_refused(folder: Path) -> None:
    """A sound entry for one folder, renamed to stand for another folder's hash."""
    sha = _cached(folder)
    other = "0" * 64
    shutil.copy(_entry(sha), _entry(other))
    assert _from_cache(other) is None


@pytest.mark.parametrize(("what", "value"), [("FORMAT", 1), ("__version__", "0.0.1")])
def test_a_stale_entry_is_refused(
    folder: Path, monkeypatch: pytest.MonkeyPatch, what: str, value: object
) -> None:
    """Sealed by this user, but written by another tool version or in another format."""
    sha = policy_sha256(folder)
    with monkeypatch.context() as m:
        m.setattr(policy_cache, what, value)
        _load_cached(folder, sha)
        written = _entry(sha)
    written.replace(_entry(sha))  # under today's name, as if renamed or copied there
    assert _from_cache(sha) is None


def test_a_sealed_entry_of_the_wrong_shape_is_refused(folder: Path) -> None:
    """Even with a good seal (say, written by a buggy version), a body that does not
    decode to a policy is ignored, never an error."""
    sha = _cached(folder)
    key = (policy_cache.cache_dir() / "key").read_bytes()
    for body in (
        json.dumps(_body(sha)).replace('"~": "Policy"', '"~": "Nothing"', 1),
        json.dumps(_body(sha)).replace('"~": "Step"', '"~": "Source"', 1),
        '{"~": "dict", "items": [["format", 2]]}',
        "[1, 2, 3]",
        "not json",
    ):
        raw = body.encode()
        _write(sha, hmac.new(key, raw, "sha256").hexdigest().encode(), raw)
        assert _from_cache(sha) is None, body[:60]


def test_a_cache_others_can_write_is_not_read(folder: Path) -> None:
    sha = _cached(folder)
    policy_cache.cache_dir().chmod(0o777)
    assert _from_cache(sha) is None
    policy_cache.cache_dir().chmod(0o700)
    _entry(sha).chmod(0o644)
    assert _from_cache(sha) is None


def test_the_cache_can_be_switched_off(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BWVDISCLOSE_NO_CACHE", "1")
    _load_cached(folder, policy_sha256(folder))
    assert not policy_cache.cache_dir().exists()


def test_a_cached_load_builds_no_validator(tmp_path: Path) -> None:
    """With the cache warm, `evaluate` neither imports pydantic's models nor reads YAML rules."""
    probe = (
        "import sys\n"
        "from bwvdisclose.cli.main import cli\n"
        "try:\n"
        "    cli.main(sys.argv[1:], prog_name='bwvdisclose', standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('pydantic.main' in sys.modules, file=sys.stderr)\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("BWVDISCLOSE_NO_CACHE", None)
    env.pop("BWVDISCLOSE_CRITERIA", None)
    args = [sys.executable, "-c", probe, "evaluate", "demo/answers/protest.yaml"]
    runs = [
        subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=env, check=True)
        for _ in range(2)
    ]
    assert runs[0].stdout == runs[1].stdout
    assert [r.stderr.strip().splitlines()[-1] for r in runs] == ["True", "False"]
