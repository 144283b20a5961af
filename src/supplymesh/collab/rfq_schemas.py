"""Inputs and outputs of RFQs, quotes, the comparison and the award (decimal strings)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import Field, field_validator

from supplymesh.platform.schemas import Amount, Currency, Input, NonNegAmount, Output, PosQty, Qty


class RfqLineIn(Input):
    item_id: int | None = None
    item_code: str | None = Field(default=None, description="the item's SKU")
    quantity: PosQty
    needed_by: date | None = None


class RfqCreate(Input):
    """An RFQ, open at once to the invited suppliers (approved partners of the buyer)."""

    title: str | None = Field(default=None, max_length=200)
    currency: Currency = "CNY"
    deadline: datetime = Field(description="quotes are taken until then (with a time zone)")
    note: str | None = Field(default=None, max_length=500)
    lines: list[RfqLineIn] = Field(min_length=1)
    supplier_enterprise_ids: list[int] = Field(min_length=1)


class PriceBreak(Input):
    min_quantity: PosQty
    unit_price: NonNegAmount


class QuoteLineIn(Input):
    rfq_line_id: int
    unit_price: NonNegAmount
    price_breaks: list[PriceBreak] = Field(default_factory=list)
    lead_time_days: int = Field(ge=0, le=3650)
    valid_until: date

    @field_validator("price_breaks")
    @classmethod
    def _distinct_minimums(cls, breaks: list[PriceBreak]) -> list[PriceBreak]:
        minimums = [b.min_quantity for b in breaks]
        if len(set(minimums)) != len(minimums):
            raise ValueError("two price breaks have the same min_quantity")
        return sorted(breaks, key=lambda b: b.min_quantity)


class QuoteIn(Input):
    """A quote or a revision of it (`version` of the quote required to revise)."""

    version: int | None = None
    note: str | None = Field(default=None, max_length=500)
    lines: list[QuoteLineIn] = Field(min_length=1)


class AllocationIn(Input):
    rfq_line_id: int
    supplier_enterprise_id: int
    quantity: PosQty


class AwardIn(Input):
    """Award all or part of the RFQ: per line, quantities split across suppliers."""

    version: int = Field(description="the RFQ version the award is based on")
    ship_to_site_id: int | None = None
    ship_to_site_code: str | None = None
    allocations: list[AllocationIn] = Field(min_length=1)


class VersionIn(Input):
    version: int | None = None


class RfqLinePublic(Output):
    id: int
    line_no: int
    item_id: int
    item_sku: str
    item_name: str
    quantity: Qty
    needed_by: date | None


class InvitationPublic(Output):
    id: int
    rfq_id: int
    partner_enterprise_id: int | None
    status: str
    version: int


class RfqPublic(Output):
    id: int
    enterprise_id: int
    number: str
    title: str | None
    currency: str
    deadline: datetime
    status: str
    allowed_transitions: list[str]
    quoting_open: bool
    note: str | None
    created_at: datetime
    version: int
    lines: list[RfqLinePublic]
    invitations: list[InvitationPublic]


class RfqPage(Output):
    items: list[RfqPublic]
    total: int
    offset: int
    limit: int


class PriceBreakPublic(Output):
    min_quantity: Qty
    unit_price: Amount


class QuoteLinePublic(Output):
    rfq_line_id: int
    unit_price: Amount
    price_breaks: list[PriceBreakPublic]
    lead_time_days: int
    valid_until: date


class QuoteRevisionPublic(Output):
    revision: int
    lines: list[QuoteLinePublic]


class QuotePublic(Output):
    id: int
    rfq_id: int
    enterprise_id: int
    partner_enterprise_id: int | None
    revision: int
    status: str
    note: str | None
    submitted_at: datetime
    version: int
    lines: list[QuoteLinePublic]
    revisions: list[QuoteRevisionPublic]


class Scorecard(Output):
    """Placeholders until the supplier has a scorecard (null = no figure yet)."""

    on_time_in_full_pct: Decimal | None = None
    quality_acceptance_pct: Decimal | None = None
    price_variance_pct: Decimal | None = None
    response_time_hours: Decimal | None = None
    available: bool = False


class ComparedQuote(Output):
    supplier_enterprise_id: int
    supplier_code: str | None
    quote_id: int
    revision: int
    unit_price: Amount
    amount: Amount
    lead_time_days: int
    valid_until: date
    scorecard: Scorecard


class ComparedLine(Output):
    rfq_line_id: int
    line_no: int
    item_sku: str
    quantity: Qty
    needed_by: date | None
    quotes: list[ComparedQuote]
    lowest_price_supplier_id: int | None
    shortest_lead_time_supplier_id: int | None


class Comparison(Output):
    rfq_id: int
    number: str
    currency: str
    lines: list[ComparedLine]


class AwardedOrder(Output):
    order_id: int
    number: str
    supplier_enterprise_id: int
    status: str


class AwardPublic(Output):
    rfq: RfqPublic
    purchase_orders: list[AwardedOrder]
