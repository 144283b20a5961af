"""An enterprise node answers from the platform's items, partner fields to partners only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from supplymesh.network.model import Item
from supplymesh.network.services import NewEnterprise, link_partners, register_enterprise
from supplymesh.platform.errors import NotFound
from supplymesh.platform.uow import Database
from supplymesh.trace.resolver.adapters.platform_db import item_records
from supplymesh.trace.resolver.grants import issue_token
from supplymesh.trace.resolver.model import Record
from supplymesh.trace.resolver.node import ResolverNode

SECRET = "acme-db-grant-secret-0123456789abcdef"


def enterprise(db: Database, code: str) -> int:
    spec = NewEnterprise(
        code=code, name=code, name_en=None, roles=["manufacturer"], uscc=None,
        admin_username=f"{code.lower()}.admin", admin_password="resolver-pass-1",
    )  # fmt: skip
    return register_enterprise(db, spec)[0].id


def test_items_with_gtins_become_records(db: Database) -> None:
    acme, beta = enterprise(db, "ACME"), enterprise(db, "BETA")
    enterprise(db, "GAMMA")
    with db.unit_of_work(db.context_for(acme, None, "admin")) as uow:
        uow.session.add_all(
            [
                Item(sku="PUMP", name="水泵", name_en="Pump", gtin="9520123456788",
                     price=Decimal("1280.50"), currency="CNY"),
                Item(sku="NOGTIN", name="No code"),
                Item(sku="BAD", name="Bad", gtin="9520123456789"),
            ]
        )  # fmt: skip
        link_partners(uow, beta, "customer")
        uow.commit()
    records = item_records(db, "ACME", data_url="https://acme.example/api/v1")
    assert [r.key for r in records] == ["(01)09520123456788"]
    node = ResolverNode("enterprise", [("gs1", "952", "9520123")], records=records,
                        grant_secrets={"ACME": SECRET})  # fmt: skip
    code = "https://id.gs1.org/01/09520123456788"
    public = node.answer(code)
    assert isinstance(public, Record)
    assert public.public == {"name": "水泵", "name_en": "Pump", "base_unit": "EA"}
    assert public.partner is None
    beta_view = node.answer(code, issue_token("ACME", "BETA", SECRET, 4e9))
    assert isinstance(beta_view, Record) and beta_view.partner is not None
    assert Decimal(beta_view.partner["price"]) == Decimal("1280.50")
    gamma_view = node.answer(code, issue_token("ACME", "GAMMA", SECRET, 4e9))
    assert isinstance(gamma_view, Record) and gamma_view.partner is None


def test_unknown_enterprise_is_not_found(db: Database) -> None:
    with pytest.raises(NotFound, match="enterprise NOPE not found"):
        item_records(db, "NOPE")
