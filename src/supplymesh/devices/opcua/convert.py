"""OPC UA data changes as the MQTT contract's messages, so one ingestion path serves both.

A data change becomes an `Incoming` on the device's own topic with the contract's payload;
its ``seq`` is the value's source timestamp in microseconds. The store deduplicates on
(device, seq, metric), so the initial values a server sends again after every reconnect
are stored once, and two metrics sampled at the same instant do not collide.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from supplymesh.devices.payload import encode, topic_for
from supplymesh.devices.store import Incoming

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Route:
    """Where a device's converted messages go (its contract topics)."""

    enterprise_code: str
    site_code: str
    device_code: str

    def topic(self, kind: str) -> str:
        return topic_for(self.enterprise_code, self.site_code, self.device_code, kind)


class NotConvertible(ValueError):
    """A node value that is neither a number nor (on the state node) a state name."""


def as_number(value: Any) -> float:
    """Numbers, booleans (1/0) and numeric enums as a float; anything else is refused."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        number = float(value)
        if math.isfinite(number):
            return number
    raise NotConvertible(f"value {value!r} is not a finite number")


def as_state(value: Any) -> str:
    """A state name: strings as they are (trimmed, lower case), enumerations by name."""
    if isinstance(value, Enum):
        return value.name.lower()
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise NotConvertible(f"state {value!r} is not a name or a number")
    text = str(value).strip().lower()
    if not 0 < len(text) <= 40:
        raise NotConvertible(f"state {value!r} is empty or longer than 40 characters")
    return text


def seq_of(ts: datetime) -> int:
    """Microseconds since 1970 (UTC): unique per sample time, growing with time."""
    moment = ts if ts.tzinfo is not None else ts.replace(tzinfo=UTC)
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def sample_time(source: datetime | None, server: datetime | None, now: datetime) -> datetime:
    """The source timestamp if the server gave one, else the server's, else arrival time."""
    chosen = source or server or now
    return chosen if chosen.tzinfo is not None else chosen.replace(tzinfo=UTC)


def metric_messages(route: Route, readings: list[tuple[str, float, datetime]]) -> list[Incoming]:
    """Telemetry messages, one per sample time with every metric sampled then (the store
    counts duplicates per (device, seq), so one instant must be one message)."""
    by_time: dict[datetime, dict[str, float]] = {}
    for metric, value, ts in readings:
        by_time.setdefault(ts, {})[metric] = value
    return [
        Incoming(route.topic("telemetry"), encode(ts, seq_of(ts), metrics))
        for ts, metrics in sorted(by_time.items())
    ]


def state_message(route: Route, value: Any, ts: datetime) -> Incoming:
    """A status message reporting the machine's state."""
    return Incoming(route.topic("status"), encode(ts, seq_of(ts), {}, as_state(value)))
