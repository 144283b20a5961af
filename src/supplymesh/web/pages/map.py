"""The network map: the caller's sites and lanes over a base layer shipped with the project.

The base layer is ``static/geo/china-base.geojson`` (Natural Earth boundaries, see the README
beside it), so the map works with no internet at all. Online tiles are an option the user
switches on in the page. Sites are stored in WGS-84, which OpenStreetMap tiles use; Chinese
tile services (AMap, Tianditu's GCJ-02 layers, Tencent) are drawn in GCJ-02, so each site's
GCJ-02 position (`SitePublic.of`) travels with it and a GCJ-02 tile source shifts markers to it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from fastapi.responses import HTMLResponse, JSONResponse

from supplymesh.network.model import Enterprise, Lane, Site, SiteKind
from supplymesh.network.schemas import SitePublic
from supplymesh.web.context import DataDep, Web, WebDep, render
from supplymesh.web.nav import NavEntry, PageSet, web_router
from supplymesh.web.tables import by_id, fetch_all, resource

router = web_router()
GEOJSON = "application/geo+json"


@dataclass(frozen=True)
class TileSource:
    """An online tile layer the user may switch on; `datum` says which coordinates it needs."""

    key: str
    url: str
    attribution: str
    max_zoom: int
    datum: str = "wgs84"  # or "gcj02" for AMap / Tencent style tiles


#: Online tiles offered in the page (off by default). OpenStreetMap is WGS-84 like our data.
ONLINE_TILES = (
    TileSource(
        "osm",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "© OpenStreetMap contributors",
        19,
    ),
)
BASE_LAYER = "/static/geo/china-base.geojson"


def _site_feature(web: Web, site: Site, owner: Enterprise | None) -> dict[str, Any] | None:
    if site.latitude is None or site.longitude is None:
        return None
    public = SitePublic.of(site)
    own = site.enterprise_id == web.caller.enterprise_id
    return {
        "type": "Feature",
        "id": f"site-{site.id}",
        "geometry": {"type": "Point", "coordinates": [site.longitude, site.latitude]},
        "properties": {
            "type": "site",
            "id": site.id,
            "code": site.code,
            "name": web.local_name(site.name, site.name_en),
            "kind": site.kind,
            "province": site.province,
            "city": site.city,
            "owner_id": site.enterprise_id,
            "owner_code": owner.code if owner else None,
            "owner_name": web.local_name(owner.name, owner.name_en) if owner else None,
            "shared": not own,
            "gcj02": list(public.gcj02) if public.gcj02 else None,
        },
    }


def _lane_feature(web: Web, lane: Lane, sites: dict[int, Site]) -> dict[str, Any] | None:
    origin, dest = sites.get(lane.from_site_id), sites.get(lane.to_site_id)
    if origin is None or dest is None:
        return None  # an end the caller may not see: draw nothing rather than leak a position
    if None in (origin.latitude, origin.longitude, dest.latitude, dest.longitude):
        return None
    return {
        "type": "Feature",
        "id": f"lane-{lane.id}",
        "geometry": {
            "type": "LineString",
            "coordinates": [
                [origin.longitude, origin.latitude],
                [dest.longitude, dest.latitude],
            ],
        },
        "properties": {
            "type": "lane",
            "id": lane.id,
            "mode": lane.mode,
            "from_code": origin.code,
            "to_code": dest.code,
            "lead_time_mean_days": str(lane.lead_time_mean_days),
            "shared": lane.enterprise_id != web.caller.enterprise_id,
        },
    }


@router.get("/map/sites.geojson", response_class=JSONResponse)
def sites_geojson(web: DataDep) -> JSONResponse:
    """The caller's visible sites (points) and lanes (lines) as a GeoJSON FeatureCollection."""
    sites: list[Site] = fetch_all(web.uow, resource("sites"))
    lanes: list[Lane] = fetch_all(web.uow, resource("lanes"))
    owners = by_id(web.uow, Enterprise, (s.enterprise_id for s in sites))
    by_site = {s.id: s for s in sites}
    features = [f for s in sites if (f := _site_feature(web, s, owners.get(s.enterprise_id)))]
    features += [f for lane in lanes if (f := _lane_feature(web, lane, by_site))]
    body = {
        "type": "FeatureCollection",
        "features": features,
        "meta": {
            "enterprise_id": web.caller.enterprise_id,
            "sites_total": len(sites),
            "sites_without_coordinates": sum(1 for s in sites if s.latitude is None),
        },
    }
    return JSONResponse(body, media_type=GEOJSON, headers={"Cache-Control": "no-store"})


def _map_config(web: Web) -> str:
    t = web.t
    config = {
        "lang": web.lang,
        "data": "/map/sites.geojson",
        "base": BASE_LAYER,
        "tiles": [asdict(s) for s in ONLINE_TILES],
        "labels": {
            "kinds": {k.value: t(f"kind.{k.value}") for k in SiteKind},
            "modes": {m: t.label("mode", m) for m in ("road", "rail", "sea", "air", "courier")},
            "own": t("map.own"),
            "shared": t("map.shared"),
            "shared_by": t("map.shared_by"),
            "owner": t("field.owner"),
            "lane": t("map.lane"),
            "lead_time": t("map.lead_time"),
            "days": t("map.days"),
            "no_sites": t("map.no_sites"),
            "load_error": t("map.load_error"),
            "without_coordinates": t("map.without_coordinates"),
            "tiles_attribution": t("map.base_attribution"),
        },
    }
    # Safe inside <script type="application/json">: no "</" can close the element early.
    return json.dumps(config, ensure_ascii=False).replace("</", "<\\/")


@router.get("/map", response_class=HTMLResponse)
def map_page(web: WebDep) -> HTMLResponse:
    """Sites and lanes on the offline base map, with a legend and a list of the sites."""
    kinds = [k.value for k in SiteKind]
    return render(
        web,
        "map.html",
        title=web.t("nav.map"),
        active="map",
        config=_map_config(web),
        kinds=kinds,
        img_sources=tuple(sorted({_origin(s.url) for s in ONLINE_TILES})),
    )


def _origin(url: str) -> str:
    parts = urlsplit(url.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}"


PAGES = PageSet(router, (NavEntry("map", "/map", "nav.map", "map", "overview", 20),))
