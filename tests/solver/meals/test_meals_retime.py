"""Re-timing and repairing trips after the search, on hand-checkable day problems."""

from __future__ import annotations

import logging

import pytest
from line_days import line_problem as line

from carecal.solver.meals import (
    ArrivalTarget,
    DayRoute,
    earliest_times,
    retime,
    retime_and_repair,
)


def test_earliest_times_wait_only_for_windows() -> None:
    """Leaving at 0 for 3, 2, 1 with node 1 opening at 100: 30, 45, wait, 100; back 115."""
    problem = line(windows=[(100, 1000), (0, 1000), (0, 1000)])
    assert earliest_times(problem, 0, [3, 2, 1], 0) == ([30, 45, 100], 115)
    assert earliest_times(problem, 0, [], 7) == ([], 7)


def test_retime_leaves_as_late_as_helps() -> None:
    """Node 1 opens at 100: leaving at 90 (not 0) avoids waiting; nothing later helps."""
    problem = line(windows=[(100, 1000), (0, 1000), (0, 1000)])
    (route,) = retime(problem, [DayRoute(0, 1, 0, (1,), (100,), 115)])
    assert (route.leave, route.starts, route.back) == (90, (100,), 115)


def test_retime_keeps_trips_in_sequence() -> None:
    """Trip 2 (node 3, window 110–120) moves to leave at 80; trip 1 stays back before it."""
    problem = line(windows=[(0, 1000), (0, 1000), (110, 120)], max_trips=2)
    routes = [
        DayRoute(0, 1, 0, (1,), (10,), 25),
        DayRoute(0, 2, 25, (3,), (110,), 145),
    ]
    first, second = retime(problem, routes)
    assert (second.leave, second.starts, second.back) == (80, (110,), 145)
    assert (first.leave, first.starts, first.back) == (0, (10,), 25)
    assert (first.trip, second.trip) == (1, 2)


def test_repair_cuts_a_trip_where_waiting_spoils_a_meal() -> None:
    """Ride limit 30: node 3 at 30, then node 1 opening at 200 would be far too old.

    With a second trip allowed, node 1 goes out on its own; with one trip it is dropped.
    """
    windows = [(200, 300), (0, 1000), (0, 1000)]
    route = DayRoute(0, 1, 0, (3, 1), (30, 200), 215)
    two = line(windows=windows, max_trips=2, max_ride=30)
    routes, dropped = retime_and_repair(two, [route])
    assert dropped == ()
    assert [r.nodes for r in routes] == [(3,), (1,)]
    assert routes[1].leave == 190 and routes[0].back <= routes[1].leave
    one = line(windows=windows, max_trips=1, max_ride=30)
    routes, dropped = retime_and_repair(one, [route])
    assert dropped == (1,) and [r.nodes for r in routes] == [(3,)]
    assert retime(one, [route]) == (route,)


def test_a_re_cut_trip_is_logged_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    """Cutting a trip is an internal step: DEBUG, never WARNING (issue 15 item 10)."""
    caplog.set_level(logging.DEBUG, logger="carecal")
    route = DayRoute(0, 1, 0, (3, 1), (30, 200), 215)
    two = line(windows=[(200, 300), (0, 1000), (0, 1000)], max_trips=2, max_ride=30)
    retime_and_repair(two, [route])
    (record,) = [r for r in caplog.records if "re-cut into 2 trips" in r.getMessage()]
    assert record.levelno == logging.DEBUG
    assert all(r.levelno < logging.WARNING for r in caplog.records)


def test_a_target_sets_the_departure() -> None:
    """Node 1 (10 out) was handed over at 50 before: the trip leaves at 40, not at 0."""
    problem = line(arrival_target={1: ArrivalTarget(50, 15, 1)})
    (route,) = retime(problem, [DayRoute(0, 1, 0, (1,), (10,), 25)])
    assert (route.leave, route.starts, route.back) == (40, (50,), 65)


def test_targets_move_the_fewest_handovers() -> None:
    """Nodes 1 and 2 were at 10 and 95 (band ±15): no departure keeps both, so one moves;
    of the departures that move only one, the one closest to both targets is taken."""
    problem = line(arrival_target={1: ArrivalTarget(10, 15, 1), 2: ArrivalTarget(95, 15, 1)})
    (route,) = retime(problem, [DayRoute(0, 1, 0, (1, 2), (10, 25), 45)])
    moved = [abs(s - t) > 15 for s, t in zip(route.starts, (10, 95), strict=True)]
    assert sum(moved) == 1


def test_repair_drops_a_pinned_stop_last() -> None:
    """The trip of the test above, one trip only, node 1 pinned: node 3 goes instead."""
    windows = [(200, 300), (0, 1000), (0, 1000)]
    route = DayRoute(0, 1, 0, (3, 1), (30, 200), 215)
    problem = line(windows=windows, max_trips=1, max_ride=30, pinned={1: 0})
    routes, dropped = retime_and_repair(problem, [route])
    assert dropped == (3,)
    assert [(r.nodes, r.starts) for r in routes] == [((1,), (200,))]
