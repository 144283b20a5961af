"""GS1 Syntax Engine vectors: Digital Link, element strings, scan data, linters.

Vectors with non-default `settings` are optional per the contract and skipped, saying so;
the package-type linter (needs the UN/ECE code list) and the IBAN per-country length rule are
skipped, naming why.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from supplymesh.trace.ident.digital_link import (
    DEFAULT_STEM,
    generate_dl_uri,
    is_valid_path_sequence,
    parse_dl_uri,
    uri_escape,
    uri_unescape,
)
from supplymesh.trace.ident.element_string import (
    association_errors,
    find_ai,
    parse_bracketed,
    to_unbracketed,
)
from supplymesh.trace.ident.linters import UNSUPPORTED, lint
from supplymesh.trace.ident.model import InvalidCode
from supplymesh.trace.ident.services import parse_code
from tests.trace.shared_data import text, vector_cases

DL = "gs1-digital-link/gs1-syntax-engine/dl_uri_vectors.json"
AI = "gs1-digital-link/gs1-syntax-engine/ai_element_string_vectors.json"
SCAN = "gs1-digital-link/gs1-syntax-engine/scan_data_vectors.json"
LINT = "gs1-digital-link/gs1-syntax-engine/linter_vectors.json"


def _skip_settings(case: dict[str, Any]) -> None:
    if case.get("settings"):
        pytest.skip(f"non-default settings (optional per the contract): {case['settings']}")


@pytest.mark.parametrize("case", vector_cases(DL, "parse_dl_uri"))
def test_parse_dl_uri(case: dict[str, Any]) -> None:
    _skip_settings(case)
    if case["should_succeed"]:
        assert to_unbracketed(parse_dl_uri(case["dlData"])) == case["expect"]
        parsed = parse_code(case["dlData"])
        assert parsed.valid and parsed.scheme == "gs1-dl"
        assert parsed.unbracketed == case["expect"]
    else:
        with pytest.raises(InvalidCode):
            parse_dl_uri(case["dlData"])


@pytest.mark.parametrize("case", vector_cases(DL, "generate_dl_uri"))
def test_generate_dl_uri(case: dict[str, Any]) -> None:
    _skip_settings(case)
    stem = case["stem"] or DEFAULT_STEM
    if case["should_succeed"]:
        assert generate_dl_uri(parse_bracketed(case["aiData"]), stem) == case["expect"]
    else:
        with pytest.raises(InvalidCode):
            generate_dl_uri(parse_bracketed(case["aiData"]), stem)


@pytest.mark.parametrize("case", vector_cases(DL, "uri_escape"))
def test_uri_escape(case: dict[str, Any]) -> None:
    assert uri_escape(case["in"], query=False) == case["expect_path"]
    assert uri_escape(case["in"], query=True) == case["expect_query"]


@pytest.mark.parametrize("case", vector_cases(DL, "uri_unescape"))
def test_uri_unescape(case: dict[str, Any]) -> None:
    assert uri_unescape(case["in"], query=False) == text(case["expect_path"])
    assert uri_unescape(case["in"], query=True) == text(case["expect_query"])


@pytest.mark.parametrize("case", vector_cases(DL, "valid_dl_path_ai_sequences"))
def test_valid_dl_path_sequences(case: dict[str, Any]) -> None:
    assert is_valid_path_sequence(case["ai_sequence"])


@pytest.mark.parametrize("case", vector_cases(AI, "parse_bracketed_ai_data"))
def test_parse_bracketed(case: dict[str, Any]) -> None:
    _skip_settings(case)
    if case["should_succeed"]:
        assert to_unbracketed(parse_bracketed(case["aiData"])) == case["expect"]
    else:
        with pytest.raises(InvalidCode):
            parse_bracketed(case["aiData"])


@pytest.mark.parametrize("case", vector_cases(AI, "validate_element_string"))
def test_validate_element_string(case: dict[str, Any]) -> None:
    _skip_settings(case)
    parsed = parse_code(case["dataStr"])
    assert parsed.valid is case["should_succeed"], parsed.error


@pytest.mark.parametrize("case", vector_cases(AI, "ai_linter_errors"))
def test_ai_linter_errors(case: dict[str, Any]) -> None:
    _skip_settings(case)
    expected = case["expect_linter_error"]
    if "IBAN_TOO_SHORT" in expected:
        pytest.skip(f"{expected}: needs the per-country IBAN length table we do not carry")
    parsed = parse_code(case["aiData"])
    if expected == "GS1_LINTER_OK":
        assert parsed.valid, parsed.error
    else:
        assert not parsed.valid
        assert expected in (parsed.error or "")


_RULE_WORDS = {
    "validateAIrepeats": "repeated",
    "validateAImutex": "may not be used",
    "validateAIrequisites": "required",
    "validateDigSigRequiresSerialisedKey": "required",
}


def _raw_pairs(bracketed: str) -> tuple[tuple[str, str], ...]:
    # The cases permit unknown AIs (a non-default setting), so split without validating.
    return tuple((m.group(1), m.group(2)) for m in re.finditer(r"\((\d+)\)([^(]*)", bracketed))


@pytest.mark.parametrize("case", vector_cases(AI, "validate_ai_associations"))
def test_validate_ai_associations(case: dict[str, Any]) -> None:
    errors = association_errors(_raw_pairs(case["aiData"]))
    passes = not any(_RULE_WORDS[case["fn"]] in e for e in errors)
    assert passes is case["should_succeed"], errors


@pytest.mark.parametrize("case", vector_cases(AI, "ai_exists_in_data"))
def test_ai_exists_in_data(case: dict[str, Any]) -> None:
    found = find_ai(parse_bracketed(case["dataStr"]), case["needle"], case["ignore"])
    assert (found is not None) is case["should_succeed"]
    if case["expect"] is not None:
        assert found == case["expect"]


@pytest.mark.parametrize("case", vector_cases(AI, "error_markup"))
def test_error_markup(case: dict[str, Any]) -> None:
    _skip_settings(case)


@pytest.mark.parametrize("case", vector_cases(SCAN, "generate_scan_data"))
def test_generate_scan_data(case: dict[str, Any]) -> None:
    pytest.skip("encoding barcode symbologies is outside the ident contract (parsing only)")


@pytest.mark.parametrize("case", vector_cases(SCAN, "process_scan_data"))
def test_process_scan_data(case: dict[str, Any]) -> None:
    _skip_settings(case)
    expect = case["expectDataStr"]
    if not case["should_succeed"]:
        assert not parse_code(case["scanData"]).valid
        return
    if not expect.startswith("^") or "|" in expect:
        pytest.skip("plain (non-GS1) or composite scan data: no AI content to compare")
    parsed = parse_code(case["scanData"])
    assert parsed.valid, parsed.error
    assert parsed.unbracketed == expect


def _all_linter_cases() -> list[Any]:
    from tests.trace.shared_data import SHARED, absent

    path = SHARED / LINT
    if not path.is_file():
        return [absent(path)]
    import json

    groups = json.loads(path.read_text(encoding="utf-8"))["vectors"]
    return [
        pytest.param(case, id=f"{name}-{n}")
        for name, group in groups.items()
        for n, case in enumerate(group["cases"])
    ]


@pytest.mark.parametrize("case", _all_linter_cases())
def test_linter_vectors(case: dict[str, Any]) -> None:
    name = case["linter"].removeprefix("gs1_lint_")
    if name in UNSUPPORTED:
        pytest.skip(f"linter {name} needs code lists we do not ship")
    error = lint(name, text(case["data"]))
    assert (error is None) is case["expect_pass"], error
    if error is not None:
        assert error.code == case["expect_error"]
