"""Settings of production scheduling (prefix ``SUPPLYMESH_APS_``), read when a service starts."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ProductionSettings(BaseSettings):
    """How far the plan is frozen, how long a broken machine is assumed down, and so on.

    `frozen_minutes`: operations of the published schedule that start within this long from
    the re-planning moment keep their machine and start (the shop floor has prepared them).
    `repair_minutes`: when an alarm takes a machine down, it is assumed back after this long
    (or when the alarm clears, whichever the next re-plan sees first).
    """

    model_config = SettingsConfigDict(env_prefix="SUPPLYMESH_APS_", extra="ignore")

    frozen_minutes: int = Field(default=240, ge=0, le=7 * 24 * 60)
    repair_minutes: int = Field(default=120, ge=1, le=30 * 24 * 60)
    horizon_days: int = Field(default=14, ge=1, le=120)
    time_limit_s: float = Field(default=10.0, gt=0, le=600)
    repair_time_limit_s: float = Field(default=5.0, gt=0, le=600)
    auto_publish_repairs: bool = False
    #: Alarm severities that take a machine down.
    down_severities: tuple[str, ...] = ("critical", "major")
