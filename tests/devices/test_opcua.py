"""OPC UA values as contract messages, and the mapping API (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from enum import IntEnum

import pytest
from fastapi.testclient import TestClient

from supplymesh.devices.opcua.convert import (
    NotConvertible,
    Route,
    as_number,
    as_state,
    metric_messages,
    sample_time,
    seq_of,
    state_message,
)
from supplymesh.devices.payload import parse_payload, parse_topic
from supplymesh.devices.store import TelemetryStore
from supplymesh.network.services import create_user
from supplymesh.platform.uow import Database
from tests.api.helpers import make_tenant
from tests.conftest import login
from tests.devices.world import FakeFleet, make_device

ROUTE = Route("ACME", "P1", "M1")
T0 = datetime(2026, 3, 2, 8, 0, 0, 250_000, tzinfo=UTC)


class Mode(IntEnum):
    IDLE = 0
    RUNNING = 1


def test_numbers_booleans_and_enums_convert_and_text_is_refused() -> None:
    assert as_number(7) == 7.0 and as_number(2.5) == 2.5
    assert as_number(True) == 1.0 and as_number(False) == 0.0
    assert as_number(Mode.RUNNING) == 1.0
    for bad in ("12", None, float("nan"), float("inf"), [1]):
        with pytest.raises(NotConvertible):
            as_number(bad)


def test_states_are_names_in_lower_case() -> None:
    assert as_state(" Running ") == "running"
    assert as_state(Mode.IDLE) == "idle"
    assert as_state(3) == "3"
    for bad in ("", "x" * 41, 1.5, True):
        with pytest.raises(NotConvertible):
            as_state(bad)


def test_seq_is_microseconds_of_the_source_time() -> None:
    assert seq_of(datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)) == 1_000_000
    assert seq_of(T0 + timedelta(microseconds=1)) == seq_of(T0) + 1
    naive = T0.replace(tzinfo=None)
    assert seq_of(naive) == seq_of(T0)  # OPC UA DateTime is UTC even when naive


def test_sample_time_prefers_source_then_server_then_arrival() -> None:
    later = T0 + timedelta(seconds=5)
    assert sample_time(T0, later, later) == T0
    assert sample_time(None, later.replace(tzinfo=None), T0) == later
    assert sample_time(None, None, T0) == T0


def test_metrics_sampled_together_become_one_contract_message() -> None:
    t1 = T0 + timedelta(milliseconds=500)
    items = metric_messages(
        ROUTE, [("temp", 40.0, T0), ("vib", 2.0, T0), ("temp", 41.0, t1), ("temp", 40.5, T0)]
    )
    assert [parse_topic(i.topic).kind for i in items] == ["telemetry", "telemetry"]
    first, second = (parse_payload(i.payload) for i in items)
    assert first.metrics == {"temp": 40.5, "vib": 2.0} and first.ts == T0
    assert second.metrics == {"temp": 41.0} and second.seq == seq_of(t1)
    status = state_message(ROUTE, "Fault", T0)
    assert status.topic == "sm/ACME/P1/M1/status"
    assert json.loads(status.payload)["state"] == "fault"


def test_converted_messages_pass_the_store_and_repeats_are_duplicates(db: Database) -> None:
    from supplymesh.network.services import NewEnterprise, register_enterprise

    ent, _ = register_enterprise(
        db, NewEnterprise("ACME", "A", ["manufacturer"], "a.b", "pw-123456")
    )
    from supplymesh.network.model import Site

    with db.unit_of_work(db.context_for(ent.id, None, "admin")) as uow:
        uow.add(Site(code="P1", name="Plant", kind="plant"))
        uow.commit()
    make_device(db, FakeFleet(ent.id, "ACME", "P1"), "M1", ("temp", "vib"))
    store = TelemetryStore(db)
    items = metric_messages(ROUTE, [("temp", 40.0, T0), ("vib", 2.0, T0)])
    first = store.store_batch(items)
    again = store.store_batch(items)  # a server resends initial values after a reconnect
    assert (first.stored_messages, len(first.samples)) == (1, 2)
    assert (again.stored_messages, again.duplicate_messages, len(again.samples)) == (0, 1, 0)


def _setup(client: TestClient, db: Database) -> tuple[dict[str, str], int]:
    acme = make_tenant(db, client, "ACME")
    r = client.post(
        "/api/v1/sites", headers=acme.headers, json={"code": "P1", "name": "Plant", "kind": "plant"}
    )
    assert r.status_code == 201, r.text
    key = make_device(db, FakeFleet(acme.id, "ACME", "P1"), "M1", ("temperature", "vibration"))
    return acme.headers, key.device_id


def test_mapping_round_trip_keeps_password_secret(client: TestClient, db: Database) -> None:
    headers, device_id = _setup(client, db)
    url = f"/api/v1/devices/{device_id}/opcua"
    assert client.get(url, headers=headers).status_code == 404
    body = {
        "endpoint_url": "opc.tcp://127.0.0.1:4840/sim",
        "nodes": {"temperature": "ns=2;s=SIM-001.Temperature", "vibration": "ns=2;i=1001"},
        "state_node": "ns=2;s=SIM-001.State",
        "username": "operator",
        "password": "s3cret-pw",
        "sampling_interval_ms": 250,
    }
    r = client.put(url, headers=headers, json=body)
    assert r.status_code == 200, r.text
    got = client.get(url, headers=headers).json()
    assert got["has_password"] is True and "password" not in got
    assert got["link_state"] == "pending" and got["nodes"] == body["nodes"]
    assert "s3cret" not in json.dumps(got)
    # Changing the nodes without a password keeps the stored one.
    r = client.put(
        url,
        headers=headers,
        json={**body, "password": None, "nodes": {"temperature": "ns=2;s=SIM-001.Temperature"}},
    )
    assert r.status_code == 200 and r.json()["has_password"] is True
    assert r.json()["version"] == got["version"] + 1
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=headers).status_code == 404


BAD_MAPPINGS: list[tuple[dict[str, object], str]] = [
    ({"endpoint_url": "http://x:1"}, "http://x:1"),
    ({"nodes": {"temperature": "not a node id"}}, "not a node id"),
    ({"nodes": {"pressure": "ns=2;i=5"}}, "pressure"),
    ({"security_policy": "Basic256Sha256"}, "SignAndEncrypt"),
    ({"security_policy": "Basic256Sha256", "security_mode": "Sign"}, "certificate"),
    ({"password": "x"}, "user name"),
    ({"sampling_interval_ms": 1}, "sampling_interval_ms"),
]


def test_bad_mappings_are_refused_naming_the_value(client: TestClient, db: Database) -> None:
    headers, device_id = _setup(client, db)
    url = f"/api/v1/devices/{device_id}/opcua"
    for change, named in BAD_MAPPINGS:
        body = {"endpoint_url": "opc.tcp://h:4840", "nodes": {"temperature": "ns=2;i=7"}, **change}
        r = client.put(url, headers=headers, json=body)
        assert r.status_code in (400, 422), (change, r.text)
        assert named in r.text, (change, r.text)
    assert client.get(url, headers=headers).status_code == 404  # nothing was stored


def test_only_admins_map_and_other_tenants_see_nothing(client: TestClient, db: Database) -> None:
    headers, device_id = _setup(client, db)
    other = make_tenant(db, client, "OTHER")
    url = f"/api/v1/devices/{device_id}/opcua"
    body = {"endpoint_url": "opc.tcp://h:4840", "nodes": {"temperature": "ns=2;i=7"}}
    assert client.put(url, headers=other.headers, json=body).status_code == 404
    assert client.put(url, json=body).status_code == 401
    from supplymesh.network.model import Enterprise

    with db.system() as uow:
        ent_id = uow.session.query(Enterprise.id).filter(Enterprise.code == "ACME").scalar()
    with db.unit_of_work(db.context_for(ent_id, None, "admin")) as uow:
        create_user(uow, "acme.op", "Operator", "operator-pass-1", "operator")
        uow.commit()
    operator = login(client, "acme.op", "operator-pass-1")
    assert client.put(url, headers=operator, json=body).status_code == 403
    assert client.put(url, headers=headers, json=body).status_code == 200
    assert client.get(url, headers=other.headers).status_code == 404
