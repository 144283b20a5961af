"""The demo's collaboration flows, played over the HTTP API with each enterprise as itself.

Loading rows straight into the tables would leave the buyer's and the suppliers' pages empty
of the documents issue 3 is about, and would skip the checks and the history (transitions,
events, stock movements) the services write. So, right after the network loads, the demo logs
in as Haichuan (HCE) and as its suppliers and drives the real API in-process: an RFQ to
reconciliation with two raw-material suppliers, the eight-step outsourcing flow with the
moulding subcontractor, and a few documents left open so the inboxes are not empty.

Every call checks its status and stops the demo with the path and the response body: a demo
that loaded half its story without saying so would be worse than one that fails.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from supplymesh.network.demo.companies import CORE, DEMO_PASSWORD
from supplymesh.platform.settings import Settings

__all__ = ["DemoFlowError", "FlowsReport", "Party", "play_demo_flows"]

PLANT = "FS-PLANT"  # HCE's Foshan plant: in the tiny and the full network
VAT_PCT = Decimal(13)
CENT = Decimal("0.01")


class DemoFlowError(RuntimeError):
    """A call of the demo flows did not answer as the flow expects."""


@dataclass(frozen=True)
class Party:
    """An enterprise logged in as its demo admin."""

    code: str
    id: int
    headers: dict[str, str]


@dataclass
class FlowsReport:
    """What the flows left behind, for the terminal and for tests."""

    calls: int = 0
    elapsed_s: float = 0.0
    documents: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        d = self.documents
        return (
            f"demo flows played in {self.elapsed_s:.1f} s ({self.calls} API calls): "
            f"{d['rfq_awarded']} awarded, statement {d['statement_id']} signed, "
            f"outsourcing {d['outsourcing_order_number']} stocked in; open: {d['rfq_open']}, "
            f"{d['po_waiting']} and schedule {d['schedule_open']}"
        )


class _Api:
    """One client for every party; each call names who makes it and the status it expects."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.calls = 0

    def login(self, code: str) -> Party:
        username = f"{code.lower()}.admin"
        token = self.send(
            "POST", "/auth/token", None, form={"username": username, "password": DEMO_PASSWORD}
        )
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        me = self.send("GET", "/me", Party(code, 0, headers))
        return Party(code, int(me["enterprise"]["id"]), headers)

    def send(
        self,
        method: str,
        path: str,
        who: Party | None,
        body: Any = None,
        params: dict[str, Any] | None = None,
        form: dict[str, str] | None = None,
        status: int = 200,
    ) -> Any:
        self.calls += 1
        url = f"/api/v1{path}"
        response = self.client.request(
            method,
            url,
            json=body,
            data=form,
            params=params,
            headers=who.headers if who else None,
        )
        if response.status_code != status:
            actor = who.code if who else "anonymous"
            raise DemoFlowError(
                f"{method} {url} as {actor} answered {response.status_code} "
                f"(expected {status}): {response.text[:2000]}"
            )
        return response.json()

    def get(self, path: str, who: Party, **params: Any) -> Any:
        return self.send("GET", path, who, params=params or None)

    def post(self, path: str, who: Party, body: Any = None, status: int = 200) -> Any:
        return self.send("POST", path, who, body, status=status)

    def create(self, path: str, who: Party, body: Any) -> Any:
        return self.send("POST", path, who, body, status=201)

    def item_id(self, who: Party, sku: str) -> int:
        found = [i for i in self.get("/items", who, q=sku, limit=500)["items"] if i["sku"] == sku]
        if len(found) != 1:
            raise DemoFlowError(f"{who.code} has {len(found)} items with SKU {sku}")
        return int(found[0]["id"])

    def site_id(self, who: Party, code: str) -> int:
        sites = self.get("/sites", who, q=code, limit=500)["items"]
        found = [s for s in sites if s["code"] == code and s["enterprise_id"] == who.id]
        if len(found) != 1:
            raise DemoFlowError(f"{who.code} has {len(found)} sites with code {code}")
        return int(found[0]["id"])

    def fullest_lot(self, who: Party, site_id: int, sku: str) -> str:
        """The lot of `sku` with the most available stock at the site (where issues come from)."""
        rows = self.get(
            "/stock/summary", who, site_id=site_id, item_code=sku, by_lot="true", by_status="true"
        )["items"]
        rows = [r for r in rows if r["status"] == "available"]
        if not rows:
            raise DemoFlowError(f"{who.code} holds no available {sku} at site {site_id}")
        return str(max(rows, key=lambda r: Decimal(r["available"]))["lot"] or "")


