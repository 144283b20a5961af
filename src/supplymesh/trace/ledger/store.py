"""Each enterprise's ledger in the database: append, sign heads, prove, witness, export.

The log's size lives in one `ledger_logs` row bumped by ``UPDATE … RETURNING`` before the
leaves are written, so concurrent appenders take disjoint index ranges on both backends (the
unique (enterprise, index) constraint backs it up). The private key is stored only encrypted
with the enterprise's passphrase, which arrives with the request that signs and is never
kept: the operator holding the database cannot sign a head alone. An enterprise may instead
keep its key on its own agent and send signatures over `head_to_sign`.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from supplymesh.platform.db import utcnow
from supplymesh.platform.errors import PermissionDenied
from supplymesh.platform.uow import UnitOfWork
from supplymesh.trace.ledger import signing
from supplymesh.trace.ledger.merkle import (
    MerkleTree,
    ProofError,
    leaf_hash,
    verify_consistency,
)
from supplymesh.trace.ledger.model import BUNDLE_FORMAT, TreeHead, canonical_json
from supplymesh.trace.model import (
    LedgerKey,
    LedgerKeyExists,
    LedgerKeyMissing,
    LedgerLeaf,
    LedgerLog,
    LedgerTreeHead,
    LedgerWitness,
    TraceError,
    WrongPassphrase,
)


def log_id_of(enterprise_id: int) -> str:
    """The stable name of an enterprise's log, part of every signed head."""
    return f"supplymesh:enterprise:{enterprise_id}"


# --- appending --------------------------------------------------------------------------------


def _bump(uow: UnitOfWork, enterprise_id: int, n: int) -> int | None:
    stmt = (
        update(LedgerLog)
        .where(LedgerLog.enterprise_id == enterprise_id)
        .values(size=LedgerLog.size + n)
        .returning(LedgerLog.size)
        .execution_options(synchronize_session=False)
    )
    return uow.session.execute(stmt).scalar_one_or_none()


def append_entries(uow: UnitOfWork, entries: Sequence[dict[str, Any]]) -> list[int]:
    """Append entries (JSON objects, no floats) to the caller's log; return their indexes."""
    if not entries:
        return []
    if not uow.ctx.can_write:
        raise PermissionDenied(f"role {uow.ctx.role!r} may not append to the ledger")
    enterprise_id, now = uow.ctx.enterprise_id, utcnow()
    new_size = _bump(uow, enterprise_id, len(entries))
    if new_size is None:
        try:
            with uow.session.begin_nested():
                uow.session.add(LedgerLog(log_id=log_id_of(enterprise_id), size=0))
        except IntegrityError:
            pass  # another transaction created it first: it is there now
        new_size = _bump(uow, enterprise_id, len(entries))
        assert new_size is not None
    first = new_size - len(entries)
    uow.session.info["ledger_appended"] = True
    # A bulk INSERT, not ORM objects: leaves are no news to webhook subscribers (the
    # captured event is), and the outbox row per leaf would double the cost of an append.
    uow.session.execute(
        insert(LedgerLeaf),
        [
            {
                "enterprise_id": enterprise_id,
                "leaf_index": first + i,
                "leaf_hash": leaf_hash(canonical_json(entry)).hex(),
                "entry": entry,
                "created_at": now,
            }
            for i, entry in enumerate(entries)
        ],
    )
    return list(range(first, new_size))


def log_size(uow: UnitOfWork, enterprise_id: int) -> int:
    """Committed size of an enterprise's log (0 when it has none)."""
    size = uow.session.scalar(
        select(LedgerLog.size).where(LedgerLog.enterprise_id == enterprise_id)
    )
    return int(size or 0)


_TREES: OrderedDict[tuple[str, int], MerkleTree] = OrderedDict()
_TREES_KEPT = 64


