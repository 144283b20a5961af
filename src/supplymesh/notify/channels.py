"""Channels a notification leaves by, behind one `Channel` protocol.

E-mail goes over SMTP (`smtplib`). The robots post the JSON their vendors document:
WeCom (企业微信) group robot ``{"msgtype": "markdown", "markdown": {"content": …}}``;
DingTalk (钉钉) custom robot ``{"msgtype": "markdown", "markdown": {"title", "text"}}``, with
the optional signature: ``timestamp`` (ms) and ``sign`` = Base64(HMAC-SHA256(secret,
"timestamp\\nsecret")), URL-encoded, appended to the webhook URL. Both answer
``{"errcode": 0}`` on success. SMS goes to a configurable HTTP gateway. Every `send` raises
`DeliveryFailed` on any failure, and the caller retries.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import smtplib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Protocol
from urllib.parse import quote_plus

import httpx

from supplymesh.notify.model import ChannelKind


class DeliveryFailed(Exception):
    """The channel did not take the message; the reason is kept on the delivery."""


@dataclass(frozen=True)
class Message:
    """What one channel sends: already in the reader's language."""

    subject: str
    body: str
    link: str | None = None
    address: str | None = None


class Channel(Protocol):
    """Sends one message or raises `DeliveryFailed`."""

    kind: str

    def send(self, message: Message) -> None: ...


class InAppChannel:
    """The inbox itself: the notification row is the message, written before any channel."""

    kind = ChannelKind.IN_APP.value

    def send(self, message: Message) -> None:
        return None


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "SupplyMesh <noreply@localhost>"
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout_s: float = 10.0


class EmailChannel:
    kind = ChannelKind.EMAIL.value

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def send(self, message: Message) -> None:
        if not message.address:
            raise DeliveryFailed("no e-mail address for this recipient")
        s = self.settings
        mail = EmailMessage()
        mail["From"] = s.sender
        mail["To"] = formataddr(("", message.address))
        mail["Subject"] = message.subject
        mail["Message-ID"] = make_msgid(domain="supplymesh")
        mail.set_content(message.body + (f"\n\n{message.link}" if message.link else ""))
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout_s) as smtp:
                if s.starttls:
                    smtp.starttls()
                if s.user:
                    smtp.login(s.user, s.password or "")
                smtp.send_message(mail)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryFailed(f"SMTP {s.host}:{s.port}: {type(exc).__name__}: {exc}") from exc


def _markdown(message: Message) -> str:
    link = f"\n\n[{message.link}]({message.link})" if message.link else ""
    return f"**{message.subject}**\n\n{message.body}{link}"


def _post_json(
    url: str, payload: Mapping[str, object], robot: bool, token: str | None = None
) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with httpx.Client(timeout=10.0, follow_redirects=False) as client:
            r = client.post(url, json=payload, headers=headers)
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
    if not 200 <= r.status_code < 300:
        raise DeliveryFailed(f"HTTP {r.status_code}: {r.text[:200]}")
    if robot:
        try:
            answer = r.json()
        except ValueError as exc:
            raise DeliveryFailed(f"robot answered non-JSON: {r.text[:200]}") from exc
        if not isinstance(answer, dict) or answer.get("errcode", 0) != 0:
            raise DeliveryFailed(f"robot refused: {r.text[:200]}")


class WeComRobotChannel:
    kind = ChannelKind.WECOM.value

    def __init__(self, url: str) -> None:
        self.url = url

    def send(self, message: Message) -> None:
        _post_json(
            self.url, {"msgtype": "markdown", "markdown": {"content": _markdown(message)}}, True
        )


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's robot signature: Base64(HMAC-SHA256(secret, "ts\\nsecret")), URL-encoded."""
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return quote_plus(base64.b64encode(digest).decode())


class DingTalkRobotChannel:
    kind = ChannelKind.DINGTALK.value

    def __init__(self, url: str, secret: str | None = None) -> None:
        self.url = url
        self.secret = secret

    def signed_url(self, timestamp_ms: int | None = None) -> str:
        if not self.secret:
            return self.url
        ts = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
        joiner = "&" if "?" in self.url else "?"
        return f"{self.url}{joiner}timestamp={ts}&sign={dingtalk_sign(self.secret, ts)}"

    def send(self, message: Message) -> None:
        payload = {
            "msgtype": "markdown",
            "markdown": {"title": message.subject, "text": _markdown(message)},
        }
        _post_json(self.signed_url(), payload, True)


class HttpSmsChannel:
    """Posts ``{"to", "text"}`` to an SMS gateway; bearer token if the enterprise set one."""

    kind = ChannelKind.SMS.value

    def __init__(self, url: str, token: str | None = None) -> None:
        self.url = url
        self.token = token

    def send(self, message: Message) -> None:
        if not message.address:
            raise DeliveryFailed("no mobile number for this recipient")
        text = f"【SupplyMesh】{message.subject}：{message.body}"
        _post_json(self.url, {"to": message.address, "text": text}, False, self.token)
