"""A compiled-policy cache, so `evaluate` and the checklist start without re-reading YAML.

The policy folder is always read and hashed (SHA-256 over every file, as `policy_sha256`);
the cache is consulted only under that hash, so an edited folder never meets an old entry.
An entry is the validated policy as JSON, sealed with an HMAC-SHA256 under a per-user key
(`key`, 0600). On load the seal, the tool version and the source hash are checked, and the
policy is validated again (pydantic and the cross-reference checks), so a damaged, copied
or forged entry is ignored and the policy is read from its files. Folder 0700, files 0600,
owned by the user; a cache that is not is never read. Set BWVDISCLOSE_NO_CACHE=1 to bypass.

What this does not cover: someone who can write as the same user can also change the
tool itself; the seal guards against entries from elsewhere and against damage.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
import stat
from pathlib import Path
from typing import Any

from bwvdisclose import __version__

FORMAT = 1
KEY_BYTES = 32


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "bwvdisclose" / "policies"


def enabled() -> bool:
    return not os.environ.get("BWVDISCLOSE_NO_CACHE")


def read_entry(sha256: str) -> dict[str, Any] | None:
    """The cached policy document for the folder hash `sha256`, or None (miss or refused)."""
    folder = cache_dir()
    key = _key(folder, create=False)
    if key is None:
        return None
    raw = _read_private(folder / f"{sha256}.json")
    if raw is None:
        return None
    try:
        entry = json.loads(raw)
        body = json.dumps(entry["body"], sort_keys=True, separators=(",", ":")).encode()
        good = hmac.compare_digest(entry["hmac"], hmac.new(key, body, "sha256").hexdigest())
        body_ok = entry["body"]["format"] == FORMAT and entry["body"]["tool"] == __version__
        source_ok = entry["body"]["source_sha256"] == sha256
    except (ValueError, KeyError, TypeError):
        return None
    if not (good and body_ok and source_ok):
        return None
    policy: dict[str, Any] = entry["body"]["policy"]
    return policy


def write_entry(sha256: str, policy: dict[str, Any]) -> None:
    """Cache a validated policy document under its folder hash; failures are ignored."""
    with contextlib.suppress(OSError):
        folder = cache_dir()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = _key(folder, create=True)
        if key is None:
            return
        body = {"format": FORMAT, "tool": __version__, "source_sha256": sha256, "policy": policy}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        entry = {"body": body, "hmac": hmac.new(key, canonical, "sha256").hexdigest()}
        tmp = folder / f".{sha256}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(entry, f, sort_keys=True, separators=(",", ":"))
        os.replace(tmp, folder / f"{sha256}.json")


def _key(folder: Path, create: bool) -> bytes | None:
    """The per-user sealing key; None if the folder or key is not private to this user."""
    if not _private(folder, stat.S_ISDIR):
        return None
    path = folder / "key"
    key = _read_private(path)
    if key is None and create and not path.exists():
        with contextlib.suppress(FileExistsError):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(os.urandom(KEY_BYTES))
        key = _read_private(path)
    return key if key is not None and len(key) == KEY_BYTES else None


def _read_private(path: Path) -> bytes | None:
    """The file's bytes if it is a regular file of ours that no one else can write or read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
            return None
        return f.read(8 * 1024 * 1024)


def _private(path: Path, kind: Any) -> bool:
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return bool(kind(st.st_mode)) and st.st_uid == os.getuid() and not st.st_mode & 0o077
