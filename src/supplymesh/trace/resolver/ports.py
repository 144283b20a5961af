"""How the recursive resolver reaches a node: in-process or over HTTP."""

from __future__ import annotations

from typing import Protocol

from supplymesh.trace.resolver.model import Answer


class NodeTransport(Protocol):
    """Ask the node at `url` about `code`.

    Raises the node's negative answers (`NotDelegated`, `RecordNotFound`), `InvalidCode`,
    `CredentialRefused`, or `ResolverUnavailable` when the node cannot be asked.
    """

    def ask(self, url: str, code: str, token: str | None) -> Answer:
        """One question to one node, no recursion."""
        ...