def tree(uow: UnitOfWork, enterprise_id: int, size: int | None = None) -> MerkleTree:
    """The Merkle tree over the recorded leaf hashes, at least the first `size` (default: all).

    Committed leaves never change, so each process keeps the trees it built (a few dozen
    logs) and reads only the leaves added since; a session that appended itself reads
    everything, so leaves that may yet be rolled back never enter the cache.
    """
    size = log_size(uow, enterprise_id) if size is None else size
    appended = bool(uow.session.info.get("ledger_appended"))
    key = (uow.db.engine.url.render_as_string(hide_password=True), enterprise_id)
    cached = None if appended else _TREES.get(key)
    t = cached if cached is not None else MerkleTree()
    if len(t) < size:
        hashes = uow.session.scalars(
            select(LedgerLeaf.leaf_hash)
            .where(
                LedgerLeaf.enterprise_id == enterprise_id,
                LedgerLeaf.leaf_index >= len(t),
                LedgerLeaf.leaf_index < size,
            )
            .order_by(LedgerLeaf.leaf_index)
        ).all()
        if len(t) + len(hashes) != size:
            raise TraceError(
                f"log of enterprise {enterprise_id} has {len(t) + len(hashes)} visible leaves,"
                f" expected {size}"
            )
        for h in hashes:
            t.append_hash(bytes.fromhex(h))
    if not appended:
        _TREES[key] = t
        _TREES.move_to_end(key)
        while len(_TREES) > _TREES_KEPT:
            _TREES.popitem(last=False)
    return t


# --- keys and heads ---------------------------------------------------------------------------


def key_of(uow: UnitOfWork, enterprise_id: int) -> LedgerKey:
    """An enterprise's signing key row; `LedgerKeyMissing` when it has none."""
    key = uow.session.scalar(select(LedgerKey).where(LedgerKey.enterprise_id == enterprise_id))
    if key is None:
        raise LedgerKeyMissing("ledger key of enterprise", enterprise_id)
    return key


def create_key(
    uow: UnitOfWork, passphrase: str | None = None, public_pem: str | None = None
) -> LedgerKey:
    """Give the caller's log its key: generated and encrypted with `passphrase`, or the
    public half of a key the enterprise keeps on its agent. One key per log."""
    if uow.session.scalar(
        select(LedgerKey.id).where(LedgerKey.enterprise_id == uow.ctx.enterprise_id)
    ):
        raise LedgerKeyExists(f"enterprise {uow.ctx.enterprise_id} already has a ledger key")
    if (passphrase is None) == (public_pem is None):
        raise TraceError("give either a passphrase (key kept here, encrypted) or a public key")
    if passphrase is not None:
        if len(passphrase) < 8:
            raise TraceError("a ledger passphrase needs at least 8 characters")
        private_pem, public = signing.generate_key(passphrase.encode())
        key = LedgerKey(
            key_id=signing.key_id(public),
            public_pem=public.decode(),
            encrypted_private_pem=private_pem.decode(),
            on_agent=False,
        )
    else:
        assert public_pem is not None
        try:
            kid = signing.key_id(public_pem.encode())
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise TraceError(f"not an Ed25519 public key PEM: {exc}") from exc
        key = LedgerKey(
            key_id=kid, public_pem=public_pem, encrypted_private_pem=None, on_agent=True
        )
    uow.add(key)
    uow.flush()
    return key


def _private_key(key: LedgerKey, passphrase: str) -> Any:
    if key.encrypted_private_pem is None:
        raise TraceError("this enterprise keeps its key on its agent: send a signature")
    try:
        return signing.load_private_key(key.encrypted_private_pem.encode(), passphrase.encode())
    except (ValueError, TypeError) as exc:
        raise WrongPassphrase("the passphrase does not unlock the ledger key") from exc


def latest_head(uow: UnitOfWork, enterprise_id: int) -> LedgerTreeHead | None:
    """The newest signed head of an enterprise's log."""
    return uow.session.scalar(
        select(LedgerTreeHead)
        .where(LedgerTreeHead.enterprise_id == enterprise_id)
        .order_by(LedgerTreeHead.tree_size.desc(), LedgerTreeHead.timestamp_ms.desc())
        .limit(1)
    )


def head_to_sign(uow: UnitOfWork, timestamp_ms: int | None = None) -> TreeHead:
    """The unsigned head of the caller's log now (what an agent signs)."""
    eid = uow.ctx.enterprise_id
    size = log_size(uow, eid)
    root = tree(uow, eid, size).root(size)
    ts = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    return TreeHead(log_id_of(eid), size, root.hex(), ts)


def _check_extends(uow: UnitOfWork, t: MerkleTree, head: TreeHead) -> None:
    """Refuse to sign a root that does not extend the last signed one (damaged leaves)."""
    previous = latest_head(uow, uow.ctx.enterprise_id)
    if previous is None or previous.tree_size == 0:
        return
    if head.tree_size < previous.tree_size or head.timestamp_ms < previous.timestamp_ms:
        raise TraceError(f"head {head.tree_size}@{head.timestamp_ms} is older than the last one")
    try:
        verify_consistency(
            previous.tree_size,
            head.tree_size,
            bytes.fromhex(previous.root_hash),
            bytes.fromhex(head.root_hash),
            t.consistency_proof(previous.tree_size, head.tree_size),
        )
    except ProofError as exc:
        raise TraceError(f"the log no longer extends its last signed head: {exc}") from exc


