"""Hierarchy files (JSON and YAML) build the embedded resolver; bad files name the problem."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from supplymesh.trace.resolver.config import load_node, load_nodes
from supplymesh.trace.resolver.embedded import embedded_resolver
from tests.support.server import CLI
from tests.trace.resolver.hierarchy import HANDLE, INPROC, SERIAL_DL, hierarchy


def write(path: Path, nodes: list[object]) -> Path:
    if path.suffix == ".yaml":
        path.write_text(yaml.safe_dump({"nodes": nodes}), encoding="utf-8")
    else:
        path.write_text(json.dumps({"nodes": nodes}), encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_embedded_resolver_from_a_hierarchy_file(tmp_path: Path, suffix: str) -> None:
    path = write(tmp_path / f"hierarchy{suffix}", list(hierarchy(INPROC).values()))
    result = embedded_resolver(path).resolve(SERIAL_DL)
    assert result.record.public["serial"] == "S001" and len(result.path) == 4


def test_load_node_picks_the_tier_and_checks_it(tmp_path: Path) -> None:
    path = write(tmp_path / "h.json", list(hierarchy(INPROC).values()))
    assert load_node(path, "secondary").prefixes == (("88", "100"), ("gs1", "952"))
    assert load_node(path, "national", "gs1").tier == "national"
    with pytest.raises(ValueError, match="expected one enterprise node 99, found 0"):
        load_node(path, "enterprise", "99")


def test_grant_secret_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    node = hierarchy(INPROC)["enterprise"] | {"grant_secrets": {"ACME": {"env": "ACME_GRANT"}}}
    path = write(tmp_path / "e.json", [node])
    with pytest.raises(ValueError, match="ACME_GRANT is not set"):
        load_nodes(path)
    monkeypatch.setenv("ACME_GRANT", "x" * 40)
    assert load_nodes(path)[0].node.grant_secrets == {"ACME": "x" * 40}


@pytest.mark.parametrize(
    ("node", "reason"),
    [
        ({"tier": "planet"}, "node tier 'planet'"),
        ({"tier": "national", "prefix": "88", "records": [{"code": "88/x"}]}, "code and an owner"),
        (
            {"tier": "national", "prefix": "88", "records": [{"code": "88/", "owner": "A"}]},
            "suffix",
        ),
    ],
)
def test_bad_files_name_the_problem(tmp_path: Path, node: dict[str, object], reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        load_nodes(write(tmp_path / "bad.json", [node]))


def test_cli_resolves_in_embedded_mode(tmp_path: Path) -> None:
    path = write(tmp_path / "h.json", list(hierarchy(INPROC).values()))
    ok = subprocess.run(
        [CLI, "resolver", "resolve", HANDLE, "--config", str(path), "--json"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    out = json.loads(ok.stdout)
    assert out["record"]["public"]["model"] == "CP-40" and out["path"][0] == INPROC["root"]
    bad = subprocess.run(
        [CLI, "resolver", "resolve", "77.1/X", "--config", str(path), "--json"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert bad.returncode == 1
    assert json.loads(bad.stdout)["kind"] == "not-delegated"
