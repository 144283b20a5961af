"""Use cases of the ledger: build a log, sign its heads, export a bundle, verify one offline.

Verification trusts nothing in the bundle but the signatures (and, when given, a pinned key):
it recomputes every leaf from the canonical entry, checks every signed tree head's root over
the recorded leaf hashes, then compares entries to recorded hashes to name the first changed,
removed, inserted or reordered entry.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from supplymesh.trace.ledger import signing
from supplymesh.trace.ledger.merkle import MerkleTree, leaf_hash
from supplymesh.trace.ledger.model import (
    BUNDLE_FORMAT,
    Finding,
    LedgerError,
    TreeHead,
    canonical_json,
)


class LedgerLog:
    """One enterprise's append-only event log with its signed tree heads (in memory)."""

    def __init__(self, log_id: str, public_pem: bytes) -> None:
        self.log_id = log_id
        self.public_pem = public_pem
        self.entries: list[object] = []
        self.tree = MerkleTree()
        self.tree_heads: list[TreeHead] = []
        self.witness_keys: dict[str, str] = {}

    def append(self, event: object) -> int:
        """Add an event (JSON-able, no floats); return its index."""
        index = self.tree.append(canonical_json(event))
        self.entries.append(event)
        return index

    def sign_head(self, key: Ed25519PrivateKey, timestamp_ms: int | None = None) -> TreeHead:
        """Sign the current size and root with the enterprise's key and keep the head."""
        if signing.public_pem(key.public_key()) != self.public_pem:
            raise LedgerError(f"the key does not belong to log {self.log_id}")
        head = TreeHead(
            self.log_id,
            len(self.tree),
            self.tree.root().hex(),
            int(time.time() * 1000) if timestamp_ms is None else timestamp_ms,
        )
        head = TreeHead(
            head.log_id,
            head.tree_size,
            head.root_hash,
            head.timestamp_ms,
            signature=signing.sign(key, head.signed_bytes()),
        )
        self.tree_heads.append(head)
        return head

    def bundle(self) -> dict[str, object]:
        """The export form: entries, recorded leaf hashes, signed heads, public key."""
        return {
            "format": BUNDLE_FORMAT,
            "log_id": self.log_id,
            "public_key": self.public_pem.decode(),
            "entries": list(self.entries),
            "leaf_hashes": [h.hex() for h in self.tree.levels[0]],
            "tree_heads": [h.to_json() for h in self.tree_heads],
            "witness_keys": dict(self.witness_keys),
        }

    def add_witnessed_head(self, head: TreeHead, witness_public_pem: bytes) -> None:
        """Replace our copy of a head by the one a witness co-signed, and keep its key."""
        self.witness_keys[signing.key_id(witness_public_pem)] = witness_public_pem.decode()
        self.tree_heads = [
            head
            if (h.tree_size, h.root_hash, h.timestamp_ms)
            == (head.tree_size, head.root_hash, head.timestamp_ms)
            else h
            for h in self.tree_heads
        ]


def witness_head(head: TreeHead, key: Ed25519PrivateKey) -> TreeHead:
    """Co-sign a tree head another enterprise's log published (the witness sees no entries)."""
    kid = signing.key_id(signing.public_pem(key.public_key()))
    sig = signing.sign(key, head.signed_bytes())
    return TreeHead(
        head.log_id,
        head.tree_size,
        head.root_hash,
        head.timestamp_ms,
        head.signature,
        (*head.witnesses, (kid, sig)),
    )


def _classify(entry_hashes: Sequence[bytes], recorded: Sequence[bytes]) -> Finding | None:
    n = min(len(entry_hashes), len(recorded))
    first = next((i for i in range(n) if entry_hashes[i] != recorded[i]), None)
    if first is None:
        if len(entry_hashes) < len(recorded):
            return Finding(False, len(entry_hashes), 0, n, "delete", f"entry {n} was removed")
        if len(entry_hashes) > len(recorded):
            return Finding(False, len(entry_hashes), 0, n, "insert", f"entry {n} was added")
        return None
    h = entry_hashes[first]
    where = {r: j for j, r in enumerate(recorded)}
    if len(entry_hashes) < len(recorded) and h == recorded[first + 1]:
        kind, msg = "delete", f"entry {first} was removed"
    elif (
        len(entry_hashes) > len(recorded)
        and first + 1 < len(entry_hashes)
        and (entry_hashes[first + 1] == recorded[first])
    ):
        kind, msg = "insert", f"an entry was inserted at {first}"
    elif h in where and where[h] != first:
        kind, msg = "reorder", f"entry {first} holds what was entry {where[h]}"
    else:
        kind, msg = "edit", f"entry {first} was changed"
    return Finding(False, len(entry_hashes), 0, first, kind, msg)


