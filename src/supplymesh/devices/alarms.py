"""The alarm lifecycle: rules fire on stored batches and on silence, people acknowledge,
conditions clearing (or people) clear; every change goes out on the live feed.

Rules are cached per enterprise (reloaded after `ttl_s` or on `invalidate()`), so evaluating
a batch costs no query unless a rule actually fires or clears.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import weakref
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from supplymesh.devices.alarm_model import (
    OPEN_STATES,
    Alarm,
    AlarmRule,
    AlarmState,
    RuleKind,
)
from supplymesh.devices.model import Device, DeviceStatus
from supplymesh.devices.rules import RateTracker, RuleSpec, ThresholdTracker, silent
from supplymesh.devices.store import StoredBatch
from supplymesh.network.model import User
from supplymesh.platform.db import utcnow
from supplymesh.platform.errors import NotFound, StaleVersion
from supplymesh.platform.uow import Database, UnitOfWork

log = logging.getLogger(__name__)
Event = dict[str, Any]


class AlarmFeed:
    """In-process fan-out of alarm events to live subscribers of one enterprise."""

    def __init__(self) -> None:
        self._subscribers: dict[int, list[queue.Queue[Event]]] = defaultdict(list)
        self._lock = threading.Lock()

    def subscribe(self, enterprise_id: int) -> queue.Queue[Event]:
        q: queue.Queue[Event] = queue.Queue(maxsize=1000)
        with self._lock:
            self._subscribers[enterprise_id].append(q)
        return q

    def unsubscribe(self, enterprise_id: int, q: queue.Queue[Event]) -> None:
        with self._lock:
            if q in self._subscribers[enterprise_id]:
                self._subscribers[enterprise_id].remove(q)

    def has_subscribers(self, enterprise_id: int) -> bool:
        with self._lock:
            return bool(self._subscribers.get(enterprise_id))

    def publish(self, enterprise_id: int, event: Event) -> None:
        with self._lock:
            targets = list(self._subscribers.get(enterprise_id, ()))
        for q in targets:
            try:
                q.put_nowait(event)
            except queue.Full:  # a stalled reader loses events rather than stall ingestion
                log.warning("alarm feed subscriber of enterprise %d is full", enterprise_id)


FEED = AlarmFeed()


def event_of(kind: str, alarm: Alarm) -> Event:
    return {
        "event": kind,
        "alarm_id": alarm.id,
        "device_id": alarm.device_id,
        "rule_id": alarm.rule_id,
        "state": alarm.state,
        "severity": alarm.severity,
        "count": alarm.count,
        "message": alarm.message,
        "escalate_to_user_id": alarm.escalate_to_user_id,
    }


def spec_of(rule: AlarmRule) -> RuleSpec:
    return RuleSpec(
        rule.id,
        rule.enterprise_id,
        rule.name,
        rule.kind,
        rule.severity,
        rule.metric,
        rule.low,
        rule.high,
        rule.consecutive,
        rule.window_s,
        rule.silence_s,
        rule.device_id,
        rule.device_kind,
        rule.attribute_key,
        rule.attribute_value,
    )


def escalation_user(uow: UnitOfWork, device: Device) -> int | None:
    """The device's `owner_user_id` attribute if it names a user of its enterprise, else the
    enterprise's first active admin."""
    owner = (device.attributes or {}).get("owner_user_id")
    if owner is not None and str(owner).isdigit():
        user = uow.session.get(User, int(owner))
        if user is not None and user.enterprise_id == device.enterprise_id:
            return user.id
    found = uow.session.scalar(
        select(User.id)
        .where(
            User.enterprise_id == device.enterprise_id, User.role == "admin", User.active.is_(True)
        )
        .order_by(User.id)
        .limit(1)
    )
    return int(found) if found is not None else None


@dataclass
class _Rules:
    loaded_at: float
    by_device: dict[int, list[RuleSpec]]


_ENGINES: weakref.WeakSet[AlarmEngine] = weakref.WeakSet()


def rules_changed(enterprise_id: int) -> None:
    """Make every engine of this process reload the enterprise's rules on the next batch."""
    for engine in list(_ENGINES):
        engine.invalidate(enterprise_id)


