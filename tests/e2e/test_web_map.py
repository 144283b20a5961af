"""A real browser signs in as two enterprises and checks what each sees on the map.

The server runs as `supplymesh serve` in its own process over a prepared SQLite database;
Chromium (Debian's, driven by Playwright) may reach only that server, so the test also proves
the map renders with no internet: any request elsewhere is refused and recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from supplymesh.bootstrap import build_database
from supplymesh.platform.schema import migrate
from supplymesh.platform.settings import Settings
from tests.support.server import Server
from tests.web.seed import PASSWORD_A, PASSWORD_B, Network, seed

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LEAFLET = Path(__file__).resolve().parents[2] / "node_modules" / "leaflet" / "dist" / "leaflet.js"


@dataclass(frozen=True)
class SeededServer:
    url: str
    network: Network


@pytest.fixture
def server(tmp_path: Path) -> Iterator[SeededServer]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: run make test (it installs it)")
    if not LEAFLET.exists():
        pytest.fail("Leaflet is not installed: run make install (npm install)")
    url_db = f"sqlite:///{tmp_path / 'var' / 'supplymesh.db'}"
    db = build_database(Settings(database_url=url_db, home=tmp_path))
    migrate(db.engine)
    network = seed(db)
    db.engine.dispose()
    process = Server(url_db, tmp_path).start()
    try:
        yield SeededServer(process.url, network)
    finally:
        process.stop()


def _marker_codes(page: object) -> dict[str, str]:
    """Site code → data-shared of every marker Leaflet drew."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    result = page.eval_on_selector_all(
        ".leaflet-marker-pane [data-site-code]",
        "els => els.map(e => [e.dataset.siteCode, e.dataset.shared])",
    )
    return {str(code): str(shared) for code, shared in result}


def test_each_enterprise_sees_its_own_sites_and_only_shared_partner_sites(
    server: SeededServer,
) -> None:
    from playwright.sync_api import ConsoleMessage, Page, Route, expect, sync_playwright

    outside: list[str] = []
    console_errors: list[str] = []
    host = urlsplit(server.url).netloc
    tile_host = "tile.openstreetmap.org"

    def only_our_server(route: Route) -> None:
        if urlsplit(route.request.url).netloc == host:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    def watch(page: Page) -> Page:
        """Collect script errors and console errors (a CSP violation is one)."""
        page.on("pageerror", lambda exc: console_errors.append(str(exc)))

        def on_console(msg: ConsoleMessage) -> None:
            source = urlsplit(str(msg.location.get("url", ""))).netloc
            if msg.type == "error" and source != tile_host:  # refused tiles are expected
                console_errors.append(f"{msg.text} ({msg.location})")

        page.on("console", on_console)
        return page

    def sign_in(page: Page, username: str, password: str) -> None:
        page.goto(f"{server.url}/map")
        expect(page).to_have_url(f"{server.url}/login?next=%2Fmap")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("#login-form button[type=submit]")
        expect(page).to_have_url(f"{server.url}/map")
        expect(page.locator("#map")).to_have_attribute("data-ready", "1", timeout=20_000)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="zh-CN")
            context.route("**/*", only_our_server)
            page = watch(context.new_page())
            sign_in(page, "a.admin", PASSWORD_A)
            expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
            assert page.locator(".leaflet-base-pane path").count() > 30, "no base layer"
            assert _marker_codes(page) == {"A-PLANT": "false", "A-DC": "false", "B-WH": "true"}
            shared_item = page.locator("#site-list li[data-site-code='B-WH']")
            expect(shared_item).to_have_attribute("data-shared", "true")
            expect(shared_item.locator(".badge-shared")).to_have_text("BBB")
            expect(page.locator("#site-list li[data-site-code='A-DC'] .badge-own")).to_be_visible()
            expect(page.locator("#site-list li[data-site-code='B-PRIV']")).to_have_count(0)
            expect(page.locator("path.lane")).to_have_count(1)
            expect(page.locator("#online-tiles")).not_to_be_checked()
            expect(page.locator("h1")).to_have_text("网络地图")

            page.click(".lang-switch a[data-lang='en']")
            expect(page.locator("html")).to_have_attribute("lang", "en")
            expect(page.locator("h1")).to_have_text("Network map")
            expect(page.locator("[data-legend-kind='warehouse']")).to_have_text("Warehouse")
            expect(page.locator("#map")).to_have_attribute("data-ready", "1", timeout=20_000)
            context.close()

            context = browser.new_context(locale="zh-CN")
            context.route("**/*", only_our_server)
            page = watch(context.new_page())
            sign_in(page, "b.admin", PASSWORD_B)
            assert _marker_codes(page) == {"B-WH": "false", "B-PRIV": "false"}
            expect(page.locator("#site-list li[data-shared='true']")).to_have_count(0)
            expect(page.locator("path.lane")).to_have_count(1)
            expect(page.locator("h1")).to_have_text("网络地图")  # A's language choice stays with A

            # Online tiles only when asked for; here they cannot load, and the map stays usable.
            requests_before = len(outside)
            page.click("label.switch")
            expect(page.locator(".leaflet-tile-pane img").first).to_be_attached()
            expect(page.locator("#online-tiles")).to_be_checked()
            page.click("label.switch")
            expect(page.locator(".leaflet-tile-pane img")).to_have_count(0)
            tile_hosts = {urlsplit(u).netloc for u in outside[requests_before:]}
            assert tile_hosts <= {tile_host}, tile_hosts
            del outside[requests_before:]
            assert _marker_codes(page) == {"B-WH": "false", "B-PRIV": "false"}
            context.close()
        finally:
            browser.close()
    assert outside == [], f"the map reached outside the server: {outside}"
    assert console_errors == [], console_errors


