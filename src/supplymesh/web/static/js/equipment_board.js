/*
 * SupplyMesh equipment board (大屏): refreshes the tiles and totals from board.json every
 * few seconds, and at once when the alarm feed reports a change; remembers the theme.
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("board-config").textContent);
  const board = document.getElementById("board");
  const updated = document.getElementById("board-updated");
  const toggle = document.getElementById("theme-toggle");
  const THEME_KEY = "supplymesh.board.theme";

  function setTheme(theme) {
    document.body.classList.remove("theme-dark", "theme-light");
    document.body.classList.add("theme-" + theme);
  }
  const saved = window.localStorage && localStorage.getItem(THEME_KEY);
  if (saved && !/[?&]theme=/.test(location.search)) { setTheme(saved); }
  if (toggle) {
    toggle.addEventListener("click", () => {
      const next = document.body.classList.contains("theme-dark") ? "light" : "dark";
      setTheme(next);
      if (window.localStorage) { localStorage.setItem(THEME_KEY, next); }
    });
  }

  function show(value) { return value == null ? "—" : String(value); }

  function apply(data) {
    const tiles = new Map(data.tiles.map((t) => [String(t.id), t]));
    const shown = board.querySelectorAll(".machine-tile");
    if (shown.length !== tiles.size) { location.reload(); return; }
    shown.forEach((el) => {
      const t = tiles.get(el.dataset.id);
      if (!t) { return; }
      el.className = "machine-tile state-" + t.state;
      el.dataset.state = t.state;
      const set = (field, text) => {
        const f = el.querySelector('[data-field="' + field + '"]');
        if (f) { f.textContent = text; }
      };
      set("state", config.labels[t.state] || t.state);
      ["oee", "availability", "performance", "quality"].forEach((k) => set(k, show(t[k])));
      set("output", t.output);
      set("alarms", String(t.alarms));
      el.querySelector(".machine-alarms").classList.toggle("has-alarms", t.alarms > 0);
    });
    Object.entries(data.totals).forEach(([key, value]) => {
      const f = document.querySelector('[data-total="' + key + '"]');
      if (f) { f.textContent = show(value); }
    });
    updated.textContent = new Date(data.at).toLocaleTimeString();
    board.dataset.refreshed = String(Number(board.dataset.refreshed || 0) + 1);
  }

  let busy = false;
  function refresh() {
    if (busy) { return; }
    busy = true;
    fetch(config.data, { credentials: "same-origin" })
      .then((r) => { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(apply)
      .catch(() => { updated.textContent = "⚠"; })
      .finally(() => { busy = false; });
  }
  setInterval(refresh, config.refresh_s * 1000);
  if (window.EventSource) {
    const source = new EventSource(config.stream);
    ["alarm.created", "alarm.acknowledged", "alarm.cleared"].forEach((name) => {
      source.addEventListener(name, refresh);
    });
    window.addEventListener("beforeunload", () => source.close());
  }
})();