class AlarmEngine:
    """Subscribe it to the telemetry store; call `check_heartbeats(now)` periodically."""

    def __init__(self, db: Database, feed: AlarmFeed = FEED, ttl_s: float = 5.0) -> None:
        self.db = db
        self.feed = feed
        self.ttl_s = ttl_s
        self._cache: dict[int, _Rules] = {}
        self._trackers: dict[tuple[int, int], ThresholdTracker | RateTracker] = {}
        #: (rule, device) pairs last seen healthy with no open alarm: healthy again costs nothing.
        self._quiet: set[tuple[int, int]] = set()
        self._lock = threading.Lock()
        _ENGINES.add(self)

    def invalidate(self, enterprise_id: int | None = None) -> None:
        with self._lock:
            if enterprise_id is None:
                self._cache.clear()
            else:
                self._cache.pop(enterprise_id, None)

    def rules_for(self, enterprise_id: int) -> dict[int, list[RuleSpec]]:
        with self._lock:
            hit = self._cache.get(enterprise_id)
        if hit is not None and time.monotonic() - hit.loaded_at < self.ttl_s:
            return hit.by_device
        by_device: dict[int, list[RuleSpec]] = defaultdict(list)
        with self.db.system() as uow:
            specs = [
                spec_of(r)
                for r in uow.session.scalars(
                    select(AlarmRule).where(
                        AlarmRule.enterprise_id == enterprise_id, AlarmRule.enabled.is_(True)
                    )
                )
            ]
            if specs:
                for dev in uow.session.scalars(
                    select(Device).where(Device.enterprise_id == enterprise_id)
                ):
                    for spec in specs:
                        if spec.applies_to(dev.id, dev.kind, dev.attributes or {}):
                            by_device[dev.id].append(spec)
        with self._lock:
            self._cache[enterprise_id] = _Rules(time.monotonic(), dict(by_device))
        return dict(by_device)

    def __call__(self, batch: StoredBatch) -> None:
        self.on_batch(batch)

    def on_batch(self, batch: StoredBatch) -> None:
        """Feed each new sample to its rules; fire on any breach in the batch, else clear."""
        verdicts: dict[tuple[RuleSpec, int], tuple[bool, float]] = {}
        seen: dict[int, set[int]] = defaultdict(set)
        for sample in sorted(batch.samples, key=lambda s: s.ts):
            seen[sample.enterprise_id].add(sample.device_id)
            for spec in self.rules_for(sample.enterprise_id).get(sample.device_id, ()):
                if spec.metric != sample.metric or spec.kind == RuleKind.HEARTBEAT:
                    continue
                verdict = self._feed(spec, sample.device_id, sample.ts, sample.value)
                key = (spec, sample.device_id)
                # A breach anywhere in the batch stands (it clears on a later batch), so a
                # short excursion between two deliveries still raises its alarm.
                if not (key in verdicts and verdicts[key][0]):
                    verdicts[key] = (verdict.breached, verdict.value)
        for enterprise_id, devices in seen.items():
            rules = self.rules_for(enterprise_id)
            for device_id in devices:
                for spec in rules.get(device_id, ()):
                    if spec.kind == RuleKind.HEARTBEAT:
                        verdicts[(spec, device_id)] = (False, 0.0)
        with self._lock:
            verdicts = {
                key: verdict
                for key, verdict in verdicts.items()
                if verdict[0] or (key[0].id, key[1]) not in self._quiet
            }
        if verdicts:
            self._apply(verdicts, utcnow())

    def _feed(self, spec: RuleSpec, device_id: int, ts: datetime, value: float) -> Any:
        key = (spec.id, device_id)
        with self._lock:
            tracker = self._trackers.get(key)
            if spec.kind == RuleKind.RATE:
                if not isinstance(tracker, RateTracker) or tracker.window_s != spec.window_s:
                    tracker = self._trackers[key] = RateTracker(spec.window_s)
                return tracker.feed(ts, value, spec.low, spec.high)
            if not isinstance(tracker, ThresholdTracker) or tracker.consecutive != spec.consecutive:
                tracker = self._trackers[key] = ThresholdTracker(spec.consecutive)
            return tracker.feed(value, spec.low, spec.high)

    def _periodic(self, kind: RuleKind) -> list[tuple[RuleSpec, Device]]:
        """Enabled rules of `kind` with the active devices each applies to."""
        with self.db.system() as uow:
            rules = [
                spec_of(r)
                for r in uow.session.scalars(
                    select(AlarmRule).where(
                        AlarmRule.kind == kind.value, AlarmRule.enabled.is_(True)
                    )
                )
            ]
            enterprises = {r.enterprise_id for r in rules}
            if not enterprises:
                return []
            devices = uow.session.scalars(
                select(Device).where(
                    Device.enterprise_id.in_(sorted(enterprises)),
                    Device.status == DeviceStatus.ACTIVE.value,
                )
            ).all()
        return [
            (spec, dev)
            for dev in devices
            for spec in rules
            if spec.enterprise_id == dev.enterprise_id
            and spec.applies_to(dev.id, dev.kind, dev.attributes or {})
        ]

    def check_heartbeats(self, now: datetime | None = None) -> None:
        """Fire heartbeat rules of active devices silent for longer than their limit."""
        now = now or utcnow()
        verdicts: dict[tuple[RuleSpec, int], tuple[bool, float]] = {}
        for spec, dev in self._periodic(RuleKind.HEARTBEAT):
            quiet = silent(dev.last_seen_at, dev.created_at, now, spec.silence_s)
            reference = dev.last_seen_at or dev.created_at
            verdicts[(spec, dev.id)] = (quiet, (now - reference).total_seconds())
        if verdicts:
            self._apply(verdicts, now)

    def check_models(self, now: datetime | None = None) -> None:
        """Fire model-based rules: a machine whose health index (the trend of each watched
        sensor towards its limit, `devices.health`) is below the rule's `low`. Run
        periodically, not per sample: the model reads minutes to hours of history. A machine
        without enough history gives no verdict, so an open alarm stays as it is."""
        from supplymesh.devices.health import assess_device  # numpy model, loaded on use

        now = now or utcnow()
        pairs = self._periodic(RuleKind.HEALTH)
        verdicts: dict[tuple[RuleSpec, int], tuple[bool, float]] = {}
        index: dict[int, float | None] = {}
        with self.db.system() as uow:
            for spec, dev in pairs:
                if dev.id not in index:
                    index[dev.id] = assess_device(uow, dev, now).result.health
                health = index[dev.id]
                if health is not None and spec.low is not None:
                    verdicts[(spec, dev.id)] = (health < spec.low, round(health, 1))
        if verdicts:
            self._apply(verdicts, now)

    def _apply(
        self, verdicts: dict[tuple[RuleSpec, int], tuple[bool, float]], now: datetime
    ) -> None:
        events: list[tuple[int, Event]] = []
        with self.db.system() as uow:
            keys = {(device_id, spec.id) for spec, device_id in verdicts}
            open_alarms = {
                (a.device_id, a.rule_id): a
                for a in uow.session.scalars(
                    select(Alarm).where(
                        Alarm.device_id.in_(sorted({k[0] for k in keys})),
                        Alarm.state.in_(OPEN_STATES),
                    )
                )
            }
            for (spec, device_id), (breached, value) in verdicts.items():
                alarm = open_alarms.get((device_id, spec.id))
                if breached and alarm is not None:
                    alarm.count += 1
                    alarm.last_seen_at = now
                    alarm.value = value
                elif breached:
                    device = uow.session.get(Device, device_id)
                    if device is None:
                        continue
                    alarm = Alarm(
                        enterprise_id=spec.enterprise_id,
                        device_id=device_id,
                        rule_id=spec.id,
                        severity=spec.severity,
                        message=f"{spec.name}: {spec.kind} {spec.metric or ''} = {value:g}",
                        value=value,
                        first_at=now,
                        last_seen_at=now,
                        escalate_to_user_id=escalation_user(uow, device),
                    )
                    uow.add(alarm)
                    uow.flush()
                    events.append((spec.enterprise_id, event_of("created", alarm)))
                elif alarm is not None:
                    alarm.move_to(AlarmState.CLEARED)
                    alarm.cleared_at = now
                    events.append((spec.enterprise_id, event_of("cleared", alarm)))
            uow.commit()
        with self._lock:
            for (spec, device_id), (breached, _value) in verdicts.items():
                if breached:
                    self._quiet.discard((spec.id, device_id))
                else:
                    self._quiet.add((spec.id, device_id))
        for enterprise_id, event in events:
            self.feed.publish(enterprise_id, event)


