"""Delivery routes from a depot: the caller's open orders → a vehicle routing problem → a plan.

The plants we serve are often offline, so no road-routing service is called: distances are
great-circle distances times a detour factor (1.3 is the usual figure for Chinese road
networks at city-to-county scale), except where a lane between the two sites records its
road distance. Demand is the orders' weight (quantity × the item's `weight_kg`); an item
without a weight, a stop without coordinates, an order heavier than every truck or a window
no truck can reach are refused with the record named, never planned around silently. Each
order is one stop, so one that does not fit next to others simply goes on another truck.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_CEILING, Decimal
from itertools import pairwise
from typing import Any

import numpy as np
from sqlalchemy import select

from supplymesh.inventory.model import Order, OrderKind, OrderLine, OrderStatus
from supplymesh.inventory.orders import lines_of
from supplymesh.logistics.model import RoutePlanRecord
from supplymesh.logistics.route_schemas import RoutePlanCreate, RoutePlanOut, clock_seconds
from supplymesh.network.geo import haversine_km
from supplymesh.network.model import Item, Lane, Site
from supplymesh.planning.routing.check import timetable
from supplymesh.planning.routing.params import RoutingParams
from supplymesh.planning.routing.problem import Client, Depot, RoutingProblem, VehicleType
from supplymesh.planning.routing.result import RoutingResult
from supplymesh.planning.routing.solve import plan_routes
from supplymesh.platform.errors import FieldError, NotFound, ValidationFailed, invalid
from supplymesh.platform.uow import UnitOfWork

#: Orders that still have to leave the depot.
OPEN_STATUSES = (OrderStatus.RELEASED, OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_SHIPPED)


def _hhmm(seconds: int) -> str:
    day, rest = divmod(seconds, 86_400)
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}"
    return text if day == 0 else f"{text} (+{day}d)"


def _orders(uow: UnitOfWork, req: RoutePlanCreate, depot: Site) -> list[Order]:
    query = select(Order).where(
        Order.enterprise_id == uow.ctx.enterprise_id,
        Order.kind.in_((OrderKind.SALES, OrderKind.TRANSFER)),
        Order.ship_from_site_id == depot.id,
    )
    if req.order_ids is not None:
        found = {o.id: o for o in uow.session.scalars(query.where(Order.id.in_(req.order_ids)))}
        errors = [
            FieldError(
                f"order_ids.{i}", f"order {oid} is not an order of yours shipped from {depot.code}"
            )
            for i, oid in enumerate(req.order_ids)
            if oid not in found
        ]
        errors += [
            FieldError(
                f"order_ids.{i}", f"order {found[oid].number} is {found[oid].status}, not open"
            )
            for i, oid in enumerate(req.order_ids)
            if oid in found and found[oid].status not in OPEN_STATUSES
        ]
        if errors:
            raise ValidationFailed(errors)
        return [found[oid] for oid in req.order_ids]
    chosen = query.where(Order.requested_date == req.date, Order.status.in_(OPEN_STATUSES))
    return list(uow.session.scalars(chosen.order_by(Order.number)))


def _weights(uow: UnitOfWork, orders: list[Order]) -> dict[int, int]:
    """Kilograms still to deliver per order, rounded up; refuses items without a weight."""
    lines = lines_of(uow, [o.id for o in orders])
    item_ids = {line.item_id for ls in lines.values() for line in ls}
    items = {i.id: i for i in uow.session.scalars(select(Item).where(Item.id.in_(item_ids)))}
    errors: list[FieldError] = []
    weights: dict[int, int] = {}
    for order in orders:
        total = Decimal(0)
        for line in lines.get(order.id, []):
            item = items[line.item_id]
            if item.weight_kg is None:
                errors.append(
                    FieldError(
                        "order_ids", f"order {order.number}: item {item.sku} has no weight_kg"
                    )
                )
                continue
            total += _open(line) * item.weight_kg
        weights[order.id] = int(total.to_integral_value(rounding=ROUND_CEILING))
    if errors:
        raise ValidationFailed(errors)
    return weights


def _open(line: OrderLine) -> Decimal:
    return max(Decimal(0), line.quantity - line.quantity_shipped)


def _sites(uow: UnitOfWork, ids: set[int]) -> dict[int, Site]:
    sites = {s.id: s for s in uow.session.scalars(select(Site).where(Site.id.in_(ids)))}
    missing = [
        FieldError("order_ids", f"site {s.code} has no coordinates")
        for s in sites.values()
        if s.latitude is None or s.longitude is None
    ]
    if missing:
        raise ValidationFailed(missing)
    return sites


def _road_km(uow: UnitOfWork, ids: set[int]) -> dict[tuple[int, int], float]:
    lanes = uow.session.scalars(
        select(Lane).where(
            Lane.from_site_id.in_(ids), Lane.to_site_id.in_(ids), Lane.distance_km.is_not(None)
        )
    )
    known: dict[tuple[int, int], float] = {}
    for lane in lanes:
        assert lane.distance_km is not None
        known[(lane.from_site_id, lane.to_site_id)] = float(lane.distance_km)
        known.setdefault((lane.to_site_id, lane.from_site_id), float(lane.distance_km))
    return known


def _matrices(
    req: RoutePlanCreate, points: list[Site], road_km: dict[tuple[int, int], float]
) -> tuple[np.ndarray, np.ndarray]:
    n = len(points)
    distance = np.zeros((n, n), dtype=np.int64)
    for i, a in enumerate(points):
        for j, b in enumerate(points):
            if i == j or a.id == b.id:
                continue
            known = road_km.get((a.id, b.id))
            if known is not None:
                distance[i, j] = round(known * 1000)
            else:
                assert a.latitude is not None and a.longitude is not None
                assert b.latitude is not None and b.longitude is not None
                crow = 1000 * haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)
                distance[i, j] = round(crow * req.road_factor)
    duration = np.ceil(distance / (req.speed_kmh / 3.6)).astype(np.int64)
    return distance, duration


def build_problem(
    uow: UnitOfWork, req: RoutePlanCreate
) -> tuple[RoutingProblem, Site, list[Order], dict[int, Site], dict[int, int]]:
    """The routing problem of the request, with what the plan needs to name its stops."""
    depot = uow.session.get(Site, req.depot_site_id)
    if depot is None or depot.enterprise_id != uow.ctx.enterprise_id:
        raise NotFound("Site", req.depot_site_id)
    orders = _orders(uow, req, depot)
    weights = _weights(uow, orders)
    no_destination = [o.number for o in orders if o.ship_to_site_id is None]
    if no_destination:
        raise invalid("order_ids", f"orders without a ship-to site: {', '.join(no_destination)}")
    sites = _sites(uow, {depot.id} | {o.ship_to_site_id for o in orders if o.ship_to_site_id})
    windows = {w.order_id: w for w in req.windows}
    unknown = sorted(set(windows) - {o.id for o in orders})
    if unknown:
        raise invalid("windows", f"windows name orders not in the plan: {unknown}")
    biggest = max(v.capacity_kg for v in req.vehicles)
    clients = []
    for order in orders:
        if weights[order.id] > biggest:
            raise invalid(
                "order_ids",
                f"order {order.number} weighs {weights[order.id]} kg, more than the largest "
                f"truck ({biggest} kg)",
            )
        window = windows.get(order.id)
        early = clock_seconds(window.window_start) if window and window.window_start else 0
        late = clock_seconds(window.window_end) if window and window.window_end else 2 * 86_400
        if late < early:
            raise invalid("windows", f"order {order.number}: window ends before it starts")
        service = window.service_minutes if window and window.service_minutes is not None else None
        clients.append(
            Client(
                name=order.number,
                demand=weights[order.id],
                tw_early=early,
                tw_late=late,
                service_duration=60 * (req.service_minutes if service is None else service),
            )
        )
    fleet = tuple(
        VehicleType(
            capacity=v.capacity_kg,
            count=v.count,
            shift_early=clock_seconds(v.shift_start),
            shift_late=clock_seconds(v.shift_end),
            name=v.name,
        )
        for v in req.vehicles
    )
    points = [depot] + [sites[o.ship_to_site_id] for o in orders if o.ship_to_site_id]
    distance, duration = _matrices(req, points, _road_km(uow, {p.id for p in points}))
    try:
        problem = RoutingProblem(
            depots=(Depot(depot.code),),
            clients=tuple(clients),
            vehicle_types=fleet,
            distance=distance,
            duration=duration,
            name=req.name,
        )
    except ValueError as exc:  # a window no truck can reach, named by the engine
        raise invalid("windows", str(exc)) from exc
    return problem, depot, orders, sites, weights


def _plan_json(
    problem: RoutingProblem,
    result: RoutingResult,
    depot: Site,
    orders: list[Order],
    sites: dict[int, Site],
    windows: dict[int, Any],
) -> dict[str, Any]:
    routes = []
    numbered: defaultdict[int, int] = defaultdict(int)
    for route in result.routes:
        vt = problem.vehicle_types[route.vehicle_type]
        numbered[route.vehicle_type] += 1
        stops, back = timetable(problem, route)
        out_stops = []
        for c, times in zip(route.clients, stops, strict=True):
            order = orders[c]
            site = sites[order.ship_to_site_id or 0]
            window = windows.get(order.id)
            out_stops.append(
                {
                    "order_id": order.id,
                    "order_number": order.number,
                    "site_id": site.id,
                    "site_code": site.code,
                    "site_name": site.name,
                    "latitude": site.latitude,
                    "longitude": site.longitude,
                    "demand_kg": problem.clients[c].demand,
                    "arrival": _hhmm(times.arrival),
                    "service_start": _hhmm(times.start),
                    "departure": _hhmm(times.departure),
                    "window": [window.window_start or "", window.window_end or ""]
                    if window
                    else None,
                }
            )
        locs = [0] + [problem.location(c) for c in route.clients] + [0]
        metres = sum(int(problem.distance[a, b]) for a, b in pairwise(locs))
        routes.append(
            {
                "vehicle": f"{vt.name} #{numbered[route.vehicle_type]}",
                "vehicle_type": vt.name,
                "capacity_kg": vt.capacity,
                "load_kg": sum(problem.clients[c].demand for c in route.clients),
                "distance_km": round(metres / 1000, 3),
                "start": _hhmm(max(vt.shift_early, 0)),
                "back": _hhmm(back),
                "stops": out_stops,
            }
        )
    return {
        "depot": {
            "site_id": depot.id,
            "code": depot.code,
            "name": depot.name,
            "latitude": depot.latitude,
            "longitude": depot.longitude,
        },
        "routes": routes,
        "distance_km": round(result.cost / 1000, 3),
        "vehicles_used": len(routes),
        "orders": len(orders),
        "feasible": result.feasible,
        "violations": list(result.violations),
        "solver": result.solver,
        "runtime_s": round(result.runtime_s, 3),
    }


def create_route_plan(uow: UnitOfWork, req: RoutePlanCreate) -> RoutePlanOut:
    """Plan the routes and store the plan; an infeasible plan is stored with its reasons."""
    problem, depot, orders, sites, _weights_kg = build_problem(uow, req)
    params = RoutingParams(time_limit_s=req.time_limit_s, solver=req.solver)
    result = plan_routes(problem, params)
    windows = {w.order_id: w for w in req.windows}
    plan = _plan_json(problem, result, depot, orders, sites, windows)
    record = RoutePlanRecord(
        enterprise_id=uow.ctx.enterprise_id,
        name=req.name,
        depot_site_id=depot.id,
        request=req.model_dump(mode="json"),
        plan=plan,
        status="planned" if result.feasible else "infeasible",
    )
    uow.add(record)
    uow.flush()
    return _out(record)


def _out(record: RoutePlanRecord) -> RoutePlanOut:
    return RoutePlanOut.model_validate(
        {
            **record.plan,
            "id": record.id,
            "name": record.name,
            "status": record.status,
            "created_at": record.created_at,
        }
    )


def get_route_plan(uow: UnitOfWork, plan_id: int) -> RoutePlanOut:
    record = uow.session.get(RoutePlanRecord, plan_id)
    if record is None:
        raise NotFound("RoutePlan", plan_id)
    return _out(record)


def list_route_plans(uow: UnitOfWork, limit: int = 50) -> list[RoutePlanOut]:
    query = select(RoutePlanRecord).order_by(RoutePlanRecord.id.desc()).limit(limit)
    return [_out(r) for r in uow.session.scalars(query)]
