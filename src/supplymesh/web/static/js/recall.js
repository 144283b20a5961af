/*
 * SupplyMesh recall map: the offline base layer, the places a suspect lot reached, the
 * movements between them, and the hops that go out of the caller's sight (opaque), all from
 * the JSON the page embeds (no further requests but the base layer).
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("recall-config").textContent);
  const labels = config.labels;
  const mapEl = document.getElementById("map");
  const statusEl = document.getElementById("map-status");

  function esc(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, (c) => ({
      "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    })[c]);
  }

  const map = L.map(mapEl, { minZoom: 3, maxZoom: 14 }).setView([35.5, 104.5], 4);
  map.attributionControl.setPrefix(false);
  map.createPane("base").style.zIndex = 250;
  const baseStyle = (f) => f.properties.kind === "province"
    ? { color: "#94a3b8", weight: 0.8, fillColor: "#f8fafc", fillOpacity: 1 }
    : { color: "#cbd5e1", weight: 0.6, fillColor: "#e5e9f0", fillOpacity: 1 };
  const baseLoaded = fetch(config.base, { credentials: "same-origin" })
    .then((r) => { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then((geo) => L.geoJSON(geo, { pane: "base", style: baseStyle, interactive: false }).addTo(map))
    .catch(() => { statusEl.textContent = "base layer unavailable"; });

  const bounds = [];
  config.features.forEach((f) => {
    const p = f.properties;
    if (f.geometry.type === "Point") {
      const ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
      const icon = L.divIcon({
        className: "site-icon", iconSize: [26, 26], iconAnchor: [13, 13],
        html: '<span class="marker marker-plant" data-location="' + esc(p.id) + '" data-site-code="'
          + esc(p.code) + '"><svg aria-hidden="true"><use href="#k-plant"></use></svg></span>',
      });
      L.marker(ll, { icon: icon, title: (p.code || "") + " " + p.name }).bindTooltip(esc(p.name)).addTo(map);
      bounds.push(ll);
    } else if (f.geometry.type === "LineString") {
      const lls = f.geometry.coordinates.map((c) => [c[1], c[0]]);
      L.polyline(lls, { color: "#dc2626", weight: 3, opacity: 0.8, className: "movement" })
        .bindTooltip(esc(p.from) + " → " + esc(p.to) + " · " + esc(labels.hops), { sticky: true })
        .addTo(map);
    }
  });
  config.opaque.forEach((o) => {
    if (!o.coordinates) { return; }
    const ll = [o.coordinates[1], o.coordinates[0]];
    L.circleMarker(ll, { radius: 14, color: "#64748b", dashArray: "4 4", fill: false, className: "opaque-hop" })
      .bindTooltip(esc(labels.opaque) + " · " + esc(labels.owner) + ": " + esc(o.enterprise))
      .addTo(map);
  });
  if (bounds.length === 1) { map.setView(bounds[0], 8); }
  if (bounds.length > 1) { map.fitBounds(bounds, { padding: [30, 30], maxZoom: 10 }); }
  baseLoaded.finally(() => { mapEl.dataset.ready = "1"; mapEl.dataset.features = String(config.features.length); });
})();
