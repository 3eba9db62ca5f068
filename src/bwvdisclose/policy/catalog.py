"""Which shipped policy folder a stored case names: the exact version, found by SHA-256.

A case records the id, version and SHA-256 of the policy it was assessed under. Commands
on one case use that version unless `--criteria` names another, so a case opened under
2020.1 stays under 2020.1 when the default moves on.
"""

from __future__ import annotations

from pathlib import Path

from bwvdisclose.errors import PolicyError
from bwvdisclose.policy.load import (
    POLICY_FILE,
    criteria_root,
    default_policy_dir,
    load_policy,
    policy_sha256,
)
from bwvdisclose.policy.models import PolicyRef


def shipped_folders() -> list[Path]:
    """Every policy folder in the shipped `criteria/`, the default first."""
    root = criteria_root()
    if not root.is_dir():
        return []
    default = default_policy_dir()
    others = sorted(p for p in root.iterdir() if (p / POLICY_FILE).is_file() and p != default)
    return [default, *others]


def folder_for(ref: PolicyRef) -> Path:
    """The shipped folder holding exactly `ref` (same SHA-256), else the same id and version.

    PolicyError when neither is shipped: the case names a policy this installation lacks.
    """
    same_version: Path | None = None
    for folder in shipped_folders():
        try:
            if policy_sha256(folder) == ref.sha256:
                return folder.resolve()
            policy = load_policy(folder)
        except PolicyError:
            continue  # a broken folder is for `criteria check` to report
        if same_version is None and (policy.id, policy.version) == (ref.id, ref.version):
            same_version = folder.resolve()
    if same_version is not None:
        return same_version
    raise PolicyError(
        f"the case names policy {ref.id} version {ref.version} (sha256 {ref.sha256[:16]}), "
        "which is not among the shipped criteria; name its folder with --criteria"
    )
