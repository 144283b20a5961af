"""Per-device MQTT secrets: issue (shown once), rotate, revoke, and check at connect time.

One active secret per device. The secret is 256 random bits; only its SHA-256 digest is
stored (a high-entropy token needs no slow hash, as with the API keys), compared in constant
time. The MQTT user name is the device's numeric id, which is unique across enterprises.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from supplymesh.devices.model import Device, DeviceCredential, DeviceError, DeviceStatus
from supplymesh.network.model import Enterprise, Site
from supplymesh.platform.db import utcnow
from supplymesh.platform.errors import Conflict, NotFound
from supplymesh.platform.uow import Database, UnitOfWork

SECRET_PREFIX = "smd_"  # noqa: S105 (a marker, not a secret)


@dataclass(frozen=True)
class IssuedCredential:
    """What the caller sees once: the user name and secret to configure in the device."""

    credential: DeviceCredential
    username: str
    secret: str


@dataclass(frozen=True)
class DeviceIdentity:
    """Who an authenticated MQTT client is, and the topics it may publish under."""

    device_id: int
    enterprise_id: int
    enterprise_code: str
    site_code: str
    code: str

    def topic_prefixes(self) -> tuple[str, ...]:
        """The device's own topic trees, by code and by id (either may name it)."""
        base = f"sm/{self.enterprise_code}/{self.site_code}"
        return (f"{base}/{self.code}/", f"{base}/{self.device_id}/")

    def may_publish(self, topic: str) -> bool:
        return any(
            topic.startswith(p) and "/" not in topic[len(p) :] and topic[len(p) :]
            for p in self.topic_prefixes()
        )


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _device(uow: UnitOfWork, device_id: int) -> Device:
    obj = uow.session.get(Device, device_id)
    if obj is None:
        raise NotFound("device", device_id)
    return obj


def active_credentials(uow: UnitOfWork, device_id: int) -> list[DeviceCredential]:
    query = select(DeviceCredential).where(
        DeviceCredential.device_id == device_id, DeviceCredential.revoked_at.is_(None)
    )
    return list(uow.session.scalars(query))


def issue(uow: UnitOfWork, device_id: int) -> IssuedCredential:
    """A first secret for the device; a device that has one must rotate instead."""
    device = _device(uow, device_id)
    if device.status == DeviceStatus.RETIRED:
        raise DeviceError(f"device {device.code} is retired and cannot get a credential")
    if active_credentials(uow, device_id):
        raise Conflict(f"device {device.code} already has an active credential; rotate it")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    cred = DeviceCredential(
        enterprise_id=device.enterprise_id,
        device_id=device.id,
        prefix=secret[:12],
        digest=digest(secret),
    )
    uow.add(cred)
    uow.flush()
    return IssuedCredential(cred, str(device.id), secret)


def rotate(uow: UnitOfWork, device_id: int) -> IssuedCredential:
    """Revoke the active secret (if any) and issue a new one, in one transaction."""
    now = utcnow()
    for cred in active_credentials(uow, device_id):
        cred.revoked_at = now
    uow.flush()
    return issue(uow, device_id)


def revoke(uow: UnitOfWork, device_id: int, credential_id: int) -> DeviceCredential:
    """Revoke one credential; the device can no longer connect with it."""
    cred = uow.session.get(DeviceCredential, credential_id)
    if cred is None or cred.device_id != device_id:
        raise NotFound("device credential", credential_id)
    if cred.revoked_at is None:
        cred.revoked_at = utcnow()
        uow.flush()
    return cred


def list_credentials(uow: UnitOfWork, device_id: int) -> list[DeviceCredential]:
    _device(uow, device_id)
    query = select(DeviceCredential).where(DeviceCredential.device_id == device_id)
    return list(uow.session.scalars(query.order_by(DeviceCredential.id)))


def authenticate(db: Database, username: str | None, password: str | None) -> DeviceIdentity | None:
    """The device behind (user name, secret), or None: unknown, inactive, revoked or wrong."""
    if not password:
        return None
    return authenticate_digest(db, username, digest(password))


def authenticate_digest(db: Database, username: str | None, wanted: str) -> DeviceIdentity | None:
    """As `authenticate`, given the secret's digest (to re-check a connected device)."""
    if not username or not username.isdigit() or len(username) > 18:
        return None
    with db.system() as uow:
        row = uow.session.execute(
            select(Device, Site.code, Enterprise.code)
            .join(Site, Site.id == Device.site_id)
            .join(Enterprise, Enterprise.id == Device.enterprise_id)
            .where(Device.id == int(username))
        ).first()
        if row is None:
            return None
        device, site_code, ent_code = row
        if device.status != DeviceStatus.ACTIVE:
            return None
        if not any(
            hmac.compare_digest(c.digest, wanted) for c in active_credentials(uow, device.id)
        ):
            return None
        return DeviceIdentity(device.id, device.enterprise_id, ent_code, site_code, device.code)


def identity(uow: UnitOfWork, device_id: int) -> DeviceIdentity:
    """The identity (codes, topics) of a visible device."""
    device = _device(uow, device_id)
    site = get_site(uow, device.site_id)
    ent = uow.session.get(Enterprise, device.enterprise_id)
    assert ent is not None
    return DeviceIdentity(device.id, device.enterprise_id, ent.code, site.code, device.code)


def get_site(uow: UnitOfWork, site_id: int) -> Site:
    site = uow.session.get(Site, site_id)
    if site is None:
        raise NotFound("site", site_id)
    return site
