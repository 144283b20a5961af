"""Set and read a device's OPC UA mapping (the connector picks changes up by itself)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from asyncua import ua
from sqlalchemy import select

from supplymesh.devices.opcua.model import (
    LinkState,
    MappingError,
    OpcuaMapping,
    SecurityMode,
    SecurityPolicy,
)
from supplymesh.devices.services import device
from supplymesh.platform.errors import NotFound
from supplymesh.platform.uow import UnitOfWork

MAX_NODES = 200


@dataclass
class MappingChange:
    """What an administrator sets; `password` None keeps the stored one."""

    endpoint_url: str
    nodes: dict[str, str]
    state_node: str | None = None
    sampling_interval_ms: int = 500
    security_policy: str = SecurityPolicy.NONE.value
    security_mode: str = SecurityMode.NONE.value
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    certificate_path: str | None = None
    private_key_path: str | None = None
    enabled: bool = True


def check_node_id(text: str) -> None:
    """Refuse a node id that is not in OPC UA's string form (``ns=2;s=M1.Temp``, ``i=2258``)."""
    try:
        ua.NodeId.from_string(text)
    except Exception as exc:
        raise MappingError(f"node id {text!r} is not an OPC UA node id: {exc}") from exc


def check(change: MappingChange) -> None:
    """Everything that can be refused before a connection is tried."""
    parts = urlsplit(change.endpoint_url)
    if parts.scheme != "opc.tcp" or not parts.hostname:
        raise MappingError(f"endpoint {change.endpoint_url!r} must look like opc.tcp://host:port/…")
    if not change.nodes and not change.state_node:
        raise MappingError("map at least one node to a metric (or a state node)")
    if len(change.nodes) > MAX_NODES:
        raise MappingError(f"{len(change.nodes)} nodes, at most {MAX_NODES} per device")
    for node_id in [*change.nodes.values(), *([change.state_node] if change.state_node else [])]:
        check_node_id(node_id)
    if change.security_policy not in {p.value for p in SecurityPolicy}:
        raise MappingError(f"security policy {change.security_policy!r} is not offered")
    if change.security_mode not in {m.value for m in SecurityMode}:
        raise MappingError(f"security mode {change.security_mode!r} is not offered")
    secure = change.security_policy != SecurityPolicy.NONE.value
    if secure != (change.security_mode != SecurityMode.NONE.value):
        raise MappingError(
            f"security policy {change.security_policy} does not go with mode "
            f"{change.security_mode}: policy None takes mode None, the others Sign or "
            "SignAndEncrypt"
        )
    if secure and not (change.certificate_path and change.private_key_path):
        raise MappingError("a secure policy needs the client certificate and private key paths")
    if change.password is not None and not change.username:
        raise MappingError("a password needs a user name")
    if not 10 <= change.sampling_interval_ms <= 3_600_000:
        raise MappingError(
            f"sampling interval {change.sampling_interval_ms} ms is outside 10..3600000"
        )


def find(uow: UnitOfWork, device_id: int) -> OpcuaMapping | None:
    device(uow, device_id)
    return uow.session.scalar(select(OpcuaMapping).where(OpcuaMapping.device_id == device_id))


def get(uow: UnitOfWork, device_id: int) -> OpcuaMapping:
    found = find(uow, device_id)
    if found is None:
        raise NotFound("OPC UA mapping of device", device_id)
    return found


def put(uow: UnitOfWork, device_id: int, change: MappingChange) -> OpcuaMapping:
    """Create or replace the device's mapping; metrics must be registered on the device."""
    check(change)
    from supplymesh.devices.services import metrics

    known = {m.name for m in metrics(uow, device_id)}
    unknown = sorted(set(change.nodes) - known)
    if unknown:
        raise MappingError(f"metrics {unknown} are not registered on device {device_id}")
    mapping = find(uow, device_id)
    if mapping is None:
        mapping = OpcuaMapping(device_id=device_id)
        uow.add(mapping)
    password = change.password if change.password is not None else mapping.password
    if not change.username:
        password = None
    mapping.endpoint_url = change.endpoint_url
    mapping.nodes = dict(change.nodes)
    mapping.state_node = change.state_node
    mapping.sampling_interval_ms = change.sampling_interval_ms
    mapping.security_policy = change.security_policy
    mapping.security_mode = change.security_mode
    mapping.username = change.username
    mapping.password = password
    mapping.certificate_path = change.certificate_path
    mapping.private_key_path = change.private_key_path
    mapping.enabled = change.enabled
    mapping.link_state = (LinkState.PENDING if change.enabled else LinkState.DISABLED).value
    mapping.link_detail = None
    uow.flush()
    return mapping


def remove(uow: UnitOfWork, device_id: int) -> None:
    uow.session.delete(get(uow, device_id))
    uow.flush()
