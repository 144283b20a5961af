"""Job-shop engine: parsing, dispatching rules, both CP-SAT models and the checker."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from supplymesh.planning.scheduling import solve as solve_module
from supplymesh.planning.scheduling.check import check_schedule
from supplymesh.planning.scheduling.dispatch import best_dispatch
from supplymesh.planning.scheduling.params import SchedulingParams
from supplymesh.planning.scheduling.plain import schedule_plain
from supplymesh.planning.scheduling.problem import (
    Job,
    JobShopProblem,
    MalformedProblem,
    Operation,
    parse_standard,
)
from supplymesh.planning.scheduling.result import ScheduleStatus
from supplymesh.planning.scheduling.solve import schedule

DATA = Path(__file__).parents[2] / "data" / "scheduling"


@pytest.fixture(scope="module")
def ft06() -> JobShopProblem:
    return parse_standard((DATA / "ft06.txt").read_text(), "ft06")


def _ends(problem: JobShopProblem, starts: list[list[int]]) -> list[list[int]]:
    return [
        [s + op.duration for s, op in zip(row, job.operations, strict=True)]
        for row, job in zip(starts, problem.jobs, strict=True)
    ]


def test_reads_the_standard_format(ft06: JobShopProblem) -> None:
    assert (ft06.n_jobs, ft06.n_machines) == (6, 6)
    assert ft06.jobs[0].operations[0] == Operation(machine=2, duration=1)
    assert ft06.lower_bound() <= 55


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("2 x\n", "line 1"),
        ("2 2\n0 1 1 2\n", "expected 2 job lines"),
        ("1 2\n0 1 1\n", "expected 4 numbers"),
        ("1 2\n0 1 5 2\n", "machine 5"),
        ("1 2\n0 1 1 -2\n", "negative duration"),
        ("1 2\n0 1 a 2\n", "non-integer"),
    ],
)
def test_rejects_malformed_text(text: str, fragment: str) -> None:
    with pytest.raises(MalformedProblem, match=fragment):
        parse_standard(text)


def test_params_are_checked() -> None:
    with pytest.raises(ValueError, match="time_limit_s"):
        SchedulingParams(time_limit_s=0)
    with pytest.raises(ValueError, match="workers"):
        SchedulingParams(workers=0)
    with pytest.raises(ValueError, match="tabu_share"):
        SchedulingParams(tabu_share=1.0)


def test_dispatching_rules_give_a_feasible_schedule(ft06: JobShopProblem) -> None:
    starts, makespan = best_dispatch(ft06, seed=1)
    assert check_schedule(ft06, starts, _ends(ft06, starts), makespan) == []
    assert 55 <= makespan < 80


def test_ours_solves_ft06_to_its_optimum(ft06: JobShopProblem) -> None:
    result = schedule(ft06, SchedulingParams(time_limit_s=10, workers=1))
    assert result.makespan == 55
    assert result.status is ScheduleStatus.OPTIMAL
    assert check_schedule(ft06, result.starts, result.ends, result.makespan) == []


def test_plain_model_solves_ft06_to_its_optimum(ft06: JobShopProblem) -> None:
    result = schedule_plain(ft06, SchedulingParams(time_limit_s=10, workers=1))
    assert result.makespan == 55
    assert check_schedule(ft06, result.starts, result.ends, result.makespan) == []


def _random_shop(n: int, m: int, seed: int) -> JobShopProblem:
    """Taillard-style: durations uniform in 1–99, random machine orders."""
    rng = random.Random(seed)
    jobs = []
    for _ in range(n):
        machines = list(range(m))
        rng.shuffle(machines)
        jobs.append(Job(tuple(Operation(mc, rng.randint(1, 99)) for mc in machines)))
    return JobShopProblem(tuple(jobs), m, f"rand{n}x{m}")


def test_neighbourhood_search_improves_the_dispatch_schedule() -> None:
    problem = _random_shop(10, 10, seed=7)
    starts, dispatched = best_dispatch(problem, seed=1)
    params = SchedulingParams(time_limit_s=2, workers=1)
    deadline = time.perf_counter() + 2.0
    best, makespan = solve_module._lns(
        problem, params, random.Random(1), starts, dispatched, problem.lower_bound(), deadline
    )
    assert makespan < dispatched
    assert check_schedule(problem, best, _ends(problem, best), makespan) == []


def test_schedule_with_lns_share_stays_feasible() -> None:
    problem = _random_shop(10, 10, seed=8)
    _, dispatched = best_dispatch(problem, seed=1)
    params = SchedulingParams(time_limit_s=2, workers=1, full_solve_share=0.05, tabu_share=0)
    result = schedule(problem, params)
    assert result.makespan is not None
    assert problem.lower_bound() <= result.lower_bound <= result.makespan <= dispatched
    assert check_schedule(problem, result.starts, result.ends, result.makespan) == []


def test_release_times_are_respected() -> None:
    problem = JobShopProblem(
        (Job((Operation(0, 3), Operation(1, 2)), release=5), Job((Operation(1, 4),))), 2
    )
    result = schedule(problem, SchedulingParams(time_limit_s=5, workers=1))
    assert result.starts[0][0] >= 5
    assert check_schedule(problem, result.starts, result.ends, result.makespan) == []


class TestChecker:
    problem = JobShopProblem(
        (Job((Operation(0, 3), Operation(1, 2))), Job((Operation(1, 4), Operation(0, 1)))), 2
    )
    good_starts = ((0, 4), (0, 4))

    def _check(self, starts: tuple[tuple[int, ...], ...], makespan: int | None = None) -> list[str]:
        return check_schedule(
            self.problem, starts, _ends(self.problem, [list(r) for r in starts]), makespan
        )

    def test_accepts_a_feasible_schedule(self) -> None:
        assert self._check(self.good_starts, 6) == []

    def test_catches_precedence(self) -> None:
        assert any("before op 0 ends" in p for p in self._check(((0, 2), (0, 4))))

    def test_catches_overlap(self) -> None:
        assert any("overlaps" in p for p in self._check(((0, 4), (0, 2))))

    def test_catches_wrong_duration(self) -> None:
        problems = check_schedule(self.problem, self.good_starts, ((3, 5), (4, 6)))
        assert any("duration is 1" in p for p in problems)

    def test_catches_wrong_makespan(self) -> None:
        assert any("makespan" in p for p in self._check(self.good_starts, 7))

    def test_catches_release_and_shape(self) -> None:
        released = JobShopProblem((Job((Operation(0, 1),), release=2),), 1)
        assert any("release" in p for p in check_schedule(released, ((0,),), ((1,),)))
        assert check_schedule(self.problem, ((0, 4),), ((3, 6),)) != []
