"""Ledger values: canonical events, signed tree heads, bundles and verification findings."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from supplymesh.platform.errors import DomainError

BUNDLE_FORMAT = "supplymesh-ledger-bundle/1"


class LedgerError(DomainError):
    """A ledger bundle or key that cannot be used at all (malformed, wrong passphrase)."""


def canonical_json(event: object) -> bytes:
    """Canonical bytes of an event: sorted keys, no spaces, UTF-8 (leaf data of the log).

    JSON canonicalisation à la RFC 8785 for the values events carry (strings, integers,
    decimals as strings); floats are refused because their text form is not canonical.
    """

    def no_floats(value: object) -> None:
        if isinstance(value, float):
            raise LedgerError("events carry decimals as strings, not floats")
        if isinstance(value, dict):
            for v in value.values():
                no_floats(v)
        elif isinstance(value, list):
            for v in value:
                no_floats(v)

    no_floats(event)
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class TreeHead:
    """A signed tree head: the log's size and root at a moment, signed by the log's key."""

    log_id: str
    tree_size: int
    root_hash: str
    timestamp_ms: int
    signature: str = ""
    witnesses: tuple[tuple[str, str], ...] = ()  # (witness key id, signature)

    def signed_bytes(self) -> bytes:
        """What the log key and witnesses sign: a fixed, versioned text form."""
        return (
            f"supplymesh-sth/1\n{self.log_id}\n{self.tree_size}\n"
            f"{self.root_hash}\n{self.timestamp_ms}\n"
        ).encode()

    def to_json(self) -> dict[str, object]:
        """The bundle form."""
        return {
            "log_id": self.log_id,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "timestamp_ms": self.timestamp_ms,
            "signature": self.signature,
            "witnesses": [{"key_id": k, "signature": s} for k, s in self.witnesses],
        }

    @classmethod
    def from_json(cls, obj: dict[str, object]) -> TreeHead:
        """Parse the bundle form; raise `LedgerError` on a malformed head."""
        try:
            witnesses = obj.get("witnesses") or []
            assert isinstance(witnesses, list)
            size, ts = obj["tree_size"], obj["timestamp_ms"]
            assert isinstance(size, int) and isinstance(ts, int)
            return cls(
                log_id=str(obj["log_id"]),
                tree_size=size,
                root_hash=str(obj["root_hash"]),
                timestamp_ms=ts,
                signature=str(obj["signature"]),
                witnesses=tuple((str(w["key_id"]), str(w["signature"])) for w in witnesses),
            )
        except (KeyError, AssertionError, TypeError) as exc:
            raise LedgerError(f"malformed tree head: {obj!r}") from exc


@dataclass(frozen=True)
class Finding:
    """The verdict on a bundle: ok, or the first bad entry index and the kind of tampering.

    `kind` is one of: edit, delete, reorder, insert, key, signature, tree_head, consistency,
    witness; `first_bad_index` is the first log index that cannot be vouched for.
    """

    ok: bool
    entries: int
    tree_heads: int
    first_bad_index: int | None = None
    kind: str | None = None
    message: str = ""
    details: dict[str, object] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        """The `ledger verify --json` shape."""
        return {
            "ok": self.ok,
            "entries": self.entries,
            "tree_heads": self.tree_heads,
            "first_bad_index": self.first_bad_index,
            "kind": self.kind,
            "message": self.message,
        }
