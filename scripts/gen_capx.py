"""Write capa/capb/capc look-alikes (OR-Library ``capacity``-word format) for development.

Usage: ``.venv/bin/python scripts/gen_capx.py OUT_DIR [--seeds 1 2 ...]`` writes
``OUT_DIR/seed<K>/cap{a,b,c}.txt``; ``supplymesh bench facility OUT_DIR`` then expands each
file to its four standard capacities. See ``supplymesh.planning.network_design.generate``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from supplymesh.planning.network_design.generate import FIXED_COST_RANGE, generate_lookalike
from supplymesh.planning.network_design.orlib import write_orlib


def main() -> None:
    """Parse the arguments and write the files."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--families", nargs="+", default=sorted(FIXED_COST_RANGE))
    args = parser.parse_args()
    for seed in args.seeds:
        folder = args.out / f"seed{seed}"
        folder.mkdir(parents=True, exist_ok=True)
        for family in args.families:
            problem = generate_lookalike(family, seed)
            (folder / f"{family}.txt").write_text(write_orlib(problem, capacity_word=True))
            print(folder / f"{family}.txt")


if __name__ == "__main__":
    main()
