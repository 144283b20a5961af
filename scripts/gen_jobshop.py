"""Random job-shop instances that look like Taillard's: durations uniform in 1–99, every job
visits every machine once in a random order. Written in the standard format (machines from 0).

Usage: python scripts/gen_jobshop.py OUT_DIR [--jobs 20] [--machines 20] [--count 5] [--seed 1]
Files are named ``rNxM-sSEED.txt``; the same seed always gives the same instance.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path


def instance(jobs: int, machines: int, seed: int) -> str:
    """One instance as text in the standard format."""
    rng = random.Random(seed)
    lines = [f"{jobs} {machines}"]
    for _ in range(jobs):
        order = list(range(machines))
        rng.shuffle(order)
        lines.append(" ".join(f"{m} {rng.randint(1, 99)}" for m in order))
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--machines", type=int, default=20)
    parser.add_argument("--count", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for seed in range(args.seed, args.seed + args.count):
        name = f"r{args.jobs}x{args.machines}-s{seed}.txt"
        (args.out / name).write_text(instance(args.jobs, args.machines, seed), encoding="utf-8")


if __name__ == "__main__":
    main()
