"""Use cases of the e-waybill: open one, prepare a step to sign, accept a signed step, export.

A step is signed either here, with the owner's ledger key unlocked by the passphrase sent
with the request (and never kept), or by the owner itself (its agent or `supplymesh waybill
sign`), which sends the signature and its key's fingerprint. Either way the server rebuilds
the payload from its own record (index, previous hash, parties) and checks the signature
over it, so a signature made for another step or waybill does not verify and is refused.
Accepted steps are appended to the signer's ledger; with a passphrase the log's new head is
signed at once, otherwise the agent signs it through the ledger's endpoints.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from supplymesh.platform.errors import Conflict, NotFound, PermissionDenied, StaleVersion
from supplymesh.platform.uow import UnitOfWork
from supplymesh.trace.ledger import signing
from supplymesh.trace.ledger import store as ledger
from supplymesh.trace.model import LedgerKey, LedgerTreeHead, WrongPassphrase
from supplymesh.trace.waybill import rules
from supplymesh.trace.waybill.model import Waybill, WaybillStep
from supplymesh.trace.waybill.rules import GENESIS, ROLES, WaybillError


@dataclass(frozen=True)
class ClientSignature:
    """A step signed by its owner outside the platform."""

    signature: str
    key_fingerprint: str
    signed_at: str


def open_waybill(
    uow: UnitOfWork, carrier_id: int, consignee_id: int, reference: str | None = None
) -> Waybill:
    """Open a waybill shipped by the caller; every party must already have a ledger key,
    whose fingerprint the waybill's signatures will name for its whole life."""
    if not uow.ctx.can_write:
        raise PermissionDenied(f"role {uow.ctx.role!r} may not open waybills")
    keys = {
        role: ledger.key_of(uow, eid).key_id
        for role, eid in zip(ROLES, (uow.ctx.enterprise_id, carrier_id, consignee_id), strict=True)
    }
    waybill = Waybill(
        enterprise_id=uow.ctx.enterprise_id,
        carrier_enterprise_id=carrier_id,
        consignee_enterprise_id=consignee_id,
        number=str(uuid.uuid4()),
        reference=reference,
        state="draft",
        shipper_key_id=keys["shipper"],
        carrier_key_id=keys["carrier"],
        consignee_key_id=keys["consignee"],
        step_count=0,
        last_hash=GENESIS,
    )
    uow.add(waybill)
    uow.flush()
    return waybill


def get_waybill(uow: UnitOfWork, waybill_id: int) -> Waybill:
    """A waybill the caller is a party of (others are simply not found)."""
    waybill = uow.session.get(Waybill, waybill_id)
    if waybill is None:
        raise NotFound("waybill", waybill_id)
    return waybill


def list_waybills(uow: UnitOfWork, limit: int = 100, offset: int = 0) -> list[Waybill]:
    """The waybills the caller is a party of, newest first."""
    return list(
        uow.session.scalars(select(Waybill).order_by(Waybill.id.desc()).limit(limit).offset(offset))
    )


def steps_of(uow: UnitOfWork, waybill_id: int) -> list[WaybillStep]:
    """A waybill's signed steps in order."""
    return list(
        uow.session.scalars(
            select(WaybillStep)
            .where(WaybillStep.waybill_pk == waybill_id)
            .order_by(WaybillStep.step_index)
        )
    )


def parties_of(waybill: Waybill) -> dict[str, str]:
    """Role → key fingerprint, as fixed when the waybill was opened."""
    return {
        "shipper": waybill.shipper_key_id,
        "carrier": waybill.carrier_key_id,
        "consignee": waybill.consignee_key_id,
    }


def _party_ids(waybill: Waybill) -> dict[str, int]:
    return {
        "shipper": waybill.enterprise_id,
        "carrier": waybill.carrier_enterprise_id,
        "consignee": waybill.consignee_enterprise_id,
    }


def _unlock(key: LedgerKey, passphrase: str) -> Ed25519PrivateKey:
    """The enterprise's private key for this one call (as the ledger unlocks it for heads)."""
    if key.encrypted_private_pem is None:
        raise WaybillError("this enterprise keeps its key on its agent: send a signature")
    try:
        return signing.load_private_key(key.encrypted_private_pem.encode(), passphrase.encode())
    except (ValueError, TypeError) as exc:
        raise WrongPassphrase("the passphrase does not unlock the ledger key") from exc


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def to_sign(
    uow: UnitOfWork,
    waybill_id: int,
    kind: str,
    data: Mapping[str, Any],
    signed_at: str | None = None,
    expected_version: int | None = None,
) -> tuple[Waybill, dict[str, Any]]:
    """The payload the caller must sign for its next step (checked as a submission would be)."""
    waybill = get_waybill(uow, waybill_id)
    if expected_version is not None and expected_version != waybill.version:
        raise StaleVersion("waybill", waybill.number, expected_version, waybill.version)
    rules.next_state(waybill.state, kind)
    role = rules.OWNER[kind]
    if _party_ids(waybill)[role] != uow.ctx.enterprise_id:
        raise PermissionDenied(f"a {kind} step is signed by the {role} of waybill {waybill.number}")
    rules.check_data(kind, data)
    if signed_at is not None:
        try:
            datetime.fromisoformat(signed_at)
        except ValueError as exc:
            raise WaybillError(f"signed_at {signed_at!r} is not an RFC 3339 time") from exc
    p = rules.payload(
        waybill=waybill.number,
        index=waybill.step_count,
        kind=kind,
        prev=waybill.last_hash,
        parties=parties_of(waybill),
        signed_at=signed_at or _now(),
        data=data,
    )
    rules.signed_bytes(p)  # refuses what cannot be canonicalised before anyone signs it
    return waybill, p


