"""Column generation for the shift plan: the bound is a bound, tight where the LP is exact;
the pool's columns keep each volunteer's rules; swapping columns never makes a plan worse;
deterministic runs repeat.

The optimum to compare with comes from CP-SAT on the whole compact model, solved to
optimality on communities small enough for that.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from carecal.model import Community, Request
from carecal.solver.shifts import _Search
from carecal.solver.shifts_columns import ColumnGeneration
from carecal.solver.shifts_model import ShiftModel, build_structure
from carecal.solver.shifts_problem import ShiftProblem, build_shift_problem, objective_terms
from tests.solver.test_shifts import MONDAY, SUNDAY, community, daily, every_day, volunteer


def optimum(problem: ShiftProblem, proven: bool = True) -> int:
    """The objective of CP-SAT's best plan on the whole compact model: proven optimal, or
    with ``proven=False`` the best found in 2 s (symmetric volunteers can make the proof
    slow even on a week), which still no bound may exceed."""
    empty = [set() for _ in range(problem.n_volunteers)]
    model = ShiftModel(
        problem, build_structure(problem), range(problem.n_volunteers), None, empty, hints=False
    )
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 30.0 if proven else 2.0
    status = solver.solve(model.m)
    assert status == cp_model.OPTIMAL or (not proven and status == cp_model.FEASIBLE)
    return round(solver.objective_value)


def generate(problem: ShiftProblem) -> tuple[ColumnGeneration, int | None, bool]:
    """A valid first timetable, then column generation to the end: (pool, bound, done)."""
    search = _Search(problem, 10.0, True, 1, None, 0)
    roster, infeasible, unknown = search.construct(None)
    assert not infeasible and not unknown
    cg = ColumnGeneration(problem, search.st, roster, deterministic=True)
    report = cg.run(lambda: 1.0, workers=1)
    bound = None if report.bound is None else int(report.bound)
    return cg, bound, report.converged


def two_for_one_shift() -> Community:
    """Two volunteers for one shift a day wanting two, each at most 3 shifts a week, and A
    would rather be off on Monday: of 14 places 6 can be filled, 8 are short (10 each),
    and A can keep Monday free."""
    return community(
        [volunteer(v, max_shifts_per_week=3) for v in ("A", "B")],
        every_day("A") + every_day("B"),
        daily("D", "09:00", "13:00", 2, 2),
        (Request(volunteer_id="A", date=MONDAY, want=False, weight=1),),
        weight_under_cover=10,
    )


def test_bound_equals_the_optimum_where_the_lp_is_exact() -> None:
    """Binds: the LP over whole timetables knows no one works more than 3 shifts, so its
    bound is the optimum itself: 8 places short, each at weight 10."""
    problem = build_shift_problem(two_for_one_shift(), MONDAY, SUNDAY)
    _, bound, converged = generate(problem)
    assert converged
    assert optimum(problem) == 80
    assert bound == 80


def test_bound_is_zero_when_everything_can_be_covered() -> None:
    """Inactive: enough volunteers, no requests: the optimum is 0 and so is the bound."""
    c = community(
        [volunteer(v, max_shifts_per_week=4) for v in ("A", "B", "C", "D")],
        [a for v in "ABCD" for a in every_day(v)],
        daily("D", "09:00", "13:00", 2, 2),
    )
    problem = build_shift_problem(c, MONDAY, SUNDAY)
    _, bound, converged = generate(problem)
    assert converged
    assert bound == 0


def test_swapping_columns_never_makes_a_plan_worse() -> None:
    """From the empty-ish first timetable, the swapped plan costs no more, and the LP's
    rounded plan after swapping is optimal on this small case."""
    problem = build_shift_problem(two_for_one_shift(), MONDAY, SUNDAY)
    cg, _, _ = generate(problem)
    start = cg.roster
    swapped = cg.swap_down(start)
    assert sum(objective_terms(problem, swapped).values()) <= sum(
        objective_terms(problem, start).values()
    )
    best = cg.swap_down(cg.rounded())
    assert sum(objective_terms(problem, best).values()) == 80


def test_deterministic_generation_repeats() -> None:
    """Same problem, deterministic mode: the same pool and the same bound."""
    problem = build_shift_problem(two_for_one_shift(), MONDAY, SUNDAY + dt.timedelta(days=7))
    a, bound_a, _ = generate(problem)
    b, bound_b, _ = generate(problem)
    assert bound_a == bound_b
    assert a.pool == b.pool


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(2, 4),
    low=st.integers(1, 3),
    per_week=st.integers(1, 5),
    run=st.integers(1, 3),
    want_off=st.lists(st.integers(0, 6), max_size=4),
)
def test_bound_never_exceeds_the_optimum(
    n: int, low: int, per_week: int, run: int, want_off: list[int]
) -> None:
    """Generated weeks (runs of days, weekly limits, requests, two shift types): the
    Lagrangian bound is at most the cost of CP-SAT's best plan, and every column of the
    pool is feasible in its volunteer's own model (checked by fixing it there)."""
    ids = [chr(ord("A") + k) for k in range(n)]
    c = community(
        [volunteer(v, max_shifts_per_week=per_week, min_consecutive_days=run) for v in ids],
        [a for v in ids for a in every_day(v)],
        daily("AM", "08:00", "12:00", low, low) + daily("PM", "12:00", "16:00", 1, 1),
        tuple(
            Request(volunteer_id=ids[k % n], date=MONDAY + dt.timedelta(days=d), want=False)
            for k, d in enumerate(want_off)
        ),
        max_consecutive_days=4,
    )
    problem = build_shift_problem(c, MONDAY, SUNDAY)
    cg, bound, _ = generate(problem)
    assert bound is not None
    assert bound <= optimum(problem, proven=False)
    for v, columns in enumerate(cg.pool):
        for slots in columns:
            assert keeps_the_rules(problem, v, slots)


