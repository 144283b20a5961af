"""Every API call is authenticated; logins are throttled and audited; API keys work."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from supplymesh.network.model import User
from supplymesh.platform.audit import AuditEntry
from supplymesh.platform.uow import Database
from tests.api.helpers import make_tenant


def _api_operations(client: TestClient) -> list[tuple[str, str]]:
    spec = client.get("/openapi.json").json()
    ops = []
    for path, item in spec["paths"].items():
        for method in item:
            concrete = path.replace("{", "").replace("}", "")
            for name in ("object_id", "key_id", "kind", "order_id", "shipment_id"):
                concrete = concrete.replace(name, "1")
            ops.append((method.upper(), concrete))
    return ops


def test_every_api_path_answers_401_without_credentials(client: TestClient) -> None:
    ops = _api_operations(client)
    assert len(ops) > 50
    for method, path in ops:
        if path.startswith("/api/v1/auth/") or not path.startswith("/api/v1"):
            continue
        response = client.request(method, path)
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.headers["content-type"].startswith("application/problem+json")
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        assert client.request(method, "/api/v1/no-such-thing").status_code == 401


def test_health_and_docs_need_no_login(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/assets/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert client.get("/assets/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_bad_token_is_refused(client: TestClient) -> None:
    r = client.get("/api/v1/sites", headers={"Authorization": "Bearer not.a.token"})
    assert r.status_code == 401
    assert r.json()["detail"] == "invalid access token"


def test_wrong_password_then_throttled(db: Database, client: TestClient) -> None:
    tenant = make_tenant(db, client, "ACME")
    for _ in range(5):
        r = client.post(
            "/api/v1/auth/token", data={"username": tenant.username, "password": "wrong-password"}
        )
        assert r.status_code == 401
    r = client.post(
        "/api/v1/auth/token", data={"username": tenant.username, "password": tenant.password}
    )
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 0
    with db.system() as uow:
        actions = [
            a.action for a in uow.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]
    assert actions.count("login_failed") == 5
    assert "login" in actions  # the first, successful login of make_tenant


def test_deactivated_user_token_stops_working(db: Database, client: TestClient) -> None:
    tenant = make_tenant(db, client, "ACME")
    assert client.get("/api/v1/me", headers=tenant.headers).status_code == 200
    with db.system() as uow:
        user = uow.session.scalar(select(User).where(User.username == tenant.username))
        assert user is not None
        user.active = False
        uow.commit()
    assert client.get("/api/v1/me", headers=tenant.headers).status_code == 401


def test_api_key_lifecycle(db: Database, client: TestClient) -> None:
    tenant = make_tenant(db, client, "ACME")
    r = client.post(
        "/api/v1/api-keys",
        json={"name": "line-1 gateway", "role": "operator"},
        headers=tenant.headers,
    )
    assert r.status_code == 201
    secret, key_id = r.json()["secret"], r.json()["id"]
    me = client.get("/api/v1/me", headers={"X-API-Key": secret})
    assert me.status_code == 200
    assert me.json()["enterprise"]["code"] == "ACME"
    assert me.json()["role"] == "operator"
    listed = client.get("/api/v1/api-keys", headers=tenant.headers).json()
    assert "secret" not in listed[0] and listed[0]["prefix"] == secret[:12]
    assert client.delete(f"/api/v1/api-keys/{key_id}", headers=tenant.headers).status_code == 204
    assert client.get("/api/v1/me", headers={"X-API-Key": secret}).status_code == 401
    assert client.get("/api/v1/me", headers={"X-API-Key": secret[:-1] + "x"}).status_code == 401


@pytest.mark.parametrize("role", ["viewer"])
def test_viewer_cannot_write(db: Database, client: TestClient, role: str) -> None:
    tenant = make_tenant(db, client, "ACME")
    r = client.post(
        "/api/v1/users",
        json={
            "username": "vera",
            "display_name": "Vera",
            "role": role,
            "password": "vera-password",
        },
        headers=tenant.headers,
    )
    assert r.status_code == 201
    from tests.conftest import login

    viewer = login(client, "vera", "vera-password")
    r = client.post("/api/v1/sites", json={"code": "S1", "name": "S", "kind": "dc"}, headers=viewer)
    assert r.status_code == 403
    assert client.get("/api/v1/sites", headers=viewer).status_code == 200


def test_passwords_are_stored_as_argon2(db: Database, client: TestClient) -> None:
    tenant = make_tenant(db, client, "ACME")
    with db.system() as uow:
        user = uow.session.scalar(select(User).where(User.username == tenant.username))
        assert user is not None
        assert user.password_hash.startswith("$argon2id$")
        assert tenant.password not in user.password_hash


def test_last_admin_cannot_lock_the_enterprise_out(db: Database, client: TestClient) -> None:
    tenant = make_tenant(db, client, "ACME")
    me = client.get("/api/v1/me", headers=tenant.headers).json()["user"]
    for change in ({"active": False}, {"role": "viewer"}):
        r = client.patch(f"/api/v1/users/{me['id']}", json=change, headers=tenant.headers)
        assert r.status_code == 409 and "last active admin" in r.json()["detail"]
    assert client.delete(f"/api/v1/users/{me['id']}", headers=tenant.headers).status_code == 409
    second = {"username": "root2", "display_name": "R", "role": "admin", "password": "root2-pass"}
    assert client.post("/api/v1/users", json=second, headers=tenant.headers).status_code == 201
    r = client.patch(f"/api/v1/users/{me['id']}", json={"role": "planner"}, headers=tenant.headers)
    assert r.status_code == 200


def test_cookie_session_needs_csrf_token_to_change_anything(
    db: Database, client: TestClient
) -> None:
    tenant = make_tenant(db, client, "ACME")
    token = tenant.headers["Authorization"].removeprefix("Bearer ")
    client.cookies.set("sm_session", token)
    assert client.get("/api/v1/me").status_code == 200
    site = {"code": "S1", "name": "S", "kind": "dc"}
    refused = client.post("/api/v1/sites", json=site)
    assert refused.status_code == 403 and "X-CSRF-Token" in refused.json()["detail"]
    client.cookies.set("sm_csrf", "t0k3n-value")
    assert (
        client.post("/api/v1/sites", json=site, headers={"X-CSRF-Token": "wrong"}).status_code
        == 403
    )
    ok = client.post("/api/v1/sites", json=site, headers={"X-CSRF-Token": "t0k3n-value"})
    assert ok.status_code == 201
