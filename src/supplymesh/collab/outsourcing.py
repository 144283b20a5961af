"""Outsourcing (委外): an order to a subcontractor who makes an item from the buyer's components.

The order itself is a purchase order, so the subcontractor confirms it with the PO answers and
delivers it with ship notices, receiving, QC, returns and stock-in notices (`purchasing.py`,
`receiving*.py`) unchanged. What is added here: the components to supply (BOM × quantity by
default), material issues from the buyer's site to the subcontractor's (in transit until the
subcontractor acknowledges them, then the buyer's `at_subcontractor` stock at that site),
and supplement requests (补料) the buyer approves and issues. Progress reports, which use the
components up, are in `outsourcing_progress.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import func, select

from supplymesh.collab.outsourcing_model import (
    MATERIAL_ISSUE_MOVE_SIDE,
    MATERIAL_ISSUE_MOVES,
    SUPPLEMENT_MOVE_SIDE,
    SUPPLEMENT_MOVES,
    MaterialIssue,
    MaterialIssueLine,
    MaterialIssueStatus,
    MaterialSupplement,
    OutsourcingComponent,
    OutsourcingOrder,
    ProgressReport,
    SupplementStatus,
)
from supplymesh.collab.outsourcing_schemas import (
    AcknowledgeIn,
    ComponentsIn,
    DecisionIn,
    MaterialIssueIn,
    OutsourcingOrderIn,
    SupplementIn,
)
from supplymesh.collab.outsourcing_stock import ConsignedLedger
from supplymesh.collab.procurement_model import check_move
from supplymesh.collab.purchasing import purchase_order
from supplymesh.collab.purchasing_moves import (
    acting_for_owner,
    record_move,
    require_side,
    require_version,
)
from supplymesh.collab.receiving import require_supplier
from supplymesh.inventory import orders, refs
from supplymesh.inventory.model import (
    MovementKind,
    Order,
    OrderKind,
    OrderStatus,
    StockStatus,
)
from supplymesh.inventory.schemas import OrderCreate, OrderLineIn
from supplymesh.inventory.stock import StockLedger
from supplymesh.network.model import BomLine, Item, Site
from supplymesh.platform.errors import IllegalTransition, NotFound, invalid
from supplymesh.platform.uow import UnitOfWork

#: Order states in which material is issued and production reported.
PRODUCING = (OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_SHIPPED)
T = TypeVar("T")


@dataclass(frozen=True)
class IssueView:
    issue: MaterialIssue
    lines: list[MaterialIssueLine]


@dataclass(frozen=True)
class OutsourcingView:
    outsourcing: OutsourcingOrder
    order: Order
    components: list[OutsourcingComponent]
    issues: list[IssueView]
    supplements: list[MaterialSupplement]
    reports: list[ProgressReport]


def outsourcing_order(uow: UnitOfWork, outsourcing_id: int) -> tuple[OutsourcingOrder, Order]:
    row = uow.session.get(OutsourcingOrder, outsourcing_id)
    if row is None:
        raise NotFound("OutsourcingOrder", outsourcing_id)
    return row, purchase_order(uow, row.order_id)


def rows_of(uow: UnitOfWork, model: type[T], outsourcing_id: int) -> list[T]:
    column = getattr(model, "outsourcing_order_id")  # noqa: B009 - shared by the child tables
    query = select(model).where(column == outsourcing_id).order_by(getattr(model, "id"))  # noqa: B009
    return list(uow.session.scalars(query))


def load(uow: UnitOfWork, outsourcing_id: int) -> OutsourcingView:
    """An outsourcing order with everything sent, asked for and reported on it (either party)."""
    uow.flush()
    row, order = outsourcing_order(uow, outsourcing_id)
    issues = rows_of(uow, MaterialIssue, row.id)
    lines = list(
        uow.session.scalars(
            select(MaterialIssueLine)
            .where(MaterialIssueLine.material_issue_id.in_([i.id for i in issues]))
            .order_by(MaterialIssueLine.id)
        )
    )
    return OutsourcingView(
        row,
        order,
        rows_of(uow, OutsourcingComponent, row.id),
        [IssueView(i, [x for x in lines if x.material_issue_id == i.id]) for i in issues],
        rows_of(uow, MaterialSupplement, row.id),
        rows_of(uow, ProgressReport, row.id),
    )


def list_outsourcing_orders(uow: UnitOfWork) -> list[OutsourcingView]:
    ids = uow.session.scalars(select(OutsourcingOrder.id).order_by(OutsourcingOrder.id.desc()))
    return [load(uow, i) for i in list(ids)]


def _bom(uow: UnitOfWork, item_id: int, quantity: Decimal, on: date) -> dict[int, Decimal]:
    lines = uow.session.scalars(
        select(BomLine).where(
            BomLine.parent_item_id == item_id,
            BomLine.valid_from <= on,
            (BomLine.valid_to.is_(None)) | (BomLine.valid_to >= on),
        )
    )
    return {line.component_item_id: line.quantity_per * quantity for line in lines}


def create(uow: UnitOfWork, cmd: OutsourcingOrderIn, today: date) -> OutsourcingView:
    """The buyer orders an item from a subcontractor, with the components it supplies."""
    require_supplier(uow, cmd.subcontractor_enterprise_id)
    item = refs.item(uow, cmd.item_id, None)
    if cmd.components is None:
        components = _bom(uow, item.id, cmd.quantity, cmd.due_date or today)
        if not components:
            raise invalid("components", f"item {item.sku} has no BOM: name the components")
    else:
        components = {}
        for index, c in enumerate(cmd.components):
            refs.item(uow, c.item_id, None, f"components.{index}.item_id")
            if c.item_id in components:
                raise invalid(f"components.{index}.item_id", f"{c.item_id} is named twice")
            components[c.item_id] = c.quantity
    line = OrderLineIn(
        item_id=item.id,
        quantity=cmd.quantity,
        unit_price=cmd.unit_price,
        requested_date=cmd.due_date,
    )
    created = orders.create_order(
        uow,
        OrderCreate(
            kind=OrderKind.PURCHASE,
            partner_enterprise_id=cmd.subcontractor_enterprise_id,
            ship_to_site_id=cmd.ship_to_site_id,
            requested_date=cmd.due_date,
            note=cmd.note,
            lines=[line],
        ),
    )
    order = orders.release(uow, created.order.id).order
    row = OutsourcingOrder(
        enterprise_id=order.enterprise_id,
        partner_enterprise_id=order.partner_enterprise_id,
        order_id=order.id,
        order_line_id=created.lines[0].id,
        item_id=item.id,
        quantity=cmd.quantity,
        due_date=cmd.due_date,
    )
    uow.add(row)
    uow.flush()
    for item_id, required in sorted(components.items()):
        uow.add(
            OutsourcingComponent(
                enterprise_id=order.enterprise_id,
                partner_enterprise_id=order.partner_enterprise_id,
                outsourcing_order_id=row.id,
                item_id=item_id,
                required_quantity=required,
            )
        )
    record_move(uow, row, row.id, "outsourcing_order", None, OrderStatus.RELEASED, order.id)
    return load(uow, row.id)


def set_components(uow: UnitOfWork, outsourcing_id: int, cmd: ComponentsIn) -> OutsourcingView:
    """The buyer changes what it supplies; never below what it has already issued."""
    row, order = outsourcing_order(uow, outsourcing_id)
    require_side(uow, "buyer", order.enterprise_id, order.partner_enterprise_id)
    require_version("OutsourcingOrder", order.number, cmd.version, row.version)
    if order.status not in (OrderStatus.RELEASED, *PRODUCING):
        raise IllegalTransition("order", order.status, "components_changed", [])
    existing = {c.item_id: c for c in rows_of(uow, OutsourcingComponent, row.id)}
    for index, want in enumerate(cmd.components):
        refs.item(uow, want.item_id, None, f"components.{index}.item_id")
        component = existing.get(want.item_id)
        if component is None:
            component = OutsourcingComponent(
                enterprise_id=row.enterprise_id,
                partner_enterprise_id=row.partner_enterprise_id,
                outsourcing_order_id=row.id,
                item_id=want.item_id,
            )
            uow.add(component)
            existing[want.item_id] = component
        elif want.quantity < component.issued_quantity:
            raise invalid(
                f"components.{index}.quantity",
                f"{want.quantity} is less than the {component.issued_quantity} already issued",
            )
        component.required_quantity = want.quantity
    return load(uow, row.id)


def require_producing(order: Order, action: str) -> None:
    if order.status not in PRODUCING:
        raise IllegalTransition("order", order.status, action, order.allowed_transitions)


def _number(uow: UnitOfWork, order: Order) -> str:
    count = uow.session.scalar(
        select(func.count()).select_from(MaterialIssue).where(MaterialIssue.order_id == order.id)
    )
    return f"MI-{order.number}-{int(count or 0) + 1:02d}"


def issue_material(uow: UnitOfWork, cmd: MaterialIssueIn) -> IssueView:
    """The buyer sends components from its site: they leave available stock and are in transit."""
    row, order = outsourcing_order(uow, cmd.outsourcing_order_id)
    require_side(uow, "buyer", order.enterprise_id, order.partner_enterprise_id)
    require_producing(order, "material_issued")
    components = {c.id: c for c in rows_of(uow, OutsourcingComponent, row.id)}
    supplement = None
    if cmd.supplement_id is not None:
        supplement = uow.session.get(MaterialSupplement, cmd.supplement_id)
        if supplement is None or supplement.outsourcing_order_id != row.id:
            raise NotFound("MaterialSupplement", cmd.supplement_id)
        target = check_move("material_supplement", SUPPLEMENT_MOVES, supplement.status, "issue")
    site = refs.own_site(uow, cmd.from_site_id, None, "from_site_id")
    issue = MaterialIssue(
        enterprise_id=order.enterprise_id,
        partner_enterprise_id=order.partner_enterprise_id,
        number=_number(uow, order),
        outsourcing_order_id=row.id,
        order_id=order.id,
        from_site_id=site.id,
        supplement_id=cmd.supplement_id,
        note=cmd.note,
        status=MaterialIssueStatus.ISSUED.value,
    )
    uow.add(issue)
    uow.flush()
    ledger = StockLedger(uow, issue.number)
    lines = []
    for index, want in enumerate(cmd.lines):
        component = components.get(want.component_id)
        if component is None:
            raise invalid(f"lines.{index}.component_id", f"{want.component_id} is not a component")
        item = refs.item(uow, component.item_id, None)
        pos = ledger.move(
            site,
            item,
            want.lot,
            want.quantity,
            MovementKind.TRANSFER,
            StockStatus.AVAILABLE,
            StockStatus.IN_TRANSIT,
        )
        ledger.event(pos, site, item, "MaterialIssued", quantity=want.quantity)
        component.issued_quantity += want.quantity
        line = MaterialIssueLine(
            enterprise_id=order.enterprise_id,
            partner_enterprise_id=order.partner_enterprise_id,
            material_issue_id=issue.id,
            component_id=component.id,
            item_id=item.id,
            lot=want.lot,
            quantity=want.quantity,
        )
        uow.add(line)
        lines.append(line)
    record_move(uow, issue, issue.id, "material_issue", None, issue.status, order.id, note=cmd.note)
    if supplement is not None:
        previous = supplement.enter(target)
        uow.flush()
        record_move(
            uow, supplement, supplement.id, "material_supplement", previous, target, order.id
        )
    uow.flush()
    return IssueView(issue, lines)


def get_issue(uow: UnitOfWork, issue_id: int) -> IssueView:
    issue = uow.session.get(MaterialIssue, issue_id)
    if issue is None:
        raise NotFound("MaterialIssue", issue_id)
    lines = uow.session.scalars(
        select(MaterialIssueLine)
        .where(MaterialIssueLine.material_issue_id == issue.id)
        .order_by(MaterialIssueLine.id)
    )
    return IssueView(issue, list(lines))


def acknowledge_issue(uow: UnitOfWork, issue_id: int, cmd: AcknowledgeIn) -> IssueView:
    """The subcontractor confirms receipt at its site: the buyer's stock is now there."""
    view = get_issue(uow, issue_id)
    issue = view.issue
    order = purchase_order(uow, issue.order_id)
    require_side(
        uow,
        MATERIAL_ISSUE_MOVE_SIDE["acknowledge"],
        order.enterprise_id,
        order.partner_enterprise_id,
    )
    require_version("MaterialIssue", issue.number, cmd.version, issue.version)
    target = check_move("material_issue", MATERIAL_ISSUE_MOVES, issue.status, "acknowledge")
    site = refs.own_site(uow, cmd.site_id, None)
    issue.to_site_id = site.id
    previous = issue.enter(target)
    uow.flush()
    with acting_for_owner(uow, order.enterprise_id) as owner:
        source = owner.session.get(Site, issue.from_site_id)
        assert source is not None, "the buyer's own site"
        ledger = ConsignedLedger(owner, order.enterprise_id, issue.number)
        components = {
            c.id: c for c in rows_of(owner, OutsourcingComponent, issue.outsourcing_order_id)
        }
        for line in view.lines:
            item = owner.session.get(Item, line.item_id)
            assert item is not None, "a component the buyer named"
            ledger.move(
                source,
                item,
                line.lot,
                line.quantity,
                MovementKind.TRANSFER,
                StockStatus.IN_TRANSIT,
                None,
            )
            pos = ledger.move(
                site,
                item,
                line.lot,
                line.quantity,
                MovementKind.TRANSFER,
                None,
                StockStatus.AT_SUBCONTRACTOR,
            )
            ledger.event(pos, site, item, "MaterialReceivedBySubcontractor", quantity=line.quantity)
            components[line.component_id].received_quantity += line.quantity
    record_move(uow, issue, issue.id, "material_issue", previous, target, order.id)
    uow.flush()
    return view


