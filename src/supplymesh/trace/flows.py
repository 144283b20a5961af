"""EPCIS events from the platform's own flows, as a consumer of the outbox.

Every physical flow (shipping, receiving and QC in collab, outsourcing material issue and
stock-in, production reports, inventory transfers) already writes a `StockMovement`, and each
movement already produces a ``StockMovementCreated`` outbox event. Mapping those events here,
rather than in every service, keeps the services unaware of EPCIS and catches flows added
later. Each event is captured into the repository of the enterprise that owns the stock (and
so appended to that enterprise's ledger); its eventID is derived from the outbox event id, so
a redelivered outbox event is recognised as a duplicate by the EPCIS store.

Identifiers: lots are EPC classes ``urn:epc:class:lgtin:…`` of the item's GTIN (stock without
a lot is the GTIN's ``urn:epc:idpat:sgtin:…`` pattern); places are the site's SGLN. Our items
carry GTINs without their company prefix length, so URNs are written with a 7-digit company
prefix (`GCP_LENGTH`, the length of most Chinese prefixes); readers that match scanned codes
try every length (`candidate_classes`). Items without a GTIN have no GS1 identity and get no
event. Adjustments are bookkeeping, not movements of goods, and get none either.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from supplymesh.collab.receiving_model import ReceivingLine, ReceivingNotice, ShipNoticeLine
from supplymesh.inventory.model import StockMovement
from supplymesh.network.model import Item, Site
from supplymesh.platform.events import OutboxEvent
from supplymesh.platform.tenancy import TenantContext, TenantSession
from supplymesh.platform.uow import Database
from supplymesh.trace.epcis.store import EPCIS_CONTEXT_URL, iso_utc, store_events

log = logging.getLogger(__name__)

GCP_LENGTH = 7
EVENT_TYPE = "StockMovementCreated"
PRODUCTION_PREFIX = "WIP-"  # the reference of a production (progress) report's movements
_NAMESPACE = uuid.UUID("6f1d3a52-3c1e-5b8e-9a57-2f0c2d5e8a11")
_UOM = re.compile(r"^[A-Z0-9]{2,3}$")
_UNITS = {"pcs": "H87", "pc": "H87", "ea": "EA", "个": "H87", "件": "H87", "kg": "KGM", "g": "GRM"}
_UNITS |= {"t": "TNE", "m": "MTR", "l": "LTR", "set": "SET", "套": "SET", "箱": "CT"}
#: (bizStep, disposition) of goods arriving into a stock status
_ARRIVING = {
    "qc_hold": ("receiving", "in_progress"),
    "available": ("receiving", "active"),
    "blocked": ("receiving", "non_conformant"),
    "at_subcontractor": ("receiving", "in_progress"),
}
#: (bizStep, disposition) of a change of stock status at one site
_STATUS_CHANGES = {
    ("qc_hold", "available"): ("accepting", "active"),
    ("qc_hold", "blocked"): ("inspecting", "non_conformant"),
    ("blocked", "available"): ("accepting", "active"),
    ("available", "in_transit"): ("shipping", "in_transit"),
    ("in_transit", "available"): ("receiving", "active"),
}


def event_id(outbox_id: int, part: str = "") -> str:
    """The eventID of what outbox event `outbox_id` produced (stable, so capture dedups)."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'supplymesh-outbox:{outbox_id}{part}')}"


def _gtin14(gtin: str | None) -> str | None:
    digits = (gtin or "").strip()
    return digits.zfill(14) if digits.isdigit() and 8 <= len(digits) <= 14 else None


def epc_part(gtin14: str, gcp_length: int = GCP_LENGTH) -> str:
    return f"{gtin14[1 : 1 + gcp_length]}.{gtin14[0]}{gtin14[1 + gcp_length : 13]}"


def escape_component(value: str) -> str:
    """A lot or serial as an EPC URN component (TDS 14: escape what URNs reserve)."""
    return quote(value, safe="-_.*:,;=!'()+")


def lot_class(gtin: str | None, lot: str, gcp_length: int = GCP_LENGTH) -> str | None:
    """The EPC class of a lot (``urn:epc:class:lgtin:…``), or the GTIN's pattern if no lot."""
    g = _gtin14(gtin)
    if g is None:
        return None
    if not lot:
        return f"urn:epc:idpat:sgtin:{epc_part(g, gcp_length)}.*"
    return f"urn:epc:class:lgtin:{epc_part(g, gcp_length)}.{escape_component(lot)}"


def candidate_classes(gtin14: str, lot: str) -> list[str]:
    """The lot's class URN under every company prefix length (a scanned code does not say)."""
    return [
        f"urn:epc:class:lgtin:{epc_part(gtin14, n)}.{escape_component(lot)}" for n in range(6, 13)
    ]


