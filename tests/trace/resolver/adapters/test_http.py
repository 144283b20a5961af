"""The node app's answers and problems map back onto the resolver's values and errors."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

from supplymesh.trace.ident.model import InvalidCode
from supplymesh.trace.resolver.adapters.app import create_node_app
from supplymesh.trace.resolver.adapters.http import HttpTransport
from supplymesh.trace.resolver.model import (
    NotDelegated,
    Record,
    RecordNotFound,
    Referral,
    ResolverUnavailable,
)
from supplymesh.trace.resolver.node import ResolverNode
from tests.trace.resolver.hierarchy import HANDLE, INPROC

URL = "http://testserver"


@pytest.fixture
def transports(nodes: dict[str, ResolverNode]) -> dict[str, HttpTransport]:
    return {t: HttpTransport(TestClient(create_node_app(n))) for t, n in nodes.items()}


def test_referral_and_record_cross_the_wire(transports: dict[str, HttpTransport]) -> None:
    referral = transports["root"].ask(URL, HANDLE, None)
    assert isinstance(referral, Referral) and referral.delegation.url == INPROC["national"]
    assert referral.delegation.tier == "national" and referral.delegation.ttl_s == 86400
    record = transports["enterprise"].ask(URL, HANDLE, None)
    assert isinstance(record, Record) and record.public["model"] == "CP-40"


def test_problems_map_to_errors(transports: dict[str, HttpTransport]) -> None:
    with pytest.raises(NotDelegated, match="not delegated here"):
        transports["root"].ask(URL, "77.1/X", None)
    with pytest.raises(RecordNotFound):
        transports["enterprise"].ask(URL, "88.100.1/NOPE", None)
    with pytest.raises(InvalidCode, match="empty suffix"):
        transports["root"].ask(URL, "88.100.1/", None)


def test_problem_documents_say_what_is_wrong(nodes: dict[str, ResolverNode]) -> None:
    client = TestClient(create_node_app(nodes["root"]))
    r = client.get("/resolve", params={"code": "77.1/X"})
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["kind"] == "not-delegated" and "77.1" in r.json()["detail"]
    assert client.get("/healthz").json() == {"status": "ok", "tier": "root", "prefix": "root"}


def test_something_that_is_not_a_node_is_unavailable() -> None:
    other = FastAPI()

    @other.get("/resolve")
    def teapot() -> HTMLResponse:
        return HTMLResponse("<html>teapot</html>", status_code=418)

    transport = HttpTransport(TestClient(other))
    with pytest.raises(ResolverUnavailable, match="unreachable"):
        transport.ask(URL, HANDLE, None)
    down = HttpTransport(httpx.Client(timeout=0.5))
    with pytest.raises(ResolverUnavailable, match="unreachable"):
        down.ask("http://127.0.0.1:9", HANDLE, None)
