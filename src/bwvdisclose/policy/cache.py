"""A compiled-policy cache, so `evaluate` and the checklist start without re-reading YAML.

The policy folder is always read and hashed (SHA-256 over every file, as `policy_sha256`);
the cache is consulted only under that hash (combined with the hash of the folder's wording
file, when it has one), so an edited folder or wording never meets an old entry.
An entry is the checked policy (`policy.models`, plain data classes) as tagged JSON, sealed
with an HMAC-SHA256 under a per-user key (`key`, 0600): the file (`SHA256.vFORMAT.json`)
is the seal, a newline, then the body. On load the seal is checked first, over the body's
bytes as stored; only a body that passes is parsed. Then the format, the tool version and
the source hash are checked, so a damaged, copied, forged or stale entry is ignored and
the policy is read from its files. Folder 0700, files 0600, owned by the user; a cache
that is not is never read. Set BWVDISCLOSE_NO_CACHE=1 to bypass.

A sealed entry is not validated again (no pydantic): the seal shows this user's tool wrote
it, and the tool writes only a policy that passed validation and the cross-reference checks.

What this does not cover: someone who can write as the same user can also change the
tool itself; the seal guards against entries from elsewhere and against damage.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hmac
import json
import os
import stat
from pathlib import Path
from typing import Any

from bwvdisclose import __version__
from bwvdisclose.frozen import fields, is_frozen
from bwvdisclose.policy.models import CLASSES, Policy

FORMAT = 2  # 1: pydantic-dumped policy, sealed over re-serialised JSON
KEY_BYTES = 32
TAG = "~"  # every JSON object of a body names what it is under this key


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "bwvdisclose" / "policies"


def entry_path(sha256: str) -> Path:
    """Where the entry for a folder hash lives; the format is in the name, so tool versions
    that write other formats (say, on other branches of a checkout) keep their own."""
    return cache_dir() / f"{sha256}.v{FORMAT}.json"


def enabled() -> bool:
    return not os.environ.get("BWVDISCLOSE_NO_CACHE")


def read_entry(sha256: str, policy_sha256: str | None = None) -> Policy | None:
    """The policy compiled earlier under the key `sha256`, or None (miss or refused).

    The key is the folder hash, or that combined with the wording file's hash; the policy
    must carry the folder hash `policy_sha256` (by default the key itself).
    """
    folder = cache_dir()
    key = _key(folder, create=False)
    if key is None:
        return None
    raw = _read_private(entry_path(sha256))
    if raw is None:
        return None
    seal, _, body = raw.partition(b"\n")
    if not hmac.compare_digest(seal, hmac.new(key, body, "sha256").hexdigest().encode()):
        return None  # nothing of an entry that fails its seal is parsed
    try:
        entry = json.loads(body, object_hook=_decode)
        fresh = (entry["format"], entry["tool"], entry["source_sha256"]) == (
            FORMAT,
            __version__,
            sha256,
        )
        policy = entry["policy"]
    except (ValueError, KeyError, TypeError):
        return None
    if not fresh or not isinstance(policy, Policy) or policy.sha256 != (policy_sha256 or sha256):
        return None
    return policy


def write_entry(sha256: str, policy: Policy) -> None:
    """Cache a checked policy under its folder hash; failures are ignored."""
    with contextlib.suppress(OSError):
        folder = cache_dir()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = _key(folder, create=True)
        if key is None:
            return
        entry = {"format": FORMAT, "tool": __version__, "source_sha256": sha256, "policy": policy}
        body = json.dumps(_encode(entry), separators=(",", ":"), ensure_ascii=False).encode()
        seal = hmac.new(key, body, "sha256").hexdigest().encode()
        tmp = folder / f".{sha256}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(seal + b"\n" + body)
        os.replace(tmp, entry_path(sha256))


def _encode(value: Any) -> Any:
    """Policy data classes, dates and mappings as JSON objects that each say what they are."""
    if is_frozen(value):
        own = {name: _encode(getattr(value, name)) for name in fields(value)}
        return {TAG: type(value).__name__, **own}
    if isinstance(value, dict):
        return {TAG: "dict", "items": [[k, _encode(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dt.date):
        return {TAG: "date", "iso": value.isoformat()}
    return value


def _decode(obj: dict[str, Any]) -> Any:
    tag = obj.pop(TAG)
    if tag == "dict":
        return {k: v for k, v in obj["items"]}
    if tag == "date":
        return dt.date.fromisoformat(obj["iso"])
    return CLASSES[tag](**obj)


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
