"""Load one truck or container: boxes on offer → the packer's plan, checked, and its picture.

Stateless like `/docks/plan`: the dispatcher sends the load space and the cartons (from the
orders of a route's stops, or typed in) and gets back which boxes go where. The plan is
checked again by the independent checker (support, orientation, weight, load bearing, drop
order); a box larger than the load space is refused with its label, not silently left behind.
"""

from __future__ import annotations

from collections import Counter

from supplymesh.logistics.loading_picture import render_svg
from supplymesh.logistics.loading_schemas import (
    BoxCount,
    LoadingPlanRequest,
    LoadingPlanResponse,
    PlacedBox,
)
from supplymesh.planning.loading.check import check_loading
from supplymesh.planning.loading.params import LoadingParams
from supplymesh.planning.loading.problem import BoxType, Container, LoadingProblem, MalformedProblem
from supplymesh.planning.loading.solve import pack
from supplymesh.platform.errors import FieldError, ValidationFailed, invalid


def build_problem(request: LoadingPlanRequest) -> LoadingProblem:
    """The packer's problem; refuses boxes that fit the empty space in no allowed way."""
    length, width, height, payload = request.container.resolved()
    try:
        container = Container(length, width, height, payload)
        types = tuple(
            BoxType(
                dims=(b.length_mm, b.width_mm, b.height_mm),
                vertical=(False, False, True) if b.upright else (True, True, True),
                quantity=b.quantity,
                weight_kg=b.weight_kg,
                fragile=b.fragile,
                max_load_kg=b.max_load_kg,
                stop=b.stop,
                label=b.label,
            )
            for b in request.boxes
        )
        problem = LoadingProblem(container, types, "loading plan")
    except MalformedProblem as exc:
        raise invalid("boxes", str(exc)) from exc
    too_big = [
        FieldError(
            f"boxes.{i}",
            f"{b.label} ({b.length_mm}×{b.width_mm}×{b.height_mm} mm"
            f"{', upright' if b.upright else ''}) does not fit "
            f"a {length}×{width}×{height} mm space",
        )
        for i, (b, t) in enumerate(zip(request.boxes, types, strict=True))
        if not problem.fits(t)
    ]
    if too_big:
        raise ValidationFailed(too_big)
    return problem


def plan_loading(request: LoadingPlanRequest) -> LoadingPlanResponse:
    """Pack, check and draw."""
    problem = build_problem(request)
    result = pack(problem, LoadingParams(time_limit_s=request.time_limit_s))
    violations = check_loading(problem, result.placements)
    boxes = request.boxes
    placed = [
        PlacedBox(
            label=boxes[p.box_type].label,
            stop=boxes[p.box_type].stop,
            x=p.x,
            y=p.y,
            z=p.z,
            dx=p.dx,
            dy=p.dy,
            dz=p.dz,
        )
        for p in result.placements
    ]
    loaded = Counter(p.box_type for p in result.placements)
    weight = sum((boxes[p.box_type].weight_kg or 0.0) for p in result.placements)
    c = problem.container
    utilisation = round(100 * result.utilisation, 2)
    caption = f"{len(placed)} boxes, {utilisation} % of {c.length}×{c.width}×{c.height} mm"
    return LoadingPlanResponse(
        container={
            "length_mm": c.length,
            "width_mm": c.width,
            "height_mm": c.height,
            "max_weight_kg": c.max_weight_kg,
        },
        utilisation_pct=utilisation,
        loaded_boxes=len(placed),
        loaded_weight_kg=round(weight, 3),
        counts=[
            BoxCount(label=b.label, stop=b.stop, requested=b.quantity, loaded=loaded.get(i, 0))
            for i, b in enumerate(boxes)
        ],
        placements=placed,
        violations=violations,
        picture_svg=render_svg(c.length, c.width, c.height, placed, caption),
    )