def visible_alarm(uow: UnitOfWork, alarm_id: int, version: int | None) -> Alarm:
    alarm = uow.session.get(Alarm, alarm_id)
    if alarm is None:
        raise NotFound("Alarm", alarm_id)
    if version is not None and version != alarm.version:
        raise StaleVersion("Alarm", alarm_id, version, alarm.version)
    return alarm


def acknowledge(
    uow: UnitOfWork, alarm_id: int, version: int | None, note: str | None, feed: AlarmFeed = FEED
) -> Alarm:
    """Someone has taken the alarm on; it stays open until the condition (or they) clear it."""
    alarm = visible_alarm(uow, alarm_id, version)
    alarm.move_to(AlarmState.ACKNOWLEDGED)
    alarm.acknowledged_by = uow.ctx.user_id
    alarm.acknowledged_at = utcnow()
    alarm.ack_note = note
    uow.commit()
    feed.publish(alarm.enterprise_id, event_of("acknowledged", alarm))
    return alarm


def clear(uow: UnitOfWork, alarm_id: int, version: int | None, feed: AlarmFeed = FEED) -> Alarm:
    """Close the alarm by hand; it becomes history and a new fire opens a new one."""
    alarm = visible_alarm(uow, alarm_id, version)
    alarm.move_to(AlarmState.CLEARED)
    alarm.cleared_by = uow.ctx.user_id
    alarm.cleared_at = utcnow()
    uow.commit()
    feed.publish(alarm.enterprise_id, event_of("cleared", alarm))
    return alarm