def keeps_the_rules(problem: ShiftProblem, v: int, slots: set[int] | frozenset[int]) -> bool:
    """Whether volunteer ``v``'s timetable ``slots`` is feasible in their own model."""
    roster: list[set[int]] = [set() for _ in range(problem.n_volunteers)]
    roster[v] = set(slots)
    model = ShiftModel(problem, build_structure(problem), [v], None, roster, objective=False)
    for (_, i), x in model.x.items():
        model.m.add(x == int(i in slots))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    return solver.solve(model.m) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def test_plan_shifts_proves_optimality_with_the_column_bound() -> None:
    """Through the public call: the plan meets the column bound, so its status is
    optimal and the bound is the objective."""
    from carecal.plans import Status
    from carecal.solver.shifts import plan_shifts

    result = plan_shifts(two_for_one_shift(), MONDAY, SUNDAY, time_limit=5.0, deterministic=True)
    assert result.status == Status.OPTIMAL
    assert result.bound == 80
    assert sum(result.objective.values()) == 80


def test_cell_values_are_the_lp_mix_per_cell() -> None:
    """Each cell's value is the weight of the LP's columns holding it: between 0 and 1,
    and a volunteer's values add up to the mix's average number of shifts."""
    problem = build_shift_problem(two_for_one_shift(), MONDAY, SUNDAY)
    cg, _, _ = generate(problem)
    values = cg.cell_values()
    assert values
    assert all(0.0 < x <= 1.0 + 1e-9 for x in values.values())
    for v, mix in enumerate(cg.lp_mix):
        mine = sum(x for (w, _), x in values.items() if w == v)
        assert abs(mine - sum(len(slots) * weight for slots, weight in mix)) < 1e-6


def near_lp_search(problem: ShiftProblem) -> tuple[_Search, list[set[int]]]:
    """A deterministic search with the column LP run to the end, and its first timetable."""
    search = _Search(problem, 10.0, True, 1, None, 0)
    roster, _, _ = search.construct(None)
    cg = ColumnGeneration(problem, search.st, roster, deterministic=True)
    cg.run(lambda: 1.0, workers=1)
    search.lp = cg
    return search, roster


def test_near_lp_reaches_the_optimum_from_a_poor_plan() -> None:
    """Binds: from the first (feasibility-only) timetable, planning the cells the LP is
    split on, with the settled ones fixed, gives the optimum of 80; the settled cells
    keep the LP's values."""
    problem = build_shift_problem(two_for_one_shift(), MONDAY, SUNDAY)
    search, roster = near_lp_search(problem)
    assert sum(objective_terms(problem, roster).values()) > 80
    plan = search.near_lp(roster, 5.0)
    assert sum(objective_terms(problem, plan).values()) == 80
    assert search.lp is not None
    values = search.lp.cell_values()
    for (v, i), x in values.items():
        if x >= 1.0 - search.lp_settled:
            assert i in plan[v]
    for v in range(problem.n_volunteers):
        for i in plan[v]:
            assert values.get((v, i), 0.0) > search.lp_settled


def test_near_lp_keeps_a_plan_it_cannot_better() -> None:
    """Inactive: from an optimal plan, near_lp hands back a plan of the same cost."""
    problem = build_shift_problem(two_for_one_shift(), MONDAY, SUNDAY)
    search, _ = near_lp_search(problem)
    assert search.lp is not None
    best = search.lp.swap_down(search.lp.rounded())
    assert sum(objective_terms(problem, best).values()) == 80
    plan = search.near_lp(best, 5.0)
    assert sum(objective_terms(problem, plan).values()) == 80


def whole_model_from(problem: ShiftProblem, roster: list[set[int]]) -> ShiftModel:
    """The whole compact model with ``roster`` as its hint."""
    return ShiftModel(problem, build_structure(problem), range(problem.n_volunteers), None, roster)


