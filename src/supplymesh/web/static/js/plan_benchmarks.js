/*
 * SupplyMesh benchmark charts: each forecast model's primary metric over all series (ours,
 * "auto", highlighted), and each replenishment policy's mean holding + stockout cost.
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("bench-config").textContent);
  const L = config.labels;
  window.benchCharts = {};

  function chartIn(id) {
    const el = document.getElementById(id);
    if (!el) { return null; }
    el.style.height = "380px"; // set here: the page's CSP refuses inline style attributes
    return echarts.init(el, null, { renderer: "canvas" });
  }

  const f = config.forecast;
  const fc = f && chartIn("forecast-bench-chart");
  if (fc) {
    window.benchCharts.forecast = fc;
    fc.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 110, right: 24, top: 16, bottom: 32 },
      xAxis: { type: "value", name: f.metric },
      yAxis: { type: "category", data: f.models, inverse: true },
      series: [{
        type: "bar", name: f.metric,
        data: f.values.map(function (v, i) {
          const m = f.models[i];
          const colour = m === "auto" ? "#16a34a" : (m === f.best_single ? "#2563eb" : "#94a3b8");
          return { value: Number(v.toFixed(3)), itemStyle: { color: colour } };
        }),
        label: { show: true, position: "right" },
      }],
    });
  }

  const r = config.replenish;
  const rc = r && chartIn("replenish-bench-chart");
  if (rc) {
    window.benchCharts.replenish = rc;
    const names = r.policies.map(function (p, i) {
      return p + " (" + (r.kinds[i] === "ours" ? L.ours : L.reference) + ")";
    });
    rc.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { data: [L.holding, L.stockout] },
      grid: { left: 200, right: 24, top: 32, bottom: 32 },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: names, inverse: true },
      series: [
        { name: L.holding, type: "bar", stack: "cost", data: r.holding,
          itemStyle: { color: "#64748b" } },
        { name: L.stockout, type: "bar", stack: "cost", data: r.stockout,
          itemStyle: { color: "#dc2626" } },
      ],
    });
  }
}());
