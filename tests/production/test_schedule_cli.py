"""`supplymesh schedule run`: a plant's schedule from the shell (one backend is enough: the
command only wraps the use case the API tests cover on both)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from supplymesh.platform.db import utcnow
from supplymesh.platform.settings import Settings
from supplymesh.platform.uow import Database
from tests.cli.test_cli import run
from tests.production.world import build_world


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_schedule_run_prints_the_kpis_and_publishes(settings: Settings, db: Database) -> None:
    world = build_world(db, with_calendar=False)
    world.stock("C1", 1_000)
    world.work_order("P1", 30, utcnow() + timedelta(days=3))
    done = run(
        settings, "schedule", "run", "--site", "P1", "--time-limit", "1", "--publish", "--json"
    )
    assert done.returncode == 0, done.stderr
    schedule = json.loads(done.stdout)
    assert schedule["status"] == "published" and schedule["late_orders"] == 0
    assert schedule["makespan_minutes"] == 30 + 15  # cutting 30 min, then assembly 15 min
    missing = run(settings, "schedule", "run", "--site", "NOPE")
    assert missing.returncode == 1 and "NOPE" in missing.stderr
    assert "Traceback" not in missing.stderr
