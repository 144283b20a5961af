"""The MQTT ingestor: subscribe to every device topic, store in batches, acknowledge after commit.

The subscription is QoS 1 on a persistent session (fixed client id, ``clean_session=False``)
and acknowledgements are manual: a message is PUBACKed to the broker only once the batch
that holds it is committed (refused messages are committed as counters). So a broker that
keeps sessions (mosquitto with persistence) redelivers whatever the ingestor had not stored
when it stopped or crashed, and the (device, seq) uniqueness makes the redelivery harmless.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from supplymesh.devices.store import Incoming, Retention, StoredBatch, TelemetryStore, prune

log = logging.getLogger(__name__)

SUBSCRIPTION = "sm/+/+/+/+"
INGESTOR_CLIENT_ID = "supplymesh-ingestor"
INGESTOR_USERNAME = "supplymesh-ingestor"


@dataclass(frozen=True)
class BrokerAddress:
    """Where a broker listens and the credentials to use there."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, url: str) -> BrokerAddress:
        """``mqtt://user:password@host:port`` (port 1883 by default)."""
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "tcp") or not parts.hostname:
            raise ValueError(f"broker URL {url!r} must look like mqtt://user:password@host:port")
        return cls(
            parts.hostname,
            parts.port or 1883,
            unquote(parts.username) if parts.username else None,
            unquote(parts.password) if parts.password else None,
        )

    def url(self) -> str:
        auth = f"{self.username}:{self.password}@" if self.username else ""
        return f"mqtt://{auth}{self.host}:{self.port}"


def make_client(
    client_id: str, address: BrokerAddress, clean_session: bool = True, manual_ack: bool = False
) -> paho.Client:
    """A paho client (MQTT 3.1.1, version-2 callbacks) with the address's credentials."""
    client = paho.Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id,
        clean_session=clean_session,
        manual_ack=manual_ack,
    )
    if address.username is not None:
        client.username_pw_set(address.username, address.password)
    return client


@dataclass
class IngestStats:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    batches: int = 0
    store_errors: int = 0


class Ingestor:
    """Consumes device messages from a broker into a `TelemetryStore`."""

    def __init__(
        self,
        store: TelemetryStore,
        address: BrokerAddress,
        client_id: str = INGESTOR_CLIENT_ID,
        batch_size: int = 500,
        batch_wait_s: float = 0.05,
        retention: Retention | None = None,
        prune_every_s: float = 3600.0,
    ) -> None:
        self.store = store
        self.address = address
        self.client_id = client_id
        self.batch_size = batch_size
        self.batch_wait_s = batch_wait_s
        self.retention = retention or Retention()
        self.prune_every_s = prune_every_s
        self.stats = IngestStats()
        self.subscribed = threading.Event()
        self._queue: queue.Queue[tuple[int, int, int, Incoming]] = queue.Queue()
        # Packet ids are per connection: an id from before a reconnect must not be acked.
        self._generation = 0
        self._stop = threading.Event()
        self._client = make_client(client_id, address, clean_session=False, manual_ack=True)
        self._client.on_connect = self._on_connect
        self._client.on_subscribe = self._on_subscribe
        self._client.on_message = self._on_message
        self._worker = threading.Thread(target=self._run, name="mqtt-ingestor", daemon=True)

    def start(self, timeout_s: float = 10.0) -> Ingestor:
        """Connect, subscribe, and start storing; waits until the subscription is granted."""
        self._client.reconnect_delay_set(1, 5)
        self._client.connect_async(self.address.host, self.address.port, keepalive=30)
        self._client.loop_start()
        self._worker.start()
        if not self.subscribed.wait(timeout_s):
            self.stop()
            raise TimeoutError(
                f"ingestor could not subscribe at {self.address.host}:{self.address.port}"
            )
        return self

    def stop(self) -> None:
        """Store and acknowledge what was received, then disconnect (the session stays)."""
        self._stop.set()
        if self._worker.is_alive():
            self._worker.join(timeout=30)
        self._client.disconnect()
        self._client.loop_stop()

    def _on_connect(
        self, client: paho.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        if reason.is_failure:
            log.error("broker refused the ingestor: %s", reason)
            return
        self._generation += 1
        client.subscribe(SUBSCRIPTION, qos=1)

    def _on_subscribe(
        self, _client: paho.Client, _userdata: Any, _mid: int, reasons: Any, _props: Any
    ) -> None:
        if all(not r.is_failure for r in reasons):
            self.subscribed.set()
        else:
            log.error("broker refused the subscription %s: %s", SUBSCRIPTION, reasons)

    def _on_message(self, _client: paho.Client, _userdata: Any, msg: paho.MQTTMessage) -> None:
        item = Incoming(msg.topic, bytes(msg.payload))
        self._queue.put((self._generation, msg.mid, msg.qos, item))

    def _next_batch(self) -> list[tuple[int, int, int, Incoming]]:
        try:
            first = self._queue.get(timeout=0.2)
        except queue.Empty:
            return []
        batch = [first]
        deadline = time.monotonic() + self.batch_wait_s
        while len(batch) < self.batch_size:
            remaining = deadline - time.monotonic()
            try:
                batch.append(
                    self._queue.get(timeout=remaining)
                    if remaining > 0
                    else self._queue.get_nowait()
                )
            except queue.Empty:
                break
        return batch

    def _run(self) -> None:
        last_prune = time.monotonic()
        while not (self._stop.is_set() and self._queue.empty()):
            batch = self._next_batch()
            if batch:
                self._store(batch)
            if time.monotonic() - last_prune > self.prune_every_s:
                last_prune = time.monotonic()
                try:
                    prune(self.store.db, self.retention)
                except Exception:  # retention is housekeeping; ingestion goes on
                    log.exception("pruning old telemetry failed")

    def _store(self, batch: list[tuple[int, int, int, Incoming]]) -> None:
        delay = 0.1
        while True:
            try:
                result: StoredBatch = self.store.store_batch([item for *_key, item in batch])
                break
            except Exception:  # the database is away: keep the batch, unacknowledged, and retry
                self.stats.store_errors += 1
                log.exception("storing a batch of %d messages failed; retrying", len(batch))
                if self._stop.wait(delay):
                    return  # stopping: the broker redelivers what was not acknowledged
                delay = min(delay * 2, 5.0)
        for generation, mid, qos, _item in batch:
            if qos > 0 and generation == self._generation:
                self._client.ack(mid, qos)
        self.stats.received += len(batch)
        self.stats.stored += result.stored_messages
        self.stats.duplicates += result.duplicate_messages
        self.stats.rejected += sum(result.rejected.values())
        self.stats.batches += 1
