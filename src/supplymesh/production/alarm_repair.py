"""Repair the published schedule when an alarm takes a machine down.

Hung on the event bus: every committed ``AlarmCreated`` event (written to the outbox in the
alarm's own transaction) reaches the subscriber after commit. An alarm of a stopping severity
(critical, major by default) on a device linked to a machine with work in its site's
published schedule re-plans from the alarm's first moment, the machine down for the
configured repair time. The new schedule is a draft naming the alarm (published at once when
``SUPPLYMESH_APS_AUTO_PUBLISH_REPAIRS`` is set).

The solve takes seconds, and the bus delivers on the thread that raised the alarm (telemetry
ingestion), so the subscriber only queues the alarm for a background worker: ingestion and
the live alarm feed are not held up. A breakdown the plan cannot absorb (the solver finds
nothing, no order is left to plan) is logged, not retried.
"""

from __future__ import annotations

import logging
import queue
import threading
import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from supplymesh.devices.model import Device
from supplymesh.network.model import Machine
from supplymesh.platform.events import OutboxEvent
from supplymesh.platform.tenancy import TenantContext
from supplymesh.platform.uow import Database
from supplymesh.production.model import NothingToSchedule, Schedule
from supplymesh.production.schedules import NoScheduleFound
from supplymesh.production.services import repair_after_breakdown
from supplymesh.production.settings import ProductionSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlarmRaised:
    """What the repair needs of an ``AlarmCreated`` event (detached from its session)."""

    enterprise_id: int
    alarm_id: int
    device_id: int
    severity: str
    first_at: datetime
    message: str

    @classmethod
    def of(cls, event: OutboxEvent) -> AlarmRaised | None:
        data: dict[str, Any] = event.data
        if event.enterprise_id is None or event.aggregate_id is None or "device_id" not in data:
            return None
        first = data.get("first_at")
        return cls(
            enterprise_id=event.enterprise_id,
            alarm_id=event.aggregate_id,
            device_id=int(data["device_id"]),
            severity=str(data.get("severity", "")),
            first_at=datetime.fromisoformat(first) if first else event.occurred_at,
            message=str(data.get("message", "")),
        )


def on_alarm(db: Database, settings: ProductionSettings, alarm: AlarmRaised) -> Schedule | None:
    """The repaired draft schedule for an alarm, or None when the alarm stops nothing."""
    if alarm.severity not in settings.down_severities:
        return None
    ctx = TenantContext(alarm.enterprise_id, None, "planner")
    with db.unit_of_work(ctx) as uow:
        # Delivery is at least once: repair only once per alarm.
        done = uow.session.scalar(select(Schedule).where(Schedule.alarm_id == alarm.alarm_id))
        if done is not None:
            return done
        device = uow.session.get(Device, alarm.device_id)
        if device is None or device.machine_id is None:
            return None
        machine = uow.session.get(Machine, device.machine_id)
        if machine is None:
            return None
        reason = f"alarm {alarm.alarm_id} on machine {machine.code}: {alarm.message}"
        try:
            schedule = repair_after_breakdown(
                uow, machine, alarm.first_at, settings, reason, alarm_id=alarm.alarm_id
            )
        except (NothingToSchedule, NoScheduleFound) as exc:
            log.warning("alarm %s: schedule not repaired: %s", alarm.alarm_id, exc)
            return None
        if schedule is not None:
            uow.commit()
        return schedule


class RepairWorker:
    """Queues alarms from the bus and repairs schedules one at a time on its own thread.

    Settings are read at each alarm unless given, so a changed environment applies at once.
    """

    def __init__(self, db: Database, settings: ProductionSettings | None = None) -> None:
        self.db = db
        self.settings = settings
        self._queue: queue.Queue[AlarmRaised] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def __call__(self, event: OutboxEvent) -> None:
        alarm = AlarmRaised.of(event)
        settings = self.settings or ProductionSettings()
        if alarm is None or alarm.severity not in settings.down_severities:
            return
        self._queue.put(alarm)
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="schedule-repair", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            alarm = self._queue.get()
            try:
                on_alarm(self.db, self.settings or ProductionSettings(), alarm)
            except Exception:  # one bad repair must not stop the next ones
                log.exception("schedule repair for alarm %s failed", alarm.alarm_id)
            finally:
                self._queue.task_done()

    def wait(self) -> None:
        """Block until every queued alarm has been handled (tests, orderly shutdown)."""
        self._queue.join()


_WORKERS: weakref.WeakKeyDictionary[Database, RepairWorker] = weakref.WeakKeyDictionary()


def install(db: Database, settings: ProductionSettings | None = None) -> RepairWorker:
    """Subscribe a repair worker to alarm events on `db`'s bus."""
    worker = RepairWorker(db, settings)
    _WORKERS[db] = worker
    db.bus.subscribe("AlarmCreated", worker)
    return worker


def worker_for(db: Database) -> RepairWorker | None:
    """The repair worker installed on `db`, if any."""
    return _WORKERS.get(db)
