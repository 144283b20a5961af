"""The real webhook sender: an HTTP POST with a short timeout."""

from __future__ import annotations

import httpx

from supplymesh.collab.webhooks import Response


def post(url: str, body: bytes, headers: dict[str, str]) -> Response:
    """POST `body` to `url`; transport errors propagate and the delivery is retried."""
    with httpx.Client(timeout=10.0, follow_redirects=False) as client:
        r = client.post(url, content=body, headers=headers)
    return Response(r.status_code)
