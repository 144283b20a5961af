"""Sustained MQTT ingestion (broker -> stored) next to raw broker throughput, same machine.

For each broker (the embedded amqtt one and a mosquitto process) the same devices publish
the same QoS 1 messages from another process, as fast as the broker acknowledges them:

* raw: a plain paho subscriber (QoS 1) counts what arrives, nothing else;
* ingest: the platform's ingestor receives, checks and commits every message (one
  transaction per batch, dedup, minute/hour rollups) and acknowledges after commit.

The figure is ingest/raw. Run under the benchmark lock:

    flock /tmp/supplymesh-bench.lock .venv/bin/python scripts/bench_ingest.py \
        --messages 20000 --devices 20 --json benchmarks/results/devices_ingest.json
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from supplymesh.devices.ingestion.mqtt import BrokerAddress, make_client
from supplymesh.devices.payload import encode

METRICS = ("temperature", "vibration", "power", "spindle_speed", "part_count", "scrap_count")


def publish(
    port: int, devices: list[dict[str, Any]], per_device: int, seq0: int, ready: Any
) -> None:
    """Child process: every device publishes `per_device` messages, waits for every PUBACK."""
    clients = []
    for d in devices:
        address = BrokerAddress("127.0.0.1", port, d["username"], d["secret"])
        client = make_client(f"bench-{d['username']}-{seq0}", address)
        client.max_inflight_messages_set(200)
        client.max_queued_messages_set(0)
        client.connect("127.0.0.1", port)
        client.loop_start()
        clients.append((client, d["topic"]))
    for client, _topic in clients:
        while not client.is_connected():
            time.sleep(0.01)
    ready.set()  # the clock starts when every device is connected
    infos = []
    for i in range(per_device):
        now = datetime.now(UTC)
        values = {m: float(i % 97) + k for k, m in enumerate(METRICS)}
        for client, topic in clients:
            infos.append(client.publish(topic, encode(now, seq0 + i, values), qos=1))
    for info in infos:
        info.wait_for_publish(120)
    for client, _topic in clients:
        client.disconnect()
        client.loop_stop()


def run_publishers(
    port: int, devices: list[dict[str, Any]], per_device: int, seq0: int
) -> tuple[mp.process.BaseProcess, float]:
    """Start the publishing process; returns it and the time its devices were all connected."""
    ctx = mp.get_context("spawn")
    ready = ctx.Event()
    proc = ctx.Process(target=publish, args=(port, devices, per_device, seq0, ready))
    proc.start()
    if not ready.wait(120):
        raise RuntimeError("publishers did not connect")
    return proc, time.perf_counter()


def raw_rate(address: BrokerAddress, devices: list[dict[str, Any]], per_device: int) -> float:
    """Messages per second a trivial QoS 1 subscriber receives."""
    total = len(devices) * per_device
    got = 0
    done = threading.Event()
    first: list[float] = []
    last_seen: list[float] = []

    def on_message(*_a: Any) -> None:
        nonlocal got
        if not first:
            first.append(time.perf_counter())
        got += 1
        last_seen[:] = [time.perf_counter()]
        if got >= total:
            done.set()

    sub = make_client("bench-raw", address)
    sub.on_message = on_message
    subscribed = threading.Event()
    sub.on_subscribe = lambda *_a: subscribed.set()
    sub.on_connect = lambda c, *_a: c.subscribe("sm/+/+/+/+", qos=1)
    sub.connect(address.host, address.port)
    sub.loop_start()
    subscribed.wait(10)
    proc, start = run_publishers(address.port, devices, per_device, seq0=1)
    last, last_change = -1, time.monotonic()
    while not done.wait(0.5) and time.monotonic() - last_change < 10:
        if got != last:
            last, last_change = got, time.monotonic()
    elapsed = (last_seen[0] if last_seen else time.perf_counter()) - start
    proc.join(60)
    sub.disconnect()
    sub.loop_stop()
    if got < total:
        print(f"raw: only {got} of {total} arrived", file=sys.stderr)
    return got / elapsed


def ingest_rate(
    db: Any, address: BrokerAddress, devices: list[dict[str, Any]], per_device: int
) -> tuple[float, dict[str, int]]:
    """Messages per second from publish to committed in the store."""
    from supplymesh.devices.ingestion.mqtt import Ingestor
    from supplymesh.devices.store import TelemetryStore

    total = len(devices) * per_device
    ingestor = Ingestor(TelemetryStore(db), address).start()
    proc, start = run_publishers(address.port, devices, per_device, seq0=10_000_000)
    last, last_change = -1, time.monotonic()
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
        print(f"ingest: only {ingestor.stats.stored} of {total} stored", file=sys.stderr)
    proc.join(60)
    ingestor.stop()
    return ingestor.stats.stored / elapsed, dict(ingestor.stats.__dict__)


def setup(db: Any, count: int) -> list[dict[str, Any]]:
    from supplymesh.devices import simulate
    from supplymesh.network.services import NewEnterprise, register_enterprise

    register_enterprise(
        db, NewEnterprise("BENCH", "Bench Co", ["manufacturer"], "bench.admin", "bench-password")
    )
    creds = simulate.provision(db, "BENCH", count)
    return [
        {"username": c.username, "secret": c.secret, "topic": c.telemetry_topic, "id": c.device_id}
        for c in creds
    ]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fresh_db(directory: Path, name: str) -> Any:
    from supplymesh.bootstrap import build_database
    from supplymesh.platform.schema import migrate
    from supplymesh.platform.settings import Settings

    db = build_database(Settings(database_url=f"sqlite:///{directory / name}.db", home=directory))
    migrate(db.engine)
    return db


@contextmanager
def running_broker(
    broker: str, db: Any, devices: list[dict[str, Any]], directory: Path
) -> Iterator[BrokerAddress]:
    """The embedded amqtt broker, or a mosquitto process with the devices provisioned."""
    port = free_port()
    if broker == "amqtt":
        from supplymesh.devices.ingestion.broker import EmbeddedBroker

        embedded = EmbeddedBroker(db, port).start()
        try:
            yield embedded.ingestor_address
        finally:
            embedded.stop()
        return
    from supplymesh.devices import credentials
    from supplymesh.devices.ingestion.mosquitto import DynSec, MosquittoProcess, write_config

    process = MosquittoProcess(write_config(directory / f"mosquitto-{port}", port)).start()
    try:
        with DynSec(process.setup.admin) as dynsec, db.system() as uow:
            for d in devices:
                dynsec.grant(credentials.identity(uow, d["id"]), d["secret"])
        yield process.setup.ingestor
    finally:
        process.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    per_device = args.messages // args.devices
    rows = []
    with tempfile.TemporaryDirectory(prefix="sm-bench-ingest-") as tmp:
        directory = Path(tmp)
        for broker in ("amqtt", "mosquitto"):
            db = fresh_db(directory, broker)
            devices = setup(db, args.devices)
            # A fresh broker for each phase: nothing of the raw run (its subscriber's session,
            # its backlog) can disturb the ingestion run.
            with running_broker(broker, db, devices, directory) as address:
                raw = raw_rate(address, devices, per_device)
            with running_broker(broker, db, devices, directory) as address:
                ingested, stats = ingest_rate(db, address, devices, per_device)
            row = {
                "broker": broker,
                "messages": per_device * len(devices),
                "devices": len(devices),
                "metrics_per_message": len(METRICS),
                "raw_msgs_per_s": round(raw, 1),
                "ingest_msgs_per_s": round(ingested, 1),
                "ratio": round(ingested / raw, 3),
                "ingestor": stats,
            }
            print(json.dumps(row), file=sys.stderr)
            rows.append(row)
            db.engine.dispose()
    result = {"summary": {r["broker"]: r["ratio"] for r in rows}, "rows": rows}
    text = json.dumps(result, indent=1)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
