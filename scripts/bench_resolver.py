"""Resolutions per second through the tiers (root → national → secondary → enterprise).

Three cache states, in-process (every node an object) and over HTTP (every node its own
`supplymesh resolver serve` process on loopback, one keep-alive httpx client, sequential):
- cold: the resolver's cache is emptied before every resolution, so each asks four nodes;
- warm referrals: referrals cached, each code new, so each asks only its enterprise node;
- warm: the record itself is cached, so no node is asked.
Codes alternate between Handle (`88.100.<e>/ITEM-<j>`) and GS1 Digital Link serials
(`https://id.gs1.org/01/<GTIN>/21/S<j>`) of `--enterprises` enterprise nodes.

    flock /tmp/supplymesh-bench.lock .venv/bin/python scripts/bench_resolver.py \\
        --enterprises 2 --codes 2000 --out benchmarks/results/resolver.json
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.support.server import CLI, free_port  # noqa: E402

from supplymesh.trace.ident.linters import gs1_check_digit  # noqa: E402
from supplymesh.trace.resolver.adapters.http import HttpTransport  # noqa: E402
from supplymesh.trace.resolver.adapters.inprocess import InProcessTransport  # noqa: E402
from supplymesh.trace.resolver.config import node_from_dict  # noqa: E402
from supplymesh.trace.resolver.recursive import RecursiveResolver  # noqa: E402


def gtin(enterprise: int, item: int) -> str:
    body = f"095201{enterprise:02d}{item:05d}"
    return body + str(gs1_check_digit(body))


def build(
    enterprises: int, codes: int, urls: dict[str, str]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Node documents and the codes to resolve (each code has a record)."""
    per = max(1, codes // (2 * enterprises))
    nodes: list[dict[str, Any]] = [
        {"tier": "root", "url": urls["root"], "delegations": [
            {"prefix": "88", "url": urls["national"]}, {"prefix": "gs1", "url": urls["national"]}]},
        {"tier": "national", "url": urls["national"], "prefixes": ["88", "gs1"], "delegations": [
            {"prefix": "88.100", "url": urls["secondary"]},
            {"prefix": "gs1.952", "url": urls["secondary"]}]},
        {"tier": "secondary", "url": urls["secondary"], "prefixes": ["88.100", "gs1.952"],
         "delegations": []},
    ]  # fmt: skip
    all_codes: list[str] = []
    for e in range(enterprises):
        url = urls[f"enterprise{e}"]
        handle, gcp = f"88.100.{e + 1}", f"gs1.952.95201{e:02d}"
        nodes[2]["delegations"] += [{"prefix": handle, "url": url}, {"prefix": gcp, "url": url}]
        records = []
        for j in range(per):
            for code in (
                f"{handle}/ITEM-{j}",
                f"https://id.gs1.org/01/{gtin(e, j % 1000)}/21/S{j}",
            ):
                records.append({"code": code, "owner": f"E{e}", "public": {"name": f"item {j}"},
                                "ttl_s": 3600})  # fmt: skip
                all_codes.append(code)
        nodes.append({"tier": "enterprise", "url": url, "prefixes": [handle, gcp],
                      "records": records})  # fmt: skip
    all_codes.sort(key=lambda c: (zlib.crc32(c.encode()), c))  # interleave schemes and enterprises
    return nodes, all_codes


def rate(
    codes: list[str], resolve: Callable[[str], object], before: Callable[[], None]
) -> dict[str, float]:
    elapsed = 0.0
    for code in codes:
        before()
        t0 = time.perf_counter()
        resolve(code)
        elapsed += time.perf_counter() - t0
    return {"resolutions": len(codes), "seconds": round(elapsed, 4),
            "per_s": round(len(codes) / elapsed, 1)}  # fmt: skip


def measure(resolver: RecursiveResolver, codes: list[str], cold_n: int) -> dict[str, Any]:
    asked = resolver.questions
    cold = rate(codes[:cold_n], resolver.resolve, resolver.clear)
    cold_questions = (resolver.questions - asked) / cold_n
    for code in codes:  # a full pass caches every referral (and record) ...
        resolver.resolve(code)
    resolver.answers.clear()  # ... then the records are forgotten, the referrals kept
    asked = resolver.questions
    referrals = rate(codes, resolver.resolve, lambda: None)
    ref_questions = (resolver.questions - asked) / len(codes)
    asked = resolver.questions
    warm = rate(codes, resolver.resolve, lambda: None)
    assert resolver.questions == asked, "warm run asked a node"
    return {
        "cold": cold | {"questions_per_resolution": round(cold_questions, 2)},
        "warm_referrals": referrals | {"questions_per_resolution": round(ref_questions, 3)},
        "warm": warm | {"questions_per_resolution": 0},
    }


def start_servers(
    nodes: list[dict[str, Any]], urls: dict[str, str], home: Path
) -> list[subprocess.Popen[bytes]]:
    procs = []
    for node in nodes:
        config = home / f"{node['tier']}-{len(procs)}.json"
        config.write_text(json.dumps(node), encoding="utf-8")
        port = node["url"].rsplit(":", 1)[1]
        procs.append(subprocess.Popen(  # noqa: S603  (our own CLI, fixed arguments)
            [CLI, "resolver", "serve", "--tier", node["tier"], "--config", str(config),
             "--port", port],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))  # fmt: skip
    import httpx

    for url in urls.values():
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    return procs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--enterprises", type=int, default=2)
    ap.add_argument("--codes", type=int, default=2000)
    ap.add_argument("--http-codes", type=int, default=600, help="codes in the HTTP runs")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()

    names = ["root", "national", "secondary", *(f"enterprise{e}" for e in range(args.enterprises))]
    inproc = {n: f"inproc://{n}" for n in names}
    nodes, codes = build(args.enterprises, args.codes, inproc)
    transport = InProcessTransport({n["url"]: node_from_dict(n).node for n in nodes})
    result: dict[str, Any] = {
        "bench": "resolver", "python": platform.python_version(), "enterprises": args.enterprises,
        "codes": len(codes), "tiers": 4,
    }  # fmt: skip
    result["in_process"] = measure(RecursiveResolver(transport, inproc["root"]), codes, len(codes))
    print(json.dumps({"in_process": result["in_process"]}), file=sys.stderr)

    http = {n: f"http://127.0.0.1:{free_port()}" for n in names}
    nodes, codes = build(args.enterprises, args.http_codes, http)
    with tempfile.TemporaryDirectory() as home:
        procs = start_servers(nodes, http, Path(home))
        try:
            client = HttpTransport()
            result["http"] = measure(RecursiveResolver(client, http["root"]), codes, len(codes))
            client.close()
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                p.wait(timeout=10)
    result["http"]["codes"] = len(codes)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
