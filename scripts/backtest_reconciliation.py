"""Backtest: base vs MinT-reconciled (library and ours) forecasts on demo data, by tier.

Usage: python scripts/backtest_reconciliation.py SUPPLYMESH_HOME ITEMS ORIGINS HORIZON
Takes the retailer's ITEMS items sold at the most sites, cuts HORIZON·k days off every
history (k = ORIGINS..1), runs the service's forecast tasks on the series and their tiers,
reconciles with `replan.coherence` (hierarchicalforecast) and with our
`planning.forecast.hierarchy` on the same residuals, and prints WAPE and bias per tier.
"""

import json
import sys
import time
from dataclasses import replace

import numpy as np
from sqlalchemy import select

from supplymesh.bootstrap import build_database
from supplymesh.network.model import Enterprise
from supplymesh.planning.forecast.hierarchy import reconcile as ours_reconcile
from supplymesh.platform.settings import Settings
from supplymesh.replan import coherence
from supplymesh.replan.executor import run_chunks
from supplymesh.replan.forecast_task import SeriesTask, forecast_tasks
from supplymesh.replan.series import SEASON_DAYS, load_histories

home, n_items, origins, H = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
db = build_database(Settings(home=home))
with db.system() as uow:
    eid = uow.session.scalar(select(Enterprise.id).where(Enterprise.code == "YJRETAIL"))
ctx = db.context_for(eid, None, "admin")
levels = (0.1, 0.5, 0.9, 0.95)
with db.unit_of_work(ctx) as uow:
    all_h = load_histories(uow, history_days=365)
    items = sorted({h.item_id for h in all_h})
    # the items sold at the most sites, then by id
    count = {i: sum(1 for h in all_h if h.item_id == i) for i in items}
    chosen = sorted(items, key=lambda i: (-count[i], i))[:n_items]
    full = [h for h in all_h if h.item_id in chosen and not h.problems]
    tiers = coherence.site_tiers(uow, {h.site_id for h in full})
    err = {}  # (variant, level) -> list of abs errors
    tlib = tour = 0.0
    ntrees = 0
    for o in range(origins):
        cut = H * (origins - o)
        hs = [replace(h, values=h.values[:-cut]) for h in full if h.values.size > cut + 60]
        actual = {h.key: h.values[h.values.size - cut : h.values.size - cut + H] for h in full}
        plan = coherence.plan_coherence(uow, hs, tiers)
        tasks = [SeriesTask(h.key, h.values, H, levels, SEASON_DAYS, False) for h in hs]
        tasks += [SeriesTask(n.key, n.values, H, levels, SEASON_DAYS, False) for n in plan.nodes]
        outs = run_chunks(forecast_tasks, tasks, None, 2)
        base = {x.key: np.maximum.accumulate(x.quantiles, axis=0) for x in outs}
        hist = {h.key: h.values for h in hs}
        t0 = time.perf_counter()
        rec = coherence.reconcile_plan(plan, hist, base, levels)
        tlib += time.perf_counter() - t0
        # ours, same inputs, same residuals, set-negative-to-zero then bottom-up
        ours: dict[str, np.ndarray] = {}
        t0 = time.perf_counter()
        for tree in plan.trees:
            h = tree.hierarchy
            bk = dict(zip(h.bottom, tree.bottom_keys, strict=False))
            keys = [tree.nodes[n].key if n in tree.nodes else bk[n] for n in h.nodes]
            vals = [tree.nodes[n].values if n in tree.nodes else hist[bk[n]] for n in h.nodes]
            L = min(v.size for v in vals)
            w = min(56, L - 7)
            res = {n: v[-w:] - v[-w - 7 : -7] for n, v in zip(h.nodes, vals, strict=False)}
            r = ours_reconcile(
                h, {n: base[k][1] for n, k in zip(h.nodes, keys, strict=False)}, res, "mint_shrink"
            )
            bottom = np.clip(np.vstack([r.forecasts[b] for b in h.bottom]), 0, None)
            coh = h.summing @ bottom
            for i, k in enumerate(keys):
                ours[k] = coh[i]
        tour += time.perf_counter() - t0
        ntrees += len(plan.trees)
        # actuals of aggregate nodes
        for tree in plan.trees:
            for node in tree.nodes.values():
                actual[node.key] = sum(actual[k] for k in node.members)
        level_of = {h.key: "store" for h in hs}
        level_of.update({n.key: n.level for n in plan.nodes})
        for k, lvl in level_of.items():
            if k not in actual:
                continue
            a = actual[k]
            for variant, f in (
                ("base", base[k][1]),
                ("mint_lib", rec.quantiles[k][1]),
                ("mint_ours", ours.get(k)),
            ):
                if f is None:
                    continue
                err.setdefault((variant, lvl), []).append(
                    (np.abs(a - f).sum(), np.abs(a).sum(), (f - a).sum())
                )
out = {}
for (variant, lvl), rows in sorted(err.items()):
    e = np.array(rows)
    out[f"{variant}/{lvl}"] = {
        "wape": round(float(e[:, 0].sum() / e[:, 1].sum()), 4),
        "bias_pct": round(float(e[:, 2].sum() / e[:, 1].sum() * 100), 2),
        "n": len(rows),
    }
out["seconds_reconcile_lib"] = round(tlib, 3)
out["seconds_reconcile_ours"] = round(tour, 3)
out["trees"] = ntrees
print(json.dumps(out, indent=1))
