"""OpenEPCIS translator vectors: EPC URN ↔ GS1 Digital Link, DL to AI map, identifier checks.

Vectors outside the ident contract are excluded at collection time, counted, not skipped:
DL → URN cases without a GCP length (they need GS1's GCP prefix table), DL → AI map cases where
OpenEPCIS keeps empty or unknown path AIs, identifier checks other than pure-identity EPC URNs,
and whole groups (class-level EPCs, CBV vocabulary forms, convenience alphas, GCP lengths).
The predicates below name why; ``test_out_of_scope_vectors_are_accounted_for`` asserts how many
each excludes, so a change in the data or in our scope fails rather than passing silently.
Only absent shared data skips.
"""

from __future__ import annotations

from typing import Any

import pytest

from supplymesh.trace.ident.epc import dl_to_urn, urn_to_dl
from supplymesh.trace.ident.model import InvalidCode
from supplymesh.trace.ident.services import parse_code
from supplymesh.trace.ident.syntax import lookup
from tests.trace.shared_data import exclude_group, excluded, require, vector_cases

EPC = "gs1-digital-link/openepcis-epc-digitallink-translator/epc_digital_link_vectors.json"

# Out of scope: each predicate gives the reason a case lies outside the contract, or None.

NO_GCP_LENGTH = "no GCP length given: needs GS1's GCP prefix table, not in the data"
EMPTY_OR_UNKNOWN_AIS = "OpenEPCIS keeps empty or unknown path AIs; the Syntax Engine rejects them"
NOT_PURE_IDENTITY = (
    "OpenEPCIS validates DL URIs and class-level URNs by its own regexes (no check "
    "digits, GCP-table lengths); agreement is measured in benchmarks/trace.md"
)
GROUPS_OUTSIDE_THE_CONTRACT = (
    "epc_class_urn_to_digital_link",
    "digital_link_to_epc_class_urn",
    "cbv_vocabulary",
    "dl_short_name_replacement",
    "dl_normalize",
    "gcp_length",
)


def _outside(group: str) -> str:
    return (
        f"{group}: class-level EPCs, CBV vocabulary forms, convenience alphas and GCP lengths "
        "are outside the ident contract (convenience alphas are off by default)"
    )


def _dl_to_urn_scope(case: dict[str, Any]) -> str | None:
    return NO_GCP_LENGTH if len(case["args"]) < 2 else None


def _dl_ai_map_scope(case: dict[str, Any]) -> str | None:
    expected = {k: v for k, v in case["Map<String"].items() if k.isdigit()}
    segments = case["dlURL"].split("?")[0].split("/")[3:]
    if "" in expected.values() or any(s.isdigit() and lookup(s) is None for s in segments[::2]):
        return EMPTY_OR_UNKNOWN_AIS
    return None


def _identifier_scope(case: dict[str, Any]) -> str | None:
    return None if case["identifier"].startswith("urn:epc:id:") else NOT_PURE_IDENTITY


for _group in GROUPS_OUTSIDE_THE_CONTRACT:
    exclude_group(EPC, _group, _outside(_group))


@pytest.mark.parametrize("case", vector_cases(EPC, "epc_urn_to_digital_link"))
def test_epc_urn_to_digital_link(case: dict[str, Any]) -> None:
    (urn,) = case["args"]
    if "expected" in case:
        assert urn_to_dl(urn) == case["expected"]
    else:
        with pytest.raises(InvalidCode):
            urn_to_dl(urn)


@pytest.mark.parametrize("case", vector_cases(EPC, "digital_link_to_epc_urn", _dl_to_urn_scope))
def test_digital_link_to_epc_urn(case: dict[str, Any]) -> None:
    uri, gcp_length = case["args"]
    if "expected" in case:
        assert dl_to_urn(uri, gcp_length) == case["expected"]
    else:
        with pytest.raises(InvalidCode):
            dl_to_urn(uri, gcp_length)


@pytest.mark.parametrize("case", vector_cases(EPC, "dl_parse_to_ai_map", _dl_ai_map_scope))
def test_dl_parse_to_ai_map(case: dict[str, Any]) -> None:
    expected = {k: v for k, v in case["Map<String"].items() if k.isdigit()}
    assert dict(parse_code(case["dlURL"]).ais) == expected


@pytest.mark.parametrize("case", vector_cases(EPC, "identifier_validation", _identifier_scope))
def test_identifier_validation_of_pure_identity_urns(case: dict[str, Any]) -> None:
    assert parse_code(case["identifier"]).valid is case["expected_valid"]


# The cases each predicate excludes, per group, as observed in the data. The six whole groups
# were six skipped tests (one per group) before; they are counted here by their cases.
EXCLUDED = {
    (EPC, "digital_link_to_epc_urn"): {NO_GCP_LENGTH: 13},
    (EPC, "dl_parse_to_ai_map"): {EMPTY_OR_UNKNOWN_AIS: 2},
    (EPC, "identifier_validation"): {NOT_PURE_IDENTITY: 177},
    (EPC, "epc_class_urn_to_digital_link"): {_outside("epc_class_urn_to_digital_link"): 37},
    (EPC, "digital_link_to_epc_class_urn"): {_outside("digital_link_to_epc_class_urn"): 46},
    (EPC, "cbv_vocabulary"): {_outside("cbv_vocabulary"): 106},
    (EPC, "dl_short_name_replacement"): {_outside("dl_short_name_replacement"): 9},
    (EPC, "dl_normalize"): {_outside("dl_normalize"): 5},
    (EPC, "gcp_length"): {_outside("gcp_length"): 11},
}


def test_out_of_scope_vectors_are_accounted_for() -> None:
    require(EPC)
    assert excluded(EPC) == EXCLUDED
