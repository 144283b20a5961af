"""Which domain events notify whom: each rule turns one outbox event into `Intent`s.

Most shared documents are owned by the buyer with the supplier as partner; quotes are the
exception (owned by the supplier, addressed to the buyer). A rule therefore names the side
it tells — `owner` or `partner` of the event's row — rather than guessing from the actor.
Lookups (RFQ numbers, names) go through the session the consumer passes in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from supplymesh.collab.procurement_model import PurchaseOrderAck, Quote, Rfq
from supplymesh.collab.reconciliation_match import Tolerances, match
from supplymesh.collab.reconciliation_model import Invoice, Reconciliation
from supplymesh.inventory.model import Order
from supplymesh.network.model import Enterprise, User
from supplymesh.platform.events import OutboxEvent
from supplymesh.platform.tenancy import WRITE_ROLES, TenantContext
from supplymesh.platform.uow import UnitOfWork


@dataclass(frozen=True)
class Intent:
    """Tell `enterprise_id` (its acting users, or just `user_ids`) about something."""

    kind: str
    enterprise_id: int
    dedup_key: str
    params: dict[str, str] = field(default_factory=dict)
    link: str | None = None
    user_ids: tuple[int, ...] | None = None


Rule = Callable[[Session, OutboxEvent], list[Intent]]


def _name(session: Session, enterprise_id: int | None) -> str:
    ent = session.get(Enterprise, enterprise_id) if enterprise_id is not None else None
    return ent.name if ent is not None else f"#{enterprise_id}"


def _order_number(session: Session, order_id: Any) -> str:
    order = session.get(Order, int(order_id)) if order_id is not None else None
    return order.number if order is not None else f"#{order_id}"


class _Borrowed(UnitOfWork):
    """The consumer's own session seen as a unit of work, for use cases that only read."""

    def __init__(self, session: Session) -> None:
        self.ctx = TenantContext.system()
        self.session = session  # type: ignore[assignment]


def _both(ev: OutboxEvent) -> tuple[int | None, int | None]:
    return ev.enterprise_id, ev.partner_enterprise_id


def rfq_invited(session: Session, ev: OutboxEvent) -> list[Intent]:
    if ev.partner_enterprise_id is None:
        return []
    rfq = session.get(Rfq, int(ev.data.get("rfq_id", 0)))
    if rfq is None:
        return []
    params = {
        "rfq": rfq.number,
        "buyer": _name(session, ev.enterprise_id),
        "deadline": rfq.deadline.strftime("%Y-%m-%d %H:%M UTC"),
    }
    return [
        Intent(
            "rfq_invited",
            ev.partner_enterprise_id,
            f"rfq_invited:{ev.aggregate_id}",
            params,
            f"/inbox/rfqs/{rfq.id}",
        )
    ]


def quote_submitted(session: Session, ev: OutboxEvent) -> list[Intent]:
    """A new quote or a revision tells the buyer; the RFQ's author if known, else its team."""
    revision = ev.data.get("revision")
    if ev.partner_enterprise_id is None or revision is None:
        return []
    rfq = session.get(Rfq, int(ev.data.get("rfq_id") or 0)) if "rfq_id" in ev.data else None
    if rfq is None:
        quote = session.get(Quote, ev.aggregate_id)
        rfq = session.get(Rfq, quote.rfq_id) if quote is not None else None
    if rfq is None:
        return []
    author = (rfq.created_by_user_id,) if rfq.created_by_user_id else None
    return [
        Intent(
            "quote_submitted",
            ev.partner_enterprise_id,
            f"quote:{ev.aggregate_id}:r{revision}",
            {
                "rfq": rfq.number,
                "supplier": _name(session, ev.enterprise_id),
                "revision": str(revision),
            },
            f"/api/v1/rfqs/{rfq.id}/quotes",
            author,
        )
    ]


def po_released(session: Session, ev: OutboxEvent) -> list[Intent]:
    if ev.data.get("to") != "released" or ev.data.get("kind") != "purchase":
        return []
    if ev.partner_enterprise_id is None:
        return []
    return [
        Intent(
            "po_released",
            ev.partner_enterprise_id,
            f"po_released:{ev.aggregate_id}",
            {"order": str(ev.data.get("number")), "buyer": _name(session, ev.enterprise_id)},
            f"/inbox/purchase-orders/{ev.aggregate_id}",
        )
    ]


def po_changes_proposed(session: Session, ev: OutboxEvent) -> list[Intent]:
    if ev.data.get("to") != "changes_proposed" or ev.enterprise_id is None:
        return []
    ack = session.get(PurchaseOrderAck, ev.aggregate_id)
    order_id = ack.order_id if ack is not None else None
    return [
        Intent(
            "po_changes_proposed",
            ev.enterprise_id,
            f"po_changes:{ev.id}",
            {
                "order": _order_number(session, order_id),
                "supplier": _name(session, ev.partner_enterprise_id),
            },
            f"/api/v1/purchase-orders/{order_id}",
        )
    ]


def change_requested(session: Session, ev: OutboxEvent) -> list[Intent]:
    if ev.partner_enterprise_id is None:
        return []
    kind = "po_cancellation_requested" if ev.data.get("kind") == "cancel" else "po_change_requested"
    order_id = ev.data.get("order_id")
    return [
        Intent(
            kind,
            ev.partner_enterprise_id,
            f"change_order:{ev.aggregate_id}",
            {"order": _order_number(session, order_id), "buyer": _name(session, ev.enterprise_id)},
            f"/inbox/purchase-orders/{order_id}",
        )
    ]


