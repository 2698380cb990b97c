"""plan_shifts' public options (issue 14): the period, errors raised on purpose, progress
events, determinism, the seed and the whole call's time limit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from shift_weeks import MONDAY, SUNDAY, community, daily, every_day, two_for_one_shift, volunteer

from carecal.datasets import make_community
from carecal.errors import CommunityError, OptionError
from carecal.plans import ShiftPlan, Status
from carecal.progress import ProgressEvent
from carecal.solver.shifts import plan_shifts
from carecal.verify import verify


def test_end_defaults_to_a_week_and_dates_may_be_strings() -> None:
    """``end`` omitted: the week from ``start``; a string and a date name the same days."""
    c = community([volunteer("A")], every_day("A"), daily("S", "09:00", "12:00"))
    week = plan_shifts(c, "2026-03-02", time_limit=2.0, deterministic=True)
    assert (week.start, week.end) == (MONDAY, SUNDAY)
    same = plan_shifts(c, MONDAY, SUNDAY, time_limit=2.0, deterministic=True)
    assert week.assignments == same.assignments


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ({"start": SUNDAY, "end": MONDAY}, "comes before start"),
        ({"start": "2026-13-01"}, "start"),
        ({"start": MONDAY, "time_limit": 0}, "time_limit"),
        ({"start": MONDAY, "workers": 0}, "workers"),
        ({"start": MONDAY, "seed": -1}, "seed"),
        ({"start": MONDAY, "demand": [1, 2]}, "demand must be a mapping"),
        ({"start": MONDAY, "demand": {(MONDAY, "NOPE"): 1}}, "NOPE"),
        ({"start": MONDAY, "demand": {(MONDAY, "S"): -1}}, "whole numbers"),
        ({"start": MONDAY, "demand": {("someday", "S"): 1}}, "demand date"),
        ({"start": MONDAY, "hint": "last week"}, "hint must be a ShiftPlan"),
    ],
)
def test_bad_arguments_raise_option_errors(call: dict, message: str) -> None:
    """Each bad argument: an OptionError naming it, before any solving."""
    c = community([volunteer("A")], every_day("A"), daily("S", "09:00", "12:00"))
    with pytest.raises(OptionError, match=message):
        plan_shifts(c, **call)


def test_an_invalid_policy_is_a_community_error() -> None:
    """A policy edited past pydantic's validation is refused before solving."""
    c = community([volunteer("A")], every_day("A"), daily("S", "09:00", "12:00"))
    # model_copy skips validation on both the policy and the community.
    broken = c.model_copy(update={"policy": c.policy.model_copy(update={"min_rest_hours": -3})})
    with pytest.raises(CommunityError, match="min_rest_hours"):
        plan_shifts(broken, MONDAY, time_limit=1.0)


def test_progress_reports_stages_and_improving_plans() -> None:
    """A callable receives the stages in order; improving plans carry the objective and
    the bound; the last event is ``done`` with the plan's objective."""
    events: list[ProgressEvent] = []
    plan = plan_shifts(
        two_for_one_shift(), MONDAY, time_limit=5.0, deterministic=True, progress=events.append
    )
    stages = [e.stage for e in events]
    assert stages[0] == "first timetable"
    assert "column generation" in stages
    assert stages[-1] == "done"
    assert {e.planner for e in events} == {"plan_shifts"}
    improving = [e for e in events if e.stage == "improving"]
    assert improving and all(e.objective is not None for e in improving)
    assert events[-1].objective == plan.objective == 80
    assert events[-1].bound == plan.bound


def weeks_of(volunteers: int, seed: int, days: int = 7, places: int = 1) -> tuple:
    """A generated community's ``days`` days of shifts from Monday, ``places`` places on
    every meal shift."""
    c = make_community(residents=60, volunteers=volunteers, seed=seed)
    dates = [MONDAY + dt.timedelta(days=i) for i in range(days)]
    demand = {
        (d, s.shift_id): places
        for d in dates
        for s in c.shifts
        if s.min_volunteers is None and s.applies_to(d)
    }
    return c, dates[-1], demand


