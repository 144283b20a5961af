"""Outsourcing (委外) orders, material issues, supplements, progress; delivery schedules.

Thin: parse, call a collaboration use case, commit once, present. The order is a purchase
order underneath: it is answered at `/purchase-orders/{id}` and delivered with ship notices.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from supplymesh.api.deps import UowDep
from supplymesh.collab import delivery_schedule, outsourcing, outsourcing_progress
from supplymesh.collab.delivery_schedule import ScheduleView
from supplymesh.collab.delivery_schedule_schemas import (
    ScheduleAnswerIn,
    ScheduleIn,
    ScheduleLinePublic,
    SchedulePublic,
    ScheduleRevisionIn,
)
from supplymesh.collab.outsourcing import IssueView, OutsourcingView
from supplymesh.collab.outsourcing_model import MaterialSupplement
from supplymesh.collab.outsourcing_schemas import (
    AcknowledgeIn,
    ComponentPublic,
    ComponentsIn,
    DecisionIn,
    MaterialIssueIn,
    MaterialIssuePublic,
    MaterialLinePublic,
    OutsourcingOrderIn,
    OutsourcingOrderPublic,
    ProgressIn,
    ProgressPublic,
    SupplementIn,
    SupplementPublic,
)
from supplymesh.platform.db import utcnow
from supplymesh.platform.types import MAX_INT

router = APIRouter(prefix="/api/v1", tags=["outsourcing"])

Id = Annotated[int, Path(ge=1, le=MAX_INT)]
OrderFilter = Annotated[int | None, Query(ge=1, le=MAX_INT)]


def _issue(view: IssueView) -> MaterialIssuePublic:
    i = view.issue
    return MaterialIssuePublic(
        id=i.id,
        number=i.number,
        outsourcing_order_id=i.outsourcing_order_id,
        order_id=i.order_id,
        from_site_id=i.from_site_id,
        to_site_id=i.to_site_id,
        supplement_id=i.supplement_id,
        status=i.status,
        allowed_moves=i.allowed_moves,
        version=i.version,
        lines=[MaterialLinePublic.model_validate(line) for line in view.lines],
    )


def _supplement(found: MaterialSupplement) -> SupplementPublic:
    return SupplementPublic(
        id=found.id,
        outsourcing_order_id=found.outsourcing_order_id,
        component_id=found.component_id,
        quantity=found.quantity,
        reason=found.reason,
        decision_note=found.decision_note,
        status=found.status,
        allowed_moves=found.allowed_moves,
        version=found.version,
    )


def _order(view: OutsourcingView) -> OutsourcingOrderPublic:
    o = view.outsourcing
    return OutsourcingOrderPublic(
        id=o.id,
        order_id=o.order_id,
        order_number=view.order.number,
        order_status=view.order.status,
        order_line_id=o.order_line_id,
        enterprise_id=o.enterprise_id,
        subcontractor_enterprise_id=o.partner_enterprise_id,
        item_id=o.item_id,
        quantity=o.quantity,
        due_date=o.due_date,
        started_quantity=o.started_quantity,
        finished_quantity=o.finished_quantity,
        scrapped_quantity=o.scrapped_quantity,
        version=o.version,
        components=[
            ComponentPublic(
                id=c.id,
                item_id=c.item_id,
                required_quantity=c.required_quantity,
                issued_quantity=c.issued_quantity,
                received_quantity=c.received_quantity,
                consumed_quantity=c.consumed_quantity,
                at_subcontractor=c.received_quantity - c.consumed_quantity,
            )
            for c in view.components
        ],
        material_issues=[_issue(i) for i in view.issues],
        supplements=[_supplement(s) for s in view.supplements],
        progress_reports=[ProgressPublic.model_validate(r) for r in view.reports],
    )


@router.post("/outsourcing-orders", response_model=OutsourcingOrderPublic, status_code=201)
def create_order(
    payload: OutsourcingOrderIn, uow: UowDep, response: Response
) -> OutsourcingOrderPublic:
    """Order an item from a subcontractor, with the components you supply (buyer)."""
    view = outsourcing.create(uow, payload, utcnow().date())
    uow.commit()
    response.headers["Location"] = f"/api/v1/outsourcing-orders/{view.outsourcing.id}"
    return _order(view)


@router.get("/outsourcing-orders", response_model=list[OutsourcingOrderPublic])
def list_orders(uow: UowDep) -> list[OutsourcingOrderPublic]:
    return [_order(v) for v in outsourcing.list_outsourcing_orders(uow)]


@router.get("/outsourcing-orders/{outsourcing_id}", response_model=OutsourcingOrderPublic)
def read_order(outsourcing_id: Id, uow: UowDep) -> OutsourcingOrderPublic:
    return _order(outsourcing.load(uow, outsourcing_id))


@router.put(
    "/outsourcing-orders/{outsourcing_id}/components", response_model=OutsourcingOrderPublic
)
def set_components(
    outsourcing_id: Id, payload: ComponentsIn, uow: UowDep
) -> OutsourcingOrderPublic:
    """Change the components you supply and their quantities (buyer)."""
    view = outsourcing.set_components(uow, outsourcing_id, payload)
    uow.commit()
    return _order(view)


@router.post(
    "/outsourcing-orders/{outsourcing_id}/progress",
    response_model=OutsourcingOrderPublic,
    status_code=201,
)
def report_progress(outsourcing_id: Id, payload: ProgressIn, uow: UowDep) -> OutsourcingOrderPublic:
    """Report quantities started, finished and scrapped (subcontractor)."""
    view = outsourcing_progress.report_progress(uow, outsourcing_id, payload)
    uow.commit()
    return _order(view)


@router.post("/material-issues", response_model=MaterialIssuePublic, status_code=201)
def issue_material(
    payload: MaterialIssueIn, uow: UowDep, response: Response
) -> MaterialIssuePublic:
    """Send components to the subcontractor (buyer); with `supplement_id` it fills a 补料."""
    view = outsourcing.issue_material(uow, payload)
    uow.commit()
    response.headers["Location"] = f"/api/v1/material-issues/{view.issue.id}"
    return _issue(view)


@router.get("/material-issues/{issue_id}", response_model=MaterialIssuePublic)
def read_issue(issue_id: Id, uow: UowDep) -> MaterialIssuePublic:
    return _issue(outsourcing.get_issue(uow, issue_id))


@router.post("/material-issues/{issue_id}/acknowledge", response_model=MaterialIssuePublic)
def acknowledge_issue(issue_id: Id, payload: AcknowledgeIn, uow: UowDep) -> MaterialIssuePublic:
    """Confirm the material arrived at your site (subcontractor)."""
    view = outsourcing.acknowledge_issue(uow, issue_id, payload)
    uow.commit()
    return _issue(view)


@router.post("/material-supplements", response_model=SupplementPublic, status_code=201)
def request_supplement(payload: SupplementIn, uow: UowDep) -> SupplementPublic:
    """Ask for more of a component, saying why (subcontractor)."""
    found = outsourcing.request_supplement(uow, payload)
    uow.commit()
    return _supplement(found)


@router.get("/material-supplements/{supplement_id}", response_model=SupplementPublic)
def read_supplement(supplement_id: Id, uow: UowDep) -> SupplementPublic:
    return _supplement(outsourcing.get_supplement(uow, supplement_id))


@router.post("/material-supplements/{supplement_id}/{action}", response_model=SupplementPublic)
def decide_supplement(
    supplement_id: Id,
    action: Literal["approve", "reject"],
    uow: UowDep,
    payload: DecisionIn | None = None,
) -> SupplementPublic:
    """Approve or reject a supplement request (buyer)."""
    found = outsourcing.decide_supplement(uow, supplement_id, action, payload or DecisionIn())
    uow.commit()
    return _supplement(found)


# --- delivery schedules (要货计划) ---------------------------------------------------------------


def _schedule(view: ScheduleView) -> SchedulePublic:
    s = view.schedule
    return SchedulePublic(
        id=s.id,
        number=s.number,
        order_id=s.order_id,
        enterprise_id=s.enterprise_id,
        partner_enterprise_id=s.partner_enterprise_id,
        revision=s.revision,
        status=s.status,
        allowed_transitions=s.allowed_transitions,
        note=s.note,
        version=s.version,
        lines=[ScheduleLinePublic.model_validate(line) for line in view.lines],
    )


@router.post("/delivery-schedules", response_model=SchedulePublic, status_code=201)
def send_schedule(payload: ScheduleIn, uow: UowDep, response: Response) -> SchedulePublic:
    """Send a delivery schedule against a purchase or outsourcing order (buyer)."""
    view = delivery_schedule.send_schedule(uow, payload)
    uow.commit()
    response.headers["Location"] = f"/api/v1/delivery-schedules/{view.schedule.id}"
    return _schedule(view)


@router.get("/delivery-schedules", response_model=list[SchedulePublic])
def list_schedules(uow: UowDep, order_id: OrderFilter = None) -> list[SchedulePublic]:
    return [_schedule(v) for v in delivery_schedule.list_schedules(uow, order_id)]


@router.get("/delivery-schedules/{schedule_id}", response_model=SchedulePublic)
def read_schedule(schedule_id: Id, uow: UowDep) -> SchedulePublic:
    return _schedule(delivery_schedule.get_schedule(uow, schedule_id))


@router.put("/delivery-schedules/{schedule_id}", response_model=SchedulePublic)
def revise_schedule(schedule_id: Id, payload: ScheduleRevisionIn, uow: UowDep) -> SchedulePublic:
    """Send a new revision of the schedule (buyer); every line is answered again."""
    view = delivery_schedule.revise_schedule(uow, schedule_id, payload)
    uow.commit()
    return _schedule(view)


@router.post("/delivery-schedules/{schedule_id}/cancel", response_model=SchedulePublic)
def cancel_schedule(
    schedule_id: Id, uow: UowDep, payload: DecisionIn | None = None
) -> SchedulePublic:
    view = delivery_schedule.cancel_schedule(uow, schedule_id, (payload or DecisionIn()).version)
    uow.commit()
    return _schedule(view)


@router.post(
    "/delivery-schedules/{schedule_id}/lines/{line_id}/answer", response_model=SchedulePublic
)
def answer_schedule_line(
    schedule_id: Id, line_id: Id, payload: ScheduleAnswerIn, uow: UowDep
) -> SchedulePublic:
    """Confirm a line, confirm part of it, or propose another date (supplier)."""
    view = delivery_schedule.answer_line(uow, schedule_id, line_id, payload)
    uow.commit()
    return _schedule(view)