# --- supplements (补料) --------------------------------------------------------------------------


def request_supplement(uow: UnitOfWork, cmd: SupplementIn) -> MaterialSupplement:
    """The subcontractor asks for more of one component, saying why."""
    row, order = outsourcing_order(uow, cmd.outsourcing_order_id)
    require_side(uow, "supplier", order.enterprise_id, order.partner_enterprise_id)
    require_producing(order, "supplement_requested")
    component = uow.session.get(OutsourcingComponent, cmd.component_id)
    if component is None or component.outsourcing_order_id != row.id:
        raise invalid("component_id", f"{cmd.component_id} is not a component of this order")
    supplement = MaterialSupplement(
        enterprise_id=order.enterprise_id,
        partner_enterprise_id=order.partner_enterprise_id,
        outsourcing_order_id=row.id,
        order_id=order.id,
        component_id=component.id,
        quantity=cmd.quantity,
        reason=cmd.reason,
        status=SupplementStatus.REQUESTED.value,
    )
    uow.add(supplement)
    uow.flush()
    record_move(
        uow,
        supplement,
        supplement.id,
        "material_supplement",
        None,
        SupplementStatus.REQUESTED,
        order.id,
        note=cmd.reason,
    )
    return supplement


def get_supplement(uow: UnitOfWork, supplement_id: int) -> MaterialSupplement:
    supplement = uow.session.get(MaterialSupplement, supplement_id)
    if supplement is None:
        raise NotFound("MaterialSupplement", supplement_id)
    return supplement


def decide_supplement(
    uow: UnitOfWork, supplement_id: int, action: str, cmd: DecisionIn
) -> MaterialSupplement:
    """The buyer approves (then issues it as a material issue) or rejects a supplement request."""
    if action not in ("approve", "reject"):
        raise NotFound("supplement action", action)
    supplement = get_supplement(uow, supplement_id)
    order = purchase_order(uow, supplement.order_id)
    require_side(
        uow, SUPPLEMENT_MOVE_SIDE[action], order.enterprise_id, order.partner_enterprise_id
    )
    require_version("MaterialSupplement", supplement.id, cmd.version, supplement.version)
    target = check_move("material_supplement", SUPPLEMENT_MOVES, supplement.status, action)
    supplement.decision_note = cmd.note
    previous = supplement.enter(target)
    uow.flush()
    record_move(
        uow,
        supplement,
        supplement.id,
        "material_supplement",
        previous,
        target,
        order.id,
        note=cmd.note,
    )
    return supplement
