/*
 * SupplyMesh machine detail: telemetry per metric (ECharts lines, the metric's limits as
 * mark lines, 1 h / 24 h / 7 d from minute or hour rollups), the state timeline (a custom
 * series of coloured bars), OEE by shift and the losses behind it, and the health index
 * when the platform offers one.
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("machine-config").textContent);
  const L = config.labels;
  const COLOURS = {
    running: "#16a34a", idle: "#eab308", fault: "#dc2626", setup: "#2563eb",
    planned_stop: "#64748b", no_data: "#cbd5e1",
  };
  const charts = {};
  window.machineCharts = charts;

  function chartOf(id) {
    const el = document.getElementById(id);
    if (!el) { return null; }
    charts[id] = charts[id] || echarts.init(el, null, { renderer: "canvas" });
    return charts[id];
  }

  function limitLines(metric) {
    const lines = [];
    if (metric.min != null) { lines.push({ yAxis: metric.min, name: L.limit_low }); }
    if (metric.max != null) { lines.push({ yAxis: metric.max, name: L.limit_high }); }
    return lines;
  }

  function drawMetric(metric, range) {
    const chart = chartOf("chart-" + metric.name);
    if (!chart) { return Promise.resolve(); }
    const end = new Date();
    const start = new Date(end.getTime() - range.seconds * 1000);
    const params = new URLSearchParams({
      metric: metric.name, start: start.toISOString(), end: end.toISOString(),
      resolution: range.resolution, limit: "10000",
    });
    return fetch(config.telemetry + "?" + params, { credentials: "same-origin" })
      .then((r) => { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then((series) => {
        const points = series.points.map((p) => [p.ts, p.value]);
        chart.setOption({
          animation: false,
          grid: { left: 56, right: 56, top: 16, bottom: 28 },
          tooltip: { trigger: "axis" },
          xAxis: { type: "time", min: start, max: end },
          yAxis: { type: "value", scale: true },
          series: [{
            name: metric.name, type: "line", showSymbol: false, data: points,
            markLine: {
              symbol: "none", silent: true, lineStyle: { color: "#dc2626", type: "dashed" },
              label: { formatter: "{b}: {c}" }, data: limitLines(metric),
            },
          }],
        }, true);
      })
      .catch(() => { chart.setOption({ title: { text: L.no_data, left: "center", top: "middle" } }); });
  }

  function drawAll(key) {
    const range = config.ranges[key];
    document.querySelectorAll("[data-range]").forEach((b) => {
      b.classList.toggle("button-primary", b.dataset.range === key);
    });
    return Promise.all(config.metrics.map((m) => drawMetric(m, range))).then(() => {
      document.body.dataset.chartsReady = key;
    });
  }

  function drawTimeline() {
    const chart = chartOf("chart-timeline");
    const data = config.timeline.map((t) => ({
      value: [0, t[0], t[1], t[2]], itemStyle: { color: COLOURS[t[2]] || "#94a3b8" },
    }));
    chart.setOption({
      animation: false,
      grid: { left: 16, right: 16, top: 8, bottom: 28 },
      tooltip: {
        formatter: (p) => (L.states[p.value[3]] || p.value[3]) + "<br>" +
          new Date(p.value[1]).toLocaleString() + " – " + new Date(p.value[2]).toLocaleString(),
      },
      xAxis: { type: "time" },
      yAxis: { type: "category", data: [""], show: false },
      series: [{
        type: "custom",
        renderItem: (params, api) => {
          const start = api.coord([api.value(1), 0]);
          const end = api.coord([api.value(2), 0]);
          const height = api.size([0, 1])[1] * 0.6;
          const rect = echarts.graphic.clipRectByRect(
            { x: start[0], y: start[1] - height / 2, width: Math.max(end[0] - start[0], 1), height },
            { x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height },
          );
          return rect && { type: "rect", shape: rect, style: api.style() };
        },
        encode: { x: [1, 2], y: 0 },
        data,
      }],
    });
  }

  function drawShifts() {
    const rows = config.shifts;
    const labels = rows.map((r) => r.label);
    const num = (v) => (v == null ? null : Number(v));
    chartOf("chart-oee").setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 32, bottom: 48 },
      xAxis: { type: "category", data: labels, axisLabel: { rotate: 30 } },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: ["availability", "performance", "quality", "oee"].map((k) => ({
        name: L[k], type: k === "oee" ? "line" : "bar", data: rows.map((r) => num(r[k])),
      })),
    });
    const losses = Object.keys(L.losses);
    chartOf("chart-losses").setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 48, right: 16, top: 32, bottom: 48 },
      xAxis: { type: "category", data: labels, axisLabel: { rotate: 30 } },
      yAxis: { type: "value", name: L.minutes },
      series: losses.map((k) => ({
        name: L.losses[k], type: "bar", stack: "losses", data: rows.map((r) => num(r.losses_min[k])),
      })),
    });
  }

  function showHealth() {
    fetch(config.health, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : null))
      .then((h) => {
        if (!h || h.health == null) { return; }
        const parts = [L.health_index + " " + Number(h.health).toFixed(1) + " / 100"];
        if (h.limiting) { parts.push(L.limiting + " " + h.limiting); }
        if (h.rul_low_h != null && h.rul_high_h != null) {
          parts.push(L.rul + " " + Math.round(h.rul_low_h) + "–" + Math.round(h.rul_high_h) + " h");
        }
        document.getElementById("health-text").textContent = parts.join(" · ");
        document.getElementById("health-panel").hidden = false;
      })
      .catch(() => {});
  }

  document.querySelectorAll("[data-range]").forEach((b) => {
    b.addEventListener("click", () => drawAll(b.dataset.range));
  });
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
  drawTimeline();
  drawShifts();
  drawAll("24h");
  showHealth();
})();
