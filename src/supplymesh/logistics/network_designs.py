"""Network design over the caller's own sites: which DCs to open and who each one serves.

The candidates and customers are sites of the enterprise (with coordinates); demand comes from
the request or from the demand history. The engine is `planning/network_design` (HiGHS with a
Lagrangian bound); each scenario is the same problem under another assumption, solved and
tabulated side by side with its plan, so the map can draw opened sites and assignment lines.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from sqlalchemy import func, select

from supplymesh.logistics.design_schemas import (
    Assignment,
    NetworkDesignRequest,
    NetworkDesignResponse,
    ScenarioOut,
    SitePoint,
)
from supplymesh.network.geo import haversine_km
from supplymesh.network.model import DemandRecord, Lane, Site
from supplymesh.planning.network_design.params import FacilityParams
from supplymesh.planning.network_design.problem import FacilityProblem, MalformedProblem
from supplymesh.planning.network_design.scenarios import compare_scenarios
from supplymesh.platform.errors import FieldError, ValidationFailed, invalid
from supplymesh.platform.uow import UnitOfWork


def _own_sites(uow: UnitOfWork, ids: list[int], field: str) -> dict[int, Site]:
    found = {
        s.id: s
        for s in uow.session.scalars(
            select(Site).where(Site.enterprise_id == uow.ctx.enterprise_id, Site.id.in_(ids))
        )
    }
    errors = [
        FieldError(f"{field}.{i}.site_id", f"site {sid} is not one of yours")
        for i, sid in enumerate(ids)
        if sid not in found
    ]
    errors += [
        FieldError(f"{field}.{i}.site_id", f"site {found[sid].code} has no coordinates")
        for i, sid in enumerate(ids)
        if sid in found and (found[sid].latitude is None or found[sid].longitude is None)
    ]
    if errors:
        raise ValidationFailed(errors)
    return found


def _demands(
    uow: UnitOfWork, req: NetworkDesignRequest, sites: dict[int, Site]
) -> dict[int, float]:
    wanted = [c.site_id for c in req.customers if c.demand is None]
    history: dict[int, float] = defaultdict(float)
    if wanted:
        rows = uow.session.execute(
            select(DemandRecord.site_id, func.sum(DemandRecord.quantity))
            .where(
                DemandRecord.site_id.in_(wanted),
                DemandRecord.day >= req.history_from,
                DemandRecord.day <= req.history_to,
            )
            .group_by(DemandRecord.site_id)
        )
        for site_id, total in rows:
            history[site_id] = float(total or 0)
    out: dict[int, float] = {}
    for i, c in enumerate(req.customers):
        demand = c.demand if c.demand is not None else history.get(c.site_id, 0.0)
        if demand <= 0:
            raise invalid(
                f"customers.{i}.site_id",
                f"site {sites[c.site_id].code} has no demand in the history period",
            )
        out[c.site_id] = demand
    return out


def _distances_km(
    uow: UnitOfWork, req: NetworkDesignRequest, sources: list[Site], sinks: list[Site]
) -> np.ndarray:
    ids = {s.id for s in sources} | {s.id for s in sinks}
    lanes = uow.session.scalars(
        select(Lane).where(
            Lane.from_site_id.in_(ids), Lane.to_site_id.in_(ids), Lane.distance_km.is_not(None)
        )
    )
    road = {(lane.from_site_id, lane.to_site_id): float(lane.distance_km or 0) for lane in lanes}
    out = np.zeros((len(sources), len(sinks)))
    for i, a in enumerate(sources):
        for j, b in enumerate(sinks):
            if (a.id, b.id) in road:
                out[i, j] = road[(a.id, b.id)]
            elif a.id != b.id:
                assert a.latitude is not None and a.longitude is not None
                assert b.latitude is not None and b.longitude is not None
                crow = haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)
                out[i, j] = crow * req.road_factor
    return out


def _point(site: Site) -> SitePoint:
    assert site.latitude is not None and site.longitude is not None
    return SitePoint(
        site_id=site.id,
        code=site.code,
        name=site.name,
        latitude=site.latitude,
        longitude=site.longitude,
    )


def design_network(uow: UnitOfWork, req: NetworkDesignRequest) -> NetworkDesignResponse:
    """Solve every scenario of the request and return them with their plans."""
    cand_ids = [c.site_id for c in req.candidates]
    cust_ids = [c.site_id for c in req.customers]
    for field, ids in (("candidates", cand_ids), ("customers", cust_ids)):
        if len(set(ids)) != len(ids):
            raise invalid(field, "a site appears twice")
    candidates = _own_sites(uow, cand_ids, "candidates")
    customers = _own_sites(uow, cust_ids, "customers")
    demand = _demands(uow, req, customers)
    sources = [candidates[i] for i in cand_ids]
    sinks = [customers[i] for i in cust_ids]
    km = _distances_km(uow, req, sources, sinks)
    demands = np.array([demand[i] for i in cust_ids])
    index = {sid: k for k, sid in enumerate(cand_ids)}
    base = dict(
        capacities=np.array([c.capacity for c in req.candidates]),
        fixed_costs=np.array([c.fixed_cost for c in req.candidates]),
        demands=demands,
        assignment_cost=km * demands[None, :] * req.cost_per_unit_km,
        variable_cost=np.array([c.handling_cost_per_unit for c in req.candidates]),
        site_names=tuple(s.code for s in sources),
        customer_names=tuple(s.code for s in sinks),
    )
    problems = []
    for k, sc in enumerate(req.scenarios):
        unknown = [s for s in sc.force_open + sc.force_closed if s not in index]
        if unknown:
            raise invalid(f"scenarios.{k}", f"{sc.name}: sites {unknown} are not candidates")
        try:
            problem = FacilityProblem(
                name=sc.name,
                distances=km if sc.max_service_km is not None else None,
                max_service_distance=sc.max_service_km,
                single_sourcing=sc.single_sourcing,
                force_open=frozenset(index[s] for s in sc.force_open),
                force_closed=frozenset(index[s] for s in sc.force_closed),
                **base,
            )
        except MalformedProblem as exc:
            raise invalid(f"scenarios.{k}", f"{sc.name}: {exc}") from exc
        problems.append((sc.name, problem))
    rows = compare_scenarios(problems, FacilityParams(time_limit_s=req.time_limit_s))
    scenarios = []
    for row in rows:
        assignments: list[Assignment] = []
        if row.flows is not None:
            for i, j in zip(*np.nonzero(row.flows > 1e-6), strict=True):
                share = float(row.flows[i, j])
                assignments.append(
                    Assignment(
                        customer_site_id=cust_ids[j],
                        site_id=cand_ids[i],
                        share=round(share, 6),
                        units=round(share * float(demands[j]), 3),
                        distance_km=round(float(km[i, j]), 1),
                    )
                )
        scenarios.append(
            ScenarioOut(
                name=row.scenario,
                status=row.status,
                cost=row.cost,
                fixed_cost=row.fixed_cost,
                service_cost=row.service_cost,
                utilisation_pct=row.utilisation_pct,
                cost_vs_first_pct=row.cost_vs_first_pct,
                reason=row.reason,
                open_site_ids=[cand_ids[i] for i in row.open_indices],
                assignments=assignments,
            )
        )
    return NetworkDesignResponse(
        candidates=[_point(s) for s in sources],
        customers=[_point(s) for s in sinks],
        demands={sid: float(d) for sid, d in demand.items()},
        scenarios=scenarios,
    )
