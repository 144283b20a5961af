"""Settings and database for CLI commands, and acting as an enterprise's admin."""

from __future__ import annotations

from sqlalchemy import select

from supplymesh.bootstrap import build_database
from supplymesh.platform.errors import NotFound
from supplymesh.platform.settings import Settings
from supplymesh.platform.tenancy import TenantContext
from supplymesh.platform.uow import Database


def settings() -> Settings:
    return Settings()


def database() -> Database:
    return build_database(settings())


def enterprise_context(db: Database, code: str) -> TenantContext:
    """Act as the admin of the enterprise with `code` (the CLI is run by the operator)."""
    from supplymesh.network.model import Enterprise

    with db.system() as uow:
        ent = uow.session.scalar(select(Enterprise).where(Enterprise.code == code))
        if ent is None:
            raise NotFound("enterprise", code)
        ent_id = ent.id
    return db.context_for(ent_id, None, "admin")
