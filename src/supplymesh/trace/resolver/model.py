"""Values and errors of resolution: node names, delegations, records, referrals.

A code's *name* is a tuple of labels walked from the root: a Handle prefix ``88.100.1`` is
``("88", "100", "1")``; a GS1 code is ``("gs1", <GS1 prefix>, <company digits>)`` (see
`names.py`), where the last label is *open*: a delegation matches it when its label is a
leading part of it, because GS1 company prefixes have variable length.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from supplymesh.platform.errors import AuthenticationFailed, DomainError

Tier = Literal["root", "national", "secondary", "enterprise"]
TIERS: tuple[Tier, ...] = ("root", "national", "secondary", "enterprise")


class ResolutionError(DomainError):
    """Base of the resolver's own errors (invalid codes raise the parser's `InvalidCode`)."""

    kind = "resolution-error"


class NotDelegated(ResolutionError):
    """A node was asked for a name outside everything it holds or delegates."""

    status = 404
    title = "Not delegated here"
    kind = "not-delegated"


class RecordNotFound(ResolutionError):
    """The authoritative node for the name holds no record for the code."""

    status = 404
    title = "No such record"
    kind = "no-record"


class ResolverUnavailable(ResolutionError):
    """A node could not be reached or answered something that is not a resolver answer."""

    status = 502
    title = "Resolver node unavailable"
    kind = "unavailable"


class CredentialRefused(AuthenticationFailed):
    """A partner credential was forged, expired, or issued by another enterprise."""

    kind = "credential-refused"


NEGATIVE_ERRORS: dict[str, type[ResolutionError]] = {
    e.kind: e for e in (NotDelegated, RecordNotFound, ResolverUnavailable)
}


def labels_of(prefix: str) -> tuple[str, ...]:
    """``"88.100"`` → ``("88", "100")``; the root's prefix is the empty string."""
    return tuple(prefix.split(".")) if prefix else ()


def prefix_of(labels: tuple[str, ...]) -> str:
    """The inverse of `labels_of`."""
    return ".".join(labels)


@dataclass(frozen=True)
class CodeName:
    """Where a code sits in the hierarchy, and the record keys to look it up by (best first)."""

    labels: tuple[str, ...]
    keys: tuple[str, ...]
    open_last: bool = False

    def under(self, prefix: tuple[str, ...]) -> bool:
        """Whether the node or delegation named `prefix` covers this name."""
        n = len(prefix)
        if n == 0:
            return True
        if n > len(self.labels) or prefix[: n - 1] != self.labels[: n - 1]:
            return False
        last = self.labels[n - 1]
        if self.open_last and n == len(self.labels):
            return last.startswith(prefix[-1])
        return last == prefix[-1]


@dataclass(frozen=True)
class Delegation:
    """A child node that answers for `prefix`."""

    prefix: tuple[str, ...]
    url: str
    tier: Tier
    ttl_s: float = 3600.0

    def weight(self) -> tuple[int, int]:
        """Longest match wins: more labels, then a longer (GS1 company prefix) last label."""
        return (len(self.prefix), len(self.prefix[-1]) if self.prefix else 0)


@dataclass(frozen=True)
class Record:
    """What a resolution returns: the code's attributes and where its owner's data lives.

    `partner` is filled only in answers to a caller whose credential the owner granted; the
    node keeps the full set and the `grants` (enterprise ids allowed to see it).
    """

    key: str
    owner: str
    public: dict[str, str]
    data_url: str | None = None
    resolver_url: str | None = None
    ttl_s: float = 300.0
    partner: dict[str, str] | None = None
    grants: frozenset[str] = field(default_factory=frozenset)

    def to_json(self) -> dict[str, object]:
        """The wire shape (grants stay on the node)."""
        return {
            "key": self.key,
            "owner": self.owner,
            "public": self.public,
            "partner": self.partner,
            "data_url": self.data_url,
            "resolver_url": self.resolver_url,
            "ttl_s": self.ttl_s,
        }

    @staticmethod
    def from_json(obj: dict[str, object]) -> Record:
        """Read the wire shape back; raises `ValueError` on a malformed answer."""
        public = obj.get("public")
        partner = obj.get("partner")
        if not isinstance(public, dict) or (partner is not None and not isinstance(partner, dict)):
            raise ValueError(f"malformed record: {obj!r}")
        ttl = obj.get("ttl_s", 300.0)
        return Record(
            key=str(obj["key"]),
            owner=str(obj["owner"]),
            public={str(k): str(v) for k, v in public.items()},
            partner=None if partner is None else {str(k): str(v) for k, v in partner.items()},
            data_url=None if obj.get("data_url") is None else str(obj["data_url"]),
            resolver_url=None if obj.get("resolver_url") is None else str(obj["resolver_url"]),
            ttl_s=float(ttl) if isinstance(ttl, int | float | str) else 300.0,
        )


@dataclass(frozen=True)
class Referral:
    """A node's answer "ask this child": the delegation that covers the code."""

    delegation: Delegation

    def to_json(self) -> dict[str, object]:
        """The wire shape."""
        d = self.delegation
        return {"prefix": prefix_of(d.prefix), "url": d.url, "tier": d.tier, "ttl_s": d.ttl_s}

    @staticmethod
    def from_json(obj: dict[str, object]) -> Referral:
        """Read the wire shape back; raises `ValueError` on a malformed answer."""
        tier = obj.get("tier")
        if tier not in TIERS:
            raise ValueError(f"malformed referral tier: {tier!r}")
        ttl = obj.get("ttl_s", 3600.0)
        return Referral(
            Delegation(
                prefix=labels_of(str(obj["prefix"])),
                url=str(obj["url"]),
                tier=tier,
                ttl_s=float(ttl) if isinstance(ttl, int | float | str) else 3600.0,
            )
        )


Answer = Record | Referral
