"""The Merkle tree math against RFC 6962's test vectors and its recursive definitions."""

from __future__ import annotations

import hashlib
import random

import pytest

from bwvdisclose.store.merkle import (
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    tree_hash,
    verify_consistency,
    verify_inclusion,
)

# The leaves and roots of the Certificate Transparency reference tests (merkle_tree_test).
LEAVES = [
    bytes.fromhex(h)
    for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
              "606162636465666768696a6b6c6d6e6f"]
]  # fmt: skip
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def mth(hashes: list[bytes]) -> bytes:
    """RFC 6962 2.1, word for word (recursive)."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(hashes[:k]) + mth(hashes[k:])).digest()


def test_roots_match_the_reference_vectors() -> None:
    hashes = [leaf_hash(x) for x in LEAVES]
    for size, root in enumerate(ROOTS, start=1):
        assert tree_hash(hashes[:size]).hex() == root
    assert tree_hash([]) == hashlib.sha256(b"").digest()


@pytest.mark.parametrize("size", [*range(1, 40), 64, 65, 127, 128, 129, 1000])
def test_root_and_every_proof_of_a_tree(size: int) -> None:
    hashes = [leaf_hash(b"leaf %d" % i) for i in range(size)]
    root = tree_hash(hashes)
    assert root == mth(hashes)
    for i in range(0, size, max(1, size // 25)):
        verify_inclusion(i, size, hashes[i], inclusion_proof(hashes, i, size), root)
    for old in range(0, size + 1, max(1, size // 25)):
        proof = consistency_proof(hashes, old, size)
        verify_consistency(old, size, tree_hash(hashes[:old]), root, proof)


def test_any_changed_leaf_breaks_consistency() -> None:
    rng = random.Random(5)
    for _ in range(200):
        new = rng.randint(2, 70)
        old = rng.randint(1, new - 1)
        hashes = [leaf_hash(b"%d" % i) for i in range(new)]
        old_root = tree_hash(hashes[:old])
        changed = list(hashes)
        changed[rng.randrange(old)] = leaf_hash(b"forged")
        proof = consistency_proof(changed, old, new)
        with pytest.raises(ProofError):
            verify_consistency(old, new, old_root, tree_hash(changed), proof)
        removed = hashes[: old - 1] + hashes[old:]  # a leaf deleted, the rest moved up
        if old <= len(removed):
            with pytest.raises(ProofError):
                verify_consistency(
                    old, len(removed), old_root, tree_hash(removed),
                    consistency_proof(removed, old, len(removed)),
                )  # fmt: skip


def test_wrong_leaf_or_proof_fails_inclusion() -> None:
    hashes = [leaf_hash(b"%d" % i) for i in range(13)]
    root, proof = tree_hash(hashes), inclusion_proof(hashes, 5, 13)
    with pytest.raises(ProofError):
        verify_inclusion(5, 13, hashes[6], proof, root)
    with pytest.raises(ProofError):
        verify_inclusion(5, 13, hashes[5], proof[:-1], root)
    with pytest.raises(ProofError):
        verify_consistency(3, 13, tree_hash(hashes[:3]), root, [])
