"""The per-enterprise ledger in the database on both backends: captures append, heads are
signed only with the enterprise's passphrase (or its agent), proofs verify, partners
witness, and the exported bundle verifies offline and names each kind of tampering."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from supplymesh.cli.trace import ledger_app
from supplymesh.platform.settings import Settings
from supplymesh.platform.tenancy import TenantContext
from supplymesh.platform.uow import Database
from supplymesh.trace.ledger import signing
from supplymesh.trace.ledger.merkle import leaf_hash, verify_consistency, verify_inclusion
from supplymesh.trace.ledger.model import TreeHead, canonical_json
from supplymesh.trace.ledger.store import append_entries, export_bundle, log_id_of, tree
from tests.api.helpers import Tenant, make_tenant
from tests.trace.test_epcis_store import _document, _event

PASSPHRASE = "correct horse battery staple"
runner = CliRunner()


def _need_schemas() -> None:
    from tests.trace.test_epcis_store import _need_examples

    _need_examples()  # capture validates against GS1's schemas from the shared data


@pytest.fixture
def a(db: Database, client: TestClient) -> Tenant:
    return make_tenant(db, client, "LEDGERA")


def _key(client: TestClient, who: Tenant) -> dict[str, Any]:
    r = client.post("/api/v1/ledger/keys", json={"passphrase": PASSPHRASE}, headers=who.headers)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def _sign(client: TestClient, who: Tenant, passphrase: str = PASSPHRASE) -> Any:
    return client.post("/api/v1/ledger/heads", json={"passphrase": passphrase}, headers=who.headers)


def _capture(client: TestClient, who: Tenant, *numbers: int) -> None:
    doc = _document(*(_event(n) for n in numbers))
    r = client.post("/api/v1/epcis/capture", json=doc, headers=who.headers)
    assert r.status_code == 201, r.text


def test_captures_append_and_signed_heads_prove_inclusion_and_consistency(
    client: TestClient, a: Tenant
) -> None:
    _need_schemas()
    key = _key(client, a)
    assert (
        client.post(
            "/api/v1/ledger/keys", json={"passphrase": PASSPHRASE}, headers=a.headers
        ).status_code
        == 409
    )  # one key per log
    _capture(client, a, 1, 2, 3)
    first = _sign(client, a)
    assert first.status_code == 201, first.text
    head1 = first.json()
    assert head1["tree_size"] == 3
    assert signing.verify(
        key["public_key"].encode(), TreeHead.from_json(head1).signed_bytes(), head1["signature"]
    )
    _capture(client, a, 4, 5)
    head2 = _sign(client, a).json()
    latest = client.get("/api/v1/ledger/heads/latest", headers=a.headers).json()
    assert latest["tree_size"] == head2["tree_size"] == 5
    for index in range(5):
        p = client.get(
            f"/api/v1/ledger/proofs/inclusion?index={index}&tree_size=5", headers=a.headers
        ).json()
        verify_inclusion(
            index,
            5,
            bytes.fromhex(p["leaf_hash"]),
            [bytes.fromhex(h) for h in p["proof"]],
            bytes.fromhex(head2["root_hash"]),
        )
    c = client.get("/api/v1/ledger/proofs/consistency?first=3&second=5", headers=a.headers).json()
    verify_consistency(
        3,
        5,
        bytes.fromhex(head1["root_hash"]),
        bytes.fromhex(head2["root_hash"]),
        [bytes.fromhex(h) for h in c["proof"]],
    )
    bad = client.get("/api/v1/ledger/proofs/inclusion?index=5&tree_size=5", headers=a.headers)
    assert bad.status_code == 400


def test_wrong_passphrase_is_refused_and_nothing_is_signed(client: TestClient, a: Tenant) -> None:
    _need_schemas()
    assert _sign(client, a).status_code == 404  # no key yet
    _key(client, a)
    _capture(client, a, 1)
    r = _sign(client, a, "not the passphrase")
    assert r.status_code == 403
    assert client.get("/api/v1/ledger/heads/latest", headers=a.headers).status_code == 404


def test_agent_held_key_signs_heads(client: TestClient, a: Tenant) -> None:
    _need_schemas()
    agent = Ed25519PrivateKey.generate()
    pem = signing.public_pem(agent.public_key()).decode()
    r = client.post("/api/v1/ledger/keys", json={"public_key_pem": pem}, headers=a.headers)
    assert r.status_code == 201 and r.json()["on_agent"] is True
    _capture(client, a, 1, 2)
    assert _sign(client, a).status_code == 400  # nothing here can sign for it
    todo = client.get("/api/v1/ledger/heads/to-sign", headers=a.headers).json()
    signature = signing.sign(agent, todo["signed_bytes"].encode())
    body = {"tree_size": 2, "timestamp_ms": todo["timestamp_ms"], "signature": signature}
    forged = {**body, "signature": signing.sign(Ed25519PrivateKey.generate(), b"x")}
    assert client.post("/api/v1/ledger/heads", json=forged, headers=a.headers).status_code == 403
    r = client.post("/api/v1/ledger/heads", json=body, headers=a.headers)
    assert r.status_code == 201, r.text
    assert r.json()["root_hash"] == todo["root_hash"]


def test_partner_witnesses_heads_that_extend_what_it_saw(
    db: Database, client: TestClient, a: Tenant
) -> None:
    _need_schemas()
    b = make_tenant(db, client, "LEDGERB")
    _key(client, a)
    _key(client, b)
    _capture(client, a, 1, 2)
    h1 = _sign(client, a).json()
    saw = {k: h1[k] for k in ("tree_size", "root_hash", "timestamp_ms")}
    body = {"enterprise_id": a.id, "passphrase": PASSPHRASE, **saw}
    r = client.post("/api/v1/ledger/witness", json=body, headers=b.headers)
    assert r.status_code == 201, r.text
    wrong = {**body, "passphrase": "not b's passphrase"}
    assert client.post("/api/v1/ledger/witness", json=wrong, headers=b.headers).status_code == 403
    _capture(client, a, 3)
    h2 = _sign(client, a).json()
    body2 = {**body, **{k: h2[k] for k in ("tree_size", "root_hash", "timestamp_ms")}}
    no_proof = client.post("/api/v1/ledger/witness", json=body2, headers=b.headers)
    assert no_proof.status_code == 400  # must show it extends the head B witnessed
    proof = client.get(
        f"/api/v1/ledger/proofs/consistency?first=2&second=3&enterprise_id={a.id}",
        headers=a.headers,
    ).json()["proof"]
    r = client.post(
        "/api/v1/ledger/witness", json={**body2, "consistency_proof": proof}, headers=b.headers
    )
    assert r.status_code == 201, r.text
    latest = client.get(f"/api/v1/ledger/heads/latest?enterprise_id={a.id}", headers=b.headers)
    assert [w["enterprise_id"] for w in latest.json()["witnesses"]] == [b.id]
    with db.unit_of_work(TenantContext(a.id, None, "admin")) as uow:
        bundle = export_bundle(uow, a.id)
    assert [len(h["witnesses"]) for h in bundle["tree_heads"]] == [1, 1]  # type: ignore[union-attr,index]
    from supplymesh.trace.ledger.services import verify_bundle

    assert verify_bundle(bundle).ok
    bundle["tree_heads"][1]["witnesses"][0]["signature"] = h1["signature"]  # type: ignore[index]
    assert verify_bundle(bundle).kind == "witness"


def _export(settings: Settings, code: str, out: Path) -> Any:
    env = {"SUPPLYMESH_DATABASE_URL": settings.resolved_database_url}
    return runner.invoke(ledger_app, ["export", "--enterprise", code, str(out)], env=env)


def _verify(path: Path) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(ledger_app, ["verify", str(path), "--json"])
    return result.exit_code, json.loads(result.stdout.splitlines()[0])


def test_export_verifies_and_each_tampering_is_named(
    settings: Settings, client: TestClient, a: Tenant, tmp_path: Path
) -> None:
    _need_schemas()
    _key(client, a)
    for n in range(1, 7):
        _capture(client, a, n)
        assert _sign(client, a).status_code == 201
    _capture(client, a, 7)  # not under a signed head: left out of the export
    out = tmp_path / "bundle.json"
    result = _export(settings, "LEDGERA", out)
    assert result.exit_code == 0, result.output
    assert "1 entries after the last signed head" in result.output
    code, verdict = _verify(out)
    assert (code, verdict["ok"], verdict["entries"], verdict["tree_heads"]) == (0, True, 6, 6)

    def tampered(change: Any) -> dict[str, Any]:
        bundle = json.loads(out.read_text())
        change(bundle)
        path = tmp_path / "tampered.json"
        path.write_text(json.dumps(bundle))
        code, verdict = _verify(path)
        assert code == 1
        return verdict

    def edit(b: dict[str, Any]) -> None:
        b["entries"][3]["sha256"] = "0" * 64

    def delete(b: dict[str, Any]) -> None:
        del b["entries"][2]

    def reorder(b: dict[str, Any]) -> None:
        b["entries"][1], b["entries"][4] = b["entries"][4], b["entries"][1]

    def replace_key(b: dict[str, Any]) -> None:
        b["public_key"] = signing.public_pem(Ed25519PrivateKey.generate().public_key()).decode()

    assert (tampered(edit)["first_bad_index"], tampered(edit)["kind"]) == (3, "edit")
    assert (tampered(delete)["first_bad_index"], tampered(delete)["kind"]) == (2, "delete")
    assert (tampered(reorder)["first_bad_index"], tampered(reorder)["kind"]) == (1, "reorder")
    assert tampered(replace_key)["kind"] == "key"
    assert _export(settings, "NOSUCH", out).exit_code == 1


def test_concurrent_appends_take_dense_distinct_indexes(db: Database) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from supplymesh.network.model import Enterprise

    with db.system() as uow:
        ent = Enterprise(code="DENSE", name="Dense", roles=["manufacturer"])
        uow.add(ent)
        uow.commit()
    ctx = TenantContext(ent.id, None, "operator")

    def append(worker: int) -> list[int]:
        taken: list[int] = []
        for batch in range(4):
            with db.unit_of_work(ctx) as uow:
                taken += append_entries(uow, [{"w": str(worker), "b": str(batch), "i": "0"}] * 2)
                uow.commit()
        return taken

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(append, range(4)))
    indexes = sorted(i for r in results for i in r)
    assert indexes == list(range(32))
    with db.unit_of_work(ctx) as uow:
        t = tree(uow, ent.id)
        bundle = _all_entries(uow, ent.id)
    assert [h.hex() for h in t.levels[0]] == [
        leaf_hash(canonical_json(entry)).hex() for entry in bundle
    ]
    assert log_id_of(ent.id).endswith(str(ent.id))


def _all_entries(uow: Any, enterprise_id: int) -> list[dict[str, Any]]:
    """Every entry in index order (export leaves out what no head signs)."""
    from sqlalchemy import select

    from supplymesh.trace.model import LedgerLeaf

    rows = uow.session.scalars(
        select(LedgerLeaf)
        .where(LedgerLeaf.enterprise_id == enterprise_id)
        .order_by(LedgerLeaf.leaf_index)
    )
    return [r.entry for r in rows]


def test_viewers_cannot_append_and_only_admins_sign(db: Database) -> None:
    from supplymesh.network.model import Enterprise
    from supplymesh.platform.errors import PermissionDenied
    from supplymesh.trace.ledger.store import create_key, sign_head

    with db.system() as uow:
        ent = Enterprise(code="ROLES", name="Roles", roles=["manufacturer"])
        uow.add(ent)
        uow.commit()
    with db.unit_of_work(TenantContext(ent.id, None, "admin")) as uow:
        create_key(uow, PASSPHRASE)
        uow.commit()
    viewer = TenantContext(ent.id, None, "viewer")
    with db.unit_of_work(viewer) as uow, pytest.raises(PermissionDenied):
        append_entries(uow, [{"n": "1"}])
    with db.unit_of_work(TenantContext(ent.id, None, "operator")) as uow:
        append_entries(uow, [{"n": "1"}])
        uow.commit()
    operator = TenantContext(ent.id, None, "operator")
    with db.unit_of_work(operator) as uow, pytest.raises(PermissionDenied):
        sign_head(uow, PASSPHRASE)
        uow.commit()
