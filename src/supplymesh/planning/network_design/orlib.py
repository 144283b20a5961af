"""Reader of OR-Library capacitated warehouse location files (Beasley's ``capinfo``).

Layout: ``m n``; m lines ``capacity fixed_cost``; then per customer its demand followed by
the m costs of serving all of its demand from each site. Line breaks are not significant.
In capa/capb/capc the capacity column holds the word ``capacity``: the file is a family of
instances, one per standard capacity (CONTRACTS.md), named ``<stem>-<capacity>``.
"""

from __future__ import annotations

import numpy as np

from supplymesh.planning.network_design.problem import FacilityProblem, MalformedProblem

STANDARD_CAPACITIES: dict[str, tuple[int, ...]] = {
    "capa": (8000, 10000, 12000, 14000),
    "capb": (5000, 6000, 7000, 8000),
    "capc": (5000, 5750, 6500, 7250),
}
CAPACITY_WORD = "capacity"


def _number(token: str, name: str, what: str) -> float:
    try:
        value = float(token)
    except ValueError:
        raise MalformedProblem(f"{name}: {what} is {token!r}, not a number") from None
    if not np.isfinite(value):
        raise MalformedProblem(f"{name}: {what} is {token!r}")
    return value


def has_capacity_word(text: str) -> bool:
    """True when the site lines carry the word ``capacity`` (a capa/capb/capc family file)."""
    tokens = text.split(maxsplit=3)
    return len(tokens) >= 3 and tokens[2].lower() == CAPACITY_WORD


def parse_orlib(text: str, name: str, capacity: float | None = None) -> list[FacilityProblem]:
    """Instances in one OR-Library ``cap*`` file (one, or one per capacity for a family file).

    Parameters
    ----------
    text
        The file's content.
    name
        The file stem; family files expand to ``<name>-<capacity>``.
    capacity
        For family files: use only this capacity (``--capacity``). Ignored for numeric files.
    """
    tokens = text.split()
    if len(tokens) < 2:
        raise MalformedProblem(f"{name}: empty file, expected 'm n' first")
    m = int(_number(tokens[0], name, "number of sites"))
    n = int(_number(tokens[1], name, "number of customers"))
    if m <= 0 or n <= 0:
        raise MalformedProblem(f"{name}: header 'm n' is {tokens[0]} {tokens[1]}")
    expected = 2 + 2 * m + n * (1 + m)
    if len(tokens) != expected:
        raise MalformedProblem(
            f"{name}: {len(tokens)} numbers, expected {expected} for {m} sites × {n} customers"
        )
    site_tokens = tokens[2 : 2 + 2 * m]
    cap_tokens = site_tokens[0::2]
    words = [t.lower() == CAPACITY_WORD for t in cap_tokens]
    fixed = np.array(
        [_number(t, name, f"fixed cost of site {i + 1}") for i, t in enumerate(site_tokens[1::2])]
    )
    body = np.array(
        [_number(t, name, f"customer data item {k + 1}") for k, t in enumerate(tokens[2 + 2 * m :])]
    ).reshape(n, 1 + m)
    demands = body[:, 0].copy()
    costs = np.ascontiguousarray(body[:, 1:].T)

    def build(instance: str, caps: np.ndarray) -> FacilityProblem:
        return FacilityProblem(
            name=instance,
            capacities=caps.astype(np.float64),
            fixed_costs=fixed,
            demands=demands,
            assignment_cost=costs,
        )

    if not any(words):
        caps = np.array(
            [_number(t, name, f"capacity of site {i + 1}") for i, t in enumerate(cap_tokens)]
        )
        return [build(name, caps)]
    if not all(words):
        bad = words.index(False) if words[0] else words.index(True)
        raise MalformedProblem(
            f"{name}: site {bad + 1} mixes numeric capacities and the word 'capacity'"
        )
    if capacity is not None:
        chosen: tuple[float, ...] = (capacity,)
    elif name.lower() in STANDARD_CAPACITIES:
        chosen = tuple(float(c) for c in STANDARD_CAPACITIES[name.lower()])
    else:
        raise MalformedProblem(
            f"{name}: capacities are the word 'capacity' and {name!r} is not capa/capb/capc; "
            "pass --capacity"
        )
    return [build(f"{name}-{c:g}", np.full(m, c)) for c in chosen]


def write_orlib(problem: FacilityProblem, *, capacity_word: bool = False) -> str:
    """The problem in OR-Library layout (the family form when ``capacity_word``)."""
    lines = [f" {problem.n_sites} {problem.n_customers} "]
    for cap, fixed in zip(problem.capacities, problem.fixed_costs, strict=True):
        first = CAPACITY_WORD if capacity_word else f"{cap:g}"
        lines.append(f" {first} {fixed:.5f} ")
    for j in range(problem.n_customers):
        lines.append(f" {problem.demands[j]:g} ")
        row = problem.assignment_cost[:, j]
        for start in range(0, len(row), 7):
            lines.append(" " + " ".join(f"{c:.5f}" for c in row[start : start + 7]) + " ")
    return "\n".join(lines) + "\n"
