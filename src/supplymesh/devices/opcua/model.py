"""Which OPC UA server a machine is read from, which nodes carry which metrics, and how the
connection is doing.

The platform is the OPC UA *client* here: the machine does not authenticate to us, we
authenticate to it, so the secret we need (a password, or a certificate's key file) is ours
to keep: the password column never leaves the row, certificate files are named by path.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from supplymesh.devices.model import DeviceError
from supplymesh.platform.db import Base, BigId, UTCDateTime, Versioned, utcnow
from supplymesh.platform.tenancy import TenantOwned, admin_scoped


class SecurityPolicy(StrEnum):
    """The OPC UA security policies we offer (names as asyncua's policy classes spell them)."""

    NONE = "None"
    BASIC256SHA256 = "Basic256Sha256"
    AES128_SHA256_RSAOAEP = "Aes128Sha256RsaOaep"
    AES256_SHA256_RSAPSS = "Aes256Sha256RsaPss"


class SecurityMode(StrEnum):
    NONE = "None"
    SIGN = "Sign"
    SIGN_AND_ENCRYPT = "SignAndEncrypt"


class LinkState(StrEnum):
    """What the connector last saw: `mapping_error` means connected but some nodes refused."""

    PENDING = "pending"
    CONNECTED = "connected"
    MAPPING_ERROR = "mapping_error"
    LOST = "lost"
    DISABLED = "disabled"


class MappingError(DeviceError):
    """An OPC UA mapping that cannot work as given."""


@admin_scoped
class OpcuaMapping(TenantOwned, Base, Versioned):
    """A machine's OPC UA source: endpoint, security, node id per metric, link status."""

    __tablename__ = "device_opcua_mappings"
    private_fields = frozenset({"password"})

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    device_id: Mapped[int] = mapped_column(
        ForeignKey("devices.id", ondelete="CASCADE"), unique=True
    )
    endpoint_url: Mapped[str] = mapped_column(String(300))
    security_policy: Mapped[str] = mapped_column(String(40), default=SecurityPolicy.NONE.value)
    security_mode: Mapped[str] = mapped_column(String(20), default=SecurityMode.NONE.value)
    username: Mapped[str | None] = mapped_column(String(120))
    password: Mapped[str | None] = mapped_column(String(200))
    certificate_path: Mapped[str | None] = mapped_column(String(300))
    private_key_path: Mapped[str | None] = mapped_column(String(300))
    #: metric name -> node id string (``ns=2;s=M1.Temperature``)
    nodes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state_node: Mapped[str | None] = mapped_column(String(300))
    sampling_interval_ms: Mapped[int] = mapped_column(Integer, default=500)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    link_state: Mapped[str] = mapped_column(String(20), default=LinkState.PENDING.value)
    link_detail: Mapped[str | None] = mapped_column(String(500))
    link_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
