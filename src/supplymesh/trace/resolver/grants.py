"""Partner credentials: a token an owning enterprise signs for a partner it grants access to.

An HS256 JSON Web Token (PyJWT, HMAC-SHA256) with ``iss`` = the owning enterprise, ``sub`` = the
partner enterprise, ``aud`` = ``supplymesh-resolver`` and ``exp``. The owner shares the secret only
with the node that serves its records (its own enterprise node), so nobody else can mint one.
Expiry is checked against an injected clock so that tests need not sleep.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import jwt

from supplymesh.trace.resolver.model import CredentialRefused

AUDIENCE = "supplymesh-resolver"
MIN_SECRET_BYTES = 32  # RFC 7518 §3.2: an HS256 key at least as long as the hash output


@dataclass(frozen=True)
class Grant:
    """A verified credential: `partner` may see what `owner` granted it."""

    owner: str
    partner: str
    expires_at: float


def _check_secret(secret: str) -> bytes:
    key = secret.encode()
    if len(key) < MIN_SECRET_BYTES:
        raise ValueError(f"grant secret must have at least {MIN_SECRET_BYTES} bytes")
    return key


def issue_token(owner: str, partner: str, secret: str, expires_at: float) -> str:
    """Sign a credential for `partner` to see `owner`'s partner-only attributes until then."""
    claims = {"iss": owner, "sub": partner, "aud": AUDIENCE, "exp": int(expires_at)}
    return jwt.encode(claims, _check_secret(secret), algorithm="HS256")


def verify_token(
    token: str, owner: str, secret: str, now: Callable[[], float] = time.time
) -> Grant:
    """Check signature, issuer, audience and expiry; raise `CredentialRefused` naming why."""
    try:
        claims = jwt.decode(
            token,
            _check_secret(secret),
            algorithms=["HS256"],
            audience=AUDIENCE,
            issuer=owner,
            options={"verify_exp": False, "require": ["iss", "sub", "aud", "exp"]},
        )
    except jwt.InvalidIssuerError as exc:
        raise CredentialRefused(f"credential not issued by {owner}") from exc
    except jwt.PyJWTError as exc:
        raise CredentialRefused(f"credential refused: {exc}") from exc
    expires_at = float(claims["exp"])
    if expires_at <= now():
        raise CredentialRefused(f"credential for {claims['sub']} expired")
    return Grant(owner=owner, partner=str(claims["sub"]), expires_at=expires_at)