def test_stop_at_is_inactive_below_the_optimum() -> None:
    """Inactive: with a floor below every plan's cost (79 < 80), CP-SAT searches on from
    the poor first plan to the proven optimum of 80."""
    problem = build_shift_problem(two_for_one_shift(), MONDAY, SUNDAY)
    search, roster = near_lp_search(problem)
    assert sum(objective_terms(problem, roster).values()) > 80
    solver, status = search._solve(whole_model_from(problem, roster), 5.0, stop_at=79.0)
    assert status == cp_model.OPTIMAL
    assert round(solver.objective_value) == 80


def test_stop_at_stops_at_the_first_plan_that_meets_it() -> None:
    """Binds: with a floor above the first plan's cost, CP-SAT stops at that first plan
    (status FEASIBLE, its cost above the optimum of 80) instead of searching on."""
    problem = build_shift_problem(two_for_one_shift(), MONDAY, SUNDAY)
    search, roster = near_lp_search(problem)
    first = sum(objective_terms(problem, roster).values())
    assert first > 80
    solver, status = search._solve(
        whole_model_from(problem, roster), 5.0, presolve=False, stop_at=float(first)
    )
    assert status == cp_model.FEASIBLE
    assert 80 < round(solver.objective_value) <= first


def test_whole_model_with_the_column_bound_stops_at_it() -> None:
    """The whole-model solve, given the column LP's bound of 80, hands back a plan that
    meets it; the search then calls the plan optimal."""
    problem = build_shift_problem(two_for_one_shift(), MONDAY, SUNDAY)
    search, roster = near_lp_search(problem)
    plan, bound, _ = search.whole(roster, 5.0, 80.0)
    assert plan is not None
    assert bound is not None and bound <= 80
    assert sum(objective_terms(problem, plan).values()) == 80


def test_a_fractional_bound_is_met_by_the_next_whole_number() -> None:
    """Costs are whole numbers: a bound of 80.2 proves 81 optimal (binds), not 82; no
    bound proves nothing (inactive)."""
    from carecal.solver.shifts import _meets

    assert _meets(81, 80.2)
    assert _meets(80, 80.0)
    assert not _meets(82, 80.2)
    assert not _meets(80, None)


def count_workers(search: _Search) -> list[int | None]:
    """The ``workers`` each of ``search``'s CP-SAT solves is given from now on (the real
    solves run as before)."""
    workers: list[int | None] = []
    solve = search._solve

    def counted(model: ShiftModel, limit: float, w: int | None = None, *a: Any, **k: Any) -> Any:
        workers.append(w)
        return solve(model, limit, w, *a, **k)

    search._solve = counted  # type: ignore[method-assign]
    return workers


@pytest.mark.parametrize(
    ("lanes_from", "lanes_days", "side_by_side"), [(1, 28, True), (99, 28, False), (1, 6, False)]
)
def test_neighbourhoods_side_by_side_reach_the_optimum(
    lanes_from: int, lanes_days: int, side_by_side: bool
) -> None:
    """After column generation, with ``lanes_from=1`` on a week within ``lanes_days``
    (binds, as on problems of 30 volunteers or more over up to four weeks) each step solves
    two neighbourhoods side by side on one worker each; with 99 volunteers needed, or a
    week longer than 6 days allowed (inactive), one neighbourhood on both workers. Either
    way the search takes the poor first timetable to the optimum of 80 and the plan keeps
    every rule."""
    problem = build_shift_problem(two_for_one_shift(), MONDAY, SUNDAY)
    search = _Search(problem, 20.0, False, 2, None, 0)
    search.lanes_from = lanes_from
    search.lanes_days = lanes_days
    roster, _, _ = search.construct(None)
    first = sum(objective_terms(problem, roster).values())
    assert first > 80
    search.lp = ColumnGeneration(problem, search.st, roster)
    workers = count_workers(search)
    plan, best = search.improve(roster, first, search.elapsed() + 15.0, bound=80.0)
    assert best == 80
    assert sum(objective_terms(problem, plan).values()) == 80
    assert all(keeps_the_rules(problem, v, slots) for v, slots in enumerate(plan))
    if side_by_side:
        assert workers and workers == [1] * len(workers) and len(workers) % 2 == 0
    else:
        assert workers and set(workers) == {None}


def test_one_neighbourhood_a_step_without_column_generation() -> None:
    """Inactive: without column generation (the long periods) the search keeps one
    neighbourhood a step on all workers, whatever ``lanes_from``."""
    problem = build_shift_problem(two_for_one_shift(), MONDAY, SUNDAY)
    search = _Search(problem, 20.0, False, 2, None, 0)
    search.lanes_from = 1
    roster, _, _ = search.construct(None)
    workers = count_workers(search)
    first = sum(objective_terms(problem, roster).values())
    _, best = search.improve(roster, first, search.elapsed() + 15.0, bound=80.0)
    assert best == 80
    assert workers and set(workers) == {None}
