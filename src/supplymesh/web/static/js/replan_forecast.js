/*
 * SupplyMesh forecast chart: recent history, the forecast median, the 10–90% band (a
 * stacked area: p10 transparent, then p90 − p10 shaded) and promotions as mark areas.
 */
(function () {
  "use strict";

  const select = document.getElementById("series-select");
  if (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  }

  const config = JSON.parse(document.getElementById("forecast-config").textContent);
  const L = config.labels;
  const el = document.getElementById("forecast-chart");
  el.style.height = "360px"; // set here: the page's CSP refuses inline style attributes
  const chart = echarts.init(el, null, { renderer: "canvas" });
  window.forecastChart = chart;

  const days = config.history.map(function (p) { return p[0]; }).concat(config.days);
  const pad = config.history.map(function () { return null; });
  const lower = pad.concat(config.p10);
  const width = pad.concat(config.p90.map(function (v, i) { return v - config.p10[i]; }));
  const median = pad.concat(config.p50);
  const history = config.history.map(function (p) { return p[1]; });
  const areas = config.promotions.map(function (p) {
    return [{ name: p[0], xAxis: p[1] }, { xAxis: p[2] }];
  });

  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: [L.history, L.p50, L.band] },
    grid: { left: 48, right: 24, top: 40, bottom: 40 },
    xAxis: { type: "category", data: days, boundaryGap: false },
    yAxis: { type: "value", min: 0 },
    series: [
      {
        name: L.history, type: "line", data: history, showSymbol: false,
        lineStyle: { color: "#334155" }, itemStyle: { color: "#334155" },
        markArea: { itemStyle: { color: "rgba(234, 179, 8, 0.18)" }, data: areas },
      },
      {
        name: "p10", type: "line", data: lower, stack: "band", showSymbol: false,
        lineStyle: { opacity: 0 }, areaStyle: { opacity: 0 }, tooltip: { show: false },
      },
      {
        name: L.band, type: "line", data: width, stack: "band", showSymbol: false,
        lineStyle: { opacity: 0 }, areaStyle: { color: "rgba(37, 99, 235, 0.2)" },
        itemStyle: { color: "rgba(37, 99, 235, 0.4)" },
      },
      {
        name: L.p50, type: "line", data: median, showSymbol: false,
        lineStyle: { color: "#2563eb", width: 2 }, itemStyle: { color: "#2563eb" },
      },
    ],
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
