"""`supplymesh plan …` against the tiny demo: one JSON object per command."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from supplymesh.cli.main import app
from supplymesh.platform.settings import Settings


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_plan_commands_print_one_json_object(
    demo_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPPLYMESH_DATABASE_URL", demo_settings.resolved_database_url)
    monkeypatch.setenv("SUPPLYMESH_HOME", str(demo_settings.home))
    monkeypatch.delenv("SUPPLYMESH_DASK_ADDRESS", raising=False)
    runner = CliRunner()
    r = runner.invoke(
        app,
        ["plan", "forecast", "-e", "YJRETAIL", "--horizon", "7", "--item", "HC-FN40S-WH", "--json"],
    )
    assert r.exit_code == 0, r.output
    run = json.loads(r.stdout)
    assert run["series"] == 3 and run["messages"] == []
    r = runner.invoke(app, ["plan", "gsm", "-e", "YJRETAIL", "--item", "HC-FN40S-WH", "--json"])
    assert r.exit_code == 0, r.output
    gsm = json.loads(r.stdout)
    assert gsm["stages"][0]["site"] == "DC-EAST" and gsm["total_cost"] > 0
    r = runner.invoke(app, ["plan", "forecast", "-e", "NOSUCH", "--json"])
    assert r.exit_code == 1 and "NOSUCH" in r.stderr
