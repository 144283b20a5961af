"""A small plant for production tests: two work centres, three machines, a day-shift calendar
with a holiday, two product families sharing a component, and helpers to add work orders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from supplymesh.inventory.model import Order, OrderLine, StockPosition
from supplymesh.network.model import (
    BomLine,
    Calendar,
    Item,
    Machine,
    RoutingStep,
    Site,
    WorkCenter,
)
from supplymesh.network.services import NewEnterprise, register_enterprise
from supplymesh.platform.tenancy import TenantContext
from supplymesh.platform.uow import Database
from supplymesh.production.model import WorkOrder

#: Monday 2 March 2026, 08:00 in Shanghai: the start of the day shift.
MONDAY_8AM = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
HOLIDAY = date(2026, 3, 4)  # the Wednesday
SHIFTS = [{"name": "A", "start": "08:00", "end": "16:00", "weekdays": [0, 1, 2, 3, 4]}]


@dataclass
class World:
    db: Database
    enterprise_id: int
    username: str
    password: str
    site_id: int = 0
    machines: dict[str, int] = field(default_factory=dict)
    items: dict[str, int] = field(default_factory=dict)

    @property
    def ctx(self) -> TenantContext:
        return TenantContext(self.enterprise_id, None, "admin")

    def work_order(
        self,
        sku: str,
        quantity: int,
        due: datetime,
        priority: int = 5,
        status: str = "planned",
    ) -> int:
        with self.db.unit_of_work(self.ctx) as uow:
            n = len(uow.session.query(WorkOrder).all()) + 1
            order = WorkOrder(
                number=f"WO-{n:06d}",
                item_id=self.items[sku],
                site_id=self.site_id,
                quantity=Decimal(quantity),
                due_at=due,
                priority=priority,
                status=status,
            )
            uow.add(order)
            uow.commit()
            return order.id

    def stock(self, sku: str, quantity: int) -> None:
        with self.db.unit_of_work(self.ctx) as uow:
            uow.add(
                StockPosition(
                    site_id=self.site_id, item_id=self.items[sku], on_hand=Decimal(quantity)
                )
            )
            uow.commit()

    def incoming(self, sku: str, quantity: int, on: date, supplier_id: int) -> None:
        """A released purchase order from `supplier_id` due at the plant on `on`."""
        with self.db.unit_of_work(self.ctx) as uow:
            order = Order(
                partner_enterprise_id=supplier_id,
                number=f"PO-{sku}",
                kind="purchase",
                status="released",
                ship_to_site_id=self.site_id,
                order_date=on,
                requested_date=on,
            )
            uow.add(order)
            uow.flush()
            uow.add(
                OrderLine(
                    partner_enterprise_id=supplier_id,
                    order_id=order.id,
                    line_no=1,
                    item_id=self.items[sku],
                    quantity=Decimal(quantity),
                    requested_date=on,
                )
            )
            uow.commit()


def enterprise(db: Database, code: str) -> tuple[int, str, str]:
    username, password = f"{code.lower()}.admin", f"{code.lower()}-password"
    ent, _ = register_enterprise(
        db, NewEnterprise(code, f"{code} Co", ["manufacturer"], username, password)
    )
    return ent.id, username, password


def build_world(db: Database, code: str = "ACME", with_calendar: bool = True) -> World:
    """The plant: CUT-01, CUT-02 (cutting) and ASM-01 (assembly); P1, P2 (two families,
    each made of C1), P3 (made of C2, never stocked) and P4 (made of C3, bought in)."""
    ent_id, username, password = enterprise(db, code)
    world = World(db, ent_id, username, password)
    with db.unit_of_work(world.ctx) as uow:
        site = Site(code="P1", name="Plant 1", kind="plant", timezone="Asia/Shanghai")
        uow.add(site)
        uow.flush()
        calendar = None
        if with_calendar:
            calendar = Calendar(
                code="DAY",
                name="Day shift",
                shifts=SHIFTS,
                exceptions=[{"date": HOLIDAY.isoformat(), "working": False}],
            )
            uow.add(calendar)
            uow.flush()
        centres = {}
        for wc_code in ("CUT", "ASM"):
            wc = WorkCenter(
                site_id=site.id,
                code=wc_code,
                name=wc_code,
                calendar_id=None if calendar is None else calendar.id,
            )
            uow.add(wc)
            uow.flush()
            centres[wc_code] = wc.id
        for m_code, wc_code in (("CUT-01", "CUT"), ("CUT-02", "CUT"), ("ASM-01", "ASM")):
            machine = Machine(
                site_id=site.id, work_center_id=centres[wc_code], code=m_code, name=m_code
            )
            uow.add(machine)
            uow.flush()
            world.machines[m_code] = machine.id
        for sku, category, kind in (
            ("P1", "gears", "finished"),
            ("P2", "shafts", "finished"),
            ("P3", "gears", "finished"),
            ("P4", "shafts", "finished"),
            ("C1", None, "raw"),
            ("C2", None, "raw"),
            ("C3", None, "raw"),
        ):
            item = Item(sku=sku, name=sku, category=category, item_type=kind)
            uow.add(item)
            uow.flush()
            world.items[sku] = item.id
        for parent, component in (("P1", "C1"), ("P2", "C1"), ("P3", "C2"), ("P4", "C3")):
            uow.add(
                BomLine(
                    parent_item_id=world.items[parent],
                    component_item_id=world.items[component],
                    quantity_per=Decimal(2),
                )
            )
            for seq, wc_code, setup, run in ((10, "CUT", 20, "1"), (20, "ASM", 10, "0.5")):
                uow.add(
                    RoutingStep(
                        item_id=world.items[parent],
                        sequence=seq,
                        work_center_id=centres[wc_code],
                        setup_minutes=Decimal(setup),
                        run_minutes_per_unit=Decimal(run),
                    )
                )
        uow.commit()
        world.site_id = site.id
    return world
