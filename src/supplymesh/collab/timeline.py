"""One order end to end (一单到底): every document and move linked to it, in time order.

The entries come from the recorded document transitions (the RFQ invitation and the quote the
order came from, the order's acknowledgement, line answers and change orders, its ship notices,
receipts and QC, the supplier invoices that bill its lines and the reconciliation statements
whose period covers those invoices) and from the
outbox for what the inventory context does on its own (the order's creation and status
changes, its shipments). Everything is read in the caller's scope, so each party sees the
entries of documents it may see; actors (enterprise and user names) are looked up for exactly
the entries shown.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select

from supplymesh.collab.procurement_model import DocumentTransition, RfqAward
from supplymesh.collab.purchasing_schemas import Timeline, TimelineEntry
from supplymesh.collab.reconciliation_model import Invoice, InvoiceLine, Reconciliation
from supplymesh.inventory.model import Order, OrderLine, Shipment
from supplymesh.network.model import Enterprise, User
from supplymesh.platform.errors import NotFound
from supplymesh.platform.events import OutboxEvent
from supplymesh.platform.tenancy import TenantContext
from supplymesh.platform.uow import UnitOfWork

_OUTBOX_TYPES = ("OrderCreated", "OrderStatusChanged", "ShipmentCreated", "ShipmentStatusChanged")


def _transitions(uow: UnitOfWork, order: Order) -> list[DocumentTransition]:
    awards = list(uow.session.scalars(select(RfqAward).where(RfqAward.order_id == order.id)))
    rfq_ids = sorted({a.rfq_id for a in awards})
    quote_ids = sorted({a.quote_id for a in awards})
    T = DocumentTransition
    linked = T.order_id == order.id
    if rfq_ids:
        linked = or_(
            linked,
            and_(
                T.rfq_id.in_(rfq_ids),
                or_(
                    T.document_kind == "rfq",
                    and_(
                        T.document_kind == "rfq_invitation",
                        T.partner_enterprise_id == order.partner_enterprise_id,
                    ),
                    and_(T.document_kind == "quote", T.document_id.in_(quote_ids)),
                ),
            ),
        )
    billing = _billing(uow, order)
    if billing:
        linked = or_(linked, *billing)
    return list(uow.session.scalars(select(T).where(linked).order_by(T.at, T.id)))


def _billing(uow: UnitOfWork, order: Order) -> list[ColumnElement[bool]]:
    """Conditions for the invoices billing the order's lines and the statements covering them."""
    line_ids = select(OrderLine.id).where(OrderLine.order_id == order.id)
    invoices = list(
        uow.session.execute(
            select(Invoice.id, Invoice.issue_date).where(
                Invoice.id.in_(
                    select(InvoiceLine.invoice_id).where(InvoiceLine.order_line_id.in_(line_ids))
                )
            )
        )
    )
    if not invoices:
        return []
    T = DocumentTransition
    dates = [issued for _id, issued in invoices]
    statements = select(Reconciliation.id).where(
        Reconciliation.enterprise_id == order.enterprise_id,
        Reconciliation.partner_enterprise_id == order.partner_enterprise_id,
        or_(*(and_(Reconciliation.period_from <= d, Reconciliation.period_to >= d) for d in dates)),
    )
    return [
        and_(T.document_kind == "invoice", T.document_id.in_([i for i, _d in invoices])),
        and_(T.document_kind == "reconciliation", T.document_id.in_(statements)),
    ]


def _outbox(uow: UnitOfWork, order: Order) -> list[OutboxEvent]:
    shipment_ids = list(
        uow.session.scalars(select(Shipment.id).where(Shipment.order_id == order.id))
    )
    E = OutboxEvent
    query = select(E).where(
        E.type.in_(_OUTBOX_TYPES),
        or_(
            and_(E.aggregate == "Order", E.aggregate_id == order.id),
            and_(E.aggregate == "Shipment", E.aggregate_id.in_(shipment_ids)),
        ),
    )
    return list(uow.session.scalars(query.order_by(E.id)))


def _states(event: OutboxEvent) -> tuple[str | None, str]:
    if event.type.endswith("Created"):
        return None, str(event.data.get("status", "created"))
    return event.data.get("from"), str(event.data.get("to"))


def order_timeline(uow: UnitOfWork, order_id: int) -> Timeline:
    """The order's timeline for either party (404 to anyone else)."""
    order = uow.session.get(Order, order_id)
    if order is None:
        raise NotFound("Order", order_id)
    rows: list[tuple[datetime, int, TimelineEntry]] = []
    moves = _transitions(uow, order)
    recorded = {(m.from_state, m.to_state) for m in moves if m.document_kind == "order"}
    events = _outbox(uow, order)
    people = _actors(uow, [m.actor_user_id for m in moves] + [e.actor_user_id for e in events])
    enterprises = {m.actor_enterprise_id for m in moves} | {e.enterprise_id for e in events}
    codes = _codes(uow, enterprises | {who[0] for who in people.values()})
    for m in moves:
        rows.append(
            (
                m.at,
                0,
                TimelineEntry(
                    at=m.at,
                    document_kind=m.document_kind,
                    document_id=m.document_id,
                    from_state=m.from_state,
                    to_state=m.to_state,
                    actor_enterprise_id=m.actor_enterprise_id,
                    actor_enterprise_code=codes.get(m.actor_enterprise_id),
                    actor_user_id=m.actor_user_id,
                    actor_username=people.get(m.actor_user_id or 0, (0, None))[1],
                    note=m.note,
                ),
            )
        )
    for e in events:
        kind = "order" if e.aggregate == "Order" else "shipment"
        start, end = _states(e)
        if kind == "order" and (start, end) in recorded:
            continue  # the collaboration context recorded this move with its real actor
        who = people.get(e.actor_user_id or 0)
        actor_enterprise = who[0] if who else e.enterprise_id
        rows.append(
            (
                e.occurred_at,
                1,
                TimelineEntry(
                    at=e.occurred_at,
                    document_kind=kind,
                    document_id=e.aggregate_id or 0,
                    from_state=start,
                    to_state=end,
                    actor_enterprise_id=actor_enterprise,
                    actor_enterprise_code=codes.get(actor_enterprise or 0),
                    actor_user_id=e.actor_user_id,
                    actor_username=who[1] if who else None,
                    note=str(e.data["number"]) if "number" in e.data else None,
                ),
            )
        )
    rows.sort(key=lambda r: (r[0], r[1]))
    return Timeline(order_id=order.id, number=order.number, entries=[r[2] for r in rows])


def _actors(uow: UnitOfWork, user_ids: list[int | None]) -> dict[int, tuple[int, str | None]]:
    """Enterprise and username of the people behind the entries the caller already sees."""
    wanted = sorted({u for u in user_ids if u is not None})
    if not wanted:
        return {}
    with uow.db.factory(info={"tenant": TenantContext.system()}) as session:
        rows = session.execute(
            select(User.id, User.enterprise_id, User.username).where(User.id.in_(wanted))
        ).all()
    return {int(r[0]): (int(r[1]), str(r[2])) for r in rows}


def _codes(uow: UnitOfWork, ids: set[int | None]) -> dict[int, str]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    with uow.db.factory(info={"tenant": TenantContext.system()}) as session:
        rows = session.execute(
            select(Enterprise.id, Enterprise.code).where(Enterprise.id.in_(wanted))
        ).all()
    return {int(r[0]): str(r[1]) for r in rows}
