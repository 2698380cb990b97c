"""Column generation for the shift plan: the bound is a bound, tight where the LP is exact;
the pool's columns keep each volunteer's rules; swapping columns never makes a plan worse;
deterministic runs repeat.

The optimum to compare with comes from CP-SAT on the whole compact model, solved to
optimality on communities small enough for that.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model
from shift_weeks import (
    MONDAY,
    SUNDAY,
    community,
    daily,
    every_day,
    keeps_the_rules,
    search_options,
    two_for_one_shift,
    volunteer,
)

from carecal.model import Request
from carecal.solver.shifts.columns import ColumnGeneration
from carecal.solver.shifts.model import ShiftModel, build_structure
from carecal.solver.shifts.problem import ShiftProblem, build_shift_problem, objective_terms
from carecal.solver.shifts.search import Search


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
    search = Search(problem, search_options())
    roster, infeasible, unknown = search.construct(None)
    assert not infeasible and not unknown
    cg = ColumnGeneration(problem, search.st, roster, search.options)
    report = cg.run(lambda: 1.0, workers=1)
    bound = None if report.bound is None else int(report.bound)
    return cg, bound, report.converged


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


def test_plan_shifts_proves_optimality_with_the_column_bound() -> None:
    """Through the public call: the plan meets the column bound, so its status is
    optimal and the bound is the objective."""
    from carecal.plans import Status
    from carecal.solver.shifts import plan_shifts

    result = plan_shifts(two_for_one_shift(), MONDAY, SUNDAY, time_limit=5.0, deterministic=True)
    assert result.status == Status.OPTIMAL
    assert result.bound == 80
    assert sum(result.objective_terms.values()) == 80


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
