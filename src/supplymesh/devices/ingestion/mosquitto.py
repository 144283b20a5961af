"""An external Mosquitto broker: its configuration, its process, and device provisioning.

Mosquitto checks devices itself through its dynamic-security plugin: each device is a client
(user name = device id, password = its secret) with a role that may publish only under its
own topic; revoking disables the client, which also disconnects it. The configuration keeps
sessions and queued messages on disk (``persistence``), expires abandoned sessions after
``persistent_client_expiration``, and sets the queue limits deliberately: the default of
1000 queued messages silently drops QoS 1 messages to a slow subscriber.
"""

from __future__ import annotations

import getpass
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho

from supplymesh.devices.credentials import DeviceIdentity
from supplymesh.devices.ingestion.mqtt import INGESTOR_USERNAME, BrokerAddress, make_client
from supplymesh.devices.model import DeviceError

DYNSEC_PLUGIN = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so"
CONTROL_TOPIC = "$CONTROL/dynamic-security/v1"
ADMIN_USERNAME = "supplymesh-admin"
INGESTOR_ROLE = "supplymesh-ingestor"
MAX_QUEUED_MESSAGES = 1_000_000
MAX_INFLIGHT_MESSAGES = 1000


class BrokerUnavailable(DeviceError):
    """The external broker could not be reached or refused a provisioning command."""

    status = 502
    title = "Bad gateway"


@dataclass(frozen=True)
class MosquittoSetup:
    """A configured broker directory: where it listens and the two service credentials."""

    directory: Path
    port: int
    admin_password: str
    ingestor_password: str

    @property
    def config_file(self) -> Path:
        return self.directory / "mosquitto.conf"

    @property
    def admin(self) -> BrokerAddress:
        return BrokerAddress("127.0.0.1", self.port, ADMIN_USERNAME, self.admin_password)

    @property
    def ingestor(self) -> BrokerAddress:
        return BrokerAddress("127.0.0.1", self.port, INGESTOR_USERNAME, self.ingestor_password)


def write_config(directory: Path, port: int, admin_password: str | None = None) -> MosquittoSetup:
    """Write mosquitto.conf and an initial dynamic-security file under `directory`."""
    binary = shutil.which("mosquitto_ctrl")
    if binary is None:
        raise DeviceError("mosquitto_ctrl not found: install Debian's mosquitto (make system-deps)")
    directory.mkdir(parents=True, exist_ok=True)
    # The service passwords are kept next to the broker's files so a restart reuses them.
    kept = directory / "service-credentials.json"
    saved = json.loads(kept.read_text()) if kept.exists() else {}
    admin_password = saved.get("admin") or admin_password or secrets.token_urlsafe(18)
    ingestor_password = saved.get("ingestor") or secrets.token_urlsafe(18)
    kept.write_text(json.dumps({"admin": admin_password, "ingestor": ingestor_password}))
    kept.chmod(0o600)
    dynsec = directory / "dynamic-security.json"
    if not dynsec.exists():
        subprocess.run(  # noqa: S603 (our binary, our arguments)
            [binary, "dynsec", "init", str(dynsec), ADMIN_USERNAME, admin_password],
            check=True,
            capture_output=True,
        )
    user = getpass.getuser()
    lines = [
        "per_listener_settings false",
        f"listener {port} 127.0.0.1",
        "allow_anonymous false",
        f"plugin {DYNSEC_PLUGIN}",
        f"plugin_opt_config_file {dynsec}",
        "persistence true",
        f"persistence_location {directory}/",
        "autosave_interval 1",
        "persistent_client_expiration 7d",
        f"max_queued_messages {MAX_QUEUED_MESSAGES}",
        "max_queued_bytes 0",
        f"max_inflight_messages {MAX_INFLIGHT_MESSAGES}",
        "set_tcp_nodelay true",
        "log_dest stderr",
        "log_type error",
        "log_type warning",
    ]
    if os.geteuid() == 0:
        lines.append(f"user {user}")  # mosquitto would otherwise switch to the mosquitto user
    (directory / "mosquitto.conf").write_text("\n".join(lines) + "\n")
    return MosquittoSetup(directory, port, admin_password, ingestor_password)


