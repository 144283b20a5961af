"""The OPC UA connector: one client session per mapped machine, data changes into the store.

Each mapping gets a session with one subscription and a monitored item per mapped node.
Notifications are queued and written by one thread through `TelemetryStore.store_batch`, the
function the MQTT ingestor calls, with the MQTT store's hooks (the alarm engine), so checks,
deduplication, rollups, rules and alarms are the same code. A lost server is retried with
exponential backoff; the link state (connected, mapping_error, lost) is written to the
mapping row for the API. Node ids the server refuses are a mapping error, reported with the
server's status code, while the other nodes keep flowing.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, cast

from asyncua import ua
from asyncua.client.client import Client
from asyncua.common.node import Node
from asyncua.common.subscription import DataChangeNotif
from sqlalchemy import Table, select, update

from supplymesh.devices.model import Device
from supplymesh.devices.opcua.convert import (
    NotConvertible,
    Route,
    as_number,
    metric_messages,
    sample_time,
    state_message,
)
from supplymesh.devices.opcua.model import LinkState, OpcuaMapping, SecurityMode, SecurityPolicy
from supplymesh.devices.store import (
    BatchHook,
    DeviceDirectory,
    DeviceInfo,
    Incoming,
    TelemetryStore,
)
from supplymesh.network.model import Enterprise, Site
from supplymesh.platform.db import utcnow
from supplymesh.platform.uow import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MappingSpec:
    """A snapshot of one mapping with the device's route; equal snapshots need no restart."""

    mapping_id: int
    device_id: int
    route: Route
    endpoint_url: str
    nodes: tuple[tuple[str, str], ...]  # (metric, node id)
    state_node: str | None = None
    sampling_interval_ms: int = 500
    security_policy: str = SecurityPolicy.NONE.value
    security_mode: str = SecurityMode.NONE.value
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    certificate_path: str | None = None
    private_key_path: str | None = None


def load_specs(db: Database) -> list[MappingSpec]:
    """Every enabled mapping of an active device, with the device's topic route."""
    with db.system() as uow:
        rows = uow.session.execute(
            select(OpcuaMapping, Device.code, Site.code, Enterprise.code)
            .join(Device, Device.id == OpcuaMapping.device_id)
            .join(Site, Site.id == Device.site_id)
            .join(Enterprise, Enterprise.id == Device.enterprise_id)
            .where(OpcuaMapping.enabled.is_(True), Device.status == "active")
            .order_by(OpcuaMapping.id)
        ).all()
        return [
            MappingSpec(
                m.id,
                m.device_id,
                Route(ent, site, code),
                m.endpoint_url,
                tuple(sorted((str(k), str(v)) for k, v in (m.nodes or {}).items())),
                m.state_node,
                m.sampling_interval_ms,
                m.security_policy,
                m.security_mode,
                m.username,
                m.password,
                m.certificate_path,
                m.private_key_path,
            )
            for m, code, site, ent in rows
        ]


class OpcuaDirectory(DeviceDirectory):
    """Devices as the OPC UA path sees them: the platform is the client, so a device needs no
    MQTT secret to be stored; its administrative status still decides."""

    def _load(self, enterprise_code: str, device: str) -> DeviceInfo | None:
        info = super()._load(enterprise_code, device)
        if info is None or info.status != "revoked":
            return info
        with self.db.system() as uow:
            status = uow.session.scalar(select(Device.status).where(Device.id == info.device_id))
        return replace(info, status=str(status))


@dataclass(frozen=True)
class LinkStatus:
    state: str
    detail: str | None = None


@dataclass
class ConnectorStats:
    notifications: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    unconvertible: int = 0
    sessions: int = 0


@dataclass(frozen=True)
class _Reading:
    spec: MappingSpec
    metric: str | None  # None: the state node
    value: Any
    ts: datetime


class _Handler:
    """asyncua's subscription callback: queue each data change with its node's metric."""

    def __init__(self, link: MachineLink) -> None:
        self.link = link
        self.metric_of: dict[str, str | None] = {}

    def datachange_notification(self, node: Node, val: Any, data: DataChangeNotif) -> None:
        value = data.monitored_item.Value
        ts = sample_time(value.SourceTimestamp, value.ServerTimestamp, datetime.now(UTC))
        key = node.nodeid.to_string()
        if key in self.metric_of:
            self.link.owner.put(_Reading(self.link.spec, self.metric_of[key], val, ts))

    def status_change_notification(self, status: ua.StatusChangeNotification) -> None:
        log.info("subscription of device %d: %s", self.link.spec.device_id, status.Status)


