/*
 * SupplyMesh network map.
 *
 * Draws the offline base layer (boundaries shipped with SupplyMesh), then the caller's
 * sites and lanes from /map/sites.geojson, and fills the site list beside the map from the
 * same data. Online tiles are optional and off until the user switches them on; a tile
 * source on the GCJ-02 datum (AMap, Tencent) moves every marker to its GCJ-02 position.
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("map-config").textContent);
  const labels = config.labels;
  const mapEl = document.getElementById("map");
  const statusEl = document.getElementById("map-status");
  const listEl = document.getElementById("site-list");
  const countEl = document.getElementById("site-count");
  const tilesToggle = document.getElementById("online-tiles");
  const KINDS = ["plant", "warehouse", "dc", "store", "port"];
  const MODE_COLOURS = {
    road: "#2563eb", rail: "#7c3aed", sea: "#0891b2", air: "#db2777", courier: "#d97706",
  };
  const CHINA_VIEW = { center: [35.5, 104.5], zoom: 4 };

  function esc(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, (c) => ({
      "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    })[c]);
  }

  function setStatus(text) {
    statusEl.textContent = text || "";
    statusEl.hidden = !text;
  }

  const map = L.map(mapEl, {
    zoomControl: true,
    minZoom: 3,
    maxZoom: 14,
    worldCopyJump: false,
  }).setView(CHINA_VIEW.center, CHINA_VIEW.zoom);
  map.attributionControl.setPrefix(false);
  map.createPane("base").style.zIndex = 250;

  /* ---- base layer: always local, so the map works offline ---- */
  const baseStyle = (feature) => feature.properties.kind === "province"
    ? { color: "#94a3b8", weight: 0.8, fillColor: "#f8fafc", fillOpacity: 1 }
    : { color: "#cbd5e1", weight: 0.6, fillColor: "#e5e9f0", fillOpacity: 1 };
  let baseLayer = null;
  const baseLoaded = fetch(config.base, { credentials: "same-origin" })
    .then((r) => { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then((geo) => {
      baseLayer = L.geoJSON(geo, { pane: "base", style: baseStyle, interactive: false });
      baseLayer.addTo(map);
      map.attributionControl.addAttribution(esc(labels.tiles_attribution));
    });

  /* ---- optional online tiles ---- */
  const tileSource = config.tiles[0];
  let tileLayer = null;
  let datum = "wgs84";

  function useTiles(on) {
    if (on && tileSource) {
      tileLayer = tileLayer || L.tileLayer(tileSource.url, {
        attribution: esc(tileSource.attribution), maxZoom: tileSource.max_zoom,
      });
      tileLayer.addTo(map);
      if (baseLayer) { baseLayer.setStyle({ fillOpacity: 0, opacity: 0.4 }); }
      setDatum(tileSource.datum);
    } else {
      if (tileLayer) { map.removeLayer(tileLayer); }
      if (baseLayer) { baseLayer.setStyle(baseStyle); }
      setDatum("wgs84");
    }
    try { window.localStorage.setItem("sm.map.onlineTiles", on ? "1" : "0"); } catch (e) { /* private mode */ }
  }

  /* ---- sites and lanes ---- */
  const markers = new Map();
  const lanes = [];

  function position(props, coords) {
    return datum === "gcj02" && props.gcj02 ? props.gcj02 : [coords[1], coords[0]];
  }

  function setDatum(next) {
    datum = next;
    markers.forEach((entry) => entry.marker.setLatLng(position(entry.props, entry.coords)));
    lanes.forEach((entry) => entry.line.setLatLngs(entry.ends.map((e) => position(e.props, e.coords))));
  }

  function glyph(kind) {
    return KINDS.includes(kind) ? kind : "plant";
  }

  function markerHtml(p) {
    return '<span class="marker marker-' + esc(glyph(p.kind)) + (p.shared ? " shared" : "") + '"'
      + ' data-site-code="' + esc(p.code) + '" data-kind="' + esc(p.kind) + '"'
      + ' data-owner="' + esc(p.owner_code) + '" data-shared="' + (p.shared ? "true" : "false") + '">'
      + '<svg aria-hidden="true"><use href="#k-' + esc(glyph(p.kind)) + '"></use></svg></span>';
  }

  function ownerText(p) {
    return p.shared ? labels.shared_by.replace("{owner}", p.owner_name || p.owner_code || "") : labels.own;
  }

  function popupHtml(p) {
    const place = [p.province, p.city].filter(Boolean).join(" · ");
    return '<div class="popup"><div class="popup-title"><span class="code">' + esc(p.code) + "</span> "
      + esc(p.name) + "</div>"
      + '<div class="popup-row">' + esc(labels.kinds[p.kind] || p.kind) + (place ? " · " + esc(place) : "") + "</div>"
      + '<div class="popup-row"><span class="badge ' + (p.shared ? "badge-shared" : "badge-own") + '">'
      + esc(ownerText(p)) + "</span></div></div>";
  }

  function addSite(feature) {
    const p = feature.properties;
    const coords = feature.geometry.coordinates;
    const icon = L.divIcon({
      className: "site-icon", html: markerHtml(p), iconSize: [26, 26], iconAnchor: [13, 13], popupAnchor: [0, -12],
    });
    const marker = L.marker(position(p, coords), {
      icon: icon, title: p.code + " " + p.name, riseOnHover: true, keyboard: true,
    });
    marker.bindTooltip(esc(p.code) + " · " + esc(p.name), { direction: "top", offset: [0, -12] });
    marker.bindPopup(popupHtml(p));
    marker.addTo(map);
    markers.set(p.id, { marker: marker, props: p, coords: coords });
  }

  function addLane(feature, sitesByCode) {
    const p = feature.properties;
    const ends = [sitesByCode.get(p.from_code), sitesByCode.get(p.to_code)];
    if (!ends[0] || !ends[1]) { return; }
    const line = L.polyline(ends.map((e) => position(e.props, e.coords)), {
      color: MODE_COLOURS[p.mode] || "#475569", weight: 2.5, opacity: 0.75,
      dashArray: p.shared ? "6 6" : null, className: "lane lane-" + p.mode,
    });
    const mode = labels.modes[p.mode] || p.mode;
    line.bindTooltip(esc(p.from_code) + " → " + esc(p.to_code) + " · " + esc(mode) + " · "
      + esc(labels.lead_time) + " " + esc(p.lead_time_mean_days) + " " + esc(labels.days), { sticky: true });
    line.addTo(map);
    lanes.push({ line: line, ends: ends });
  }

  function fillList(sites) {
    listEl.innerHTML = "";
    countEl.textContent = String(sites.length);
    if (!sites.length) {
      const li = document.createElement("li");
      li.className = "empty";
      li.textContent = labels.no_sites;
      listEl.appendChild(li);
      return;
    }
    const sorted = sites.slice().sort((a, b) =>
      (a.properties.shared - b.properties.shared) || a.properties.code.localeCompare(b.properties.code));
    sorted.forEach((f) => {
      const p = f.properties;
      const li = document.createElement("li");
      li.dataset.siteCode = p.code;
      li.dataset.shared = p.shared ? "true" : "false";
      li.dataset.kind = p.kind;
      li.innerHTML = '<button type="button">' + markerHtml(p).replace("data-site-code", "data-list-code")
        + '<span class="site-text"><span class="code">' + esc(p.code) + '</span><span class="site-name">'
        + esc(p.name) + '</span></span><span class="badge ' + (p.shared ? "badge-shared" : "badge-own") + '">'
        + esc(p.shared ? (p.owner_code || labels.shared) : labels.own) + "</span></button>";
      li.querySelector("button").addEventListener("click", () => {
        const entry = markers.get(p.id);
        map.setView(entry.marker.getLatLng(), Math.max(map.getZoom(), 7));
        entry.marker.openPopup();
      });
      listEl.appendChild(li);
    });
  }

  const sitesLoaded = fetch(config.data, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then((r) => {
      if (r.status === 401) { window.location.assign("/login?next=" + encodeURIComponent("/map")); }
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    })
    .then((collection) => {
      const sites = collection.features.filter((f) => f.properties.type === "site");
      const laneFeatures = collection.features.filter((f) => f.properties.type === "lane");
      sites.forEach(addSite);
      const byCode = new Map(sites.map((f) => [f.properties.code,
        { props: f.properties, coords: f.geometry.coordinates }]));
      laneFeatures.forEach((f) => addLane(f, byCode));
      fillList(sites);
      if (sites.length) {
        const bounds = L.latLngBounds(sites.map((f) => [f.geometry.coordinates[1], f.geometry.coordinates[0]]));
        map.fitBounds(bounds.pad(0.3), { maxZoom: 7 });
      }
      const missing = collection.meta && collection.meta.sites_without_coordinates;
      setStatus(missing ? labels.without_coordinates.replace("{count}", missing) : "");
    });

  Promise.all([baseLoaded, sitesLoaded])
    .then(() => { mapEl.dataset.ready = "1"; })
    .catch(() => { setStatus(labels.load_error); mapEl.dataset.ready = "error"; });

  let remembered = false;
  try { remembered = window.localStorage.getItem("sm.map.onlineTiles") === "1"; } catch (e) { /* private mode */ }
  tilesToggle.checked = remembered;
  if (remembered) { Promise.all([baseLoaded, sitesLoaded]).then(() => useTiles(true)); }
  tilesToggle.addEventListener("change", () => useTiles(tilesToggle.checked));
})();
