"""Queue calling (排队叫号): who goes to a dock next, and where a driver stands in line."""

from __future__ import annotations

from collections.abc import Collection

from supplymesh.planning.docks.result import DockPlan, DockVisit, QueuePlace


def _waiting(plan: DockPlan, dock: str, called: Collection[str]) -> list[DockVisit]:
    return [v for v in plan.queue(dock) if not v.pinned and v.truck_id not in called]


def call_next(plan: DockPlan, dock: str, called: Collection[str] = ()) -> DockVisit | None:
    """The next truck to call to ``dock``: the earliest planned one not yet called or started.

    Calls follow the plan, not arrival order, so a refrigerated truck booked later may be
    called ahead of one that arrived early for a busy dock.
    """
    waiting = _waiting(plan, dock, called)
    return waiting[0] if waiting else None


def queue_place(plan: DockPlan, truck_id: str, called: Collection[str] = ()) -> QueuePlace:
    """Where ``truck_id`` stands: its dock and place in line (1 = next, 0 = already called)."""
    visit = plan.visit(truck_id)
    if visit.pinned or truck_id in called:
        return QueuePlace(truck_id, visit.dock, 0, (), visit.start)
    waiting = _waiting(plan, visit.dock, called)
    ahead = tuple(v.truck_id for v in waiting[: [v.truck_id for v in waiting].index(truck_id)])
    return QueuePlace(truck_id, visit.dock, len(ahead) + 1, ahead, visit.start)
