"""GS1 Syntax Engine vectors: Digital Link, element strings, scan data, linters.

Vectors outside the ident contract are excluded at collection time, counted, not skipped:
those with non-default `settings` (optional per the contract), the package-type linter (needs
the UN/ECE code list), the IBAN per-country length rule, barcode encoding (generate_scan_data)
and plain or composite scan data. The predicates below name why;
``test_out_of_scope_vectors_are_accounted_for`` asserts how many each excludes, so a change in
the data or in our scope fails rather than passing silently. Only absent shared data skips.
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
from tests.trace.shared_data import (
    all_vector_cases,
    exclude_group,
    excluded,
    require,
    text,
    vector_cases,
)

DL = "gs1-digital-link/gs1-syntax-engine/dl_uri_vectors.json"
AI = "gs1-digital-link/gs1-syntax-engine/ai_element_string_vectors.json"
SCAN = "gs1-digital-link/gs1-syntax-engine/scan_data_vectors.json"
LINT = "gs1-digital-link/gs1-syntax-engine/linter_vectors.json"


# Out of scope: each predicate gives the reason a case lies outside the contract, or None.

SETTINGS = "non-default settings (optional per the contract)"
IBAN = "GS1_LINTER_IBAN_TOO_SHORT: needs the per-country IBAN length table we do not carry"
PLAIN_OR_COMPOSITE = "plain (non-GS1) or composite scan data: no AI content to compare"
PACKAGETYPE = "linter packagetype needs code lists we do not ship"
GENERATE_SCAN_DATA = "encoding barcode symbologies is outside the ident contract (parsing only)"


def _with(settings: dict[str, Any]) -> str:
    return f"{SETTINGS}: {settings}"


def _settings(case: dict[str, Any]) -> str | None:
    return _with(case["settings"]) if case.get("settings") else None


def _ai_linter_scope(case: dict[str, Any]) -> str | None:
    if reason := _settings(case):
        return reason
    expected = case["expect_linter_error"]
    if "IBAN_TOO_SHORT" in expected:
        return f"{expected}: needs the per-country IBAN length table we do not carry"
    return None


def _scan_scope(case: dict[str, Any]) -> str | None:
    if reason := _settings(case):
        return reason
    expect = case["expectDataStr"]
    if case["should_succeed"] and (not expect.startswith("^") or "|" in expect):
        return PLAIN_OR_COMPOSITE
    return None


def _linter_scope(case: dict[str, Any]) -> str | None:
    name = case["linter"].removeprefix("gs1_lint_")
    if name in UNSUPPORTED:
        return f"linter {name} needs code lists we do not ship"
    return None


exclude_group(SCAN, "generate_scan_data", GENERATE_SCAN_DATA)

# Every error_markup case has non-default settings, so no test runs them; the accounting test
# fails if one ever comes into scope.
_ERROR_MARKUP_IN_SCOPE = vector_cases(AI, "error_markup", _settings)


@pytest.mark.parametrize("case", vector_cases(DL, "parse_dl_uri", _settings))
def test_parse_dl_uri(case: dict[str, Any]) -> None:
    if case["should_succeed"]:
        assert to_unbracketed(parse_dl_uri(case["dlData"])) == case["expect"]
        parsed = parse_code(case["dlData"])
        assert parsed.valid and parsed.scheme == "gs1-dl"
        assert parsed.unbracketed == case["expect"]
    else:
        with pytest.raises(InvalidCode):
            parse_dl_uri(case["dlData"])


@pytest.mark.parametrize("case", vector_cases(DL, "generate_dl_uri", _settings))
def test_generate_dl_uri(case: dict[str, Any]) -> None:
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


@pytest.mark.parametrize("case", vector_cases(AI, "parse_bracketed_ai_data", _settings))
def test_parse_bracketed(case: dict[str, Any]) -> None:
    if case["should_succeed"]:
        assert to_unbracketed(parse_bracketed(case["aiData"])) == case["expect"]
    else:
        with pytest.raises(InvalidCode):
            parse_bracketed(case["aiData"])


@pytest.mark.parametrize("case", vector_cases(AI, "validate_element_string", _settings))
def test_validate_element_string(case: dict[str, Any]) -> None:
    parsed = parse_code(case["dataStr"])
    assert parsed.valid is case["should_succeed"], parsed.error


@pytest.mark.parametrize("case", vector_cases(AI, "ai_linter_errors", _ai_linter_scope))
def test_ai_linter_errors(case: dict[str, Any]) -> None:
    expected = case["expect_linter_error"]
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


@pytest.mark.parametrize("case", vector_cases(SCAN, "process_scan_data", _scan_scope))
def test_process_scan_data(case: dict[str, Any]) -> None:
    expect = case["expectDataStr"]
    if not case["should_succeed"]:
        assert not parse_code(case["scanData"]).valid
        return
    parsed = parse_code(case["scanData"])
    assert parsed.valid, parsed.error
    assert parsed.unbracketed == expect


@pytest.mark.parametrize("case", all_vector_cases(LINT, _linter_scope))
def test_linter_vectors(case: dict[str, Any]) -> None:
    name = case["linter"].removeprefix("gs1_lint_")
    error = lint(name, text(case["data"]))
    assert (error is None) is case["expect_pass"], error
    if error is not None:
        assert error.code == case["expect_error"]


# The cases each predicate excludes, per vector file and group, as observed in the data.
EXCLUDED = {
    (DL, "parse_dl_uri"): {
        _with({"ctx->permitConvenienceAlphas": True}): 2,
        _with(
            {
                "setPermitUnknownAIs": True,
                "setValidationEnabled(gs1_encoder_vUNKNOWN_AI_NOT_DL_ATTR)": False,
            }
        ): 1,
        _with({"setPermitZeroSuppressedGTINinDLuris": True}): 6,
    },
    (DL, "generate_dl_uri"): {_with({"setPermitUnknownAIs": True}): 1},
    (AI, "validate_element_string"): {_with({"setPermitUnknownAIs": True}): 1},
    (AI, "ai_linter_errors"): {IBAN: 1},
    (AI, "error_markup"): {_with({"setValidationEnabled(gs1_encoder_vREQUISITE_AIS)": False}): 1},
    (SCAN, "generate_scan_data"): {GENERATE_SCAN_DATA: 23},
    (SCAN, "process_scan_data"): {PLAIN_OR_COMPOSITE: 11},
    (LINT, "gs1_lint_packagetype"): {PACKAGETYPE: 221},
}


def test_out_of_scope_vectors_are_accounted_for() -> None:
    require(DL, AI, SCAN, LINT)
    assert excluded(DL, AI, SCAN, LINT) == EXCLUDED
    assert sum(sum(r.values()) for r in EXCLUDED.values()) == 268
    assert not _ERROR_MARKUP_IN_SCOPE, "an error_markup case is in scope but no test runs it"
