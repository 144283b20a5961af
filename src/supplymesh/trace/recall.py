"""Trace and recall: walk captured EPCIS events forward (where did it go) or backward (what is
it made of) across aggregation and transformation.

The walk reads through the caller's unit of work, so it sees only events the caller may read.
Where the trail continues into events it cannot see, it says so ("opaque hops": the EPC and
the owning enterprise) instead of stopping silently, because a recall that ends at a partner's
border must be followed up with that partner; the hidden events themselves are never shown.

Time is respected: forward, an EPC is affected from the moment it was reached, so only later
events carry it on; backward, an EPC matters up to the moment it was used, so an input
consumed after an output was made is not that output's source. Nodes are expanded in time
order (earliest first forward, latest first backward), so each EPC is expanded with its
widest time window the first time it is taken.

An EPC reached as a container (a pallet holding an affected case) is followed for where it
went, but its other contents are not pulled in: siblings in a pallet are not affected.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import select

from supplymesh.platform.uow import UnitOfWork
from supplymesh.trace.epcis.store import iso_utc
from supplymesh.trace.ident.epc import urn_to_key_values
from supplymesh.trace.ident.model import InvalidCode
from supplymesh.trace.model import EpcisEvent, EpcisEventEpc

Direction = Literal["forward", "backward"]
DEFAULT_DEPTH = 16
MAX_DEPTH = 64
MAX_NODES = 5000
_CHUNK = 500
_EARLIEST = datetime.min.replace(tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC)
_CONTAINER_EVENTS = {"AggregationEvent", "AssociationEvent", "TransactionEvent"}
_CONTENT_ROLES = {
    "AggregationEvent": ("child", "child_quantity"),
    "AssociationEvent": ("child", "child_quantity"),
    "TransactionEvent": ("epc", "quantity"),
}
_INPUTS = ("input", "input_quantity")
_OUTPUTS = ("output", "output_quantity")
_CLASS_PREFIX = "urn:epc:class:lgtin:"


def check_epc(epc: str) -> str:
    """The EPC if it is a pure-identity URN or an LGTIN class; else `InvalidCode` saying why."""
    if epc.startswith(_CLASS_PREFIX):
        parts = epc.removeprefix(_CLASS_PREFIX).split(".", 2)
        if len(parts) != 3:
            raise InvalidCode(f"lgtin class URN needs 3 components: {epc!r}")
        try:  # an LGTIN has an SGTIN's GTIN rules, with the lot in the serial's place
            urn_to_key_values(f"urn:epc:id:sgtin:{'.'.join(parts)}")
        except InvalidCode as exc:
            raise InvalidCode(str(exc).replace("sgtin", "lgtin")) from exc
        return epc
    urn_to_key_values(epc)
    return epc


def _kind(epc: str) -> str:
    return "class" if epc.startswith("urn:epc:class:") else "instance"


@dataclass
class Node:
    """An EPC the walk reached: when, how far, and where it was seen in the walk's window."""

    epc: str
    depth: int
    reached_at: datetime | None
    container: bool
    locations: list[str] = field(default_factory=list)
    dispositions: list[str] = field(default_factory=list)
    last_seen: datetime | None = None
    last_location: str | None = None
    disposition: str | None = None

    def saw(self, row: EpcisEvent) -> None:
        where = row.biz_location or row.read_point
        for loc in (row.biz_location, row.read_point):
            if loc and loc not in self.locations:
                self.locations.append(loc)
        if row.disposition and row.disposition not in self.dispositions:
            self.dispositions.append(row.disposition)
        if self.last_seen is None or row.event_time >= self.last_seen:
            self.last_seen = row.event_time
            self.last_location = where or self.last_location
            self.disposition = row.disposition or self.disposition

    def to_json(self) -> dict[str, object]:
        return {
            "epc": self.epc,
            "kind": _kind(self.epc),
            "depth": self.depth,
            "reached_at": iso_utc(self.reached_at) if self.reached_at else None,
            "last_location": self.last_location,
            "disposition": self.disposition,
            "locations": self.locations,
            "dispositions": self.dispositions,
        }