def delivery_schedule_sent(session: Session, ev: OutboxEvent) -> list[Intent]:
    if ev.partner_enterprise_id is None:
        return []
    return [
        Intent(
            "delivery_schedule_sent",
            ev.partner_enterprise_id,
            f"schedule:{ev.aggregate_id}:r{ev.data.get('revision', 1)}",
            {
                "schedule": str(ev.data.get("number")),
                "order": _order_number(session, ev.data.get("order_id")),
                "buyer": _name(session, ev.enterprise_id),
            },
            f"/api/v1/delivery-schedules/{ev.aggregate_id}",
        )
    ]


def ship_notice_sent(session: Session, ev: OutboxEvent) -> list[Intent]:
    if ev.enterprise_id is None:
        return []
    return [
        Intent(
            "ship_notice_sent",
            ev.enterprise_id,
            f"asn:{ev.aggregate_id}",
            {
                "asn": str(ev.data.get("number")),
                "order": _order_number(session, ev.data.get("order_id")),
                "supplier": _name(session, ev.partner_enterprise_id),
                "arrival": str(ev.data.get("expected_arrival") or "?"),
            },
            f"/api/v1/ship-notices/{ev.aggregate_id}",
        )
    ]


def invoice_mismatch(session: Session, ev: OutboxEvent) -> list[Intent]:
    """Run the three-way match on the new invoice; any mismatch is told to both sides.

    The invoice's lines are written in the same transaction as the invoice, so by the time
    the event is read they are all there.
    """
    invoice = session.get(Invoice, ev.aggregate_id)
    if invoice is None:
        return []
    uow = _Borrowed(session)
    views = match(
        uow, invoice.enterprise_id, invoice.partner_enterprise_id, [invoice], Tolerances()
    )
    found = [m.kind for view in views for line in view.lines for m in line.mismatches]
    lines = sum(1 for view in views for line in view.lines if line.mismatches)
    if not found:
        return []
    params = {
        "invoice": invoice.number,
        "count": str(lines),
        "kinds": ", ".join(sorted(set(found))),
    }
    return [
        Intent(
            "invoice_mismatch",
            party,
            f"invoice_mismatch:{invoice.id}",
            params,
            f"/api/v1/invoices/{invoice.id}",
        )
        for party in _both(ev)
        if party is not None
    ]


#: statement state entered → (kind, which side is told)
STATEMENT_STEPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "submitted": ("statement_submitted", ("owner",)),
    "disputed": ("statement_disputed", ("partner",)),
    "agreed": ("statement_to_sign", ("owner", "partner")),
    "supplier_signed": ("statement_to_sign", ("owner",)),
    "buyer_signed": ("statement_to_sign", ("partner",)),
}


def statement_moved(session: Session, ev: OutboxEvent) -> list[Intent]:
    step = STATEMENT_STEPS.get(str(ev.data.get("to")))
    if step is None:
        return []
    kind, sides = step
    statement = session.get(Reconciliation, ev.aggregate_id)
    period = (
        f"{statement.period_from.isoformat()} – {statement.period_to.isoformat()}"
        if statement is not None
        else f"#{ev.aggregate_id}"
    )
    params = {
        "period": period,
        "buyer": _name(session, ev.enterprise_id),
        "supplier": _name(session, ev.partner_enterprise_id),
    }
    parties = {"owner": ev.enterprise_id, "partner": ev.partner_enterprise_id}
    return [
        Intent(
            kind, party, f"statement:{ev.id}", params, f"/api/v1/reconciliations/{ev.aggregate_id}"
        )
        for side in sides
        if (party := parties[side]) is not None
    ]


def alarm_raised(session: Session, ev: OutboxEvent) -> list[Intent]:
    """The alarm's owner (异常找人); with nobody named, the enterprise's acting users."""
    if ev.enterprise_id is None:
        return []
    owner = ev.data.get("escalate_to_user_id")
    params = {
        "device": str(ev.data.get("device_id")),
        "severity": str(ev.data.get("severity")),
        "message": str(ev.data.get("message")),
    }
    return [
        Intent(
            "alarm_raised",
            ev.enterprise_id,
            f"alarm:{ev.aggregate_id}",
            params,
            f"/api/v1/alarms/{ev.aggregate_id}",
            (int(owner),) if owner is not None else None,
        )
    ]


RULES: dict[str, Rule] = {
    "RfqInvitationCreated": rfq_invited,
    "QuoteCreated": quote_submitted,
    "QuoteUpdated": quote_submitted,
    "OrderStatusChanged": po_released,
    "PurchaseOrderStatusChanged": po_changes_proposed,
    "ChangeOrderCreated": change_requested,
    "DeliveryScheduleCreated": delivery_schedule_sent,
    "ShipNoticeCreated": ship_notice_sent,
    "InvoiceCreated": invoice_mismatch,
    "ReconciliationStatusChanged": statement_moved,
    "AlarmCreated": alarm_raised,
}


def intents_for(session: Session, event: OutboxEvent) -> list[Intent]:
    """What `event` should tell whom (nothing for most events)."""
    rule = RULES.get(event.type)
    return rule(session, event) if rule is not None else []


def recipients_of(session: Session, intent: Intent) -> list[int]:
    """The users to tell: those named (if still active members), else the acting roles."""
    query = select(User.id).where(User.enterprise_id == intent.enterprise_id, User.active.is_(True))
    if intent.user_ids is not None:
        query = query.where(User.id.in_(intent.user_ids))
    else:
        query = query.where(User.role.in_(sorted(WRITE_ROLES)))
    return [int(u) for u in session.scalars(query.order_by(User.id))]
