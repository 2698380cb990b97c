"""The PyVRP engine: what it can express, its solutions' shape, and the engine dispatch."""

from __future__ import annotations

import dataclasses
import itertools
import sys
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from line_days import day_options, line_problem

from carecal.errors import ExtraMissingError, OptionError
from carecal.solver.meals import (
    ArrivalTarget,
    DayProblem,
    DayRoute,
    DaySolution,
    choose_engine,
    retime,
    solve_day,
)
from carecal.solver.meals.pyvrp_engine import (
    cannot_express,
    max_ride_can_bind,
    schedule_trips,
    solve_with_pyvrp,
)

INT = np.int64


def check_shape(problem: DayProblem, solution: DaySolution) -> None:
    """Every trip's times follow from its order; windows, hours and capacity hold."""
    seen: list[int] = []
    for r in solution.routes:
        travel = problem.travel_matrix(r.vehicle)
        assert r.leave >= problem.vehicle_start[r.vehicle]
        clock, prev = r.leave + problem.service[0], 0
        for node, start in zip(r.nodes, r.starts, strict=True):
            assert start >= clock + travel[prev, node]
            assert problem.tw_start[node] <= start <= problem.tw_end[node]
            clock, prev = start + problem.service[node], node
        assert r.back == clock + travel[prev, 0]
        assert r.back <= problem.vehicle_end[r.vehicle]
        assert sum(problem.demand[n] for n in r.nodes) <= problem.capacity[r.vehicle]
        seen += r.nodes
    for v in range(problem.num_vehicles):
        trips = [r for r in solution.routes if r.vehicle == v]
        assert [r.trip for r in trips] == list(range(1, len(trips) + 1))
        assert len(trips) <= problem.max_trips[v]
        for a, b in itertools.pairwise(trips):
            assert b.leave >= a.back
    assert sorted(seen + list(solution.unserved)) == list(range(1, problem.num_nodes))


# -- what PyVRP can express (no PyVRP needed) ------------------------------------------


def test_plain_day_is_expressible() -> None:
    assert cannot_express(line_problem()) is None


def test_food_limit_that_cannot_bind_is_expressible() -> None:
    """Latest window end 1000 minus earliest departure 0 is within a 1000-minute limit."""
    problem = line_problem(max_ride=1000)
    assert not max_ride_can_bind(problem)
    assert cannot_express(problem) is None


def test_food_limit_that_can_bind_is_not_expressible() -> None:
    reason = cannot_express(line_problem(max_ride=45, max_trips=2))
    assert reason is not None
    assert "hot-meal limit (45 minutes" in reason and 'engine="ortools"' in reason


def test_preferences_without_cost_are_expressible() -> None:
    problem = line_problem(vehicles=2, preferred={1: frozenset({1})}, non_preferred_cost=0)
    assert cannot_express(problem) is None


def test_preferences_with_cost_are_not_expressible() -> None:
    problem = line_problem(vehicles=2, preferred={1: frozenset({1})}, non_preferred_cost=50)
    reason = cannot_express(problem)
    assert reason is not None and "R-1" in reason and "preferred volunteers" in reason


@pytest.mark.parametrize(
    "extra",
    [{"pinned": {1: 0}}, {"arrival_target": {2: ArrivalTarget(25, 15, 5)}}],
)
def test_locks_and_arrival_targets_are_not_expressible(extra: dict[str, Any]) -> None:
    reason = cannot_express(line_problem(**extra))
    assert reason is not None and "locked stops" in reason and 'engine="ortools"' in reason


def test_several_trips_and_travel_profiles_are_expressible() -> None:
    base = line_problem(vehicles=2, max_trips=3)
    walking = base.travel[0] * 3
    problem = dataclasses.replace(
        base, travel=(base.travel[0], walking), vehicle_profile=np.array([0, 1], dtype=INT)
    )
    assert cannot_express(problem) is None


def test_auto_chooses_ortools_when_pyvrp_cannot_express() -> None:
    assert choose_engine(line_problem(max_ride=45), "auto") == "ortools"
    picky = line_problem(vehicles=2, preferred={2: frozenset({0})}, non_preferred_cost=9)
    assert choose_engine(picky, "auto") == "ortools"
    assert choose_engine(line_problem(), "ortools") == "ortools"


