"""Alarm rules, alarms and their live feed (Server-Sent Events)."""

from __future__ import annotations

import asyncio
import json
import queue
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select

from supplymesh.api.deps import PrincipalDep, UowDep
from supplymesh.devices import alarms
from supplymesh.devices.alarm_model import Alarm, AlarmRule, RuleKind, Severity
from supplymesh.devices.model import Device
from supplymesh.platform.errors import NotFound, StaleVersion, invalid
from supplymesh.platform.types import MAX_INT

router = APIRouter(tags=["alarms"])
ObjectId = Annotated[int, Path(ge=1, le=MAX_INT)]


class RuleIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    kind: RuleKind
    severity: Severity = Severity.MAJOR
    device_id: int | None = Field(default=None, ge=1, le=MAX_INT)
    device_kind: str | None = Field(default=None, max_length=20)
    attribute_key: str | None = Field(default=None, max_length=60)
    attribute_value: str | None = Field(default=None, max_length=120)
    metric: str | None = Field(default=None, max_length=60)
    low: float | None = None
    high: float | None = None
    consecutive: int = Field(default=1, ge=1, le=10_000)
    window_s: int = Field(default=60, ge=1, le=86_400)
    silence_s: int = Field(default=300, ge=1, le=30 * 86_400)
    enabled: bool = True

    @model_validator(mode="after")
    def _complete(self) -> RuleIn:
        if self.kind == RuleKind.HEALTH:
            if self.low is None or not 0 < self.low <= 100:
                raise ValueError("a health rule needs low: the health index (0-100] to stay above")
        elif self.kind != RuleKind.HEARTBEAT:
            if not self.metric:
                raise ValueError(f"a {self.kind.value} rule needs a metric")
            if self.low is None and self.high is None:
                raise ValueError(f"a {self.kind.value} rule needs low, high or both")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low {self.low} is above high {self.high}")
        return self


