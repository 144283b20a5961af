"""What each kind of notification says, in Simplified Chinese and English.

Texts are rendered when the notification is written and stored in both languages, so the
inbox, e-mail and robots show the same words whatever language the reader switches to later.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str


KINDS: dict[str, Text] = {
    "rfq_invited": Text(
        "询价邀请 {rfq}",
        "Invitation to quote: {rfq}",
        "{buyer} 邀请您就询价单 {rfq} 报价，截止 {deadline}。",
        "{buyer} invites you to quote on {rfq} by {deadline}.",
    ),
    "quote_submitted": Text(
        "收到报价：{rfq}",
        "Quote received: {rfq}",
        "{supplier} 就询价单 {rfq} 提交了报价（第 {revision} 版）。",
        "{supplier} submitted a quote on {rfq} (revision {revision}).",
    ),
    "po_released": Text(
        "新采购订单 {order}",
        "New purchase order {order}",
        "{buyer} 下达了采购订单 {order}，请逐行确认。",
        "{buyer} released purchase order {order}; please answer it line by line.",
    ),
    "po_changes_proposed": Text(
        "订单 {order} 供应商提出变更",
        "Changes proposed on {order}",
        "{supplier} 对采购订单 {order} 提出了数量、日期或价格变更，请审核。",
        "{supplier} proposed changes (quantity, date or price) to {order}; please review.",
    ),
    "po_change_requested": Text(
        "订单 {order} 变更申请",
        "Change requested on {order}",
        "{buyer} 申请变更采购订单 {order}，请确认。",
        "{buyer} requested a change to purchase order {order}; please sign it off.",
    ),
    "po_cancellation_requested": Text(
        "订单 {order} 取消申请",
        "Cancellation requested on {order}",
        "{buyer} 申请取消采购订单 {order} 的内容，请确认。",
        "{buyer} asked to cancel (part of) purchase order {order}; please sign it off.",
    ),
    "delivery_schedule_sent": Text(
        "要货计划 {schedule}",
        "Delivery schedule {schedule}",
        "{buyer} 发来要货计划 {schedule}（订单 {order}），请逐行答复。",
        "{buyer} sent delivery schedule {schedule} for {order}; please answer each line.",
    ),
    "ship_notice_sent": Text(
        "发货通知 {asn}",
        "Ship notice {asn}",
        "{supplier} 已就订单 {order} 发货（发货单 {asn}），预计 {arrival} 到达。",
        "{supplier} shipped against {order} (ship notice {asn}), expected {arrival}.",
    ),
    "invoice_mismatch": Text(
        "发票 {invoice} 核对不符",
        "Invoice {invoice} does not match",
        "发票 {invoice} 有 {count} 行与订单或收货不符：{kinds}。请双方处理。",
        "{count} line(s) of invoice {invoice} do not match order or receipt: {kinds}. "
        "Both sides need to resolve them.",
    ),
    "statement_submitted": Text(
        "对账单待审核",
        "Statement to review",
        "{supplier} 提交了 {period} 的对账单，请核对。",
        "{supplier} submitted the statement for {period}; please review it.",
    ),
    "statement_disputed": Text(
        "对账单有异议",
        "Statement disputed",
        "{buyer} 对 {period} 的对账单提出异议，请更正后重新提交。",
        "{buyer} disputed the statement for {period}; please correct and resubmit.",
    ),
    "statement_to_sign": Text(
        "对账单待签署",
        "Statement awaiting sign-off",
        "{period} 的对账单已确认一致，请签署。",
        "The statement for {period} is agreed and awaits your sign-off.",
    ),
    "alarm_raised": Text(
        "设备告警（{severity}）",
        "Machine alarm ({severity})",
        "设备 #{device} 告警：{message}",
        "Device #{device} alarm: {message}",
    ),
    "alarm_escalated": Text(
        "告警未确认，已升级（{severity}）",
        "Alarm not acknowledged, escalated ({severity})",
        "设备 #{device} 的告警 {minutes} 分钟内无人确认：{message}",
        "Nobody acknowledged the alarm on device #{device} within {minutes} min: {message}",
    ),
    "test": Text(
        "测试通知",
        "Test notification",
        "这是一条来自 SupplyMesh 的测试消息。",
        "This is a test message from SupplyMesh.",
    ),
}


def render(kind: str, params: dict[str, str]) -> Text:
    """The four texts of `kind` with `params` filled in (a missing param shows as ``?``)."""
    text = KINDS[kind]
    values = _Defaulting(params)
    return Text(
        text.title_zh.format_map(values),
        text.title_en.format_map(values),
        text.body_zh.format_map(values),
        text.body_en.format_map(values),
    )


class _Defaulting(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"
