"""`supplymesh serve` starts the embedded MQTT broker, and still serves when its port is taken."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx

from tests.support.server import Server, free_port


def _serve(tmp_path: Path, mqtt_port: int) -> Server:
    server = Server(f"sqlite:///{tmp_path / 'serve.db'}", tmp_path)
    server.env["SUPPLYMESH_MQTT_PORT"] = str(mqtt_port)
    return server.start()


def test_serve_listens_for_mqtt_on_the_configured_port(tmp_path: Path) -> None:
    mqtt_port = free_port()
    server = _serve(tmp_path, mqtt_port)
    try:
        with socket.create_connection(("127.0.0.1", mqtt_port), timeout=5):
            pass
        assert httpx.get(f"{server.url}/healthz").status_code == 200
    finally:
        server.stop()


def test_serve_warns_and_serves_when_the_mqtt_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = _serve(tmp_path, taken.getsockname()[1])
        try:
            assert httpx.get(f"{server.url}/healthz").status_code == 200
            log = server.log.read_text()
            assert "serving without MQTT ingestion" in log
            assert "SUPPLYMESH_MQTT_PORT" in log
        finally:
            server.stop()