class MachineLink:
    """One machine's session, reopened with backoff whenever the server goes away."""

    def __init__(
        self, spec: MappingSpec, owner: OpcuaConnectors, min_delay_s: float, max_delay_s: float
    ) -> None:
        self.spec = spec
        self.owner = owner
        self.min_delay_s = min_delay_s
        self.max_delay_s = max_delay_s

    async def run(self) -> None:
        delay = self.min_delay_s
        while True:
            started = time.monotonic()
            try:
                await self._session()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                detail = f"{type(exc).__name__}: {exc}"[:480] or type(exc).__name__
                await self.owner.report(self.spec, LinkState.LOST, detail)
                log.info(
                    "OPC UA device %d lost (%s); retry in %.1fs", self.spec.device_id, detail, delay
                )
            if time.monotonic() - started > 10 * self.max_delay_s:
                delay = self.min_delay_s  # it had been up a good while: start backoff afresh
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_delay_s)

    async def _session(self) -> None:
        spec = self.spec
        client = Client(spec.endpoint_url, timeout=5, watchdog_intervall=1.0)
        # Short server-side session life: a connector that dies leaves no session for long.
        client.session_timeout = 60_000
        if spec.username:
            client.set_user(spec.username)
            client.set_password(spec.password or "")
        if spec.security_policy != SecurityPolicy.NONE.value:
            await client.set_security_string(
                f"{spec.security_policy},{spec.security_mode},"
                f"{spec.certificate_path},{spec.private_key_path}"
            )
        lost = asyncio.Event()

        async def on_lost(_exc: Exception) -> None:
            lost.set()

        client.connection_lost_callback = on_lost
        await client.connect()
        try:
            handler = _Handler(self)
            subscription = await client.create_subscription(spec.sampling_interval_ms, handler)
            wanted: list[tuple[str | None, str]] = [(m, n) for m, n in spec.nodes]
            if spec.state_node:
                wanted.append((None, spec.state_node))
            errors: list[str] = []
            nodes: list[tuple[str | None, Node]] = []
            for metric, node_id in wanted:
                try:
                    nodes.append((metric, client.get_node(node_id)))
                except Exception as exc:  # a malformed id: report it, keep the others
                    errors.append(f"{metric or 'state'} -> {node_id}: {exc}")
            for metric, node in nodes:
                handler.metric_of[node.nodeid.to_string()] = metric
            results = (
                await subscription.subscribe_data_change(
                    [n for _m, n in nodes], sampling_interval=ua.Double(spec.sampling_interval_ms)
                )
                if nodes
                else []
            )
            for (metric, node), result in zip(nodes, results, strict=True):
                if isinstance(result, ua.StatusCode):
                    handler.metric_of.pop(node.nodeid.to_string(), None)
                    errors.append(
                        f"{metric or 'state'} -> {node.nodeid.to_string()}: {result.name}"
                    )
            self.owner.stats.sessions += 1
            if errors:
                await self.owner.report(spec, LinkState.MAPPING_ERROR, "; ".join(errors))
            else:
                await self.owner.report(spec, LinkState.CONNECTED, None)
            await lost.wait()
            raise ConnectionError(f"connection to {spec.endpoint_url} lost")
        finally:
            with suppress(Exception):
                await asyncio.wait_for(client.disconnect(), 3)


