"""The notification worker: reads the outbox, sends what is due, escalates, every tick.

A thread of its own next to the webhook `DeliveryWorker` (started in the app's lifespan), so
a slow mail server never delays webhooks and the reverse.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from supplymesh.notify.consumer import consume
from supplymesh.notify.delivery import channel_factory, deliver_due, escalate_due
from supplymesh.notify.settings import NotifySettings
from supplymesh.platform.uow import Database

log = logging.getLogger(__name__)


def run_once(db: Database, server_key: str, settings: NotifySettings) -> None:
    """One pass: new events → notifications, due deliveries out, overdue alarms escalated."""
    email_ready = settings.smtp is not None
    consume(
        db.factory,
        email_ready=email_ready,
        escalation=timedelta(minutes=settings.alarm_escalation_minutes),
    )
    escalate_due(db.factory, email_ready=email_ready)
    deliver_due(db.factory, server_key, channel_factory(settings.smtp), settings.public_url)


class NotifyWorker:
    def __init__(self, db: Database, server_key: str, settings: NotifySettings) -> None:
        self.db = db
        self.server_key = server_key
        self.settings = settings
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="notify", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=15)

    def _run(self) -> None:
        while not self._stop.wait(self.settings.notify_interval_s):
            try:
                run_once(self.db, self.server_key, self.settings)
            except Exception:  # the database may be briefly unavailable: try again next tick
                log.exception("notification pass failed")
