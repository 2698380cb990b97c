"""The deterministic OR-Tools search's solution limit (search.deterministic_solution_limit)."""

from __future__ import annotations

from line_days import line_problem

from carecal.solver.meals.parameters import deterministic_solution_limit


def test_a_small_day_gets_the_count_that_settles_it() -> None:
    # Three deliveries: 100 + 2 x 3, the time bound (5,000 x 10 / 3) does not bind.
    assert deterministic_solution_limit(line_problem(), 10.0) == 106


def test_a_short_budget_binds_on_a_small_day_too() -> None:
    # 5,000 x 0.03 / 3 = 50 solutions, fewer than 106.
    assert deterministic_solution_limit(line_problem(), 0.03) == 50


def test_never_fewer_than_ten() -> None:
    assert deterministic_solution_limit(line_problem(), 0.0001) == 10
