"""Backward and forward trace latency over a supply graph of about 1,000,000 EPCIS events.

The graph spans seven enterprises: three suppliers commission lots (ObjectEvent, LGTIN class);
two manufacturers turn three supplier lots into 24 serialised units (TransformationEvent),
pack 6 units a case and 8 cases a pallet (AggregationEvent) and ship pallets (ObjectEvent);
a distributor receives pallets at its DCs and ships cases on; a retailer receives cases at
its stores. Each lot feeds about four transformations, so a forward trace from a lot reaches
about a hundred units with their cases, pallets, DCs and stores.

Rows go straight into `epcis_events` and `epcis_event_epcs` in bulk (executemany in one
transaction on SQLite, COPY on PostgreSQL): the capture path validates documents one by one
and would take hours. Traces then go through `trace.recall.walk` in a unit of work of the
first manufacturer, holding whole-log EPCIS grants from every other enterprise (so every
query pays the tenant scoping it pays in the app). Latency: `--queries` backward traces from
random finished units and as many forward traces from random supplier lots.

    flock /tmp/supplymesh-bench.lock .venv/bin/python scripts/bench_trace.py \\
        --backend sqlite --events 1000000 --queries 200 \\
        --out benchmarks/results/trace-latency-sqlite.json
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import io
import json
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from supplymesh.bootstrap import build_database  # noqa: E402
from supplymesh.network.model import Enterprise  # noqa: E402
from supplymesh.platform.schema import migrate  # noqa: E402
from supplymesh.platform.settings import Settings  # noqa: E402
from supplymesh.platform.tenancy import Grants, TenantContext  # noqa: E402
from supplymesh.platform.types import QUANTITY_PLACES, scaled  # noqa: E402
from supplymesh.platform.uow import Database  # noqa: E402
from supplymesh.trace import recall  # noqa: E402
from supplymesh.trace.model import EPCIS_GRANT  # noqa: E402

T0 = datetime(2026, 1, 1, tzinfo=UTC)
EVENT_COLUMNS = (
    "id",
    "enterprise_id",
    "event_key",
    "event_id",
    "event_hash",
    "event_type",
    "event_time",
    "event_time_zone_offset",
    "record_time",
    "action",
    "biz_step",
    "disposition",
    "read_point",
    "biz_location",
    "document",
)
EPC_COLUMNS = ("id", "enterprise_id", "event_pk", "epc", "role", "quantity", "uom")
BIZ = "https://ref.gs1.org/cbv/BizStep-"
LOT_QTY = scaled(Decimal("500"), QUANTITY_PLACES)  # stored as the ORM stores a Quantity
USE_QTY = scaled(Decimal("20"), QUANTITY_PLACES)


@dataclass
class Graph:
    """Rows being generated, and the EPCs traces start from."""

    events: list[tuple[Any, ...]] = field(default_factory=list)
    epcs: list[tuple[Any, ...]] = field(default_factory=list)
    lots: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)

    def event(
        self,
        owner: int,
        etype: str,
        when: datetime,
        action: str | None,
        step: str,
        location: str,
        roles: list[tuple[str, str, int | None]],
    ) -> None:
        pk = len(self.events) + 1
        key = hashlib.sha256(f"bench-{pk}".encode()).hexdigest()
        doc = {"type": etype, "eventTime": when.isoformat(), "bizStep": step}
        self.events.append(
            (
                pk,
                owner,
                key,
                f"urn:uuid:{key[:8]}-{key[8:12]}-4{key[13:16]}-8{key[17:20]}-{key[20:32]}",
                key,
                etype,
                when,
                "+08:00",
                when,
                action,
                BIZ + step,
                None,
                location,
                location,
                json.dumps(doc),
            )
        )
        for epc, role, qty in roles:
            self.epcs.append(
                (len(self.epcs) + 1, owner, pk, epc, role, qty, "KGM" if qty else None)
            )


def _sgtin(company: int, item: int, serial: int) -> str:
    return f"urn:epc:id:sgtin:{company:07d}.{item:06d}.{serial}"


def _sscc(company: int, serial: int) -> str:
    return f"urn:epc:id:sscc:{company:07d}.{serial:010d}"


def generate(target_events: int, ents: dict[str, list[int]], seed: int) -> Graph:
    """The supply graph, pallet by pallet, until about `target_events` events."""
    rng = random.Random(seed)
    g = Graph()
    open_lots: list[tuple[str, datetime]] = []
    serial = 0
    pallet_no = 0
    while len(g.events) < target_events:
        pallet_no += 1
        day = T0 + timedelta(minutes=7 * pallet_no)
        maker = rng.choice(ents["manufacturer"])
        company = 6900000 + maker
        # new supplier lots as the old ones are used up (each feeds about 4 transformations)
        while len(open_lots) < 12:
            sup = rng.choice(ents["supplier"])
            lot = f"urn:epc:class:lgtin:{6800000 + sup:07d}.0{sup:05d}.L{len(g.lots) + 1}"
            made = day - timedelta(days=2)
            g.event(
                sup,
                "ObjectEvent",
                made,
                "ADD",
                "commissioning",
                f"sup-{sup}",
                [(lot, "quantity", LOT_QTY)],
            )
            g.lots.append(lot)
            open_lots.extend([(lot, made)] * 4)
        cases: list[str] = []
        for half in range(2):
            inputs = [open_lots.pop(rng.randrange(len(open_lots)))[0] for _ in range(3)]
            units = [_sgtin(company, 100 + maker, serial + i) for i in range(24)]
            serial += 24
            made = day + timedelta(minutes=half)
            g.event(
                maker,
                "TransformationEvent",
                made,
                None,
                "commissioning",
                f"plant-{maker}",
                [(lot, "input_quantity", USE_QTY) for lot in inputs]
                + [(u, "output", None) for u in units],
            )
            g.units.extend(units)
            for c in range(4):
                case = _sscc(company, len(g.events) + 1)
                g.event(
                    maker,
                    "AggregationEvent",
                    made + timedelta(minutes=2),
                    "ADD",
                    "packing",
                    f"plant-{maker}",
                    [(case, "parent", None)]
                    + [(u, "child", None) for u in units[c * 6 : c * 6 + 6]],
                )
                cases.append(case)
        pallet = _sscc(company, 10**9 + pallet_no)
        g.event(
            maker,
            "AggregationEvent",
            day + timedelta(minutes=5),
            "ADD",
            "packing",
            f"plant-{maker}",
            [(pallet, "parent", None)] + [(c, "child", None) for c in cases],
        )
        g.event(
            maker,
            "ObjectEvent",
            day + timedelta(hours=1),
            "OBSERVE",
            "shipping",
            f"plant-{maker}",
            [(pallet, "epc", None)],
        )
        dist = rng.choice(ents["distributor"])
        dc = f"dc-{dist}-{rng.randrange(4)}"
        g.event(
            dist,
            "ObjectEvent",
            day + timedelta(days=1),
            "OBSERVE",
            "receiving",
            dc,
            [(pallet, "epc", None)],
        )
        shop = rng.choice(ents["retailer"])
        for i, case in enumerate(cases):
            store = f"store-{shop}-{rng.randrange(40)}"
            g.event(
                dist,
                "ObjectEvent",
                day + timedelta(days=2, minutes=i),
                "OBSERVE",
                "shipping",
                dc,
                [(case, "epc", None)],
            )
            g.event(
                shop,
                "ObjectEvent",
                day + timedelta(days=3, minutes=i),
                "OBSERVE",
                "receiving",
                store,
                [(case, "epc", None)],
            )
    return g


def _enterprises(db: Database) -> dict[str, list[int]]:
    layout = {"supplier": 3, "manufacturer": 2, "distributor": 1, "retailer": 1}
    out: dict[str, list[int]] = {}
    with db.system() as uow:
        for role, n in layout.items():
            ents = [
                Enterprise(code=f"B{role[:3].upper()}{i}", name=f"{role} {i}", roles=[role])
                for i in range(n)
            ]
            for e in ents:
                uow.add(e)
            uow.flush()
            out[role] = [e.id for e in ents]
        uow.commit()
    return out


def _sqlite_time(when: datetime) -> str:
    return when.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_load(db: Database, g: Graph) -> None:
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        # SQLAlchemy's SQLite DateTime text form (naive UTC), so rows read back as the ORM's
        ev = [(*r[:6], _sqlite_time(r[6]), r[7], _sqlite_time(r[8]), *r[9:]) for r in g.events]
        cur.executemany(
            f"INSERT INTO epcis_events ({', '.join(EVENT_COLUMNS)}, context, ledger_index)"  # noqa: S608
            f" VALUES ({', '.join('?' * len(EVENT_COLUMNS))}, NULL, NULL)",
            ev,
        )
        cur.executemany(
            f"INSERT INTO epcis_event_epcs ({', '.join(EPC_COLUMNS)})"  # noqa: S608
            f" VALUES ({', '.join('?' * len(EPC_COLUMNS))})",
            g.epcs,
        )
        raw.commit()
        cur.execute("ANALYZE")
    finally:
        raw.close()


def _copy_rows(rows: list[tuple[Any, ...]]) -> Iterator[str]:
    for r in rows:
        yield "\t".join("\\N" if v is None else str(v) for v in r) + "\n"


def _postgres_load(db: Database, g: Graph) -> None:
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        for table, cols, rows in (
            ("epcis_events", EVENT_COLUMNS, g.events),
            ("epcis_event_epcs", EPC_COLUMNS, g.epcs),
        ):
            with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                buf = io.StringIO()
                for i, line in enumerate(_copy_rows(rows)):
                    buf.write(line)
                    if i % 50000 == 49999:
                        copy.write(buf.getvalue())
                        buf = io.StringIO()
                copy.write(buf.getvalue())
        raw.commit()
        cur.execute("ANALYZE epcis_events")
        cur.execute("ANALYZE epcis_event_epcs")
        raw.commit()
    finally:
        raw.close()


def _pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def measure(
    db: Database, g: Graph, ents: dict[str, list[int]], n: int, seed: int
) -> dict[str, Any]:
    """p50/p99 latency (ms) and trail sizes of `n` backward and `n` forward traces."""
    rng = random.Random(seed + 1)
    me = ents["manufacturer"][0]
    others = frozenset(e for ids in ents.values() for e in ids if e != me)
    ctx = TenantContext(me, None, "viewer", Grants(whole={EPCIS_GRANT: others}), others)
    out: dict[str, Any] = {}
    for direction, pool in (("backward", g.units), ("forward", g.lots)):
        times, sizes = [], []
        for _ in range(n):
            start = rng.choice(pool)
            t = time.perf_counter()
            with db.unit_of_work(ctx) as uow:
                trail = recall.walk(uow, start, direction)  # type: ignore[arg-type]
            times.append((time.perf_counter() - t) * 1000)
            sizes.append(len(trail.nodes))
        out[direction] = {
            "queries": n,
            "p50_ms": round(_pct(times, 0.5), 2),
            "p99_ms": round(_pct(times, 0.99), 2),
            "mean_ms": round(statistics.fmean(times), 2),
            "max_ms": round(max(times), 2),
            "mean_nodes": round(statistics.fmean(sizes), 1),
            "max_nodes": max(sizes),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sm-trace-bench-"))
    server = None
    if args.backend == "sqlite":
        url = f"sqlite:///{tmp / 'trace.db'}"
    else:
        from tests.support.postgres import PostgresServer, create_database

        server = PostgresServer()
        url = create_database(server.start(), "sm_trace_bench")
    try:
        db = build_database(Settings(database_url=url, home=tmp))
        migrate(db.engine)
        ents = _enterprises(db)
        t = time.perf_counter()
        g = generate(args.events, ents, args.seed)
        gen_s = time.perf_counter() - t
        t = time.perf_counter()
        (_sqlite_load if args.backend == "sqlite" else _postgres_load)(db, g)
        load_s = time.perf_counter() - t
        print(
            f"{len(g.events)} events, {len(g.epcs)} EPC rows: generated in {gen_s:.0f} s, "
            f"loaded in {load_s:.0f} s",
            file=sys.stderr,
        )
        result: dict[str, Any] = {
            "backend": args.backend,
            "events": len(g.events),
            "epc_rows": len(g.epcs),
            "lots": len(g.lots),
            "units": len(g.units),
            "generate_s": round(gen_s, 1),
            "load_s": round(load_s, 1),
        }
        # The generated rows (5.5 M tuples) are loaded now: drop them, or every full garbage
        # collection during the traces walks them all (≈ 1 s stalls that an app never has).
        g.events.clear()
        g.epcs.clear()
        gc.collect()
        gc.freeze()
        result["traces"] = measure(db, g, ents, args.queries, args.seed)
        result["python"] = platform.python_version()
        db.engine.dispose()
    finally:
        if server is not None:
            server.stop()
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
