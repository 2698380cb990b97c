"""The shift problem: each volunteer's fair band of shifts, priced without a solver."""

from __future__ import annotations

from shift_weeks import MONDAY, SUNDAY, community, daily, every_day, plan, volunteer, worked

from carecal.model import Community
from carecal.solver.shifts.problem import build_shift_problem, volunteer_terms


def shares_that_do_not_divide() -> Community:
    """Seven places, one a day; A and B pledged 7 shifts each, C one: the fair shares are
    7 x 7/15 = 3.27 for A and B and 7/15 = 0.47 for C, so A and B may work 3 or 4 and C 0
    or 1 without cost."""
    return community(
        [volunteer("A"), volunteer("B"), volunteer("C", max_shifts_per_week=1)],
        every_day("A") + every_day("B") + every_day("C"),
        daily("S", "09:00", "12:00", low=1, high=1),
        weight_fairness=5,
    )


def test_fair_band_holds_both_whole_numbers_around_a_share() -> None:
    """Inactive: either whole number of shifts next to a volunteer's fair share costs
    nothing (A at 3 or 4, C at 0 or 1), and the plan covering all seven places costs
    nothing for fairness. Rounding the shares instead (3, 3, 0 for 7 places) would make
    someone pay."""
    c = shares_that_do_not_divide()
    problem = build_shift_problem(c, MONDAY, SUNDAY)
    assert problem.fair_band == [(3, 4), (3, 4), (0, 1)]
    for v, shifts in ((0, 3), (0, 4), (2, 0), (2, 1)):
        assert volunteer_terms(problem, v, frozenset(range(shifts)))["fairness"] == 0
    result = plan(c)
    assert len(result.assignments) == 7
    assert result.objective_terms["fairness"] == 0


def test_fair_band_costs_each_shift_outside_it() -> None:
    """Binds: A at 5 shifts is one above the band (3-4), at 1 two below it; each shift
    outside costs the weight of 5. explain() names A with the band."""
    problem = build_shift_problem(shares_that_do_not_divide(), MONDAY, SUNDAY)
    assert volunteer_terms(problem, 0, frozenset(range(5)))["fairness"] == 5
    assert volunteer_terms(problem, 0, frozenset(range(1)))["fairness"] == 10
    # A and B pledged 7 days each (shares of 3.5: 3 or 4 is fair), but B's 3 hours a week
    # allow one 3-hour shift: A works 6, two above the band, B one, two below it.
    c = community(
        [volunteer("A"), volunteer("B", max_hours_per_week=3)],
        every_day("A") + every_day("B"),
        daily("S", "09:00", "12:00", low=1, high=1),
        weight_fairness=5,
    )
    result = plan(c)
    assert len(worked(result, "A")) == 6 and len(worked(result, "B")) == 1
    assert build_shift_problem(c, MONDAY, SUNDAY).fair_band == [(3, 4), (3, 4)]
    assert result.objective_terms["fairness"] == 5 * 2 + 5 * 2
    assert "A (6 shifts, fair share 3-4)" in result.explain()
