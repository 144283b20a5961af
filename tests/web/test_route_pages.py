"""The delivery-route pages: plan from the form, see the stops, refusals named, tenants apart."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from supplymesh.platform.uow import Database
from tests.api.helpers import Tenant, make_tenant
from tests.logistics.test_route_plans import retail  # noqa: F401  (fixture)
from tests.web.test_pages import signed_in


def _form(page: Any, **fields: str) -> dict[str, str]:
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "the form carries a CSRF token"
    return {"csrf_token": token.group(1), **fields}


@pytest.mark.parametrize("backend", ["sqlite"])
def test_plan_from_the_form_and_read_the_stops(
    db: Database,
    client_factory: Callable[[], TestClient],
    retail: tuple[Tenant, int, list[dict[str, Any]]],  # noqa: F811
) -> None:
    t, depot, orders = retail
    web = signed_in(client_factory, t.username, t.password)
    page = web.get("/logistics/routes")
    assert page.status_code == 200 and "SZ-DC" in page.text
    fields = {
        "depot_site_id": str(depot),
        "day": "2027-03-01",
        "vehicle_name": "厢车",
        "capacity_kg": "300",
        "count": "3",
        "time_limit_s": "1",
    }
    typo = web.post("/logistics/routes", data=_form(page, **{**fields, "capacity_kg": "-5"}))
    assert typo.status_code == 422 and "capacity_kg" in typo.text  # the form field is named
    loading = web.get("/logistics/loading")
    slow = web.post("/logistics/loading", data=_form(loading, boxes="", time_limit_s="-1"))
    assert slow.status_code == 422 and 'id="alert"' in slow.text
    refused = web.post("/logistics/routes", data=_form(page, **fields))
    assert refused.status_code == 422 and orders[0]["number"] in refused.text
    assert 'value="300"' in refused.text  # the form keeps what was typed
    done = web.post(
        "/logistics/routes",
        data=_form(page, **{**fields, "capacity_kg": "1000"}),
        follow_redirects=False,
    )
    assert done.status_code == 303
    plan_url = done.headers["location"]
    plan = web.get(plan_url)
    assert plan.status_code == 200
    for order in orders:
        assert f'data-order="{order["number"]}"' in plan.text
    data = web.get(f"{plan_url}.json").json()
    assert data["feasible"] and data["orders"] == len(orders)
    listed = web.get("/logistics/routes")
    assert f'data-plan="{data["id"]}"' in listed.text

    make_tenant(db, client_factory(), "NOSY", ["retailer"])
    nosy = signed_in(client_factory, "nosy.admin", "nosy-password")
    assert nosy.get(plan_url).status_code == 404
    assert nosy.get(f"{plan_url}.json").status_code == 404
    assert f'data-plan="{data["id"]}"' not in nosy.get("/logistics/routes").text
