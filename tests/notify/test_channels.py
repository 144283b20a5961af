"""Each channel against a real local server: SMTP, WeCom and DingTalk robots, an SMS gateway."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from supplymesh.notify.channels import (
    DeliveryFailed,
    DingTalkRobotChannel,
    EmailChannel,
    HttpSmsChannel,
    Message,
    SmtpSettings,
    WeComRobotChannel,
)
from tests.notify.servers import http_receiver, smtp_server
from tests.support.server import free_port

MESSAGE = Message("询价邀请 RFQ-000001", "买方邀请您报价。", "http://sm.local/inbox/rfqs/1")


def test_email_reaches_the_smtp_server_with_subject_and_recipient() -> None:
    with smtp_server() as box:
        channel = EmailChannel(SmtpSettings("127.0.0.1", box.port, "SupplyMesh <sm@test.cn>"))
        channel.send(Message(MESSAGE.subject, MESSAGE.body, MESSAGE.link, "li.lei@alpha.cn"))
    [mail] = box.to("li.lei@alpha.cn")
    assert mail["Subject"] == "询价邀请 RFQ-000001"
    assert mail["From"] == "SupplyMesh <sm@test.cn>"
    text = mail.get_content()
    assert "买方邀请您报价。" in text and "http://sm.local/inbox/rfqs/1" in text


def test_email_to_a_closed_port_fails_with_the_reason() -> None:
    channel = EmailChannel(SmtpSettings("127.0.0.1", free_port(), timeout_s=2))
    with pytest.raises(DeliveryFailed, match=r"SMTP 127\.0\.0\.1"):
        channel.send(Message("s", "b", None, "x@y.cn"))


def test_wecom_robot_gets_markdown() -> None:
    with http_receiver() as robot:
        WeComRobotChannel(robot.url).send(MESSAGE)
    [req] = robot.requests
    assert req.query["access_token"] == ["t0k"]
    assert req.body["msgtype"] == "markdown"
    content = req.body["markdown"]["content"]
    assert content.startswith("**询价邀请 RFQ-000001**") and "买方邀请您报价。" in content


def test_dingtalk_robot_is_signed_as_dingtalk_documents() -> None:
    secret = "SEC0123456789abcdef"
    with http_receiver() as robot:
        DingTalkRobotChannel(robot.url, secret).send(MESSAGE)
    [req] = robot.requests
    timestamp = req.query["timestamp"][0]
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert req.query["sign"] == [expected]  # parse_qs has undone the URL-encoding
    assert req.query["access_token"] == ["t0k"]
    assert req.body["msgtype"] == "markdown"
    assert req.body["markdown"]["title"] == MESSAGE.subject


def test_robot_refusal_is_a_failure() -> None:
    with http_receiver() as robot:
        robot.answer = {"errcode": 310000, "errmsg": "sign not match"}
        with pytest.raises(DeliveryFailed, match="sign not match"):
            DingTalkRobotChannel(robot.url, "wrong").send(MESSAGE)


def test_sms_gateway_gets_number_text_and_token() -> None:
    with http_receiver("/sms") as gateway:
        HttpSmsChannel(gateway.url, "gw-token").send(
            Message("设备告警", "M1 温度过高", None, "+8613800000000")
        )
        gateway.status = 503
        with pytest.raises(DeliveryFailed, match="HTTP 503"):
            HttpSmsChannel(gateway.url).send(Message("a", "b", None, "+8613800000001"))
    first = gateway.requests[0]
    assert first.body == {"to": "+8613800000000", "text": "【SupplyMesh】设备告警：M1 温度过高"}
    assert first.headers["Authorization"] == "Bearer gw-token"
