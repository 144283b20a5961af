"""Partner-only attributes go only to callers holding a valid grant from the owner."""

from __future__ import annotations

import pytest

from supplymesh.trace.resolver.grants import issue_token, verify_token
from supplymesh.trace.resolver.model import CredentialRefused, Record
from supplymesh.trace.resolver.node import ResolverNode
from tests.trace.resolver.conftest import Clock
from tests.trace.resolver.hierarchy import HANDLE, SECRET


def resolve(node: ResolverNode, token: str | None) -> Record:
    answer = node.answer(HANDLE, token)
    assert isinstance(answer, Record)
    return answer


def test_granted_partner_sees_partner_attributes(
    nodes: dict[str, ResolverNode], clock: Clock
) -> None:
    token = issue_token("ACME", "BETA", SECRET, clock() + 600)
    record = resolve(nodes["enterprise"], token)
    assert record.partner == {"batch": "L2026-11", "unit_cost": "1280.00"}
    assert "grants" not in record.to_json()  # the grant list never leaves the node


def test_valid_credential_without_a_grant_sees_public_only(
    nodes: dict[str, ResolverNode], clock: Clock
) -> None:
    token = issue_token("ACME", "GAMMA", SECRET, clock() + 600)
    record = resolve(nodes["enterprise"], token)
    assert record.partner is None and record.public["name"] == "Centrifugal pump"


def test_forged_token_is_refused(nodes: dict[str, ResolverNode], clock: Clock) -> None:
    forged = issue_token(
        "ACME", "BETA", "not-acme-secret-but-long-enough-0123456789", clock() + 600
    )
    with pytest.raises(CredentialRefused, match="Signature verification failed"):
        resolve(nodes["enterprise"], forged)
    with pytest.raises(CredentialRefused):
        resolve(nodes["enterprise"], "garbage.token.value")


def test_tampered_claims_are_refused(nodes: dict[str, ResolverNode], clock: Clock) -> None:
    header, _, sig = issue_token("ACME", "GAMMA", SECRET, clock() + 600).split(".")
    other = issue_token("ACME", "BETA", SECRET, clock() + 600).split(".")[1]
    with pytest.raises(CredentialRefused):
        resolve(nodes["enterprise"], f"{header}.{other}.{sig}")


def test_expired_token_is_refused(nodes: dict[str, ResolverNode], clock: Clock) -> None:
    token = issue_token("ACME", "BETA", SECRET, clock() + 60)
    assert resolve(nodes["enterprise"], token).partner is not None
    clock.advance(61)
    with pytest.raises(CredentialRefused, match="expired"):
        resolve(nodes["enterprise"], token)


def test_token_from_another_owner_is_refused(clock: Clock) -> None:
    token = issue_token("BETA", "GAMMA", SECRET, clock() + 60)
    with pytest.raises(CredentialRefused, match="not issued by ACME"):
        verify_token(token, "ACME", SECRET, clock)


def test_short_secrets_are_rejected() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        issue_token("ACME", "BETA", "short", 0)
