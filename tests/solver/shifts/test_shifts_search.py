"""The shift search's steps on a small case with a known optimum (80): near the LP,
CP-SAT stopped at a bound proven elsewhere, the whole model given the column bound, and
neighbourhoods one or two a step.
"""

from __future__ import annotations

from typing import Any

import pytest
from ortools.sat.python import cp_model
from shift_weeks import MONDAY, SUNDAY, keeps_the_rules, search_options, two_for_one_shift

from carecal.solver.shifts.columns import ColumnGeneration
from carecal.solver.shifts.model import ShiftModel, build_structure
from carecal.solver.shifts.problem import ShiftProblem, build_shift_problem, objective_terms
from carecal.solver.shifts.search import Search


def near_lp_search(problem: ShiftProblem) -> tuple[Search, list[set[int]]]:
    """A deterministic search with the column LP run to the end, and its first timetable."""
    search = Search(problem, search_options())
    roster, _, _ = search.construct(None)
    cg = ColumnGeneration(problem, search.st, roster, search.options)
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
    from carecal.solver.shifts.base import meets

    assert meets(81, 80.2)
    assert meets(80, 80.0)
    assert not meets(82, 80.2)
    assert not meets(80, None)


def count_workers(search: Search) -> list[int | None]:
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
    search = Search(problem, search_options(20.0, deterministic=False, workers=2))
    search.lanes_from = lanes_from
    search.lanes_days = lanes_days
    roster, _, _ = search.construct(None)
    first = sum(objective_terms(problem, roster).values())
    assert first > 80
    search.lp = ColumnGeneration(problem, search.st, roster, search.options)
    workers = count_workers(search)
    plan, best, _ = search.improve(roster, first, search.elapsed() + 15.0, bound=80.0)
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
    search = Search(problem, search_options(20.0, deterministic=False, workers=2))
    search.lanes_from = 1
    roster, _, _ = search.construct(None)
    workers = count_workers(search)
    first = sum(objective_terms(problem, roster).values())
    _, best, _ = search.improve(roster, first, search.elapsed() + 15.0, bound=80.0)
    assert best == 80
    assert workers and set(workers) == {None}
