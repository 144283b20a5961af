"""Offline verification of an exported waybill bundle: no database, no network.

Trust comes only from signatures: each step must be signed by the key of the party that owns
its kind, name this waybill, its own position and the hash of the step before it, carry the
party fingerprints every other step carries, and be included (RFC 9162 inclusion proof) in
the signer's ledger under a tree head signed by that same key. `pinned` fingerprints (from a
source the holder trusts) additionally guard against a bundle re-signed end to end with
fresh keys. The first step that fails is named.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from supplymesh.platform.errors import IllegalTransition
from supplymesh.trace.ledger import signing
from supplymesh.trace.ledger.merkle import ProofError, leaf_hash, verify_inclusion
from supplymesh.trace.ledger.model import LedgerError, TreeHead, canonical_json
from supplymesh.trace.waybill import rules
from supplymesh.trace.waybill.rules import GENESIS, ROLES, WaybillError


@dataclass(frozen=True)
class Verdict:
    """The result: ok, or the first failing step (index and kind) and what is wrong.

    `problem` is one of: format, key, waybill, index, chain, party, signature, reused,
    transition, inclusion, tree_head.
    """

    ok: bool
    steps: int
    state: str
    first_bad_step: int | None = None
    step_kind: str | None = None
    problem: str | None = None
    message: str = ""

    def to_json(self) -> dict[str, object]:
        """The `waybill verify --json` shape."""
        return {
            "ok": self.ok,
            "steps": self.steps,
            "state": self.state,
            "first_bad_step": self.first_bad_step,
            "step_kind": self.step_kind,
            "problem": self.problem,
            "message": self.message,
        }


class _Bad(Exception):
    def __init__(self, problem: str, message: str) -> None:
        super().__init__(message)
        self.problem = problem
        self.message = message


def _party_keys(bundle: Mapping[str, Any]) -> tuple[str, dict[str, dict[str, Any]]]:
    waybill = bundle.get("waybill")
    if bundle.get("format") != rules.BUNDLE_FORMAT or not isinstance(waybill, dict):
        raise WaybillError(f"not a {rules.BUNDLE_FORMAT} bundle")
    parties = waybill.get("parties")
    if not isinstance(parties, dict) or set(parties) != set(ROLES):
        raise WaybillError("the bundle must list the shipper, carrier and consignee")
    return str(waybill.get("id")), {r: dict(parties[r]) for r in ROLES}


def _check_keys(parties: Mapping[str, Mapping[str, Any]], pinned: Mapping[str, str]) -> None:
    for role, party in parties.items():
        try:
            fingerprint = signing.key_id(str(party["public_key"]).encode())
        except (KeyError, ValueError, TypeError) as exc:
            raise _Bad("key", f"the {role}'s public key is unusable: {exc}") from exc
        if fingerprint != party.get("fingerprint"):
            raise _Bad("key", f"the {role}'s public key does not have fingerprint it claims")
        if role in pinned and pinned[role] != fingerprint:
            raise _Bad("key", f"the {role}'s key {fingerprint[:16]}… is not the pinned one")


def _check_inclusion(
    entry: Mapping[str, Any], ledger: object, party: Mapping[str, Any], pem: bytes
) -> None:
    if not isinstance(ledger, dict):
        raise _Bad("inclusion", "the step is not yet under a signed tree head of its ledger")
    try:
        head = TreeHead.from_json(ledger["tree_head"])
        index, proof = int(ledger["index"]), [bytes.fromhex(p) for p in ledger["proof"]]
    except (KeyError, TypeError, ValueError, AttributeError, LedgerError) as exc:
        raise _Bad("inclusion", f"malformed ledger proof: {exc}") from exc
    if head.log_id != party.get("log_id"):
        raise _Bad("tree_head", f"the proof is from log {head.log_id!r}, not the signer's")
    if not signing.verify(pem, head.signed_bytes(), head.signature):
        raise _Bad("tree_head", f"tree head of size {head.tree_size} is not signed by the signer")
    try:
        verify_inclusion(
            index,
            head.tree_size,
            leaf_hash(canonical_json(dict(entry))),
            proof,
            bytes.fromhex(head.root_hash),
        )
    except (ProofError, ValueError, LedgerError) as exc:
        raise _Bad("inclusion", f"not in the signer's ledger at index {index}: {exc}") from exc


def _check_step(
    i: int,
    step: Mapping[str, Any],
    waybill_id: str,
    parties: Mapping[str, Mapping[str, Any]],
    prev: str,
    state: str,
) -> tuple[str, str]:
    """Check step `i`; return (its hash, the state after it)."""
    p = step.get("payload")
    signature = step.get("signature")
    if not isinstance(p, dict) or not isinstance(signature, str):
        raise _Bad("format", "a step needs a payload object and a signature")
    if p.get("format") != rules.PAYLOAD_FORMAT:
        raise _Bad("format", f"payload format {p.get('format')!r} is not {rules.PAYLOAD_FORMAT}")
    if p.get("waybill") != waybill_id:
        raise _Bad("waybill", f"the step belongs to waybill {p.get('waybill')!r}")
    if p.get("index") != i:
        raise _Bad("index", f"the step says it is step {p.get('index')!r} (dropped or reordered)")
    if p.get("prev") != prev:
        raise _Bad("chain", "its previous-step hash does not match the step before it")
    kind = str(p.get("kind"))
    role = rules.OWNER.get(kind)
    if role is None or p.get("role") != role:
        raise _Bad("party", f"a {kind} step must be signed by the {role or 'nobody'}")
    fingerprints = {r: parties[r]["fingerprint"] for r in ROLES}
    if p.get("parties") != fingerprints:
        raise _Bad("key", "the step names other party keys than the bundle's (key replaced)")
    if p.get("signer") != fingerprints[role]:
        raise _Bad("party", f"signed by {str(p.get('signer'))[:16]}…, not the {role}")
    pem = str(parties[role]["public_key"]).encode()
    try:
        message = rules.signed_bytes(p)
    except WaybillError as exc:
        raise _Bad("format", exc.message) from exc
    if not signing.verify(pem, message, signature):
        raise _Bad("signature", f"the signature does not verify under the {role}'s key")
    try:
        after = rules.next_state(state, kind)
    except (IllegalTransition, WaybillError) as exc:
        raise _Bad("transition", str(exc)) from exc
    _check_inclusion(rules.ledger_entry(p, signature), step.get("ledger"), parties[role], pem)
    return rules.step_hash(p, signature), after


def verify_bundle(bundle: Mapping[str, Any], pinned: Mapping[str, str] | None = None) -> Verdict:
    """Verify every step of a bundle; `pinned` maps roles to trusted key fingerprints."""
    waybill_id, parties = _party_keys(bundle)
    steps = bundle.get("steps")
    if not isinstance(steps, list):
        raise WaybillError("the bundle has no list of steps")
    state, prev, seen = "draft", GENESIS, set[str]()
    try:
        _check_keys(parties, pinned or {})
    except _Bad as bad:
        return Verdict(False, len(steps), state, 0, None, bad.problem, bad.message)
    for i, step in enumerate(steps):
        p = step.get("payload") if isinstance(step, dict) else None
        kind = str(p.get("kind")) if isinstance(p, dict) else None
        try:
            if not isinstance(step, dict):
                raise _Bad("format", "a step must be a JSON object")
            signature = str(step.get("signature"))
            if signature in seen:
                raise _Bad("reused", "its signature was already used by an earlier step")
            seen.add(signature)
            prev, state = _check_step(i, step, waybill_id, parties, prev, state)
        except _Bad as bad:
            message = f"step {i} ({kind}): {bad.message}"
            return Verdict(False, len(steps), state, i, kind, bad.problem, message)
    return Verdict(True, len(steps), state, message=f"{len(steps)} steps verified")
