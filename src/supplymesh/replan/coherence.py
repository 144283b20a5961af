"""Coherent forecasts for every tier: store → DC → region → item total, item → category → total.

Each tier forecasting on its own gives numbers that do not add up, so each plans on its own
truth, the information distortion the white paper blames for the bullwhip effect. A run that
reconciles also forecasts, per item, the summed history of every DC and region its sites
report to and the item's total, then maps all those base forecasts onto one coherent set
with MinT (Wickramasuriya, Athanasopoulos & Hyndman 2019): the stores' numbers are what the
DC, the region and the item plan on.

Why `hierarchicalforecast` 1.5.3 (Nixtla) rather than our own `planning.forecast.hierarchy`:
on the same inputs the two give the same reconciled numbers (to 1e-6; `tests/planning/
forecast/test_hierarchy_library.py` for ols, wls_struct and mint_shrink), so on a backtest of
demo data their accuracy is identical to four digits (full demo, 6 items × 39 stores, two
14-day origins: WAPE of the DC tier 0.399 → 0.373 and of the item total 0.365 → 0.338 after
MinT, stores 0.648 → 0.676 with their bias cut from −14 % to −5 %; `benchmarks/replenish.md`).
The library's MinT is ~6x faster per tree (1.0 vs 6.2 ms on a 50-node tree: its covariance
shrinkage is compiled), it runs on NumPy 2.4, and it is the maintained reference the issue
names. Its one cost is an 8–15 s import on this shared machine (scikit-learn,
utilsforecast), paid once per process and only by runs that reconcile. Ours stays as the
test oracle. Where mint_shrink is not usable (too short or degenerate residuals), the
library's wls_struct is used and the run's messages say so.

Choices the library leaves to us:

- One tree per item (item → region → DC → store). Units of different items do not add up
  to anything a planner orders, and one MinT over every node of the enterprise would be
  cubic in thousands of nodes; so the category and total rows are sums of the items'
  coherent totals (bottom-up above the item).
- W comes from the seasonal-naive (7-day) one-step residuals of the last eight weeks of each
  node's history: the base models' own in-sample fits are not kept by the engine, and what
  MinT needs from W is how the tiers' errors co-move, which those residuals show.
- Negative reconciled store numbers are set to zero and the tiers re-summed: a plain
  heuristic that keeps the tiers coherent. The exact alternative, the library's
  non-negative MinT (a QP per horizon step; Wickramasuriya, Turlach & Hyndman 2020), took
  0.3 s per 50-node tree here, 300 times the projection.
- Quantiles: every quantile of a node moves by its median's adjustment, then is clipped at 0
  and made monotone. The spread of a DC's band is thus its own base model's, not a sum of
  its stores' (which would ignore that their errors partly cancel).
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select

from supplymesh.network.model import Item, Site
from supplymesh.planning.forecast.hierarchy import Hierarchy
from supplymesh.planning.forecast.problem import FloatArray
from supplymesh.platform.uow import UnitOfWork
from supplymesh.replan.series import SEASON_DAYS, History

METHOD = "mint_shrink"
FALLBACK_METHOD = "wls_struct"
RESIDUAL_DAYS = 56
UNKNOWN = "-"
AGGREGATE_PREFIX = "agg:"


@dataclass(frozen=True)
class Tier:
    """Where a site reports: its DC (the parent site) and its region."""

    region: str
    dc_id: int | None
    dc_code: str


@dataclass
class Node:
    """A tier's member above item × site, with its summed history and its bottom series."""

    key: str  # the forecast task's key
    level: str  # dc, region, item, category, total
    label: str
    item_id: int | None
    members: list[str]  # history keys (item:site) it sums
    values: FloatArray = field(default_factory=lambda: np.zeros(0))


@dataclass
class ItemTree:
    """One item's tree: the hierarchy, its bottom series' keys, its aggregate nodes."""

    item_id: int
    hierarchy: Hierarchy
    bottom_keys: list[str]  # in `hierarchy.bottom` order
    nodes: dict[str, Node]  # hierarchy node id → node, for every non-bottom node


@dataclass
class CoherencePlan:
    """What a reconciling run forecasts on top of the item × site series."""

    trees: list[ItemTree]
    nodes: list[Node]  # every aggregate node to forecast (dc, region, item)
    sums: list[Node]  # category and total: sums of the items' coherent totals
    left_out: list[str]  # messages for series that could not join a tree


