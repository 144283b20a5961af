/*
 * SupplyMesh schedule Gantt: one row per machine, one bar per operation coloured by work
 * order, its setup drawn lighter and hatched just before it, machine unavailability greyed,
 * the frozen horizon as a line; bars of late orders are outlined in red. ECharts custom
 * series; the chart is kept on window.scheduleGantt (tests and the console read it).
 */
(function () {
  "use strict";

  const select = document.getElementById("site-select");
  if (select) { select.addEventListener("change", () => select.form.submit()); }
  const data = JSON.parse(document.getElementById("gantt-data").textContent);
  const el = document.getElementById("gantt");
  if (!el || !data.gantt) { return; }
  const G = data.gantt;
  const L = data.labels;
  const PALETTE = ["#2563eb", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04",
    "#db2777", "#4f46e5", "#059669", "#b45309", "#7c3aed", "#0d9488"];
  const rows = G.machines.map((m) => m.code);
  const rowOf = {};
  G.machines.forEach((m, i) => { rowOf[m.id] = i; });
  const orders = [...new Set(G.bars.map((b) => b.work_order_number))];
  const colourOf = (order) => PALETTE[orders.indexOf(order) % PALETTE.length];
  const ms = (iso) => new Date(iso).getTime();

  const bars = G.bars.map((b) => ({
    value: [rowOf[b.machine_id], ms(b.start), ms(b.end), b.setup_start ? ms(b.setup_start) : null],
    bar: b,
    itemStyle: { color: colourOf(b.work_order_number) },
  }));
  const down = G.downtime
    .filter((w) => w.machine_id in rowOf)
    .map((w) => ({ value: [rowOf[w.machine_id], ms(w.start), ms(w.end)], kind: w.kind }));

  function rect(params, api, start, end) {
    const a = api.coord([start, api.value(0)]);
    const b = api.coord([end, api.value(0)]);
    const h = api.size([0, 1])[1] * 0.6;
    return echarts.graphic.clipRectByRect(
      { x: a[0], y: a[1] - h / 2, width: Math.max(1, b[0] - a[0]), height: h },
      { x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height });
  }

  function renderBar(params, api) {
    const item = bars[params.dataIndex];
    const children = [];
    const setupStart = api.value(3);
    if (setupStart != null && !isNaN(setupStart)) {
      const shape = rect(params, api, setupStart, api.value(1));
      if (shape) {
        children.push({ type: "rect", shape: shape, style: {
          fill: item.itemStyle.color, opacity: 0.35,
          decal: { symbol: "rect", dashArrayX: [1, 0], dashArrayY: [2, 3], rotation: -0.8 },
        } });
      }
    }
    const shape = rect(params, api, api.value(1), api.value(2));
    if (shape) {
      children.push({ type: "rect", shape: shape, style: {
        fill: item.itemStyle.color,
        stroke: item.bar.late ? "#dc2626" : (item.bar.fixed ? "#0f172a" : null),
        lineWidth: item.bar.late ? 3 : 1,
      } });
    }
    return { type: "group", children: children };
  }

  function renderDown(params, api) {
    const shape = rect(params, api, api.value(1), api.value(2));
    return shape && { type: "rect", shape: shape, style: { fill: "#94a3b8", opacity: 0.35 } };
  }

  function tip(p) {
    if (p.seriesId === "downtime") {
      const w = down[p.dataIndex];
      return `${L.down} (${w.kind})<br>${new Date(w.value[1]).toLocaleString()} – ${new Date(w.value[2]).toLocaleString()}`;
    }
    const b = bars[p.dataIndex].bar;
    return [
      `<strong>${L.order}: ${b.work_order_number}</strong>${b.late ? ` <span style="color:#dc2626">${L.late}</span>` : ""}`,
      `${L.item}: ${b.item_sku} · ${L.quantity}: ${b.quantity}`,
      `${L.start}: ${new Date(b.start).toLocaleString()}`,
      `${L.end}: ${new Date(b.end).toLocaleString()}`,
      b.setup_start ? `${L.setup}: ${new Date(b.setup_start).toLocaleString()}` : "",
      b.fixed ? L.fixed : "",
    ].filter(Boolean).join("<br>");
  }

  el.style.height = (90 + 44 * rows.length) + "px";
  const chart = echarts.init(el, null, { renderer: "canvas" });
  window.scheduleGantt = chart;
  const first = Math.min(...bars.map((b) => b.value[3] || b.value[1]));
  const last = Math.max(...bars.map((b) => b.value[2]));
  chart.setOption({
    animation: false,
    tooltip: { formatter: tip },
    grid: { left: 96, right: 24, top: 24, bottom: 56 },
    dataZoom: [{ type: "slider", xAxisIndex: 0, bottom: 8 }, { type: "inside", xAxisIndex: 0 }],
    xAxis: { type: "time", min: first - 3600e3, max: last + 3600e3 },
    yAxis: { type: "category", data: rows, inverse: true },
    series: [
      { id: "downtime", type: "custom", renderItem: renderDown, encode: { x: [1, 2], y: 0 },
        data: down, silent: false, z: 1 },
      { id: "operations", type: "custom", renderItem: renderBar, encode: { x: [1, 2], y: 0 },
        data: bars, z: 2,
        markLine: { symbol: "none", silent: true, label: { formatter: L.frozen },
          lineStyle: { color: "#0f172a", type: "dashed" },
          data: [{ xAxis: ms(G.schedule.frozen_until) }] } },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
})();
