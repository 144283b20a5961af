"""The embedded default: a whole hierarchy from one file, every tier an object in-process."""

from __future__ import annotations

from pathlib import Path

from supplymesh.trace.resolver.adapters.inprocess import InProcessTransport
from supplymesh.trace.resolver.config import load_nodes
from supplymesh.trace.resolver.recursive import RecursiveResolver


def embedded_resolver(path: Path) -> RecursiveResolver:
    """A recursive resolver over the hierarchy file at `path` (each node needs its ``url``)."""
    specs = load_nodes(path)
    nodes = {}
    for spec in specs:
        if spec.url is None:
            raise ValueError(f"{path}: node {spec.node.name} has no url")
        nodes[spec.url] = spec.node
    roots = [s.url for s in specs if s.node.tier == "root"]
    if len(roots) != 1 or roots[0] is None:
        raise ValueError(f"{path}: expected one root node, found {len(roots)}")
    return RecursiveResolver(InProcessTransport(nodes), roots[0])
