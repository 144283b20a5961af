"""A loading plan as a picture: an isometric 3D view and a view from the door, in SVG.

Drawn on the server so the picture needs no WebGL, no library and no network: it prints, goes
into an e-mail or a WeChat message as it is, and the same function serves the page, the API
and the CLI. Boxes are painted back to front (a box is drawn after every box it could hide),
coloured by delivery stop so the loader sees at a glance what comes off first.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from xml.sax.saxutils import escape

from supplymesh.logistics.loading_schemas import PlacedBox

STOP_COLOURS = ("#60a5fa", "#f87171", "#34d399", "#fbbf24", "#a78bfa", "#22d3ee", "#f472b6")
COS30, SIN30 = math.cos(math.pi / 6), 0.5


def _shade(hex_colour: str, factor: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(max(0, min(255, round(c * factor))) for c in (r, g, b)))


def _beyond(a: PlacedBox, b: PlacedBox) -> bool:
    """Whether `a` lies wholly on the far side of `b` along some axis (the viewer is at +x+y+z)."""
    return a.x + a.dx <= b.x or a.y + a.dy <= b.y or a.z + a.dz <= b.z


def painting_order(boxes: Sequence[PlacedBox]) -> list[PlacedBox]:
    """Back to front: `a` before `b` when `a` is beyond `b` and not the other way round (when
    both are, their pictures do not overlap and either order is right). Kahn's algorithm over
    those pairs, nearest-to-the-back first among the free ones."""
    items = sorted(boxes, key=lambda p: (p.x + p.y + p.z, p.z))
    n = len(items)
    after: list[list[int]] = [[] for _ in range(n)]
    waiting = [0] * n
    for i in range(n):
        for j in range(i + 1, n):
            ij, ji = _beyond(items[i], items[j]), _beyond(items[j], items[i])
            if ij and not ji:
                after[i].append(j)
                waiting[j] += 1
            elif ji and not ij:
                after[j].append(i)
                waiting[i] += 1
    free = [i for i in range(n) if waiting[i] == 0]
    heapq.heapify(free)
    order: list[PlacedBox] = []
    while free:
        i = heapq.heappop(free)
        order.append(items[i])
        for j in after[i]:
            waiting[j] -= 1
            if waiting[j] == 0:
                heapq.heappush(free, j)
    drawn = {id(b) for b in order}
    return order + [b for b in items if id(b) not in drawn]  # a cycle: cannot happen, kept safe


def _iso(x: float, y: float, z: float) -> tuple[float, float]:
    return (x - y) * COS30, (x + y) * SIN30 - z


def _polygon(
    points: list[tuple[float, float]], fill: str, scale: float, ox: float, oy: float
) -> str:
    coords = " ".join(f"{ox + px * scale:.1f},{oy + py * scale:.1f}" for px, py in points)
    return f'<polygon points="{coords}" fill="{fill}" stroke="#1f2937" stroke-width="0.6"/>'


def render_svg(
    length: int, width: int, height: int, boxes: Sequence[PlacedBox], caption: str = ""
) -> str:
    """The plan as one SVG document: isometric view (left) and the view from the door (right)."""
    iso_w = (length + width) * COS30
    iso_h = (length + width) * SIN30 + height
    scale = 520 / max(iso_w, iso_h)
    door_scale = 300 / max(width, height)
    total_w = 520 + 60 + width * door_scale + 40
    total_h = max(iso_h * scale, height * door_scale) + 90
    ox, oy = width * COS30 * scale + 20, height * scale + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {total_w:.0f} {total_h:.0f}" '
        f'width="{total_w:.0f}" height="{total_h:.0f}" role="img" class="loading-picture">',
        f"<title>{escape(caption)}</title>",
    ]
    # the container's floor and back walls, then the boxes back to front
    floor = [_iso(0, 0, 0), _iso(length, 0, 0), _iso(length, width, 0), _iso(0, width, 0)]
    back = [_iso(0, 0, 0), _iso(0, width, 0), _iso(0, width, height), _iso(0, 0, height)]
    side = [_iso(0, 0, 0), _iso(length, 0, 0), _iso(length, 0, height), _iso(0, 0, height)]
    for face in (floor, back, side):
        parts.append(_polygon(face, "#f1f5f9", scale, ox, oy))
    for box in painting_order(boxes):
        colour = STOP_COLOURS[(box.stop - 1) % len(STOP_COLOURS)]
        x0, y0, z0 = box.x, box.y, box.z
        x1, y1, z1 = x0 + box.dx, y0 + box.dy, z0 + box.dz
        top = [_iso(x0, y0, z1), _iso(x1, y0, z1), _iso(x1, y1, z1), _iso(x0, y1, z1)]
        front = [_iso(x1, y0, z0), _iso(x1, y1, z0), _iso(x1, y1, z1), _iso(x1, y0, z1)]
        right = [_iso(x0, y1, z0), _iso(x1, y1, z0), _iso(x1, y1, z1), _iso(x0, y1, z1)]
        parts.append(f'<g data-box="{escape(box.label)}" data-stop="{box.stop}">')
        parts.append(_polygon(right, _shade(colour, 0.75), scale, ox, oy))
        parts.append(_polygon(front, _shade(colour, 0.9), scale, ox, oy))
        parts.append(_polygon(top, colour, scale, ox, oy))
        parts.append("</g>")
    # the view from the door: y across, z up; the nearest box in each cell shows
    dx0, dy0 = 520 + 60, 30
    parts.append(
        f'<rect x="{dx0}" y="{dy0}" width="{width * door_scale:.1f}" '
        f'height="{height * door_scale:.1f}" fill="#f8fafc" stroke="#1f2937" stroke-width="1"/>'
    )
    for box in sorted(boxes, key=lambda b: b.x + b.dx):
        colour = STOP_COLOURS[(box.stop - 1) % len(STOP_COLOURS)]
        bx = dx0 + box.y * door_scale
        by = dy0 + (height - box.z - box.dz) * door_scale
        parts.append(
            f'<rect x="{bx:.1f}" y="{by:.1f}" width="{box.dy * door_scale:.1f}" '
            f'height="{box.dz * door_scale:.1f}" fill="{colour}" '
            'stroke="#1f2937" stroke-width="0.5"/>'
        )
    legend_y = total_h - 20
    stops = sorted({b.stop for b in boxes})
    for k, stop in enumerate(stops):
        colour = STOP_COLOURS[(stop - 1) % len(STOP_COLOURS)]
        parts.append(
            f'<rect x="{20 + k * 90}" y="{legend_y - 10}" width="12" height="12" fill="{colour}"/>'
        )
        parts.append(f'<text x="{36 + k * 90}" y="{legend_y}" font-size="12">stop {stop}</text>')
    parts.append(f'<text x="{dx0}" y="{dy0 - 10}" font-size="12">⟂ door</text>')
    parts.append("</svg>")
    return "".join(parts)
