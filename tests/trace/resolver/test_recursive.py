"""The recursive resolver walks the tiers, caches for the TTLs it was given, and no longer."""

from __future__ import annotations

import pytest

from supplymesh.trace.ident.model import InvalidCode
from supplymesh.trace.resolver.adapters.inprocess import InProcessTransport
from supplymesh.trace.resolver.grants import issue_token
from supplymesh.trace.resolver.model import (
    CredentialRefused,
    Delegation,
    NotDelegated,
    RecordNotFound,
    ResolverUnavailable,
)
from supplymesh.trace.resolver.node import ResolverNode
from supplymesh.trace.resolver.recursive import RecursiveResolver
from tests.trace.resolver.conftest import Clock
from tests.trace.resolver.hierarchy import DIRECT, HANDLE, INPROC, SECRET, SERIAL_DL

FULL_WALK = tuple(INPROC[t] for t in ("root", "national", "secondary", "enterprise"))


@pytest.mark.parametrize("code", [HANDLE, SERIAL_DL])
def test_cold_walks_all_tiers_then_warm_asks_nobody(resolver: RecursiveResolver, code: str) -> None:
    cold = resolver.resolve(code)
    assert cold.path == FULL_WALK and not cold.cached
    assert cold.record.owner == "ACME"
    warm = resolver.resolve(code)
    assert warm.cached and warm.record == cold.record
    assert resolver.questions == 4


def test_cached_referral_starts_at_the_deepest_known_node(resolver: RecursiveResolver) -> None:
    resolver.resolve(HANDLE)
    # Same enterprise, other scheme: the GS1 chain has its own referrals, so it walks again.
    assert resolver.resolve(SERIAL_DL).path == FULL_WALK
    other_serial = resolver.resolve("https://id.gs1.org/01/09520123456788/21/S777")
    assert other_serial.path == (INPROC["enterprise"],)
    assert resolver.resolve(DIRECT).path == (INPROC["secondary"],)  # 88.100 referral cached


def test_record_refetched_after_its_ttl_referrals_kept_for_theirs(
    resolver: RecursiveResolver, clock: Clock
) -> None:
    resolver.resolve(HANDLE)  # record TTL 300 s, enterprise referral 3600 s, secondary 7200 s
    clock.advance(299)
    assert resolver.resolve(HANDLE).cached
    clock.advance(2)
    assert resolver.resolve(HANDLE).path == (INPROC["enterprise"],)
    clock.advance(3600)
    assert resolver.resolve(HANDLE).path == (INPROC["secondary"], INPROC["enterprise"])
    clock.advance(86400)
    assert resolver.resolve(HANDLE).path == FULL_WALK


@pytest.mark.parametrize(
    ("code", "error", "asked"),
    [("77.1/X", NotDelegated, 1), ("88.100.1/NOPE", RecordNotFound, 4)],
)
def test_negative_answers_are_cached_briefly(
    resolver: RecursiveResolver, clock: Clock, code: str, error: type[Exception], asked: int
) -> None:
    with pytest.raises(error):
        resolver.resolve(code)
    assert resolver.questions == asked
    clock.advance(29)
    with pytest.raises(error):
        resolver.resolve(code)
    assert resolver.questions == asked  # answered from the negative cache
    clock.advance(2)
    with pytest.raises(error):
        resolver.resolve(code)
    assert resolver.questions > asked


def test_malformed_code_asks_no_node(resolver: RecursiveResolver) -> None:
    with pytest.raises(InvalidCode, match="empty suffix"):
        resolver.resolve("88.100.1/")
    assert resolver.questions == 0


def test_partner_attributes_follow_the_credential_not_the_cache(
    resolver: RecursiveResolver, clock: Clock
) -> None:
    token = issue_token("ACME", "BETA", SECRET, clock() + 600)
    assert resolver.resolve(HANDLE).record.partner is None
    granted = resolver.resolve(HANDLE, token)
    assert granted.record.partner == {"batch": "L2026-11", "unit_cost": "1280.00"}
    assert granted.path == (INPROC["enterprise"],)
    assert resolver.resolve(HANDLE).record.partner is None
    forged = issue_token(
        "ACME", "BETA", "someone-else-secret-long-enough-0123456789", clock() + 600
    )
    with pytest.raises(CredentialRefused):
        resolver.resolve(HANDLE, forged)


def test_a_referral_that_does_not_narrow_is_refused(clock: Clock) -> None:
    loop = ResolverNode("root", [()], delegations=[Delegation(("88",), "inproc://n", "national")])
    national = ResolverNode(
        "national", [("88",)], delegations=[Delegation(("88",), "inproc://n", "secondary")]
    )
    transport = InProcessTransport({"inproc://root": loop, "inproc://n": national})
    resolver = RecursiveResolver(transport, "inproc://root", clock=clock)
    with pytest.raises(ResolverUnavailable, match="bad referral"):
        resolver.resolve(HANDLE)


def test_unreachable_node_is_reported_and_not_cached(
    nodes: dict[str, ResolverNode], clock: Clock
) -> None:
    transport = InProcessTransport({INPROC["root"]: nodes["root"]})
    resolver = RecursiveResolver(transport, INPROC["root"], clock=clock)
    with pytest.raises(ResolverUnavailable, match="no resolver node at inproc://national"):
        resolver.resolve(HANDLE)
    transport.nodes[INPROC["national"]] = nodes["national"]
    transport.nodes[INPROC["secondary"]] = nodes["secondary"]
    transport.nodes[INPROC["enterprise"]] = nodes["enterprise"]
    assert resolver.resolve(HANDLE).record.owner == "ACME"
