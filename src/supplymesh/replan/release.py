"""A planner's decisions on proposals: edit, dismiss, release into an order.

Releasing places a purchase order with the lane's origin enterprise (or, for a lane between
two of the caller's own sites, a transfer order), releases it and marks the proposal, all in
the caller's one transaction. A purchase order also goes out with a delivery schedule (送货计划)
naming the day the stock is needed, so the supplier answers the date in its inbox rather than
reading it from a note. A proposal already released answers with the order it made, so
a retried release never places a second order; two racing releases meet on the proposal's
version and one of them rolls back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from supplymesh.collab import delivery_schedule
from supplymesh.collab.delivery_schedule_schemas import ScheduleIn, ScheduleLineIn
from supplymesh.inventory import orders
from supplymesh.inventory.model import OrderKind
from supplymesh.inventory.schemas import OrderCreate, OrderLineIn
from supplymesh.network.model import Site
from supplymesh.platform import crud
from supplymesh.platform.crud import Page
from supplymesh.platform.errors import NotFound, StaleVersion, invalid
from supplymesh.platform.uow import UnitOfWork
from supplymesh.replan.model import ProposalState, ReplenishmentProposal


@dataclass(frozen=True)
class ProposalEdit:
    """New quantity and/or dates, based on `version`."""

    version: int
    quantity: Decimal | None = None
    order_date: date | None = None
    need_date: date | None = None


def get_proposal(uow: UnitOfWork, proposal_id: int) -> ReplenishmentProposal:
    """A proposal of the caller's (404 otherwise)."""
    p = uow.session.get(ReplenishmentProposal, proposal_id)
    if p is None:
        raise NotFound("ReplenishmentProposal", proposal_id)
    return p


def list_proposals(
    uow: UnitOfWork,
    state: str | None = None,
    item_id: int | None = None,
    site_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page:
    """The caller's proposals, earliest order date first."""
    query = select(ReplenishmentProposal)
    if state is not None:
        query = query.where(ReplenishmentProposal.state == state)
    if item_id is not None:
        query = query.where(ReplenishmentProposal.item_id == item_id)
    if site_id is not None:
        query = query.where(ReplenishmentProposal.site_id == site_id)
    total = crud.count(uow, query)
    found = uow.session.scalars(
        query.order_by(ReplenishmentProposal.order_date, ReplenishmentProposal.id)
        .offset(offset)
        .limit(limit)
    )
    return Page(list(found), total, offset, limit)


def _check_version(p: ReplenishmentProposal, expected: int | None) -> None:
    if expected is not None and expected != p.version:
        raise StaleVersion("ReplenishmentProposal", p.id, expected, p.version)


def edit(uow: UnitOfWork, proposal_id: int, change: ProposalEdit) -> ReplenishmentProposal:
    """Change quantity or dates; the proposal becomes `edited`."""
    p = get_proposal(uow, proposal_id)
    _check_version(p, change.version)
    if change.quantity is not None and change.quantity <= 0:
        raise invalid("quantity", f"must be > 0, got {change.quantity}")
    order_date = change.order_date or p.order_date
    need_date = change.need_date or p.need_date
    if need_date < order_date:
        raise invalid("need_date", f"{need_date} is before the order date {order_date}")
    p.transition(ProposalState.EDITED)
    if change.quantity is not None:
        p.quantity = change.quantity
    p.order_date, p.need_date = order_date, need_date
    uow.flush()
    return p


def dismiss(
    uow: UnitOfWork, proposal_id: int, expected_version: int | None = None
) -> ReplenishmentProposal:
    """Drop a proposal; it stays on record as dismissed."""
    p = get_proposal(uow, proposal_id)
    _check_version(p, expected_version)
    p.transition(ProposalState.DISMISSED)
    uow.flush()
    return p


def release(
    uow: UnitOfWork, proposal_id: int, expected_version: int | None = None
) -> ReplenishmentProposal:
    """Place and release the proposal's order; a released proposal is returned unchanged."""
    p = get_proposal(uow, proposal_id)
    if p.state == ProposalState.RELEASED and p.order_id is not None:
        return p
    _check_version(p, expected_version)
    p.transition(ProposalState.RELEASED)
    me = uow.ctx.enterprise_id
    internal = p.supplier_enterprise_id in (None, me)
    from_site = uow.session.get(Site, p.from_site_id) if p.from_site_id else None
    if internal and from_site is None:
        raise invalid("from_site_id", f"proposal {p.id} has no source site to transfer from")
    line = OrderLineIn(item_id=p.item_id, quantity=p.quantity, requested_date=p.need_date)
    cmd = OrderCreate(
        kind=OrderKind.TRANSFER if internal else OrderKind.PURCHASE,
        partner_enterprise_id=None if internal else p.supplier_enterprise_id,
        ship_from_site_id=from_site.id if from_site is not None else None,
        ship_to_site_id=p.site_id,
        order_date=p.order_date,
        requested_date=p.need_date,
        note=f"released from replenishment proposal {p.id} ({p.policy})",
        lines=[line],
    )
    draft = orders.create_order(uow, cmd)
    released = orders.release(uow, draft.order.id)
    p.order_id = released.order.id
    if not internal:
        delivery_schedule.send_schedule(
            uow,
            ScheduleIn(
                order_id=released.order.id,
                note=f"replenishment proposal {p.id}",
                lines=[
                    ScheduleLineIn(
                        order_line_id=released.lines[0].id,
                        wanted_on=p.need_date,
                        quantity=p.quantity,
                    )
                ],
            ),
        )
    uow.flush()
    return p
