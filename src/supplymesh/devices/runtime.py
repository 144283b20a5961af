"""What `supplymesh serve` runs for devices: the embedded broker (or an external one) and
the ingestor, and the broker provisioner the API uses when credentials change."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from supplymesh.devices.alarms import AlarmEngine
from supplymesh.devices.ports import BrokerProvisioner
from supplymesh.devices.settings import DeviceSettings
from supplymesh.devices.store import BatchHook, TelemetryStore
from supplymesh.platform.settings import Settings
from supplymesh.platform.uow import Database

if TYPE_CHECKING:
    from supplymesh.devices.ingestion.broker import EmbeddedBroker
    from supplymesh.devices.ingestion.mqtt import Ingestor
    from supplymesh.devices.opcua.connector import OpcuaConnectors

log = logging.getLogger(__name__)


class DeviceRuntime:
    """Broker and ingestor, started and stopped together."""

    def __init__(
        self, db: Database, settings: Settings, device_settings: DeviceSettings | None = None
    ) -> None:
        self.db = db
        self.settings = settings
        self.device_settings = device_settings or DeviceSettings()
        self.store = TelemetryStore(db, max_payload=self.device_settings.mqtt_max_payload)
        self.broker: EmbeddedBroker | None = None
        self.ingestor: Ingestor | None = None
        self.opcua: OpcuaConnectors | None = None
        self.alarms = AlarmEngine(db)
        self.store.subscribe(self.alarms)  # every stored batch is checked against the rules
        self._stop_heartbeats = threading.Event()

    @property
    def enabled(self) -> bool:
        return bool(self.device_settings.mqtt_url) or self.settings.mqtt_port > 0

    def subscribe(self, hook: BatchHook) -> None:
        """Where a rules engine plugs in: called with every stored batch."""
        self.store.subscribe(hook)

    def start(self) -> DeviceRuntime:
        from supplymesh.devices.ingestion.mqtt import BrokerAddress, Ingestor
        from supplymesh.devices.opcua.connector import OpcuaConnectors

        # OPC UA machines with a mapping are read whether or not MQTT is on; their batches
        # go to the same hooks (alarm engine) as the MQTT store's.
        self.opcua = OpcuaConnectors(
            self.db, hooks=self.store.hooks, max_payload=self.device_settings.mqtt_max_payload
        ).start()
        if self.device_settings.mqtt_url:
            address = BrokerAddress.parse(self.device_settings.mqtt_url)
        elif self.settings.mqtt_port > 0:
            from supplymesh.devices.ingestion.broker import EmbeddedBroker

            self.broker = EmbeddedBroker(self.db, self.settings.mqtt_port).start()
            address = self.broker.ingestor_address
        else:
            return self
        self.ingestor = Ingestor(
            self.store, address, retention=self.device_settings.retention
        ).start()
        log.info("MQTT ingestion from %s:%d", address.host, address.port)
        threading.Thread(target=self._heartbeats, name="alarm-heartbeats", daemon=True).start()
        return self

    def _heartbeats(self, every_s: float = 30.0) -> None:
        while not self._stop_heartbeats.wait(every_s):
            try:
                self.alarms.check_heartbeats()
            except Exception:  # a bad rule must not stop the other checks; it is logged
                log.exception("heartbeat check failed")
            try:
                self.alarms.check_models()
            except Exception:
                log.exception("model-based rule check failed")

    def stop(self) -> None:
        self._stop_heartbeats.set()
        if self.opcua is not None:
            self.opcua.stop()
        if self.ingestor is not None:
            self.ingestor.stop()
        if self.broker is not None:
            self.broker.stop()


def provisioner(device_settings: DeviceSettings | None = None) -> BrokerProvisioner | None:
    """The external broker's provisioner, or None (the embedded broker reads the registry)."""
    device_settings = device_settings or DeviceSettings()
    if not device_settings.mqtt_url or not device_settings.mqtt_admin_url:
        return None
    from supplymesh.devices.ingestion.mosquitto import DynSecProvisioner
    from supplymesh.devices.ingestion.mqtt import BrokerAddress

    return DynSecProvisioner(BrokerAddress.parse(device_settings.mqtt_admin_url))
