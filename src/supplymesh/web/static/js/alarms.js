/*
 * SupplyMesh alarm inbox: live rows.
 *
 * Subscribes to the alarm feed (Server-Sent Events, the session cookie authenticates) and,
 * on every created/acknowledged/cleared event, reloads the rows of the open tab from the
 * server, so the forms (and their CSRF token and versions) are always the server's own.
 */
(function () {
  "use strict";

  const table = document.getElementById("alarm-table");
  const body = document.getElementById("alarm-rows");
  const live = document.getElementById("alarm-live");
  if (!table || !body || !window.EventSource) { return; }
  const tab = table.dataset.tab;
  let pending = null;

  function updateCounts() {
    const counts = body.querySelector("tr.counts-row");
    if (!counts) { return; }
    document.querySelectorAll("[data-count]").forEach((el) => {
      const value = counts.dataset[el.dataset.count];
      if (value !== undefined) { el.textContent = value; }
    });
  }

  function reload() {
    if (pending) { return; }
    pending = fetch("/alarms/rows?tab=" + encodeURIComponent(tab), { credentials: "same-origin" })
      .then((r) => { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then((html) => {
        body.innerHTML = html;
        updateCounts();
        body.dataset.loaded = String(Number(body.dataset.loaded || 0) + 1);
      })
      .catch(() => { live.dataset.live = "0"; })
      .finally(() => { pending = null; });
  }

  const source = new EventSource("/api/v1/alarms/stream");
  source.onopen = () => { live.dataset.live = "1"; };
  source.onerror = () => { live.dataset.live = "0"; };
  ["alarm.created", "alarm.updated", "alarm.acknowledged", "alarm.cleared"].forEach((name) => {
    source.addEventListener(name, reload);
  });
  source.onmessage = reload;
  window.addEventListener("beforeunload", () => source.close());
})();
