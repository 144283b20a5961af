"""Replenishment proposals on the tiny demo: MOQ and packs, edit, dismiss, release once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from supplymesh.collab.delivery_schedule import list_schedules
from supplymesh.inventory.model import Order, OrderKind, OrderLine, OrderStatus
from supplymesh.network.model import Enterprise
from supplymesh.platform.errors import IllegalTransition, StaleVersion
from supplymesh.platform.uow import Database
from supplymesh.replan.forecasting import ForecastRequest, run_forecast
from supplymesh.replan.model import ProposalState, ReplenishmentProposal
from supplymesh.replan.proposals import OrderRule, ReplenishRequest, run_replenishment
from supplymesh.replan.release import ProposalEdit, dismiss, edit, list_proposals, release
from tests.replan.conftest import context_of

ITEM = "HC-QN20P-WH"


def _plan(db: Database, rules: tuple[OrderRule, ...] = ()) -> list[int]:
    ctx = context_of(db)
    with db.unit_of_work(ctx) as uow:
        run_forecast(uow, ForecastRequest(horizon_days=14, item_codes=(ITEM,)))
        uow.commit()
    with db.unit_of_work(ctx) as uow:
        request = ReplenishRequest(rules=rules, paths=20, simulation_days=60)
        result = run_replenishment(uow, request)
        uow.commit()
        return [p.id for p in result.proposals]


def test_proposals_respect_moq_and_pack_multiples(demo_db: Database) -> None:
    ids = _plan(demo_db, (OrderRule(ITEM, moq=Decimal(250), pack_size=Decimal(24)),))
    assert ids, "28 days of demand must trigger at least one order per store"
    with demo_db.unit_of_work(context_of(demo_db)) as uow:
        proposals = list_proposals(uow, limit=500).items
        assert {p.id for p in proposals} == set(ids)
        for p in proposals:
            assert p.quantity >= 250
            assert p.quantity % 24 == 0
            assert p.need_date > p.order_date
            assert p.policy in ("base_stock", "s_S", "R_S", "min_max")
            assert p.state == ProposalState.PROPOSED
            assert "lead time" in p.reason


def _supplier(db: Database) -> int:
    with db.system() as uow:
        found = uow.session.scalar(select(Enterprise.id).where(Enterprise.code == "LFDIST"))
        assert found is not None
        return found


def test_release_places_exactly_one_purchase_order_even_when_retried(demo_db: Database) -> None:
    first = _plan(demo_db)[0]
    ctx = context_of(demo_db)
    with demo_db.unit_of_work(ctx) as uow:
        p = edit(uow, first, ProposalEdit(version=1, quantity=Decimal(37)))
        assert p.state == ProposalState.EDITED
        version = p.version
        uow.commit()
    for _ in range(3):
        with demo_db.unit_of_work(ctx) as uow:
            p = release(uow, first, version)
            uow.commit()
            order_id = p.order_id
    with demo_db.unit_of_work(ctx) as uow:
        pos = list(
            uow.session.scalars(select(Order).where(Order.note.like(f"%proposal {first} %")))
        )
        assert len(pos) == 1 and pos[0].id == order_id
        assert pos[0].kind == OrderKind.PURCHASE
        assert pos[0].status == OrderStatus.RELEASED
        assert pos[0].partner_enterprise_id == _supplier(demo_db)
        line = uow.session.scalar(select(OrderLine).where(OrderLine.order_id == order_id))
        assert line is not None and line.quantity == Decimal(37)
        # one delivery schedule (not one per retry) asks the supplier for the need date
        schedules = list_schedules(uow, order_id=order_id)
        assert len(schedules) == 1 and schedules[0].schedule.status == "sent"
        released = uow.session.get(ReplenishmentProposal, first)
        assert released is not None
        assert [(x.order_line_id, x.wanted_on, x.quantity) for x in schedules[0].lines] == [
            (line.id, released.need_date, Decimal(37))
        ]
        with pytest.raises(IllegalTransition) as exc:
            dismiss(uow, first)
        assert exc.value.current_state == "released"


def test_stale_edit_and_dismissed_release_are_refused(demo_db: Database) -> None:
    first, second = _plan(demo_db)[:2]
    ctx = context_of(demo_db)
    with demo_db.unit_of_work(ctx) as uow:
        dismiss(uow, second)
        uow.commit()
    with demo_db.unit_of_work(ctx) as uow:
        with pytest.raises(StaleVersion):
            edit(uow, first, ProposalEdit(version=7, quantity=Decimal(5)))
        with pytest.raises(IllegalTransition) as exc:
            release(uow, second)
        assert exc.value.allowed_transitions == []
        assert (
            uow.session.scalar(
                select(func.count())
                .select_from(Order)
                .where(Order.note.like("%replenishment proposal%"))
            )
            == 0
        )


def test_another_enterprise_sees_no_proposals(demo_db: Database) -> None:
    ids = _plan(demo_db)
    with demo_db.unit_of_work(context_of(demo_db, "HCE")) as uow:
        assert list_proposals(uow).total == 0
        assert uow.session.get(ReplenishmentProposal, ids[0]) is None
