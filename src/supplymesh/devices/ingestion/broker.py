"""The embedded MQTT broker (amqtt) in its own thread, with device authentication and ACL.

Devices log in with their numeric id and secret (checked against the registry: revoked or
inactive is refused) and may publish only under their own topic; they may not subscribe.
The ingestor logs in with a random secret made at start and may only subscribe to device
topics. amqtt forgets a QoS 1 message whose PUBACK is still outstanding when a persistent
subscriber goes away; `_DurableHandler` keeps it in the session so it is delivered again when
the ingestor reconnects (MQTT 3.1.1 section 4.4), which the (device, seq) dedup makes harmless;
`_DurableBroker` delivers what a device had sent (and was acknowledged) before it went away.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import amqtt.broker
from amqtt.broker import Broker
from amqtt.contexts import Action
from amqtt.mqtt.protocol.broker_handler import BrokerProtocolHandler
from amqtt.mqtt.protocol.handler import OUTGOING
from amqtt.plugins.base import BaseAuthPlugin, BaseTopicPlugin
from amqtt.session import Session

from supplymesh.devices import credentials
from supplymesh.devices.credentials import DeviceIdentity
from supplymesh.devices.ingestion.mqtt import INGESTOR_USERNAME, BrokerAddress
from supplymesh.devices.model import DeviceError
from supplymesh.platform.uow import Database

log = logging.getLogger(__name__)

DEVICE_TOPIC_ROOT = "sm/"


class _DurableHandler(BrokerProtocolHandler):  # type: ignore[misc]
    """Keeps unacknowledged QoS 1 deliveries of persistent sessions for redelivery."""

    async def _handle_qos1_message_flow(self, app_message: Any) -> None:
        session = self.session
        if app_message.direction != OUTGOING or session is None or session.clean_session:
            await super()._handle_qos1_message_flow(app_message)
            return
        try:
            await super()._handle_qos1_message_flow(app_message)
        except (asyncio.CancelledError, TimeoutError):
            if app_message.puback_packet is None and app_message.packet_id is not None:
                session.inflight_out[app_message.packet_id] = app_message
            raise


class _DurableBroker(Broker):  # type: ignore[misc]
    """Delivers what a client published and was acknowledged before it disconnected.

    amqtt PUBACKs a message when it is queued, stops reading the queue when the client goes,
    and its session monitor then clears the queue, so a device that sends a burst and
    disconnects would lose acknowledged messages.
    """

    async def stream_connected(self, reader: Any, writer: Any, listener_name: str) -> None:
        try:
            await super().stream_connected(reader, writer, listener_name)
        finally:
            writer.close()  # also when cancelled at shutdown: no socket is left to the GC

    async def _client_message_loop(self, client_session: Session, handler: Any) -> None:
        await super()._client_message_loop(client_session, handler)
        await self._deliver_pending(client_session, handler)

    async def _cleanup_session(self, client_id: str) -> None:
        # The session monitor drops disconnected clean sessions every second, queue and all:
        # route what is still queued first.
        session, handler = self._sessions.get(client_id, (None, None))
        if session is not None:
            await self._deliver_pending(session, handler)
        await super()._cleanup_session(client_id)

    async def _deliver_pending(self, client_session: Session, handler: Any) -> None:
        pending = client_session.delivered_message_queue
        while not pending.empty():
            delivered: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            delivered.set_result(pending.get_nowait())
            await self._handle_message_delivery(client_session, handler, delivered)


class Gatekeeper:
    """Who may connect, publish and subscribe: devices from the registry, one ingestor.

    A connected device is checked again at most every `recheck_s` seconds when it publishes,
    so revoking its secret (or disabling it) stops its messages without a reconnect.
    """

    def __init__(self, db: Database, recheck_s: float = 5.0) -> None:
        self.db = db
        self.recheck_s = recheck_s
        self.ingestor_password = secrets.token_urlsafe(24)
        self._logins: dict[str, tuple[DeviceIdentity, str, float]] = {}
        self._lock = threading.Lock()

    def authenticate(self, username: str | None, password: str | None) -> bool:
        if username == INGESTOR_USERNAME:
            return password is not None and secrets.compare_digest(password, self.ingestor_password)
        try:
            identity = credentials.authenticate(self.db, username, password)
        except Exception:  # the registry is unreachable: refuse; the device connects again
            log.warning("could not check MQTT user %r; refused", username, exc_info=True)
            identity = None
        with self._lock:
            if identity is None:
                self._logins.pop(username or "", None)
                return False
            self._logins[username or ""] = (
                identity,
                credentials.digest(password or ""),
                time.monotonic(),
            )
        return True

    def due(self, username: str | None) -> bool:
        """Whether the device's login should be checked against the registry again."""
        with self._lock:
            login = self._logins.get(username or "")
        return login is not None and time.monotonic() - login[2] > self.recheck_s

    def recheck(self, username: str | None) -> None:
        with self._lock:
            login = self._logins.get(username or "")
        if login is None:
            return
        try:
            identity = credentials.authenticate_digest(self.db, username, login[1])
        except Exception:  # the registry is busy: keep the login, check again on a later message
            log.warning("could not re-check MQTT user %r; will retry", username, exc_info=True)
            return
        with self._lock:
            if identity is None:
                self._logins.pop(username or "", None)
                log.info("MQTT user %r lost its credential; its messages are refused", username)
            else:
                self._logins[username or ""] = (identity, login[1], time.monotonic())

    def allowed(self, username: str | None, topic: str, action: Action) -> bool:
        if username == INGESTOR_USERNAME:
            return action != Action.PUBLISH and topic.startswith(DEVICE_TOPIC_ROOT)
        with self._lock:
            login = self._logins.get(username or "")
        return login is not None and action == Action.PUBLISH and login[0].may_publish(topic)


