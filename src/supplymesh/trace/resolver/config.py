"""Registry data of resolver nodes from JSON or YAML files.

A node file is one object::

    {"tier": "secondary", "prefixes": ["88.100", "gs1.952"], "url": "http://…",  # or "prefix"
     "delegations": [{"prefix": "88.100.1", "url": "http://…", "ttl_s": 3600}],
     "records": [{"code": "88.100.1/ABC", "owner": "ACME", "public": {…}, "partner": {…},
                  "grants": ["BETA"], "data_url": "…", "resolver_url": "…", "ttl_s": 300}],
     "grant_secrets": {"ACME": "…32+ bytes…" | {"env": "ACME_GRANT_SECRET"}}}

A hierarchy file is ``{"nodes": [node, …]}`` with a ``url`` on each node (``inproc://…`` for the
embedded mode). A delegation's tier defaults to the tier below the node's.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from supplymesh.trace.ident.model import InvalidCode
from supplymesh.trace.resolver.model import TIERS, Delegation, Record, Tier, labels_of
from supplymesh.trace.resolver.names import code_name
from supplymesh.trace.resolver.node import ResolverNode


@dataclass(frozen=True)
class NodeSpec:
    """A node read from a file, with the URL it is reached at (if the file says)."""

    url: str | None
    node: ResolverNode


def read_document(path: Path) -> dict[str, Any]:
    """Load a JSON or YAML (by suffix) file holding one object."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml  # type: ignore[import-untyped]

        data = yaml.safe_load(text)
    else:
        data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected an object at the top level")
    return cast(dict[str, Any], data)


def node_from_dict(data: dict[str, Any]) -> NodeSpec:
    """Build one node; raises `ValueError` naming the bad field."""
    tier = data.get("tier")
    if tier not in TIERS:
        raise ValueError(f"node tier {tier!r} is not one of {', '.join(TIERS)}")
    tier = cast(Tier, tier)
    below = TIERS[min(TIERS.index(tier) + 1, len(TIERS) - 1)]
    delegations = [
        Delegation(
            prefix=labels_of(str(d["prefix"])),
            url=str(d["url"]),
            tier=cast(Tier, d.get("tier", below)),
            ttl_s=float(d.get("ttl_s", 3600)),
        )
        for d in data.get("delegations", [])
    ]
    for d in delegations:
        if d.tier not in TIERS:
            raise ValueError(f"delegation {'.'.join(d.prefix)}: unknown tier {d.tier!r}")
    records = [_record(r) for r in data.get("records", [])]
    secrets = {str(k): _secret(str(k), v) for k, v in data.get("grant_secrets", {}).items()}
    prefixes = data.get("prefixes", [data.get("prefix", "")])
    if not isinstance(prefixes, list):
        raise ValueError(f"node prefixes must be a list, not {prefixes!r}")
    node = ResolverNode(
        tier,
        [labels_of(str(p)) for p in prefixes],
        delegations=delegations,
        records=records,
        grant_secrets=secrets,
    )
    url = data.get("url")
    return NodeSpec(url=None if url is None else str(url), node=node)


def _record(r: dict[str, Any]) -> Record:
    if "code" not in r or "owner" not in r:
        raise ValueError(f"record needs a code and an owner: {r!r}")
    try:
        key = code_name(str(r["code"])).keys[0]
    except InvalidCode as exc:
        raise ValueError(f"record {r['code']!r}: {exc.message}") from exc
    return Record(
        key=key,
        owner=str(r["owner"]),
        public={str(k): str(v) for k, v in r.get("public", {}).items()},
        partner={str(k): str(v) for k, v in r.get("partner", {}).items()},
        grants=frozenset(str(g) for g in r.get("grants", [])),
        data_url=r.get("data_url"),
        resolver_url=r.get("resolver_url"),
        ttl_s=float(r.get("ttl_s", 300)),
    )


def _secret(owner: str, value: object) -> str:
    if isinstance(value, dict) and "env" in value:
        env = str(value["env"])
        if env not in os.environ:
            raise ValueError(f"grant secret of {owner}: environment variable {env} is not set")
        return os.environ[env]
    if not isinstance(value, str):
        raise ValueError(f"grant secret of {owner} must be a string or {{'env': NAME}}")
    return value


def load_nodes(path: Path) -> list[NodeSpec]:
    """Every node in a node file or a hierarchy file."""
    data = read_document(path)
    raw = data.get("nodes", [data])
    if not isinstance(raw, list):
        raise ValueError(f"{path}: 'nodes' must be a list")
    return [node_from_dict(n) for n in raw]


def load_node(path: Path, tier: Tier, prefix: str | None = None) -> ResolverNode:
    """The one node of `tier` (and `prefix`, when the file holds several of that tier)."""
    found = [
        s.node
        for s in load_nodes(path)
        if s.node.tier == tier and (prefix is None or labels_of(prefix) in s.node.prefixes)
    ]
    if len(found) != 1:
        what = f"{tier} node" + (f" {prefix}" if prefix else "")
        raise ValueError(f"{path}: expected one {what}, found {len(found)}")
    return found[0]
