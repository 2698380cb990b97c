"""The second search in a helper process (carecal.solver.meals.helper) and how
solve_day keeps the better plan."""

from __future__ import annotations

import time

import numpy as np
import pytest
from line_days import day_options, line_problem

from carecal.solver.meals import helper as helper_module
from carecal.solver.meals import solve_day
from carecal.solver.meals.chain import Repaired, Searched, keep_better, repaired
from carecal.solver.meals.helper import Job, run_job, stop_helper, submit, wait_seconds
from carecal.solver.meals.problem import DayRoute


def _job(engine: str = "ortools", *, seconds: float = 2.0, **extra: object) -> Job:
    problem = extra.pop("problem", None) or line_problem(vehicles=2)
    return Job(
        problem=problem,  # type: ignore[arg-type]
        engine=engine,
        seconds=seconds,
        until=time.time() + seconds,
        deterministic=True,
        seed=1,
        guard=seconds * 10 + 10,
    )


def _slow_job() -> Job:
    """A job that searches for 30 s of wall time (it stops on the clock, not on work)."""
    return Job(
        problem=line_problem(vehicles=2),
        engine="ortools",
        seconds=30.0,
        until=time.time() + 30.0,
        deterministic=False,
    )


def test_a_job_run_here_serves_the_line_day() -> None:
    outcome = run_job(_job())
    assert outcome.error is None
    assert sorted(n for r in outcome.routes for n in r.nodes) == [1, 2, 3]
    # One carrier out and back along the line: 30 minutes out, 30 back.
    assert outcome.cost == 60


def test_the_helper_process_answers_as_the_job_run_here() -> None:
    job = _job()
    pending = submit(job)
    assert pending is not None
    outcome = pending.wait(wait_seconds(job, guard=30.0, left=0.0))
    assert outcome is not None
    assert outcome.cost == run_job(job).cost
    assert sorted(n for r in outcome.routes for n in r.nodes) == [1, 2, 3]


def test_a_failing_job_gives_no_outcome_and_the_helper_serves_the_next() -> None:
    # PyVRP cannot express preferred carriers: the helper reports the error.
    problem = line_problem(vehicles=2, preferred={1: frozenset({0})}, non_preferred_cost=5)
    bad = _job("pyvrp", problem=problem)
    assert run_job(bad).error is not None
    pending = submit(bad)
    assert pending is not None
    assert pending.wait(wait_seconds(bad, guard=30.0, left=0.0)) is None
    good = _job()
    pending = submit(good)
    assert pending is not None
    assert pending.wait(wait_seconds(good, guard=30.0, left=0.0)) is not None


def test_a_dead_helper_is_started_again() -> None:
    job = _job()
    pending = submit(job)
    assert pending is not None
    assert pending.wait(wait_seconds(job, guard=30.0, left=0.0)) is not None
    process = helper_module._HELPER._process
    assert process is not None
    process.kill()
    process.wait()
    again = submit(job)
    assert again is not None
    assert again.wait(wait_seconds(job, guard=30.0, left=0.0)) is not None
    assert helper_module._HELPER._process is not process


def test_a_late_helper_is_stopped_and_replaced() -> None:
    slow = _slow_job()
    pending = submit(slow)
    assert pending is not None
    assert pending.wait(0.0) is None
    # The late one is killed; the next job gets a helper of its own.
    quick = _job()
    pending = submit(quick)
    assert pending is not None
    assert pending.wait(wait_seconds(quick, guard=30.0, left=0.0)) is not None


def test_one_job_at_a_time() -> None:
    slow = _slow_job()
    first = submit(slow)
    assert first is not None
    assert submit(_job()) is None
    assert first.wait(0.0) is None


def _repaired(score: float, vehicle: int = 0) -> Repaired:
    route = DayRoute(vehicle, 1, 0, (1,), (10,), 25)
    return Repaired(Searched((route,), score, False), (route,), (), score)


def test_keep_better_keeps_the_own_plan_on_a_tie_or_without_the_other() -> None:
    own = _repaired(60.0)
    assert keep_better(own, None) is own
    assert keep_better(own, _repaired(60.0, vehicle=1)) is own
    assert keep_better(own, _repaired(61.0, vehicle=1)) is own
    assert keep_better(None, None) is None


def test_keep_better_takes_the_helpers_cheaper_plan() -> None:
    other = _repaired(50.0, vehicle=1)
    assert keep_better(_repaired(60.0), other) is other
    assert keep_better(None, other) is other


def test_the_score_counts_what_the_repair_drops() -> None:
    # Deliveries at 10, 20 and 30 minutes, hot-meal limit 25 minutes: a search that
    # claims one trip for all three has its last stop dropped by the repair.
    problem = line_problem(max_ride=25, penalty=np.array([0, 1000, 1000, 1000]))
    claimed = Searched((DayRoute(0, 1, 0, (1, 2, 3), (10, 25, 40), 75),), 60.0, True)
    result = repaired(problem, claimed)
    assert result is not None
    assert result.dropped == (3,)
    assert result.score == 60.0 + 1000
    honest = repaired(problem, Searched((DayRoute(0, 1, 0, (1, 2), (10, 25), 50),), 1040.0, False))
    assert keep_better(result, honest) is honest


@pytest.mark.parametrize("workers", [1, 2])
def test_solve_day_serves_the_line_day_with_one_or_two_workers(workers: int) -> None:
    problem = line_problem(vehicles=2)
    solution = solve_day(problem, day_options(workers=workers))
    assert solution.unserved == ()
    assert solution.cost == 60


def test_two_workers_deterministic_give_the_same_plan_twice() -> None:
    problem = line_problem(vehicles=2, windows=[(0, 40), (30, 60), (50, 200)])
    first = solve_day(problem, day_options(workers=2))
    second = solve_day(problem, day_options(workers=2))
    assert first.routes == second.routes
    assert first.cost == second.cost


def test_stop_helper_ends_the_process() -> None:
    assert submit(_job()) is not None
    stop_helper()
    assert helper_module._HELPER._process is None