class DeviceAuthPlugin(BaseAuthPlugin):  # type: ignore[misc]
    """amqtt plugin: the `Gatekeeper` decides who connects."""

    @dataclass
    class Config:
        gatekeeper: Any = None

    async def authenticate(self, *, session: Session) -> bool | None:
        keeper: Gatekeeper = self.config.gatekeeper
        ok = await asyncio.to_thread(keeper.authenticate, session.username, session.password)
        if not ok:
            log.info("MQTT login refused for user %r", session.username)
        return ok


class DeviceTopicPlugin(BaseTopicPlugin):  # type: ignore[misc]
    """amqtt plugin: the `Gatekeeper` decides who publishes, subscribes and receives what."""

    @dataclass
    class Config:
        gatekeeper: Any = None

    async def topic_filtering(
        self,
        *,
        session: Session | None = None,
        topic: str | None = None,
        action: Action | None = None,
    ) -> bool | None:
        keeper: Gatekeeper = self.config.gatekeeper
        if session is None or topic is None or action is None:
            return False
        if action == Action.PUBLISH and keeper.due(session.username):
            await asyncio.to_thread(keeper.recheck, session.username)
        ok = keeper.allowed(session.username, topic, action)
        if not ok and action != Action.RECEIVE:
            log.info("MQTT %s on %r refused for user %r", action.value, topic, session.username)
        return ok


class EmbeddedBroker:
    """An amqtt broker on 127.0.0.1 in a thread of its own, with its own event loop."""

    def __init__(self, db: Database, port: int, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = port
        self.gatekeeper = Gatekeeper(db)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="mqtt-broker", daemon=True
        )
        self._broker: Broker | None = None

    @property
    def ingestor_address(self) -> BrokerAddress:
        return BrokerAddress(
            self.host, self.port, INGESTOR_USERNAME, self.gatekeeper.ingestor_password
        )

    def start(self, timeout_s: float = 10.0) -> EmbeddedBroker:
        amqtt.broker.BrokerProtocolHandler = _DurableHandler
        for name in ("amqtt", "transitions"):
            logging.getLogger(name).setLevel(logging.WARNING)
        self._thread.start()
        started: Future[None] = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        quiet = logging.getLogger("amqtt.broker")
        level = quiet.level
        quiet.setLevel(logging.CRITICAL)  # a failed start is reported below, in one line
        try:
            started.result(timeout_s)
        except Exception as exc:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout_s)
            raise DeviceError(
                f"the embedded MQTT broker cannot listen on {self.host}:{self.port} ({exc}); "
                "choose another SUPPLYMESH_MQTT_PORT, or 0 to turn it off"
            ) from exc
        finally:
            quiet.setLevel(level)
        log.info("embedded MQTT broker on %s:%d", self.host, self.port)
        return self

    async def _start(self) -> None:
        plugin = f"{__name__}."
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{self.port}"}},
            "timeout_disconnect_delay": 2,
            "plugins": {
                plugin + "DeviceAuthPlugin": {"gatekeeper": self.gatekeeper},
                plugin + "DeviceTopicPlugin": {"gatekeeper": self.gatekeeper},
            },
        }
        self._broker = _DurableBroker(config, loop=self._loop)
        await self._broker.start()

    async def _stop(self) -> None:
        assert self._broker is not None
        await self._broker.shutdown()
        # Connections still being served are cancelled and their sockets closed here, on
        # the loop that owns them, not later by the garbage collector.
        current = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.sleep(0.05)

    def stop(self, timeout_s: float = 10.0) -> None:
        if self._broker is not None and self._thread.is_alive():
            done = asyncio.run_coroutine_threadsafe(self._stop(), self._loop)
            try:
                done.result(timeout_s)
            except Exception:  # shutting down: report, then stop the loop anyway
                log.exception("embedded broker did not shut down cleanly")
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout_s)
        if not self._loop.is_running():
            self._loop.close()
