"""The embedded mode: every tier is an object in this process, addressed by a URL."""

from __future__ import annotations

from collections.abc import Mapping

from supplymesh.trace.resolver.model import Answer, ResolverUnavailable
from supplymesh.trace.resolver.node import ResolverNode


class InProcessTransport:
    """Asks nodes held in a mapping from URL (``inproc://root``…) to node."""

    def __init__(self, nodes: Mapping[str, ResolverNode]) -> None:
        self.nodes = dict(nodes)

    def ask(self, url: str, code: str, token: str | None) -> Answer:
        """Call the node directly."""
        node = self.nodes.get(url)
        if node is None:
            raise ResolverUnavailable(f"no resolver node at {url}")
        return node.answer(code, token)
