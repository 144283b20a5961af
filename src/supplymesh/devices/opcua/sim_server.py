"""A simulated OPC UA machine server: the MQTT simulator's machines behind OPC UA nodes.

Each machine is an object ``Machine SIM-00k`` with variables State, PartCount, ScrapCount,
SpindleSpeed, Temperature, Vibration and Power, driven by `devices.simulate.Machine` (the same
running/idle/fault chain and the same wear), so both protocols produce the same kind of
series. Node ids are strings in the simulator's namespace, ``ns=2;s=SIM-001.Temperature``,
so a mapping can be written without browsing. With a password set, anonymous sessions are
refused and only that user name and password are accepted.
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
import threading
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from asyncua import ua
from asyncua.common.node import Node
from asyncua.crypto.permission_rules import User, UserRole
from asyncua.server.server import Server

from supplymesh.devices.simulate import Machine

log = logging.getLogger(__name__)

NAMESPACE = "urn:supplymesh:sim-machines"

#: OPC UA variable -> (simulator reading, variant type)
VARIABLES: dict[str, tuple[str, ua.VariantType]] = {
    "PartCount": ("part_count", ua.VariantType.Int64),
    "ScrapCount": ("scrap_count", ua.VariantType.Int64),
    "SpindleSpeed": ("spindle_speed", ua.VariantType.Double),
    "Temperature": ("temperature", ua.VariantType.Double),
    "Vibration": ("vibration", ua.VariantType.Double),
    "Power": ("power", ua.VariantType.Double),
}

#: The platform's metric names for the simulator's variables (what a demo mapping uses).
METRIC_OF = {name: reading for name, (reading, _t) in VARIABLES.items()}


def machine_code(index: int) -> str:
    return f"SIM-{index:03d}"


def node_id(code: str, variable: str, namespace_index: int = 2) -> str:
    """The string node id of a machine's variable (the first registered namespace is 2)."""
    return f"ns={namespace_index};s={code}.{variable}"


def demo_nodes(code: str) -> dict[str, str]:
    """metric -> node id for every numeric variable of one simulated machine."""
    return {metric: node_id(code, variable) for variable, metric in METRIC_OF.items()}


class _OneUser:
    """Accepts exactly one user name and password (compared in constant time)."""

    def __init__(self, username: str, password: str) -> None:
        self.username = username
        self.password = password

    def get_user(
        self,
        iserver: Any,
        username: str | None = None,
        password: str | None = None,
        certificate: Any = None,
    ) -> User | None:
        if username is None or password is None:
            return None
        same = secrets.compare_digest(username, self.username) and secrets.compare_digest(
            password, self.password
        )
        return User(role=UserRole.User, name=username) if same else None


@dataclass
class _SimMachine:
    code: str
    machine: Machine
    state: Node
    variables: dict[str, Node]


class SimMachineServer:
    """The server and its machines; `run` ticks them every `period_s` until `stop` is set."""

    def __init__(
        self,
        port: int = 4840,
        machines: int = 1,
        period_s: float = 0.5,
        speedup: float = 1.0,
        seed: int = 1,
        host: str = "127.0.0.1",
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        if machines < 1 or period_s <= 0 or speedup <= 0:
            raise ValueError(f"machines {machines}, period {period_s}, speedup {speedup}")
        self.endpoint = f"opc.tcp://{host}:{port}/supplymesh/sim"
        self.count = machines
        self.period_s = period_s
        self.speedup = speedup
        self.seed = seed
        self.users = _OneUser(username or "operator", password) if password else None
        self.machines: list[_SimMachine] = []
        self.ready = threading.Event()

    async def run(self, stop: asyncio.Event) -> None:
        server = Server(user_manager=self.users) if self.users else Server()  # type: ignore[arg-type]
        await server.init()
        server.set_endpoint(self.endpoint)
        server.set_server_name("SupplyMesh simulated machines")
        # A simulator on loopback: no certificates to manage, so only the open endpoint.
        server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
        if self.users is not None:
            server.set_security_IDs(["Username"])
        ns = await server.register_namespace(NAMESPACE)
        objects = server.nodes.objects
        for i in range(1, self.count + 1):
            code = machine_code(i)
            obj = await objects.add_object(f"ns={ns};s={code}", f"Machine {code}")
            state = await obj.add_variable(node_id(code, "State", ns), "State", "idle")
            variables = {
                name: await obj.add_variable(node_id(code, name, ns), name, ua.Variant(0, vtype))
                for name, (_reading, vtype) in VARIABLES.items()
            }
            rng = random.Random(self.seed * 1000 + i)
            self.machines.append(_SimMachine(code, Machine(rng), state, variables))
        async with server:
            self.ready.set()
            log.info("simulated OPC UA machines at %s", self.endpoint)
            while not stop.is_set():
                await self._tick()
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.period_s)

    async def _tick(self) -> None:
        now = datetime.now(UTC)
        for sim in self.machines:
            readings = sim.machine.step(self.period_s * self.speedup)
            await sim.state.write_value(_stamped(ua.Variant(sim.machine.state), now))
            for name, (reading, vtype) in VARIABLES.items():
                value: float | int = readings[reading]
                if vtype == ua.VariantType.Int64:
                    value = int(value)
                await sim.variables[name].write_value(_stamped(ua.Variant(value, vtype), now))


def _stamped(variant: ua.Variant, ts: datetime) -> ua.DataValue:
    stamp = cast(ua.DateTime, ts)  # asyncua's DateTime is a datetime subclass for typing only
    return ua.DataValue(variant, SourceTimestamp=stamp, ServerTimestamp=stamp)


def serve_forever(server: SimMachineServer, stop: threading.Event) -> None:
    """Run the server in this thread until `stop` is set (for the CLI and tests)."""

    async def main() -> None:
        done = asyncio.Event()
        loop = asyncio.get_running_loop()
        threading.Thread(
            target=lambda: (stop.wait(), loop.call_soon_threadsafe(done.set)), daemon=True
        ).start()
        await server.run(done)

    asyncio.run(main())
