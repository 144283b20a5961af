"""The web shell through HTTP: sign-in, CSRF, language, tenant-scoped pages and map data."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from supplymesh.network.model import Site, User
from supplymesh.platform.uow import Database
from tests.web.seed import PASSWORD_A, PASSWORD_B, Network, seed

PAGES = ("/", "/map", "/enterprises", "/sites", "/items", "/inventory", "/orders")


@pytest.fixture
def network(db: Database) -> Network:
    return seed(db)


def csrf_of(client: TestClient) -> str:
    """The CSRF token the login form hands out (and keeps in the cookie)."""
    page = client.get("/login")
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, "login form has no CSRF field"
    assert client.cookies.get("sm_csrf") == match.group(1)
    return match.group(1)


def sign_in(client: TestClient, username: str, password: str, next_path: str = "/") -> Response:
    token = csrf_of(client)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": next_path},
        follow_redirects=False,
    )


def signed_in(client_factory: Callable[[], TestClient], username: str, password: str) -> TestClient:
    client = client_factory()
    response = sign_in(client, username, password)
    assert response.status_code == 303, response.text
    return client


def test_login_form_sets_session_cookie_and_redirects(client: TestClient, network: Network) -> None:
    response = sign_in(client, "a.admin", PASSWORD_A, next_path="/sites")
    assert response.status_code == 303
    assert response.headers["location"] == "/sites"
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("sm_session="))
    attributes = {part.strip().lower() for part in session.split(";")}
    assert {"httponly", "path=/", "samesite=lax"} <= attributes
    assert "secure" not in attributes  # plain http here; https would add it
    assert any(c.startswith("sm_csrf=") for c in cookies), "CSRF token is rotated on login"
    page = client.get("/")
    assert page.status_code == 200
    assert "甲制造有限公司" in page.text


def test_wrong_password_shows_the_error_on_the_page(client: TestClient, network: Network) -> None:
    response = sign_in(client, "a.admin", "not-the-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text
    assert "sm_session" not in client.cookies
    assert 'value="a.admin"' in response.text


def test_repeated_failures_are_throttled_and_said_so(client: TestClient, network: Network) -> None:
    for _ in range(5):
        assert sign_in(client, "a.admin", "wrong-password").status_code == 401
    response = sign_in(client, "a.admin", PASSWORD_A)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.text
    assert int(response.headers["retry-after"]) > 0


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_anonymous_callers_to_login(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/login")
    if path != "/":
        assert f"next=%2F{path.strip('/')}" in location


def test_map_data_answers_401_when_signed_out(client: TestClient) -> None:
    response = client.get("/map/sites.geojson")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_stale_session_cookie_is_cleared(client: TestClient) -> None:
    client.cookies.set("sm_session", "not-a-jwt")
    response = client.get("/sites", follow_redirects=False)
    assert response.status_code == 303
    assert any(
        c.startswith("sm_session=") and "Max-Age=0" in c
        for c in response.headers.get_list("set-cookie")
    )


def _site_codes(collection: dict[str, object]) -> dict[str, bool]:
    features = collection["features"]
    assert isinstance(features, list)
    return {
        f["properties"]["code"]: f["properties"]["shared"]
        for f in features
        if f["properties"]["type"] == "site"
    }


def test_map_data_holds_only_the_callers_visible_sites(
    client_factory: Callable[[], TestClient], network: Network
) -> None:
    a = signed_in(client_factory, "a.admin", PASSWORD_A)
    response = a.get("/map/sites.geojson")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert _site_codes(body) == {"A-PLANT": False, "A-DC": False, "B-WH": True}
    assert body["meta"]["sites_without_coordinates"] == 1
    shared = next(f for f in body["features"] if f["properties"].get("code") == "B-WH")
    assert shared["properties"]["owner_code"] == "BBB"
    assert shared["geometry"]["coordinates"] == [114.06, 22.54]
    assert len(shared["properties"]["gcj02"]) == 2  # for GCJ-02 tile sources
    lanes = [f for f in body["features"] if f["properties"]["type"] == "lane"]
    # B's lane from its private plant is visible to A as a record, but not drawn.
    assert [(f["properties"]["from_code"], f["properties"]["to_code"]) for f in lanes] == [
        ("A-PLANT", "A-DC")
    ]
    assert "30.66" not in response.text and "B-PRIV" not in response.text

    b = signed_in(client_factory, "b.admin", PASSWORD_B)
    body_b = b.get("/map/sites.geojson").json()
    assert _site_codes(body_b) == {"B-WH": False, "B-PRIV": False}
    assert [
        f["properties"]["from_code"] for f in body_b["features"] if "mode" in f["properties"]
    ] == ["B-PRIV"]


def test_map_page_loads_leaflet_and_the_offline_base_layer(
    client_factory: Callable[[], TestClient], network: Network
) -> None:
    a = signed_in(client_factory, "a.admin", PASSWORD_A)
    page = a.get("/map")
    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text
    assert "/assets/leaflet/leaflet.js" in page.text
    assert "/static/geo/china-base.geojson" in page.text
    assert not re.search(r'(src|href)="https?://', page.text), "no CDN or remote assets"
    base = a.get("/static/geo/china-base.geojson")
    assert base.status_code == 200
    assert len(base.content) < 1_500_000
    codes = {f["properties"]["code"] for f in base.json()["features"]}
    assert {"CN-BJ", "CN-SH", "CN-GD", "CN-XJ"} <= codes
    assert a.get("/static/js/map.js").status_code == 200
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "https://tile.openstreetmap.org" in policy  # only for the optional online tiles
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"


def test_site_list_marks_shared_sites_and_hides_private_ones(
    client_factory: Callable[[], TestClient], network: Network
) -> None:
    a = signed_in(client_factory, "a.admin", PASSWORD_A)
    page = a.get("/sites")
    assert page.status_code == 200
    assert "A-PLANT" in page.text and "B-WH" in page.text
    assert "B-PRIV" not in page.text
    assert "badge-shared" in page.text
    assert "共 4 条" in page.text


def test_lists_show_codes_through_the_callers_scope(
    client_factory: Callable[[], TestClient], network: Network
) -> None:
    a = signed_in(client_factory, "a.admin", PASSWORD_A)
    inventory = a.get("/inventory").text
    assert "A-DC" in inventory and "SKU-A1" in inventory and "1,250.5" in inventory
    items = a.get("/items").text
    assert "SKU-A1" in items and "SKU-B1" not in items
    enterprises = a.get("/enterprises").text
    assert "AAA" in enterprises and "BBB" in enterprises  # B shares a site, so it is a partner
    orders = a.get("/orders").text
    assert "PO-0001" in orders and "已下达" in orders

    b = signed_in(client_factory, "b.admin", PASSWORD_B)
    assert "PO-0001" in b.get("/orders").text  # addressed to B
    assert "SKU-A1" not in b.get("/inventory").text
    assert "A-PLANT" not in b.get("/sites").text


def test_search_and_pagination(
    client_factory: Callable[[], TestClient], db: Database, network: Network
) -> None:
    with db.unit_of_work(db.context_for(network.a, None, "admin")) as uow:
        for i in range(30):
            uow.add(Site(code=f"X-{i:02d}", name=f"Extra {i}", kind="store"))
        uow.commit()
    a = signed_in(client_factory, "a.admin", PASSWORD_A)
    first = a.get("/sites").text
    assert "第 1–25 条，共 34 条" in first and 'rel="next"' in first
    second = a.get("/sites", params={"page": 2}).text
    assert "第 26–34 条，共 34 条" in second and 'rel="prev"' in second
    found = a.get("/sites", params={"q": "X-1"}).text
    assert "共 10 条" in found and "A-PLANT" not in found
    assert "没有与“nothing”匹配的记录" in a.get("/sites", params={"q": "nothing"}).text
    stock = a.get("/inventory", params={"q": "SKU-A1"}).text
    assert "L-001" in stock
    assert "L-001" not in a.get("/inventory", params={"q": "B-WH"}).text


def test_dashboard_counts_what_the_caller_sees(
    client_factory: Callable[[], TestClient], network: Network
) -> None:
    a = signed_in(client_factory, "a.admin", PASSWORD_A)
    page = a.get("/").text

    def tile(key: str) -> int:
        match = re.search(rf'data-tile="{key}".*?class="tile-value">(\d+)<', page, re.S)
        assert match, key
        return int(match.group(1))

    assert tile("sites") == 4
    assert tile("items") == 1
    assert tile("orders") == 1
    assert tile("stock") == 1
    assert tile("partners") == 1


def test_language_switch_sets_a_cookie_and_translates(
    client_factory: Callable[[], TestClient], network: Network
) -> None:
    a = signed_in(client_factory, "a.admin", PASSWORD_A)
    assert "网络地图" in a.get("/map").text
    response = a.get("/lang/en", params={"next": "/map"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/map"
    assert a.cookies.get("lang") == "en"
    page = a.get("/map").text
    assert '<html lang="en">' in page
    assert "Network map" in page and "Legend" in page
    assert "A Manufacturing" in page  # English names where the enterprise has one
    assert a.get("/lang/xx", params={"next": "/"}, follow_redirects=False).status_code == 303
    assert a.cookies.get("lang") == "en"


def test_browser_language_and_user_locale_choose_the_page_language(
    client_factory: Callable[[], TestClient], db: Database, network: Network
) -> None:
    anonymous = client_factory()
    english = anonymous.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"})
    assert '<html lang="en">' in english.text and "Sign in to SupplyMesh" in english.text
    assert '<html lang="zh-CN">' in anonymous.get("/login").text
    with db.system() as uow:
        user = uow.session.query(User).filter_by(username="a.admin").one()
        user.locale = "en"
        uow.commit()
    a = signed_in(client_factory, "a.admin", PASSWORD_A)
    assert '<html lang="en">' in a.get("/", headers={"Accept-Language": "zh-CN"}).text


def test_state_changing_forms_need_the_csrf_token(
    client_factory: Callable[[], TestClient], network: Network
) -> None:
    client = client_factory()
    csrf_of(client)
    no_token = client.post("/login", data={"username": "a.admin", "password": PASSWORD_A})
    assert no_token.status_code == 403
    assert "表单已过期" in no_token.text

    a = signed_in(client_factory, "a.admin", PASSWORD_A)
    assert a.post("/logout", follow_redirects=False).status_code == 403
    wrong = a.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False)
    assert wrong.status_code == 403
    token = a.cookies.get("sm_csrf")
    assert token
    cross_site = a.post(
        "/logout",
        data={"csrf_token": token},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert cross_site.status_code == 403
    assert a.get("/", follow_redirects=False).status_code == 200  # still signed in
    out = a.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert "sm_session" not in a.cookies
    assert a.get("/", follow_redirects=False).status_code == 303


def test_redirects_stay_on_this_site(client: TestClient, network: Network) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = sign_in(client, "a.admin", PASSWORD_A, next_path=target)
        assert response.headers["location"] == "/"
        switch = client.get("/lang/en", params={"next": target}, follow_redirects=False)
        assert switch.headers["location"] == "/"
