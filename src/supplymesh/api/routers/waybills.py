"""E-waybill routes: open a waybill, fetch the payload to sign, submit signed steps, export.

Only the waybill's shipper, carrier and consignee see it; each submits only the steps its
role owns, signed here with its passphrase or signed by itself (signature + fingerprint).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from supplymesh.api.deps import UowDep
from supplymesh.platform.errors import invalid
from supplymesh.platform.types import MAX_INT
from supplymesh.trace.waybill import services
from supplymesh.trace.waybill.model import Waybill, WaybillStep
from supplymesh.trace.waybill.rules import signed_bytes

router = APIRouter(prefix="/api/v1/waybills", tags=["waybills"])

Id = Annotated[int, Field(ge=1, le=MAX_INT)]
WaybillId = Annotated[int, Path(ge=1, le=MAX_INT)]
Kind = Annotated[str, Field(pattern="^[a-z]{2,20}$")]


class WaybillOpen(BaseModel):
    """The carrier and consignee of a waybill the caller ships."""

    carrier_enterprise_id: Id
    consignee_enterprise_id: Id
    reference: str | None = Field(default=None, max_length=120)


class StepDraft(BaseModel):
    """A step the caller wants to sign: its kind and data (quantities as decimal strings)."""

    kind: Kind
    data: dict[str, Any] = Field(default_factory=dict)
    signed_at: str | None = Field(default=None, max_length=40)
    version: int | None = Field(default=None, ge=1, le=MAX_INT)


class StepSubmit(StepDraft):
    """Sign here with `passphrase`, or send the `signature` over the payload of `to-sign`
    with the signing key's fingerprint and the `signed_at` used in that payload."""

    passphrase: str | None = Field(default=None, max_length=200)
    signature: str | None = Field(default=None, max_length=100)
    key_fingerprint: str | None = Field(default=None, pattern="^[0-9a-f]{64}$")


def _waybill_json(w: Waybill, steps: list[WaybillStep] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": w.id,
        "number": w.number,
        "reference": w.reference,
        "state": w.state,
        "version": w.version,
        "shipper_enterprise_id": w.enterprise_id,
        "carrier_enterprise_id": w.carrier_enterprise_id,
        "consignee_enterprise_id": w.consignee_enterprise_id,
        "parties": services.parties_of(w),
        "step_count": w.step_count,
        "last_hash": w.last_hash,
    }
    if steps is not None:
        body["steps"] = [_step_json(s) for s in steps]
    return body


def _step_json(s: WaybillStep) -> dict[str, Any]:
    return {
        "index": s.step_index,
        "kind": s.kind,
        "signer_enterprise_id": s.enterprise_id,
        "payload": s.payload,
        "signature": s.signature,
        "key_fingerprint": s.key_id,
        "step_hash": s.step_hash,
        "ledger_index": s.ledger_index,
    }


@router.post("", status_code=201)
def open_waybill(payload: WaybillOpen, uow: UowDep) -> dict[str, Any]:
    """Open a waybill you ship (every party needs a ledger key first)."""
    w = services.open_waybill(
        uow, payload.carrier_enterprise_id, payload.consignee_enterprise_id, payload.reference
    )
    uow.commit()
    return _waybill_json(w, [])


@router.get("")
def list_waybills(
    uow: UowDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
) -> dict[str, Any]:
    """The waybills you are shipper, carrier or consignee of."""
    return {"items": [_waybill_json(w) for w in services.list_waybills(uow, limit, offset)]}


@router.get("/{waybill_id}")
def get_waybill(waybill_id: WaybillId, uow: UowDep) -> dict[str, Any]:
    """A waybill with its signed steps."""
    w = services.get_waybill(uow, waybill_id)
    return _waybill_json(w, services.steps_of(uow, waybill_id))


@router.post("/{waybill_id}/steps/to-sign")
def step_to_sign(waybill_id: WaybillId, draft: StepDraft, uow: UowDep) -> dict[str, Any]:
    """The exact payload (and its RFC 8785 bytes) your agent signs for your next step."""
    _, p = services.to_sign(uow, waybill_id, draft.kind, draft.data, draft.signed_at, draft.version)
    return {"payload": p, "signed_bytes": signed_bytes(p).decode()}


@router.post("/{waybill_id}/steps", status_code=201)
def add_step(waybill_id: WaybillId, step: StepSubmit, uow: UowDep) -> dict[str, Any]:
    """Submit your next step, signed here (passphrase) or by you (signature + fingerprint)."""
    client = None
    if step.signature is not None or step.key_fingerprint is not None:
        if step.signature is None or step.key_fingerprint is None or step.signed_at is None:
            raise invalid("signature", "a client signature needs key_fingerprint and signed_at")
        client = services.ClientSignature(step.signature, step.key_fingerprint, step.signed_at)
    elif step.passphrase is None:
        raise invalid("passphrase", "send a passphrase or a signature")
    row = services.add_step(
        uow,
        waybill_id,
        step.kind,
        step.data,
        passphrase=step.passphrase if client is None else None,
        client=client,
        expected_version=step.version,
    )
    uow.commit()
    return _step_json(row)


@router.get("/{waybill_id}/bundle")
def bundle(waybill_id: WaybillId, uow: UowDep) -> dict[str, Any]:
    """The offline bundle: steps, signatures, party keys, inclusion proofs, signed heads."""
    return services.export_bundle(uow, waybill_id)
