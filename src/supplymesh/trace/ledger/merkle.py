"""RFC 6962 / RFC 9162 Merkle tree hashing, inclusion and consistency proofs.

Leaf hash = SHA-256(0x00 ‖ data), node hash = SHA-256(0x01 ‖ left ‖ right), empty tree =
SHA-256(""). Verification follows RFC 9162 sections 2.1.3.2 and 2.1.4.2 literally; like the
transparency-dev Go verifier it also insists on 32-byte hashes and rejects consistency "proofs"
from an empty tree, which prove nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof that does not verify, naming why."""


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 ‖ data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n ≥ 2): RFC 9162's k."""
    return 1 << ((n - 1).bit_length() - 1)


class MerkleTree:
    """An append-only tree over leaf hashes, keeping every complete aligned subtree's hash.

    Keeping the levels makes the root and any proof cost O(log n) hash look-ups instead of
    rehashing the leaves (about 2n hashes of memory: 64 MB for a million leaves).
    """

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = [[]]
        for h in leaf_hashes:
            self.append_hash(h)

    def __len__(self) -> int:
        return len(self.levels[0])

    def append(self, data: bytes) -> int:
        """Append a leaf's data; return its index."""
        return self.append_hash(leaf_hash(data))

    def append_hash(self, h: bytes) -> int:
        """Append an already hashed leaf; return its index."""
        index = len(self.levels[0])
        self.levels[0].append(h)
        level, i = 0, index
        while i & 1:  # the new leaf completes subtrees up the right edge
            left = self.levels[level][i - 1]
            if level + 1 == len(self.levels):
                self.levels.append([])
            self.levels[level + 1].append(node_hash(left, self.levels[level][i]))
            level, i = level + 1, i >> 1
        return index

    def _hash(self, lo: int, hi: int) -> bytes:
        n = hi - lo
        if n & (n - 1) == 0 and lo % n == 0:
            return self.levels[n.bit_length() - 1][lo // n]
        k = _split(n)
        return node_hash(self._hash(lo, lo + k), self._hash(lo + k, hi))

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first `size` leaves (default: all)."""
        size = len(self) if size is None else size
        if not 0 <= size <= len(self):
            raise ValueError(f"tree size {size} outside 0..{len(self)}")
        return EMPTY_ROOT if size == 0 else self._hash(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[0:size]), bottom-up."""
        size = len(self) if size is None else size
        if not 0 <= index < size <= len(self):
            raise ValueError(f"no leaf {index} in a tree of size {size}")
        proof: list[bytes] = []
        lo, hi = 0, size
        while hi - lo > 1:
            k = _split(hi - lo)
            if index - lo < k:
                proof.append(self._hash(lo + k, hi))
                hi = lo + k
            else:
                proof.append(self._hash(lo, lo + k))
                lo = lo + k
        return proof[::-1]

    def consistency_proof(self, size1: int, size2: int | None = None) -> list[bytes]:
        """PROOF(size1, D[0:size2]) per RFC 9162 2.1.4.1, bottom-up."""
        size2 = len(self) if size2 is None else size2
        if not 0 < size1 <= size2 <= len(self):
            raise ValueError(f"no consistency proof from size {size1} to {size2}")
        proof: list[bytes] = []
        m, lo, hi, whole = size1, 0, size2, True
        while m != hi - lo:
            k = _split(hi - lo)
            if m <= k:
                proof.append(self._hash(lo + k, hi))
                hi = lo + k
            else:
                proof.append(self._hash(lo, lo + k))
                m, lo, whole = m - k, lo + k, False
        if not whole:
            proof.append(self._hash(lo, hi))
        return proof[::-1]


def _check_sizes(*hashes: bytes) -> None:
    for h in hashes:
        if len(h) != HASH_SIZE:
            raise ProofError(f"hash of {len(h)} bytes, expected {HASH_SIZE}")


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root an inclusion proof implies (RFC 9162 2.1.3.2); raise if malformed."""
    _check_sizes(leaf, *proof)
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} outside a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    return r


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise `ProofError` unless `proof` shows leaf `index` in the tree of `size` with `root`."""
    _check_sizes(root)
    if root_from_inclusion_proof(index, size, leaf, proof) != root:
        raise ProofError("inclusion proof does not lead to the root")


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> None:
    """Raise `ProofError` unless `proof` shows tree `size1` is a prefix of tree `size2`."""
    if size1 <= 0:
        raise ProofError("consistency from an empty tree proves nothing")
    if size1 > size2:
        raise ProofError(f"size1 {size1} exceeds size2 {size2}")
    if size1 == size2:
        if proof:
            raise ProofError("equal sizes need an empty proof")
        if root1 != root2:
            raise ProofError("equal sizes but different roots")
        return  # like the Go verifier: equal roots, whatever their length
    _check_sizes(root1, root2, *proof)
    path = list(proof)
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    if not path:
        raise ProofError("empty consistency proof")
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if fr != root1:
        raise ProofError("consistency proof does not lead to root1")
    if sr != root2:
        raise ProofError("consistency proof does not lead to root2")


def is_valid_subtree(start: int, end: int) -> bool:
    """Whether [start, end) is a subtree in the sense of draft-ietf-plants-merkle-tree-certs.

    Valid when empty, or when start is a multiple of the smallest power of two ≥ end − start,
    so that the range lies inside one complete node of every tree that contains it.
    """
    width = end - start
    if width < 0:
        return False
    return width == 0 or start % (1 << (width - 1).bit_length()) == 0


def verify_subtree_inclusion(
    index: int, start: int, end: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise unless `proof` shows leaf `index` in subtree [start, end) with hash `root`.

    A subtree is itself the Merkle tree of D[start:end], so this is an RFC 9162 inclusion
    proof of index − start in a tree of end − start leaves.
    """
    if not is_valid_subtree(start, end) or not start <= index < end:
        raise ProofError(f"leaf {index} is not in a valid subtree [{start}, {end})")
    verify_inclusion(index - start, end - start, leaf, proof, root)


def verify_subtree_consistency(
    start: int, end: int, size: int, subtree_root: bytes, root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise unless `proof` shows subtree [start, end) hashing to `subtree_root` in tree `size`.

    RFC 9162's consistency check with the old tree replaced by the subtree: walking up from the
    subtree's last leaf, left siblings below the subtree's enclosing node also rebuild the
    subtree hash; those above it only the tree root (draft-ietf-plants-merkle-tree-certs).
    """
    if not 0 <= start <= end <= size or not is_valid_subtree(start, end):
        raise ProofError(f"[{start}, {end}) is no valid subtree of a tree of size {size}")
    if start == end:
        if proof or subtree_root != EMPTY_ROOT:
            raise ProofError("an empty subtree needs an empty proof and the empty hash")
        return
    if start == 0 and end == size:
        if proof or subtree_root != root:
            raise ProofError("the whole tree needs an empty proof and equal roots")
        return
    _check_sizes(subtree_root, root, *proof)
    width = end - start
    top = (width - 1).bit_length()  # level of the complete node enclosing the subtree
    fn, sn, level = end - 1, size - 1, 0
    path = list(proof)
    if width & (width - 1) == 0:
        path.insert(0, subtree_root)  # the subtree is itself a node of the tree
        fn, sn, level = fn >> top, sn >> top, top
    else:
        while fn & 1 and level < top:
            fn, sn, level = fn >> 1, sn >> 1, level + 1
    if not path:
        raise ProofError("empty subtree consistency proof")
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("subtree consistency proof is too long")
        if fn & 1 or fn == sn:
            while not fn & 1 and fn != 0:
                fn, sn, level = fn >> 1, sn >> 1, level + 1
            if level < top:
                fr = node_hash(c, fr)
            sr = node_hash(c, sr)
        else:
            sr = node_hash(sr, c)
        fn, sn, level = fn >> 1, sn >> 1, level + 1
    if sn != 0:
        raise ProofError("subtree consistency proof is too short")
    if fr != subtree_root:
        raise ProofError("proof does not lead to the subtree hash")
    if sr != root:
        raise ProofError("proof does not lead to the tree root")
