"""Idempotency keys: a retried POST returns the first answer instead of acting twice.

Keys are scoped per enterprise and kept for `Settings.idempotency_hours`. A key is claimed
(a unique row) before the request runs, so two concurrent retries cannot both act; the
response is stored when the request finishes. The same key with a different request body
is refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, Integer, LargeBinary, String, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from supplymesh.platform.db import Base, UTCDateTime, utcnow
from supplymesh.platform.errors import Conflict, DomainError
from supplymesh.platform.tenancy import TenantContext, TenantSession

STALE_CLAIM = timedelta(minutes=2)


class IdempotencyRecord(Base):
    """A claimed key and, once the request finished, the response to replay."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("enterprise_id", "key"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(index=True)
    key: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None]
    content_type: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class KeyReusedWithOtherRequest(DomainError):
    status = 422
    title = "Idempotency key reused"


class RequestInProgress(Conflict):
    """A request with the same key is still running."""


@dataclass(frozen=True)
class StoredResponse:
    status: int
    content_type: str
    body: bytes


def request_hash(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b"\0" + path.encode() + b"\0" + body).hexdigest()


class IdempotencyStore:
    """Claims keys and stores responses, in their own short transactions."""

    def __init__(self, factory: sessionmaker[TenantSession], keep_hours: int = 24) -> None:
        self.factory = factory
        self.keep = timedelta(hours=keep_hours)

    def _session(self) -> TenantSession:
        return self.factory(info={"tenant": TenantContext.system()})

    def claim(
        self, enterprise_id: int, key: str, method: str, path: str, digest: str
    ) -> StoredResponse | None:
        """Claim `key`; return the stored response if it was already answered.

        Raises `KeyReusedWithOtherRequest` when the key came with another request, and
        `RequestInProgress` while the first request with it is still running.
        """
        if not key or len(key) > 200:
            raise KeyReusedWithOtherRequest("Idempotency-Key must be 1 to 200 characters")
        now = utcnow()
        with self._session() as session:
            session.execute(
                delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - self.keep)
            )
            session.commit()
            existing = session.scalar(
                select(IdempotencyRecord).where(
                    IdempotencyRecord.enterprise_id == enterprise_id, IdempotencyRecord.key == key
                )
            )
            if existing is None:
                session.add(
                    IdempotencyRecord(
                        enterprise_id=enterprise_id,
                        key=key,
                        method=method,
                        path=path,
                        request_hash=digest,
                        created_at=now,
                    )
                )
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()
                    raise RequestInProgress(
                        f"a request with Idempotency-Key {key!r} is in progress"
                    ) from None
                return None
            if existing.request_hash != digest:
                raise KeyReusedWithOtherRequest(
                    f"Idempotency-Key {key!r} was already used with a different request"
                )
            if existing.status is None:
                if now - existing.created_at > STALE_CLAIM:
                    existing.created_at = now  # the first attempt died: let this one act
                    session.commit()
                    return None
                raise RequestInProgress(f"a request with Idempotency-Key {key!r} is in progress")
            return StoredResponse(
                existing.status, existing.content_type or "application/json", existing.body or b""
            )

    def complete(self, enterprise_id: int, key: str, response: StoredResponse) -> None:
        """Store the answer to replay (server errors release the key instead)."""
        with self._session() as session:
            record = session.scalar(
                select(IdempotencyRecord).where(
                    IdempotencyRecord.enterprise_id == enterprise_id, IdempotencyRecord.key == key
                )
            )
            if record is None:
                return
            if response.status >= 500:
                session.delete(record)
            else:
                record.status = response.status
                record.content_type = response.content_type
                record.body = response.body
            session.commit()

    def release(self, enterprise_id: int, key: str) -> None:
        with self._session() as session:
            session.execute(
                delete(IdempotencyRecord).where(
                    IdempotencyRecord.enterprise_id == enterprise_id, IdempotencyRecord.key == key
                )
            )
            session.commit()
