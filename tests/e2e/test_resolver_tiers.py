"""The four resolver tiers as separate `supplymesh resolver serve` processes on loopback ports."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from supplymesh.trace.ident.model import InvalidCode
from supplymesh.trace.resolver.adapters.http import HttpTransport
from supplymesh.trace.resolver.grants import issue_token
from supplymesh.trace.resolver.model import CredentialRefused, NotDelegated, RecordNotFound
from supplymesh.trace.resolver.recursive import RecursiveResolver
from tests.support.server import CLI, free_port
from tests.trace.resolver.hierarchy import HANDLE, SECRET, SERIAL_DL, hierarchy

TIERS = ("root", "national", "secondary", "enterprise")


@pytest.fixture(scope="module")
def tiers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    home = tmp_path_factory.mktemp("resolver")
    urls = {t: f"http://127.0.0.1:{free_port()}" for t in TIERS}
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for tier, node in hierarchy(urls).items():
            config = home / f"{tier}.json"
            config.write_text(json.dumps(node), encoding="utf-8")
            port = urls[tier].rsplit(":", 1)[1]
            with (home / f"{tier}.log").open("wb") as log:
                procs.append(
                    subprocess.Popen(
                        [CLI, "resolver", "serve", "--tier", tier, "--config", str(config),
                         "--host", "127.0.0.1", "--port", port],
                        stdout=log, stderr=subprocess.STDOUT,
                    )
                )  # fmt: skip
        for tier, proc in zip(TIERS, procs, strict=True):
            _wait_healthy(urls[tier], proc, home / f"{tier}.log")
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=10)


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"resolver node exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise TimeoutError(f"resolver node at {url} did not start: {log.read_text()[-2000:]}")


@pytest.mark.parametrize("code", [HANDLE, SERIAL_DL])
def test_resolves_through_four_processes_cold_then_warm(tiers: dict[str, str], code: str) -> None:
    transport = HttpTransport()
    resolver = RecursiveResolver(transport, tiers["root"])
    try:
        cold = resolver.resolve(code)
        assert cold.path == tuple(tiers[t] for t in TIERS)
        assert cold.record.owner == "ACME" and cold.record.partner is None
        warm = resolver.resolve(code)
        assert warm.cached and warm.record == cold.record and resolver.questions == 4
    finally:
        transport.close()


def test_errors_and_grants_cross_the_wire(tiers: dict[str, str]) -> None:
    transport = HttpTransport()
    resolver = RecursiveResolver(transport, tiers["root"])
    try:
        with pytest.raises(NotDelegated, match="not delegated here"):
            resolver.resolve("77.1/X")
        with pytest.raises(RecordNotFound, match=r"no record for 88\.100\.1/NOPE"):
            resolver.resolve("88.100.1/NOPE")
        with pytest.raises(InvalidCode, match="empty suffix"):
            transport.ask(tiers["root"], "88.100.1/", None)
        token = issue_token("ACME", "BETA", SECRET, time.time() + 600)
        assert resolver.resolve(HANDLE, token).record.partner == {
            "batch": "L2026-11",
            "unit_cost": "1280.00",
        }
        forged = issue_token("ACME", "BETA", "forger-secret-long-enough-0123456789ab", 2e9)
        with pytest.raises(CredentialRefused, match="Signature verification failed"):
            resolver.resolve(HANDLE, forged)
    finally:
        transport.close()


def test_cli_resolves_over_http(tiers: dict[str, str]) -> None:
    done = subprocess.run(
        [CLI, "resolver", "resolve", SERIAL_DL, "--root", tiers["root"], "--json"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["record"]["public"]["serial"] == "S001" and len(out["path"]) == 4