@pytest.mark.parametrize(
    "problem",
    [
        line_problem(max_ride=45),
        line_problem(max_ride=45, max_trips=3),
        line_problem(vehicles=2, preferred={3: frozenset({1})}, non_preferred_cost=20),
    ],
    ids=["food-limit", "food-limit-several-trips", "preferred-carriers"],
)
def test_explicit_pyvrp_fails_with_the_reason(problem: DayProblem) -> None:
    reason = cannot_express(problem)
    assert reason is not None
    with pytest.raises(OptionError, match="The PyVRP engine cannot") as info:
        solve_day(problem, day_options(1), engine="pyvrp")
    assert str(info.value) == reason


def test_auto_solves_an_inexpressible_day_with_ortools() -> None:
    problem = line_problem(max_ride=45, penalty=np.array([0, 1000, 1000, 1000], dtype=INT))
    solution = solve_day(problem, day_options(2), engine="auto")
    assert solution.engine == "ortools"
    assert not solution.unserved


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(OptionError, match="not known"):
        choose_engine(line_problem(), "gurobi")


def test_missing_pyvrp_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyvrp", None)  # makes `import pyvrp` fail
    with pytest.raises(ExtraMissingError, match=r'pip install "carecal\[pyvrp\]"'):
        solve_with_pyvrp(line_problem(), time_limit=1)
    assert choose_engine(line_problem(), "auto") == "ortools"


# -- scheduling from the visit order (no PyVRP needed) ---------------------------------


def test_schedule_without_binding_windows_leaves_at_once() -> None:
    """0 -> 1 -> 2 -> 3 -> 0: handovers at 10, 25, 40; back at 45 + 30 = 75."""
    (route,) = schedule_trips(line_problem(), 0, [[1, 2, 3]])
    assert route == DayRoute(0, 1, 0, (1, 2, 3), (10, 25, 40), 75)


def test_schedule_delays_departure_to_avoid_waiting() -> None:
    """R-1 opens at 100: the trip 3 -> 2 -> 1 reaches it 60 after leaving, so it leaves at 40."""
    problem = line_problem(windows=[(100, 200), (0, 1000), (0, 1000)])
    (route,) = schedule_trips(problem, 0, [[3, 2, 1]])
    assert route == DayRoute(0, 1, 40, (3, 2, 1), (70, 85, 100), 115)


def test_schedule_departure_limited_by_a_closing_window() -> None:
    """R-3 closes at 50 (reached 30 after leaving) while R-1 opens at 100: leave at 20."""
    problem = line_problem(windows=[(100, 200), (0, 1000), (0, 50)])
    (route,) = schedule_trips(problem, 0, [[3, 2, 1]])
    assert route.leave == 20 and route.starts == (50, 65, 100)


def test_schedule_second_trip_waits_for_the_first() -> None:
    """Trip 1 (R-3) is back at 65; trip 2 (R-1, R-2) leaves then and is back at 115."""
    routes = schedule_trips(line_problem(max_trips=2), 0, [[3], [1, 2]])
    assert [(r.trip, r.leave, r.back) for r in routes] == [(1, 0, 65), (2, 65, 115)]


def test_schedule_matches_the_ortools_engine_retiming() -> None:
    problem = line_problem(windows=[(100, 200), (0, 1000), (0, 50)], max_trips=2)
    mine = schedule_trips(problem, 0, [[3, 2], [1]])
    assert retime(problem, mine) == mine


def test_schedule_rejects_an_order_that_misses_a_window() -> None:
    problem = line_problem(windows=[(0, 1000), (0, 1000), (0, 35)])
    with pytest.raises(OptionError, match="cannot meet the delivery windows"):
        schedule_trips(problem, 0, [[1, 2, 3]])


# -- solving with PyVRP ------------------------------------------------------------------


