"""Property-based fuzzing of the whole API from its own OpenAPI document (schemathesis).

A bounded run against a real server: whatever the generated input, no operation may answer
with a server error (5xx). Earlier runs found out-of-range ids and offsets that reached the
database, and fields that could be cleared to null.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from supplymesh.platform.settings import Settings
from tests.support.server import CLI, Server, cli_env

ST = str(Path(sys.executable).parent / "st")


def test_no_operation_answers_a_server_error(tmp_path: Path) -> None:
    # One backend (SQLite) is enough here: input handling is the same on both.
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'fuzz.db'}", home=tmp_path)
    env = cli_env(settings.resolved_database_url, settings.home) | {
        "SUPPLYMESH_ADMIN_PASSWORD": "fuzz-pass-1"
    }
    subprocess.run(
        [
            CLI,
            "enterprise",
            "create",
            "FUZZ",
            "--name",
            "Fuzz",
            "--roles",
            "manufacturer",
            "--admin",
            "fuzz.admin",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    server = Server(settings.resolved_database_url, settings.home).start()
    try:
        token = httpx.post(
            f"{server.url}/api/v1/auth/token",
            data={"username": "fuzz.admin", "password": "fuzz-pass-1"},
        ).json()["access_token"]
        run = subprocess.run(
            [
                ST,
                "run",
                f"{server.url}/openapi.json",
                "-H",
                f"Authorization: Bearer {token}",
                # 2 examples per operation: with ~300 operations this is the suite's longest
                # test; every operation is still exercised with generated and edge-case input.
                "--max-examples",
                "2",
                "--checks",
                "not_a_server_error",
                "--workers",
                "2",
                "--seed",
                "1",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            cwd=tmp_path,
        )
        assert run.returncode == 0, run.stdout[-6000:]
    finally:
        server.stop()
