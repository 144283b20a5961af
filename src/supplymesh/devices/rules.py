"""Pure rule evaluation: does a value, a rate or a silence breach a rule?

No database here: the alarm engine feeds samples in and acts on the verdicts, so the
arithmetic is testable on its own and cheap enough to run on every stored batch.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class RuleSpec:
    """What the engine needs of a rule (a snapshot, so the cache holds no ORM rows)."""

    id: int
    enterprise_id: int
    name: str
    kind: str
    severity: str
    metric: str | None
    low: float | None
    high: float | None
    consecutive: int = 1
    window_s: int = 60
    silence_s: int = 300
    device_id: int | None = None
    device_kind: str | None = None
    attribute_key: str | None = None
    attribute_value: str | None = None

    def applies_to(self, device_id: int, kind: str, attributes: dict[str, Any]) -> bool:
        if self.device_id is not None and self.device_id != device_id:
            return False
        if self.device_kind is not None and self.device_kind != kind:
            return False
        if self.attribute_key is not None:
            return str(attributes.get(self.attribute_key)) == str(self.attribute_value)
        return True


def out_of_bounds(value: float, low: float | None, high: float | None) -> bool:
    """Above `high`, below `low`, or outside [low, high] when both are set."""
    return (high is not None and value > high) or (low is not None and value < low)


@dataclass(frozen=True)
class Verdict:
    """`breached` with the value that decided it; None from a tracker means "no change yet"."""

    breached: bool
    value: float


@dataclass
class ThresholdTracker:
    """Counts consecutive breaching samples so a single spike does not page anyone."""

    consecutive: int = 1
    run: int = 0

    def feed(self, value: float, low: float | None, high: float | None) -> Verdict:
        self.run = self.run + 1 if out_of_bounds(value, low, high) else 0
        return Verdict(self.run >= self.consecutive, value)


@dataclass
class RateTracker:
    """Change per minute between the oldest and newest sample within `window_s`."""

    window_s: int = 60
    points: deque[tuple[datetime, float]] = field(default_factory=deque)

    def feed(self, ts: datetime, value: float, low: float | None, high: float | None) -> Verdict:
        self.points.append((ts, value))
        while len(self.points) > 2 and (ts - self.points[0][0]).total_seconds() > self.window_s:
            self.points.popleft()
        first_ts, first_value = self.points[0]
        minutes = (ts - first_ts).total_seconds() / 60.0
        if minutes <= 0:
            return Verdict(False, 0.0)
        rate = (value - first_value) / minutes
        return Verdict(out_of_bounds(rate, low, high), rate)


def silent(last_seen: datetime | None, since: datetime, now: datetime, silence_s: int) -> bool:
    """No message for `silence_s` (counting from `since` for a device never heard from)."""
    reference = last_seen or since
    return (now - reference).total_seconds() > silence_s
