"""Alembic environment: the URL comes from the caller's config or the settings."""

from __future__ import annotations

from typing import Any

from alembic import context

from supplymesh.bootstrap import load_models
from supplymesh.platform.db import make_engine
from supplymesh.platform.settings import Settings

config = context.config


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write our column types as their plain storage types, so migrations never import them."""
    from supplymesh.platform.db import UTCDateTime
    from supplymesh.platform.types import _ScaledDecimal

    if type_ == "type" and isinstance(obj, _ScaledDecimal):
        return "sa.BigInteger()"
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


CONFIGURE = {"render_as_batch": True, "render_item": render_item, "compare_type": True}
target_metadata = load_models().metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, **CONFIGURE)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url") or Settings().resolved_database_url
    engine = make_engine(url)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, **CONFIGURE)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
