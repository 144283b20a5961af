"""What the server acknowledged survives `kill -9` (SQLite WAL and PostgreSQL)."""

from __future__ import annotations

import subprocess

import httpx

from supplymesh.platform.settings import Settings
from tests.support.server import CLI, Server, cli_env


def test_acknowledged_writes_survive_kill_9(settings: Settings) -> None:
    url = settings.resolved_database_url
    env = cli_env(url, settings.home) | {"SUPPLYMESH_ADMIN_PASSWORD": "durable-pass-1"}
    done = subprocess.run(
        [
            CLI,
            "enterprise",
            "create",
            "DUR",
            "--name",
            "Durable Co",
            "--roles",
            "manufacturer",
            "--admin",
            "dur.admin",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    server = Server(url, settings.home).start()
    try:
        token = httpx.post(
            f"{server.url}/api/v1/auth/token",
            data={"username": "dur.admin", "password": "durable-pass-1"},
        ).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        codes = [f"K{i}" for i in range(20)]
        for code in codes:
            r = httpx.post(
                f"{server.url}/api/v1/sites",
                headers=headers,
                json={"code": code, "name": code, "kind": "warehouse"},
            )
            assert r.status_code == 201
        server.kill()
        server = Server(url, settings.home).start()
        listed = httpx.get(f"{server.url}/api/v1/sites?limit=100", headers=headers).json()
        assert sorted(s["code"] for s in listed["items"]) == sorted(codes)
    finally:
        server.stop()