def test_three_deliveries_solved() -> None:
    """R-1 closes at 15, so the one best trip is 1, 2, 3 (60 minutes of travel)."""
    pytest.importorskip("pyvrp")
    problem = line_problem(windows=[(0, 15), (0, 1000), (0, 1000)])
    solution = solve_with_pyvrp(problem, time_limit=2, deterministic=True)
    assert solution.engine == "pyvrp" and solution.status == "feasible"
    assert solution.routes == (DayRoute(0, 1, 0, (1, 2, 3), (10, 25, 40), 75),)
    assert solution.unserved == () and solution.cost == 60
    check_shape(problem, solution)


def test_windows_decide_the_order() -> None:
    """R-3 closes at 30, R-2 is open 40-50, R-1 opens at 100: only 3, 2, 1 fits."""
    pytest.importorskip("pyvrp")
    problem = line_problem(windows=[(100, 200), (40, 50), (0, 30)])
    solution = solve_day(problem, day_options(2), engine="pyvrp")
    assert [r.nodes for r in solution.routes] == [(3, 2, 1)]
    check_shape(problem, solution)


def test_capacity_splits_the_deliveries_over_trips() -> None:
    """One carrier for two portions per trip and three deliveries: two trips."""
    pytest.importorskip("pyvrp")
    problem = line_problem(capacity=2, max_trips=2)
    solution = solve_with_pyvrp(problem, time_limit=2, deterministic=True)
    assert [r.trip for r in solution.routes] == [1, 2]
    assert solution.unserved == ()
    check_shape(problem, solution)


def test_unreachable_delivery_is_left_out_at_its_penalty() -> None:
    """R-3 closes at 20 but is 30 minutes away: unserved, costing its penalty of 500."""
    pytest.importorskip("pyvrp")
    problem = line_problem(
        windows=[(0, 1000), (0, 1000), (0, 20)], penalty=np.array([0, 500, 500, 500], dtype=INT)
    )
    solution = solve_with_pyvrp(problem, time_limit=2, deterministic=True)
    assert solution.unserved == (3,)
    assert solution.cost == 40 + 500
    check_shape(problem, solution)


def test_no_carriers_leaves_everyone_unserved() -> None:
    pytest.importorskip("pyvrp")
    problem = line_problem(vehicles=0, penalty=np.array([0, 7, 8, 9], dtype=INT))
    solution = solve_with_pyvrp(problem, time_limit=1)
    assert solution.routes == () and solution.unserved == (1, 2, 3) and solution.cost == 24


def test_auto_prefers_pyvrp_when_it_can_express_the_day() -> None:
    pytest.importorskip("pyvrp")
    solution = solve_day(line_problem(), day_options(2), engine="auto")
    assert solution.engine == "pyvrp"


def two_carrier_day(fixed: int) -> DayProblem:
    """Two carriers; R-1 closes at 10 and R-3 at 30, so one carrier cannot reach both.

    Missing a delivery costs 800.
    """
    return line_problem(
        windows=[(0, 10), (0, 1000), (0, 30)],
        vehicles=2,
        fixed_cost=np.array([fixed, fixed], dtype=INT),
        penalty=np.array([0, 800, 800, 800], dtype=INT),
    )


def test_free_second_carrier_serves_everyone() -> None:
    pytest.importorskip("pyvrp")
    problem = two_carrier_day(fixed=0)
    solution = solve_with_pyvrp(problem, time_limit=2, deterministic=True)
    assert solution.unserved == () and len(solution.routes) == 2
    check_shape(problem, solution)


def test_fixed_cost_keeps_one_carrier() -> None:
    """A carrier costs 1000, more than missing R-3 (800): one trip 1, 2 and R-3 unserved.

    Cost 40 + 1000 + 800 = 1840, against 2080 with both carriers and 2400 with none.
    """
    pytest.importorskip("pyvrp")
    problem = two_carrier_day(fixed=1000)
    solution = solve_with_pyvrp(problem, time_limit=2, deterministic=True)
    assert [r.nodes for r in solution.routes] == [(1, 2)]
    assert solution.unserved == (3,)
    assert solution.cost == 40 + 1000 + 800
    check_shape(problem, solution)


