"""Load test: purchase-order creation + supplier acknowledgement through the HTTP API.

One cycle = the buyer creates a one-line purchase order, releases it, the supplier reads it and
accepts the line (which confirms the order). C concurrent virtual users repeat cycles for D
seconds against a running server; the figure is completed cycles per second and the p50/p99
latency of each request and of the whole cycle.

    # against a server you started yourself
    python scripts/bench_orders.py --url http://127.0.0.1:8000 --seconds 30 --users 8
    # or let the script build the tiny demo on a backend and start `supplymesh serve` itself
    python scripts/bench_orders.py --start sqlite --seconds 30 --users 8 --json out.json
    python scripts/bench_orders.py --start postgres --seconds 30 --users 8

Defaults are the demo's manufacturer HCE buying from its steel supplier BLSTEEL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]


class Recorder:
    """Latencies per step (seconds) and error counts per step and status."""

    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)

    async def call(
        self, step: str, client: httpx.AsyncClient, method: str, url: str, **kw: Any
    ) -> httpx.Response:
        start = time.perf_counter()
        response = await client.request(method, url, **kw)
        self.latency[step].append(time.perf_counter() - start)
        if response.status_code >= 400:
            self.errors[f"{step} {response.status_code}"] += 1
        return response


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _login(client: httpx.AsyncClient, username: str, password: str) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/auth/token", data={"username": username, "password": password}
    )
    response.raise_for_status()
    token: dict[str, Any] = response.json()
    return token


async def _first_own(
    client: httpx.AsyncClient, path: str, enterprise_id: int, **params: Any
) -> Any:
    response = await client.get(path, params={"limit": 200, **params})
    response.raise_for_status()
    rows = [r for r in response.json()["items"] if r.get("enterprise_id") == enterprise_id]
    if not rows:
        raise SystemExit(f"the buyer has no {path} rows of its own")
    return rows[0]


async def _cycle(
    rec: Recorder,
    buyer: httpx.AsyncClient,
    supplier: httpx.AsyncClient,
    order: dict[str, Any],
) -> bool:
    for _attempt in range(5):  # two users may draw the same generated number: 409, retry
        created = await rec.call("create", buyer, "POST", "/api/v1/orders", json=order)
        if created.status_code != 409:
            break
    if created.status_code != 201:
        return False
    po = created.json()
    released = await rec.call(
        "release", buyer, "POST", f"/api/v1/orders/{po['id']}/release", json={}
    )
    if released.status_code != 200:
        return False
    seen = await rec.call("supplier_read", supplier, "GET", f"/api/v1/purchase-orders/{po['id']}")
    if seen.status_code != 200:
        return False
    line = seen.json()["lines"][0]
    answer = await rec.call(
        "acknowledge",
        supplier,
        "POST",
        f"/api/v1/purchase-orders/{po['id']}/lines/{line['id']}/answer",
        json={"action": "accept", "version": line["answer"]["version"]},
    )
    return answer.status_code == 200 and answer.json()["order_status"] == "confirmed"


async def run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    rec = Recorder()
    limits = httpx.Limits(max_connections=args.users * 2)
    async with (
        httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as buyer,
        httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as supplier,
    ):
        b = await _login(buyer, args.buyer, args.password)
        s = await _login(supplier, args.supplier, args.password)
        buyer.headers["Authorization"] = f"Bearer {b['access_token']}"
        supplier.headers["Authorization"] = f"Bearer {s['access_token']}"
        me = (await supplier.get("/api/v1/me")).json()
        supplier_code = me.get("enterprise", {}).get("code") or args.supplier_code
        site = await _first_own(buyer, "/api/v1/sites", b["enterprise_id"])
        item = await _first_own(buyer, "/api/v1/items", b["enterprise_id"])
        order = {
            "kind": "purchase",
            "partner_enterprise_code": supplier_code,
            "ship_to_site_id": site["id"],
            "lines": [{"item_id": item["id"], "quantity": "10", "unit_price": "12.50"}],
        }
        done = 0
        cycles: list[float] = []
        stop_at = time.perf_counter() + args.seconds

        async def user() -> None:
            nonlocal done
            while time.perf_counter() < stop_at:
                start = time.perf_counter()
                if await _cycle(rec, buyer, supplier, order):
                    done += 1
                    cycles.append(time.perf_counter() - start)

        started = time.perf_counter()
        await asyncio.gather(*(user() for _ in range(args.users)))
        elapsed = time.perf_counter() - started

    def stats(values: list[float]) -> dict[str, float | int]:
        if not values:
            return {"n": 0}
        return {
            "n": len(values),
            "p50_ms": round(1000 * statistics.median(values), 1),
            "p99_ms": round(1000 * _percentile(values, 0.99), 1),
        }

    return {
        "url": url,
        "users": args.users,
        "seconds": round(elapsed, 1),
        "orders_confirmed": done,
        "orders_per_second": round(done / elapsed, 2),
        "requests_per_second": round(sum(map(len, rec.latency.values())) / elapsed, 1),
        "cycle": stats(cycles),
        "steps": {step: stats(v) for step, v in rec.latency.items()},
        "errors": dict(rec.errors),
    }


def _start_server(kind: str, stack: ExitStack) -> tuple[str, str]:
    """Build the tiny demo on `kind` in a temp dir and start `supplymesh serve` on it."""
    sys.path.insert(0, str(ROOT))
    import subprocess

    from tests.support.postgres import PostgresServer, create_database
    from tests.support.server import CLI, Server, cli_env

    home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-orders-")))
    if kind == "sqlite":
        database_url = f"sqlite:///{home / 'bench.db'}"
    else:
        pg = PostgresServer()
        base = pg.start()
        stack.callback(pg.stop)
        database_url = create_database(base, "bench_orders")
    subprocess.run(  # noqa: S603 - our own CLI
        [CLI, "demo", "--scale", "tiny"], env=cli_env(database_url, home), check=True
    )
    server = Server(database_url, home).start()
    stack.callback(server.stop)
    return server.url, database_url.split(":", 1)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="a running server")
    where.add_argument("--start", choices=("sqlite", "postgres"), help="start one on the tiny demo")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--buyer", default="hce.admin")
    parser.add_argument("--supplier", default="blsteel.admin")
    parser.add_argument("--supplier-code", default="BLSTEEL")
    parser.add_argument("--password", default="demo1234")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with ExitStack() as stack:
        if args.start:
            url, backend = _start_server(args.start, stack)
        else:
            url, backend = args.url, "external"
        result = asyncio.run(run(args, url))
    result["backend"] = backend
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
