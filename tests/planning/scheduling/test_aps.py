"""APS engine: each rule on a case small enough to verify by hand, and the checker on each."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from supplymesh.planning.scheduling.aps_check import check_aps
from supplymesh.planning.scheduling.aps_greedy import greedy_schedule
from supplymesh.planning.scheduling.aps_problem import (
    Alternative,
    ApsJob,
    ApsProblem,
    ApsSchedule,
    Objective,
    Placement,
    Task,
)
from supplymesh.planning.scheduling.aps_solve import objective_value, solve_aps
from supplymesh.planning.scheduling.params import SchedulingParams
from supplymesh.planning.scheduling.problem import Job, JobShopProblem, MalformedProblem, Operation
from supplymesh.planning.scheduling.repair import Unrepairable, freeze, repair
from supplymesh.planning.scheduling.result import ScheduleStatus

FAST = SchedulingParams(time_limit_s=10, workers=1)


def _task(*options: tuple[int, int], setup_class: int = 0) -> Task:
    return Task(tuple(Alternative(m, d) for m, d in options), setup_class)


def _solved(problem: ApsProblem, hint: ApsSchedule | None = None) -> ApsSchedule:
    result = solve_aps(problem, FAST, hint)
    assert result.schedule is not None, result.status
    assert check_aps(problem, result.schedule) == []
    assert result.status is ScheduleStatus.OPTIMAL
    return result.schedule


def test_flexible_operation_takes_the_faster_machine() -> None:
    # Two jobs, each one task that takes 5 on machine 0 or 2 on machine 1: running both on
    # machine 1 ends at 4; splitting ends at 5; so both go to machine 1.
    task = _task((0, 5), (1, 2))
    problem = ApsProblem((ApsJob((task,)), ApsJob((task,))), 2)
    schedule = _solved(problem)
    assert schedule.makespan == 4
    assert {row[0].machine for row in schedule.placements} == {1}


def test_sequence_dependent_setups_choose_the_cheap_order() -> None:
    # One machine, class 0 → 1 costs 10, class 1 → 0 costs 1: B (3) then A (2) = 3 + 1 + 2.
    a = ApsJob((_task((0, 2), setup_class=0),))
    b = ApsJob((_task((0, 3), setup_class=1),))
    problem = ApsProblem((a, b), 1, setups={(0, 0, 1): 10, (0, 1, 0): 1})
    schedule = _solved(problem)
    assert schedule.makespan == 6
    assert schedule.placements[1][0] == Placement(0, 0, 3)
    assert schedule.placements[0][0] == Placement(0, 4, 6)


def test_weighted_tardiness_puts_the_heavy_job_first() -> None:
    # Unweighted: short job first (tardiness 1) beats long first (5). Weight 10 on the long
    # job flips it: long first costs 5 · 1, short first costs 1 · 10.
    long_job = ApsJob((_task((0, 5)),), due=5)
    short_job = ApsJob((_task((0, 1)),), due=1)
    plain = ApsProblem((long_job, short_job), 1, objective=Objective.TOTAL_TARDINESS)
    assert _solved(plain).objective_value == 1
    heavy = replace(plain, jobs=(replace(long_job, weight=10), short_job))
    schedule = _solved(heavy)
    assert schedule.objective_value == 5
    assert schedule.placements[0][0].start == 0


def test_calendar_window_blocks_the_machine() -> None:
    # A 3-long task does not fit before the window [2, 10): it starts at 10.
    problem = ApsProblem((ApsJob((_task((0, 3)),)),), 1, downtime={0: ((2, 10),)})
    assert _solved(problem).placements[0][0] == Placement(0, 10, 13)


def test_setup_may_not_run_during_downtime() -> None:
    # A (class 0) at 0–2, window [2, 5), setup 0 → 1 takes 4: B cannot start before 5 + 4.
    a = ApsJob((_task((0, 2), setup_class=0),))
    b = ApsJob((_task((0, 1), setup_class=1),), release=1)
    problem = ApsProblem((a, b), 1, setups={(0, 0, 1): 4, (0, 1, 0): 50}, downtime={0: ((2, 5),)})
    schedule = _solved(problem)
    assert schedule.placements[0][0] == Placement(0, 0, 2)
    assert schedule.placements[1][0] == Placement(0, 9, 10)


def test_release_and_job_order_are_respected() -> None:
    job = ApsJob((_task((0, 2)), _task((1, 3))), release=4)
    schedule = _solved(ApsProblem((job,), 2))
    assert schedule.placements[0] == (Placement(0, 4, 6), Placement(1, 6, 9))


def test_fixed_operations_stay_even_when_worse() -> None:
    # Alone it would run at 0 on machine 1 (duration 1); fixed on machine 0 at 7 it stays.
    job = ApsJob((_task((0, 4), (1, 1)),))
    problem = ApsProblem((job,), 2, fixed={(0, 0): Placement(0, 7, 11)})
    assert _solved(problem).placements[0][0] == Placement(0, 7, 11)
    with pytest.raises(MalformedProblem, match="not an option"):
        ApsProblem((job,), 2, fixed={(0, 0): Placement(0, 7, 8)})


def test_freeze_keeps_what_starts_before_the_freeze_time() -> None:
    job = ApsJob((_task((0, 4), (1, 4)),))
    old = ApsSchedule(((Placement(1, 3, 7),),), 7)
    problem = ApsProblem((job, ApsJob((_task((1, 2)),))), 2)
    frozen = freeze(problem, old, freeze_until=5)
    schedule = _solved(frozen)
    assert schedule.placements[0][0] == Placement(1, 3, 7)
    assert schedule.placements[1][0].end <= 3  # fits before the frozen one
    assert schedule.makespan == 7


def _two_line_plant() -> tuple[ApsProblem, ApsSchedule]:
    """Three two-step jobs on machines 0/1 (either, 0 faster) then 2."""
    step1 = _task((0, 3), (1, 5))
    step2 = _task((2, 2))
    problem = ApsProblem(tuple(ApsJob((step1, step2)) for _ in range(3)), 3)
    return problem, _solved(problem)


def test_repair_moves_unstarted_work_off_the_failed_machine() -> None:
    problem, plan = _two_line_plant()
    result = repair(problem, plan, down_machine=0, from_time=2, params=FAST)
    assert result.schedule is not None
    new = result.schedule
    for j, (old_row, new_row) in enumerate(zip(plan.placements, new.placements, strict=True)):
        for k, (before, after) in enumerate(zip(old_row, new_row, strict=True)):
            if before.start < 2:
                assert after == before, (j, k)  # started work does not move
            else:
                assert after.start >= 2
                assert after.machine != 0 or after.start < 2
    repaired_problem = replace(
        problem,
        fixed={
            (j, k): p
            for j, row in enumerate(plan.placements)
            for k, p in enumerate(row)
            if p.start < 2
        },
        earliest_start=2,
    )
    assert check_aps(repaired_problem, new) == []


def test_repair_with_a_return_time_waits_or_reroutes() -> None:
    # One task only machine 0 can do: it waits for the machine to come back at 20.
    only_zero = ApsJob((_task((0, 3)),))
    flexible = ApsJob((_task((0, 3), (1, 4)),))
    problem = ApsProblem((only_zero, flexible), 2)
    plan = ApsSchedule(((Placement(0, 5, 8),), (Placement(0, 8, 11),)), 11)
    result = repair(problem, plan, down_machine=0, from_time=1, params=FAST, up_time=20)
    assert result.schedule is not None
    assert result.schedule.placements[0][0] == Placement(0, 20, 23)
    assert result.schedule.placements[1][0].machine == 1  # rerouted rather than waiting
    assert result.schedule.placements[1][0].start >= 1
    with pytest.raises(Unrepairable, match="job 0 task 0"):
        repair(problem, plan, down_machine=0, from_time=1, params=FAST)


def test_running_operation_on_the_failed_machine_finishes_first() -> None:
    job = ApsJob((_task((0, 6)), _task((0, 2), (1, 9))))
    problem = ApsProblem((job,), 2)
    plan = ApsSchedule(((Placement(0, 0, 6), Placement(0, 6, 8)),), 8)
    result = repair(problem, plan, down_machine=0, from_time=4, params=FAST, up_time=10)
    assert result.schedule is not None
    # Task 0 keeps running to 6; machine 0 is then down until 10: 10–12 beats 6–15 on m1.
    assert result.schedule.placements[0] == (Placement(0, 0, 6), Placement(0, 10, 12))


def test_job_shop_converts_and_solves_like_the_classic_model() -> None:
    classic = JobShopProblem(
        (Job((Operation(0, 3), Operation(1, 2))), Job((Operation(1, 4), Operation(0, 1)))), 2
    )
    schedule = _solved(ApsProblem.from_job_shop(classic))
    assert schedule.makespan == 6  # job 0 on m0 0–3 then m1 4–6 after job 1's 0–4


class TestApsChecker:
    job = ApsJob((_task((0, 2), (1, 3), setup_class=0), _task((1, 1), setup_class=1)), release=1)
    other = ApsJob((_task((1, 2), setup_class=0),))
    problem = ApsProblem((job, other), 2, setups={(1, 0, 1): 2}, downtime={0: ((20, 30),)})
    good = ApsSchedule(((Placement(0, 1, 3), Placement(1, 4, 5)), (Placement(1, 0, 2),)), 5)

    def _with(self, j: int, k: int, place: Placement, value: int | None = None) -> list[str]:
        rows = [list(row) for row in self.good.placements]
        rows[j][k] = place
        placements = tuple(tuple(row) for row in rows)
        return check_aps(
            self.problem,
            ApsSchedule(
                placements,
                value if value is not None else max(p.end for row in placements for p in row),
            ),
        )

    def test_accepts_the_good_schedule(self) -> None:
        assert check_aps(self.problem, self.good) == []
        assert objective_value(self.problem, self.good.placements) == 5

    def test_catches_machine_and_duration(self) -> None:
        assert any("not one of its options" in f for f in self._with(0, 1, Placement(0, 4, 5)))
        assert any("duration is 3" in f for f in self._with(0, 0, Placement(1, 1, 3)))

    def test_catches_release_order_and_overlap(self) -> None:
        assert any("release" in f for f in self._with(0, 0, Placement(0, 0, 2)))
        assert any("before task 0 ends" in f for f in self._with(0, 1, Placement(1, 2, 3)))
        assert any("overlaps job" in f for f in self._with(1, 0, Placement(1, 3, 5)))

    def test_catches_setup_gap(self) -> None:
        # other (class 0) ends at 2 on m1; job's class-1 task needs setup 2: 3 is too early.
        found = self._with(0, 1, Placement(1, 3, 4))
        assert any("within the setup time 2" in f for f in found)

    def test_catches_downtime(self) -> None:
        assert any("downtime" in f for f in self._with(0, 0, Placement(0, 19, 21)))

    def test_catches_fixed_and_replanning_time_and_objective(self) -> None:
        pinned = replace(self.problem, fixed={(1, 0): Placement(1, 0, 2)}, earliest_start=2)
        moved = ApsSchedule(((Placement(0, 2, 4), Placement(1, 5, 6)), (Placement(1, 2, 4),)), 6)
        found = check_aps(pinned, moved)
        assert any("fixed at" in f for f in found)
        early = ApsSchedule(((Placement(0, 1, 3), Placement(1, 4, 5)), (Placement(1, 0, 2),)), 5)
        assert any("re-planning time" in f for f in check_aps(pinned, early))
        assert any(
            "objective 9" in f
            for f in check_aps(self.problem, replace(self.good, objective_value=9))
        )


def test_overlapping_windows_are_joined() -> None:
    problem = ApsProblem((ApsJob((_task((0, 3)),)),), 1, downtime={0: ((0, 5), (2, 12))})
    assert _solved(problem).placements[0][0] == Placement(0, 12, 15)


def test_repair_unfreezes_work_whose_predecessor_must_move() -> None:
    # Task 1 starts at 7 inside the frozen horizon, but task 0 leaves the failed machine 0
    # for machine 2 (5 long, 3–8): task 1 cannot keep 7 and moves after 8.
    job = ApsJob((_task((0, 2), (2, 5)), _task((1, 1))))
    problem = ApsProblem((job,), 3)
    plan = ApsSchedule(((Placement(0, 5, 7), Placement(1, 7, 8)),), 8)
    result = repair(problem, plan, down_machine=0, from_time=3, params=FAST, freeze_until=10)
    assert result.schedule is not None
    assert result.schedule.placements[0] == (Placement(2, 3, 8), Placement(1, 8, 9))


def _plant(seed: int, jobs: int = 20, machines: int = 6) -> ApsProblem:
    """A mid-size plant: two machine options per step, three setup classes, a calendar."""
    rng = random.Random(seed)
    built = []
    for _ in range(jobs):
        tasks = tuple(
            Task(
                tuple(Alternative(m, rng.randint(5, 40)) for m in rng.sample(range(machines), 2)),
                rng.randrange(3),
            )
            for _ in range(5)
        )
        built.append(ApsJob(tasks, release=rng.randint(0, 50), due=rng.randint(150, 400)))
    setups = {
        (m, a, b): rng.randint(2, 15)
        for m in range(machines)
        for a in range(3)
        for b in range(3)
        if a != b
    }
    return ApsProblem(tuple(built), machines, setups=setups, downtime={0: ((100, 160),)})


def test_greedy_schedule_is_feasible_on_a_plant_sized_problem() -> None:
    problem = _plant(seed=5)
    schedule = greedy_schedule(problem)
    assert schedule is not None
    assert check_aps(problem, schedule) == []


def test_solver_returns_a_schedule_even_with_almost_no_time() -> None:
    problem = _plant(seed=6)
    result = solve_aps(problem, SchedulingParams(time_limit_s=0.05, workers=1))
    assert result.schedule is not None
    assert result.status in (ScheduleStatus.FEASIBLE, ScheduleStatus.OPTIMAL)
    assert check_aps(problem, result.schedule) == []
    greedy = greedy_schedule(problem)
    assert greedy is not None
    assert result.schedule.objective_value <= greedy.objective_value
