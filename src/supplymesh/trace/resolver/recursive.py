"""The recursive resolver: walks root → national → secondary → enterprise, caching with TTLs.

Like a DNS recursive resolver (RFC 1034 §5.3.3) it remembers referrals for their TTL, so a warm
lookup starts at the deepest node it already knows for the code, and remembers records and
negative answers (RFC 2308, here for a shorter fixed time) so a repeated question asks no node.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from supplymesh.trace.resolver.model import (
    CodeName,
    Delegation,
    NotDelegated,
    Record,
    RecordNotFound,
    Referral,
    ResolutionError,
    ResolverUnavailable,
)
from supplymesh.trace.resolver.names import code_name
from supplymesh.trace.resolver.ports import NodeTransport

K = TypeVar("K")
NEGATIVE_TTL_S = 30.0
MAX_HOPS = 8


@dataclass(frozen=True)
class Resolution:
    """A record and how it was found: the node URLs asked (none when it came from the cache)."""

    code: str
    record: Record
    path: tuple[str, ...]

    @property
    def cached(self) -> bool:
        """Whether no node had to be asked."""
        return not self.path

    def to_json(self) -> dict[str, object]:
        """The CLI/API shape."""
        return {
            "code": self.code,
            "record": self.record.to_json(),
            "path": list(self.path),
            "cached": self.cached,
        }


@dataclass
class _Entry:
    value: Record | Delegation | ResolutionError
    expires: float


class RecursiveResolver:
    """Resolves codes through the tiers from `root_url`; one instance holds one cache."""

    def __init__(
        self,
        transport: NodeTransport,
        root_url: str,
        clock: Callable[[], float] = time.monotonic,
        negative_ttl_s: float = NEGATIVE_TTL_S,
        max_entries: int = 100_000,
    ) -> None:
        self.transport = transport
        self.root_url = root_url
        self.clock = clock
        self.negative_ttl_s = negative_ttl_s
        self.max_entries = max_entries
        self.answers: dict[tuple[str, str | None], _Entry] = {}
        self.referrals: dict[tuple[str, ...], _Entry] = {}
        self.questions = 0  # node questions asked, for tests and the benchmark

    def resolve(self, code: str, token: str | None = None) -> Resolution:
        """The record of `code`; raises `InvalidCode`, a negative answer, or `CredentialRefused`."""
        now = self.clock()
        cached = self._fresh(self.answers, (code, token), now)
        if isinstance(cached, Record):
            return Resolution(code, cached, ())
        if isinstance(cached, ResolutionError):
            raise type(cached)(cached.message)
        name = code_name(code)
        url, depth = self._start(name, now)
        path: list[str] = []
        for _ in range(MAX_HOPS):
            path.append(url)
            self.questions += 1
            try:
                answer = self.transport.ask(url, code, token)
            except (NotDelegated, RecordNotFound) as exc:
                self._store(self.answers, (code, token), exc, now + self.negative_ttl_s)
                raise
            if isinstance(answer, Record):
                self._store(self.answers, (code, token), answer, now + answer.ttl_s)
                return Resolution(code, answer, tuple(path))
            url, depth = self._follow(answer, name, depth, url, now)
        raise ResolverUnavailable(f"{code!r}: more than {MAX_HOPS} referrals")

    def _follow(
        self, referral: Referral, name: CodeName, depth: tuple[int, int], url: str, now: float
    ) -> tuple[str, tuple[int, int]]:
        d = referral.delegation
        if not name.under(d.prefix) or d.weight() <= depth:
            # A referral that does not narrow the name would loop (or mislead the cache).
            raise ResolverUnavailable(f"node {url} gave a bad referral to {d.url}")
        self._store(self.referrals, d.prefix, d, now + d.ttl_s)
        return d.url, d.weight()

    def _start(self, name: CodeName, now: float) -> tuple[str, tuple[int, int]]:
        """The deepest unexpired referral covering `name`, else the root."""
        for prefix in _covering_prefixes(name):
            entry = self._fresh(self.referrals, prefix, now)
            if isinstance(entry, Delegation):
                return entry.url, entry.weight()
        return self.root_url, (0, 0)

    def _fresh(self, table: dict[K, _Entry], key: K, now: float) -> object:
        entry = table.get(key)
        if entry is None:
            return None
        if entry.expires <= now:
            del table[key]
            return None
        return entry.value

    def _store(
        self,
        table: dict[K, _Entry],
        key: K,
        value: Record | Delegation | ResolutionError,
        expires: float,
    ) -> None:
        if len(table) >= self.max_entries:
            table.clear()  # crude bound; a hot working set refills within one TTL
        table[key] = _Entry(value, expires)

    def clear(self) -> None:
        """Forget every cached answer and referral (a cold cache)."""
        self.answers.clear()
        self.referrals.clear()


def _covering_prefixes(name: CodeName) -> list[tuple[str, ...]]:
    """Prefixes a delegation covering `name` could have, longest first."""
    labels = name.labels
    out: list[tuple[str, ...]] = []
    if name.open_last and labels:
        head, last = labels[:-1], labels[-1]
        out += [(*head, last[:j]) for j in range(len(last), 0, -1)]
        labels = head
    out += [labels[:k] for k in range(len(labels), 0, -1)]
    return out
