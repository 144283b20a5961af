"""Driver links: a signed token names one truck of one plan and cannot be edited."""

from __future__ import annotations

from supplymesh.logistics import driver_links

SECRET = "test-signing-key-not-secret"


def test_a_signed_link_verifies_to_what_it_names() -> None:
    token = driver_links.sign(SECRET, 7, 42, "沪A·12345")
    assert driver_links.verify(SECRET, token) == (7, 42, "沪A·12345")


def test_edited_or_foreign_links_do_not_verify() -> None:
    token = driver_links.sign(SECRET, 7, 42, "T1")
    enterprise, plan, truck, mac = token.split(".")
    other_truck = driver_links.sign(SECRET, 7, 42, "T2").split(".")[2]
    assert driver_links.verify(SECRET, f"{enterprise}.43.{truck}.{mac}") is None
    assert driver_links.verify(SECRET, f"8.{plan}.{truck}.{mac}") is None
    assert driver_links.verify(SECRET, f"{enterprise}.{plan}.{other_truck}.{mac}") is None
    assert driver_links.verify("another-key", token) is None
    for junk in ("", "a.b.c.d", "1.2.3", "1.2.!!!.0123"):
        assert driver_links.verify(SECRET, junk) is None