@dataclass(frozen=True)
class Edge:
    """One hop: the event that links two EPCs, and how."""

    event_id: str | None
    event_key: str
    event_type: str
    enterprise_id: int
    relation: str
    source: str
    target: str
    time: datetime

    def to_json(self) -> dict[str, object]:
        return {
            "event_id": self.event_id,
            "event_key": self.event_key,
            "type": self.event_type,
            "enterprise_id": self.enterprise_id,
            "relation": self.relation,
            "from": self.source,
            "to": self.target,
            "time": iso_utc(self.time),
        }


@dataclass(frozen=True)
class Trail:
    """The answer: nodes, edges, where the trail goes out of sight, and the recall scope."""

    direction: Direction
    start: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    opaque: tuple[tuple[str, int], ...]
    truncated: bool

    def to_json(self) -> dict[str, object]:
        locations = sorted({loc for n in self.nodes for loc in n.locations})
        instances = sorted(n.epc for n in self.nodes if _kind(n.epc) == "instance")
        lots = sorted(n.epc for n in self.nodes if _kind(n.epc) == "class")
        return {
            "direction": self.direction,
            "start": self.start,
            "nodes": [n.to_json() for n in self.nodes],
            "edges": [e.to_json() for e in self.edges],
            "opaque_hops": [{"epc": epc, "enterprise_id": eid} for epc, eid in self.opaque],
            "truncated": self.truncated,
            "scope": {
                "epcs": instances,
                "lots": lots,
                "locations": locations,
                "counts": {"epcs": len(instances), "lots": len(lots), "locations": len(locations)},
            },
        }


def _in_window(direction: Direction, when: datetime, bound: datetime) -> bool:
    return when >= bound if direction == "forward" else when <= bound


def _neighbours(
    direction: Direction, row: EpcisEvent, roles: list[tuple[str, str]], epc: str, container: bool
) -> Iterable[tuple[str, str, bool]]:
    """(epc, relation, reached as container) for the hops `epc` makes through one event."""
    mine = {role for e, role in roles if e == epc}
    if row.event_type in _CONTAINER_EVENTS and row.action != "DELETE":
        contents = _CONTENT_ROLES[row.event_type]
        if "parent" in mine and not container:
            yield from ((e, "contains", False) for e, r in roles if r in contents)
        if mine & set(contents):
            yield from ((e, "contained_in", True) for e, r in roles if r == "parent")
    if row.event_type == "TransformationEvent":
        if direction == "forward" and mine & set(_INPUTS):
            yield from ((e, "transformed_into", False) for e, r in roles if r in _OUTPUTS)
        if direction == "backward" and mine & set(_OUTPUTS):
            yield from ((e, "made_from", False) for e, r in roles if r in _INPUTS)


Rows = list[tuple[EpcisEvent, list[tuple[str, str]]]]
_INDEX = EpcisEventEpc.__table__.alias("idx")  # built once: an alias costs ms to construct


def _events_naming(uow: UnitOfWork, epcs: list[str]) -> dict[str, Rows]:
    """Visible events naming each of `epcs`, each with all the (epc, role) pairs it names.

    One pair of queries for a whole batch: a walk reaches EPCs by the dozen (the units of a
    transformation, the cases of a pallet), and two round trips per EPC made forward traces
    several times slower (benchmarks/trace.md).

    Index rows are read through a Core alias and only for events the scoped `EpcisEvent`
    query returns: an index row is visible exactly when its event is, and saying so by the
    event's id lets the database use the EPC index, where the index table's own scoping rule
    (`event_pk IN (every visible event)`) made PostgreSQL hash all visible events per query.
    """
    idx = _INDEX
    naming = select(idx.c.event_pk).where(idx.c.epc.in_(epcs))
    rows = list(uow.session.scalars(select(EpcisEvent).where(EpcisEvent.id.in_(naming))))
    roles: dict[int, list[tuple[str, str]]] = {r.id: [] for r in rows}
    if rows:
        found = uow.session.execute(
            select(idx.c.event_pk, idx.c.epc, idx.c.role).where(idx.c.event_pk.in_(list(roles)))
        )
        for pk, e, role in found:
            roles[pk].append((e, role))
    wanted = set(epcs)
    out: dict[str, Rows] = {epc: [] for epc in epcs}
    for r in sorted(rows, key=lambda r: (r.event_time, r.id)):
        for epc in {e for e, _ in roles[r.id]} & wanted:
            out[epc].append((r, roles[r.id]))
    return out


