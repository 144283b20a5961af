"""Loading a truck: the plan is checked, refusals name the box, the picture is drawn right."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from supplymesh.logistics.loading_picture import painting_order
from supplymesh.logistics.loading_plans import plan_loading
from supplymesh.logistics.loading_schemas import LoadingPlanRequest, PlacedBox
from supplymesh.platform.errors import ValidationFailed
from supplymesh.platform.uow import Database
from tests.api.helpers import make_tenant
from tests.web.test_pages import signed_in

SVG = "{http://www.w3.org/2000/svg}"
LOAD = {
    "container": {"preset": "van_4_2m"},
    "boxes": [
        {
            "label": "冰箱",
            "length_mm": 600,
            "width_mm": 650,
            "height_mm": 1450,
            "quantity": 8,
            "weight_kg": 48,
            "stop": 1,
        },
        {
            "label": "微波炉",
            "length_mm": 480,
            "width_mm": 380,
            "height_mm": 300,
            "quantity": 20,
            "weight_kg": 12,
            "stop": 2,
            "fragile": True,
        },
    ],
    "time_limit_s": 1,
}


def _box(label: str, x: int, y: int, z: int, d: int = 10) -> PlacedBox:
    return PlacedBox(label=label, stop=1, x=x, y=y, z=z, dx=d, dy=d, dz=d)


def test_boxes_are_painted_back_to_front() -> None:
    floor, on_top = _box("floor", 0, 0, 0), _box("top", 0, 0, 10)
    deep, near_door = _box("deep", 0, 0, 0), _box("door", 10, 0, 0)
    side_far, side_near = _box("far", 10, 0, 0), _box("near", 10, 10, 0)
    order = [b.label for b in painting_order([on_top, near_door, side_near, floor, side_far])]
    assert order.index("floor") < order.index("top")
    assert order.index("far") < order.index("near")
    order = [b.label for b in painting_order([near_door, deep])]
    assert order == ["deep", "door"]


def test_plan_is_checked_counted_and_drawn() -> None:
    plan = plan_loading(LoadingPlanRequest.model_validate(LOAD))
    assert plan.violations == []  # the checker also proves the drop order and load bearing
    assert sum(c.loaded for c in plan.counts) == plan.loaded_boxes == len(plan.placements) == 28
    assert plan.loaded_weight_kg == 8 * 48 + 20 * 12
    volume = 8 * 600 * 650 * 1450 + 20 * 480 * 380 * 300
    assert plan.utilisation_pct == pytest.approx(100 * volume / (4200 * 2050 * 2000), abs=0.01)
    for p in plan.placements:  # upright boxes keep their height vertical
        if p.label == "冰箱":
            assert p.dz == 1450
    svg = ET.fromstring(plan.picture_svg)  # noqa: S314 - our own output
    groups = svg.findall(f"{SVG}g")
    assert len(groups) == 28 and {g.get("data-stop") for g in groups} == {"1", "2"}


def test_a_box_larger_than_the_space_is_named() -> None:
    too_tall = {**LOAD, "boxes": [{**LOAD["boxes"][0], "height_mm": 2100, "label": "立式冷柜"}]}  # type: ignore[dict-item]
    with pytest.raises(ValidationFailed) as refused:
        plan_loading(LoadingPlanRequest.model_validate(too_tall))
    assert "立式冷柜" in str(refused.value.errors[0].message)
    lying = {**too_tall, "boxes": [{**too_tall["boxes"][0], "upright": False}]}  # type: ignore[dict-item]
    assert plan_loading(LoadingPlanRequest.model_validate(lying)).loaded_boxes >= 1


@pytest.mark.parametrize("backend", ["sqlite"])
def test_api_and_page(
    db: Database, client: TestClient, client_factory: Callable[[], TestClient]
) -> None:
    assert client.post("/api/v1/loading/plan", json=LOAD).status_code == 401
    t = make_tenant(db, client, "SHIPPER")
    plan = client.post("/api/v1/loading/plan", json=LOAD, headers=t.headers)
    assert plan.status_code == 200 and plan.json()["loaded_boxes"] == 28
    picture = client.post("/api/v1/loading/plan.svg", json=LOAD, headers=t.headers)
    assert picture.headers["content-type"].startswith("image/svg+xml")
    assert ET.fromstring(picture.text).tag == f"{SVG}svg"  # noqa: S314 - our own output
    web = signed_in(client_factory, t.username, t.password)
    page = web.get("/logistics/loading")
    assert page.status_code == 200 and "冰箱 BCD-218" in page.text
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    done = web.post(
        "/logistics/loading",
        data={"csrf_token": token, "preset": "van_4_2m", "boxes": "托盘,1200,1000,1400,6,500,1"},
    )
    assert done.status_code == 200 and 'data-loaded="6"' in done.text and "<svg" in done.text
    bad = web.post(
        "/logistics/loading", data={"csrf_token": token, "preset": "van_4_2m", "boxes": "托盘,1200"}
    )
    assert bad.status_code == 422 and "line 1" in bad.text