@contextmanager
def _client(settings: Settings) -> Iterator[TestClient]:
    """The app in-process (no socket, no background workers: `serve` delivers the events)."""
    from supplymesh.api.app import create_app

    app = create_app(settings)
    client = TestClient(app)
    try:
        yield client
    finally:
        client.close()
        app.state.container.db.engine.dispose()


def play_demo_flows(settings: Settings) -> FlowsReport:
    """Play every flow once against the database of `settings` (the demo network just loaded)."""
    started = time.perf_counter()
    report = FlowsReport()
    today = datetime.now(UTC).date()
    with _client(settings) as client:
        api = _Api(client)
        hce = api.login(CORE)
        plant = api.site_id(hce, PLANT)
        _rfq_to_reconciliation(api, hce, plant, today, report.documents)
        _outsourcing(api, hce, plant, today, report.documents)
        _left_open(api, hce, plant, today, report.documents)
        report.calls = api.calls
    report.elapsed_s = time.perf_counter() - started
    return report


# --- 1. RFQ → quotes → split award → answers → ASN → receipt → QC → invoice → statement ---------


def _rfq_to_reconciliation(
    api: _Api, hce: Party, plant: int, today: date, out: dict[str, Any]
) -> None:
    """Power-cord raw materials: PVC and PP resin from Jiahe, tinned copper wire from Tianxiang."""
    jh, tx = api.login("JHPLAST"), api.login("TXCOPPER")
    rfq = api.create(
        "/rfqs",
        hce,
        {
            "title": "电源线及外壳原材料 月度询价",
            "currency": "CNY",
            "deadline": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
            "note": "含税价请另注明；交货至佛山顺德工厂",
            "lines": [
                {"item_code": "RS-PVC", "quantity": "2000", "needed_by": _iso(today, 14)},
                {"item_code": "RS-PP-C", "quantity": "1000", "needed_by": _iso(today, 14)},
                {"item_code": "CU-TW-07", "quantity": "600", "needed_by": _iso(today, 21)},
            ],
            "supplier_enterprise_ids": [jh.id, tx.id],
        },
    )
    pvc, ppc, copper = rfq["lines"]
    valid = _iso(today, 30)
    quotes = f"/rfqs/{rfq['id']}/quotes"
    api.create(
        quotes,
        jh,
        {
            "note": "2吨起订享阶梯价",
            "lines": [
                {
                    "rfq_line_id": pvc["id"],
                    "unit_price": "9.30",
                    "price_breaks": [{"min_quantity": "2000", "unit_price": "9.15"}],
                    "lead_time_days": 7,
                    "valid_until": valid,
                },
                {
                    "rfq_line_id": ppc["id"],
                    "unit_price": "8.95",
                    "lead_time_days": 7,
                    "valid_until": valid,
                },
            ],
        },
    )
    first = {"rfq_line_id": copper["id"], "lead_time_days": 12, "valid_until": valid}
    quote = api.create(quotes, tx, {"lines": [{**first, "unit_price": "79.50"}]})
    api.send(  # Tianxiang sharpens its price after the copper price eased
        "PUT",
        f"{quotes}/{quote['id']}",
        tx,
        {
            "version": quote["version"],
            "note": "铜价回落，下调报价",
            "lines": [{**first, "unit_price": "78.60"}],
        },
    )
    api.get(f"/rfqs/{rfq['id']}/comparison", hce)
    award = api.post(
        f"/rfqs/{rfq['id']}/award",
        hce,
        {
            "version": rfq["version"],
            "ship_to_site_id": plant,
            "allocations": [
                {"rfq_line_id": pvc["id"], "supplier_enterprise_id": jh.id, "quantity": "2000"},
                {"rfq_line_id": ppc["id"], "supplier_enterprise_id": jh.id, "quantity": "1000"},
                {"rfq_line_id": copper["id"], "supplier_enterprise_id": tx.id, "quantity": "600"},
            ],
        },
    )
    orders = {p["supplier_enterprise_id"]: p["order_id"] for p in award["purchase_orders"]}
    out["rfq_awarded"] = award["rfq"]["number"]
    out["rfq_awarded_id"] = rfq["id"]
    jh_po = _answered(api, hce, jh, tx, orders[jh.id], orders[tx.id], today)
    jh_po["lines"].sort(key=lambda line: line["item_id"] != pvc["item_id"])  # PVC, then PP
    out["po_reconciled_id"] = jh_po["id"]
    out["po_confirmed_id"] = orders[tx.id]
    _deliver_and_inspect(api, hce, jh, jh_po, today)
    out["statement_id"] = _reconcile(api, hce, jh, jh_po, today)


