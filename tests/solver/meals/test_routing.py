"""The OR-Tools day engine (model and search), on hand-checkable day problems."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import numpy as np
import pytest
from line_days import day_options
from line_days import line_problem as line

from carecal.errors import OptionError
from carecal.progress import ProgressEvent
from carecal.solver.meals import ArrivalTarget, DayProblem, DayRoute, solve_day
from carecal.solver.meals.search import search_seconds

INT = np.int64


def solve(problem: DayProblem, **options: Any) -> Any:
    return solve_day(problem, day_options(), **options)


def test_one_trip_along_the_line() -> None:
    """Nodes 1 and 2 close at 15 and 30: out along the line 1, 2, 3 (10, 25, 40; back 75)."""
    solution = solve(line(windows=[(0, 15), (0, 30), (0, 1000)]))
    assert solution.unserved == ()
    (route,) = solution.routes
    assert route == DayRoute(0, 1, 0, (1, 2, 3), (10, 25, 40), 75)
    assert solution.engine == "ortools"
    assert solution.cost == 60


def test_capacity_one_makes_three_trips_in_sequence() -> None:
    """Capacity 1, up to 3 trips: three round trips, each after the previous is back."""
    solution = solve(line(capacity=1, max_trips=3))
    assert solution.unserved == ()
    routes = solution.routes
    assert [r.trip for r in routes] == [1, 2, 3]
    assert all(len(r.nodes) == 1 for r in routes)
    for a, b in itertools.pairwise(routes):
        assert b.leave >= a.back


def test_max_trips_leaves_the_cheapest_penalties_out() -> None:
    """Capacity 1, one trip: only node 2 (penalty 500) is served; 1 and 3 cost 100 each."""
    problem = line(capacity=1, penalty=np.array([0, 100, 500, 100], dtype=INT))
    solution = solve(problem)
    assert [r.nodes for r in solution.routes] == [(2,)]
    assert solution.unserved == (1, 3)


def test_must_serve_nodes_are_served_when_possible() -> None:
    solution = solve(line(penalty=None))
    assert solution.unserved == ()


def test_window_sets_the_order_and_departure() -> None:
    """Node 3 closes at 35, node 1 opens at 100: visit 3, 2, 1, leaving at 5.

    Node 3 at 35 (leave 5), node 2 at 50, node 1 at 100 after waiting; the departure
    cannot move later, since node 3 closes at 35.
    """
    solution = solve(line(windows=[(100, 1000), (0, 1000), (0, 35)]))
    (route,) = solution.routes
    assert route.nodes == (3, 2, 1)
    assert route.starts == (35, 50, 100) and route.leave == 5


def test_food_age_limit_forces_a_second_vehicle() -> None:
    """A 30-minute ride limit: node 3 (30 away) fits alone; 1, 2 then 3 would be 40."""
    solution = solve(line(vehicles=2, max_ride=30))
    assert solution.unserved == ()
    for route in solution.routes:
        assert all(s - route.leave <= 30 for s in route.starts)
    assert len(solution.routes) == 2


def test_food_age_limit_without_second_vehicle_leaves_one_out() -> None:
    solution = solve(line(max_ride=30, penalty=np.array([0, 1000, 1000, 1000], dtype=INT)))
    assert len(solution.unserved) == 1


def test_fixed_cost_keeps_to_one_vehicle() -> None:
    """Two vehicles, each costing 1000 to call: one does everything."""
    problem = line(vehicles=2, fixed_cost=np.array([1000, 1000], dtype=INT))
    solution = solve(problem)
    assert len({r.vehicle for r in solution.routes}) == 1


def test_preferred_vehicle_is_chosen() -> None:
    """Every resident prefers vehicle 1; with equal costs vehicle 1 does the round."""
    problem = line(
        vehicles=2,
        fixed_cost=np.array([1000, 1000], dtype=INT),
        preferred={1: frozenset({1}), 2: frozenset({1}), 3: frozenset({1})},
        non_preferred_cost=10,
    )
    solution = solve(problem)
    assert {r.vehicle for r in solution.routes} == {1}


def test_vehicle_hours_bound_the_trips() -> None:
    """Hours 0–40: only node 1 fits (back at 25); node 2 would be back at 45."""
    solution = solve(line(hours=(0, 40), penalty=np.array([0, 1000, 1000, 1000], dtype=INT)))
    assert [r.nodes for r in solution.routes] == [(1,)]
    assert solution.routes[0].back <= 40


def test_vehicle_without_trips_stays_home() -> None:
    """Vehicle 0 may make no trip today; vehicle 1 does the round."""
    problem = line(vehicles=2)
    problem = dataclasses.replace(problem, max_trips=np.array([0, 1], dtype=INT))
    solution = solve(problem)
    assert {r.vehicle for r in solution.routes} == {1} and solution.unserved == ()


def test_vehicle_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(OptionError, match="vehicle 0 starts at 50, after it must be back"):
        solve(line(hours=(50, 40)))


def test_deterministic_solves_agree() -> None:
    problem = line(vehicles=2, capacity=2, max_trips=2, windows=[(0, 60), (30, 90), (0, 1000)])
    assert solve(problem).routes == solve(problem).routes


def test_depot_only_problem() -> None:
    problem = DayProblem(
        travel=(np.zeros((1, 1), dtype=INT),),
        vehicle_profile=np.zeros(1, dtype=INT),
        demand=np.zeros(1, dtype=INT),
        service=np.zeros(1, dtype=INT),
        tw_start=np.zeros(1, dtype=INT),
        tw_end=np.array([1000], dtype=INT),
        capacity=np.ones(1, dtype=INT),
        vehicle_start=np.zeros(1, dtype=INT),
        vehicle_end=np.array([1000], dtype=INT),
        max_trips=np.ones(1, dtype=INT),
    )
    solution = solve(problem)
    assert solution.routes == () and solution.unserved == ()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"engine": "gurobi"}, "not known"),
        ({"first_solution": "NO_SUCH_STRATEGY"}, "PATH_CHEAPEST_ARC"),
        ({"metaheuristic": "NO_SUCH_SEARCH"}, "GUIDED_LOCAL_SEARCH"),
    ],
)
def test_bad_options_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(OptionError, match=message):
        solve_day(line(), day_options(1), **options)


def test_named_strategies_are_accepted() -> None:
    solution = solve(line(), first_solution="path_cheapest_arc", metaheuristic="GREEDY_DESCENT")
    assert solution.unserved == ()


def test_the_search_reports_its_progress() -> None:
    """A progress callable hears the search start and its improving solutions' costs."""
    events: list[ProgressEvent] = []
    solution = solve_day(line(vehicles=2), day_options(progress=events.append))
    assert events and {e.stage for e in events} == {"routing"}
    costs = [e.objective for e in events if e.objective is not None]
    assert costs and costs[-1] == solution.cost
    assert costs == sorted(costs, reverse=True)


