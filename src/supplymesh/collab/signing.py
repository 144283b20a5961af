"""Webhook signatures (the contract's `X-SupplyMesh-Signature`) and secrets at rest.

The signature is ``t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`` with the subscription's
secret, so a receiver can check both origin and freshness. Secrets are kept encrypted with a
key derived from the server's signing key (HKDF → Fernet), so a copy of the database alone
does not reveal them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SIGNATURE_HEADER = "X-SupplyMesh-Signature"
DEFAULT_TOLERANCE_S = 300


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The signature header value for `body` sent at `timestamp` (now by default)."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify(
    secret: str,
    header: str,
    body: bytes,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    now: int | None = None,
) -> bool:
    """What a receiver does: the signature matches and is not older than the tolerance."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        t = int(parts["t"])
    except (KeyError, ValueError):
        return False
    current = int(time.time()) if now is None else now
    if abs(current - t) > tolerance_s:
        return False
    expected = sign(secret, body, t).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def _fernet(server_key: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"supplymesh webhook secrets"
    ).derive(server_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(server_key: str, secret: str) -> str:
    return _fernet(server_key).encrypt(secret.encode()).decode()


def unseal(server_key: str, sealed: str) -> str:
    try:
        return _fernet(server_key).decrypt(sealed.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("webhook secret cannot be decrypted: the server key changed") from exc