def _store_head(uow: UnitOfWork, head: TreeHead, key: LedgerKey) -> LedgerTreeHead:
    row = LedgerTreeHead(
        tree_size=head.tree_size,
        root_hash=head.root_hash,
        timestamp_ms=head.timestamp_ms,
        signature=head.signature,
        key_id=key.key_id,
    )
    uow.add(row)
    uow.flush()
    return row


def sign_head(uow: UnitOfWork, passphrase: str, timestamp_ms: int | None = None) -> LedgerTreeHead:
    """Sign the caller's current head with its key, unlocked by `passphrase` for this call."""
    key = key_of(uow, uow.ctx.enterprise_id)
    private = _private_key(key, passphrase)
    eid = uow.ctx.enterprise_id
    size = log_size(uow, eid)
    t = tree(uow, eid, size)
    ts = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    head = TreeHead(log_id_of(eid), size, t.root(size).hex(), ts)
    _check_extends(uow, t, head)
    signed = TreeHead(*_fields(head), signature=signing.sign(private, head.signed_bytes()))
    return _store_head(uow, signed, key)


def submit_signed_head(
    uow: UnitOfWork, tree_size: int, timestamp_ms: int, signature: str
) -> LedgerTreeHead:
    """Store a head the enterprise's agent signed; the signature must verify under its key."""
    key = key_of(uow, uow.ctx.enterprise_id)
    eid = uow.ctx.enterprise_id
    size = log_size(uow, eid)
    if not 0 <= tree_size <= size:
        raise TraceError(f"tree size {tree_size} outside the log (size {size})")
    t = tree(uow, eid, tree_size)
    head = TreeHead(log_id_of(eid), tree_size, t.root(tree_size).hex(), timestamp_ms, signature)
    if not signing.verify(key.public_pem.encode(), head.signed_bytes(), signature):
        raise WrongPassphrase("the signature does not verify under the enterprise's ledger key")
    _check_extends(uow, t, head)
    return _store_head(uow, head, key)


def _fields(head: TreeHead) -> tuple[str, int, str, int]:
    return head.log_id, head.tree_size, head.root_hash, head.timestamp_ms


def head_value(row: LedgerTreeHead) -> TreeHead:
    """The signed-head value of a stored head row (no witnesses)."""
    return TreeHead(
        log_id_of(row.enterprise_id), row.tree_size, row.root_hash, row.timestamp_ms, row.signature
    )


def witnesses_of(uow: UnitOfWork, head_id: int) -> list[LedgerWitness]:
    """The co-signatures of a head the caller may see (the log's owner sees them all)."""
    return list(uow.session.scalars(select(LedgerWitness).where(LedgerWitness.head_pk == head_id)))


# --- proofs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class InclusionProof:
    """Leaf `index` in the tree of `tree_size` leaves: its hash, the path and the root."""

    index: int
    tree_size: int
    leaf_hash: str
    root_hash: str
    path: tuple[str, ...]


@dataclass(frozen=True)
class ConsistencyProof:
    """Tree `first` is a prefix of tree `second`: both roots and the proof."""

    first: int
    second: int
    first_root: str
    second_root: str
    path: tuple[str, ...]


def inclusion_proof(
    uow: UnitOfWork, enterprise_id: int, index: int, tree_size: int
) -> InclusionProof:
    """RFC 9162 inclusion proof of a leaf of an enterprise's log (own or a partner's)."""
    t = tree(uow, enterprise_id)
    try:
        path = t.inclusion_proof(index, tree_size)
    except ValueError as exc:
        raise TraceError(str(exc)) from exc
    return InclusionProof(
        index,
        tree_size,
        t.levels[0][index].hex(),
        t.root(tree_size).hex(),
        tuple(p.hex() for p in path),
    )


def consistency_proof(
    uow: UnitOfWork, enterprise_id: int, first: int, second: int
) -> ConsistencyProof:
    """RFC 9162 consistency proof between two sizes of an enterprise's log."""
    t = tree(uow, enterprise_id)
    try:
        path = t.consistency_proof(first, second)
    except ValueError as exc:
        raise TraceError(str(exc)) from exc
    return ConsistencyProof(
        first,
        second,
        t.root(first).hex(),
        t.root(second).hex(),
        tuple(p.hex() for p in path),
    )


# --- witnesses --------------------------------------------------------------------------------


