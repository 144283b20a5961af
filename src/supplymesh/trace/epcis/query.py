"""The EPCIS 2.0 SimpleEventQuery over stored events, answered as an EPCISQueryDocument.

Parameters follow EPCIS 2.0 section 8.2.7.1 (REST binding: one query-string parameter each,
several values comma-separated): ``eventType``, ``GE_/LT_eventTime``, ``GE_/LT_recordTime``,
``EQ_bizStep``, ``EQ_disposition``, ``EQ_readPoint``, ``EQ_bizLocation``, ``EQ_action``,
``EQ_eventID``, ``MATCH_epc`` (epcList and childEPCs), ``MATCH_parentID``,
``MATCH_inputEPC``, ``MATCH_outputEPC``, ``MATCH_anyEPC`` and the ``…EPCClass`` variants,
``perPage`` and ``nextPageToken``. An unknown parameter is an error, as the standard asks.
EPC pure-identity patterns (``urn:epc:idpat:sgtin:0614141.*.*``) match by prefix.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select

from supplymesh.platform.db import utcnow
from supplymesh.platform.errors import FieldError, ValidationFailed
from supplymesh.platform.uow import UnitOfWork
from supplymesh.trace.epcis.store import EPCIS_CONTEXT_URL, cbv_word, iso_utc
from supplymesh.trace.model import EpcisEvent, EpcisEventEpc

MAX_PER_PAGE = 1000
DEFAULT_PER_PAGE = 100
MATCH_ROLES: dict[str, tuple[str, ...]] = {
    "MATCH_epc": ("epc", "child"),
    "MATCH_parentID": ("parent",),
    "MATCH_inputEPC": ("input",),
    "MATCH_outputEPC": ("output",),
    "MATCH_anyEPC": ("epc", "child", "parent", "input", "output"),
    "MATCH_epcClass": ("quantity", "child_quantity"),
    "MATCH_inputEPCClass": ("input_quantity",),
    "MATCH_outputEPCClass": ("output_quantity",),
    "MATCH_anyEPCClass": ("quantity", "child_quantity", "input_quantity", "output_quantity"),
}
_EQ_COLUMNS = {
    "EQ_bizStep": "biz_step",
    "EQ_disposition": "disposition",
    "EQ_readPoint": "read_point",
    "EQ_bizLocation": "biz_location",
    "EQ_action": "action",
    "EQ_eventID": "event_id",
}
_TIMES = {
    "GE_eventTime": ("event_time", True),
    "LT_eventTime": ("event_time", False),
    "GE_recordTime": ("record_time", True),
    "LT_recordTime": ("record_time", False),
}
KNOWN = frozenset({"eventType", "perPage", "nextPageToken", *MATCH_ROLES, *_EQ_COLUMNS, *_TIMES})


@dataclass(frozen=True)
class EventQuery:
    """A parsed SimpleEventQuery."""

    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    times: dict[str, datetime] = field(default_factory=dict)
    per_page: int = DEFAULT_PER_PAGE
    after: int = 0

    def fingerprint(self) -> str:
        """What a page token is bound to: the filters, not the page size or position."""
        text = json.dumps(
            [sorted(self.values.items()), sorted((k, v.isoformat()) for k, v in self.times.items())]
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _token(query: EventQuery, after: int) -> str:
    raw = json.dumps({"after": after, "q": query.fingerprint()}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse(params: Sequence[tuple[str, str]]) -> EventQuery:
    """Parse query-string pairs; raise `ValidationFailed` naming every bad parameter."""
    errors: list[FieldError] = []
    values: dict[str, list[str]] = {}
    times: dict[str, datetime] = {}
    per_page, token = DEFAULT_PER_PAGE, None
    for name, raw in params:
        if name not in KNOWN:
            errors.append(FieldError(name, "not a SimpleEventQuery parameter"))
        elif name == "perPage":
            if not raw.isdigit() or not 1 <= int(raw) <= MAX_PER_PAGE:
                errors.append(FieldError(name, f"{raw!r} is not a whole number 1..{MAX_PER_PAGE}"))
            else:
                per_page = int(raw)
        elif name == "nextPageToken":
            token = raw
        elif name in _TIMES:
            try:
                when = datetime.fromisoformat(raw.replace(" ", "+"))
            except ValueError:
                when = None
            if when is None or when.tzinfo is None:
                errors.append(FieldError(name, f"{raw!r} is not a timestamp with a time zone"))
            else:
                times[name] = when
        else:
            values.setdefault(name, []).extend(v.strip() for v in raw.split(",") if v.strip())
    query = EventQuery({k: tuple(v) for k, v in values.items()}, times, per_page)
    if token is not None:
        try:
            padded = token + "=" * (-len(token) % 4)
            decoded = json.loads(base64.urlsafe_b64decode(padded))
            after = int(decoded["after"])
            if decoded["q"] != query.fingerprint():
                errors.append(FieldError("nextPageToken", "the token belongs to another query"))
        except (ValueError, KeyError, TypeError):
            errors.append(FieldError("nextPageToken", f"{token!r} is not a page token"))
            after = 0
        query = EventQuery(query.values, query.times, per_page, after)
    if errors:
        raise ValidationFailed(errors, "query rejected")
    return query


def _epc_clause(values: Sequence[str]) -> ColumnElement[bool]:
    clauses: list[ColumnElement[bool]] = []
    exact = [v for v in values if not v.startswith("urn:epc:idpat:")]
    if exact:
        clauses.append(EpcisEventEpc.epc.in_(exact))
    for pattern in values:
        if pattern.startswith("urn:epc:idpat:"):
            like = "urn:epc:id:" + pattern.removeprefix("urn:epc:idpat:").replace("*", "%")
            clauses.append(EpcisEventEpc.epc.like(like))
    return or_(*clauses)


def _statement(query: EventQuery) -> Select[EpcisEvent]:
    stmt = select(EpcisEvent).where(EpcisEvent.id > query.after)
    for name, vals in query.values.items():
        if name == "eventType":
            stmt = stmt.where(EpcisEvent.event_type.in_(vals))
        elif name in _EQ_COLUMNS:
            vocab = {"EQ_bizStep": "bizStep", "EQ_disposition": "disposition"}.get(name, "")
            wanted = [cbv_word(vocab, v) for v in vals]
            stmt = stmt.where(getattr(EpcisEvent, _EQ_COLUMNS[name]).in_(wanted))
        elif name in MATCH_ROLES:
            sub = select(EpcisEventEpc.event_pk).where(
                EpcisEventEpc.role.in_(MATCH_ROLES[name]), _epc_clause(vals)
            )
            stmt = stmt.where(EpcisEvent.id.in_(sub))
    for name, when in query.times.items():
        column, lower = _TIMES[name]
        col = getattr(EpcisEvent, column)
        stmt = stmt.where(col >= when if lower else col < when)
    return stmt.order_by(EpcisEvent.id).limit(query.per_page + 1)


@dataclass(frozen=True)
class EventPage:
    """One page of matching events (JSON form, with recordTime) and the next page's token."""

    events: tuple[dict[str, Any], ...]
    contexts: tuple[Any, ...]
    next_token: str | None


def run(uow: UnitOfWork, query: EventQuery) -> EventPage:
    """The page of events the caller may see that match `query`, oldest capture first."""
    rows = list(uow.session.scalars(_statement(query)))
    more = len(rows) > query.per_page
    rows = rows[: query.per_page]
    events = tuple({**r.document, "recordTime": iso_utc(r.record_time)} for r in rows)
    return EventPage(
        events, tuple(r.context for r in rows), _token(query, rows[-1].id) if more else None
    )


def _merged_context(contexts: Sequence[Any]) -> list[Any]:
    merged: list[Any] = [EPCIS_CONTEXT_URL]
    for ctx in contexts:
        for item in ctx if isinstance(ctx, list) else [ctx]:
            if item is not None and item not in merged:
                merged.append(item)
    return merged


def query_document(page: EventPage) -> dict[str, Any]:
    """The EPCISQueryDocument answering a SimpleEventQuery."""
    return {
        "@context": _merged_context(page.contexts),
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": iso_utc(utcnow()),
        "epcisBody": {
            "queryResults": {
                "queryName": "SimpleEventQuery",
                "resultsBody": {"eventList": list(page.events)},
            }
        },
    }
