"""Tabu search on critical blocks: it improves schedules, keeps them feasible, stops at a bound."""

from __future__ import annotations

import random
import time
from pathlib import Path

from supplymesh.planning.scheduling.check import check_schedule
from supplymesh.planning.scheduling.dispatch import best_dispatch
from supplymesh.planning.scheduling.params import SchedulingParams
from supplymesh.planning.scheduling.problem import Job, JobShopProblem, Operation, parse_standard
from supplymesh.planning.scheduling.result import ScheduleStatus
from supplymesh.planning.scheduling.solve import schedule
from supplymesh.planning.scheduling.tabu import tabu_search

DATA = Path(__file__).parents[2] / "data" / "scheduling"


def _ends(problem: JobShopProblem, starts: list[list[int]]) -> list[list[int]]:
    return [
        [s + op.duration for s, op in zip(row, job.operations, strict=True)]
        for row, job in zip(starts, problem.jobs, strict=True)
    ]


def _random_shop(n: int, m: int, seed: int, releases: bool = False) -> JobShopProblem:
    rng = random.Random(seed)
    jobs = []
    for _ in range(n):
        machines = list(range(m))
        rng.shuffle(machines)
        ops = tuple(Operation(mc, rng.randint(1, 99)) for mc in machines)
        jobs.append(Job(ops, release=rng.randint(0, 200) if releases else 0))
    return JobShopProblem(tuple(jobs), m, f"rand{n}x{m}")


def test_finds_the_ft06_optimum_and_stops_at_the_bound() -> None:
    ft06 = parse_standard((DATA / "ft06.txt").read_text(), "ft06")
    starts, dispatched = best_dispatch(ft06, seed=1)
    tabu_search(ft06, starts, seconds=0.01, seed=1)  # compiles on a fresh install
    began = time.perf_counter()
    best, makespan = tabu_search(ft06, starts, seconds=20, seed=1, lower=55, threads=1)
    assert makespan == 55 < dispatched
    assert time.perf_counter() - began < 10  # stopped on reaching the bound, not the clock
    assert check_schedule(ft06, best, _ends(ft06, best), makespan) == []


def test_improves_a_dispatch_schedule_with_releases_on_two_threads() -> None:
    problem = _random_shop(15, 8, seed=3, releases=True)
    starts, dispatched = best_dispatch(problem, seed=1)
    best, makespan = tabu_search(problem, starts, seconds=1.5, seed=2, threads=2)
    assert makespan < dispatched
    assert check_schedule(problem, best, _ends(problem, best), makespan) == []


def test_schedule_combines_tabu_and_cp_sat_proof() -> None:
    # 10×5 shops are easy: tabu finds the optimum and the CP-SAT phase proves it.
    problem = _random_shop(10, 5, seed=11)
    result = schedule(problem, SchedulingParams(time_limit_s=8, workers=1))
    assert result.status is ScheduleStatus.OPTIMAL
    assert result.makespan == result.lower_bound
    assert check_schedule(problem, result.starts, result.ends, result.makespan) == []