def _answered(
    api: _Api, hce: Party, jh: Party, tx: Party, jh_order: int, tx_order: int, today: date
) -> dict[str, Any]:
    """Jiahe accepts both lines; Tianxiang proposes a later date, which HCE accepts."""
    po = api.get(f"/purchase-orders/{jh_order}", jh)
    for line in po["lines"]:
        po = api.post(
            f"/purchase-orders/{jh_order}/lines/{line['id']}/answer", jh, {"action": "accept"}
        )
    tx_po = api.get(f"/purchase-orders/{tx_order}", tx)
    line = tx_po["lines"][0]
    tx_po = api.post(
        f"/purchase-orders/{tx_order}/lines/{line['id']}/answer",
        tx,
        {
            "action": "propose",
            "requested_date": _iso(today, 24),
            "reason": "电解铜到货延迟，交期顺延三天",
            "version": line["answer"]["version"],
        },
    )
    api.post(
        f"/purchase-orders/{tx_order}/lines/{line['id']}/proposal/accept",
        hce,
        {"version": tx_po["lines"][0]["answer"]["version"]},
    )
    return dict(po)


def _deliver_and_inspect(api: _Api, hce: Party, jh: Party, po: dict[str, Any], today: date) -> None:
    """One ASN with a lot per line; 25 kg of PP found damp is returned, the rest stocked in."""
    pvc, ppc = po["lines"]
    resin_expiry = _iso(today, 730)
    asn = api.create(
        "/ship-notices",
        jh,
        {
            "order_id": po["id"],
            "ship_date": today.isoformat(),
            "expected_arrival": _iso(today, 2),
            "note": "两车发货，随车附质保书",
            "lines": [
                {
                    "order_line_id": pvc["id"],
                    "quantity": pvc["quantity"],
                    "lot": f"JH{today:%y%m%d}-PVC",
                    "expires_on": resin_expiry,
                },
                {
                    "order_line_id": ppc["id"],
                    "quantity": ppc["quantity"],
                    "lot": f"JH{today:%y%m%d}-PPC",
                    "expires_on": resin_expiry,
                },
            ],
        },
    )
    received = api.create(
        "/receiving-notices",
        hce,
        {"ship_notice_id": asn["id"], "version": asn["version"], "received_on": today.isoformat()},
    )
    pvc_in, ppc_in = sorted(received["lines"], key=lambda line: line["order_line_id"] != pvc["id"])
    api.create(
        "/qc-inspections",
        hce,
        {
            "receiving_line_id": pvc_in["id"],
            "accepted_quantity": pvc_in["received_quantity"],
            "rejected_quantity": "0",
        },
    )
    inspected = api.create(
        "/qc-inspections",
        hce,
        {
            "receiving_line_id": ppc_in["id"],
            "accepted_quantity": str(Decimal(ppc_in["received_quantity"]) - 25),
            "rejected_quantity": "25",
            "reason": "一袋受潮结块",
        },
    )
    returned = f"/returns/{inspected['return_id']}"
    api.post(f"{returned}/ship", hce)
    api.post(f"{returned}/receive", jh)
    for notice in api.get("/stock-in-notices", jh, order_id=po["id"]):
        api.post(f"/stock-in-notices/{notice['id']}/acknowledge", jh)


