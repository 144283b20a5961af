"""RFC 6962/9162 vectors (transparency-dev/merkle) and our own small trees."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from supplymesh.trace.ledger.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    ProofError,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
    verify_subtree_consistency,
    verify_subtree_inclusion,
)
from tests.trace.shared_data import SHARED, absent

MERKLE = SHARED / "merkle"
TESTDATA = MERKLE / "transparency-dev-merkle" / "testdata"
REFERENCE = MERKLE / "rfc6962_reference_vectors.json"


def _probes(kind: str) -> list[Any]:
    folder = TESTDATA / kind
    if not folder.is_dir():
        return [absent(folder)]
    return [
        pytest.param(p, id=p.relative_to(folder).as_posix()) for p in sorted(folder.rglob("*.json"))
    ]


def _b64(values: list[str] | None) -> list[bytes]:
    return [base64.b64decode(v) for v in values or []]


@pytest.mark.parametrize("path", _probes("inclusion"))
def test_inclusion_probe(path: Path) -> None:
    c = json.loads(path.read_text())
    args = (c["leafIdx"], c["treeSize"], base64.b64decode(c["leafHash"]), _b64(c["proof"]))
    if c["wantErr"]:
        with pytest.raises(ProofError):
            verify_inclusion(*args, base64.b64decode(c["root"]))
    else:
        verify_inclusion(*args, base64.b64decode(c["root"]))


@pytest.mark.parametrize("path", _probes("consistency"))
def test_consistency_probe(path: Path) -> None:
    c = json.loads(path.read_text())
    args = (
        c["size1"],
        c["size2"],
        base64.b64decode(c["root1"]),
        base64.b64decode(c["root2"]),
        _b64(c["proof"]),
    )
    if c["wantErr"]:
        with pytest.raises(ProofError):
            verify_consistency(*args)
    else:
        verify_consistency(*args)


@pytest.mark.parametrize("path", _probes("subtreeinclusion"))
def test_subtree_inclusion_probe(path: Path) -> None:
    c = json.loads(path.read_text())
    args = (c["leafIdx"], c["start"], c["end"], base64.b64decode(c["leafHash"]), _b64(c["proof"]))
    if c["wantErr"]:
        with pytest.raises(ProofError):
            verify_subtree_inclusion(*args, base64.b64decode(c["root"]))
    else:
        verify_subtree_inclusion(*args, base64.b64decode(c["root"]))


@pytest.mark.parametrize("path", _probes("subtreeconsistency"))
def test_subtree_consistency_probe(path: Path) -> None:
    c = json.loads(path.read_text())
    args = (
        c["start"],
        c["end"],
        c["size"],
        base64.b64decode(c["root1"]),
        base64.b64decode(c["root2"]),
        _b64(c["proof"]),
    )
    if c["wantErr"]:
        with pytest.raises(ProofError):
            verify_subtree_consistency(*args)
    else:
        verify_subtree_consistency(*args)


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    if not REFERENCE.is_file():
        pytest.skip(f"shared data not available: {REFERENCE} is absent")
    data: dict[str, Any] = json.loads(REFERENCE.read_text())
    return data


@pytest.fixture(scope="module")
def reference_tree(reference: dict[str, Any]) -> MerkleTree:
    leaves = reference["reference_tree"]["leaf_inputs_hex"]
    return MerkleTree(leaf_hash(bytes.fromhex(x)) for x in leaves)


def test_hasher_vectors(reference: dict[str, Any]) -> None:
    for case in reference["hasher_vectors"]["cases"]:
        if case["op"] == "empty_root":
            got = EMPTY_ROOT
        elif case["op"] == "hash_leaf":
            got = leaf_hash(bytes.fromhex(case["input_hex"]))
        else:
            got = node_hash(case["left_ascii"].encode(), case["right_ascii"].encode())
        assert got.hex() == case["want"], case["desc"]


def test_reference_roots(reference: dict[str, Any], reference_tree: MerkleTree) -> None:
    roots = reference["reference_tree"]["root_hashes_by_tree_size"]
    for size, root in roots.items():
        assert reference_tree.root(int(size)).hex() == root


def test_reference_inclusion_proofs(reference: dict[str, Any], reference_tree: MerkleTree) -> None:
    roots = reference["reference_tree"]["root_hashes_by_tree_size"]
    for c in reference["inclusion_proofs"]["cases"]:
        proof = reference_tree.inclusion_proof(c["leaf_index"], c["tree_size"])
        assert [p.hex() for p in proof] == c["proof"]
        leaf = reference_tree.levels[0][c["leaf_index"]]
        verify_inclusion(
            c["leaf_index"], c["tree_size"], leaf, proof, bytes.fromhex(roots[str(c["tree_size"])])
        )


def test_reference_consistency_proofs(
    reference: dict[str, Any], reference_tree: MerkleTree
) -> None:
    roots = reference["reference_tree"]["root_hashes_by_tree_size"]
    for c in reference["consistency_proofs"]["cases"]:
        m, n = c["size1"], c["size2"]
        if m == 0:
            assert c["proof"] == []
            continue
        proof = reference_tree.consistency_proof(m, n)
        assert [p.hex() for p in proof] == c["proof"]
        verify_consistency(m, n, bytes.fromhex(roots[str(m)]), bytes.fromhex(roots[str(n)]), proof)


def test_roots_1_to_130_match_the_subtree_accumulator(reference: dict[str, Any]) -> None:
    """The draft's accumulated subtree-hash digest: every valid [start, end) root up to 130."""
    vectors = reference["accumulated_subtree_vectors"]
    n = vectors["leaf_count"]
    tree = MerkleTree(leaf_hash(bytes([i])) for i in range(n))
    acc = hashlib.sha256()
    for end in range(n + 1):
        for start in range(end + 1):
            width = end - start
            ceil = 1 << (width - 1).bit_length() if width > 1 else 1
            if not (start == 0 or start == end or start % ceil == 0):
                continue
            sub = MerkleTree(tree.levels[0][start:end])
            acc.update(f"[{start}, {end}) {sub.root().hex()}\n".encode())
    assert acc.hexdigest() == vectors["want"]["subtree_hash"]


def test_every_proof_of_a_small_tree_verifies_and_tampering_fails() -> None:
    tree = MerkleTree()
    for i in range(21):
        tree.append(f"event-{i}".encode())
    for size in range(1, 22):
        root = tree.root(size)
        for index in range(size):
            proof = tree.inclusion_proof(index, size)
            verify_inclusion(index, size, tree.levels[0][index], proof, root)
            if proof:
                with pytest.raises(ProofError):
                    verify_inclusion(index, size, tree.levels[0][index], proof[:-1], root)
        for size1 in range(1, size + 1):
            proof = tree.consistency_proof(size1, size)
            verify_consistency(size1, size, tree.root(size1), root, proof)
            if proof:
                bad = [bytes(32), *proof[1:]]
                with pytest.raises(ProofError):
                    verify_consistency(size1, size, tree.root(size1), root, bad)


def test_empty_tree_root_is_sha256_of_nothing() -> None:
    assert MerkleTree().root() == hashlib.sha256(b"").digest()


def test_well_known_rfc6962_hashes_without_shared_data() -> None:
    # Constants from the RFC 6962 test suites (also in the shared vectors' hasher block).
    assert leaf_hash(b"").hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    assert leaf_hash(b"L123456").hex() == (
        "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
    )
