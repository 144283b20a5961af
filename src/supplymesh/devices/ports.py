"""What the device services need from the outside world."""

from __future__ import annotations

from typing import Protocol

from supplymesh.devices.credentials import DeviceIdentity


class BrokerProvisioner(Protocol):
    """Tells an external broker about credentials (the embedded one reads the registry)."""

    def grant(self, identity: DeviceIdentity, secret: str) -> None: ...

    def revoke(self, identity: DeviceIdentity) -> None: ...
