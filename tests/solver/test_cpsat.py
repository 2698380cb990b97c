"""The one CP-SAT setup: options map onto parameters the same way for every planner."""

from __future__ import annotations

import pytest
from ortools.sat.python import cp_model

from carecal.options import solve_options
from carecal.plans import Status
from carecal.progress import ProgressEvent
from carecal.solver.cpsat import cp_solver, solve, status_of


def test_wall_clock_mode() -> None:
    o = solve_options("plan_x", time_limit=3, workers=2, seed=7)
    p = cp_solver(o, 1.5).parameters
    assert (p.num_workers, p.random_seed, p.max_time_in_seconds) == (2, 7, 1.5)
    assert not p.interleave_search


def test_deterministic_mode_limits_work_on_one_worker() -> None:
    """Deterministic: work-limited, one worker (CP-SAT's interleaved search overshoots its
    work limit), and a generous wall-clock guard that a busy machine does not reach."""
    o = solve_options("plan_x", time_limit=3, workers=2, deterministic=True)
    p = cp_solver(o, 1.5, seed_offset=3).parameters
    assert p.max_deterministic_time == 1.5
    assert p.max_time_in_seconds == 25.0
    assert p.num_workers == 1 and not p.interleave_search and p.random_seed == 3


def test_deterministic_work_is_charged_to_the_call() -> None:
    """What is left of a deterministic call is its limit less the work its solves did,
    never the clock; a part of a call charges its parent too."""
    o = solve_options("plan_x", time_limit=5, deterministic=True)
    part = o.with_time_limit(2, "plan_y")
    solver, _ = solve(_knapsack(), part, 1, stage="a")
    assert part.remaining() == pytest.approx(2 - solver.deterministic_time)
    assert o.remaining() == pytest.approx(5 - solver.deterministic_time)
    wall = solve_options("plan_x", time_limit=5)
    assert wall.remaining() <= 5


def test_status_mapping() -> None:
    assert status_of(cp_model.OPTIMAL) is Status.OPTIMAL
    assert status_of(cp_model.FEASIBLE) is Status.FEASIBLE
    assert status_of(cp_model.INFEASIBLE) is Status.INFEASIBLE
    assert status_of(cp_model.UNKNOWN, has_plan=False) is Status.TIME_LIMIT
    assert status_of(cp_model.UNKNOWN, has_plan=True) is Status.FEASIBLE
    with pytest.raises(RuntimeError):
        status_of(cp_model.MODEL_INVALID)


def _knapsack() -> cp_model.CpModel:
    m = cp_model.CpModel()
    xs = [m.new_bool_var(f"x{i}") for i in range(6)]
    m.add(sum((i + 1) * x for i, x in enumerate(xs)) <= 10)
    m.maximize(sum((i + 2) * x for i, x in enumerate(xs)))
    return m


def test_solve_reports_solutions_as_events() -> None:
    events: list[ProgressEvent] = []
    o = solve_options("plan_x", time_limit=5, workers=1, progress=events.append)
    solver, code = solve(_knapsack(), o, 5, stage="packing")
    assert code == cp_model.OPTIMAL and solver.objective_value == 14
    assert events and events[-1].stage == "packing" and events[-1].objective == 14


def test_deterministic_solves_agree() -> None:
    o = solve_options("plan_x", time_limit=5, workers=2, deterministic=True)
    a, _ = solve(_knapsack(), o, 1, stage="a")
    b, _ = solve(_knapsack(), o, 1, stage="b")
    assert a.objective_value == b.objective_value


def test_deterministic_early_stop_runs_on_one_worker() -> None:
    """Stopping an interleaved search from a callback aborts OR-Tools 9.15: a deterministic
    solve that may stop early runs on one worker, and still stops at the bound."""
    o = solve_options("plan_x", time_limit=5, workers=2, deterministic=True)
    m = cp_model.CpModel()
    xs = [m.new_int_var(0, 10, f"x{i}") for i in range(8)]
    m.add(sum(xs) >= 20)
    m.minimize(sum((i + 1) * x for i, x in enumerate(xs)))
    solver, code = solve(m, o, 2, stage="s", stop_at=1000)
    assert code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    assert solver.parameters.num_workers == 1
