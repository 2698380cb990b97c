"""Putting left-out deliveries back into trips, on hand-checkable day problems."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from line_days import line_problem as line

from carecal.solver.meals import DayProblem, DayRoute, earliest_times, retime
from carecal.solver.meals.reinsert import earliest_departure, fewer_carriers, reinsert


def trip(problem: DayProblem, vehicle: int, nodes: tuple[int, ...], leave: int) -> DayRoute:
    starts, back = earliest_times(problem, vehicle, nodes, leave)
    return DayRoute(vehicle, 1, leave, nodes, tuple(starts), back)


def keeps_every_rule(problem: DayProblem, routes: tuple[DayRoute, ...]) -> bool:
    """The rules, checked from the trips' own times (not by the code under test)."""
    for r in routes:
        starts, back = earliest_times(problem, r.vehicle, r.nodes, r.leave)
        if list(r.starts) != starts or r.back != back:
            return False
        if any(s > problem.tw_end[n] for n, s in zip(r.nodes, r.starts, strict=True)):
            return False
        if problem.max_ride is not None and any(s - r.leave > problem.max_ride for s in starts):
            return False
        if sum(int(problem.demand[n]) for n in r.nodes) > problem.capacity[r.vehicle]:
            return False
    for v in {r.vehicle for r in routes}:
        mine = sorted((r for r in routes if r.vehicle == v), key=lambda r: r.leave)
        if len(mine) > problem.max_trips[v] or mine[0].leave < problem.vehicle_start[v]:
            return False
        if mine[-1].back > problem.vehicle_end[v]:
            return False
        if any(a.back > b.leave for a, b in pairwise(mine)):
            return False
    return True


def test_nothing_to_put_back_changes_nothing() -> None:
    """No candidates: the trips come back as given, at no cost."""
    problem = line()
    routes = retime(problem, [trip(problem, 0, (1, 2, 3), 0)])
    back = reinsert(problem, routes, [])
    assert back.routes == routes and back.inserted == () and back.cost_change == 0


def test_a_delivery_goes_where_it_costs_least() -> None:
    """R-2 left out of the trip to R-3: on the way costs no travel, so it goes in there."""
    problem = line(penalty=np.array([0, 100, 100, 100]))
    routes = retime(problem, [trip(problem, 0, (1, 3), 0)])
    back = reinsert(problem, routes, [2])
    assert back.inserted == (2,) and back.left_out == ()
    assert [r.nodes for r in back.routes] == [(1, 2, 3)]
    assert back.cost_change == -100
    assert keeps_every_rule(problem, back.routes)


def test_a_delivery_cheaper_to_miss_stays_out() -> None:
    """R-3 alone costs 60 minutes there and back; missing it costs 50: it stays out."""
    problem = line(penalty=np.array([0, 50, 50, 50]), max_trips=2)
    back = reinsert(problem, (), [3])
    assert back.inserted == () and back.left_out == (3,) and back.routes == ()


def test_a_full_bag_takes_a_new_trip_only_when_one_is_left() -> None:
    """Capacity 1: R-1 cannot join the trip to R-3; a second trip takes it if allowed."""
    one = line(capacity=1, max_trips=1)
    routes = retime(one, [trip(one, 0, (3,), 0)])
    assert reinsert(one, routes, [1]).left_out == (1,)
    two = line(capacity=1, max_trips=2)
    routes = retime(two, [trip(two, 0, (3,), 0)])
    back = reinsert(two, routes, [1])
    assert back.inserted == (1,)
    assert sorted(r.nodes for r in back.routes) == [(1,), (3,)]
    assert keeps_every_rule(two, back.routes)


def test_waiting_that_spoils_a_meal_sends_it_on_its_own_trip() -> None:
    """Ride limit 30, R-1 opens at 200: after R-3 it would wait and cool, so it goes out
    on a trip of its own at 190 (R-3's trip after it); with one trip and one carrier it
    stays out; with a second carrier, that carrier takes it."""
    windows = [(200, 300), (0, 1000), (0, 1000)]
    two_trips = line(windows=windows, max_trips=2, max_ride=30)
    routes = retime(two_trips, [trip(two_trips, 0, (3,), 0)])
    back = reinsert(two_trips, routes, [1])
    assert sorted((r.nodes, r.leave) for r in back.routes) == [((1,), 190), ((3,), 215)]
    assert keeps_every_rule(two_trips, back.routes)
    one = line(windows=windows, max_trips=1, max_ride=30)
    routes = retime(one, [trip(one, 0, (3,), 0)])
    assert reinsert(one, routes, [1]).left_out == (1,)
    second = line(windows=windows, max_trips=1, max_ride=30, vehicles=2)
    back = reinsert(second, routes, [1])
    assert [(r.vehicle, r.nodes) for r in back.routes] == [(0, (3,)), (1, (1,))]
    assert keeps_every_rule(second, back.routes)


