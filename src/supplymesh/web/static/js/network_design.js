/*
 * The network design of the first scenario on the map: opened candidates as large markers,
 * closed ones small and grey, customers as dots, and a line from each customer to the site
 * serving it (thicker for a larger share of its demand). Clicking a scenario row redraws it.
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("design-config").textContent);
  const result = config.result;
  const mapEl = document.getElementById("map");
  if (!result || !mapEl) return;

  const map = L.map(mapEl, { minZoom: 3, maxZoom: 14 }).setView([35.5, 104.5], 4);
  map.attributionControl.setPrefix(false);
  map.createPane("base").style.zIndex = 250;
  const base = fetch(config.base, { credentials: "same-origin" })
    .then((r) => (r.ok ? r.json() : null))
    .then((geo) => {
      if (geo) {
        L.geoJSON(geo, {
          pane: "base", interactive: false,
          style: () => ({ color: "#cbd5e1", weight: 0.6, fillColor: "#eef2f7", fillOpacity: 1 }),
        }).addTo(map);
      }
    })
    .catch(() => null);

  const byId = {};
  result.candidates.concat(result.customers).forEach((s) => { byId[s.site_id] = s; });
  const layer = L.layerGroup().addTo(map);

  function draw(index) {
    layer.clearLayers();
    const scenario = result.scenarios[index];
    const open = new Set(scenario.open_site_ids);
    const bounds = L.latLngBounds([]);
    scenario.assignments.forEach((a) => {
      const from = byId[a.site_id], to = byId[a.customer_site_id];
      L.polyline([[from.latitude, from.longitude], [to.latitude, to.longitude]], {
        color: "#2563eb", weight: 1 + 3 * a.share, opacity: 0.7, className: "assignment",
      }).bindTooltip(`${to.code} ← ${from.code} · ${a.units} · ${a.distance_km} km`).addTo(layer);
    });
    result.customers.forEach((s) => {
      bounds.extend([s.latitude, s.longitude]);
      L.circleMarker([s.latitude, s.longitude], {
        radius: 4, color: "#0f172a", weight: 1, fillColor: "#f8fafc", fillOpacity: 1, className: "customer",
      }).bindTooltip(`${s.code} · ${result.demands[s.site_id]}`).addTo(layer);
    });
    result.candidates.forEach((s) => {
      bounds.extend([s.latitude, s.longitude]);
      const isOpen = open.has(s.site_id);
      L.circleMarker([s.latitude, s.longitude], {
        radius: isOpen ? 10 : 6, color: "#fff", weight: 2,
        fillColor: isOpen ? "#16a34a" : "#94a3b8", fillOpacity: 1,
        className: isOpen ? "candidate open" : "candidate closed",
      }).bindTooltip(`${s.code} · ${isOpen ? config.labels.open : config.labels.closed}`).addTo(layer);
    });
    if (bounds.isValid()) map.fitBounds(bounds.pad(0.1));
    mapEl.dataset.scenario = String(index);
    mapEl.dataset.open = String(open.size);
  }

  document.querySelectorAll("#design-scenarios tr[data-scenario]").forEach((row) => {
    row.addEventListener("click", () => draw(Number(row.dataset.scenario)));
  });
  draw(0);
  base.finally(() => { mapEl.dataset.ready = "1"; });
})();
