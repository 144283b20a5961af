"""What a waybill step is, who signs it, in which order, and the exact bytes that are signed.

Pure: no database, no HTTP; `verify` and the services share these rules so the API refuses
exactly what an offline verifier would refuse.

The signed payload is canonical JSON per RFC 8785 (JCS, via the `rfc8785` package). It names
the waybill, the step's index, the hash of the previous step and every party's key
fingerprint, so a signature cannot be moved to another step or waybill, steps cannot be
reordered or dropped without breaking the chain, and a party's key cannot be swapped without
breaking every payload that names it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Literal

import rfc8785

from supplymesh.platform.errors import DomainError, IllegalTransition

PAYLOAD_FORMAT = "supplymesh-waybill-step/1"
BUNDLE_FORMAT = "supplymesh-waybill-bundle/1"
GENESIS = "0" * 64
"""`prev` of the first step: there is nothing before it."""

Role = Literal["shipper", "carrier", "consignee"]
ROLES: tuple[Role, ...] = ("shipper", "carrier", "consignee")

OWNER: dict[str, Role] = {
    "inquiry": "shipper",
    "quote": "carrier",
    "dispatch": "shipper",
    "pickup": "carrier",
    "checkpoint": "carrier",
    "delivery": "carrier",
    "pod": "consignee",
}
"""The party that signs each kind of step."""

# state -> {step kind: next state}
TRANSITIONS: dict[str, dict[str, str]] = {
    "draft": {"inquiry": "inquired"},
    "inquired": {"quote": "quoted"},
    "quoted": {"quote": "quoted", "dispatch": "dispatched"},
    "dispatched": {"pickup": "picked_up"},
    "picked_up": {"checkpoint": "in_transit", "delivery": "delivered"},
    "in_transit": {"checkpoint": "in_transit", "delivery": "delivered"},
    "delivered": {"pod": "completed"},
    "completed": {},
}

REQUIRED: dict[str, tuple[str, ...]] = {
    "inquiry": ("origin", "destination", "goods"),
    "quote": ("price", "currency"),
    "dispatch": ("quote_index",),
    "pickup": ("at", "location"),
    "checkpoint": ("at", "location"),
    "delivery": ("at", "location"),
    "pod": ("receiver_name", "received_at", "quantities"),
}
"""Fields each kind's `data` must carry (more are allowed: photo digest, exceptions…)."""


class WaybillError(DomainError):
    """A waybill step that cannot be accepted: wrong signer, bad data, broken signature."""


def next_state(state: str, kind: str) -> str:
    """The state after a step of `kind`; `IllegalTransition` (409) when it is out of turn."""
    if kind not in OWNER:
        raise WaybillError(f"unknown step kind {kind!r}; one of {', '.join(OWNER)}")
    allowed = TRANSITIONS.get(state, {})
    if kind not in allowed:
        raise IllegalTransition("waybill", state, kind, sorted(allowed))
    return allowed[kind]


def _no_floats(value: object, where: str) -> None:
    if isinstance(value, float):
        raise WaybillError(f"{where} is a float ({value!r}): send decimals as strings")
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise WaybillError(f"{where} has a non-string key {k!r}")
            _no_floats(v, f"{where}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _no_floats(v, f"{where}[{i}]")


def check_data(kind: str, data: Mapping[str, Any]) -> None:
    """Refuse step data that lacks its kind's fields, or carries floats (not canonical)."""
    missing = [f for f in REQUIRED.get(kind, ()) if f not in data]
    if missing:
        raise WaybillError(f"{kind} step data lacks {', '.join(missing)}")
    _no_floats(dict(data), "data")
    photo = data.get("photo_sha256")
    if photo is not None and not (
        isinstance(photo, str) and len(photo) == 64 and all(c in "0123456789abcdef" for c in photo)
    ):
        raise WaybillError(f"photo_sha256 must be 64 lowercase hex digits, not {photo!r}")


def payload(
    *,
    waybill: str,
    index: int,
    kind: str,
    prev: str,
    parties: Mapping[str, str],
    signed_at: str,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """The object a step's owner signs (see the module docstring for why each field is there)."""
    role = OWNER[kind]
    return {
        "format": PAYLOAD_FORMAT,
        "waybill": waybill,
        "index": index,
        "kind": kind,
        "role": role,
        "signer": parties[role],
        "parties": {r: parties[r] for r in ROLES},
        "prev": prev,
        "signed_at": signed_at,
        "data": dict(data),
    }


def signed_bytes(step_payload: Mapping[str, Any]) -> bytes:
    """RFC 8785 canonical bytes of a payload: what the Ed25519 signature covers."""
    _no_floats(dict(step_payload), "payload")
    try:
        return rfc8785.dumps(dict(step_payload))
    except (rfc8785.CanonicalizationError, TypeError) as exc:  # e.g. integers beyond 2**53
        raise WaybillError(f"the payload has no RFC 8785 form: {exc}") from exc


def ledger_entry(step_payload: Mapping[str, Any], signature: str) -> dict[str, Any]:
    """The entry appended to the signer's ledger for a signed step."""
    return {"type": "waybill_step", "payload": dict(step_payload), "signature": signature}


def step_hash(step_payload: Mapping[str, Any], signature: str) -> str:
    """SHA-256 (hex) of the signed step: the next step's `prev`."""
    entry = ledger_entry(step_payload, signature)
    return hashlib.sha256(signed_bytes(entry)).hexdigest()