def test_a_supplier_registers_by_link_and_the_buyer_approves_it(server: SeededServer) -> None:
    """Invite, copy the link, register as the supplier, approve: the admission pages in Chromium."""
    from playwright.sync_api import expect, sync_playwright

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            buyer = browser.new_context(locale="zh-CN").new_page()
            buyer.on("pageerror", lambda exc: errors.append(str(exc)))
            buyer.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            buyer.goto(f"{server.url}/suppliers/invitations")
            buyer.fill("input[name=username]", "a.admin")
            buyer.fill("input[name=password]", PASSWORD_A)
            buyer.click("#login-form button[type=submit]")
            expect(buyer).to_have_url(f"{server.url}/suppliers/invitations")
            buyer.fill("#invitation-form input[name=note]", "注塑件")
            buyer.click("#invitation-form button[type=submit]")
            link = buyer.input_value("#invitation-url")
            assert link.startswith(f"{server.url}/register?invite=")
            copy = buyer.locator("button[data-copy]")
            copy.click()
            expect(copy).to_have_text("已复制")  # copy.js runs under the page's CSP

            supplier = browser.new_context(locale="zh-CN").new_page()
            supplier.on("pageerror", lambda exc: errors.append(str(exc)))
            supplier.goto(link)
            expect(supplier.locator("#invitation-info")).to_contain_text("甲制造有限公司")
            for name, value in {
                "code": "NEWSUP",
                "name": "新供应商有限公司",
                "uscc": "91350100M000100Y43",
                "admin_username": "newsup.admin",
                "admin_password": "newsup-pass-1",
                "admin_password_confirm": "newsup-pass-1",
            }.items():
                supplier.fill(f"#register-form input[name={name}]", value)
            supplier.click("#register-form button[type=submit]")
            expect(supplier.locator("#register-done")).to_have_attribute("data-status", "pending")

            buyer.goto(f"{server.url}/suppliers")
            row = buyer.locator("tr[data-partner='NEWSUP']")
            expect(row.locator("[data-status]")).to_have_text("待审批")
            row.locator("button[data-action=approve]").click()
            expect(buyer.locator("#notice")).to_be_visible()
            expect(row.locator("[data-status]")).to_have_attribute("data-status", "active")
            expect(row.locator("button[data-action]")).to_have_count(2)
        finally:
            browser.close()
    assert errors == [], errors
