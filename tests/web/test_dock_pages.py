"""The dock pages in both languages: plans, each dock's queue, and the driver's status page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from supplymesh.platform.uow import Database
from tests.api.helpers import make_tenant
from tests.web.test_pages import signed_in

TRUCKS = [
    {
        "id": tid,
        "window_start": f"2026-11-30T08:{m:02d}:00+08:00",
        "window_end": f"2026-11-30T08:{m + 30:02d}:00+08:00",
        "pallets": 5,
    }
    for tid, m in (("沪A12345", 0), ("浙B67890", 5), ("苏C24680", 10))
]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_driver_sees_dock_and_place_in_line_in_both_languages(
    db: Database, client: TestClient, client_factory: Callable[[], TestClient]
) -> None:
    a = make_tenant(db, client, "ACME")
    make_tenant(db, client, "BETA")
    body = {
        "name": "嘉兴园区 11-30",
        "docks": [{"code": "D1"}],
        "trucks": TRUCKS,
        "time_limit_s": 2,
    }
    plan = client.post("/api/v1/docks/plans", json=body, headers=a.headers).json()
    client.post(
        f"/api/v1/docks/plans/{plan['id']}/call-next", json={"dock": "D1"}, headers=a.headers
    )

    web = signed_in(client_factory, a.username, a.password)
    web.cookies.set("lang", "zh-CN")
    listing = web.get("/docks")
    assert (
        listing.status_code == 200
        and "嘉兴园区 11-30" in listing.text
        and "月台与排队" in listing.text
    )

    web.cookies.set("lang", "en")
    queue = web.get(f"/docks/{plan['id']}")
    assert queue.status_code == 200
    assert (
        queue.text.index("沪A12345") < queue.text.index("浙B67890") < queue.text.index("苏C24680")
    )
    assert "Called" in queue.text and "Dock D1" in queue.text

    web.cookies.set("lang", "zh-CN")
    last = web.get(f"/docks/{plan['id']}/trucks/苏C24680")
    assert last.status_code == 200
    assert '<meta http-equiv="refresh" content="30">' in last.text
    assert 'data-field="position">2<' in last.text
    assert "D1 号月台前面还有 1 辆车" in last.text

    web.cookies.set("lang", "en")
    first = web.get(f"/docks/{plan['id']}/trucks/沪A12345")
    assert "Go now" in first.text and "drive to dock D1 now" in first.text

    link = re.search(r'data-field="driver-link">([^<]+)<', first.text)
    assert link is not None and link.group(1).startswith("/driver/")

    # The driver opens the signed link with no account; an edited link shows nothing.
    driver = client_factory()
    driver.cookies.set("lang", "zh-CN")
    public = driver.get(link.group(1))
    assert public.status_code == 200 and "请立即前往" in public.text and "D1" in public.text
    assert "沪A12345" in public.text
    assert 'class="sidenav"' not in public.text and "退出登录" not in public.text  # no shell
    forged = link.group(1).replace(f".{plan['id']}.", f".{plan['id'] + 1}.")
    assert driver.get(forged).status_code == 404
    assert driver.get("/driver/not-a-token").status_code == 404

    other = signed_in(client_factory, "beta.admin", "beta-password")
    assert other.get(f"/docks/{plan['id']}/trucks/沪A12345").status_code == 404
    assert "嘉兴园区" not in other.get("/docks").text
