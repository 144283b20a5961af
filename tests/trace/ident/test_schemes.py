"""Our own identifier vectors: they make the suite mean something without the shared data."""

from __future__ import annotations

import pytest
from biip.checksums import gs1_standard_check_digit
from biip.gs1_messages import GS1Message

from supplymesh.trace.ident.linters import gs1_check_digit
from supplymesh.trace.ident.services import element_string_to_dl, parse_code


@pytest.mark.parametrize(
    ("code", "scheme", "unbracketed"),
    [
        ("(01)09520123456788(10)ABC", "gs1", "^010952012345678810ABC"),
        ("(10)ABC(01)09520123456788", "gs1", "^10ABC^0109520123456788"),
        ("^0109520123456788^10ABC", "gs1", "^010952012345678810ABC"),
        ("]d2011231231231233310ABC123\x1d99TESTING", "gs1", "^011231231231233310ABC123^99TESTING"),
        (
            "https://id.gs1.org/01/09520123456788/10/ABC?17=201225",
            "gs1-dl",
            "^010952012345678810ABC^17201225",
        ),
        ("urn:epc:id:sgtin:0614141.812345.6789", "epc", "^0180614141123458216789"),
        ("urn:epc:id:sscc:0614141.1234567890", "epc", "^00106141412345678908"),
    ],
)
def test_parses_gs1_family_codes(code: str, scheme: str, unbracketed: str) -> None:
    parsed = parse_code(code)
    assert parsed.valid, parsed.error
    assert parsed.scheme == scheme
    assert parsed.unbracketed == unbracketed


def test_keeps_ais_in_input_order_and_brackets_them() -> None:
    parsed = parse_code("^10ABC^0109520123456788")
    assert parsed.ais == (("10", "ABC"), ("01", "09520123456788"))
    assert parsed.bracketed == "(10)ABC(01)09520123456788"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("(01)09520123456789", "GS1_LINTER_INCORRECT_CHECK_DIGIT"),
        ("(00)123456789012345670", "GS1_LINTER_INCORRECT_CHECK_DIGIT"),
        ("(414)9520123456789", "GS1_LINTER_INCORRECT_CHECK_DIGIT"),
        ("(8003)095201234567890ABC", "GS1_LINTER_INCORRECT_CHECK_DIGIT"),
        ("(89)ABC", "unknown AI"),
        ("(17)991332", "GS1_LINTER_ILLEGAL_MONTH"),
        ("https://id.gs1.org/gtin/09520123456788", "no GS1 primary key"),
        ("urn:epc:id:sgtin:0614141.81234.6789", "must be 13 digits"),
        ("1.2.156.0123", "leading zero"),
        ("88.100.1/", "empty suffix"),
        ("hello world", "not a code"),
    ],
)
def test_rejects_invalid_codes_with_the_reason(code: str, reason: str) -> None:
    parsed = parse_code(code)
    assert not parsed.valid
    assert reason in (parsed.error or "")


def test_giai_passes_without_check_digit() -> None:
    assert parse_code("(8004)95201234ABC-1").valid


def test_handle_names_each_resolver_tier() -> None:
    parts = dict(parse_code("88.100.1/abc-0001").parts)
    assert parts["national_prefix"] == "88"
    assert parts["secondary_prefix"] == "88.100"
    assert parts["enterprise_prefix"] == "88.100.1"
    assert parts["suffix"] == "abc-0001"


def test_oid_under_china_arc() -> None:
    parsed = parse_code("1.2.156.112.1")
    assert parsed.scheme == "oid" and parsed.valid


def test_requisite_ais_are_warnings_not_errors() -> None:
    parsed = parse_code("(10)ABC")
    assert parsed.valid
    assert any("required AIs for AI (10)" in w for w in parsed.warnings)


def test_element_string_to_digital_link() -> None:
    assert (
        element_string_to_dl("(01)09520123456788(10)AB/C(17)201225", "https://example.com/")
        == "https://example.com/01/09520123456788/10/AB%2FC?17=201225"
    )


@pytest.mark.parametrize("payload", ["952012345678", "0952012345678", "00614141123456789"])
def test_check_digit_agrees_with_biip(payload: str) -> None:
    assert gs1_check_digit(payload) == gs1_standard_check_digit(payload)


@pytest.mark.parametrize(
    "hri", ["(01)09520123456788(10)ABC(17)201225", "(00)106141412345678908(400)PO-1"]
)
def test_element_strings_agree_with_biip(hri: str) -> None:
    ours = parse_code(hri)
    theirs = GS1Message.parse_hri(hri)
    assert [list(p) for p in ours.ais] == [[e.ai.ai, e.value] for e in theirs.element_strings]
