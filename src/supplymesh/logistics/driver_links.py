"""Signed links that let a driver see their dock and place in line without an account.

Drivers are not users of the park's enterprise, so the link itself is the credential, as an
invitation token is: it names the enterprise, the plan and the truck, and carries an
HMAC-SHA256 of them under the server's signing key. It shows one truck's status and nothing
else; a forged or edited link does not verify.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

_PURPOSE = b"supplymesh driver link v1"


def _mac(secret: str, body: str) -> str:
    key = hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).digest()
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()[:32]


def sign(secret: str, enterprise_id: int, plan_id: int, truck_id: str) -> str:
    """A URL-safe token for one truck of one stored plan."""
    truck = base64.urlsafe_b64encode(truck_id.encode()).decode().rstrip("=")
    body = f"{enterprise_id}.{plan_id}.{truck}"
    return f"{body}.{_mac(secret, body)}"


def verify(secret: str, token: str) -> tuple[int, int, str] | None:
    """(enterprise id, plan id, truck id) of a genuine token, else None."""
    parts = token.split(".")
    if len(parts) != 4 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    body = ".".join(parts[:3])
    if not hmac.compare_digest(_mac(secret, body), parts[3]):
        return None
    try:
        padded = parts[2] + "=" * (-len(parts[2]) % 4)
        truck = base64.urlsafe_b64decode(padded.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return int(parts[0]), int(parts[1]), truck
