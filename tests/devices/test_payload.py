"""The contract's topic and payload, checked without I/O."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from supplymesh.devices.payload import Reason, Rejected, encode, parse_payload, parse_topic


def test_topic_names_enterprise_site_device_and_kind() -> None:
    topic = parse_topic("sm/ACME/P1/M-7/status")
    assert (topic.enterprise_code, topic.site_code, topic.device, topic.kind) == (
        "ACME",
        "P1",
        "M-7",
        "status",
    )


@pytest.mark.parametrize(
    "topic", ["sm/ACME/P1/M1", "xx/ACME/P1/M1/telemetry", "sm/ACME/P1/M1/alarm", "sm//P1/M1/status"]
)
def test_other_topics_are_refused(topic: str) -> None:
    with pytest.raises(Rejected) as err:
        parse_topic(topic)
    assert err.value.reason == Reason.BAD_TOPIC


def test_payload_round_trips_with_utc_timestamps() -> None:
    ts = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    msg = parse_payload(encode(ts, 42, {"temp": 41.5, "count": 3}))
    assert (msg.ts, msg.seq, msg.metrics) == (ts, 42, {"temp": 41.5, "count": 3.0})
    offset = parse_payload(b'{"ts": "2026-01-05T16:00:00+08:00", "seq": 1, "metrics": {}}')
    assert offset.ts == ts


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"not json", Reason.NOT_JSON),
        (b"[1, 2]", Reason.BAD_SCHEMA),
        (b'{"ts": "2026-01-05T08:00:00Z", "metrics": {}}', Reason.BAD_SCHEMA),
        (b'{"ts": "2026-01-05T08:00:00Z", "seq": -1, "metrics": {}}', Reason.BAD_SCHEMA),
        (b'{"ts": "2026-01-05T08:00:00Z", "seq": true, "metrics": {}}', Reason.BAD_SCHEMA),
        (b'{"ts": "2026-01-05T08:00:00Z", "seq": 1, "metrics": [1]}', Reason.BAD_SCHEMA),
        (b'{"ts": "2026-01-05T08:00:00Z", "seq": 1, "extra": 1}', Reason.BAD_SCHEMA),
        (b'{"ts": "yesterday", "seq": 1, "metrics": {}}', Reason.BAD_TS),
        (b'{"ts": "2026-01-05T08:00:00", "seq": 1, "metrics": {}}', Reason.BAD_TS),
        (b'{"ts": "2026-01-05T08:00:00Z", "seq": 1, "metrics": {"t": "hot"}}', Reason.NOT_A_NUMBER),
        (b'{"ts": "2026-01-05T08:00:00Z", "seq": 1, "metrics": {"t": NaN}}', Reason.NOT_A_NUMBER),
        (b'{"ts": "2026-01-05T08:00:00Z", "seq": 1, "metrics": {"t": false}}', Reason.NOT_A_NUMBER),
    ],
)
def test_malformed_payloads_are_refused_with_their_reason(raw: bytes, reason: Reason) -> None:
    with pytest.raises(Rejected) as err:
        parse_payload(raw)
    assert err.value.reason == reason


def test_payload_over_the_size_limit_is_refused_before_parsing() -> None:
    big = json.dumps(
        {"ts": "2026-01-05T08:00:00Z", "seq": 1, "metrics": {f"m{i}": i for i in range(100)}}
    ).encode()
    with pytest.raises(Rejected) as err:
        parse_payload(big, limit=len(big) - 1)
    assert err.value.reason == Reason.TOO_LARGE
    assert parse_payload(big, limit=len(big)).seq == 1
