"""Deliveries of purchase orders: ship notices, receiving, QC, returns, stock-in notices.

Thin: parse, call a collaboration use case, commit once, present. Both parties read every
document of their order; the use case decides whose move it is (403 for the other side).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from supplymesh.api.deps import UowDep
from supplymesh.collab import receiving, receiving_qc, receiving_returns, scorecard
from supplymesh.collab.receiving import ReceivingView, ShipNoticeView
from supplymesh.collab.receiving_model import (
    RETURN_MOVES,
    QcInspection,
    StockInNotice,
    SupplierReturn,
)
from supplymesh.collab.receiving_qc import InspectionView
from supplymesh.collab.receiving_schemas import (
    MoveIn,
    QcInspectionIn,
    QcInspectionPublic,
    ReceivingLinePublic,
    ReceivingNoticeIn,
    ReceivingNoticePublic,
    ReturnPublic,
    ShipNoticeIn,
    ShipNoticeLinePublic,
    ShipNoticePublic,
    StockInNoticePublic,
    ToleranceIn,
    TolerancePublic,
)
from supplymesh.collab.scorecard import SupplierScorecard
from supplymesh.platform.types import MAX_INT

router = APIRouter(prefix="/api/v1", tags=["receiving"])

Id = Annotated[int, Path(ge=1, le=MAX_INT)]
OrderFilter = Annotated[int | None, Query(ge=1, le=MAX_INT)]


def _asn(view: ShipNoticeView) -> ShipNoticePublic:
    n = view.notice
    return ShipNoticePublic(
        id=n.id,
        number=n.number,
        order_id=n.order_id,
        enterprise_id=n.enterprise_id,
        partner_enterprise_id=n.partner_enterprise_id,
        from_site_id=n.from_site_id,
        ship_date=n.ship_date,
        expected_arrival=n.expected_arrival,
        status=n.status,
        allowed_transitions=n.allowed_transitions,
        note=n.note,
        version=n.version,
        lines=[ShipNoticeLinePublic.model_validate(line) for line in view.lines],
    )


def _receiving(view: ReceivingView) -> ReceivingNoticePublic:
    n = view.notice
    return ReceivingNoticePublic(
        id=n.id,
        number=n.number,
        order_id=n.order_id,
        ship_notice_id=n.ship_notice_id,
        site_id=n.site_id,
        received_on=n.received_on,
        status=n.status,
        allowed_transitions=n.allowed_transitions,
        order_status=view.order.status,
        receipt_status=view.receipt_status,
        version=n.version,
        lines=[ReceivingLinePublic.model_validate(line) for line in view.lines],
    )


def _inspection(
    found: QcInspection, return_id: int | None = None, stock_in_id: int | None = None
) -> QcInspectionPublic:
    out = QcInspectionPublic.model_validate(found)
    return out.model_copy(update={"return_id": return_id, "stock_in_notice_id": stock_in_id})


def _return(found: SupplierReturn) -> ReturnPublic:
    out = ReturnPublic.model_validate(
        {
            **{c: getattr(found, c) for c in ReturnPublic.model_fields if c != "allowed_moves"},
            "allowed_moves": receiving_returns.allowed_moves(RETURN_MOVES, found.status),
        }
    )
    return out


@router.put("/receiving-tolerances", response_model=TolerancePublic)
def set_tolerance(payload: ToleranceIn, uow: UowDep) -> TolerancePublic:
    """Over/under-delivery tolerance for a supplier or one of its orders (buyer; default ±5 %)."""
    row = receiving.set_tolerance(uow, payload)
    uow.commit()
    return TolerancePublic.model_validate(row)


@router.get("/receiving-tolerances", response_model=list[TolerancePublic])
def list_tolerances(uow: UowDep) -> list[TolerancePublic]:
    """Tolerances you set for your suppliers, or your buyers set for you."""
    return [TolerancePublic.model_validate(t) for t in receiving.list_tolerances(uow)]


@router.post("/ship-notices", response_model=ShipNoticePublic, status_code=201)
def create_ship_notice(payload: ShipNoticeIn, uow: UowDep, response: Response) -> ShipNoticePublic:
    """Ship part or all of a confirmed purchase order (supplier)."""
    view = receiving.create_ship_notice(uow, payload)
    uow.commit()
    response.headers["Location"] = f"/api/v1/ship-notices/{view.notice.id}"
    return _asn(view)


@router.get("/ship-notices", response_model=list[ShipNoticePublic])
def list_ship_notices(uow: UowDep, order_id: OrderFilter = None) -> list[ShipNoticePublic]:
    """Ship notices of orders you placed or supply."""
    return [_asn(v) for v in receiving.list_ship_notices(uow, order_id)]


@router.get("/ship-notices/{notice_id}", response_model=ShipNoticePublic)
def read_ship_notice(notice_id: Id, uow: UowDep) -> ShipNoticePublic:
    return _asn(receiving.get_ship_notice(uow, notice_id))


@router.post("/receiving-notices", response_model=ReceivingNoticePublic, status_code=201)
def create_receiving_notice(
    payload: ReceivingNoticeIn, uow: UowDep, response: Response
) -> ReceivingNoticePublic:
    """Receive a ship notice's goods into quarantine at the order's ship-to site (buyer)."""
    view = receiving.create_receiving_notice(uow, payload)
    uow.commit()
    response.headers["Location"] = f"/api/v1/receiving-notices/{view.notice.id}"
    return _receiving(view)


@router.get("/receiving-notices", response_model=list[ReceivingNoticePublic])
def list_receiving_notices(
    uow: UowDep, order_id: OrderFilter = None
) -> list[ReceivingNoticePublic]:
    return [_receiving(v) for v in receiving.list_receiving_notices(uow, order_id)]


@router.get("/receiving-notices/{notice_id}", response_model=ReceivingNoticePublic)
def read_receiving_notice(notice_id: Id, uow: UowDep) -> ReceivingNoticePublic:
    return _receiving(receiving.get_receiving_notice(uow, notice_id))


@router.post("/qc-inspections", response_model=QcInspectionPublic, status_code=201)
def inspect(payload: QcInspectionIn, uow: UowDep) -> QcInspectionPublic:
    """Inspect one receiving line: accepted to available, rejected to a return (buyer)."""
    view: InspectionView = receiving_qc.inspect(uow, payload)
    uow.commit()
    returned = None if view.returned is None else view.returned.id
    return _inspection(view.inspection, returned, view.stock_in.id)


@router.get("/qc-inspections", response_model=list[QcInspectionPublic])
def list_inspections(uow: UowDep, order_id: OrderFilter = None) -> list[QcInspectionPublic]:
    return [_inspection(i) for i in receiving_returns.list_of(uow, QcInspection, order_id)]


@router.get("/qc-inspections/{inspection_id}", response_model=QcInspectionPublic)
def read_inspection(inspection_id: Id, uow: UowDep) -> QcInspectionPublic:
    return _inspection(receiving_returns.get_inspection(uow, inspection_id))


@router.get("/returns", response_model=list[ReturnPublic])
def list_returns(uow: UowDep, order_id: OrderFilter = None) -> list[ReturnPublic]:
    return [_return(r) for r in receiving_returns.list_of(uow, SupplierReturn, order_id)]


@router.get("/returns/{return_id}", response_model=ReturnPublic)
def read_return(return_id: Id, uow: UowDep) -> ReturnPublic:
    return _return(receiving_returns.get_return(uow, return_id))


@router.post("/returns/{return_id}/{action}", response_model=ReturnPublic)
def move_return(
    return_id: Id,
    action: Literal["ship", "receive"],
    uow: UowDep,
    payload: MoveIn | None = None,
) -> ReturnPublic:
    """The buyer ships a return; the supplier receives it (back into its stock if it says where)."""
    found = receiving_returns.move_return(uow, return_id, action, payload or MoveIn())
    uow.commit()
    return _return(found)


@router.get("/stock-in-notices", response_model=list[StockInNoticePublic])
def list_stock_in_notices(uow: UowDep, order_id: OrderFilter = None) -> list[StockInNoticePublic]:
    return [
        StockInNoticePublic.model_validate(n)
        for n in receiving_returns.list_of(uow, StockInNotice, order_id)
    ]


@router.get("/stock-in-notices/{notice_id}", response_model=StockInNoticePublic)
def read_stock_in_notice(notice_id: Id, uow: UowDep) -> StockInNoticePublic:
    return StockInNoticePublic.model_validate(receiving_returns.get_stock_in(uow, notice_id))


@router.post("/stock-in-notices/{notice_id}/acknowledge", response_model=StockInNoticePublic)
def acknowledge_stock_in(
    notice_id: Id, uow: UowDep, payload: MoveIn | None = None
) -> StockInNoticePublic:
    """Acknowledge what the buyer took into stock (supplier)."""
    found = receiving_returns.acknowledge_stock_in(uow, notice_id, payload or MoveIn())
    uow.commit()
    return StockInNoticePublic.model_validate(found)


@router.get(
    "/suppliers/{enterprise_id}/scorecard",
    response_model=SupplierScorecard,
    response_model_by_alias=True,
)
def supplier_scorecard(
    enterprise_id: Id,
    uow: UowDep,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
) -> SupplierScorecard:
    """On-time-in-full, quality, price variance and response time, with the documents (buyer)."""
    return scorecard.scorecard(uow, enterprise_id, date_from, date_to)