class RulePublic(RuleIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    created_at: datetime


class AlarmPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    device_id: int
    rule_id: int
    severity: str
    state: str
    message: str
    value: float | None
    count: int
    first_at: datetime
    last_seen_at: datetime
    escalate_to_user_id: int | None
    acknowledged_by: int | None
    acknowledged_at: datetime | None
    ack_note: str | None
    cleared_at: datetime | None
    cleared_by: int | None


class AckIn(BaseModel):
    version: int | None = Field(default=None, ge=1)
    note: str | None = Field(default=None, max_length=500)


class ClearIn(BaseModel):
    version: int | None = Field(default=None, ge=1)


@router.post("/api/v1/alarm-rules", response_model=RulePublic, status_code=201)
def create_rule(body: RuleIn, uow: UowDep) -> RulePublic:
    if body.device_id is not None and uow.session.get(Device, body.device_id) is None:
        raise invalid("device_id", f"no device {body.device_id}")
    rule = AlarmRule(enterprise_id=uow.ctx.enterprise_id, **body.model_dump(mode="json"))
    uow.add(rule)
    uow.commit()
    alarms.rules_changed(rule.enterprise_id)
    return RulePublic.model_validate(rule)


@router.get("/api/v1/alarm-rules", response_model=list[RulePublic])
def list_rules(uow: UowDep) -> list[RulePublic]:
    rules = uow.session.scalars(
        select(AlarmRule)
        .where(AlarmRule.enterprise_id == uow.ctx.enterprise_id)
        .order_by(AlarmRule.id)
    )
    return [RulePublic.model_validate(r) for r in rules]


class RuleUpdate(RuleIn):
    version: int = Field(ge=1)


@router.put("/api/v1/alarm-rules/{rule_id}", response_model=RulePublic)
def update_rule(rule_id: ObjectId, body: RuleUpdate, uow: UowDep) -> RulePublic:
    """Replace a rule's settings at the version the caller saw (409 when stale)."""
    rule = uow.session.get(AlarmRule, rule_id)
    if rule is None:
        raise NotFound("AlarmRule", rule_id)
    if body.version != rule.version:
        raise StaleVersion("AlarmRule", rule_id, body.version, rule.version)
    if body.device_id is not None and uow.session.get(Device, body.device_id) is None:
        raise invalid("device_id", f"no device {body.device_id}")
    for name, value in body.model_dump(mode="json", exclude={"version"}).items():
        setattr(rule, name, value)
    uow.commit()
    alarms.rules_changed(rule.enterprise_id)
    return RulePublic.model_validate(rule)


@router.delete("/api/v1/alarm-rules/{rule_id}", status_code=204)
def delete_rule(rule_id: ObjectId, uow: UowDep) -> Response:
    rule = uow.session.get(AlarmRule, rule_id)
    if rule is None:
        raise NotFound("AlarmRule", rule_id)
    uow.session.delete(rule)
    uow.commit()
    alarms.rules_changed(rule.enterprise_id)
    return Response(status_code=204)


@router.get("/api/v1/alarms", response_model=list[AlarmPublic])
def list_alarms(
    uow: UowDep,
    state: Literal["active", "acknowledged", "cleared"] | None = None,
    severity: Severity | None = None,
    device_id: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AlarmPublic]:
    query = select(Alarm).order_by(Alarm.last_seen_at.desc(), Alarm.id.desc()).limit(limit)
    if state is not None:
        query = query.where(Alarm.state == state)
    if severity is not None:
        query = query.where(Alarm.severity == severity.value)
    if device_id is not None:
        query = query.where(Alarm.device_id == device_id)
    return [AlarmPublic.model_validate(a) for a in uow.session.scalars(query)]


@router.get("/api/v1/alarms/stream")
async def stream(
    request: Request,
    principal: PrincipalDep,
    max_events: Annotated[int | None, Query(ge=1, le=10_000)] = None,
    keepalive_s: Annotated[float, Query(ge=0.1, le=300)] = 15.0,
) -> StreamingResponse:
    """Alarm created/acknowledged/cleared events of the caller's enterprise, as SSE;
    `max_events` ends the stream after that many (for scripts and tests)."""
    feed = alarms.FEED
    enterprise_id = principal.enterprise_id
    inbox = feed.subscribe(enterprise_id)

    async def events() -> AsyncIterator[str]:
        sent = 0
        last = time.monotonic()
        try:
            yield ": connected\n\n"
            while max_events is None or sent < max_events:
                try:
                    event = inbox.get_nowait()
                except queue.Empty:
                    if await request.is_disconnected():
                        return
                    if time.monotonic() - last > keepalive_s:
                        last = time.monotonic()
                        yield ": keepalive\n\n"
                    await asyncio.sleep(0.05)
                    continue
                sent += 1
                yield f"event: alarm.{event['event']}\ndata: {json.dumps(event)}\n\n"
        finally:
            feed.unsubscribe(enterprise_id, inbox)

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )


@router.get("/api/v1/alarms/{alarm_id}", response_model=AlarmPublic)
def get_alarm(alarm_id: ObjectId, uow: UowDep) -> AlarmPublic:
    return AlarmPublic.model_validate(alarms.visible_alarm(uow, alarm_id, None))


@router.post("/api/v1/alarms/{alarm_id}/acknowledge", response_model=AlarmPublic)
def acknowledge(alarm_id: ObjectId, body: AckIn, uow: UowDep) -> AlarmPublic:
    return AlarmPublic.model_validate(alarms.acknowledge(uow, alarm_id, body.version, body.note))


@router.post("/api/v1/alarms/{alarm_id}/clear", response_model=AlarmPublic)
def clear(alarm_id: ObjectId, body: ClearIn, uow: UowDep) -> AlarmPublic:
    return AlarmPublic.model_validate(alarms.clear(uow, alarm_id, body.version))