def add_step(
    uow: UnitOfWork,
    waybill_id: int,
    kind: str,
    data: Mapping[str, Any],
    *,
    passphrase: str | None = None,
    client: ClientSignature | None = None,
    expected_version: int | None = None,
) -> WaybillStep:
    """Accept the caller's next step, signed here (passphrase) or by the caller (`client`)."""
    if (passphrase is None) == (client is None):
        raise WaybillError("send either a passphrase or a signature with its key fingerprint")
    signed_at = client.signed_at if client else None
    waybill, p = to_sign(uow, waybill_id, kind, data, signed_at, expected_version)
    key = ledger.key_of(uow, uow.ctx.enterprise_id)
    if key.key_id != p["signer"]:
        raise WaybillError(f"the ledger key {key.key_id[:16]}… is not the one the waybill names")
    message = rules.signed_bytes(p)
    if client is not None:
        if client.key_fingerprint != p["signer"]:
            raise WaybillError(
                f"key {client.key_fingerprint[:16]}… is not the {p['role']}'s key on this waybill"
            )
        signature = client.signature
        if not signing.verify(key.public_pem.encode(), message, signature):
            raise WaybillError(
                f"the signature does not verify for step {p['index']} ({kind}) of waybill "
                f"{waybill.number} under key {key.key_id[:16]}… (forged, or made for another step)"
            )
    else:
        assert passphrase is not None
        signature = signing.sign(_unlock(key, passphrase), message)
    reused = uow.session.scalar(select(WaybillStep).where(WaybillStep.signature == signature))
    if reused is not None:  # only reachable for a payload identical to one already signed
        raise Conflict(f"signature already used on step {reused.step_index} of a waybill")
    (index,) = ledger.append_entries(uow, [rules.ledger_entry(p, signature)])
    step = WaybillStep(
        enterprise_id=uow.ctx.enterprise_id,
        waybill_pk=waybill.id,
        shipper_enterprise_id=waybill.enterprise_id,
        carrier_enterprise_id=waybill.carrier_enterprise_id,
        consignee_enterprise_id=waybill.consignee_enterprise_id,
        step_index=p["index"],
        kind=kind,
        payload=p,
        signature=signature,
        key_id=key.key_id,
        step_hash=rules.step_hash(p, signature),
        ledger_index=index,
    )
    uow.add(step)
    waybill.state = rules.next_state(waybill.state, kind)
    waybill.step_count += 1
    waybill.last_hash = step.step_hash
    uow.flush()
    if passphrase is not None:
        ledger.sign_head(uow, passphrase)
    return step


# --- export -----------------------------------------------------------------------------------


def _covering_head(uow: UnitOfWork, enterprise_id: int, index: int) -> LedgerTreeHead | None:
    return uow.session.scalar(
        select(LedgerTreeHead)
        .where(LedgerTreeHead.enterprise_id == enterprise_id, LedgerTreeHead.tree_size > index)
        .order_by(LedgerTreeHead.tree_size.desc(), LedgerTreeHead.timestamp_ms.desc())
        .limit(1)
    )


def _ledger_proof(uow: UnitOfWork, step: WaybillStep) -> dict[str, Any] | None:
    head = _covering_head(uow, step.enterprise_id, step.ledger_index)
    if head is None:
        return None
    proof = ledger.inclusion_proof(uow, step.enterprise_id, step.ledger_index, head.tree_size)
    return {
        "index": step.ledger_index,
        "tree_size": head.tree_size,
        "proof": list(proof.path),
        "tree_head": ledger.head_value(head).to_json(),
    }


def export_bundle(uow: UnitOfWork, waybill_id: int) -> dict[str, Any]:
    """The offline bundle `supplymesh waybill verify` checks.

    The caller must be a party (the waybill is loaded through its scope). Proofs are then
    computed over the signers' logs with the system's view, because a party of the waybill
    is entitled to proofs of its steps even where it holds no grant on the signer's log;
    a proof carries only hashes, never other entries.
    """
    waybill = get_waybill(uow, waybill_id)
    steps = steps_of(uow, waybill_id)
    ids = _party_ids(waybill)
    with uow.db.system() as system:
        parties = {}
        for role, eid in ids.items():
            key = ledger.key_of(system, eid)
            parties[role] = {
                "enterprise_id": eid,
                "log_id": ledger.log_id_of(eid),
                "public_key": key.public_pem,
                "fingerprint": key.key_id,
            }
        proofs = [_ledger_proof(system, s) for s in steps]
    return {
        "format": rules.BUNDLE_FORMAT,
        "waybill": {
            "id": waybill.number,
            "reference": waybill.reference,
            "state": waybill.state,
            "parties": parties,
        },
        "steps": [
            {
                "index": s.step_index,
                "payload": s.payload,
                "signature": s.signature,
                "step_hash": s.step_hash,
                "ledger": proof,
            }
            for s, proof in zip(steps, proofs, strict=True)
        ],
    }
