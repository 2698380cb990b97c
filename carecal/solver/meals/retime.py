"""Re-timing trips after the search, and repairing the rare trip that cannot be timed.

The routing search sees the food age without waiting at doors; :func:`retime_and_repair`
sets each trip's departure as late as it can go without adding food age (no needless
waiting at doors) and no later, so meals stay hot and reach residents early in their
windows, and cuts or shortens a trip where waiting for a window would make a meal too old.
On a re-plan's day (:attr:`~carecal.solver.meals.problem.DayProblem.arrival_target`), the
departure is instead the one that keeps the most handovers near the previous plan's
arrivals.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from carecal.solver.meals.problem import DayProblem, DayRoute

logger = logging.getLogger(__name__)


def earliest_times(
    problem: DayProblem, vehicle: int, nodes: Sequence[int], leave: int
) -> tuple[list[int], int]:
    """Handover starts and return time of a trip leaving at ``leave``, waiting only for windows.

    Returns
    -------
    tuple
        The handover start at each node, and when the carrier is back at the depot.
    """
    travel = problem.travel_matrix(vehicle)
    t, prev = leave, 0
    starts = []
    for node in nodes:
        t = max(
            int(problem.tw_start[node]), t + int(problem.service[prev]) + int(travel[prev, node])
        )
        starts.append(t)
        prev = node
    back = t + int(problem.service[prev]) + int(travel[prev, 0]) if nodes else leave
    return starts, back


def _fits(
    problem: DayProblem, nodes: Sequence[int], starts: list[int], back: int, limit: int
) -> bool:
    return back <= limit and all(s <= problem.tw_end[n] for n, s in zip(nodes, starts, strict=True))


def _departure(
    problem: DayProblem, vehicle: int, nodes: Sequence[int], lo: int, limit: int
) -> int | None:
    """The best departure in ``[lo, limit]``: least food age, then earliest handovers.

    Returns ``None`` when no departure keeps every window, the return limit and the
    hot-meal limit.
    """
    starts, back = earliest_times(problem, vehicle, nodes, lo)
    if not _fits(problem, nodes, starts, back, limit):
        return None
    # Windows and the return limit only get harder as the trip leaves later.
    good, bad = lo, limit + 1
    while bad - good > 1:
        mid = (good + bad) // 2
        s, b = earliest_times(problem, vehicle, nodes, mid)
        if _fits(problem, nodes, s, b, limit):
            good = mid
        else:
            bad = mid
    # Leaving later than "no waiting anywhere" adds nothing but lateness.
    travel = problem.travel_matrix(vehicle)
    no_wait, reach, prev = lo, 0, 0
    for node in nodes:
        reach += int(problem.service[prev]) + int(travel[prev, node])
        no_wait = max(no_wait, int(problem.tw_start[node]) - reach)
        prev = node
    leave = min(no_wait, good)
    if any(node in problem.arrival_target for node in nodes):
        return _nearest_the_targets(problem, vehicle, nodes, lo, good, leave)
    if problem.max_ride is not None:
        starts, _ = earliest_times(problem, vehicle, nodes, leave)
        if any(s - leave > problem.max_ride for s in starts):
            return None
    return leave


def _nearest_the_targets(
    problem: DayProblem, vehicle: int, nodes: Sequence[int], lo: int, good: int, usual: int
) -> int | None:
    """The departure in ``[lo, good]`` that moves the fewest handovers off their targets.

    A re-plan's trips (:attr:`DayProblem.arrival_target`): fewest handovers outside their
    band, then fewest minutes outside, then closest to the previous arrivals, then
    closest to ``usual`` (the departure :func:`_departure` picks without targets). Every
    departure in the range keeps the windows and the return limit, and each is tried (a
    few hundred minutes at most); ``None`` when none keeps the hot-meal limit.
    """
    best: int | None = None
    best_key: tuple[int, int, int, int] | None = None
    for leave in range(lo, good + 1):
        starts, _ = earliest_times(problem, vehicle, nodes, leave)
        if problem.max_ride is not None and any(s - leave > problem.max_ride for s in starts):
            continue
        outside = minutes = off = 0
        for node, start in zip(nodes, starts, strict=True):
            target = problem.arrival_target.get(node)
            if target is None:
                continue
            gap = abs(start - target.at)
            off += gap
            if gap > target.tolerance:
                outside += 1
                minutes += gap - target.tolerance
        key = (outside, minutes, off, abs(leave - usual))
        if best_key is None or key < best_key:
            best, best_key = leave, key
    return best


def retime(problem: DayProblem, routes: Sequence[DayRoute]) -> tuple[DayRoute, ...]:
    """Re-time trips: each leaves when meals wait least, handovers as early as then possible.

    Trips of one vehicle are timed from the last to the first, each between the previous
    trip's original return and the next trip's new departure, so the sequence stays
    valid. A trip that no departure makes valid keeps the engine's times (see
    :func:`retime_and_repair` for the version that drops stops instead).

    Parameters
    ----------
    problem
        The day problem.
    routes
        Trips with the engine's times; their node orders and time order per vehicle are
        kept.

    Returns
    -------
    tuple of DayRoute
        The re-timed trips, ordered by vehicle and numbered 1, 2, ... per vehicle.
    """
    return _retime(problem, routes, repair=False)[0]


def retime_and_repair(
    problem: DayProblem, routes: Sequence[DayRoute]
) -> tuple[tuple[DayRoute, ...], tuple[int, ...]]:
    """Like :func:`retime`, but a trip no departure makes valid loses its last stops.

    That happens only when waiting for a window would make a meal too old, which the
    search's ``food`` dimension does not see.

    Returns
    -------
    tuple
        The re-timed trips (empty ones left out) and the nodes dropped from trips.
    """
    return _retime(problem, routes, repair=True)


def _retime(
    problem: DayProblem, routes: Sequence[DayRoute], *, repair: bool
) -> tuple[tuple[DayRoute, ...], tuple[int, ...]]:
    by_vehicle: dict[int, list[DayRoute]] = {}
    for r in routes:
        by_vehicle.setdefault(r.vehicle, []).append(r)
    out: list[DayRoute] = []
    dropped: list[int] = []
    for v in sorted(by_vehicle):
        trips = sorted(by_vehicle[v], key=lambda r: (r.leave, r.trip))
        timed: list[DayRoute] = []
        limit = int(problem.vehicle_end[v])
        for k in range(len(trips) - 1, -1, -1):
            trip = trips[k]
            lo = int(problem.vehicle_start[v]) if k == 0 else trips[k - 1].back
            nodes = list(trip.nodes)
            leave = _departure(problem, v, nodes, lo, limit)
            if leave is None and not repair:
                logger.debug("vehicle %d trip %d kept the engine's times", v, trip.trip)
                timed.append(trip)
                limit = trip.leave
                continue
            # Trips still to time (k + 1 of them) and pieces already timed count as trips.
            spare = int(problem.max_trips[v]) - len(timed) - (k + 1)
            pieces = _repair(problem, v, nodes, lo, limit, spare, dropped)
            if len(pieces) != 1 or len(pieces[0][0]) < len(trip.nodes):
                # An internal step of the plan, not news for the coordinator: the plan's
                # trips and unserved list already say everything (issue 15 item 10).
                logger.debug(
                    "vehicle %d trip %d re-cut into %d trips, %d stops left out "
                    "(food age with waiting at doors)",
                    v,
                    trip.trip,
                    len(pieces),
                    len(trip.nodes) - sum(len(p[0]) for p in pieces),
                )
            for part, leave in pieces:
                starts, back = earliest_times(problem, v, part, leave)
                timed.append(
                    replace(trip, leave=leave, nodes=tuple(part), starts=tuple(starts), back=back)
                )
                limit = leave
        timed.reverse()
        out += [replace(r, trip=i) for i, r in enumerate(timed, start=1)]
    return tuple(out), tuple(dropped)


def _repair(
    problem: DayProblem,
    vehicle: int,
    nodes: list[int],
    lo: int,
    limit: int,
    spare: int,
    dropped: list[int],
) -> list[tuple[list[int], int]]:
    """Time a trip in ``[lo, limit]``, cutting it in two or dropping stops if it must.

    Returns the pieces from the last to the first, each with its departure; dropped
    nodes are appended to ``dropped``. ``spare`` is how many more trips the vehicle may
    make.
    """
    nodes = list(nodes)
    while nodes:
        leave = _departure(problem, vehicle, nodes, lo, limit)
        if leave is not None:
            return [(nodes, leave)]
        if spare > 0:
            # Cut where the tail can leave later from the kitchen, after the head is back.
            for cut in range(len(nodes) - 1, 0, -1):
                head, tail = nodes[:cut], nodes[cut:]
                tail_leave = _departure(problem, vehicle, tail, lo, limit)
                if tail_leave is None:
                    continue
                head_leave = _departure(problem, vehicle, head, lo, tail_leave)
                if head_leave is not None:
                    return [(tail, tail_leave), (head, head_leave)]
        # A locked stop (pinned) is the last to go: the caller refuses a plan without it.
        last = next(
            (i for i in range(len(nodes) - 1, -1, -1) if nodes[i] not in problem.pinned),
            len(nodes) - 1,
        )
        dropped.append(nodes.pop(last))
    return []
