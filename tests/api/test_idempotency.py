"""POSTs honour Idempotency-Key: one object per key, replays flagged, misuse refused."""

from __future__ import annotations

from fastapi.testclient import TestClient

from supplymesh.platform.uow import Database
from tests.api.helpers import make_tenant

SITE = {"code": "P1", "name": "佛山工厂", "kind": "plant"}


def test_retry_with_same_key_creates_one_object(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    headers = {**a.headers, "Idempotency-Key": "create-p1-0001"}
    first = client.post("/api/v1/sites", json=SITE, headers=headers)
    second = client.post("/api/v1/sites", json=SITE, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert first.json() == second.json()
    assert client.get("/api/v1/sites", headers=a.headers).json()["total"] == 1


def test_same_key_different_body_is_refused(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    headers = {**a.headers, "Idempotency-Key": "k-1"}
    assert client.post("/api/v1/sites", json=SITE, headers=headers).status_code == 201
    r = client.post("/api/v1/sites", json={**SITE, "code": "P2"}, headers=headers)
    assert r.status_code == 422
    assert "different request" in r.json()["detail"]
    assert client.get("/api/v1/sites", headers=a.headers).json()["total"] == 1


def test_keys_are_scoped_per_enterprise(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    b = make_tenant(db, client, "BETA")
    r1 = client.post("/api/v1/sites", json=SITE, headers={**a.headers, "Idempotency-Key": "k"})
    r2 = client.post("/api/v1/sites", json=SITE, headers={**b.headers, "Idempotency-Key": "k"})
    assert r1.status_code == r2.status_code == 201
    assert "Idempotent-Replayed" not in r2.headers
    assert r1.json()["enterprise_id"] != r2.json()["enterprise_id"]


def test_failed_request_replays_its_error(db: Database, client: TestClient) -> None:
    a = make_tenant(db, client, "ACME")
    headers = {**a.headers, "Idempotency-Key": "bad"}
    bad = {**SITE, "kind": "castle"}
    first = client.post("/api/v1/sites", json=bad, headers=headers)
    second = client.post("/api/v1/sites", json=bad, headers=headers)
    assert first.status_code == second.status_code == 422
    assert second.headers["Idempotent-Replayed"] == "true"
