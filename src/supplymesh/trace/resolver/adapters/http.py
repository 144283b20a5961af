"""HTTP mode: the client side (httpx) of asking a node that `adapters/app.py` serves."""

from __future__ import annotations

import httpx

from supplymesh.trace.ident.model import InvalidCode
from supplymesh.trace.resolver.model import (
    NEGATIVE_ERRORS,
    Answer,
    CredentialRefused,
    Record,
    Referral,
    ResolverUnavailable,
)


class HttpTransport:
    """Asks nodes with ``GET {url}/resolve?code=…`` over one pooled, keep-alive client."""

    def __init__(self, client: httpx.Client | None = None, timeout_s: float = 5.0) -> None:
        self.client = client or httpx.Client(timeout=timeout_s)

    def ask(self, url: str, code: str, token: str | None) -> Answer:
        """One question; maps the node's problem documents back to the resolver's errors."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = self.client.get(
                f"{url.rstrip('/')}/resolve", params={"code": code}, headers=headers
            )
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ResolverUnavailable(f"resolver node {url} unreachable: {exc}") from exc
        if not isinstance(body, dict):
            raise ResolverUnavailable(f"resolver node {url} answered {body!r}")
        try:
            if response.status_code == 200 and isinstance(body.get("record"), dict):
                return Record.from_json(body["record"])
            if response.status_code == 200 and isinstance(body.get("referral"), dict):
                return Referral.from_json(body["referral"])
        except (KeyError, ValueError) as exc:
            raise ResolverUnavailable(f"resolver node {url}: malformed answer: {exc}") from exc
        detail = str(body.get("detail", response.text))
        kind = body.get("kind")
        if response.status_code == 422:
            raise InvalidCode(detail)
        if kind == CredentialRefused.kind:
            raise CredentialRefused(detail)
        if isinstance(kind, str) and kind in NEGATIVE_ERRORS:
            raise NEGATIVE_ERRORS[kind](detail)
        raise ResolverUnavailable(f"resolver node {url} answered {response.status_code}: {detail}")

    def close(self) -> None:
        """Close the pooled connections."""
        self.client.close()
