"""An in-process four-tier hierarchy with a hand-driven clock."""

from __future__ import annotations

import pytest

from supplymesh.trace.resolver.adapters.inprocess import InProcessTransport
from supplymesh.trace.resolver.config import node_from_dict
from supplymesh.trace.resolver.node import ResolverNode
from supplymesh.trace.resolver.recursive import RecursiveResolver
from tests.trace.resolver.hierarchy import INPROC, hierarchy


class Clock:
    """Time that moves only when a test says so."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def nodes(clock: Clock) -> dict[str, ResolverNode]:
    built = {tier: node_from_dict(data).node for tier, data in hierarchy(INPROC).items()}
    for node in built.values():
        node.now = clock
    return built


@pytest.fixture
def resolver(nodes: dict[str, ResolverNode], clock: Clock) -> RecursiveResolver:
    transport = InProcessTransport({INPROC[t]: n for t, n in nodes.items()})
    return RecursiveResolver(transport, INPROC["root"], clock=clock, negative_ttl_s=30)
