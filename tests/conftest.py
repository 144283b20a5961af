"""Shared fixtures: fresh migrated databases on SQLite and PostgreSQL, the tiny demo, clients.

Database tests take the `backend` parameter and run once per backend. A fresh database is
a copy of a migrated template (a file copy for SQLite, ``CREATE DATABASE … TEMPLATE`` for
PostgreSQL), so each test starts clean in milliseconds.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from supplymesh.bootstrap import build_database
from supplymesh.platform.schema import migrate
from supplymesh.platform.settings import Settings
from supplymesh.platform.uow import Database
from tests.support.postgres import PostgresServer, create_database, db_name, drop_database

BACKENDS = ("sqlite", "postgres")
_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    server = PostgresServer()
    url = server.start()
    yield url
    server.stop()


@pytest.fixture(scope="session")
def templates(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> dict[str, str]:
    """Migrated empty template databases, created lazily per backend."""
    return {}


def _template(
    backend: str, templates: dict[str, str], tmp: Path, request: pytest.FixtureRequest
) -> str:
    if backend in templates:
        return templates[backend]
    if backend == "sqlite":
        url = f"sqlite:///{tmp / 'template.db'}"
    else:
        server_url = request.getfixturevalue("postgres_server")
        url = create_database(server_url, db_name("sm_template"))
    db = build_database(Settings(database_url=url, home=tmp))
    migrate(db.engine)
    db.engine.dispose()
    templates[backend] = url
    return url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _fresh_copy(
    backend: str, template: str, template_name: str, tmp_path: Path
) -> Iterator[Settings]:
    """Settings of a new database copied from a template (file copy or TEMPLATE clause).

    A PostgreSQL copy is dropped after the test: a session creates over a thousand of them and
    keeping them all would leave gigabytes for the server to write and the teardown to delete.
    """
    if backend == "sqlite":
        target = tmp_path / "var" / "supplymesh.db"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template.removeprefix("sqlite:///"), target)
        url = f"sqlite:///{target}"
    else:
        url = create_database(
            template, db_name(f"sm_test_{next(_counter)}"), template=db_name(template_name)
        )
    yield Settings(
        database_url=url, home=tmp_path, secret_key="test-signing-key-not-secret-0123456789"
    )
    if backend != "sqlite":
        drop_database(url)


@pytest.fixture
def settings(
    backend: str,
    templates: dict[str, str],
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Iterator[Settings]:
    """Settings of a fresh, migrated, empty database on `backend` (home in tmp_path)."""
    template = _template(backend, templates, tmp_path_factory.getbasetemp(), request)
    yield from _fresh_copy(backend, template, "sm_template", tmp_path)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = build_database(settings)
    yield database
    database.engine.dispose()


@pytest.fixture
def client_factory(settings: Settings) -> Iterator[Callable[[], TestClient]]:
    from supplymesh.api.app import create_app

    clients: list[TestClient] = []

    def make() -> TestClient:
        client = TestClient(create_app(settings))
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.close()
        c.app.state.container.db.engine.dispose()  # type: ignore[attr-defined]


@pytest.fixture
def client(client_factory: Callable[[], TestClient]) -> TestClient:
    return client_factory()


def _demo_template(
    backend: str, templates: dict[str, str], tmp: Path, request: pytest.FixtureRequest
) -> str:
    """The tiny demo network, generated once per backend, kept as a template."""
    key = f"{backend}-demo"
    if key in templates:
        return templates[key]
    from supplymesh.network.demo import generate

    base = _template(backend, templates, tmp, request)
    if backend == "sqlite":
        path = tmp / "demo-template.db"
        shutil.copyfile(base.removeprefix("sqlite:///"), path)
        url = f"sqlite:///{path}"
    else:
        url = create_database(base, db_name("sm_demo"), template=db_name("sm_template"))
    db = build_database(Settings(database_url=url, home=tmp))
    generate(db, scale="tiny", seed=1)
    db.engine.dispose()
    templates[key] = url
    return url


@pytest.fixture
def demo_settings(
    backend: str,
    templates: dict[str, str],
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Iterator[Settings]:
    """Settings of a fresh copy of the tiny demo network on `backend` (safe to change)."""
    template = _demo_template(backend, templates, tmp_path_factory.getbasetemp(), request)
    yield from _fresh_copy(backend, template, "sm_demo", tmp_path)


@pytest.fixture
def demo_db(demo_settings: Settings) -> Iterator[Database]:
    database = build_database(demo_settings)
    yield database
    database.engine.dispose()


@pytest.fixture
def demo_client(demo_settings: Settings) -> Iterator[TestClient]:
    from supplymesh.api.app import create_app

    with TestClient(create_app(demo_settings)) as c:
        yield c
    c.app.state.container.db.engine.dispose()  # type: ignore[attr-defined]


def login(client: TestClient, username: str, password: str) -> dict[str, str]:
    """Authorization headers for a user (OAuth2 password flow)."""
    r = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}