def _invoice(
    hce: Party,
    number: str,
    issued_on: date,
    prices: dict[int, Decimal],
    accepted: dict[int, Decimal],
) -> dict[str, Any]:
    """Jiahe's invoice for what QC accepted, at `prices`, 13 % VAT line by line."""
    lines = []
    for line_id, quantity in sorted(accepted.items()):
        amount = (quantity * prices[line_id]).quantize(CENT)
        lines.append(
            {
                "order_line_id": line_id,
                "quantity": str(quantity),
                "unit_price": str(prices[line_id]),
                "vat_rate": str(VAT_PCT),
                "vat_amount": str((amount * VAT_PCT / 100).quantize(CENT)),
                "amount": str(amount),
            }
        )
    return {
        "buyer_enterprise_id": hce.id,
        "number": number,
        "fapiao_number": f"4401{issued_on:%y%m%d}{number[-2:]}".ljust(20, "0"),
        "issue_date": issued_on.isoformat(),
        "lines": lines,
    }


def _reconcile(api: _Api, hce: Party, jh: Party, po: dict[str, Any], today: date) -> int:
    """The PVC is invoiced at the list price, not the break price; disputed, corrected, signed."""
    accepted: dict[int, Decimal] = {}
    for notice in api.get("/stock-in-notices", jh, order_id=po["id"]):
        line = int(notice["order_line_id"])
        accepted[line] = accepted.get(line, Decimal(0)) + Decimal(notice["accepted_quantity"])
    agreed = {int(line["id"]): Decimal(line["unit_price"]) for line in po["lines"]}
    list_price = {**agreed, int(po["lines"][0]["id"]): Decimal("9.30")}
    stamp = f"{today:%y%m}"
    wrong = api.create(
        "/invoices", jh, _invoice(hce, f"JH-INV-{stamp}01", today, list_price, accepted)
    )
    end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    statement = api.create(
        "/reconciliations",
        jh,
        {
            "partner_enterprise_id": hce.id,
            "period_from": today.replace(day=1).isoformat(),
            "period_to": end.isoformat(),
            "note": f"{today:%Y年%m月}对账单",
        },
    )
    path = f"/reconciliations/{statement['id']}"

    def move(action: str, who: Party, note: str | None = None) -> dict[str, Any]:
        body = {"version": statement["version"], "note": note}
        return dict(api.post(f"{path}/{action}", who, body))

    statement = move("submit", jh)
    statement = move("dispute", hce, "PVC电缆料单价应按2吨阶梯价9.15元/kg")
    corrected = _invoice(hce, f"JH-INV-{stamp}02", today, agreed, accepted)
    api.create("/invoices", jh, {**corrected, "replaces_invoice_id": wrong["id"]})
    statement = move("submit", jh, "已按阶梯价重开发票")
    if statement["disputed"] != "0":
        raise DemoFlowError(f"statement {statement['id']} still disputes {statement['disputed']}")
    statement = move("agree", hce)
    statement = move("sign", jh)
    statement = move("sign", hce)
    return int(statement["id"])


