"""Webhooks: signed POSTs to a real HTTP receiver, retried with backoff, never duplicated."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from supplymesh.collab import signing, webhooks
from supplymesh.collab.adapters.http import post
from supplymesh.collab.model import WebhookDelivery, WebhookSubscription, backoff_seconds
from supplymesh.platform.db import utcnow
from supplymesh.platform.events import OutboxEvent
from supplymesh.platform.settings import Settings
from supplymesh.platform.uow import Database
from tests.api.helpers import make_tenant


class Receiver:
    """A partner's endpoint on 127.0.0.1 that records what it gets and answers `codes`."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.codes: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers.items()), body))
                code = receiver.codes.pop(0) if receiver.codes else 200
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(b) for _h, b in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


def _deliver(db: Database, settings: Settings) -> int:
    return webhooks.deliver_due(db.factory, settings.signing_key(), post)


def _subscribe(client: TestClient, headers: dict[str, str], url: str, types: list[str]) -> str:
    r = client.post("/api/v1/webhooks", json={"url": url, "event_types": types}, headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["secret"])


SITE = {"code": "P1", "name": "佛山工厂", "kind": "plant"}


def test_event_reaches_the_subscriber_signed(
    db: Database, client: TestClient, settings: Settings, receiver: Receiver
) -> None:
    a = make_tenant(db, client, "ACME")
    secret = _subscribe(client, a.headers, receiver.url, ["SiteCreated"])
    site = client.post("/api/v1/sites", json=SITE, headers=a.headers).json()
    assert _deliver(db, settings) == 1
    [(headers, body)] = receiver.received
    assert signing.verify(secret, headers["X-SupplyMesh-Signature"], body)
    assert not signing.verify(secret, headers["X-SupplyMesh-Signature"], body + b" ")
    doc = json.loads(body)
    assert set(doc) == {"id", "type", "occurred_at", "enterprise_id", "data"}
    assert doc["type"] == "SiteCreated" and doc["enterprise_id"] == a.id
    assert doc["data"]["aggregate_id"] == site["id"] and doc["data"]["name"] == "佛山工厂"
    assert headers["X-SupplyMesh-Event-Id"] == str(doc["id"])
    assert _deliver(db, settings) == 0  # nothing left to send


def test_failed_delivery_is_retried_with_backoff(
    db: Database, client: TestClient, settings: Settings, receiver: Receiver
) -> None:
    a = make_tenant(db, client, "ACME")
    _subscribe(client, a.headers, receiver.url, ["*"])
    receiver.codes = [503]
    client.post("/api/v1/sites", json=SITE, headers=a.headers)
    assert _deliver(db, settings) == 0
    with db.system() as uow:
        [d] = uow.session.scalars(select(WebhookDelivery)).all()
        assert d.status == "pending" and d.attempts == 1 and d.last_status_code == 503
        assert d.next_attempt_at > utcnow() + timedelta(seconds=5)
    assert _deliver(db, settings) == 0  # not due yet
    with db.system() as uow:
        uow.session.execute(update(WebhookDelivery).values(next_attempt_at=utcnow()))
        uow.commit()
    assert _deliver(db, settings) == 1
    ids = [b["id"] for b in receiver.bodies()]
    assert len(ids) == 2 and ids[0] == ids[1]  # the same event id: the receiver deduplicates


def test_an_event_is_queued_once_even_if_dispatched_twice(
    db: Database, client: TestClient, settings: Settings, receiver: Receiver
) -> None:
    a = make_tenant(db, client, "ACME")
    _subscribe(client, a.headers, receiver.url, ["SiteCreated"])
    client.post("/api/v1/sites", json=SITE, headers=a.headers)
    with db.system() as uow:
        event = uow.session.scalars(
            select(OutboxEvent).where(OutboxEvent.type == "SiteCreated")
        ).one()
    assert webhooks.fan_out(db.factory, event) == 0
    assert _deliver(db, settings) == 1 and len(receiver.received) == 1


def test_partner_hears_of_documents_addressed_to_it_and_others_hear_nothing(
    db: Database, client: TestClient, settings: Settings, receiver: Receiver
) -> None:
    a = make_tenant(db, client, "ACME")
    b = make_tenant(db, client, "BETA", ["supplier"])
    c = make_tenant(db, client, "GAMMA", ["retailer"])
    _subscribe(client, b.headers, receiver.url + "/b", ["SharingGrantCreated", "SiteCreated"])
    _subscribe(client, c.headers, receiver.url + "/c", ["*"])
    site = client.post("/api/v1/sites", json=SITE, headers=a.headers).json()
    grant = {"partner_enterprise_id": b.id, "kind": "site", "resource_id": site["id"]}
    assert client.post("/api/v1/sharing-grants", json=grant, headers=a.headers).status_code == 201
    _deliver(db, settings)
    got = receiver.bodies()
    assert [(d["type"], d["enterprise_id"]) for d in got] == [("SharingGrantCreated", b.id)]


def test_secrets_are_encrypted_at_rest_and_never_listed(
    db: Database, client: TestClient, receiver: Receiver
) -> None:
    a = make_tenant(db, client, "ACME")
    secret = _subscribe(client, a.headers, receiver.url, ["*"])
    listed = client.get("/api/v1/webhooks", headers=a.headers).json()
    assert "secret" not in listed[0] and "secret_encrypted" not in listed[0]
    with db.system() as uow:
        sub = uow.session.scalars(select(WebhookSubscription)).one()
        assert secret not in sub.secret_encrypted
    bad = client.post(
        "/api/v1/webhooks", json={"url": "ftp://x", "event_types": ["*"]}, headers=a.headers
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "url"


def test_stale_signatures_are_refused() -> None:
    body = b'{"id":1}'
    header = signing.sign("s3cret", body, timestamp=1_000_000)
    assert signing.verify("s3cret", header, body, now=1_000_100)
    assert not signing.verify("s3cret", header, body, now=1_000_000 + 3600)
    assert not signing.verify("other", header, body, now=1_000_100)
    assert not signing.verify("s3cret", "garbage", body)


def test_backoff_grows_and_is_capped() -> None:
    waits = [backoff_seconds(n) for n in (1, 2, 3, 20)]
    assert 8 <= waits[0] <= 12 and 16 <= waits[1] <= 24 and 32 <= waits[2] <= 48
    assert waits[3] <= 3600 * 1.2
