"""Language choice and the completeness of the zh-CN and English catalogues."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from supplymesh.inventory.model import OrderKind, OrderStatus, StockStatus
from supplymesh.network.model import EnterpriseRole, LaneMode, SiteKind, UserRole
from supplymesh.web import i18n
from supplymesh.web.app import PAGES
from supplymesh.web.nav import SECTIONS, NavEntry, PageSet, build_nav, web_router

WEB = Path(i18n.__file__).parent


@pytest.mark.parametrize(
    ("cookie", "user", "accept", "expected"),
    [
        (None, None, None, "zh-CN"),
        (None, None, "en-US,en;q=0.9", "en"),
        (None, None, "fr-FR,fr;q=0.9", "zh-CN"),
        (None, None, "fr;q=1, en;q=0.5, zh-TW;q=0.8", "zh-CN"),
        (None, None, "en;q=0, zh;q=0.1", "zh-CN"),
        (None, "en", "zh-CN", "en"),
        ("zh-CN", "en", "en", "zh-CN"),
        ("en", None, "zh-CN", "en"),
        ("klingon", None, "en", "en"),
    ],
)
def test_language_is_cookie_then_user_then_browser_then_chinese(
    cookie: str | None, user: str | None, accept: str | None, expected: str
) -> None:
    assert i18n.negotiate(cookie, user, accept) == expected


def test_tags_are_normalised() -> None:
    assert i18n.normalise("zh-Hans-CN") == "zh-CN"
    assert i18n.normalise("zh_CN") == "zh-CN"
    assert i18n.normalise("EN-gb") == "en"
    assert i18n.normalise("de") is None
    assert i18n.normalise("") is None


def test_both_catalogues_have_the_same_keys_and_placeholders() -> None:
    zh, en = i18n.catalogue("zh-CN"), i18n.catalogue("en")
    assert set(zh) == set(en)
    for key in zh:
        assert set(re.findall(r"{(\w+)}", zh[key])) == set(re.findall(r"{(\w+)}", en[key])), key
        assert zh[key].strip() and en[key].strip(), key


def test_every_key_the_pages_use_is_translated() -> None:
    used: set[str] = set()
    for path in [*WEB.rglob("*.html"), *WEB.rglob("*.py")]:
        if path.name == "__init__.py":
            continue  # the package docstring's example uses keys of a page not written yet
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+(?:\.[a-z_]+)+)["']""", text))
    used |= {f"nav.section.{s}" for s in SECTIONS}
    used |= {entry.label for page in PAGES for entry in page.nav}
    enums = {
        "kind": SiteKind,
        "role": EnterpriseRole,
        "user_role": UserRole,
        "mode": LaneMode,
        "order_status": OrderStatus,
        "order_kind": OrderKind,
        "stock_status": StockStatus,
    }
    for prefix, enum in enums.items():
        used |= {f"{prefix}.{member.value}" for member in enum}
    used |= {f"item_type.{v}" for v in ("raw", "component", "finished", "packaging", "service")}
    assert len(used) > 100
    missing = sorted(used - set(i18n.catalogue("zh-CN")))
    assert not missing, f"untranslated keys: {missing}"


def test_a_missing_key_falls_back_visibly_and_placeholders_fill() -> None:
    t = i18n.Translator("en")
    assert t("no.such.key") == "no.such.key"
    assert t("list.showing", first=1, last=25, total=40) == "1–25 of 40"
    assert t.label("kind", "plant") == "Plant"
    assert t.label("kind", "spaceport") == "spaceport"


def test_nav_groups_entries_by_section_and_rejects_clashes() -> None:
    router = web_router()
    pages = (
        PageSet(router, (NavEntry("b", "/b", "nav.b", section="operations", order=2),)),
        PageSet(router, (NavEntry("a", "/a", "nav.a", section="operations", order=1),)),
        PageSet(router, (NavEntry("o", "/", "nav.o", section="overview"),)),
    )
    sections = build_nav(pages)
    assert [s.key for s in sections] == ["overview", "operations"]
    assert [e.key for e in sections[1].entries] == ["a", "b"]
    with pytest.raises(ValueError, match="two nav entries"):
        build_nav((*pages, PageSet(router, (NavEntry("a", "/x", "nav.x"),))))
    with pytest.raises(ValueError, match="section"):
        NavEntry("z", "/z", "nav.z", section="nowhere")
