"""Small builders shared by API tests: two enterprises with admins, logged in."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.testclient import TestClient

from supplymesh.network.services import NewEnterprise, register_enterprise
from supplymesh.platform.uow import Database
from tests.conftest import login


@dataclass
class Tenant:
    id: int
    code: str
    username: str
    password: str
    headers: dict[str, str]


def make_tenant(
    db: Database, client: TestClient, code: str, roles: list[str] | None = None
) -> Tenant:
    username, password = f"{code.lower()}.admin", f"{code.lower()}-password"
    ent, _ = register_enterprise(
        db, NewEnterprise(code, f"{code} Co", roles or ["manufacturer"], username, password)
    )
    return Tenant(ent.id, code, username, password, login(client, username, password))