class OpcuaConnectors:
    """Keeps one `MachineLink` per enabled mapping, in a thread with its own event loop;
    mappings are re-read every `poll_s`, so API changes take effect without a restart."""

    def __init__(
        self,
        db: Database,
        hooks: list[BatchHook] | None = None,
        max_payload: int | None = None,
        poll_s: float = 2.0,
        min_delay_s: float = 0.5,
        max_delay_s: float = 10.0,
        batch_wait_s: float = 0.05,
    ) -> None:
        self.db = db
        self.store = TelemetryStore(db, OpcuaDirectory(db))
        if max_payload is not None:
            self.store.max_payload = max_payload
        if hooks is not None:
            self.store.hooks = hooks  # the very list the MQTT store calls: same rules, alarms
        self.poll_s = poll_s
        self.min_delay_s = min_delay_s
        self.max_delay_s = max_delay_s
        self.batch_wait_s = batch_wait_s
        self.stats = ConnectorStats()
        self.status: dict[int, LinkStatus] = {}
        self._queue: queue.Queue[_Reading] = queue.Queue()
        self._stop = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._links: dict[int, tuple[MappingSpec, asyncio.Task[None]]] = {}
        self._threads = [
            threading.Thread(target=self._run_loop, name="opcua-connector", daemon=True),
            threading.Thread(target=self._write, name="opcua-writer", daemon=True),
        ]

    def start(self) -> OpcuaConnectors:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        """Close every session and store what was already received."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=15)

    def put(self, reading: _Reading) -> None:
        self.stats.notifications += 1
        self._queue.put(reading)

    async def report(self, spec: MappingSpec, state: LinkState, detail: str | None) -> None:
        """Remember and persist the link state (a plain UPDATE: no version bump, so an
        administrator's concurrent edit of the mapping is not refused as stale)."""
        self.status[spec.device_id] = LinkStatus(state.value, detail)
        table = cast(Table, OpcuaMapping.__table__)

        def write() -> None:
            with self.db.system() as uow:
                uow.session.execute(
                    update(table)
                    .where(table.c.id == spec.mapping_id)
                    .values(link_state=state.value, link_detail=detail, link_at=utcnow())
                )
                uow.commit()

        try:
            await asyncio.get_running_loop().run_in_executor(None, write)
        except Exception:  # the status is informative; the link goes on
            log.exception("could not record the OPC UA link state of device %d", spec.device_id)

    def _run_loop(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._supervise())
        finally:
            loop.close()

    async def _supervise(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    specs = await asyncio.get_running_loop().run_in_executor(
                        None, load_specs, self.db
                    )
                except Exception:
                    log.exception("could not load OPC UA mappings")
                else:
                    self._reconcile({s.mapping_id: s for s in specs})
                deadline = time.monotonic() + self.poll_s
                while not self._stop.is_set() and time.monotonic() < deadline:
                    await asyncio.sleep(0.1)
        finally:
            for _spec, task in self._links.values():
                task.cancel()
            if self._links:
                await asyncio.gather(*(t for _s, t in self._links.values()), return_exceptions=True)

    def _reconcile(self, wanted: dict[int, MappingSpec]) -> None:
        for mapping_id, (spec, task) in list(self._links.items()):
            if wanted.get(mapping_id) != spec or task.done():
                task.cancel()
                del self._links[mapping_id]
        for mapping_id, spec in wanted.items():
            if mapping_id not in self._links:
                link = MachineLink(spec, self, self.min_delay_s, self.max_delay_s)
                self._links[mapping_id] = (spec, asyncio.create_task(link.run()))

    def _write(self) -> None:
        while not (self._stop.is_set() and self._queue.empty()):
            try:
                first = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            batch = [first]
            deadline = time.monotonic() + self.batch_wait_s
            while len(batch) < 1000 and (left := deadline - time.monotonic()) > 0:
                try:
                    batch.append(self._queue.get(timeout=left))
                except queue.Empty:
                    break
            self._store(self._convert(batch))

    def _convert(self, batch: list[_Reading]) -> list[Incoming]:
        per_device: dict[int, tuple[Route, list[tuple[str, float, datetime]]]] = {}
        items: list[Incoming] = []
        for r in batch:
            try:
                if r.metric is None:
                    items.append(state_message(r.spec.route, r.value, r.ts))
                else:
                    entry = per_device.setdefault(r.spec.device_id, (r.spec.route, []))
                    entry[1].append((r.metric, as_number(r.value), r.ts))
            except NotConvertible as exc:
                self.stats.unconvertible += 1
                log.info("device %d: %s", r.spec.device_id, exc)
        for route, readings in per_device.values():
            items.extend(metric_messages(route, readings))
        return items

    def _store(self, items: list[Incoming]) -> None:
        delay = 0.1
        while items:
            try:
                result = self.store.store_batch(items)
            except Exception:  # the database is away: keep the batch and retry
                log.exception("storing %d OPC UA messages failed; retrying", len(items))
                if self._stop.wait(delay):
                    return
                delay = min(delay * 2, 5.0)
                continue
            self.stats.stored += result.stored_messages
            self.stats.duplicates += result.duplicate_messages
            self.stats.rejected += sum(result.rejected.values())
            return
