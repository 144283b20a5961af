"""Every context's master-data resources, by name (for routers, imports and the CLI)."""

from __future__ import annotations

from supplymesh.platform.crud import Resource


def all_resources() -> tuple[Resource, ...]:
    from supplymesh.devices.schemas import RESOURCES as DEVICES
    from supplymesh.inventory.schemas import RESOURCES as INVENTORY
    from supplymesh.logistics.schemas import RESOURCES as LOGISTICS
    from supplymesh.network.schemas import RESOURCES as NETWORK

    return NETWORK + INVENTORY + DEVICES + LOGISTICS


def resource_by_name(name: str) -> Resource | None:
    return next((r for r in all_resources() if r.name == name), None)