def test_a_new_carrier_pays_its_fixed_cost() -> None:
    """A second carrier costs 500: R-1 (worth 100) waits rather than call one."""
    windows = [(200, 300), (0, 1000), (0, 1000)]
    problem = line(
        windows=windows,
        max_ride=30,
        vehicles=2,
        fixed_cost=np.array([500, 500]),
        penalty=np.array([0, 100, 100, 100]),
    )
    routes = retime(problem, [trip(problem, 0, (3,), 0)])
    assert reinsert(problem, routes, [1]).left_out == (1,)


def test_a_locked_stop_goes_back_only_to_its_carrier() -> None:
    """R-1 is locked to carrier 1, who has no trip left: carrier 0's trip may not take it."""
    problem = line(vehicles=2, pinned={1: 1}, max_trips=1)
    routes = retime(problem, [trip(problem, 0, (2,), 0)])
    back = reinsert(problem, routes, [1])
    assert [(r.vehicle, r.nodes) for r in back.routes] == [(0, (2,)), (1, (1,))]
    full = replace(problem, capacity=np.array([3, 1]))
    busy = retime(full, [trip(full, 0, (2,), 0), trip(full, 1, (3,), 0)])
    assert reinsert(full, busy, [1]).left_out == (1,)


def test_no_checks_left_means_nothing_is_tried() -> None:
    problem = line()
    routes = retime(problem, [trip(problem, 0, (1, 3), 0)])
    assert reinsert(problem, routes, [2], checks_in_all=0).left_out == (2,)


@settings(max_examples=100, deadline=None)
@given(
    opens=st.lists(st.integers(0, 300), min_size=1, max_size=3),
    ready=st.integers(0, 300),
    ride=st.integers(10, 120),
)
def test_theearliest_departure_is_the_first_leave_that_keeps_meals_hot(
    opens: list[int], ready: int, ride: int
) -> None:
    """Against trying every minute: the formula gives the first departure from ``ready``
    whose every handover is within ``ride`` of leaving, or none when none is."""
    nodes = list(range(1, len(opens) + 1))
    windows = [(a, 1000) for a in opens] + [(0, 1000)] * (3 - len(opens))
    problem = line(windows=windows, max_ride=ride)

    def hot(leave: int) -> bool:
        starts, _ = earliest_times(problem, 0, nodes, leave)
        return all(s - leave <= ride for s in starts)

    expected = next((t for t in range(ready, 700) if hot(t)), None)
    assert earliest_departure(problem, 0, nodes, ready) == expected


# --- sending carriers home -----------------------------------------------------------------


def two_carriers(**extra: Any) -> tuple[DayProblem, tuple[DayRoute, ...]]:
    """Carrier 0 takes R-1, carrier 1 takes R-2 (each 10 and 20 minutes out)."""
    problem = line(vehicles=2, **extra)
    return problem, retime(problem, [trip(problem, 0, (1,), 0), trip(problem, 1, (2,), 0)])


def test_a_carrier_whose_deliveries_fit_elsewhere_goes_home() -> None:
    """Calling a carrier costs 100: R-1 joins R-2's trip (travel 40 instead of 20 + 40),
    so carrier 0, with the fewest deliveries, goes home; the plan saves 120."""
    problem, routes = two_carriers(fixed_cost=np.array([100, 100]))
    fewer, change = fewer_carriers(problem, routes)
    assert [(r.vehicle, r.nodes) for r in fewer] == [(1, (1, 2))]
    assert change == -120
    assert keeps_every_rule(problem, fewer)


def test_a_carrier_stays_when_the_others_cannot_take_the_deliveries() -> None:
    """R-1 at 10 and R-2 at 20 sharp: one carrier cannot be at both (R-1's handover ends
    at 15, R-2 is 10 further), so both carriers stay, whatever they cost."""
    problem, routes = two_carriers(
        fixed_cost=np.array([100, 100]), windows=[(10, 10), (20, 20), (0, 1000)]
    )
    fewer, change = fewer_carriers(problem, routes)
    assert fewer == routes and change == 0


def test_a_carrier_stays_when_sending_them_home_saves_nothing() -> None:
    """Without a fixed cost a carrier goes home only for less travel: R-1 and R-2 on two
    carriers cost 20 + 40 minutes, on one trip 40, so carrier 0 goes (saves 20). With a
    bag of one, R-1 could only go out on a second trip of the other carrier, 20 minutes
    as now: nothing saved, both stay."""
    problem, routes = two_carriers()
    fewer, change = fewer_carriers(problem, routes)
    assert len({r.vehicle for r in fewer}) == 1 and change == -20
    far = line(vehicles=2, capacity=1, max_trips=2, hours=(0, 1000))
    apart = retime(far, [trip(far, 0, (1,), 0), trip(far, 1, (3,), 0)])
    kept, none = fewer_carriers(far, apart)
    assert kept == apart and none == 0


def test_a_carrier_with_a_locked_stop_stays() -> None:
    problem, routes = two_carriers(fixed_cost=np.array([100, 100]), pinned={1: 0})
    fewer, _ = fewer_carriers(problem, routes)
    assert {r.vehicle for r in fewer} == {0}
    assert sorted(n for r in fewer for n in r.nodes) == [1, 2]
