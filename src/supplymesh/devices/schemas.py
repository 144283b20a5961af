"""Input and output schemas of the device registry, and their `Resource`s."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, computed_field, model_validator
from sqlalchemy import exists, select

from supplymesh.devices.model import Device, DeviceError, DeviceMetric, TelemetrySample
from supplymesh.network.model import Machine, Site
from supplymesh.platform.crud import Reference, Resource
from supplymesh.platform.errors import Conflict, FieldError, ValidationFailed
from supplymesh.platform.schemas import Code, Input, Output, partial
from supplymesh.platform.uow import UnitOfWork

KindT = Literal["machine", "gateway"]
StatusT = Literal["active", "disabled", "retired"]
METRIC_PATTERN = r"^[A-Za-z][A-Za-z0-9_.\-]{0,59}$"


class DeviceCreate(Input):
    site_id: int | None = None
    site_code: str | None = None
    machine_id: int | None = None
    machine_code: str | None = None
    gateway_id: int | None = None
    gateway_code: str | None = None
    code: Code
    name: str = Field(min_length=1, max_length=120)
    kind: KindT = "machine"
    attributes: dict[str, Any] = Field(default_factory=dict)
    status: StatusT = "active"


class DevicePublic(Output):
    id: int
    enterprise_id: int
    site_id: int
    machine_id: int | None
    gateway_id: int | None
    code: str
    name: str
    kind: str
    attributes: dict[str, Any]
    status: str
    state: str | None
    state_at: datetime | None
    last_seen_at: datetime | None
    version: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def mqtt_username(self) -> str:
        """The user name the device connects with (its id; unique across enterprises)."""
        return str(self.id)


class MetricFields(Input):
    """A metric as registered under a device's own path (the device is in the URL)."""

    name: str = Field(pattern=METRIC_PATTERN)
    unit: str | None = Field(default=None, max_length=20)
    min_value: float | None = None
    max_value: float | None = None
    description: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _limits_in_order(self) -> MetricFields:
        low, high = self.min_value, self.max_value
        if low is not None and high is not None and low > high:
            raise ValueError(f"min_value {self.min_value} exceeds max_value {self.max_value}")
        return self


class DeviceMetricCreate(MetricFields):
    device_id: int | None = None
    device_code: str | None = None


class DeviceMetricPublic(Output):
    id: int
    enterprise_id: int
    device_id: int
    name: str
    unit: str | None
    min_value: float | None
    max_value: float | None
    description: str | None
    version: int


def _check_links(uow: UnitOfWork, device: Device) -> None:
    """A device's machine and gateway must be at its own site; a gateway is not chained."""
    errors: list[FieldError] = []
    if device.machine_id is not None:
        machine = uow.session.get(Machine, device.machine_id)
        if machine is not None and machine.site_id != device.site_id:
            errors.append(FieldError("machine_id", f"machine {machine.code} is at another site"))
    if device.gateway_id is not None:
        gateway = uow.session.get(Device, device.gateway_id)
        if gateway is not None and (gateway.kind != "gateway" or gateway.id == device.id):
            errors.append(FieldError("gateway_id", f"device {gateway.code} is not a gateway"))
        elif gateway is not None and gateway.site_id != device.site_id:
            errors.append(FieldError("gateway_id", f"gateway {gateway.code} is at another site"))
    if errors:
        raise ValidationFailed(errors)


def _create_device(uow: UnitOfWork, data: dict[str, Any]) -> Device:
    columns = set(Device.__table__.columns.keys()) - {"id", "enterprise_id", "version"}
    device = Device(**{k: v for k, v in data.items() if k in columns})
    if device.status == "retired":
        raise DeviceError("a new device cannot start retired")
    uow.add(device)
    uow.flush()
    _check_links(uow, device)
    return device


def _guard_device(uow: UnitOfWork, device: Device, fields: dict[str, Any] | None) -> None:
    if fields is None:
        has_data = uow.session.scalar(
            select(exists().where(TelemetrySample.device_id == device.id))
        )
        if has_data:
            raise Conflict(f"device {device.code} has telemetry; retire it instead of deleting")
        return
    if "status" in fields:
        device.move_to(str(fields["status"]))
    for name in ("site_id", "machine_id", "gateway_id"):
        if name in fields:
            setattr(device, name, fields[name])
    _check_links(uow, device)


RESOURCES: tuple[Resource, ...] = (
    Resource(
        "devices",
        Device,
        DeviceCreate,
        partial(DeviceCreate, "DeviceUpdate"),
        DevicePublic,
        natural_key=("code",),
        references=(
            Reference("site_id", Site),
            Reference("machine_id", Machine, "code", False),
            Reference("gateway_id", Device, "code", False),
        ),
        filters=("site_id", "machine_id", "gateway_id", "kind", "status", "state"),
        label="device",
        extra={"create": _create_device, "guard": _guard_device},
    ),
    Resource(
        "device-metrics",
        DeviceMetric,
        DeviceMetricCreate,
        partial(DeviceMetricCreate, "DeviceMetricUpdate"),
        DeviceMetricPublic,
        natural_key=("device_id", "name"),
        references=(Reference("device_id", Device),),
        filters=("device_id", "name"),
        label="device metric",
    ),
)