def verify_bundle(bundle: dict[str, object], trusted_key_pem: bytes | None = None) -> Finding:
    """Check a bundle offline; the first problem found is reported (see `Finding`)."""
    try:
        if bundle.get("format") != BUNDLE_FORMAT:
            raise LedgerError(f"not a {BUNDLE_FORMAT} bundle")
        entries = bundle["entries"]
        recorded_hex = bundle["leaf_hashes"]
        heads_json = bundle["tree_heads"]
        pem = str(bundle["public_key"]).encode()
        assert isinstance(entries, list) and isinstance(recorded_hex, list)
        assert isinstance(heads_json, list)
        heads = [TreeHead.from_json(h) for h in heads_json]
        witness_keys = bundle.get("witness_keys") or {}
        assert isinstance(witness_keys, dict)
        recorded = [bytes.fromhex(str(h)) for h in recorded_hex]
    except (KeyError, AssertionError, ValueError, TypeError) as exc:
        raise LedgerError(f"malformed bundle: {exc}") from exc
    n = len(entries)
    counts = {"entries": n, "tree_heads": len(heads)}

    def bad(index: int | None, kind: str, message: str) -> Finding:
        return Finding(False, n, len(heads), index, kind, message)

    try:
        signing.load_public_key(pem)
    except ValueError:
        return bad(0, "key", "the bundle's public key is not an Ed25519 key")
    if trusted_key_pem is not None and signing.key_id(trusted_key_pem) != signing.key_id(pem):
        return bad(0, "key", "the bundle is signed with another key than the trusted one")
    if heads and not any(signing.verify(pem, h.signed_bytes(), h.signature) for h in heads):
        return bad(0, "key", "no tree head verifies under the bundle's key (key replaced)")
    tree = MerkleTree(recorded)
    previous = 0
    for h in heads:
        if not signing.verify(pem, h.signed_bytes(), h.signature):
            return bad(previous, "signature", f"tree head of size {h.tree_size} is not signed")
        for kid, signature in h.witnesses:
            witness_pem = witness_keys.get(kid)
            if witness_pem is None or not signing.verify(
                str(witness_pem).encode(), h.signed_bytes(), signature
            ):
                return bad(previous, "witness", f"bad witness {kid[:12]} on size {h.tree_size}")
        if h.tree_size < previous or h.tree_size > len(recorded):
            return bad(previous, "consistency", f"tree head of size {h.tree_size} out of order")
        if tree.root(h.tree_size).hex() != h.root_hash:
            return bad(
                previous,
                "tree_head",
                f"leaf hashes before {h.tree_size} do not match the signed root",
            )
        previous = h.tree_size
    if previous < len(recorded):
        return bad(previous, "insert", f"entries from {previous} are not under a signed head")
    entry_hashes = []
    for e in entries:
        try:
            entry_hashes.append(leaf_hash(canonical_json(e)))
        except LedgerError:
            entry_hashes.append(b"")
    finding = _classify(entry_hashes, recorded)
    if finding is not None:
        return Finding(False, n, len(heads), finding.first_bad_index, finding.kind, finding.message)
    return Finding(True, counts["entries"], counts["tree_heads"], message="all entries verified")


def load_bundle(path: Path) -> dict[str, object]:
    """Read a bundle file; raise `LedgerError` when it is not a JSON object."""
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise LedgerError(f"cannot read bundle {path}: {exc}") from exc
    if not isinstance(obj, dict):
        raise LedgerError(f"bundle {path} is not a JSON object")
    return obj
