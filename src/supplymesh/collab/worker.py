"""A background thread that delivers due webhooks while the server runs."""

from __future__ import annotations

import logging
import threading

from supplymesh.collab.webhooks import Sender, deliver_due
from supplymesh.platform.uow import Database

log = logging.getLogger(__name__)


class DeliveryWorker:
    """Polls for due deliveries every `interval_s` until stopped."""

    def __init__(
        self, db: Database, server_key: str, send: Sender, interval_s: float = 1.0
    ) -> None:
        self.db = db
        self.server_key = server_key
        self.send = send
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="webhook-delivery", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=15)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                deliver_due(self.db.factory, self.server_key, self.send)
            except Exception:  # the database may be briefly unavailable: try again next tick
                log.exception("webhook delivery pass failed")
