"""Acting as the demo's retailer, which records daily demand at its three stores."""

from __future__ import annotations

from sqlalchemy import select

from supplymesh.network.model import Enterprise
from supplymesh.platform.tenancy import TenantContext
from supplymesh.platform.uow import Database

RETAILER = "YJRETAIL"


def context_of(db: Database, code: str = RETAILER, role: str = "admin") -> TenantContext:
    with db.system() as uow:
        ent_id = uow.session.scalar(select(Enterprise.id).where(Enterprise.code == code))
    assert ent_id is not None, code
    return db.context_for(ent_id, None, role)
