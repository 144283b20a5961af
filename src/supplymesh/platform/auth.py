"""Credentials: argon2 password hashes, signed JWT access tokens, API keys, login throttling.

Nothing here is home-made crypto: argon2id from ``argon2-cffi``, HS256 JWTs from ``PyJWT``,
API keys are 256 random bits compared by SHA-256 digest with `hmac.compare_digest`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import BigInteger, Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from supplymesh.platform.db import Base, UTCDateTime, utcnow
from supplymesh.platform.errors import AuthenticationFailed, TooManyAttempts

_hasher = PasswordHasher()
API_KEY_PREFIX = "smk_"
MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    """An argon2id hash of `password` (memory-hard, salted)."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches; never raises on a wrong password."""
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_password_strength(password: str) -> str | None:
    """A reason the password is too weak, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters"
    return None


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a person (user) or a machine (API key)."""

    enterprise_id: int
    user_id: int | None
    role: str
    username: str
    api_key_id: int | None = None


def issue_token(principal: Principal, key: str, minutes: int) -> str:
    """A signed access token for `principal`, valid for `minutes`."""
    now = utcnow()
    claims = {
        "sub": str(principal.user_id),
        "ent": principal.enterprise_id,
        "role": principal.role,
        "name": principal.username,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=minutes)).timestamp()),
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(claims, key, algorithm="HS256")


def read_token(token: str, key: str) -> Principal:
    """The principal a valid token names; `AuthenticationFailed` otherwise."""
    try:
        claims = jwt.decode(
            token, key, algorithms=["HS256"], options={"require": ["exp", "sub", "ent"]}
        )
    except jwt.ExpiredSignatureError as exc:
        raise AuthenticationFailed("access token expired; log in again") from exc
    except jwt.PyJWTError as exc:
        raise AuthenticationFailed("invalid access token") from exc
    return Principal(
        int(claims["ent"]), int(claims["sub"]), str(claims["role"]), str(claims.get("name", ""))
    )


def new_api_key() -> tuple[str, str, str]:
    """A fresh API key: (the secret shown once, its lookup prefix, its digest to store)."""
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    return secret, secret[:12], api_key_digest(secret)


def api_key_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_key_matches(secret: str, digest: str) -> bool:
    return hmac.compare_digest(api_key_digest(secret), digest)


class LoginAttempt(Base):
    """One login attempt, kept for throttling and for the audit trail."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    username: Mapped[str] = mapped_column(String(120), index=True)
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    success: Mapped[bool]


def check_throttle(session: Session, username: str, max_failures: int, window_minutes: int) -> None:
    """Refuse a login when `username` failed `max_failures` times within the window."""
    since = utcnow() - timedelta(minutes=window_minutes)
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username, LoginAttempt.success
        )
    )
    floor = max(since, last_success) if last_success is not None else since
    failures = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.username == username, ~LoginAttempt.success, LoginAttempt.at > floor)
    )
    if failures is not None and failures >= max_failures:
        raise TooManyAttempts(
            f"too many failed logins for {username!r}; try again in {window_minutes} minutes",
            retry_after_s=window_minutes * 60,
        )
