"""Recall scope: the forward trace of a suspect lot or unit, as a list and on the map.

The trace runs in the caller's unit of work (`trace.recall.walk`), so it shows only events the
caller may read; where the trail continues into another enterprise's events it is marked as an
opaque hop with that enterprise's name, never with the hidden events. Locations are drawn where
they name a site (by its GLN, or our site URN) that has coordinates; movements are lines
between the successive places a unit or lot was seen.
"""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from supplymesh.network.model import Enterprise
from supplymesh.platform.errors import DomainError
from supplymesh.trace import flows, recall
from supplymesh.trace.model import EpcisEventEpc
from supplymesh.trace.passport import Place, ScannedCode, place_of
from supplymesh.web.context import Web, WebDep, render
from supplymesh.web.nav import NavEntry, PageSet, web_router
from supplymesh.web.pages.map import BASE_LAYER

router = web_router()


def start_epc(web: Web, text: str) -> str:
    """The EPC to trace from: a URN as given, or the lot / instance of a Digital Link (under
    the company prefix length the caller's events use; ours by default)."""
    text = text.strip()
    if not text.startswith(("http://", "https://")):
        return recall.check_epc(text)
    code = ScannedCode.parse(text)
    if code.serial is not None:
        candidates = flows.candidate_serials(code.gtin, code.serial)
    elif code.lot is not None:
        candidates = flows.candidate_classes(code.gtin, code.lot)
    else:
        raise DomainError("a recall starts from a lot (AI 10) or a serial (AI 21)")
    seen = web.uow.session.scalar(
        select(EpcisEventEpc.epc).where(EpcisEventEpc.epc.in_(candidates)).limit(1)
    )
    return seen or candidates[flows.GCP_LENGTH - 6]


def _places(web: Web, locations: set[str]) -> dict[str, Place]:
    cache: dict[str, Place] = {}
    with web.container.db.system() as system:
        for loc in sorted(locations):
            place_of(system.session, loc, cache)
    return cache


def _features(web: Web, trail: recall.Trail, places: dict[str, Place]) -> list[dict[str, Any]]:
    features: list[dict[str, Any]] = []
    for loc, place in places.items():
        if place.latitude is None or place.longitude is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [place.longitude, place.latitude]},
                "properties": {
                    "type": "location",
                    "id": loc,
                    "code": place.site_code,
                    "name": web.local_name(place.name or loc, place.name_en),
                },
            }
        )
    seen: set[tuple[str, str]] = set()
    for node in trail.nodes:
        stops = [places[loc] for loc in node.locations if loc in places]
        for a, b in pairwise(stops):
            if None in (a.latitude, a.longitude, b.latitude, b.longitude) or a.id == b.id:
                continue
            key = (str(a.id), str(b.id))
            if key in seen:
                continue
            seen.add(key)
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [[a.longitude, a.latitude], [b.longitude, b.latitude]],
                    },
                    "properties": {"type": "movement", "from": a.site_code, "to": b.site_code},
                }
            )
    return features


def _opaque(web: Web, trail: recall.Trail, places: dict[str, Place]) -> list[dict[str, Any]]:
    owners = {
        e.id: e
        for e in web.uow.session.scalars(
            select(Enterprise).where(Enterprise.id.in_(sorted({o for _, o in trail.opaque})))
        )
    }
    nodes = {n.epc: n for n in trail.nodes}
    rows = []
    for epc, owner in trail.opaque:
        ent = owners.get(owner)
        node = nodes.get(epc)
        place = places.get(node.last_location or "") if node else None
        rows.append(
            {
                "epc": epc,
                "enterprise_id": owner,
                "enterprise": web.local_name(ent.name, ent.name_en) if ent else str(owner),
                "location": place.id if place else None,
                "coordinates": (
                    [place.longitude, place.latitude]
                    if place and place.latitude is not None and place.longitude is not None
                    else None
                ),
            }
        )
    return rows


@router.get("/trace/recall", response_class=HTMLResponse)
def recall_page(
    web: WebDep, epc: Annotated[str | None, Query(max_length=400)] = None
) -> HTMLResponse:
    """The form, and for a given EPC or lot its forward trace as a list and on the map."""
    t = web.t
    context: dict[str, Any] = {"epc": epc or "", "error": None, "trail": None}
    config: dict[str, Any] = {"base": BASE_LAYER, "features": [], "opaque": []}
    status = 200
    if epc:
        try:
            trail = recall.walk(web.uow, start_epc(web, epc), "forward")
        except DomainError as exc:
            context["error"], status = exc.message, 422
        else:
            locations = {loc for n in trail.nodes for loc in n.locations}
            places = _places(web, locations)
            opaque = _opaque(web, trail, places)
            config["features"] = _features(web, trail, places)
            config["opaque"] = opaque
            context |= {"trail": trail.to_json(), "places": places, "opaque": opaque}
    config["labels"] = {
        "opaque": t("recall.opaque_label"),
        "owner": t("recall.owner"),
        "hops": t("recall.hops"),
    }
    # Safe inside <script type="application/json">: no "</" can close the element early.
    context["config"] = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")
    return render(
        web, "recall.html", title=t("nav.recall"), active="recall", status_code=status, **context
    )


PAGES = PageSet(
    router, (NavEntry("recall", "/trace/recall", "nav.recall", "map", "operations", 60),)
)
