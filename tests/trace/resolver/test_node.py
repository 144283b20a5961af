"""Each tier answers for what it holds, refers what it delegates, and refuses the rest."""

from __future__ import annotations

import pytest

from supplymesh.trace.ident.model import InvalidCode
from supplymesh.trace.resolver.model import (
    Delegation,
    NotDelegated,
    Record,
    RecordNotFound,
    Referral,
)
from supplymesh.trace.resolver.node import ResolverNode
from tests.trace.resolver.hierarchy import DIRECT, GTIN_DL, HANDLE, INPROC, SERIAL_DL


def referral_url(answer: object) -> str:
    assert isinstance(answer, Referral)
    return answer.delegation.url


@pytest.mark.parametrize(
    ("tier", "expected"),
    [("root", "national"), ("national", "secondary"), ("secondary", "enterprise")],
)
@pytest.mark.parametrize("code", [HANDLE, SERIAL_DL, "urn:epc:id:sgtin:9520123.045678.S001"])
def test_each_tier_refers_to_the_next(
    nodes: dict[str, ResolverNode], tier: str, expected: str, code: str
) -> None:
    assert referral_url(nodes[tier].answer(code)) == INPROC[expected]


def test_enterprise_node_answers_with_the_record(nodes: dict[str, ResolverNode]) -> None:
    record = nodes["enterprise"].answer(HANDLE)
    assert isinstance(record, Record)
    assert record.owner == "ACME" and record.public["model"] == "CP-40"
    assert record.data_url == "https://acme.example/api/v1"
    assert record.partner is None  # no credential, no partner-only attributes


def test_a_serial_without_its_own_record_falls_back_to_its_product(
    nodes: dict[str, ResolverNode],
) -> None:
    record = nodes["enterprise"].answer("https://id.gs1.org/01/09520123456788/21/S999")
    assert isinstance(record, Record) and record.key == "(01)09520123456788"
    assert record.public == {"name": "Pump impeller"}
    own = nodes["enterprise"].answer(SERIAL_DL)
    assert isinstance(own, Record) and own.public["serial"] == "S001"
    assert nodes["enterprise"].answer(GTIN_DL) == record


def test_a_node_answers_directly_for_records_it_holds(nodes: dict[str, ResolverNode]) -> None:
    record = nodes["secondary"].answer(DIRECT)
    assert isinstance(record, Record) and record.owner == "SMALLCO"


def test_longest_delegation_wins() -> None:
    node = ResolverNode(
        "secondary",
        [("gs1", "952")],
        delegations=[
            Delegation(("gs1", "952", "95201"), "http://short", "enterprise"),
            Delegation(("gs1", "952", "9520123"), "http://long", "enterprise"),
        ],
    )
    assert referral_url(node.answer(GTIN_DL)) == "http://long"
    assert referral_url(node.answer("https://id.gs1.org/01/09520199999998")) == "http://short"


def test_unknown_prefixes_are_not_delegated_here(nodes: dict[str, ResolverNode]) -> None:
    with pytest.raises(NotDelegated, match=r"'77.1' .*not delegated here \(node root\)"):
        nodes["root"].answer("77.1/X")
    with pytest.raises(NotDelegated, match=r"'88.200.5' .*not delegated here \(node 88,gs1\)"):
        nodes["national"].answer("88.200.5/X")
    with pytest.raises(NotDelegated, match=r"not under node 88\.100\.1"):
        nodes["enterprise"].answer("88.100.2/X")


def test_unknown_code_at_its_enterprise_node_is_no_record(nodes: dict[str, ResolverNode]) -> None:
    with pytest.raises(RecordNotFound, match=r"holds no record for 88\.100\.1/NOPE"):
        nodes["enterprise"].answer("88.100.1/NOPE")


def test_malformed_code_gives_the_parsers_error(nodes: dict[str, ResolverNode]) -> None:
    with pytest.raises(InvalidCode, match="empty suffix"):
        nodes["root"].answer("88.100.1/")


def test_only_the_root_has_the_empty_prefix() -> None:
    with pytest.raises(ValueError, match="only the root"):
        ResolverNode("national", [()])
    with pytest.raises(ValueError, match="unknown tier"):
        ResolverNode("galaxy", [("1",)])  # type: ignore[arg-type]
