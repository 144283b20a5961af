"""Storing captured EPCIS events: the row, the EPC index, idempotency and the ledger entry.

Each event is stored in its canonical JSON form (sorted keys, no spaces; ``recordTime`` is
ours, so a sent one is dropped) and keyed by the SHA-256 of its eventID, or of its canonical
form when it has none, so a resend is recognised. The ledger entry of an event commits to
the SHA-256 of that canonical form rather than carrying the event: a ledger bundle proves
what was captured and when without disclosing the events themselves.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select

from supplymesh.platform.db import utcnow
from supplymesh.platform.errors import FieldError, ValidationFailed
from supplymesh.platform.types import QUANTITY_PLACES, PrecisionError, to_decimal
from supplymesh.platform.uow import UnitOfWork
from supplymesh.trace.ledger.store import append_entries
from supplymesh.trace.model import EpcisEvent, EpcisEventEpc

MAX_VALUE = 300  # identifiers kept in indexed columns (String(300))
EPCIS_CONTEXT_URL = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
_CBV_PREFIXES = {
    "bizStep": ("urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-"),
    "disposition": ("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"),
}
EPC_ROLES = {
    "epcList": "epc",
    "parentID": "parent",
    "childEPCs": "child",
    "inputEPCList": "input",
    "outputEPCList": "output",
}
QUANTITY_ROLES = {
    "quantityList": "quantity",
    "childQuantityList": "child_quantity",
    "inputQuantityList": "input_quantity",
    "outputQuantityList": "output_quantity",
}


def cbv_word(vocabulary: str, value: str | None) -> str | None:
    """The bare CBV word for a CBV URN or URI (``…:bizstep:receiving`` → ``receiving``)."""
    if value is None:
        return None
    for prefix in _CBV_PREFIXES.get(vocabulary, ()):
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


def canonical(event: dict[str, Any]) -> str:
    """Sorted keys, no spaces, UTF-8 text: what the event hash and the stored form use."""
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def iso_utc(value: datetime) -> str:
    """RFC 3339 in UTC with milliseconds and ``Z``."""
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _quantity(value: object) -> Decimal | None:
    try:
        return to_decimal(str(value), QUANTITY_PLACES, "quantity")
    except PrecisionError:
        return None  # the document keeps the exact value; the index only what fits


def index_rows(event: dict[str, Any]) -> Iterator[tuple[str, str, Decimal | None, str | None]]:
    """(epc, role, quantity, uom) for every EPC and EPC class the event names."""
    for key, role in EPC_ROLES.items():
        value = event.get(key)
        for epc in [value] if isinstance(value, str) else value or []:
            yield str(epc), role, None, None
    for key, role in QUANTITY_ROLES.items():
        for q in event.get(key) or []:
            qty = q.get("quantity")
            yield str(q["epcClass"]), role, None if qty is None else _quantity(qty), q.get("uom")


@dataclass(frozen=True)
class PreparedEvent:
    """An event ready to store: its key, hash, query columns and canonical document."""

    key: str
    event_id: str | None
    event_hash: str
    document: dict[str, Any]

    @classmethod
    def of(cls, event: dict[str, Any]) -> PreparedEvent:
        doc = {k: v for k, v in event.items() if k != "recordTime"}
        text = canonical(doc)
        event_hash = _sha256(text)
        event_id = doc.get("eventID")
        key = _sha256(f"eventID\x00{event_id}") if event_id else _sha256(f"event\x00{text}")
        return cls(key, event_id, event_hash, json.loads(text))

    def problems(self, where: str) -> list[FieldError]:
        """What this (schema-valid) event has that our columns cannot hold."""
        d, found = self.document, []
        try:
            datetime.fromisoformat(d["eventTime"])
        except ValueError:
            found.append(FieldError(f"{where}/eventTime", f"{d['eventTime']!r} is not usable"))
        values = [
            ("eventID", self.event_id),
            ("bizStep", d.get("bizStep")),
            ("disposition", d.get("disposition")),
            ("readPoint/id", (d.get("readPoint") or {}).get("id")),
            ("bizLocation/id", (d.get("bizLocation") or {}).get("id")),
            *((f"EPC ({role})", epc) for epc, role, _, _ in index_rows(d)),
        ]
        found += [
            FieldError(f"{where}/{name}", f"longer than {MAX_VALUE} characters: {v[:40]!r}…")
            for name, v in values
            if isinstance(v, str) and len(v) > MAX_VALUE
        ]
        return found

    def row(self, context: Any, record_time: datetime) -> EpcisEvent:
        d = self.document
        when = datetime.fromisoformat(d["eventTime"])
        return EpcisEvent(
            event_key=self.key,
            event_id=self.event_id,
            event_hash=self.event_hash,
            event_type=d["type"],
            event_time=when,
            event_time_zone_offset=d["eventTimeZoneOffset"],
            record_time=record_time,
            action=d.get("action"),
            biz_step=cbv_word("bizStep", d.get("bizStep")),
            disposition=cbv_word("disposition", d.get("disposition")),
            read_point=(d.get("readPoint") or {}).get("id"),
            biz_location=(d.get("bizLocation") or {}).get("id"),
            document=d,
            context=context,
        )

    def ledger_entry(self, record_time: datetime) -> dict[str, Any]:
        return {
            "kind": "epcis-event",
            "eventKey": self.key,
            "eventID": self.event_id,
            "type": self.document["type"],
            "eventTime": self.document["eventTime"],
            "recordTime": iso_utc(record_time),
            "sha256": self.event_hash,
        }


@dataclass(frozen=True)
class CaptureResult:
    """What a capture did: new events (keys and ledger indexes) and duplicates skipped."""

    captured: tuple[str, ...]
    duplicates: tuple[str, ...]
    ledger_indexes: tuple[int, ...]
    record_time: datetime

    def to_json(self) -> dict[str, object]:
        """The API shape."""
        return {
            "captured": len(self.captured),
            "duplicates": len(self.duplicates),
            "eventKeys": list(self.captured),
            "duplicateKeys": list(self.duplicates),
            "ledgerIndexes": list(self.ledger_indexes),
            "recordTime": iso_utc(self.record_time),
        }


def store_events(uow: UnitOfWork, events: Sequence[dict[str, Any]], context: Any) -> CaptureResult:
    """Store the new events of one validated document in the caller's unit of work."""
    prepared: dict[str, PreparedEvent] = {}
    duplicates: list[str] = []
    problems: list[FieldError] = []
    for n, event in enumerate(events):
        p = PreparedEvent.of(event)
        problems += p.problems(f"epcisBody/eventList/{n}")
        if p.key in prepared:
            duplicates.append(p.key)
        else:
            prepared[p.key] = p
    if problems:
        raise ValidationFailed(problems, "EPCIS document rejected")
    known = set(
        uow.session.scalars(
            select(EpcisEvent.event_key).where(
                EpcisEvent.enterprise_id == uow.ctx.enterprise_id,
                EpcisEvent.event_key.in_(list(prepared)),
            )
        )
    )
    duplicates += [k for k in prepared if k in known]
    new = [p for k, p in prepared.items() if k not in known]
    record_time = utcnow()
    indexes = append_entries(uow, [p.ledger_entry(record_time) for p in new])
    rows = [p.row(context, record_time) for p in new]
    for row, index in zip(rows, indexes, strict=True):
        row.ledger_index = index
    uow.session.add_all(rows)
    uow.flush()
    epcs = [
        {
            "enterprise_id": uow.ctx.enterprise_id,
            "event_pk": row.id,
            "epc": epc,
            "role": role,
            "quantity": qty,
            "uom": uom,
        }
        for row, p in zip(rows, new, strict=True)
        for epc, role, qty, uom in index_rows(p.document)
    ]
    if epcs:  # bulk: index rows are no news of their own (the event row is)
        uow.session.execute(insert(EpcisEventEpc), epcs)
    return CaptureResult(tuple(p.key for p in new), tuple(duplicates), tuple(indexes), record_time)