class MosquittoProcess:
    """A `mosquitto -c` child process (tests, benchmarks, `supplymesh devices broker`)."""

    def __init__(self, setup: MosquittoSetup) -> None:
        self.setup = setup
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 10.0) -> MosquittoProcess:
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        with (self.setup.directory / "mosquitto.log").open("ab") as log:
            self.proc = subprocess.Popen(  # noqa: S603
                [binary, "-c", str(self.setup.config_file)], stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = (self.setup.directory / "mosquitto.log").read_text()[-1000:]
                raise DeviceError(f"mosquitto exited at start: {tail}")
            try:
                with socket.create_connection(("127.0.0.1", self.setup.port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.05)
        else:
            raise DeviceError(f"mosquitto did not listen on port {self.setup.port}")
        with DynSec(self.setup.admin) as dynsec:
            dynsec.ensure_ingestor(self.setup.ingestor_password)
        return self

    def stop(self) -> None:
        """A clean shutdown: mosquitto writes its persistence file."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


class DynSec:
    """A client of mosquitto's dynamic-security control topic (one command batch at a time)."""

    def __init__(self, admin: BrokerAddress, timeout_s: float = 5.0) -> None:
        self.admin = admin
        self.timeout_s = timeout_s
        self._client = make_client(f"supplymesh-dynsec-{uuid.uuid4().hex[:8]}", admin)
        self._responses: dict[str, dict[str, Any]] = {}
        self._ready = threading.Event()
        self._got = threading.Condition()
        self._client.on_connect = self._on_connect
        self._client.on_subscribe = lambda *_a: self._ready.set()
        self._client.on_message = self._on_message

    def __enter__(self) -> DynSec:
        try:
            self._client.connect(self.admin.host, self.admin.port, keepalive=30)
        except OSError as exc:
            raise BrokerUnavailable(f"broker {self.admin.host}:{self.admin.port}: {exc}") from exc
        self._client.loop_start()
        if not self._ready.wait(self.timeout_s):
            self.__exit__()
            raise BrokerUnavailable(f"broker {self.admin.host}:{self.admin.port} refused the admin")
        return self

    def __exit__(self, *_exc: object) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    def _on_connect(self, client: paho.Client, *_args: Any) -> None:
        client.subscribe(CONTROL_TOPIC + "/response", qos=1)

    def _on_message(self, _client: paho.Client, _userdata: Any, msg: paho.MQTTMessage) -> None:
        body = json.loads(msg.payload)
        with self._got:
            for response in body.get("responses", []):
                self._responses[str(response.get("correlationData"))] = response
            self._got.notify_all()

    def run(
        self, *commands: dict[str, Any], tolerate: tuple[str, ...] = ()
    ) -> list[dict[str, Any]]:
        """Send `commands` and wait for every response; errors not in `tolerate` raise."""
        keys = []
        for command in commands:
            key = uuid.uuid4().hex
            command["correlationData"] = key
            keys.append(key)
        self._client.publish(CONTROL_TOPIC, json.dumps({"commands": list(commands)}), qos=1)
        deadline = time.monotonic() + self.timeout_s
        with self._got:
            while not all(k in self._responses for k in keys):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise BrokerUnavailable("no answer from the dynamic-security plugin")
                self._got.wait(left)
            responses = [self._responses.pop(k) for k in keys]
        for response in responses:
            error = response.get("error")
            if error and not any(t in error for t in tolerate):
                raise BrokerUnavailable(f"broker refused {response.get('command')}: {error}")
        return responses

    def ensure_ingestor(self, password: str) -> None:
        """The ingestor's client: may subscribe to device topics only."""
        self.run(
            {
                "command": "createRole",
                "rolename": INGESTOR_ROLE,
                "acls": [{"acltype": "subscribePattern", "topic": "sm/#", "allow": True}],
            },
            tolerate=("already exists",),
        )
        self._upsert_client(INGESTOR_USERNAME, password, INGESTOR_ROLE)

    def grant(self, identity: DeviceIdentity, secret: str) -> None:
        """Create or update the device's client and its publish-only role."""
        role = f"device-{identity.device_id}"
        acls = [
            {"acltype": "publishClientSend", "topic": prefix + "+", "allow": True}
            for prefix in identity.topic_prefixes()
        ]
        self.run(
            {"command": "createRole", "rolename": role, "acls": acls}, tolerate=("already exists",)
        )
        self._upsert_client(str(identity.device_id), secret, role)

    def revoke(self, identity: DeviceIdentity) -> None:
        """Disable the device's client; mosquitto also drops its open connection."""
        self.run(
            {"command": "disableClient", "username": str(identity.device_id)},
            tolerate=("not found",),
        )

    def _upsert_client(self, username: str, password: str, role: str) -> None:
        created = self.run(
            {
                "command": "createClient",
                "username": username,
                "password": password,
                "roles": [{"rolename": role}],
            },
            tolerate=("already exists",),
        )[0]
        if created.get("error"):
            self.run(
                {"command": "setClientPassword", "username": username, "password": password},
                {"command": "modifyClient", "username": username, "roles": [{"rolename": role}]},
                {"command": "enableClient", "username": username},
            )


class DynSecProvisioner:
    """`BrokerProvisioner` for an external mosquitto reached with admin credentials."""

    def __init__(self, admin: BrokerAddress) -> None:
        self.admin = admin

    def grant(self, identity: DeviceIdentity, secret: str) -> None:
        with DynSec(self.admin) as dynsec:
            dynsec.grant(identity, secret)

    def revoke(self, identity: DeviceIdentity) -> None:
        with DynSec(self.admin) as dynsec:
            dynsec.revoke(identity)
