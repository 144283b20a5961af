"""`supplymesh devices`: simulate a fleet, run the ingestor or a mosquitto broker, prune.

Thin: parse arguments, call the devices modules, print. Only typer at module level.
"""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

from supplymesh.cli.cleanly import cleanly

devices_app = typer.Typer(
    help="Connected devices: MQTT fleet, ingestion, telemetry.", no_args_is_help=True
)


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_a: stop.set())
    return stop


@devices_app.command("simulate")
@cleanly
def simulate(
    devices: Annotated[
        int, typer.Option("--devices", min=1, max=5000, help="how many machines")
    ] = 10,
    rate: Annotated[
        float, typer.Option("--rate", min=0.01, max=1000, help="messages per device per second")
    ] = 1.0,
    broker: Annotated[
        str | None, typer.Option("--broker", help="mqtt://host:port (default: the embedded broker)")
    ] = None,
    enterprise: Annotated[
        str | None, typer.Option("--enterprise", "-e", help="enterprise code (with --provision)")
    ] = None,
    provision: Annotated[
        bool, typer.Option("--provision", help="create SIM-001… devices with fresh credentials")
    ] = False,
    site: Annotated[
        str | None, typer.Option("--site", help="site code for provisioned devices")
    ] = None,
    credentials: Annotated[
        Path | None,
        typer.Option(
            "--credentials",
            help="JSON file of device credentials (read, or written with --provision)",
        ),
    ] = None,
    duration: Annotated[float, typer.Option("--duration", min=0.1, help="seconds to run")] = 3600.0,
    seed: Annotated[int, typer.Option(help="random seed")] = 1,
) -> None:
    """Run a simulated MQTT fleet with real device credentials."""
    from supplymesh.cli.main import database, fail, settings
    from supplymesh.devices import simulate as sim
    from supplymesh.devices.ingestion.mqtt import BrokerAddress
    from supplymesh.devices.runtime import provisioner

    if provision:
        if enterprise is None:
            fail("--provision needs --enterprise")
            return
        creds = sim.provision(database(), enterprise, devices, site, provisioner())
        if credentials is not None:
            sim.save_credentials(credentials, creds)
    elif credentials is not None:
        creds = sim.load_credentials(credentials)[:devices]
    else:
        fail("give --provision --enterprise E, or --credentials FILE")
        return
    address = (
        BrokerAddress.parse(broker) if broker else BrokerAddress("127.0.0.1", settings().mqtt_port)
    )
    typer.echo(
        f"{len(creds)} devices at {rate} msg/s each -> {address.host}:{address.port}", err=True
    )
    stats = sim.Fleet(creds, address.host, address.port, seed).run(
        rate, duration, _stop_on_signals()
    )
    typer.echo(json.dumps(stats.__dict__))


@devices_app.command("run")
@cleanly
def run() -> None:
    """Run device connectivity alone (what `serve` starts): the embedded broker on
    SUPPLYMESH_MQTT_PORT, or SUPPLYMESH_MQTT_URL's broker, and the ingestor."""
    from supplymesh.cli.main import database, fail, settings
    from supplymesh.devices.runtime import DeviceRuntime
    from supplymesh.platform.schema import migrate

    db = database()
    migrate(db.engine)
    stop = _stop_on_signals()
    runtime = DeviceRuntime(db, settings())
    if not runtime.enabled:
        fail("MQTT is off: set SUPPLYMESH_MQTT_PORT or SUPPLYMESH_MQTT_URL")
    runtime.start()
    typer.echo("devices runtime ready; Ctrl-C stops", err=True)
    stop.wait()
    runtime.stop()


@devices_app.command("ingest")
@cleanly
def ingest(
    broker: Annotated[
        str, typer.Option("--broker", help="mqtt://user:password@host:port of the ingestor")
    ],
) -> None:
    """Run the ingestor alone against an external broker until interrupted."""
    from supplymesh.cli.main import database
    from supplymesh.devices.ingestion.mqtt import BrokerAddress, Ingestor
    from supplymesh.devices.settings import DeviceSettings
    from supplymesh.devices.store import TelemetryStore

    cfg = DeviceSettings()
    store = TelemetryStore(database(), max_payload=cfg.mqtt_max_payload)
    stop = _stop_on_signals()
    ingestor = Ingestor(store, BrokerAddress.parse(broker), retention=cfg.retention).start()
    typer.echo("ingesting; Ctrl-C stops", err=True)
    stop.wait()
    ingestor.stop()
    typer.echo(json.dumps(ingestor.stats.__dict__))


@devices_app.command("broker")
@cleanly
def broker_(
    directory: Annotated[
        Path, typer.Option("--dir", help="configuration and persistence directory")
    ],
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 1883,
) -> None:
    """Configure and run a local mosquitto with dynamic security; prints the URLs to use."""
    from supplymesh.devices.ingestion.mosquitto import MosquittoProcess, write_config

    setup = write_config(directory, port)
    proc = MosquittoProcess(setup).start()
    typer.echo(f"SUPPLYMESH_MQTT_URL={setup.ingestor.url()}")
    typer.echo(f"SUPPLYMESH_MQTT_ADMIN_URL={setup.admin.url()}")
    _stop_on_signals().wait()
    proc.stop()


@devices_app.command("prune")
@cleanly
def prune() -> None:
    """Delete telemetry older than the retention settings."""
    from supplymesh.cli.main import database
    from supplymesh.devices.settings import DeviceSettings
    from supplymesh.devices.store import prune as prune_store

    typer.echo(json.dumps(prune_store(database(), DeviceSettings().retention)))


@devices_app.command("opcua-sim")
@cleanly
def opcua_sim(
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 4840,
    machines: Annotated[int, typer.Option("--machines", min=1, max=1000)] = 3,
    period: Annotated[float, typer.Option("--period", min=0.01, help="seconds per tick")] = 0.5,
    speedup: Annotated[
        float, typer.Option("--speedup", min=0.01, help="simulated seconds per real second")
    ] = 1.0,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    username: Annotated[
        str, typer.Option("--user", help="user name required with SUPPLYMESH_OPCUA_SIM_PASSWORD")
    ] = "operator",
) -> None:
    """Run simulated OPC UA machines on 127.0.0.1 (SIM-001…, nodes ns=2;s=SIM-001.Temperature);
    with SUPPLYMESH_OPCUA_SIM_PASSWORD set, only --user with that password may connect."""
    import os
    import sys

    from supplymesh.devices.opcua.sim_server import SimMachineServer, serve_forever

    server = SimMachineServer(
        port,
        machines,
        period,
        speedup,
        seed,
        username=username,
        password=os.environ.get("SUPPLYMESH_OPCUA_SIM_PASSWORD") or None,
    )
    stop = _stop_on_signals()

    def announce() -> None:
        server.ready.wait()
        typer.echo(f"OPCUA_ENDPOINT={server.endpoint}")
        sys.stdout.flush()

    threading.Thread(target=announce, daemon=True).start()
    serve_forever(server, stop)
