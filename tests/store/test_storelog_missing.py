"""A store-wide log that was removed or damaged is never rebuilt or written past silently.

Found: with `storelog/` deleted (and the newest case with it), the next `new` rebuilt the
log from the cases left and issued the deleted case's ID again, and `audit verify` then
passed; with a line of garbage appended to `storelog/leaves`, writes went on after it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bwvdisclose.audit.verify import verify_store
from bwvdisclose.errors import IntegrityError
from bwvdisclose.store.folder import FolderStore

from ..case.conftest import OFFICER, answer, open_case
from ..conftest import Invoke


def _two_cases(store: FolderStore) -> tuple[str, str]:
    return open_case(store), open_case(store)


def test_a_removed_log_is_not_rebuilt_by_the_next_write(store: FolderStore) -> None:
    first, second = _two_cases(store)
    shutil.rmtree(store.root / second)
    shutil.rmtree(store.root / "storelog")
    with pytest.raises(IntegrityError, match="no store-wide log"):
        open_case(store)
    with pytest.raises(IntegrityError, match="no store-wide log"):
        store.append(first, OFFICER, answer("people.children", "none"))
    assert sorted(p.name for p in store.root.iterdir() if p.name.startswith("BWV")) == [first]
    assert not (store.root / "storelog").exists()
    assert verify_store(store).store_failures  # and the audit still says so


def test_a_new_store_still_gets_its_log_on_the_first_write(store: FolderStore) -> None:
    open_case(store)
    assert (store.root / "storelog" / "leaves").read_bytes().count(b"\n") == 1


def test_a_log_with_a_line_that_is_not_a_leaf_stops_writes(store: FolderStore) -> None:
    first, _ = _two_cases(store)
    leaves = store.root / "storelog" / "leaves"
    leaves.write_bytes(leaves.read_bytes() + b'{"case":"BWV-2024-0009","note":"mine"}\n')
    before = leaves.read_bytes()
    with pytest.raises(IntegrityError, match="is not a leaf as the store writes it"):
        store.append(first, OFFICER, answer("people.children", "none"))
    with pytest.raises(IntegrityError, match="is not a leaf as the store writes it"):
        open_case(FolderStore(store.root, lock_timeout=2.0))  # a new process reads it all
    assert leaves.read_bytes() == before


def test_adopting_a_log_is_explicit_and_says_what_it_cannot_know(
    invoke: Invoke, store: FolderStore, tmp_path: Path
) -> None:
    _two_cases(store)
    shutil.rmtree(store.root / "storelog")
    result = invoke("audit", "verify", "--store", str(store.root))
    assert result.exit_code == 1 and "no store-wide log" in result.output
    assert "store adopt-log" in result.output
    key = tmp_path / "store.key"
    assert invoke("audit", "keygen", "--out", str(key), "--name", "s").exit_code == 0
    result = invoke("audit", "checkpoint", "--store", str(store.root), "--key", str(key))
    assert result.exit_code == 1 and "store adopt-log" in result.stderr  # not adopted quietly
    assert not (store.root / "storelog").exists()
    result = invoke("store", "adopt-log", "--store", str(store.root))
    assert result.exit_code == 0, result.output
    assert "2 cases" in result.output and "cannot be known" in result.output
    assert invoke("audit", "verify", "--store", str(store.root)).exit_code == 0
    again = invoke("store", "adopt-log", "--store", str(store.root))
    assert again.exit_code == 1 and "already has a store-wide log" in again.stderr


def test_a_checkpoint_from_before_an_adoption_says_the_log_was_replaced(
    invoke: Invoke, store: FolderStore, tmp_path: Path
) -> None:
    _two_cases(store)
    key = tmp_path / "store.key"
    assert invoke("audit", "keygen", "--out", str(key), "--name", "s").exit_code == 0
    point = tmp_path / "cp.txt"
    made = invoke("audit", "checkpoint", "--store", str(store.root), "--key", str(key))
    point.write_text(made.stdout)
    shutil.rmtree(store.root / "storelog")
    assert invoke("store", "adopt-log", "--store", str(store.root)).exit_code == 0
    result = invoke("audit", "verify", "--store", str(store.root), "--checkpoint", str(point),
                    "--verifier", f"{key}.pub")  # fmt: skip
    assert result.exit_code == 1
    assert "this store's log was replaced since" in result.output
