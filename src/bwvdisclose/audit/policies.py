"""Which policy a stored case was assessed under: find it by its recorded SHA-256.

A case records the id, version and SHA-256 of its policy. The catalog loads the
policy folders it is given and those shipped in `criteria/`, and answers with the
exact version when it has it, else the same id (flagged as not exact), else the
fallback policy the command was given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bwvdisclose.errors import PolicyError
from bwvdisclose.policy.load import POLICY_FILE, criteria_root, load_policy
from bwvdisclose.policy.models import Policy, PolicyRef


@dataclass(frozen=True)
class Found:
    policy: Policy
    exact: bool  # the very version the case recorded (same SHA-256)


class PolicyCatalog:
    """The policies an audit can evaluate with, by SHA-256 and by id."""

    def __init__(self, fallback: Policy, folders: Iterable[Path] = ()) -> None:
        self.fallback = fallback
        self.by_sha: dict[str, Policy] = {fallback.sha256: fallback}
        self.by_id: dict[str, Policy] = {}
        for policy in _load_all([*folders, *_shipped()]):
            self.by_sha.setdefault(policy.sha256, policy)
            self.by_id.setdefault(policy.id, policy)
        self.by_id.setdefault(fallback.id, fallback)

    def find(self, ref: PolicyRef | None) -> Found:
        if ref is None:
            return Found(self.fallback, False)
        if ref.sha256 in self.by_sha:
            return Found(self.by_sha[ref.sha256], True)
        return Found(self.by_id.get(ref.id, self.fallback), False)


class PolicyVersions:
    """Policy versions by SHA-256, exact only: the folders given, then those shipped.

    What `verify` and `audit verify` evaluate a logged recommendation under (the version
    it names, or none). Loaded on first use, or by `load()` before workers fork.
    """

    def __init__(self, folders: Iterable[Path] = ()) -> None:
        self.folders = list(folders)
        self.by_sha: dict[str, Policy] | None = None

    def load(self) -> PolicyVersions:
        if self.by_sha is None:
            self.by_sha = {}
            for policy in _load_all([*self.folders, *_shipped()]):
                self.by_sha.setdefault(policy.sha256, policy)
        return self

    def __call__(self, ref: PolicyRef) -> Policy | None:
        by_sha = self.load().by_sha
        assert by_sha is not None
        return by_sha.get(ref.sha256)


def _shipped() -> list[Path]:
    root = criteria_root()
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / POLICY_FILE).is_file())


def _load_all(folders: Iterable[Path]) -> Iterable[Policy]:
    for folder in folders:
        try:
            yield load_policy(folder)
        except PolicyError:
            continue  # a broken folder is reported by `criteria check`, not by an audit
