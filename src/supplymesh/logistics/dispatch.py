"""Use cases of order dispatch by area: assign orders to station fences, parse addresses.

Fences come with the request or, when it sends none, from the caller's stored station
fences. The caller's own sites serve twice: a fence may name one as its station
(`site_code`), and their addresses are the "known sites" geocoding tries before the
gazetteer. Coordinates may
come in GCJ-02 (picked on AMap or Tencent tiles); they are converted to WGS-84 for the
engine and the answer is given back in the datum asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from supplymesh.logistics.model import StationFence
from supplymesh.logistics.schemas import (
    AddressParseRequest,
    AddressParseResponse,
    AssignmentOut,
    Datum,
    DispatchRequest,
    DispatchResponse,
    DivisionOut,
    ParsedAddressOut,
)
from supplymesh.network.geo import gcj02_to_wgs84, wgs84_to_gcj02
from supplymesh.network.model import Site
from supplymesh.planning.dispatch import (
    DispatchOrder,
    DispatchParams,
    DispatchProblem,
    Fence,
    Geocoder,
    InvalidDispatchInput,
    KnownSite,
    MatchLevel,
    TieBreak,
    assign_orders,
)
from supplymesh.planning.dispatch.gazetteer import Division
from supplymesh.platform.errors import FieldError, ValidationFailed, invalid
from supplymesh.platform.uow import UnitOfWork


def _own_sites(uow: UnitOfWork) -> list[Site]:
    query = select(Site).where(Site.enterprise_id == uow.ctx.enterprise_id).order_by(Site.code)
    return list(uow.session.scalars(query))


def _known(sites: list[Site]) -> list[KnownSite]:
    return [
        KnownSite(s.code, s.address, s.latitude, s.longitude)
        for s in sites
        if s.address and s.latitude is not None and s.longitude is not None
    ]


def _convert_positions(value: Any, convert: Callable[[float, float], tuple[float, float]]) -> Any:
    """Convert every numeric [lon, lat] in nested GeoJSON coordinates; leave the rest as is."""
    if isinstance(value, list):
        pair = len(value) >= 2 and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in value[:2]
        )
        if pair and all(-1e3 < v < 1e3 for v in value[:2]):  # huge or NaN: the engine says why
            lat, lon = convert(float(value[1]), float(value[0]))
            return [lon, lat, *value[2:]]
        return [_convert_positions(v, convert) for v in value]
    return value


def _to_wgs84(
    datum: Datum, lat: float | None, lon: float | None
) -> tuple[float | None, float | None]:
    if datum == "gcj02" and lat is not None and lon is not None:
        return gcj02_to_wgs84(lat, lon)  # leaves points outside China (and NaN) unchanged
    return lat, lon


def _out(datum: Datum, lat: float | None, lon: float | None) -> tuple[float | None, float | None]:
    if datum == "gcj02" and lat is not None and lon is not None:
        return wgs84_to_gcj02(lat, lon)
    return lat, lon


def _invalid(exc: InvalidDispatchInput) -> ValidationFailed:
    errors = [FieldError(p.field, f"{p.record}: {p.message}") for p in exc.problems]
    return ValidationFailed(errors, "Dispatch input is invalid")


def _request_fences(
    request: DispatchRequest, sites: list[Site]
) -> tuple[list[Fence], dict[str, int]]:
    """Fences sent with the request (in its datum), and the station → site id they name."""
    by_code = {s.code: s for s in sites}
    errors: list[FieldError] = []
    fences, station_site = [], {}
    for i, f in enumerate(request.fences or ()):
        station = f.station or f.site_code
        if f.site_code is not None and f.site_code not in by_code:
            errors.append(FieldError(f"fences.{i}.site_code", f"no site {f.site_code!r} is yours"))
        if station is None:
            errors.append(FieldError(f"fences.{i}.station", "give a station or a site_code"))
            continue
        if f.site_code in by_code:
            station_site[station] = by_code[f.site_code].id
        geometry = f.geometry.model_dump()
        if request.datum == "gcj02":
            geometry["coordinates"] = _convert_positions(geometry["coordinates"], gcj02_to_wgs84)
        fences.append(Fence(station, geometry, f.priority))
    if errors:
        raise ValidationFailed(errors, "Dispatch input is invalid")
    return fences, station_site


def _stored_fences(uow: UnitOfWork) -> tuple[list[Fence], dict[str, int]]:
    """The caller's stored station fences (WGS-84 as stored)."""
    query = (
        select(StationFence)
        .where(StationFence.enterprise_id == uow.ctx.enterprise_id)
        .order_by(StationFence.station)
    )
    rows = list(uow.session.scalars(query))
    if not rows:
        raise invalid("fences", "none sent and none stored under /api/v1/station-fences")
    fences = [Fence(r.station, r.geometry, r.priority) for r in rows]
    return fences, {r.station: r.site_id for r in rows if r.site_id is not None}


def dispatch(uow: UnitOfWork, request: DispatchRequest) -> DispatchResponse:
    """Assign orders to the request's fences (or the stored ones), each with its reason."""
    sites = _own_sites(uow)
    if request.fences is None:
        fences, station_site = _stored_fences(uow)
    else:
        fences, station_site = _request_fences(request, sites)
    orders = []
    for o in request.orders:
        lat, lon = _to_wgs84(request.datum, o.latitude, o.longitude)
        orders.append(DispatchOrder(o.id, lat, lon, o.address))
    params = DispatchParams(TieBreak(request.tie_break), MatchLevel(request.coarsest_level))
    problem = DispatchProblem(tuple(fences), tuple(orders), tuple(_known(sites)))
    try:
        result = assign_orders(problem, params)
    except InvalidDispatchInput as exc:
        raise _invalid(exc) from exc
    assignments = []
    for a in result.assignments:
        lat, lon = _out(request.datum, a.latitude, a.longitude)
        assignments.append(
            AssignmentOut(
                order_id=a.order_id,
                station=a.station,
                site_id=station_site.get(a.station) if a.station else None,
                status=a.status.value,
                reason=a.reason,
                candidates=list(a.candidates),
                latitude=lat,
                longitude=lon,
                location_level=a.location_level.value,
                location_note=a.location_note,
                nearest_station=a.nearest_station,
                nearest_km=a.nearest_km,
            )
        )
    return DispatchResponse(
        tie_break_rule=result.tie_break_rule,
        datum=request.datum,
        assignments=assignments,
        by_station=result.by_station(),
    )


def _division(d: Division | None) -> DivisionOut | None:
    return DivisionOut(code=d.code, name=d.name) if d is not None else None


def parse_addresses(uow: UnitOfWork, request: AddressParseRequest) -> AddressParseResponse:
    """Province / city / district and a point for each address, with the level matched."""
    geocoder = Geocoder(_known(_own_sites(uow)))
    results = []
    for text in request.addresses:
        found = geocoder.geocode(text)
        p = found.parsed
        lat, lon = _out(request.datum, found.latitude, found.longitude)
        results.append(
            ParsedAddressOut(
                text=text,
                province=_division(p.province),
                city=_division(p.city),
                district=_division(p.district),
                detail=p.detail,
                unrecognised=p.unrecognised,
                ambiguous=[DivisionOut(code=d.code, name=d.name) for d in p.ambiguous],
                level=found.level.value,
                latitude=lat,
                longitude=lon,
                matched=found.matched,
                note=found.note,
            )
        )
    return AddressParseResponse(datum=request.datum, results=results)
