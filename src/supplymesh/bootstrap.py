"""The one place that picks concrete classes and wires them together."""

from __future__ import annotations

from functools import lru_cache

from supplymesh.platform.db import Base, make_engine
from supplymesh.platform.events import EventBus
from supplymesh.platform.settings import Settings
from supplymesh.platform.uow import Database


def load_models() -> type[Base]:
    """Import every context's tables so the metadata (and Alembic) sees the whole schema."""
    import supplymesh.collab.delivery_schedule_model
    import supplymesh.collab.model
    import supplymesh.collab.outsourcing_model
    import supplymesh.collab.procurement_model
    import supplymesh.collab.receiving_model
    import supplymesh.collab.reconciliation_model
    import supplymesh.devices.alarm_model
    import supplymesh.devices.model
    import supplymesh.devices.opcua.model
    import supplymesh.inventory.model
    import supplymesh.logistics.model
    import supplymesh.network.model
    import supplymesh.notify.model
    import supplymesh.platform.audit
    import supplymesh.platform.auth
    import supplymesh.platform.events
    import supplymesh.platform.idempotency
    import supplymesh.platform.numbering
    import supplymesh.production.model
    import supplymesh.replan.model
    import supplymesh.trace.model
    import supplymesh.trace.waybill.model  # noqa: F401

    return Base


def build_database(settings: Settings, bus: EventBus | None = None) -> Database:
    """A `Database` for `settings`, with the network's grant loader; connects lazily."""
    from supplymesh.collab import webhooks
    from supplymesh.network.adapters.grants import load_grants
    from supplymesh.production import alarm_repair
    from supplymesh.trace import flows

    load_models()
    db = Database(make_engine(settings.resolved_database_url), bus=bus, grants_loader=load_grants)
    webhooks.install(db)
    alarm_repair.install(db)
    flows.install(db)
    return db


@lru_cache(maxsize=1)
def default_settings() -> Settings:
    return Settings()
