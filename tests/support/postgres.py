"""A throw-away PostgreSQL server for the test session (real server, 127.0.0.1 only).

`SUPPLYMESH_TEST_POSTGRES_URL` names an existing server instead. Otherwise the Debian
binaries (installed by `make test`) start a private cluster in a temporary directory.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class PostgresServer:
    def __init__(self) -> None:
        self.url: str | None = os.environ.get("SUPPLYMESH_TEST_POSTGRES_URL")
        self.datadir: Path | None = None
        self.bin = _pg_bin()

    def start(self) -> str:
        if self.url:
            return self.url
        if self.bin is None:
            raise RuntimeError(
                "PostgreSQL is not installed: run `make test` (it installs Debian's postgresql) "
                "or set SUPPLYMESH_TEST_POSTGRES_URL"
            )
        self.datadir = Path(tempfile.mkdtemp(prefix="sm-pg-"))
        port = _free_port()
        as_root = os.geteuid() == 0
        if as_root:
            shutil.chown(self.datadir, "postgres", "postgres")

        def run(*cmd: str) -> None:
            full = ["runuser", "-u", "postgres", "--", *cmd] if as_root else list(cmd)
            subprocess.run(full, check=True, capture_output=True, cwd=tempfile.gettempdir())

        run(
            str(self.bin / "initdb"),
            "-D",
            str(self.datadir / "data"),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        opts = (
            f"-p {port} -c listen_addresses=127.0.0.1 -k {self.datadir}"
            " -c fsync=off -c max_connections=200"
        )
        run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.datadir / "data"),
            "-o",
            opts,
            "-l",
            str(self.datadir / "log"),
            "-w",
            "start",
        )
        base = f"postgresql+psycopg://postgres@127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres"):
                    break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.url = f"{base}/postgres"
        return self.url

    def stop(self) -> None:
        if self.datadir is None or self.bin is None:
            return
        cmd = [
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.datadir / "data"),
            "-m",
            "immediate",
            "stop",
        ]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=False, capture_output=True, cwd=tempfile.gettempdir())
        shutil.rmtree(self.datadir, ignore_errors=True)


def admin_conninfo(url: str) -> str:
    """A libpq connection string for the server behind a SQLAlchemy URL."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    parts = [
        f"host={u.host}",
        f"port={u.port or 5432}",
        f"user={u.username or 'postgres'}",
        "dbname=postgres",
    ]
    if u.password:
        parts.append(f"password={u.password}")
    return " ".join(parts)


def db_name(stem: str) -> str:
    """A database name unique to this pytest-xdist worker ("gw0", …; "main" without xdist).

    Workers sharing one server (`SUPPLYMESH_TEST_POSTGRES_URL`) must never drop each other's
    templates or test databases.
    """
    return f"{stem}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


def create_database(url: str, name: str, template: str | None = None) -> str:
    """Create database `name` on the server of `url` and return its URL."""
    from sqlalchemy.engine import make_url

    with psycopg.connect(admin_conninfo(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop the database of `url`, closing whatever connections a test left open."""
    from sqlalchemy.engine import make_url

    with psycopg.connect(admin_conninfo(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
