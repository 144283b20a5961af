"""E-waybill (链上签) through the HTTP API on both backends: shipper, carrier and consignee each
sign their own steps (the carrier with a key it keeps itself, the others with their ledger
passphrase); the API refuses steps out of turn, by the wrong party, forged or reused; the
exported bundle verifies offline and every kind of tampering is named by its step."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from supplymesh.cli.waybill import PASSPHRASE_ENV, waybill_app
from supplymesh.platform.settings import Settings
from supplymesh.platform.uow import Database
from supplymesh.trace.ledger import signing
from supplymesh.trace.model import LedgerKey
from supplymesh.trace.waybill import rules
from supplymesh.trace.waybill.verify import verify_bundle
from tests.api.helpers import Tenant, make_tenant

PASSPHRASE = "correct horse battery staple"
AGENT_PASSPHRASE = "the carrier keeps this one"
runner = CliRunner()


@dataclass
class Parties:
    shipper: Tenant
    carrier: Tenant
    consignee: Tenant
    outsider: Tenant
    carrier_key: Path  # the carrier's own encrypted private key (never sent to the platform)


@pytest.fixture
def parties(db: Database, client: TestClient, tmp_path: Path) -> Parties:
    shipper = make_tenant(db, client, "SHIPPER", ["manufacturer"])
    carrier = make_tenant(db, client, "CARRIER", ["logistics"])
    consignee = make_tenant(db, client, "CONSIGNEE", ["retailer"])
    outsider = make_tenant(db, client, "OUTSIDER")
    for who in (shipper, consignee, outsider):
        r = client.post("/api/v1/ledger/keys", json={"passphrase": PASSPHRASE}, headers=who.headers)
        assert r.status_code == 201, r.text
    key = Ed25519PrivateKey.generate()
    key_file = tmp_path / "carrier.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(AGENT_PASSPHRASE.encode()),
        )
    )
    r = client.post(
        "/api/v1/ledger/keys",
        json={"public_key_pem": signing.public_pem(key.public_key()).decode()},
        headers=carrier.headers,
    )
    assert r.status_code == 201, r.text
    return Parties(shipper, carrier, consignee, outsider, key_file)


DATA: dict[str, dict[str, Any]] = {
    "inquiry": {
        "origin": "苏州工业园区 DC-1",
        "destination": "Shanghai store 12",
        "goods": [{"item": "SKU-1", "quantity": "120.000", "uom": "EA"}],
    },
    "quote": {"price": "860.00", "currency": "CNY"},
    "dispatch": {"quote_index": 1},
    "pickup": {"at": "2026-11-28T08:00:00Z", "location": "DC-1 dock 3"},
    "checkpoint": {"at": "2026-11-28T11:30:00Z", "location": "G2 Jiaxing toll"},
    "delivery": {"at": "2026-11-28T15:10:00Z", "location": "Shanghai store 12"},
    "pod": {
        "receiver_name": "王芳",
        "received_at": "2026-11-28T15:20:00Z",
        "photo_sha256": "ab" * 32,
        "quantities": [{"item": "SKU-1", "quantity": "118.000", "uom": "EA"}],
        "exceptions": ["2 cartons crushed"],
    },
}


def _open(client: TestClient, p: Parties) -> dict[str, Any]:
    r = client.post(
        "/api/v1/waybills",
        json={
            "carrier_enterprise_id": p.carrier.id,
            "consignee_enterprise_id": p.consignee.id,
            "reference": "SO-2026-0042",
        },
        headers=p.shipper.headers,
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def _with_passphrase(
    client: TestClient, who: Tenant, waybill_id: int, kind: str, **extra: Any
) -> Any:
    body = {"kind": kind, "data": DATA[kind], "passphrase": PASSPHRASE, **extra}
    return client.post(f"/api/v1/waybills/{waybill_id}/steps", json=body, headers=who.headers)


def _client_signed(
    client: TestClient, p: Parties, waybill_id: int, kind: str, tmp_path: Path
) -> dict[str, Any]:
    """What the carrier's agent sends: the payload from to-sign, signed by `waybill sign`."""
    r = client.post(
        f"/api/v1/waybills/{waybill_id}/steps/to-sign",
        json={"kind": kind, "data": DATA[kind]},
        headers=p.carrier.headers,
    )
    assert r.status_code == 200, r.text
    payload_file = tmp_path / f"{kind}.json"
    payload_file.write_text(json.dumps(r.json()), encoding="utf-8")
    result = runner.invoke(
        waybill_app,
        ["sign", str(payload_file), "--key", str(p.carrier_key)],
        env={PASSPHRASE_ENV: AGENT_PASSPHRASE},
    )
    assert result.exit_code == 0, result.output
    signed: dict[str, Any] = json.loads(result.stdout)
    return signed


