"""Every scheme maps onto the hierarchy by the documented rule."""

from __future__ import annotations

import pytest

from supplymesh.trace.ident.model import InvalidCode
from supplymesh.trace.resolver.names import code_name


def test_handle_prefix_labels_are_the_tiers() -> None:
    name = code_name("88.100.1/PUMP-0001")
    assert name.labels == ("88", "100", "1")
    assert name.keys == ("88.100.1/PUMP-0001",)
    assert name.under(("88", "100")) and not name.under(("88", "10"))


def test_gs1_forms_share_one_name_and_fall_back_to_the_product() -> None:
    dl = code_name("https://id.gs1.org/01/09520123456788/21/S001?17=271231")
    urn = code_name("urn:epc:id:sgtin:9520123.045678.S001")
    element = code_name("(01)09520123456788(17)271231(21)S001")
    assert dl.labels == urn.labels == element.labels == ("gs1", "952", "9520123456788")
    assert dl.keys == element.keys == ("(01)09520123456788(21)S001", "(01)09520123456788")
    assert dl.under(("gs1", "952", "9520123")) and not dl.under(("gs1", "952", "9520124"))


def test_sscc_skips_the_extension_digit_and_gln_does_not() -> None:
    assert code_name("(00)095201234567890122").labels[2].startswith("9520123")
    assert code_name("(414)9520123000004").labels[2].startswith("9520123")


def test_oid_maps_under_an_oid_branch() -> None:
    assert code_name("1.2.156.3001.1").labels == ("oid", "1", "2", "156", "3001", "1")


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("https://id.gs1.org/01/09520123456789", "CHECK_DIGIT"),
        ("88.100.1/", "empty suffix"),
        ("not a code", "not a code of any supported scheme"),
        ("(17)271231", "primary key"),
    ],
)
def test_malformed_codes_raise_the_parsers_reason(code: str, reason: str) -> None:
    with pytest.raises(InvalidCode, match=reason):
        code_name(code)
