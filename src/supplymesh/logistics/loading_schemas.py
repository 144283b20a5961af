"""Loading-plan requests and answers: one truck or container, the boxes on offer."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from supplymesh.platform.schemas import Input, Output

#: Common load spaces (inside dimensions, mm; payload kg), as dispatchers name them.
PRESETS: dict[str, tuple[int, int, int, float]] = {
    "van_4_2m": (4_200, 2_050, 2_000, 4_000.0),  # 4.2米厢式货车
    "truck_6_8m": (6_800, 2_400, 2_500, 10_000.0),  # 6.8米厢车
    "truck_9_6m": (9_600, 2_400, 2_600, 18_000.0),  # 9.6米厢车
    "container_20gp": (5_898, 2_352, 2_393, 28_200.0),
    "container_40hq": (12_032, 2_352, 2_698, 28_600.0),
}


class ContainerIn(Input):
    """A preset, or the inside length (to the door), width and height in mm and a payload."""

    preset: (
        Literal["van_4_2m", "truck_6_8m", "truck_9_6m", "container_20gp", "container_40hq"] | None
    ) = None
    length_mm: int | None = Field(None, gt=0, le=20_000)
    width_mm: int | None = Field(None, gt=0, le=5_000)
    height_mm: int | None = Field(None, gt=0, le=5_000)
    max_weight_kg: float | None = Field(None, ge=0, le=100_000)

    @model_validator(mode="after")
    def _complete(self) -> ContainerIn:
        dims = (self.length_mm, self.width_mm, self.height_mm)
        if self.preset is None and None in dims:
            raise ValueError("give a preset or length_mm, width_mm and height_mm")
        return self

    def resolved(self) -> tuple[int, int, int, float | None]:
        if self.preset is not None:
            length, width, height, payload = PRESETS[self.preset]
            return (
                self.length_mm or length,
                self.width_mm or width,
                self.height_mm or height,
                self.max_weight_kg if self.max_weight_kg is not None else payload,
            )
        assert self.length_mm and self.width_mm and self.height_mm
        return self.length_mm, self.width_mm, self.height_mm, self.max_weight_kg


class BoxIn(Input):
    """`quantity` identical cartons or pallets; `upright` keeps the height edge vertical."""

    label: str = Field(min_length=1, max_length=60)
    length_mm: int = Field(gt=0, le=20_000)
    width_mm: int = Field(gt=0, le=5_000)
    height_mm: int = Field(gt=0, le=5_000)
    quantity: int = Field(ge=1, le=5_000)
    weight_kg: float | None = Field(None, ge=0, le=30_000)
    upright: bool = True
    fragile: bool = False
    max_load_kg: float | None = Field(None, ge=0, le=100_000)
    stop: int = Field(1, ge=1, le=100)


class LoadingPlanRequest(Input):
    container: ContainerIn
    boxes: list[BoxIn] = Field(min_length=1, max_length=200)
    time_limit_s: float = Field(5.0, gt=0, le=60)


class BoxCount(Output):
    label: str
    stop: int
    requested: int
    loaded: int


class PlacedBox(Output):
    label: str
    stop: int
    x: int
    y: int
    z: int
    dx: int
    dy: int
    dz: int


class LoadingPlanResponse(Output):
    container: dict[str, float | int | None]
    utilisation_pct: float
    loaded_boxes: int
    loaded_weight_kg: float
    counts: list[BoxCount]
    placements: list[PlacedBox]
    violations: list[str]
    picture_svg: str
