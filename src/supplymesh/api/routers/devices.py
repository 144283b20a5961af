"""Device credentials, metrics of one device, telemetry queries and refusal counters.

The registry itself (``/api/v1/devices``, ``/api/v1/device-metrics``) is generic CRUD.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from supplymesh.api.deps import UowDep
from supplymesh.devices import credentials, services
from supplymesh.devices.credentials import IssuedCredential
from supplymesh.devices.model import Resolution
from supplymesh.devices.payload import KINDS, topic_for
from supplymesh.devices.ports import BrokerProvisioner
from supplymesh.devices.schemas import DeviceMetricCreate, DeviceMetricPublic, MetricFields
from supplymesh.devices.settings import DeviceSettings
from supplymesh.platform import crud
from supplymesh.platform.types import MAX_INT
from supplymesh.resources import resource_by_name

router = APIRouter(prefix="/api/v1/devices", tags=["devices"])
DeviceId = Annotated[int, Path(ge=1, le=MAX_INT)]
CredentialId = Annotated[int, Path(ge=1, le=MAX_INT)]


class CredentialPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    device_id: int
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


class CredentialIssued(CredentialPublic):
    username: str = Field(description="MQTT user name (the device id)")
    secret: str = Field(description="MQTT password; shown once, only its digest is kept")


class Connection(BaseModel):
    username: str
    topics: dict[str, str]
    max_payload_bytes: int
    payload_example: dict[str, object]


class RejectionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    reason: str
    count: int
    first_at: datetime
    last_at: datetime
    last_detail: str | None


class PointPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    ts: datetime
    value: float
    count: int
    min: float | None
    max: float | None
    sum: float | None
    last: float | None


class SeriesPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    device_id: int
    metric: str
    unit: str | None
    resolution: str
    start: datetime
    end: datetime
    points: list[PointPublic]


def _provisioner(request: Request) -> BrokerProvisioner | None:
    state = request.app.state
    if not hasattr(state, "device_provisioner"):
        from supplymesh.devices.runtime import provisioner

        state.device_provisioner = provisioner()
    found: BrokerProvisioner | None = state.device_provisioner
    return found


def _issued(issued: IssuedCredential) -> CredentialIssued:
    base = CredentialPublic.model_validate(issued.credential)
    return CredentialIssued(**base.model_dump(), username=issued.username, secret=issued.secret)


@router.post("/{device_id}/credentials", response_model=CredentialIssued, status_code=201)
def issue_credential(device_id: DeviceId, uow: UowDep, request: Request) -> CredentialIssued:
    """Give the device its secret (admins only); a device with one must rotate instead."""
    return _issued(services.issue_credential(uow, device_id, _provisioner(request)))


@router.post("/{device_id}/credentials/rotate", response_model=CredentialIssued, status_code=201)
def rotate_credential(device_id: DeviceId, uow: UowDep, request: Request) -> CredentialIssued:
    """Revoke the current secret and issue a new one, atomically."""
    return _issued(services.issue_credential(uow, device_id, _provisioner(request), rotate=True))


@router.get("/{device_id}/credentials", response_model=list[CredentialPublic])
def list_credentials(device_id: DeviceId, uow: UowDep) -> list[CredentialPublic]:
    return [
        CredentialPublic.model_validate(c) for c in credentials.list_credentials(uow, device_id)
    ]


@router.post("/{device_id}/credentials/{credential_id}/revoke", response_model=CredentialPublic)
def revoke_credential(
    device_id: DeviceId, credential_id: CredentialId, uow: UowDep, request: Request
) -> CredentialPublic:
    """The device can no longer connect with this secret."""
    cred = services.revoke_credential(uow, device_id, credential_id, _provisioner(request))
    return CredentialPublic.model_validate(cred)


@router.get("/{device_id}/connection", response_model=Connection)
def connection(device_id: DeviceId, uow: UowDep) -> Connection:
    """How the device connects: user name, its topics, the payload and its size limit."""
    ident = credentials.identity(uow, device_id)
    return Connection(
        username=str(ident.device_id),
        topics={k: topic_for(ident.enterprise_code, ident.site_code, ident.code, k) for k in KINDS},
        max_payload_bytes=DeviceSettings().mqtt_max_payload,
        payload_example={"ts": "2026-01-05T08:00:00+08:00", "seq": 1, "metrics": {"temp": 41.5}},
    )


@router.get("/{device_id}/metrics", response_model=list[DeviceMetricPublic])
def list_metrics(device_id: DeviceId, uow: UowDep) -> list[DeviceMetricPublic]:
    return [DeviceMetricPublic.model_validate(m) for m in services.metrics(uow, device_id)]


@router.post("/{device_id}/metrics", response_model=DeviceMetricPublic, status_code=201)
def add_metric(
    device_id: DeviceId, payload: MetricFields, uow: UowDep, response: Response
) -> DeviceMetricPublic:
    """Register a metric the device reports (same as POST /api/v1/device-metrics)."""
    resource = resource_by_name("device-metrics")
    assert resource is not None
    body = DeviceMetricCreate(device_id=device_id, **payload.model_dump())
    obj = crud.create_object(uow, resource, body)
    uow.commit()
    response.headers["Location"] = f"/api/v1/device-metrics/{obj.id}"
    return DeviceMetricPublic.model_validate(obj)


@router.get("/{device_id}/telemetry", response_model=SeriesPublic)
def telemetry(
    device_id: DeviceId,
    uow: UowDep,
    metric: Annotated[str, Query(min_length=1, max_length=60)],
    start: Annotated[datetime, Query(description="inclusive, RFC 3339 with offset")],
    end: Annotated[datetime, Query(description="exclusive, RFC 3339 with offset")],
    resolution: Literal["raw", "minute", "hour"] = "raw",
    limit: Annotated[int, Query(ge=1, le=services.MAX_POINTS)] = 1000,
) -> SeriesPublic:
    """Readings of one metric: raw samples or minute/hour rollups (count, min, max, sum, last)."""
    found = services.series(uow, device_id, metric, start, end, Resolution(resolution), limit)
    return SeriesPublic.model_validate(found)


@router.get("/{device_id}/rejections", response_model=list[RejectionPublic])
def rejections(device_id: DeviceId, uow: UowDep) -> list[RejectionPublic]:
    """Messages of the device that ingestion refused, counted per reason."""
    return [RejectionPublic.model_validate(r) for r in services.rejections(uow, device_id)]
