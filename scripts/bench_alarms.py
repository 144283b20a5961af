"""Ingestion with rules evaluated, and alarm latency, for the embedded amqtt broker and mosquitto.

(a) Sustained ingestion broker -> stored -> rules evaluated: the same devices and messages as
    `bench_ingest.py`, with the alarm engine subscribed to the store and two rules on every
    device (a threshold on temperature and a rate-of-change on vibration, limits set so they
    are evaluated on every sample without firing), next to the raw broker throughput of a
    trivial QoS 1 subscriber and to the same ingestion without rules (`bench_ingest.py`'s
    measurement), all in one run on the same machine. The figure is the ratio to raw.
(b) Alarm latency: devices publish at a steady pace (1 Hz each by default), every other
    message breaching a threshold rule (the next one clears it), so each breach opens a new
    alarm. The engine acts on the last verdict per device and rule of a batch, so a breach
    cleared within the same batch opens none: the pace keeps a breach and its clearing in
    different batches, and `alarms_created` against `breaches_sent` shows that it did. Latency is
    from the breaching message's payload ``ts`` (taken just before PUBLISH) to the alarm's
    "created" event on the live feed, which the engine publishes right after the alarm row
    is committed and which the SSE endpoint streams; `to_commit_*` is the part up to the
    sample's own commit (broker and ingestor), the rest is the alarm engine.

Run under the benchmark lock:

    flock /tmp/supplymesh-bench.lock .venv/bin/python scripts/bench_alarms.py \
        --json benchmarks/results/devices_alarms.json
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import queue
import re
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from bench_ingest import (
    METRICS,
    fresh_db,
    ingest_rate,
    raw_rate,
    run_publishers,
    running_broker,
    setup,
)

from supplymesh.devices.ingestion.mqtt import BrokerAddress, make_client
from supplymesh.devices.payload import encode

HOT = 100.0  # breaching values are HOT + k, so an alarm's message names its k


def add_rules(db: Any, devices: list[dict[str, Any]], firing: bool) -> None:
    """Per device: the latency rule (temperature > 80), or two rules that never fire."""
    from supplymesh.devices.alarm_model import AlarmRule

    with db.system() as uow:
        from supplymesh.devices.model import Device

        enterprise_id = uow.session.get(Device, devices[0]["id"]).enterprise_id
    with db.unit_of_work(db.context_for(enterprise_id, None, "admin")) as uow:
        for d in devices:
            if firing:
                uow.add(
                    AlarmRule(
                        name="hot",
                        kind="threshold",
                        device_id=d["id"],
                        metric="temperature",
                        high=80.0,
                        severity="major",
                    )
                )
                continue
            uow.add(
                AlarmRule(
                    name="too hot",
                    kind="threshold",
                    device_id=d["id"],
                    metric="temperature",
                    high=1000.0,
                    consecutive=3,
                )
            )
            uow.add(
                AlarmRule(
                    name="shaking up",
                    kind="rate",
                    device_id=d["id"],
                    metric="vibration",
                    high=1e9,
                    window_s=60,
                )
            )
        uow.commit()


def rules_rate(
    db: Any, address: BrokerAddress, devices: list[dict[str, Any]], per_device: int
) -> tuple[float, dict[str, int], int]:
    """Messages per second from publish to committed and evaluated by the alarm engine."""
    from supplymesh.devices.alarms import AlarmEngine
    from supplymesh.devices.ingestion.mqtt import Ingestor
    from supplymesh.devices.store import StoredBatch, TelemetryStore

    evaluated = [0]
    engine = AlarmEngine(db)

    def counting(batch: StoredBatch) -> None:
        engine(batch)
        evaluated[0] += len(batch.samples)

    store = TelemetryStore(db)
    store.subscribe(counting)
    total = len(devices) * per_device
    ingestor = Ingestor(store, address).start()
    proc, start = run_publishers(address.port, devices, per_device, seq0=20_000_000)
    last, last_change, last_at = -1, time.monotonic(), time.perf_counter()
    while ingestor.stats.stored < total and time.monotonic() - last_change < 20:
        if ingestor.stats.stored != last:
            last, last_change, last_at = (
                ingestor.stats.stored,
                time.monotonic(),
                time.perf_counter(),
            )
        time.sleep(0.01)
    elapsed = (time.perf_counter() if ingestor.stats.stored >= total else last_at) - start
    if ingestor.stats.stored < total:
        print(f"rules: only {ingestor.stats.stored} of {total} stored", file=sys.stderr)
    proc.join(60)
    ingestor.stop()
    return ingestor.stats.stored / elapsed, dict(ingestor.stats.__dict__), evaluated[0]


def paced_publish(
    port: int, devices: list[dict[str, Any]], rate_hz: float, seconds: float, ready: Any, out: Any
) -> None:
    """Child process: each device publishes at `rate_hz`, alternating breach and normal;
    sends back {(device, k): payload ts} of the breaching messages."""
    clients = []
    for d in devices:
        address = BrokerAddress("127.0.0.1", port, d["username"], d["secret"])
        client = make_client(f"lat-{d['username']}", address)
        client.max_inflight_messages_set(200)
        client.connect("127.0.0.1", port)
        client.loop_start()
        clients.append((client, d))
    while not all(c.is_connected() for c, _d in clients):
        time.sleep(0.01)
    ready.set()
    sent: dict[str, float] = {}
    period = 1.0 / rate_hz
    next_at = time.monotonic()
    ticks = int(seconds * rate_hz)
    infos = []
    for i in range(ticks):
        for j, (client, d) in enumerate(clients):
            now = datetime.now(UTC)
            hot = (i + j) % 2 == 0  # half the devices breach on each tick: an even load
            k = i // 2
            temp = HOT + k if hot else 20.0
            values = {m: 1.0 for m in METRICS} | {"temperature": temp}
            infos.append(client.publish(d["topic"], encode(now, 30_000_000 + i, values), qos=1))
            if hot:
                sent[f"{d['id']}:{k}"] = now.timestamp()
        next_at += period
        time.sleep(max(0.0, next_at - time.monotonic()))
    for info in infos:
        info.wait_for_publish(60)
    for client, _d in clients:
        client.disconnect()
        client.loop_stop()
    out.put(sent)


def alarm_latency(
    db: Any,
    address: BrokerAddress,
    devices: list[dict[str, Any]],
    rate_hz: float,
    seconds: float,
) -> dict[str, Any]:
    """Latency percentiles (ms) from payload ts to the alarm's feed event."""
    from supplymesh.devices.alarms import AlarmEngine, AlarmFeed
    from supplymesh.devices.ingestion.mqtt import Ingestor
    from supplymesh.devices.store import StoredBatch, TelemetryStore

    feed = AlarmFeed()
    engine = AlarmEngine(db, feed=feed)
    store = TelemetryStore(db)
    committed: list[float] = []

    def commit_times(batch: StoredBatch) -> None:
        """Runs first after each commit: how long breaching samples took to be stored."""
        at = time.time()
        committed.extend(
            (at - s.ts.timestamp()) * 1000
            for s in batch.samples
            if s.metric == "temperature" and s.value >= HOT
        )

    store.subscribe(commit_times)
    store.subscribe(engine)
    with db.system() as uow:
        from supplymesh.devices.model import Device

        enterprise_id = uow.session.get(Device, devices[0]["id"]).enterprise_id
    events = feed.subscribe(enterprise_id)
    received: list[tuple[float, dict[str, Any]]] = []
    stop = threading.Event()

    def drain() -> None:
        while not stop.is_set():
            try:
                event = events.get(timeout=0.1)
            except queue.Empty:
                continue
            received.append((time.time(), event))

    threading.Thread(target=drain, daemon=True).start()
    ingestor = Ingestor(store, address).start()
    ctx = mp.get_context("spawn")
    ready, out = ctx.Event(), ctx.Queue()
    proc = ctx.Process(
        target=paced_publish, args=(address.port, devices, rate_hz, seconds, ready, out)
    )
    proc.start()
    ready.wait(120)
    sent: dict[str, float] = out.get(timeout=seconds + 180)
    proc.join(60)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        created = sum(1 for _t, e in received if e["event"] == "created")
        if created >= len(sent):
            break
        time.sleep(0.2)
    time.sleep(1.0)
    stop.set()
    ingestor.stop()
    latencies = []
    for at, event in received:
        if event["event"] != "created":
            continue
        m = re.search(r"= ([0-9.e+]+)$", event["message"])
        if m is None:
            continue
        k = round(float(m.group(1)) - HOT)
        ts = sent.get(f"{event['device_id']}:{k}")
        if ts is not None:
            latencies.append((at - ts) * 1000)
    arr = np.array(latencies)
    stored = np.array(committed)
    return {
        "devices": len(devices),
        "rate_hz_per_device": rate_hz,
        "messages": int(seconds * rate_hz) * len(devices),
        "breaches_sent": len(sent),
        "alarms_created": len(latencies),
        "p50_ms": round(float(np.percentile(arr, 50)), 1) if arr.size else None,
        "p90_ms": round(float(np.percentile(arr, 90)), 1) if arr.size else None,
        "p99_ms": round(float(np.percentile(arr, 99)), 1) if arr.size else None,
        "max_ms": round(float(arr.max()), 1) if arr.size else None,
        "to_commit_p50_ms": round(float(np.percentile(stored, 50)), 1) if stored.size else None,
        "to_commit_p99_ms": round(float(np.percentile(stored, 99)), 1) if stored.size else None,
        "ingestor": dict(ingestor.stats.__dict__),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--latency-devices", type=int, default=20)
    parser.add_argument("--latency-rate", type=float, default=1.0, help="Hz per device")
    parser.add_argument("--latency-seconds", type=float, default=60.0)
    parser.add_argument("--brokers", default="amqtt,mosquitto")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    per_device = args.messages // args.devices
    rows = []
    with tempfile.TemporaryDirectory(prefix="sm-bench-alarms-") as tmp:
        directory = Path(tmp)
        for broker in args.brokers.split(","):
            db = fresh_db(directory, f"{broker}-rules")
            devices = setup(db, args.devices)
            add_rules(db, devices, firing=False)
            with running_broker(broker, db, devices, directory) as address:
                raw = raw_rate(address, devices, per_device)
            with running_broker(broker, db, devices, directory) as address:
                ruled, stats, evaluated = rules_rate(db, address, devices, per_device)
            db.engine.dispose()
            db = fresh_db(directory, f"{broker}-plain")  # the same without rules, same run
            plain_devices = setup(db, args.devices)
            with running_broker(broker, db, plain_devices, directory) as address:
                plain, _plain_stats = ingest_rate(db, address, plain_devices, per_device)
            db.engine.dispose()
            db = fresh_db(directory, f"{broker}-latency")
            lat_devices = setup(db, args.latency_devices)
            add_rules(db, lat_devices, firing=True)
            with running_broker(broker, db, lat_devices, directory) as address:
                latency = alarm_latency(
                    db, address, lat_devices, args.latency_rate, args.latency_seconds
                )
            db.engine.dispose()
            row = {
                "broker": broker,
                "messages": per_device * len(devices),
                "devices": len(devices),
                "rules_per_device": 2,
                "raw_msgs_per_s": round(raw, 1),
                "stored_only_msgs_per_s": round(plain, 1),
                "rules_msgs_per_s": round(ruled, 1),
                "ratio": round(ruled / raw, 3),
                "ratio_stored_only": round(plain / raw, 3),
                "samples_evaluated": evaluated,
                "ingestor": stats,
                "latency": latency,
            }
            print(json.dumps(row), file=sys.stderr)
            rows.append(row)
    result = {
        "summary": {
            r["broker"]: {
                "ratio": r["ratio"],
                "p50_ms": r["latency"]["p50_ms"],
                "p99_ms": r["latency"]["p99_ms"],
            }
            for r in rows
        },
        "rows": rows,
    }
    text = json.dumps(result, indent=1)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
