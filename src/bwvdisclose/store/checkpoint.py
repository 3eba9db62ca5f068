"""Signed checkpoints of the store-wide log: C2SP tlog-checkpoint text in a C2SP signed note.

A checkpoint (https://c2sp.org/tlog-checkpoint) is three lines and extensions:

    <origin>                      which log: bwvdisclose/<the store's ID>
    <tree size>                   in decimal
    <root hash>                   base64 of the 32-byte RFC 6962 tree hash
    time <YYYY-MM-DDTHH:MM:SSZ>   when it was made (an extension line)

signed as a note (https://c2sp.org/signed-note): a blank line, then one line per
signature, `— <key name> <base64(4-byte key ID || Ed25519 signature)>`. Keys are written
as Go's golang.org/x/mod/sumdb/note writes them: the signer key
`PRIVATE+KEY+<name>+<id hex>+<base64(0x01 || seed)>` (secret: kept outside the store),
the verifier key `<name>+<id hex>+<base64(0x01 || public key)>` (given to auditors).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from bwvdisclose.errors import InputError, IntegrityError

ED25519 = 0x01
MAX_NOTE = 64 * 1024
_NAME = re.compile(r"[!-*,-~]{1,64}", re.ASCII)  # printable, no space, no '+'
_TIME = "%Y-%m-%dT%H:%M:%SZ"


class KeyError_(InputError):
    """A store key or verifier key is not in the expected form."""


def _key_id(name: str, public: bytes) -> int:
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public).digest()
    return int.from_bytes(digest[:4], "big")


def _public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class Verifier:
    name: str
    key_id: int
    key: Ed25519PublicKey

    def text(self) -> str:
        raw = base64.b64encode(bytes([ED25519]) + _public_bytes(self.key)).decode()
        return f"{self.name}+{self.key_id:08x}+{raw}"


@dataclass(frozen=True)
class Signer:
    name: str
    key: Ed25519PrivateKey

    @property
    def verifier(self) -> Verifier:
        public = self.key.public_key()
        return Verifier(self.name, _key_id(self.name, _public_bytes(public)), public)

    def text(self) -> str:
        seed = self.key.private_bytes_raw()
        raw = base64.b64encode(bytes([ED25519]) + seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id:08x}+{raw}"


def new_signer(name: str) -> Signer:
    if not _NAME.fullmatch(name):
        raise KeyError_(f"{name!r} cannot name a key: 1-64 printable characters, no spaces or '+'")
    return Signer(name, Ed25519PrivateKey.generate())


def _split_key(text: str, parts: int, what: str) -> list[str]:
    fields = text.strip().split("+", parts - 1)
    if len(fields) != parts:
        raise KeyError_(f"this is not a {what}")
    return fields


def _decode_key(name: str, id_hex: str, raw: str, what: str) -> tuple[int, bytes]:
    try:
        key_id = int(id_hex, 16) if re.fullmatch(r"[0-9a-f]{8}", id_hex) else -1
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise KeyError_(f"this is not a {what} (bad base64)") from None
    if not _NAME.fullmatch(name) or key_id < 0 or len(data) != 33 or data[0] != ED25519:
        raise KeyError_(f"this is not a {what} (not an Ed25519 key in note form)")
    return key_id, data[1:]


def parse_signer(text: str) -> Signer:
    fields = _split_key(text, 5, "store key (PRIVATE+KEY+name+id+key)")
    if fields[:2] != ["PRIVATE", "KEY"]:
        raise KeyError_("this is not a store key (PRIVATE+KEY+name+id+key)")
    key_id, seed = _decode_key(fields[2], fields[3], fields[4], "store key")
    signer = Signer(fields[2], Ed25519PrivateKey.from_private_bytes(seed))
    if signer.verifier.key_id != key_id:
        raise KeyError_("the store key's ID does not match its key: the file is damaged")
    return signer


def parse_verifier(text: str) -> Verifier:
    fields = _split_key(text, 3, "verifier key (name+id+key)")
    key_id, public = _decode_key(fields[0], fields[1], fields[2], "verifier key")
    if _key_id(fields[0], public) != key_id:
        raise KeyError_("the verifier key's ID does not match its key")
    return Verifier(fields[0], key_id, Ed25519PublicKey.from_public_bytes(public))


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    time: dt.datetime

    def body(self) -> str:
        root = base64.b64encode(self.root).decode()
        return f"{self.origin}\n{self.size}\n{root}\ntime {self.time.strftime(_TIME)}\n"


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> str:
    """The signed note: body, a blank line, one signature line."""
    body = checkpoint.body()
    signature = signer.key.sign(body.encode())
    blob = signer.verifier.key_id.to_bytes(4, "big") + signature
    return f"{body}\n\u2014 {signer.name} {base64.b64encode(blob).decode()}\n"


@dataclass(frozen=True)
class SignedCheckpoint:
    checkpoint: Checkpoint
    body: str
    signatures: list[tuple[str, int, bytes]]  # (key name, key ID, signature)

    def check_signature(self, verifier: Verifier) -> None:
        """IntegrityError unless `verifier`'s key signed this checkpoint."""
        for name, key_id, signature in self.signatures:
            if name == verifier.name and key_id == verifier.key_id:
                try:
                    verifier.key.verify(signature, self.body.encode())
                    return
                except InvalidSignature:
                    raise IntegrityError(
                        f"the checkpoint's signature by {name} does not verify: "
                        "the checkpoint was changed or forged"
                    ) from None
        raise IntegrityError(
            f"the checkpoint is not signed by {verifier.name} ({verifier.key_id:08x})"
        )


def parse_checkpoint(text: str) -> SignedCheckpoint:
    """A signed checkpoint as `sign_checkpoint` writes it; InputError if it is not one."""
    bad = InputError
    if len(text) > MAX_NOTE:
        raise bad("the checkpoint is too large to be one")
    body, sep, sigs = text.partition("\n\n")
    if not sep or not sigs.endswith("\n"):
        raise bad("not a signed checkpoint: no blank line before the signatures")
    body += "\n"
    lines = body.split("\n")[:-1]
    if len(lines) < 3:
        raise bad("not a checkpoint: it needs origin, tree size and root hash lines")
    origin, size_text, root_text, *extra = lines
    if not re.fullmatch(r"0|[1-9][0-9]{0,18}", size_text):
        raise bad(f"not a checkpoint: tree size {size_text[:30]!r} is not a number")
    try:
        root = base64.b64decode(root_text, validate=True)
    except binascii.Error:
        root = b""
    if len(root) != 32:
        raise bad("not a checkpoint: the root hash is not 32 bytes of base64")
    times = [e[5:] for e in extra if e.startswith("time ")]
    try:
        when = dt.datetime.strptime(times[0], _TIME).replace(tzinfo=dt.UTC) if times else None
    except ValueError:
        when = None
    if when is None:
        raise bad("not a bwvdisclose checkpoint: no `time` line")
    signatures = []
    for line in sigs[:-1].split("\n"):
        m = re.fullmatch(r"\u2014 (\S+) ([A-Za-z0-9+/=]+)", line)
        if not m:
            raise bad("not a signed checkpoint: a signature line is malformed")
        try:
            blob = base64.b64decode(m[2], validate=True)
        except binascii.Error:
            raise bad("not a signed checkpoint: a signature line is malformed") from None
        if len(blob) != 68:
            raise bad("not a signed checkpoint: a signature is not an Ed25519 signature")
        signatures.append((m[1], int.from_bytes(blob[:4], "big"), blob[4:]))
    point = Checkpoint(origin, int(size_text), root, when)
    return SignedCheckpoint(point, body, signatures)