# --- 2. Outsourcing (委外), the eight steps of the white paper's section 五.三 -----------------


def _outsourcing(api: _Api, hce: Party, plant: int, today: date, out: dict[str, Any]) -> None:
    """600 rice-cooker housing sets moulded by Huasu from HCE's PP resin (0.65 kg a set)."""
    hs = api.login("HSMOULD")
    shop = api.site_id(hs, "CHANGAN")
    own = api.create(
        "/items",
        hs,
        {
            "sku": "HS-RC-SHELL",
            "name": "电饭煲外壳组件（海川 H-RC 来料加工）",
            "item_type": "component",
        },
    )
    # 1. the outsourcing order, components from HCE's BOM
    oo = api.create(
        "/outsourcing-orders",
        hce,
        {
            "subcontractor_enterprise_id": hs.id,
            "ship_to_site_id": plant,
            "item_id": api.item_id(hce, "H-RC"),
            "quantity": "600",
            "due_date": _iso(today, 14),
            "unit_price": "6.80",
            "note": "来料加工：甲供PP料，加工费6.8元/套",
        },
    )
    (resin,) = oo["components"]
    order_id, line_id = oo["order_id"], oo["order_line_id"]
    # 2. delivery schedule (要货计划) in two drops, confirmed by Huasu
    schedule = api.create(
        "/delivery-schedules",
        hce,
        {
            "order_id": order_id,
            "note": "按总装排产分两批到货",
            "lines": [
                {"order_line_id": line_id, "wanted_on": _iso(today, 10), "quantity": "300"},
                {"order_line_id": line_id, "wanted_on": _iso(today, 14), "quantity": "300"},
            ],
        },
    )
    for line in schedule["lines"]:
        api.post(
            f"/delivery-schedules/{schedule['id']}/lines/{line['id']}/answer",
            hs,
            {"action": "confirm"},
        )
    # 3. Huasu confirms the order
    api.post(f"/purchase-orders/{order_id}/lines/{line_id}/answer", hs, {"action": "accept"})
    # 4. material issue (发料) of the BOM quantity, acknowledged at Huasu's shop
    lot = api.fullest_lot(hce, plant, "RS-PP-H")
    issue = {"outsourcing_order_id": oo["id"], "from_site_id": plant}
    issued = api.create(
        "/material-issues",
        hce,
        {
            **issue,
            "note": "均聚PP按BOM定额发料，随车附批次证明",
            "lines": [
                {"component_id": resin["id"], "quantity": resin["required_quantity"], "lot": lot}
            ],
        },
    )
    api.post(f"/material-issues/{issued['id']}/acknowledge", hs, {"site_id": shop})
    # 5. progress: 300 good and 12 scrapped in mould trials, 补料 for the scrap, the last 300
    made = f"HS{today:%y%m%d}A"
    progress = f"/outsourcing-orders/{oo['id']}/progress"
    report = {"site_id": shop, "supplier_item_id": own["id"], "lot": made}
    api.create(
        progress,
        hs,
        report
        | {
            "started_quantity": "600",
            "finished_quantity": "300",
            "scrapped_quantity": "12",
            "note": "首批300套完成，试模报废12套",
        },
    )
    asked = api.create(
        "/material-supplements",
        hs,
        {
            "outsourcing_order_id": oo["id"],
            "component_id": resin["id"],
            "quantity": "8",
            "reason": "试模报废12套，余料不足以完成剩余300套",
        },
    )
    api.post(f"/material-supplements/{asked['id']}/approve", hce, {"note": "同意补料8kg"})
    refill = api.create(
        "/material-issues",
        hce,
        {
            **issue,
            "supplement_id": asked["id"],
            "lines": [{"component_id": resin["id"], "quantity": "8", "lot": lot}],
        },
    )
    api.post(f"/material-issues/{refill['id']}/acknowledge", hs, {"site_id": shop})
    api.create(
        progress,
        hs,
        report | {"started_quantity": "12", "finished_quantity": "300", "note": "剩余300套完成"},
    )
    # 6. ship notice (发货单) out of Huasu's finished goods
    asn = api.create(
        "/ship-notices",
        hs,
        {
            "order_id": order_id,
            "ship_date": today.isoformat(),
            "expected_arrival": _iso(today, 1),
            "from_site_id": shop,
            "lines": [
                {
                    "order_line_id": line_id,
                    "quantity": "600",
                    "lot": made,
                    "supplier_item_id": own["id"],
                }
            ],
        },
    )
    # 7. receiving notice (收料通知单) at HCE's plant
    received = api.create(
        "/receiving-notices",
        hce,
        {"ship_notice_id": asn["id"], "version": asn["version"], "received_on": today.isoformat()},
    )
    # 8. QC: 6 sets rejected and returned (退料); the stock-in notice goes back to Huasu
    inspected = api.create(
        "/qc-inspections",
        hce,
        {
            "receiving_line_id": received["lines"][0]["id"],
            "accepted_quantity": "594",
            "rejected_quantity": "6",
            "reason": "外壳缩痕、熔接线明显",
        },
    )
    api.post(f"/returns/{inspected['return_id']}/ship", hce)
    api.post(f"/returns/{inspected['return_id']}/receive", hs)
    api.post(f"/stock-in-notices/{inspected['stock_in_notice_id']}/acknowledge", hs)
    out["outsourcing_order_id"] = oo["id"]
    out["outsourcing_order_number"] = oo["order_number"]
    out["stock_in_notice_id"] = inspected["stock_in_notice_id"]


