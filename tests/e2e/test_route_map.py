"""A dispatcher plans a day's deliveries in a real browser and sees each truck's loop on the map.

The server runs as `supplymesh serve` over a prepared SQLite file; Chromium may reach only it,
so the map must draw from our own assets and base layer.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from supplymesh.platform.settings import Settings
from tests.api.helpers import Tenant
from tests.e2e.test_web_map import CHROMIUM, CHROMIUM_ARGS
from tests.logistics.test_route_plans import STORES, retail  # noqa: F401  (fixture)
from tests.support.server import Server

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("backend", ["sqlite"])
def test_plan_a_day_and_see_the_routes_on_the_map(
    settings: Settings,
    retail: tuple[Tenant, int, list[dict[str, Any]]],  # noqa: F811
) -> None:
    from playwright.sync_api import Route, expect, sync_playwright

    t, _depot, orders = retail
    server = Server(settings.resolved_database_url, settings.home).start()
    host = urlsplit(server.url).netloc
    outside: list[str] = []
    errors: list[str] = []

    def only_our_server(route: Route) -> None:
        if urlsplit(route.request.url).netloc == host:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = browser.new_context(locale="zh-CN")
            context.route("**/*", only_our_server)
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{server.url}/logistics/routes")
            page.fill("input[name=username]", t.username)
            page.fill("input[name=password]", t.password)
            page.click("#login-form button[type=submit]")
            expect(page.locator("h1")).to_have_text("配送路线")
            page.fill("input[name=day]", "2027-03-01")
            page.fill("input[name=vehicle_name]", "4.2米厢车")
            page.fill("input[name=capacity_kg]", "800")
            page.fill("input[name=count]", "3")
            page.fill("input[name=time_limit_s]", "1")
            page.click("#route-form button[type=submit]")
            expect(page.locator("#map")).to_have_attribute("data-ready", "1", timeout=30_000)
            routes = int(page.locator("#map").get_attribute("data-routes") or "0")
            assert routes >= 2  # 2,586 kg of goods on 800 kg trucks
            expect(page.locator(".route-panel")).to_have_count(routes)
            # one polyline per truck, one numbered marker per stop, the depot marker
            expect(page.locator(".leaflet-overlay-pane path.leaflet-interactive")).to_have_count(
                routes + len(STORES)
            )
            expect(page.locator(".leaflet-marker-pane .leaflet-marker-icon")).to_have_count(1)
            for order in orders:
                expect(page.locator(f"li[data-order='{order['number']}']")).to_have_count(1)
            browser.close()
    finally:
        server.stop()
    assert outside == [] and errors == []