def candidate_serials(gtin14: str, serial: str) -> list[str]:
    """The SGTIN URN of an item instance under every company prefix length."""
    return [
        f"urn:epc:id:sgtin:{epc_part(gtin14, n)}.{escape_component(serial)}" for n in range(6, 13)
    ]


def site_location(site: Site) -> str:
    """The site's SGLN (from its GLN), or our own site URN when it has no GLN."""
    gln = (site.gln or "").strip()
    if len(gln) == 13 and gln.isdigit():
        return f"urn:epc:id:sgln:{gln[:GCP_LENGTH]}.{gln[GCP_LENGTH:12]}.0"
    return f"urn:supplymesh:site:{site.id}"


def site_of_location(location: str) -> tuple[str, str] | None:
    """("gln12", digits) or ("id", site id) for a location URN written by `site_location`."""
    if location.startswith("urn:epc:id:sgln:"):
        parts = location.removeprefix("urn:epc:id:sgln:").split(".")
        if len(parts) == 3 and (parts[0] + parts[1]).isdigit():
            return "gln12", parts[0] + parts[1]
        return None
    if location.startswith("urn:supplymesh:site:"):
        return "id", location.removeprefix("urn:supplymesh:site:")
    return None


def _uom(base_unit: str | None) -> str | None:
    unit = (base_unit or "").strip()
    if _UOM.match(unit):
        return unit
    return _UNITS.get(unit.lower())


def _quantity(value: Decimal) -> int | float:
    # EPCIS quantities are JSON numbers; whole numbers stay exact as integers.
    return int(value) if value == value.to_integral_value() else float(value)


