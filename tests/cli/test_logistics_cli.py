"""`supplymesh logistics`: routes, dispatch and dock plans from the shell, on the API's data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from supplymesh.platform.settings import Settings
from tests.api.helpers import Tenant
from tests.cli.test_cli import run
from tests.logistics.test_route_plans import STORES, retail  # noqa: F401  (fixture)


def test_route_plans_the_days_orders_and_stores_the_plan(
    settings: Settings,
    client: TestClient,
    retail: tuple[Tenant, int, list[dict[str, Any]]],  # noqa: F811
) -> None:
    t, _depot, orders = retail
    args = ["logistics", "route", "-e", "RETAIL", "--depot", "SZ-DC", "--date", "2027-03-01"]
    done = run(settings, *args, "--vehicle", "厢车:1000:3", "--time-limit", "1", "--json")
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    assert plan["feasible"] and plan["orders"] == len(STORES)
    assert sorted(s["order_number"] for r in plan["routes"] for s in r["stops"]) == sorted(
        o["number"] for o in orders
    )
    stored = client.get(f"/api/v1/route-plans/{plan['id']}", headers=t.headers)
    assert stored.status_code == 200 and stored.json()["routes"] == plan["routes"]
    small = run(settings, *args, "--vehicle", "面包车:500", "--time-limit", "1")
    assert small.returncode == 1 and "750 kg" in small.stderr and "Traceback" not in small.stderr
    bad = run(settings, *args, "--vehicle", "no-capacity")
    assert bad.returncode == 1 and "NAME:CAPACITY_KG" in bad.stderr


def test_docks_plan_from_a_request_file(settings: Settings, tmp_path: Path) -> None:
    request = {
        "docks": [{"code": "D1"}, {"code": "D2"}],
        "trucks": [
            {
                "id": f"苏E{i}",
                "window_start": "2027-03-01T08:00:00+08:00",
                "window_end": "2027-03-01T12:00:00+08:00",
                "pallets": 10,
            }
            for i in range(3)
        ],
        "time_limit_s": 1,
    }
    file = tmp_path / "docks.json"
    file.write_text(json.dumps(request), encoding="utf-8")
    done = run(settings, "logistics", "docks", str(file), "--json")
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    assert sorted(v["truck_id"] for v in plan["visits"]) == ["苏E0", "苏E1", "苏E2"]
    request["trucks"][0]["pallets"] = -1
    file.write_text(json.dumps(request), encoding="utf-8")
    bad = run(settings, "logistics", "docks", str(file))
    assert bad.returncode == 1 and "trucks.0.pallets" in bad.stderr


def test_load_writes_the_picture(settings: Settings, tmp_path: Path) -> None:
    from tests.logistics.test_loading_plans import LOAD

    file, svg = tmp_path / "load.json", tmp_path / "load.svg"
    file.write_text(json.dumps(LOAD, ensure_ascii=False), encoding="utf-8")
    done = run(settings, "logistics", "load", str(file), "--svg", str(svg), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["loaded_boxes"] == 28
    assert svg.read_text(encoding="utf-8").startswith("<svg")
