"""A device's OPC UA mapping and link state; health index of machines and of a site."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from supplymesh.api.deps import UowDep
from supplymesh.devices import health as health_service
from supplymesh.devices.health import DeviceHealth
from supplymesh.devices.opcua import services
from supplymesh.devices.opcua.model import OpcuaMapping, SecurityMode, SecurityPolicy
from supplymesh.platform.types import MAX_INT

router = APIRouter(tags=["devices"])
DeviceId = Annotated[int, Path(ge=1, le=MAX_INT)]
SiteId = Annotated[int, Path(ge=1, le=MAX_INT)]
LookbackHours = Annotated[float, Query(gt=0, le=24 * 31, description="history to use, hours")]


class OpcuaMappingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    endpoint_url: str = Field(max_length=300, examples=["opc.tcp://10.0.0.5:4840/machine"])
    nodes: dict[str, str] = Field(description="metric name -> node id (ns=2;s=M1.Temperature)")
    state_node: str | None = Field(default=None, max_length=300)
    sampling_interval_ms: int = Field(default=500, ge=10, le=3_600_000)
    security_policy: SecurityPolicy = SecurityPolicy.NONE
    security_mode: SecurityMode = SecurityMode.NONE
    username: str | None = Field(default=None, max_length=120)
    password: str | None = Field(
        default=None, max_length=200, description="write only; omit to keep the stored one"
    )
    certificate_path: str | None = Field(default=None, max_length=300)
    private_key_path: str | None = Field(default=None, max_length=300)
    enabled: bool = True


class OpcuaMappingPublic(BaseModel):
    device_id: int
    endpoint_url: str
    nodes: dict[str, str]
    state_node: str | None
    sampling_interval_ms: int
    security_policy: str
    security_mode: str
    username: str | None
    has_password: bool
    certificate_path: str | None
    private_key_path: str | None
    enabled: bool
    link_state: str = Field(description="pending, connected, mapping_error, lost or disabled")
    link_detail: str | None
    link_at: datetime | None
    version: int

    @classmethod
    def of(cls, m: OpcuaMapping) -> OpcuaMappingPublic:
        return cls(
            device_id=m.device_id,
            endpoint_url=m.endpoint_url,
            nodes={str(k): str(v) for k, v in (m.nodes or {}).items()},
            state_node=m.state_node,
            sampling_interval_ms=m.sampling_interval_ms,
            security_policy=m.security_policy,
            security_mode=m.security_mode,
            username=m.username,
            has_password=bool(m.password),
            certificate_path=m.certificate_path,
            private_key_path=m.private_key_path,
            enabled=m.enabled,
            link_state=m.link_state,
            link_detail=m.link_detail,
            link_at=m.link_at,
            version=m.version,
        )


class SensorHealthPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    health: float
    level: float
    limit: float
    slope_per_h: float | None
    rul_h: float | None
    rul_low_h: float | None
    rul_high_h: float | None
    points: int


class HealthPublic(BaseModel):
    device_id: int
    code: str
    state: str | None
    at: datetime
    health: float | None = Field(description="0 (at the limit) to 100; null without data")
    rul_h: float | None = Field(
        description="hours until the first sensor reaches its limit; null: no rising trend"
    )
    rul_low_h: float | None = Field(description="95% band, conservative")
    rul_high_h: float | None
    limiting: str | None
    sensors: list[SensorHealthPublic]

    @classmethod
    def of(cls, h: DeviceHealth) -> HealthPublic:
        r = h.result
        return cls(
            device_id=h.device_id,
            code=h.code,
            state=h.state,
            at=h.at,
            health=r.health,
            rul_h=r.rul_h,
            rul_low_h=r.rul_low_h,
            rul_high_h=r.rul_high_h,
            limiting=r.limiting,
            sensors=[SensorHealthPublic.model_validate(s) for s in r.sensors],
        )


@router.put("/api/v1/devices/{device_id}/opcua", response_model=OpcuaMappingPublic)
def put_opcua(device_id: DeviceId, body: OpcuaMappingIn, uow: UowDep) -> OpcuaMappingPublic:
    """Create or replace where the machine is read from (admins); the connector of the
    running server picks it up within seconds."""
    change = services.MappingChange(**body.model_dump(mode="json"))
    mapping = services.put(uow, device_id, change)
    uow.commit()
    return OpcuaMappingPublic.of(mapping)


@router.get("/api/v1/devices/{device_id}/opcua", response_model=OpcuaMappingPublic)
def get_opcua(device_id: DeviceId, uow: UowDep) -> OpcuaMappingPublic:
    """The mapping and what the connector last saw (connected, lost, mapping errors)."""
    return OpcuaMappingPublic.of(services.get(uow, device_id))


@router.delete("/api/v1/devices/{device_id}/opcua", status_code=204)
def delete_opcua(device_id: DeviceId, uow: UowDep) -> Response:
    services.remove(uow, device_id)
    uow.commit()
    return Response(status_code=204)


@router.get("/api/v1/devices/{device_id}/health", response_model=HealthPublic)
def device_health(device_id: DeviceId, uow: UowDep, hours: LookbackHours = 24) -> HealthPublic:
    """Health index 0–100 and RUL band from the machine's own sensor trends."""
    return HealthPublic.of(
        health_service.device_health(uow, device_id, lookback=timedelta(hours=hours))
    )


@router.get("/api/v1/sites/{site_id}/health", response_model=list[HealthPublic])
def site_health(site_id: SiteId, uow: UowDep, hours: LookbackHours = 24) -> list[HealthPublic]:
    """Every machine of the site, worst first."""
    found = health_service.site_health(uow, site_id, lookback=timedelta(hours=hours))
    return [HealthPublic.of(h) for h in found]