# --- 3. Documents left open so the inboxes and the pipeline have something to show ------------


def _left_open(api: _Api, hce: Party, plant: int, today: date, out: dict[str, Any]) -> None:
    """An RFQ open for quotes, a PO waiting for its answer, a schedule to confirm."""
    rd, xc = api.login("RDMOTOR"), api.login("XCELEC")
    rfq = api.create(
        "/rfqs",
        hce,
        {
            "title": "2027年一季度 风扇电机询价",
            "currency": "CNY",
            "deadline": (datetime.now(UTC) + timedelta(days=10)).isoformat(),
            "lines": [
                {"item_code": "M-AC", "quantity": "3000", "needed_by": _iso(today, 45)},
                {"item_code": "M-SYN", "quantity": "3000", "needed_by": _iso(today, 45)},
            ],
            "supplier_enterprise_ids": [rd.id],
        },
    )
    out["rfq_open"] = rfq["number"]
    order = api.create(
        "/orders",
        hce,
        {
            "kind": "purchase",
            "partner_enterprise_id": xc.id,
            "ship_to_site_id": plant,
            "requested_date": _iso(today, 20),
            "note": "电饭煲微电脑板 补库",
            "lines": [{"item_code": "PCB-MC", "quantity": "1200", "unit_price": "26"}],
        },
    )
    released = api.post(f"/orders/{order['id']}/release", hce, {"version": order["version"]})
    out["po_waiting"] = released["number"]
    out["po_waiting_id"] = released["id"]
    confirmed = api.get(f"/purchase-orders/{out['po_confirmed_id']}", hce)
    (copper,) = confirmed["lines"]
    schedule = api.create(
        "/delivery-schedules",
        hce,
        {
            "order_id": confirmed["id"],
            "note": "铜线分两批到货",
            "lines": [
                {"order_line_id": copper["id"], "wanted_on": _iso(today, 24), "quantity": "300"},
                {"order_line_id": copper["id"], "wanted_on": _iso(today, 31), "quantity": "300"},
            ],
        },
    )
    out["schedule_open"] = schedule["number"]
    out["schedule_open_id"] = schedule["id"]


def _iso(today: date, days: int) -> str:
    return (today + timedelta(days=days)).isoformat()
