"""The compiled-policy cache: faster loads; an edited policy never passes as the approved one."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from bwvdisclose.policy import cache as policy_cache
from bwvdisclose.policy.load import _from_cache, _load_cached, _load_source, policy_sha256
from tests.conftest import CRITERIA


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("BWVDISCLOSE_NO_CACHE", raising=False)
    _load_cached.cache_clear()
    target = tmp_path / "policy"
    shutil.copytree(CRITERIA / "met-bwv-2020", target)
    return target


def _entry(sha: str) -> Path:
    return policy_cache.cache_dir() / f"{sha}.json"


def test_a_cached_policy_equals_the_one_read_from_its_files(folder: Path) -> None:
    sha = policy_sha256(folder)
    source = _load_cached(folder, sha)
    assert _entry(sha).is_file()
    cached = _from_cache(sha)
    assert cached == source == _load_source(folder, sha)
    assert oct(_entry(sha).stat().st_mode & 0o777) == "0o600"
    assert oct(policy_cache.cache_dir().stat().st_mode & 0o777) == "0o700"


def test_an_edited_folder_is_never_served_from_the_cache(folder: Path) -> None:
    _load_cached(folder, policy_sha256(folder))
    path = folder / "policy.yaml"
    path.write_text(path.read_text().replace("Does the footage show force", "Does it show force"))
    sha = policy_sha256(folder)
    assert _from_cache(sha) is None  # a new hash: nothing cached under it
    edited = _load_cached(folder, sha)
    assert edited.questions["force.shown"].prompt.startswith("Does it show force")


def test_a_forged_entry_is_refused_and_the_files_are_read(folder: Path) -> None:
    """An entry rewritten to say something else under the approved hash fails its seal."""
    sha = policy_sha256(folder)
    _load_cached(folder, sha)
    entry = json.loads(_entry(sha).read_text())
    entry["body"]["policy"]["steps"][0]["title"] = "Forged"
    _entry(sha).write_text(json.dumps(entry))
    assert _from_cache(sha) is None
    _load_cached.cache_clear()
    assert _load_cached(folder, sha).steps[0].title != "Forged"


def test_an_entry_sealed_with_another_key_is_refused(folder: Path) -> None:
    sha = policy_sha256(folder)
    _load_cached(folder, sha)
    key = policy_cache.cache_dir() / "key"
    key.write_bytes(os.urandom(32))  # e.g. a cache copied from another user or machine
    assert _from_cache(sha) is None


def test_a_cache_others_can_write_is_not_read(folder: Path) -> None:
    sha = policy_sha256(folder)
    _load_cached(folder, sha)
    policy_cache.cache_dir().chmod(0o777)
    assert _from_cache(sha) is None
    policy_cache.cache_dir().chmod(0o700)
    _entry(sha).chmod(0o644)
    assert _from_cache(sha) is None


def test_the_cache_can_be_switched_off(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BWVDISCLOSE_NO_CACHE", "1")
    _load_cached(folder, policy_sha256(folder))
    assert not policy_cache.cache_dir().exists()
