/*
 * A route plan on the map: the offline base layer, the depot, and each truck's loop
 * (depot → stops in order → depot) in its own colour with numbered stops. The colours are
 * painted on the stop-list swatches too, so list and map read together.
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("route-config").textContent);
  const mapEl = document.getElementById("map");
  const COLOURS = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d"];
  const colour = (i) => COLOURS[i % COLOURS.length];

  document.querySelectorAll("[data-swatch]").forEach((el) => {
    el.style.background = colour(Number(el.dataset.swatch));
  });

  const map = L.map(mapEl, { minZoom: 3, maxZoom: 16 }).setView([35.5, 104.5], 4);
  map.attributionControl.setPrefix(false);
  map.createPane("base").style.zIndex = 250;

  const base = fetch(config.base, { credentials: "same-origin" })
    .then((r) => (r.ok ? r.json() : null))
    .then((geo) => {
      if (geo) {
        L.geoJSON(geo, {
          pane: "base",
          style: () => ({ color: "#cbd5e1", weight: 0.6, fillColor: "#eef2f7", fillOpacity: 1 }),
          interactive: false,
        }).addTo(map);
      }
    })
    .catch(() => null);

  function esc(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, (c) => ({
      "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    })[c]);
  }

  const drawn = fetch(config.data, { credentials: "same-origin" })
    .then((r) => r.json())
    .then((plan) => {
      const depot = [plan.depot.latitude, plan.depot.longitude];
      const bounds = L.latLngBounds([depot]);
      L.marker(depot, { title: plan.depot.code })
        .bindPopup(`<strong>${esc(config.labels.depot)}</strong> ${esc(plan.depot.code)} · ${esc(plan.depot.name)}`)
        .addTo(map);
      plan.routes.forEach((route, i) => {
        const points = [depot].concat(route.stops.map((s) => [s.latitude, s.longitude]), [depot]);
        L.polyline(points, { color: colour(i), weight: 3, opacity: 0.85 })
          .bindTooltip(`${esc(route.vehicle)} · ${route.distance_km.toFixed(1)} km`)
          .addTo(map);
        route.stops.forEach((s, k) => {
          bounds.extend([s.latitude, s.longitude]);
          L.circleMarker([s.latitude, s.longitude], {
            radius: 9, color: "#fff", weight: 2, fillColor: colour(i), fillOpacity: 1,
          })
            .bindTooltip(String(k + 1), { permanent: true, direction: "center", className: "stop-number" })
            .bindPopup(
              `<strong>${esc(config.labels.stop)} ${k + 1}</strong> ${esc(s.order_number)}<br>` +
              `${esc(s.site_code)} · ${esc(s.site_name)}<br>${esc(s.arrival)} → ${esc(s.service_start)} · ${s.demand_kg} kg`
            )
            .addTo(map);
        });
      });
      map.fitBounds(bounds.pad(0.15));
      mapEl.dataset.routes = String(plan.routes.length);
    });

  Promise.all([base, drawn]).finally(() => { mapEl.dataset.ready = "1"; });
})();
