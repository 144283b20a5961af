"""Settings of device connectivity (prefix ``SUPPLYMESH_``), read when the runtime starts.

`SUPPLYMESH_MQTT_PORT` (the embedded broker's port, 0 = off) lives in the platform settings;
`SUPPLYMESH_MQTT_URL` switches to an external broker instead, and
`SUPPLYMESH_MQTT_ADMIN_URL` names the dynamic-security admin used to provision devices there.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from supplymesh.devices.payload import MAX_PAYLOAD_BYTES
from supplymesh.devices.store import Retention


class DeviceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUPPLYMESH_", extra="ignore")

    mqtt_url: str | None = None
    mqtt_admin_url: str | None = None
    mqtt_max_payload: int = Field(default=MAX_PAYLOAD_BYTES, ge=64, le=1024 * 1024)
    telemetry_raw_days: int = Field(default=30, ge=1)
    telemetry_minute_days: int = Field(default=90, ge=1)
    telemetry_hour_days: int = Field(default=730, ge=1)

    @property
    def retention(self) -> Retention:
        return Retention(
            self.telemetry_raw_days, self.telemetry_minute_days, self.telemetry_hour_days
        )