def _offset(site: Site, when: datetime) -> str:
    try:
        delta = when.astimezone(ZoneInfo(site.timezone or "UTC")).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        delta = None
    minutes = int(delta.total_seconds() // 60) if delta is not None else 0
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


class _Lookup:
    """Reads (system scope, read-only) of what a movement refers to, cached per event."""

    def __init__(self, session: TenantSession) -> None:
        self.session = session
        self.items: dict[int, Item | None] = {}
        self.sites: dict[int, Site | None] = {}

    def item(self, item_id: int | None) -> Item | None:
        if item_id is None:
            return None
        if item_id not in self.items:
            self.items[item_id] = self.session.get(Item, item_id)
        return self.items[item_id]

    def site(self, site_id: int | None) -> Site | None:
        if site_id is None:
            return None
        if site_id not in self.sites:
            self.sites[site_id] = self.session.get(Site, site_id)
        return self.sites[site_id]

    def movements(self, reference: str, kind: str) -> list[StockMovement]:
        return list(
            self.session.scalars(
                select(StockMovement)
                .where(StockMovement.reference == reference, StockMovement.kind == kind)
                .order_by(StockMovement.id)
            )
        )

    def supplier_lot(self, m: StockMovement) -> tuple[Item, str] | None:
        """The supplier's item and lot a receipt came from, when it left supplier stock."""
        notice = self.session.scalar(
            select(ReceivingNotice).where(
                ReceivingNotice.number == m.reference,
                ReceivingNotice.enterprise_id == m.enterprise_id,
            )
        )
        if notice is None:
            return None
        for line in self.session.scalars(
            select(ReceivingLine).where(
                ReceivingLine.receiving_notice_id == notice.id,
                ReceivingLine.item_id == m.item_id,
                ReceivingLine.lot == m.lot,
            )
        ):
            shipped = self.session.get(ShipNoticeLine, line.ship_notice_line_id)
            if shipped is not None and shipped.supplier_item_id is not None:
                item = self.item(shipped.supplier_item_id)
                if item is not None:
                    return item, shipped.lot
        return None


def _quantity_entry(item: Item, lot: str, quantity: Decimal) -> dict[str, Any] | None:
    epc_class = lot_class(item.gtin, lot)
    if epc_class is None:
        return None
    entry: dict[str, Any] = {"epcClass": epc_class, "quantity": _quantity(quantity)}
    if (uom := _uom(item.base_unit)) is not None:
        entry["uom"] = uom
    return entry


def _base(
    kind: str, outbox: OutboxEvent, m: StockMovement, site: Site, part: str = ""
) -> dict[str, Any]:
    when = m.at if m.at.tzinfo else m.at.replace(tzinfo=UTC)
    where = site_location(site)
    event: dict[str, Any] = {
        "type": kind,
        "eventID": event_id(outbox.id, part),
        "eventTime": iso_utc(when.astimezone(UTC)),
        "eventTimeZoneOffset": _offset(site, when),
        "readPoint": {"id": where},
        "bizLocation": {"id": where},
    }
    if m.reference:
        ref = f"urn:supplymesh:ref:{m.enterprise_id}:{escape_component(m.reference)}"
        event["bizTransactionList"] = [{"bizTransaction": ref}]
    return event


def _step(m: StockMovement) -> tuple[str, str] | None:
    if m.from_status is None and m.to_status is not None:
        return _ARRIVING.get(m.to_status, ("receiving", "active"))
    if m.to_status is None and m.from_status == "in_transit":
        return None  # the goods left when they went in transit; the arrival is the news
    if m.to_status is None and m.from_status is not None:
        return ("shipping", "returned" if m.from_status == "blocked" else "in_transit")
    if m.from_status is not None and m.to_status is not None:
        default = ("holding", "unavailable") if m.to_status == "blocked" else ("storing", "active")
        return _STATUS_CHANGES.get((m.from_status, m.to_status), default)
    return None


def _production(look: _Lookup, outbox: OutboxEvent, m: StockMovement) -> list[dict[str, Any]]:
    """One TransformationEvent per production report: consumed lots in, made lots out."""
    assert m.reference is not None
    outputs = look.movements(m.reference, "receipt")
    if m.kind == "issue" and outputs:
        return []  # the report's output receipt carries the whole transformation
    inputs = look.movements(m.reference, "issue")
    made = [m] if m.kind == "receipt" else []
    site = look.site(m.site_id)
    if site is None:
        return []
    event = _base("TransformationEvent", outbox, m, site)
    event["bizStep"], event["disposition"] = "commissioning", "active"
    for key, moves in (("inputQuantityList", inputs), ("outputQuantityList", made)):
        entries = []
        for move in moves:
            item = look.item(move.item_id)
            if item is not None and (q := _quantity_entry(item, move.lot, move.quantity)):
                entries.append(q)
        if entries:
            event[key] = entries
    if "inputQuantityList" not in event and "outputQuantityList" not in event:
        return []
    return [event]


def events_for(look: _Lookup, outbox: OutboxEvent) -> tuple[int, list[dict[str, Any]]]:
    """(owning enterprise, EPCIS events) for one ``StockMovementCreated`` outbox event."""
    m = look.session.get(StockMovement, int(outbox.data.get("id") or outbox.aggregate_id or 0))
    if m is None or m.kind == "adjustment":
        return 0, []
    if m.reference and m.reference.startswith(PRODUCTION_PREFIX):
        return m.enterprise_id, _production(look, outbox, m)
    item, site, step = look.item(m.item_id), look.site(m.site_id), _step(m)
    if item is None or site is None or step is None:
        return 0, []
    quantity = _quantity_entry(item, m.lot, m.quantity)
    if quantity is None:
        return 0, []
    event = _base("ObjectEvent", outbox, m, site)
    event |= {"action": "OBSERVE", "bizStep": step[0], "disposition": step[1]}
    event["epcList"], event["quantityList"] = [], [quantity]
    events = [event]
    if m.kind == "receipt" and m.reference:
        source = look.supplier_lot(m)
        if source is not None:
            entry = _quantity_entry(source[0], source[1], m.quantity)
            if entry is not None and entry["epcClass"] != quantity["epcClass"]:
                # The supplier's lot, booked under our item: the identity changes here.
                link = _base("TransformationEvent", outbox, m, site, ":source")
                link |= {"bizStep": "receiving", "disposition": step[1]}
                link["inputQuantityList"], link["outputQuantityList"] = [entry], [quantity]
                events.append(link)
    return m.enterprise_id, events


def document(events: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The EPCISDocument carrying `events` (what a partner would be sent)."""
    return {
        "@context": [EPCIS_CONTEXT_URL],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": iso_utc(datetime.now(UTC)),
        "epcisBody": {"eventList": list(events)},
    }


def capture_movement(db: Database, outbox: OutboxEvent) -> int:
    """Capture the EPCIS events of one outbox event; returns how many were new."""
    with db.factory(info={"tenant": TenantContext.system()}) as session:
        owner, events = events_for(_Lookup(session), outbox)
    if not events:
        return 0
    ctx = TenantContext(enterprise_id=owner, role="operator")
    with db.unit_of_work(ctx) as uow:
        # Captured events are bookkeeping of a movement that was news already: no outbox rows.
        uow.session.info["bulk"] = True
        result = store_events(uow, events, None)
        uow.commit()
    return len(result.captured)


def install(db: Database) -> None:
    """Hang the mapping on the event bus: every committed stock movement becomes EPCIS."""

    def on_movement(event: OutboxEvent) -> None:
        capture_movement(db, event)

    db.bus.subscribe(EVENT_TYPE, on_movement)
