"""One resolver node: answers for the records it holds, refers to the children it delegates to.

Like a DNS authoritative server, a node never recurses: it hands back a record, a referral to
the child covering the code (longest match), or a negative answer that says which.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import replace

from supplymesh.trace.resolver.grants import verify_token
from supplymesh.trace.resolver.model import (
    TIERS,
    Answer,
    CodeName,
    CredentialRefused,
    Delegation,
    NotDelegated,
    Record,
    RecordNotFound,
    Referral,
    Tier,
    prefix_of,
)
from supplymesh.trace.resolver.names import code_name


class ResolverNode:
    """A node of one tier holding records, delegations and the owners' grant secrets.

    A node may answer for several prefixes: an enterprise node for its Handle prefix and its
    GS1 company prefix, a national node for ``88`` and for GS1's ``gs1``.
    """

    def __init__(
        self,
        tier: Tier,
        prefixes: Iterable[tuple[str, ...]],
        delegations: Iterable[Delegation] = (),
        records: Iterable[Record] = (),
        grant_secrets: dict[str, str] | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        if tier not in TIERS:
            raise ValueError(f"unknown tier {tier!r}: use one of {', '.join(TIERS)}")
        self.prefixes = tuple(dict.fromkeys(prefixes))
        if not self.prefixes:
            raise ValueError(f"a {tier} node needs at least one prefix")
        if (tier == "root") != (() in self.prefixes):
            raise ValueError(f"the root and only the root has the empty prefix (got {tier!r})")
        self.tier: Tier = tier
        # Longest match first, so the first covering delegation is the answer.
        self.delegations = sorted(delegations, key=Delegation.weight, reverse=True)
        self.records = {r.key: r for r in records}
        self.grant_secrets = dict(grant_secrets or {})
        self.now = now

    @property
    def name(self) -> str:
        """The node's prefixes, or ``root``."""
        return ",".join(prefix_of(p) for p in self.prefixes) or "root"

    def answer(self, code: str, token: str | None = None) -> Answer:
        """Resolve `code` as far as this node can; raises `InvalidCode` on a malformed code."""
        return self.answer_name(code_name(code), token)

    def answer_name(self, name: CodeName, token: str | None = None) -> Answer:
        """`answer` for a code already mapped onto the hierarchy."""
        if not any(name.under(p) for p in self.prefixes):
            raise NotDelegated(f"{_show(name)} is not under node {self.name}: not delegated here")
        for key in name.keys:
            record = self.records.get(key)
            if record is not None:
                return self._disclose(record, token)
        for delegation in self.delegations:
            if name.under(delegation.prefix):
                return Referral(delegation)
        if self.tier == "enterprise":
            raise RecordNotFound(f"node {self.name} holds no record for {name.keys[0]}")
        raise NotDelegated(f"{_show(name)} is not delegated here (node {self.name})")

    def _disclose(self, record: Record, token: str | None) -> Record:
        public_only = replace(record, partner=None, grants=frozenset())
        if token is None:
            return public_only
        secret = self.grant_secrets.get(record.owner)
        if secret is None:
            raise CredentialRefused(f"node {self.name} holds no grant key of {record.owner}")
        grant = verify_token(token, record.owner, secret, self.now)
        if grant.partner not in record.grants:
            return public_only
        return replace(record, partner=dict(record.partner or {}), grants=frozenset())


def _show(name: CodeName) -> str:
    return f"prefix {prefix_of(name.labels)!r} of {name.keys[0]!r}"