def test_the_search_fits_in_what_is_left_of_the_call() -> None:
    """The search's share is what remains of the limit, less a reserve for re-timing
    (5 % of the limit): exactly so when nothing was spent yet (deterministic mode counts
    work, not the clock), and at most so on the clock."""
    assert search_seconds(day_options(2.0)) == pytest.approx(2.0 - 0.05 * 2.0)
    options = day_options(2.0, deterministic=False)
    before = options.remaining()
    assert 0 < search_seconds(options) <= before - 0.05 * 2.0
    assert search_seconds(day_options(0.001)) > 0


# --- re-planning pieces: pinned nodes, a start from given trips, arrival targets ---------------


def test_a_pinned_node_goes_to_its_vehicle_only() -> None:
    """Two vehicles, the second dearer to call: node 2 pinned to it makes it work."""
    fixed = np.array([0, 100], dtype=INT)
    free = solve(line(vehicles=2, fixed_cost=fixed))
    assert {r.vehicle for r in free.routes} == {0}
    pinned = solve(line(vehicles=2, fixed_cost=fixed, pinned={2: 1}))
    assert any(2 in r.nodes for r in pinned.routes if r.vehicle == 1)
    assert pinned.unserved == ()


def test_a_pinned_node_is_never_dropped() -> None:
    """Capacity 1, one trip: a pinned node with the lowest penalty is served anyway.

    The local search then has no move to make and so no solution to count; deterministic,
    it stops on its branch count (within its half second, not at the wall-clock guard).
    """
    problem = line(capacity=1, penalty=np.array([0, 100, 500, 100], dtype=INT), pinned={1: 0})
    solution = solve_day(problem, day_options(0.5))
    assert [r.nodes for r in solution.routes] == [(1,)]


def test_a_pin_out_of_range_is_refused() -> None:
    with pytest.raises(OptionError, match=r"pinned pins node 7 to vehicle 0"):
        solve(line(pinned={7: 0}))


def test_the_search_can_start_from_given_trips() -> None:
    """Started from the best trips, the search returns them; from trips breaking a window,
    it starts afresh and still finds a plan."""
    problem = line(windows=[(0, 15), (0, 30), (0, 1000)])
    best = DayRoute(0, 1, 0, (1, 2, 3), (10, 25, 40), 75)
    assert solve(problem, initial=[best]).routes == (best,)
    late = DayRoute(0, 1, 0, (3, 2, 1), (30, 45, 60), 75)
    assert solve(problem, initial=[late]).routes == (best,)


def test_trips_beyond_the_trips_allowed_are_not_a_start() -> None:
    """Two given trips for a vehicle of one trip: ignored, the search starts afresh."""
    problem = line()
    trips = [DayRoute(0, 1, 0, (1,), (10,), 25), DayRoute(0, 2, 25, (2,), (45,), 70)]
    solution = solve(problem, initial=trips)
    assert solution.unserved == () and len(solution.routes) == 1


def test_late_arrivals_cost_in_the_search() -> None:
    """Node 2 wants its handover by 15 + 3: along the line it starts at 25 (or 35 from
    the far end), so with each minute late costing 1000 the vehicle goes to node 2 first
    (20), then 3 and 1."""
    (plain,) = solve(line()).routes
    assert plain.starts[plain.nodes.index(2)] > 18
    wanted = solve(line(arrival_target={2: ArrivalTarget(15, 3, 1000)}))
    (route,) = wanted.routes
    assert route.nodes == (2, 3, 1) and route.starts[0] == 20