def _submit(client: TestClient, who: Tenant, waybill_id: int, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/waybills/{waybill_id}/steps", json=body, headers=who.headers)


def _agent_signs_head(client: TestClient, p: Parties) -> None:
    head = client.get("/api/v1/ledger/heads/to-sign", headers=p.carrier.headers).json()
    key = serialization.load_pem_private_key(
        p.carrier_key.read_bytes(), password=AGENT_PASSPHRASE.encode()
    )
    assert isinstance(key, Ed25519PrivateKey)
    r = client.post(
        "/api/v1/ledger/heads",
        json={
            "tree_size": head["tree_size"],
            "timestamp_ms": head["timestamp_ms"],
            "signature": signing.sign(key, head["signed_bytes"].encode()),
        },
        headers=p.carrier.headers,
    )
    assert r.status_code == 201, r.text


def _complete(client: TestClient, p: Parties, tmp_path: Path) -> int:
    """Take a waybill from inquiry to proof of delivery; return its id."""
    wid = int(_open(client, p)["id"])
    assert _with_passphrase(client, p.shipper, wid, "inquiry").status_code == 201
    quote = _submit(client, p.carrier, wid, _client_signed(client, p, wid, "quote", tmp_path))
    assert quote.status_code == 201, quote.text
    assert _with_passphrase(client, p.shipper, wid, "dispatch").status_code == 201
    for kind in ("pickup", "checkpoint", "delivery"):
        r = _submit(client, p.carrier, wid, _client_signed(client, p, wid, kind, tmp_path))
        assert r.status_code == 201, r.text
    _agent_signs_head(client, p)
    assert _with_passphrase(client, p.consignee, wid, "pod").status_code == 201
    return wid


def _bundle(client: TestClient, who: Tenant, wid: int) -> dict[str, Any]:
    r = client.get(f"/api/v1/waybills/{wid}/bundle", headers=who.headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_three_parties_sign_a_waybill_that_verifies_offline(
    client: TestClient, parties: Parties, tmp_path: Path
) -> None:
    p = parties
    wid = _complete(client, p, tmp_path)
    for who in (p.shipper, p.carrier, p.consignee):
        got = client.get(f"/api/v1/waybills/{wid}", headers=who.headers).json()
        assert got["state"] == "completed"
        assert [s["kind"] for s in got["steps"]] == [
            "inquiry",
            "quote",
            "dispatch",
            "pickup",
            "checkpoint",
            "delivery",
            "pod",
        ]
        assert [s["signer_enterprise_id"] for s in got["steps"]] == [
            p.shipper.id,
            p.carrier.id,
            p.shipper.id,
            p.carrier.id,
            p.carrier.id,
            p.carrier.id,
            p.consignee.id,
        ]
    # each signer's ledger holds its own steps, in order
    assert [s["ledger_index"] for s in got["steps"]] == [0, 0, 1, 1, 2, 3, 0]
    # only the parties see it
    assert client.get(f"/api/v1/waybills/{wid}", headers=p.outsider.headers).status_code == 404
    assert (
        client.get(f"/api/v1/waybills/{wid}/bundle", headers=p.outsider.headers).status_code == 404
    )
    assert client.get("/api/v1/waybills", headers=p.outsider.headers).json()["items"] == []
    assert [
        w["id"] for w in client.get("/api/v1/waybills", headers=p.carrier.headers).json()["items"]
    ] == [wid]
    bundle = _bundle(client, p.consignee, wid)
    verdict = verify_bundle(bundle)
    assert verdict.ok, verdict.message
    assert (verdict.steps, verdict.state) == (7, "completed")
    assert bundle["steps"][6]["payload"]["data"]["receiver_name"] == "王芳"


def test_api_refuses_out_of_turn_wrong_party_forged_and_reused_steps(
    client: TestClient, parties: Parties, tmp_path: Path
) -> None:
    p = parties
    wid = int(_open(client, p)["id"])
    # the carrier may not sign the shipper's inquiry
    r = client.post(
        f"/api/v1/waybills/{wid}/steps/to-sign",
        json={"kind": "inquiry", "data": DATA["inquiry"]},
        headers=p.carrier.headers,
    )
    assert r.status_code == 403, r.text
    assert _with_passphrase(client, p.shipper, wid, "inquiry", version=2).status_code == 409
    assert (
        _with_passphrase(client, p.shipper, wid, "inquiry", passphrase="wrong!!!!").status_code
        == 403
    )
    assert _with_passphrase(client, p.shipper, wid, "inquiry").status_code == 201
    # out of turn: dispatch before any quote
    r = _with_passphrase(client, p.shipper, wid, "dispatch")
    assert r.status_code == 409, r.text
    assert r.json()["current_state"] == "inquired"
    assert r.json()["allowed_transitions"] == ["quote"]
    # a step of the carrier's kind, submitted by the consignee
    assert _with_passphrase(client, p.consignee, wid, "quote").status_code == 403
    # a forged signature: right fingerprint, another key
    quote = _client_signed(client, p, wid, "quote", tmp_path)
    forged = dict(quote, signature=signing.sign(Ed25519PrivateKey.generate(), b"anything"))
    r = _submit(client, p.carrier, wid, forged)
    assert r.status_code == 400 and "does not verify" in r.json()["detail"], r.text
    # the data changed after signing
    edited = dict(quote, data={**quote["data"], "price": "1.00"})
    assert _submit(client, p.carrier, wid, edited).status_code == 400
    assert _submit(client, p.carrier, wid, quote).status_code == 201
    # the quote's signature reused for the next quote (another index and previous hash)
    again = _submit(client, p.carrier, wid, quote)
    assert again.status_code == 400 and "does not verify" in again.json()["detail"], again.text
    # and for another waybill
    other = int(_open(client, p)["id"])
    _with_passphrase(client, p.shipper, other, "inquiry")
    assert _submit(client, p.carrier, other, quote).status_code == 400
    got = client.get(f"/api/v1/waybills/{wid}", headers=p.shipper.headers).json()
    assert (got["state"], got["step_count"]) == ("quoted", 2)


def _shipper_key(db: Database) -> Ed25519PrivateKey:
    with db.system() as uow:
        pems = uow.session.scalars(
            select(LedgerKey.encrypted_private_pem).order_by(LedgerKey.id)
        ).all()
    for pem in pems:
        if pem is not None:
            return signing.load_private_key(pem.encode(), PASSPHRASE.encode())
    raise AssertionError("no passphrase-held key")


def _resign(step: dict[str, Any], key: Ed25519PrivateKey) -> None:
    step["signature"] = signing.sign(key, rules.signed_bytes(step["payload"]))


Tamper = Callable[[dict[str, Any]], None]


def _tampers(wrong_key: Ed25519PrivateKey) -> dict[str, tuple[Tamper, int, str]]:
    """Name → (edit of the bundle, first bad step expected, problem expected)."""

    def edit(b: dict[str, Any]) -> None:
        b["steps"][6]["payload"]["data"]["quantities"][0]["quantity"] = "120.000"

    def drop(b: dict[str, Any]) -> None:
        del b["steps"][4]

    def reorder(b: dict[str, Any]) -> None:
        b["steps"][4], b["steps"][5] = b["steps"][5], b["steps"][4]

    def forge(b: dict[str, Any]) -> None:
        _resign(b["steps"][3], Ed25519PrivateKey.generate())

    def reuse(b: dict[str, Any]) -> None:
        b["steps"][5]["signature"] = b["steps"][4]["signature"]

    def wrong_party(b: dict[str, Any]) -> None:
        # a pickup signed by the shipper's (genuine) key instead of the carrier's
        step = b["steps"][3]
        step["payload"]["signer"] = step["payload"]["parties"]["shipper"]
        _resign(step, wrong_key)

    def replace_key(b: dict[str, Any]) -> None:
        new = Ed25519PrivateKey.generate()
        pem = signing.public_pem(new.public_key())
        b["waybill"]["parties"]["carrier"].update(
            public_key=pem.decode(), fingerprint=signing.key_id(pem)
        )

    def bad_proof(b: dict[str, Any]) -> None:
        b["steps"][2]["ledger"]["proof"][0] = "00" * 32

    def other_waybill(b: dict[str, Any]) -> None:
        b["waybill"]["id"] = "00000000-0000-4000-8000-000000000000"

    return {
        "edit": (edit, 6, "signature"),
        "drop": (drop, 4, "index"),
        "reorder": (reorder, 4, "index"),
        "forge": (forge, 3, "signature"),
        "reuse": (reuse, 5, "reused"),
        "wrong_party": (wrong_party, 3, "party"),
        "replace_key": (replace_key, 0, "key"),
        "bad_proof": (bad_proof, 2, "inclusion"),
        "other_waybill": (other_waybill, 0, "waybill"),
    }


@pytest.mark.parametrize("backend", ["sqlite"])  # offline check: one backend's bundle will do
def test_verify_names_the_first_tampered_step(
    db: Database, client: TestClient, parties: Parties, tmp_path: Path
) -> None:
    wid = _complete(client, parties, tmp_path)
    bundle = _bundle(client, parties.shipper, wid)
    assert verify_bundle(bundle).ok
    for name, (tamper, index, problem) in _tampers(_shipper_key(db)).items():
        b = copy.deepcopy(bundle)
        tamper(b)
        verdict = verify_bundle(b)
        assert (verdict.ok, verdict.first_bad_step, verdict.problem) == (False, index, problem), (
            name,
            verdict,
        )
        assert f"step {index} (" in verdict.message
    # a pinned key that is not the bundle's
    pinned = {"consignee": "0" * 64}
    assert verify_bundle(bundle, pinned).problem == "key"


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SUPPLYMESH_DATABASE_URL": settings.resolved_database_url}
    return subprocess.run(
        [str(Path(sys.executable).parent / "supplymesh"), "waybill", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("backend", ["sqlite"])  # the CLI calls the same services
def test_cli_exports_and_verifies_a_bundle_offline(
    settings: Settings, client: TestClient, parties: Parties, tmp_path: Path
) -> None:
    wid = _complete(client, parties, tmp_path)
    out = tmp_path / "waybill.json"
    exported = _cli(settings, "export", str(wid), "-e", "CARRIER", "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    ok = _cli(settings, "verify", str(out), "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["ok"] is True
    bundle = json.loads(out.read_text(encoding="utf-8"))
    del bundle["steps"][2]
    out.write_text(json.dumps(bundle), encoding="utf-8")
    bad = _cli(settings, "verify", str(out), "--json")
    assert bad.returncode == 1
    assert json.loads(bad.stdout)["first_bad_step"] == 2
    assert _cli(settings, "export", str(wid), "-e", "OUTSIDER", "-o", str(out)).returncode == 1
