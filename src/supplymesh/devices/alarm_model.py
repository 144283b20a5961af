"""Alarm rules on live telemetry and the alarms they raise.

A rule names one device, or every device of a kind or with an attribute value; an alarm is
the rule firing on one device. At most one alarm per (device, rule) is open (active or
acknowledged) at a time: repeated fires bump its count instead of flooding people.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from supplymesh.platform.db import Base, BigId, UTCDateTime, Versioned, utcnow
from supplymesh.platform.errors import IllegalTransition
from supplymesh.platform.tenancy import TenantOwned, scoped


class RuleKind(StrEnum):
    THRESHOLD = "threshold"
    RATE = "rate"
    HEARTBEAT = "heartbeat"
    HEALTH = "health"  # model-based: the machine's health index (devices.health) below `low`


class Severity(StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    WARNING = "warning"


class AlarmState(StrEnum):
    ACTIVE = "active"
    ACKNOWLEDGED = "acknowledged"
    CLEARED = "cleared"


#: Cleared is final: a new fire opens a new alarm, the cleared one stays as history.
ALARM_MOVES: dict[str, tuple[str, ...]] = {
    AlarmState.ACTIVE: (AlarmState.ACKNOWLEDGED, AlarmState.CLEARED),
    AlarmState.ACKNOWLEDGED: (AlarmState.CLEARED,),
    AlarmState.CLEARED: (),
}
OPEN_STATES = (AlarmState.ACTIVE.value, AlarmState.ACKNOWLEDGED.value)


@scoped
class AlarmRule(TenantOwned, Base, Versioned):
    """When a device is in trouble: `low`/`high` bound the metric (or its rate per minute);
    `consecutive` samples must breach before it fires; heartbeat rules use `silence_s`."""

    __tablename__ = "alarm_rules"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(20), default=Severity.MAJOR.value)
    device_id: Mapped[int | None] = mapped_column(
        ForeignKey("devices.id", ondelete="CASCADE"), index=True
    )
    device_kind: Mapped[str | None] = mapped_column(String(20))
    attribute_key: Mapped[str | None] = mapped_column(String(60))
    attribute_value: Mapped[str | None] = mapped_column(String(120))
    metric: Mapped[str | None] = mapped_column(String(60))
    low: Mapped[float | None] = mapped_column(Float)
    high: Mapped[float | None] = mapped_column(Float)
    consecutive: Mapped[int] = mapped_column(Integer, default=1)
    window_s: Mapped[int] = mapped_column(Integer, default=60)
    silence_s: Mapped[int] = mapped_column(Integer, default=300)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@scoped
class Alarm(TenantOwned, Base, Versioned):
    """One rule firing on one device, from first fire to clearing; `escalate_to_user_id` is
    the person who must act (异常找人)."""

    __tablename__ = "alarms"
    __table_args__ = (Index("ix_alarms_device_rule_state", "device_id", "rule_id", "state"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    rule_id: Mapped[int] = mapped_column(ForeignKey("alarm_rules.id", ondelete="CASCADE"))
    severity: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default=AlarmState.ACTIVE.value)
    message: Mapped[str] = mapped_column(String(300))
    value: Mapped[float | None] = mapped_column(Float)
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    escalate_to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ack_note: Mapped[str | None] = mapped_column(String(500))
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cleared_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def move_to(self, state: str) -> None:
        """Change the state, or raise `IllegalTransition`."""
        allowed = list(ALARM_MOVES.get(self.state, ()))
        if state not in allowed:
            raise IllegalTransition("alarm", self.state, state, allowed)
        self.state = state
