"""Domain events go to the outbox in the change's own transaction and reach subscribers."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from supplymesh.network.model import Site
from supplymesh.network.services import NewEnterprise, register_enterprise
from supplymesh.platform.events import DomainEvent, EventBus, OutboxEvent
from supplymesh.platform.uow import Database


def _enterprise(db: Database) -> int:
    ent, _ = register_enterprise(
        db, NewEnterprise("AAA", "A", ["retailer"], "a.admin", "password-a")
    )
    return ent.id


def _outbox(db: Database) -> list[OutboxEvent]:
    with db.system() as uow:
        return list(uow.session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))


def test_event_is_written_with_the_change_and_rolled_back_with_it(db: Database) -> None:
    ent = _enterprise(db)
    before = len(_outbox(db))
    with db.unit_of_work(db.context_for(ent, None, "admin")) as uow:
        uow.add(Site(code="S1", name="S1", kind="store"))
        uow.flush()
        inside = uow.session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type == "SiteCreated")
        )
        assert inside == 1  # same transaction as the insert of the site
    assert len(_outbox(db)) == before  # left without commit: both are gone


def test_named_and_generic_events_are_recorded_and_dispatched(db: Database) -> None:
    seen: list[tuple[str, int | None]] = []
    db.bus.subscribe("SiteCreated", lambda e: seen.append((e.type, e.aggregate_id)))
    db.bus.subscribe("SiteOpened", lambda e: seen.append((e.type, e.aggregate_id)))
    ent = _enterprise(db)
    with db.unit_of_work(db.context_for(ent, 42, "admin")) as uow:
        site = Site(code="S1", name="S1", kind="store")
        site.record(DomainEvent("SiteOpened", {"code": "S1"}))
        uow.add(site)
        uow.commit()
    assert sorted(seen) == sorted([("SiteCreated", site.id), ("SiteOpened", site.id)])
    rows = [e for e in _outbox(db) if e.aggregate == "Site"]
    assert {e.type for e in rows} == {"SiteCreated", "SiteOpened"}
    assert all(e.dispatched_at is not None and e.actor_user_id == 42 for e in rows)
    assert all(e.enterprise_id == ent for e in rows)


def test_failing_subscriber_keeps_the_event_for_retry(db: Database) -> None:
    calls: list[int] = []

    def flaky(event: OutboxEvent) -> None:
        calls.append(event.id)
        if len(calls) == 1:
            raise RuntimeError("webhook endpoint down")

    db.bus.subscribe("SiteCreated", flaky)
    ent = _enterprise(db)
    with db.unit_of_work(db.context_for(ent, None, "admin")) as uow:
        uow.add(Site(code="S1", name="S1", kind="store"))
        uow.commit()
    pending = [e for e in _outbox(db) if e.type == "SiteCreated"]
    assert pending[0].dispatched_at is None and "webhook endpoint down" in (
        pending[0].last_error or ""
    )
    assert db.bus.dispatch_pending(db.factory) >= 1
    done = [e for e in _outbox(db) if e.type == "SiteCreated"]
    assert done[0].dispatched_at is not None and done[0].attempts == 2
    assert calls == [done[0].id, done[0].id]


def test_bus_rejects_nothing_silently() -> None:
    bus = EventBus()
    with pytest.raises(TypeError):
        bus.subscribe()  # type: ignore[call-arg]


def test_secrets_never_enter_event_payloads(db: Database) -> None:
    _enterprise(db)
    users = [e for e in _outbox(db) if e.aggregate == "User"]
    assert users and all("password_hash" not in e.data for e in users)
    assert users[0].data["username"] == "a.admin"