def spans_tiers(histories: Sequence[History]) -> bool:
    """Whether a run covers more than one tier: some item is forecast at several sites."""
    sites: dict[int, set[int]] = defaultdict(set)
    for h in histories:
        sites[h.item_id].add(h.site_id)
    return any(len(s) > 1 for s in sites.values())


def site_tiers(uow: UnitOfWork, site_ids: set[int]) -> dict[int, Tier]:
    """Each site's DC (parent site) and region.

    The DC usually belongs to a partner and may be invisible to the caller: it is then named
    by id, and its region is the one most of its visible stores are in.
    """
    sites = {s.id: s for s in uow.session.scalars(select(Site).where(Site.id.in_(site_ids)))}
    parents = {s.parent_site_id for s in sites.values() if s.parent_site_id is not None}
    dcs = {s.id: s for s in uow.session.scalars(select(Site).where(Site.id.in_(parents)))}
    votes: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for s in sites.values():
        if s.parent_site_id is not None and s.region:
            votes[s.parent_site_id][s.region] += 1
    out: dict[int, Tier] = {}
    for site_id in site_ids:
        site = sites.get(site_id)
        dc_id = site.parent_site_id if site is not None else None
        dc = dcs.get(dc_id) if dc_id is not None else None
        if dc_id is None:
            region = (site.region if site is not None else None) or UNKNOWN
            out[site_id] = Tier(region, None, UNKNOWN)
            continue
        region = (dc.region if dc is not None else None) or _most(votes[dc_id]) or UNKNOWN
        out[site_id] = Tier(region, dc_id, dc.code if dc is not None else f"#{dc_id}")
    return out


def _most(counts: Mapping[str, int]) -> str | None:
    return max(sorted(counts), key=lambda k: counts[k]) if counts else None


def plan_coherence(
    uow: UnitOfWork, histories: Sequence[History], tiers: Mapping[int, Tier]
) -> CoherencePlan:
    """The trees of every item forecast at more than one site, and their aggregate nodes.

    Only series that end on the run's last history day can join: the tiers must share the
    forecast days. Others keep their base forecast and are named in `left_out`.
    """
    last = max(h.end for h in histories)
    by_item: dict[int, list[History]] = defaultdict(list)
    left_out: list[str] = []
    for h in histories:
        if h.end == last:
            by_item[h.item_id].append(h)
        else:
            left_out.append(
                f"series {h.label}: history ends {h.end.isoformat()}, before the run's "
                f"{last.isoformat()}; not reconciled"
            )
    items = {i.id: i for i in uow.session.scalars(select(Item).where(Item.id.in_(list(by_item))))}
    trees: list[ItemTree] = []
    nodes: list[Node] = []
    categories: dict[str, list[str]] = defaultdict(list)
    for item_id, members in sorted(by_item.items()):
        item = items.get(item_id)
        sku = item.sku if item is not None else f"#{item_id}"
        tree = _tree(item_id, sku, members, tiers)
        trees.append(tree)
        nodes.extend(tree.nodes.values())
        category = (item.category if item is not None else None) or UNKNOWN
        categories[category].extend(tree.bottom_keys)
    sums = [
        Node(f"{AGGREGATE_PREFIX}category:{c}", "category", c, None, keys)
        for c, keys in sorted(categories.items())
    ]
    everything = [k for t in trees for k in t.bottom_keys]
    if trees:
        sums.append(Node(f"{AGGREGATE_PREFIX}total", "total", "total", None, everything))
    return CoherencePlan(trees, nodes, sums, left_out)


def _tree(item_id: int, sku: str, members: list[History], tiers: Mapping[int, Tier]) -> ItemTree:
    ordered = sorted(members, key=lambda h: h.label)
    paths = []
    for h in ordered:
        tier = tiers.get(h.site_id, Tier(UNKNOWN, None, UNKNOWN))
        paths.append((str(item_id), tier.region, tier.dc_code, h.key))
    hierarchy = Hierarchy.from_paths(paths)
    length = max(h.values.size for h in ordered)
    padded = np.vstack([np.pad(h.values, (length - h.values.size, 0)) for h in ordered])
    bottom_keys = [h.key for h in ordered]
    nodes: dict[str, Node] = {}
    n_bottom = len(bottom_keys)
    for row, node_id in enumerate(hierarchy.nodes[: len(hierarchy.nodes) - n_bottom]):
        parts = node_id.split("/")
        level = ("item", "region", "dc")[len(parts) - 1]
        label = sku if level == "item" else f"{sku}@{parts[-1]}"
        weights = hierarchy.summing[row]
        keys = [k for k, w in zip(bottom_keys, weights, strict=True) if w > 0]
        nodes[node_id] = Node(
            f"{AGGREGATE_PREFIX}{item_id}:{node_id}",
            level,
            label,
            item_id,
            keys,
            np.asarray(weights @ padded, dtype=np.float64),
        )
    return ItemTree(item_id, hierarchy, bottom_keys, nodes)


