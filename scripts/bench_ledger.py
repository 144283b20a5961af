"""Ledger appends per second with signed tree heads, beside raw inserts of the same rows.

For each backend: a fresh migrated database, one enterprise with a passphrase-encrypted key.
"raw" inserts the ledger rows (index, leaf hash, canonical entry) with plain executemany
INSERTs, `batch` rows per transaction; "uow" does the same through a tenant unit of work
(the per-transaction cost every use case pays: session, tenant scoping, commit). "ledger"
appends the same entries through `append_entries` (size counter bumped with UPDATE …
RETURNING, leaves written) and after every `head_every` transactions signs a head in its own
transaction: the passphrase unlocks the key, the tree is extended from the new leaves,
consistency with the last head is checked, the head is signed and stored. PostgreSQL is the
tests' throw-away server (fsync off); SQLite is a WAL file with synchronous=NORMAL, as the
app runs it.

    flock /tmp/supplymesh-bench.lock .venv/bin/python scripts/bench_ledger.py \\
        --entries 2000 --batch 10 --head-every 1 10 100 \\
        --out benchmarks/results/ledger-appends.json
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy import insert  # noqa: E402

from supplymesh.bootstrap import build_database  # noqa: E402
from supplymesh.network.model import Enterprise  # noqa: E402
from supplymesh.platform.schema import migrate  # noqa: E402
from supplymesh.platform.settings import Settings  # noqa: E402
from supplymesh.platform.tenancy import TenantContext  # noqa: E402
from supplymesh.platform.uow import Database  # noqa: E402
from supplymesh.trace.ledger import store  # noqa: E402
from supplymesh.trace.ledger.merkle import leaf_hash  # noqa: E402
from supplymesh.trace.ledger.model import canonical_json  # noqa: E402
from supplymesh.trace.model import LedgerLeaf  # noqa: E402

PASSPHRASE = "benchmark passphrase"  # noqa: S105 - a throw-away key


def _entries(n: int) -> list[dict[str, Any]]:
    return [
        {
            "kind": "epcis-event",
            "eventKey": f"{i:064x}",
            "eventID": f"urn:uuid:00000000-0000-4000-8000-{i:012d}",
            "type": "ObjectEvent",
            "eventTime": "2026-01-01T00:00:00.000+08:00",
            "recordTime": "2026-01-01T00:00:01.000Z",
            "sha256": f"{i * 7919:064x}",
        }
        for i in range(n)
    ]


def _enterprise(db: Database, code: str) -> TenantContext:
    with db.system() as uow:
        ent = Enterprise(code=code, name=code, roles=["manufacturer"])
        uow.add(ent)
        uow.commit()
    return TenantContext(ent.id, None, "admin")


def _raw(db: Database, entries: list[dict[str, Any]], batch: int) -> float:
    ctx = _enterprise(db, "RAW")
    table = LedgerLeaf.__table__
    start = time.perf_counter()
    for lo in range(0, len(entries), batch):
        rows = [
            {
                "enterprise_id": ctx.enterprise_id,
                "leaf_index": lo + i,
                "leaf_hash": leaf_hash(canonical_json(e)).hex(),
                "entry": e,
                "created_at": store_time(),
            }
            for i, e in enumerate(entries[lo : lo + batch])
        ]
        with db.engine.begin() as conn:
            conn.execute(insert(table), rows)
    return time.perf_counter() - start


def _uow_raw(db: Database, entries: list[dict[str, Any]], batch: int) -> float:
    """The same bulk INSERT, but through a tenant unit of work (scoping, session, commit)."""
    ctx = _enterprise(db, "UOWRAW")
    start = time.perf_counter()
    for lo in range(0, len(entries), batch):
        with db.unit_of_work(ctx) as uow:
            uow.session.execute(
                insert(LedgerLeaf),
                [
                    {
                        "enterprise_id": ctx.enterprise_id,
                        "leaf_index": lo + i,
                        "leaf_hash": leaf_hash(canonical_json(e)).hex(),
                        "entry": e,
                        "created_at": store_time(),
                    }
                    for i, e in enumerate(entries[lo : lo + batch])
                ],
            )
            uow.commit()
    return time.perf_counter() - start


def store_time() -> Any:
    from supplymesh.platform.db import utcnow

    return utcnow()


def _ledger(db: Database, entries: list[dict[str, Any]], batch: int, head_every: int) -> float:
    ctx = _enterprise(db, f"LEDGER{head_every}")
    with db.unit_of_work(ctx) as uow:
        store.create_key(uow, PASSPHRASE)
        uow.commit()
    start = time.perf_counter()
    for n, lo in enumerate(range(0, len(entries), batch), start=1):
        with db.unit_of_work(ctx) as uow:
            store.append_entries(uow, entries[lo : lo + batch])
            uow.commit()
        if n % head_every == 0 or lo + batch >= len(entries):
            with db.unit_of_work(ctx) as uow:
                store.sign_head(uow, PASSPHRASE)
                uow.commit()
    elapsed = time.perf_counter() - start
    with db.unit_of_work(ctx) as uow:
        head = store.latest_head(uow, ctx.enterprise_id)
        assert head is not None and head.tree_size == len(entries)
    return elapsed


def run_backend(url: str, entries: int, batch: int, head_every: list[int]) -> dict[str, Any]:
    db = build_database(Settings(database_url=url))
    migrate(db.engine)
    rows = _entries(entries)
    raw_s = _raw(db, rows, batch)
    uow_s = _uow_raw(db, rows, batch)
    out: dict[str, Any] = {
        "raw_insert_per_s": round(entries / raw_s, 1),
        "raw_seconds": round(raw_s, 3),
        "uow_insert_per_s": round(entries / uow_s, 1),
        "ledger": [],
    }
    for every in head_every:
        s = _ledger(db, rows, batch, every)
        out["ledger"].append(
            {
                "head_every_transactions": every,
                "appends_per_s": round(entries / s, 1),
                "seconds": round(s, 3),
                "heads": -(-entries // (batch * every)),
                "ratio_to_raw": round(raw_s / s, 3),
                "ratio_to_uow_insert": round(uow_s / s, 3),
            }
        )
    db.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=10, help="entries per transaction")
    parser.add_argument("--head-every", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    results: dict[str, Any] = {
        "bench": "ledger-appends",
        "entries": args.entries,
        "batch": args.batch,
        "python": platform.python_version(),
        "backends": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        if args.backend in ("sqlite", "both"):
            url = f"sqlite:///{tmp}/bench.db"
            results["backends"]["sqlite"] = run_backend(
                url, args.entries, args.batch, args.head_every
            )
        if args.backend in ("postgres", "both"):
            from tests.support.postgres import PostgresServer, create_database

            server = PostgresServer()
            try:
                url = create_database(server.start(), "sm_bench_ledger")
                results["backends"]["postgres"] = run_backend(
                    url, args.entries, args.batch, args.head_every
                )
            finally:
                server.stop()
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