def test_deterministic_plans_repeat_on_two_workers() -> None:
    """deterministic=True on two workers: the same plan twice (work-limited solves, the
    search's clock counting work). Two weeks of 40 volunteers: the search runs through
    column generation into the neighbourhoods before its budget of work is spent."""
    c, last, demand = weeks_of(40, 4, days=14, places=3)
    plans = [
        plan_shifts(c, MONDAY, last, demand=demand, time_limit=1.5, workers=2, deterministic=True)
        for _ in range(2)
    ]
    assert plans[0].assignments == plans[1].assignments
    assert plans[0].objective_terms == plans[1].objective_terms
    assert plans[0].bound == plans[1].bound
    assert verify(c, plans[0]) == []


@pytest.mark.parametrize("seed", [0, 7])
def test_any_seed_gives_a_valid_plan(seed: int) -> None:
    """The seed feeds the search's choices and CP-SAT's; any seed gives a valid plan."""
    c, last, demand = weeks_of(10, 2)
    plan = plan_shifts(
        c, MONDAY, last, demand=demand, time_limit=1.0, seed=seed, deterministic=True
    )
    assert plan.status.has_plan
    assert verify(c, plan) == []


def test_the_whole_call_fits_the_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Four weeks of 60 volunteers in 2 s: every CP-SAT solve of the call is given at
    most what is left of the limit when it starts (checked on the budgets, not on the
    clock, so a busy machine cannot fail it)."""
    from carecal.solver import cpsat
    from carecal.solver.shifts import base, columns

    given: list[tuple[float, float]] = []

    def spy(options: Any, seconds: float, **kwargs: Any) -> Any:
        left = options.remaining()
        solver = cpsat.cp_solver(options, seconds, **kwargs)
        given.append((solver.parameters.max_time_in_seconds, left))
        return solver

    monkeypatch.setattr(base, "cp_solver", spy)
    monkeypatch.setattr(columns, "cp_solver", spy)
    c = make_community(residents=100, volunteers=60, seed=5)
    last = MONDAY + dt.timedelta(days=27)
    demand = {
        (MONDAY + dt.timedelta(days=i), s.shift_id): 2
        for i in range(28)
        for s in c.shifts
        if s.min_volunteers is None and s.applies_to(MONDAY + dt.timedelta(days=i))
    }
    plan: ShiftPlan = plan_shifts(c, MONDAY, last, demand=demand, time_limit=2.0)
    assert given
    # CP-SAT's shortest solve (0.01 s) when the clock has already run out.
    assert all(left <= 2.0 for _, left in given)
    assert all(0 < seconds <= max(left, 0.01) + 1e-9 for seconds, left in given), given
    assert plan.status in (Status.OPTIMAL, Status.FEASIBLE, Status.TIME_LIMIT)
    assert verify(c, plan) == []


def test_deterministic_solves_that_stop_early_on_two_workers() -> None:
    """Binds: a generated week where, in deterministic mode on two workers, the whole model
    is stopped at the column bound. CP-SAT aborted the process when such an interleaved
    search was stopped at a solution; these solves now run on one worker, and the plan
    repeats."""
    c = make_community(residents=20, volunteers=4, seed=8)
    dates = [MONDAY + dt.timedelta(days=i) for i in range(7)]
    demand = {
        (d, s.shift_id): 1 + i % 2
        for i, d in enumerate(dates)
        for s in c.shifts
        if s.min_volunteers is None and s.applies_to(d)
    }
    plans = [
        plan_shifts(c, MONDAY, demand=demand, time_limit=0.5, workers=2, deterministic=True)
        for _ in range(5)
    ]
    assert all(p.assignments == plans[0].assignments for p in plans)
    assert verify(c, plans[0]) == []