def witness(
    uow: UnitOfWork,
    log_enterprise_id: int,
    tree_size: int,
    root_hash: str,
    timestamp_ms: int,
    passphrase: str,
    consistency: Sequence[str] = (),
) -> LedgerWitness:
    """Co-sign another enterprise's head the caller has seen.

    The head must be signed by that log's key, and must extend the last head of that log the
    caller witnessed: `consistency` is the proof from that head (fetched from the proofs
    endpoint and checked here, so a forked history is refused).
    """
    if log_enterprise_id == uow.ctx.enterprise_id:
        raise TraceError("an enterprise cannot witness its own log")
    row = uow.session.scalar(
        select(LedgerTreeHead).where(
            LedgerTreeHead.enterprise_id == log_enterprise_id,
            LedgerTreeHead.tree_size == tree_size,
            LedgerTreeHead.root_hash == root_hash,
            LedgerTreeHead.timestamp_ms == timestamp_ms,
        )
    )
    if row is None:
        raise TraceError(f"no such head {tree_size}/{root_hash[:12]} of {log_enterprise_id}")
    head = head_value(row)
    log_key = key_of(uow, log_enterprise_id)
    if not signing.verify(log_key.public_pem.encode(), head.signed_bytes(), head.signature):
        raise TraceError("the head is not signed by the log's key")
    previous = uow.session.scalar(
        select(LedgerTreeHead)
        .join(LedgerWitness, LedgerWitness.head_pk == LedgerTreeHead.id)
        .where(
            LedgerWitness.enterprise_id == uow.ctx.enterprise_id,
            LedgerTreeHead.enterprise_id == log_enterprise_id,
        )
        .order_by(LedgerTreeHead.tree_size.desc())
        .limit(1)
    )
    if previous is not None and previous.tree_size > 0:
        try:
            verify_consistency(
                previous.tree_size,
                tree_size,
                bytes.fromhex(previous.root_hash),
                bytes.fromhex(root_hash),
                [bytes.fromhex(p) for p in consistency],
            )
        except (ProofError, ValueError) as exc:
            raise TraceError(
                f"head {tree_size} does not extend witnessed head {previous.tree_size}: {exc}"
            ) from exc
    own = key_of(uow, uow.ctx.enterprise_id)
    private = _private_key(own, passphrase)
    cosig = LedgerWitness(
        partner_enterprise_id=log_enterprise_id,
        head_pk=row.id,
        key_id=own.key_id,
        signature=signing.sign(private, head.signed_bytes()),
    )
    uow.add(cosig)
    uow.flush()
    return cosig


# --- export -----------------------------------------------------------------------------------


def export_bundle(uow: UnitOfWork, enterprise_id: int) -> dict[str, object]:
    """The offline bundle `ledger verify` checks: entries up to the last signed head."""
    key = key_of(uow, enterprise_id)
    heads = uow.session.scalars(
        select(LedgerTreeHead)
        .where(LedgerTreeHead.enterprise_id == enterprise_id)
        .order_by(LedgerTreeHead.tree_size, LedgerTreeHead.timestamp_ms)
    ).all()
    signed_size = heads[-1].tree_size if heads else 0
    leaves = uow.session.scalars(
        select(LedgerLeaf)
        .where(LedgerLeaf.enterprise_id == enterprise_id, LedgerLeaf.leaf_index < signed_size)
        .order_by(LedgerLeaf.leaf_index)
    ).all()
    cosigs = uow.session.scalars(
        select(LedgerWitness).where(LedgerWitness.partner_enterprise_id == enterprise_id)
    ).all()
    by_head: dict[int, list[tuple[str, str]]] = {}
    for c in cosigs:
        by_head.setdefault(c.head_pk, []).append((c.key_id, c.signature))
    witness_ids = {c.key_id for c in cosigs}
    witness_keys = {
        k.key_id: k.public_pem
        for k in uow.session.scalars(select(LedgerKey).where(LedgerKey.key_id.in_(witness_ids)))
    }
    return {
        "format": BUNDLE_FORMAT,
        "log_id": log_id_of(enterprise_id),
        "public_key": key.public_pem,
        "entries": [leaf.entry for leaf in leaves],
        "leaf_hashes": [leaf.leaf_hash for leaf in leaves],
        "tree_heads": [
            TreeHead(*_fields(head_value(h)), h.signature, tuple(by_head.get(h.id, ()))).to_json()
            for h in heads
        ],
        "witness_keys": witness_keys,
        "unsigned_entries": log_size(uow, enterprise_id) - signed_size,
    }