@st.composite
def random_days(draw: st.DrawFn) -> DayProblem:
    """Up to 8 deliveries on a 30 x 30 grid, 1-3 carriers with 1-2 trips, random windows."""
    n = draw(st.integers(1, 8))
    xs = draw(st.lists(st.integers(0, 30), min_size=n + 1, max_size=n + 1))
    ys = draw(st.lists(st.integers(0, 30), min_size=n + 1, max_size=n + 1))
    opens = draw(st.lists(st.integers(0, 150), min_size=n, max_size=n))
    widths = draw(st.lists(st.integers(5, 120), min_size=n, max_size=n))
    m = draw(st.integers(1, 3))
    pts = np.column_stack([xs, ys])
    travel = np.abs(pts[:, None, :] - pts[None, :, :]).sum(axis=2).astype(INT)
    return DayProblem(
        travel=(travel,),
        vehicle_profile=np.zeros(m, dtype=INT),
        demand=np.array([0, *draw(st.lists(st.integers(1, 3), min_size=n, max_size=n))], INT),
        service=np.array([0] + [3] * n, dtype=INT),
        tw_start=np.array([0, *opens], dtype=INT),
        tw_end=np.array([400] + [a + w for a, w in zip(opens, widths, strict=True)], INT),
        capacity=np.array(draw(st.lists(st.integers(3, 6), min_size=m, max_size=m)), INT),
        vehicle_start=np.zeros(m, dtype=INT),
        vehicle_end=np.full(m, 400, dtype=INT),
        max_trips=np.array(draw(st.lists(st.integers(1, 2), min_size=m, max_size=m)), INT),
        penalty=np.array([0] + [1000] * n, dtype=INT),
    )


@settings(max_examples=15, deadline=None)
@given(random_days())
def test_every_pyvrp_solution_keeps_the_rules(problem: DayProblem) -> None:
    pytest.importorskip("pyvrp")
    solution = solve_with_pyvrp(problem, time_limit=1, deterministic=True)
    check_shape(problem, solution)
    assert retime(problem, solution.routes) == solution.routes


# -- end to end: plan_meals with the PyVRP engine passes verify ---------------------------


def relaxed_community(seed: int, capacity: int | None = None):  # type: ignore[no-untyped-def]
    """A generated community (80 residents, 15 meal orders, 3 carriers) whose policy has
    no binding hot-meal limit and no cost on preferences, so PyVRP can express its days;
    with ``capacity``, every mode carries that many portions (forcing several trips)."""
    from carecal.datasets import make_community

    community = make_community(residents=80, volunteers=12, seed=seed, meal_orders=15, carriers=3)
    update: dict[str, object] = {"max_food_minutes": 1440, "non_preferred_cost": 0}
    if capacity is not None:
        update["capacity"] = dict.fromkeys(community.policy.capacity, capacity)
    policy = community.policy.model_copy(update=update)
    return community.model_copy(update={"policy": policy})


@pytest.mark.parametrize(("seed", "capacity"), [(1, None), (1, 2), (3, 2)])
def test_pyvrp_meal_plans_pass_verify(seed: int, capacity: int | None) -> None:
    pytest.importorskip("pyvrp")
    from carecal.solver.meals import plan_meals
    from carecal.verify import verify

    community = relaxed_community(seed, capacity)
    plan = plan_meals(community, "2026-12-01", time_limit=2, deterministic=True, engine="pyvrp")
    assert plan.engine == "pyvrp" and plan.trips
    assert verify(community, plan) == []
    if capacity is not None:
        carriers = [t.volunteer_id for t in plan.trips]
        assert len(set(carriers)) < len(carriers)  # some carrier makes several trips


def test_default_policy_meal_day_refuses_pyvrp_and_auto_uses_ortools() -> None:
    from carecal.datasets import make_community
    from carecal.solver.meals import plan_meals
    from carecal.verify import verify

    community = make_community(residents=80, volunteers=12, seed=1, meal_orders=15, carriers=3)
    with pytest.raises(OptionError, match="hot-meal limit"):
        plan_meals(community, "2026-12-01", time_limit=1, engine="pyvrp")
    plan = plan_meals(community, "2026-12-01", time_limit=2, deterministic=True, engine="auto")
    assert plan.engine == "ortools"
    assert verify(community, plan) == []