def _opaque(
    uow: UnitOfWork, direction: Direction, nodes: dict[str, Node], seen_events: set[int]
) -> list[tuple[str, int]]:
    """(epc, owner) where events the caller cannot read name a reached EPC in its window.

    This is the one place that reads past the caller's scope, on purpose and read-only: it
    learns only that such events exist and who owns them, and hands back nothing else.
    """
    found: set[tuple[str, int]] = set()
    epcs = sorted(nodes)
    with uow.db.system() as system:
        for i in range(0, len(epcs), _CHUNK):
            hits = system.session.execute(
                select(
                    EpcisEventEpc.epc,
                    EpcisEvent.enterprise_id,
                    EpcisEvent.id,
                    EpcisEvent.event_time,
                )
                .join(EpcisEvent, EpcisEvent.id == EpcisEventEpc.event_pk)
                .where(EpcisEventEpc.epc.in_(epcs[i : i + _CHUNK]))
            )
            for epc, owner, pk, when in hits:
                node = nodes[epc]
                bound = node.reached_at or (_EARLIEST if direction == "forward" else _LATEST)
                if pk not in seen_events and _in_window(direction, when, bound):
                    found.add((epc, owner))
    return sorted(found)


def walk(
    uow: UnitOfWork, start: str, direction: Direction, max_depth: int = DEFAULT_DEPTH
) -> Trail:
    """Walk from `start` in `direction` over the events the caller may read."""
    check_epc(start)
    forward = direction == "forward"
    open_bound = _EARLIEST if forward else _LATEST
    nodes: dict[str, Node] = {}
    edges: dict[tuple[int, str, str], Edge] = {}
    seen_events: set[int] = set()
    # heap of (time key, order, epc, depth, reached_at, container); forward pops earliest first
    heap: list[tuple[float, int, str, int, datetime | None, bool]] = []
    order = 0

    def push(epc: str, depth: int, when: datetime | None, container: bool) -> None:
        nonlocal order
        stamp = (when or open_bound).timestamp()
        heapq.heappush(heap, (stamp if forward else -stamp, order, epc, depth, when, container))
        order += 1

    push(start, 0, None, False)
    truncated = False
    fetched: dict[str, Rows] = {}

    def events_of(epc: str) -> Rows:
        """Events naming `epc`, fetched with those of EPCs waiting in the heap."""
        if epc not in fetched:
            batch = [epc, *{e for *_, e, _, _, _ in heap if e not in fetched and e != epc}]
            fetched.update(_events_naming(uow, batch[:_CHUNK]))
        return fetched[epc]

    while heap:
        _, _, epc, depth, when, container = heapq.heappop(heap)
        known = nodes.get(epc)
        if known is not None and (known.container is False or container):
            continue  # seen already, as widely; a content may widen a container once
        if known is None and len(nodes) >= MAX_NODES:
            truncated = True
            break
        node = Node(epc, depth, when, container)
        if known is not None:
            node = known
            node.container = False
        nodes[epc] = node
        bound = when or open_bound
        for row, roles in events_of(epc):
            if not _in_window(direction, row.event_time, bound):
                continue
            seen_events.add(row.id)
            if known is None:
                node.saw(row)
            if depth >= max_depth:
                truncated = truncated or any(
                    True for _ in _neighbours(direction, row, roles, epc, container)
                )
                continue
            for other, relation, as_container in _neighbours(direction, row, roles, epc, container):
                if other == epc:
                    continue
                key = (row.id, epc, other)
                edges.setdefault(
                    key,
                    Edge(
                        row.event_id,
                        row.event_key,
                        row.event_type,
                        row.enterprise_id,
                        relation,
                        epc,
                        other,
                        row.event_time,
                    ),
                )
                push(other, depth + 1, row.event_time, as_container)
    ordered = sorted(edges.values(), key=lambda e: (e.time, e.source, e.target))
    return Trail(
        direction,
        start,
        tuple(nodes.values()),
        tuple(ordered),
        tuple(_opaque(uow, direction, nodes, seen_events)),
        truncated,
    )
