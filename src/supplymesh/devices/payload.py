"""The MQTT topic scheme and payload of the contracts file, parsed and checked without I/O.

Topic ``sm/{enterprise_code}/{site_code}/{device}/{telemetry|status|heartbeat}`` where
``device`` is the device's code or numeric id; payload
``{"ts": RFC 3339, "seq": int, "metrics": {name: number}}`` (status messages may add
``"state": "running"``). Anything else is refused with one of the `Reason`s.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

TOPIC_ROOT = "sm"
KINDS = ("telemetry", "status", "heartbeat")
MAX_PAYLOAD_BYTES = 16 * 1024
MAX_METRICS = 200
MAX_SEQ = 2**63 - 1


class Reason(StrEnum):
    """Why a message was refused (the key of the per-device counters)."""

    BAD_TOPIC = "bad_topic"
    UNKNOWN_DEVICE = "unknown_device"
    TOPIC_MISMATCH = "topic_mismatch"
    DEVICE_INACTIVE = "device_inactive"
    TOO_LARGE = "too_large"
    NOT_JSON = "not_json"
    BAD_SCHEMA = "bad_schema"
    BAD_TS = "bad_ts"
    UNKNOWN_METRIC = "unknown_metric"
    NOT_A_NUMBER = "not_a_number"


class Rejected(Exception):
    """A message that cannot be stored, with the reason counted and a short detail."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail[:300]


@dataclass(frozen=True)
class Topic:
    enterprise_code: str
    site_code: str
    device: str
    kind: str


@dataclass(frozen=True)
class Message:
    """A checked payload: when it was measured, the device's sequence number, the values."""

    ts: datetime
    seq: int
    metrics: dict[str, float]
    state: str | None = None


def topic_for(enterprise_code: str, site_code: str, device: str, kind: str) -> str:
    return f"{TOPIC_ROOT}/{enterprise_code}/{site_code}/{device}/{kind}"


def parse_topic(topic: str) -> Topic:
    parts = topic.split("/")
    if len(parts) != 5 or parts[0] != TOPIC_ROOT or parts[4] not in KINDS or not all(parts):
        raise Rejected(Reason.BAD_TOPIC, f"topic {topic!r} is not sm/ENT/SITE/DEVICE/KIND")
    return Topic(parts[1], parts[2], parts[3], parts[4])


def parse_payload(raw: bytes, limit: int = MAX_PAYLOAD_BYTES) -> Message:
    """Check size, JSON shape, timestamp, sequence number and that every value is a number."""
    if len(raw) > limit:
        raise Rejected(Reason.TOO_LARGE, f"{len(raw)} bytes, the limit is {limit}")
    try:
        data: Any = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise Rejected(Reason.NOT_JSON, str(exc)) from exc
    if not isinstance(data, dict):
        raise Rejected(Reason.BAD_SCHEMA, "payload must be a JSON object")
    extra = set(data) - {"ts", "seq", "metrics", "state"}
    if extra:
        raise Rejected(Reason.BAD_SCHEMA, f"unknown fields {sorted(extra)}")
    seq = data.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq <= MAX_SEQ:
        raise Rejected(Reason.BAD_SCHEMA, f"seq must be a non-negative integer, got {seq!r}")
    ts = _parse_ts(data.get("ts"))
    metrics = data.get("metrics", {})
    if not isinstance(metrics, dict):
        raise Rejected(Reason.BAD_SCHEMA, "metrics must be an object of name: number")
    if len(metrics) > MAX_METRICS:
        raise Rejected(Reason.BAD_SCHEMA, f"{len(metrics)} metrics, at most {MAX_METRICS}")
    values: dict[str, float] = {}
    for name, value in metrics.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Rejected(Reason.NOT_A_NUMBER, f"metric {name!r} is {value!r}")
        number = float(value)
        if not math.isfinite(number):
            raise Rejected(Reason.NOT_A_NUMBER, f"metric {name!r} is {value!r}")
        values[str(name)] = number
    state = data.get("state")
    if state is not None and (not isinstance(state, str) or not 0 < len(state) <= 40):
        raise Rejected(Reason.BAD_SCHEMA, f"state must be a short string, got {state!r}")
    return Message(ts, seq, values, state)


def _parse_ts(value: Any) -> datetime:
    if not isinstance(value, str):
        raise Rejected(Reason.BAD_TS, f"ts must be an RFC 3339 string, got {value!r}")
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise Rejected(Reason.BAD_TS, f"ts {value!r} is not RFC 3339") from exc
    if ts.tzinfo is None:
        raise Rejected(Reason.BAD_TS, f"ts {value!r} has no time zone offset")
    return ts.astimezone(UTC)


def encode(ts: datetime, seq: int, metrics: dict[str, float], state: str | None = None) -> bytes:
    """A payload in the contract's form (what devices and the simulator send)."""
    body: dict[str, Any] = {"ts": ts.astimezone(UTC).isoformat(), "seq": seq, "metrics": metrics}
    if state is not None:
        body["state"] = state
    return json.dumps(body, separators=(",", ":")).encode()
