"""The dispatch page assigns typed orders to the caller's stored station fences."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from supplymesh.logistics.fences import create_fence
from supplymesh.platform.uow import Database
from tests.web.seed import PASSWORD_A, PASSWORD_B, seed
from tests.web.test_pages import csrf_of, signed_in


def _box(west: float, south: float, east: float, north: float) -> dict[str, object]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_orders_go_to_the_fence_that_holds_them_and_others_say_why(
    db: Database, client_factory: Callable[[], TestClient]
) -> None:
    network = seed(db)
    with db.unit_of_work(db.context_for(network.a, None, "admin")) as uow:
        create_fence(
            uow, {"station": "浦东站", "priority": 1, "geometry": _box(121.5, 31.0, 121.6, 31.1)}
        )
        create_fence(uow, {"station": "闵行站", "geometry": _box(121.3, 31.0, 121.45, 31.1)})
        uow.commit()
    client = signed_in(client_factory, "a.admin", PASSWORD_A)
    page = client.get("/logistics/dispatch")
    assert page.status_code == 200
    assert 'data-station="浦东站"' in page.text and 'data-station="闵行站"' in page.text

    orders = "o1, 31.05, 121.55\no2, 31.05, 121.40\no3, 39.90, 116.40\n"
    r = client.post("/logistics/dispatch", data={"orders": orders, "csrf_token": csrf_of(client)})
    assert r.status_code == 200
    assert 'data-order="o1" data-status="assigned"' in r.text
    assert 'data-order="o2" data-status="assigned"' in r.text
    assert 'data-order="o3" data-status="unmatched"' in r.text  # Beijing: no fence holds it
    row = r.text.split('data-order="o1"')[1].split("</tr>")[0]
    assert "浦东站" in row

    # an empty form is refused, naming the field
    bad = client.post("/logistics/dispatch", data={"orders": "", "csrf_token": csrf_of(client)})
    assert bad.status_code == 422 and 'id="alert"' in bad.text

    # another enterprise has no fences of its own and never sees these
    other = signed_in(client_factory, "b.admin", PASSWORD_B)
    theirs = other.get("/logistics/dispatch")
    assert theirs.status_code == 200 and "浦东站" not in theirs.text
    refused = other.post(
        "/logistics/dispatch", data={"orders": orders, "csrf_token": csrf_of(other)}
    )
    assert refused.status_code == 422 and "浦东站" not in refused.text