@dataclass(frozen=True)
class Reconciled:
    """Coherent quantiles (levels × horizon) per history key and per aggregate node key."""

    quantiles: dict[str, FloatArray]
    methods: dict[str, int]  # method → trees reconciled with it
    notes: list[str]


def reconcile_plan(
    plan: CoherencePlan,
    history_of: Mapping[str, FloatArray],
    base: Mapping[str, FloatArray],
    levels: Sequence[float],
) -> Reconciled:
    """Coherent quantiles for every series and node of the plan.

    `history_of` maps history keys to values; `base` maps history keys and node keys to
    base quantiles (levels × horizon); `levels` contains 0.5, whose row is the point that
    is reconciled.
    """
    median = list(levels).index(0.5)
    out: dict[str, FloatArray] = {}
    methods: dict[str, int] = defaultdict(int)
    notes: list[str] = []
    for tree in plan.trees:
        h = tree.hierarchy
        keys = [tree.nodes[n].key if n in tree.nodes else n for n in h.nodes]
        n_agg = len(h.nodes) - len(h.bottom)
        bottom_keys = dict(zip(h.bottom, tree.bottom_keys, strict=True))
        keys[n_agg:] = [bottom_keys[b] for b in h.bottom]
        y_hat = np.vstack([base[k][median] for k in keys])
        values = [
            tree.nodes[n].values if n in tree.nodes else history_of[bottom_keys[n]] for n in h.nodes
        ]
        bottom, used, why = _reconcile(h.summing, y_hat, values)
        methods[used] += 1
        if why:
            notes.append(f"item {tree.item_id}: {why}")
        coherent = h.summing @ np.clip(bottom, 0.0, None)
        for row, key in enumerate(keys):
            out[key] = _shift(base[key], coherent[row], median)
    for node in plan.sums:
        rows = [out[k] for k in node.members]
        out[node.key] = np.sum(rows, axis=0) if rows else np.zeros(0)
    return Reconciled(out, dict(methods), notes)


def _shift(q: FloatArray, point: FloatArray, median: int) -> FloatArray:
    """Move every quantile by the median's adjustment; clip at 0, keep them monotone."""
    moved = np.clip(q + (point - q[median])[None, :], 0.0, None)
    moved[median] = point
    return np.asarray(np.maximum.accumulate(moved, axis=0), dtype=np.float64)


def _reconcile(
    summing: FloatArray, y_hat: FloatArray, histories: Sequence[FloatArray]
) -> tuple[FloatArray, str, str | None]:
    """Bottom rows of MinT-reconciled `y_hat` (nodes × horizon), the method and why not MinT."""
    from hierarchicalforecast.methods import (  # type: ignore[import-untyped]
        MinTrace,  # lazy: an ~8 s import, paid by reconciling runs only
    )

    n_bottom = summing.shape[1]
    if n_bottom == 1:
        return y_hat[-1:], "bottom_up", None  # one store: every tier is that store
    length = min(v.size for v in histories)
    window = min(RESIDUAL_DAYS, length - SEASON_DAYS)
    why: str | None = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if window >= 3:
            y = np.vstack([v[-window:] for v in histories])
            fitted = np.vstack([v[-window - SEASON_DAYS : -SEASON_DAYS] for v in histories])
            try:
                got = MinTrace(method=METHOD).fit_predict(
                    S=summing, y_hat=y_hat, y_insample=y, y_hat_insample=fitted
                )
                return np.asarray(got["mean"][-n_bottom:], dtype=np.float64), METHOD, None
            except Exception as exc:  # the library raises bare Exception when W is degenerate
                why = f"{METHOD} not usable ({str(exc)[:80]}); used {FALLBACK_METHOD}"
        else:
            why = f"history too short for {METHOD}; used {FALLBACK_METHOD}"
        got = MinTrace(method=FALLBACK_METHOD).fit_predict(S=summing, y_hat=y_hat)
    return np.asarray(got["mean"][-n_bottom:], dtype=np.float64), FALLBACK_METHOD, why
