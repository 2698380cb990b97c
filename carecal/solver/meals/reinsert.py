"""Putting back deliveries a search left out, where a trip can still take them.

Two kinds of delivery come out of a search unserved: those the food-age repair
(:func:`~carecal.solver.meals.retime.retime_and_repair`) dropped because waiting at a door
would let the meal cool, which the search cannot see; and those the search itself left
out, often only because its time ran out first on a big day. :func:`reinsert` tries each
of them, most costly to miss first, at its cheapest place: inside a trip, as a new trip
of a carrier who has trips to spare, or as the first trip of a carrier not yet called.
A place is taken only when it costs less than missing the delivery and the carrier's
whole day still keeps every rule: the bag's capacity, every window, the hot-meal limit
with waiting at doors, the trips one after the other through the kitchen, the carrier's
hours and trip count, and a locked stop's carrier. The carrier's trips are then timed as
every plan's are (:func:`~carecal.solver.meals.retime.retime_and_repair`), which must
keep them all.

The work is bounded by a number of checks, not by the clock, so a deterministic plan
stays the same from run to run.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from carecal.solver.meals.model import penalties
from carecal.solver.meals.problem import DayProblem, DayRoute
from carecal.solver.meals.retime import earliest_times, retime_and_repair

CHECKS_PER_DELIVERY = 40
"""Places tried for one delivery, cheapest first, before it stays out."""

CHECKS_IN_ALL = 1000
"""Places tried in one call (about half a second on a day of 1,000 deliveries)."""


@dataclass(frozen=True)
class Reinserted:
    """What :func:`reinsert` did.

    Attributes
    ----------
    routes
        Every trip of the day, the changed carriers' re-timed.
    inserted
        The deliveries now on a trip.
    left_out
        The deliveries that stay unserved.
    cost_change
        The objective's change: the extra travel, carrier surcharges and new carriers'
        fixed costs, less the missed-delivery costs no longer paid.
    """

    routes: tuple[DayRoute, ...]
    inserted: tuple[int, ...]
    left_out: tuple[int, ...]
    cost_change: float


def reinsert(
    problem: DayProblem,
    routes: Sequence[DayRoute],
    candidates: Sequence[int],
    *,
    checks_per_delivery: int = CHECKS_PER_DELIVERY,
    checks_in_all: int = CHECKS_IN_ALL,
    until: float | None = None,
) -> Reinserted:
    """Insert unserved deliveries into the day's trips where they fit and pay.

    Parameters
    ----------
    problem
        The day problem.
    routes
        The day's trips, timed and valid (as :func:`retime_and_repair` returns them).
    candidates
        Unserved deliveries to try; they are tried most costly to miss first.
    checks_per_delivery, checks_in_all
        How many places are checked against every rule, for one delivery and in all
        (each delivery tried counts as one check as well).
    until
        A :func:`time.perf_counter` time after which no more deliveries are tried
        (``None``: the checks alone bound the work, as a deterministic plan needs).

    Returns
    -------
    Reinserted
        The trips with the deliveries that fit, and the rest.
    """
    day = _Day(problem, routes)
    missed = penalties(problem)
    order = sorted(set(candidates), key=lambda node: (-int(missed[node]), node))
    inserted, left_out, cost = _put(
        day,
        order,
        missed,
        [checks_in_all],
        new_carriers=True,
        checks_per_delivery=checks_per_delivery,
        until=until,
    )
    change = cost - float(sum(int(missed[node]) for node in inserted))
    return Reinserted(day.routes(), tuple(inserted), tuple(left_out), change)


class _Day:
    """The trips per carrier, in time order, as the insertion changes them, and every
    place a delivery could go (a slot between two stops, or a new trip)."""

    def __init__(self, problem: DayProblem, routes: Sequence[DayRoute]) -> None:
        self.problem = problem
        self.surcharges = problem.carrier_costs()
        self.profiles = sorted({int(x) for x in problem.vehicle_profile})
        self.trips: dict[int, list[DayRoute]] = {}
        for r in routes:
            self.trips.setdefault(r.vehicle, []).append(r)
        for trips in self.trips.values():
            trips.sort(key=lambda r: (r.leave, r.trip))
        self.slots = {v: self._slots(v) for v in range(problem.num_vehicles)}
        self.table: npt.NDArray[np.int64] | None = None

    def routes(self) -> tuple[DayRoute, ...]:
        return tuple(r for v in sorted(self.trips) for r in self.trips[v])

    def copy(self) -> _Day:
        """A copy whose trips can change without changing these."""
        other = copy.copy(self)
        other.trips = {v: list(t) for v, t in self.trips.items()}
        other.slots = dict(self.slots)
        return other

    def cost_of(self, vehicle: int) -> float:
        """What the carrier's trips cost: travel, surcharges of its deliveries, its fixed cost."""
        p = self.problem
        trips = self.trips.get(vehicle, [])
        if not trips:
            return 0.0
        cost = p.cost_matrix(vehicle)
        total = int(p.fixed_cost[vehicle]) if p.fixed_cost is not None else 0
        for r in trips:
            stops = (0, *r.nodes, 0)
            total += sum(int(cost[a, b]) for a, b in pairwise(stops))
            for node in r.nodes:
                surcharge, discount = self.surcharges.get(node, (0, {}))
                total += surcharge - discount.get(vehicle, 0)
        return float(total)

    def replace(self, vehicle: int, trips: list[DayRoute]) -> None:
        self.trips[vehicle] = trips
        self.slots[vehicle] = self._slots(vehicle)
        self.table = None

    def _slots(self, v: int) -> list[tuple[int, int, int, int, int, int]]:
        """The carrier's places: (before, after, carrier, trip, position, load), position
        -1 for a new trip in that slot of its day."""
        p = self.problem
        if int(p.max_trips[v]) < 1:
            return []
        trips = [r.nodes for r in self.trips.get(v, [])]
        rows = []
        for k, trip in enumerate(trips):
            load = sum(int(p.demand[n]) for n in trip)
            stops = (0, *trip, 0)
            rows += [(stops[i], stops[i + 1], v, k, i, load) for i in range(len(trip) + 1)]
        if len(trips) < int(p.max_trips[v]):
            rows += [(0, 0, v, k, -1, 0) for k in range(len(trips) + 1)]
        return rows

    def with_node(self, node: int, vehicle: int, k: int, i: int) -> list[list[int]]:
        """The carrier's trips (node lists, in time order) with ``node`` at position ``i``
        of trip ``k``, or (``i`` of -1) as a new trip ``k``."""
        trips = [list(r.nodes) for r in self.trips.get(vehicle, [])]
        if i < 0:
            trips.insert(k, [node])
        else:
            trips[k].insert(i, node)
        return trips

    def places(
        self, node: int, *, limit: int, count: int, new_carriers: bool = True
    ) -> list[tuple[float, int, int, int]]:
        """The ``count`` cheapest places for ``node`` that cost less than ``limit``,
        cheapest first: the cost, the carrier, the trip and the position in it (-1: a new
        trip in that slot)."""
        p = self.problem
        if self.table is None:
            rows = [row for v in sorted(self.slots) for row in self.slots[v]]
            self.table = np.array(rows, dtype=np.int64).reshape(-1, 6)
        t = self.table
        before, after, vehicle = t[:, 0], t[:, 1], t[:, 2]
        keep = t[:, 5] + int(p.demand[node]) <= np.asarray(p.capacity)[vehicle]
        pinned = p.pinned.get(node)
        if pinned is not None:
            keep &= vehicle == pinned
        used = np.array([bool(self.trips.get(v)) for v in range(p.num_vehicles)])
        if not new_carriers:
            keep &= used[vehicle]
        # Travel added, per travel profile.
        delta = np.zeros(len(t), dtype=np.int64)
        profile = np.asarray(p.vehicle_profile)[vehicle]
        mats = p.arc_cost if p.arc_cost is not None else p.travel
        for prof in self.profiles:
            on = profile == prof
            m = mats[prof]
            b, a = before[on], after[on]
            delta[on] = m[b, node] + m[node, a] - m[b, a]
        # The carrier's surcharge for this delivery, and a new carrier's fixed cost.
        surcharge, discount = self.surcharges.get(node, (0, {}))
        extra = np.full(p.num_vehicles, surcharge, dtype=np.int64)
        for v, saving in discount.items():
            extra[v] -= saving
        if p.fixed_cost is not None:
            extra += np.where(used, 0, np.asarray(p.fixed_cost, dtype=np.int64))
        delta += extra[vehicle]
        keep &= delta < limit
        chosen = np.flatnonzero(keep)
        order = np.lexsort((t[chosen, 4], t[chosen, 3], vehicle[chosen], delta[chosen]))[:count]
        picked = chosen[order]
        return [
            (float(c), int(v), int(k), int(i))
            for c, v, k, i in zip(
                delta[picked].tolist(),
                vehicle[picked].tolist(),
                t[picked, 3].tolist(),
                t[picked, 4].tolist(),
                strict=True,
            )
        ]


def _timed(problem: DayProblem, vehicle: int, trips: list[list[int]]) -> list[DayRoute] | None:
    """A carrier's trips timed to keep every rule, or ``None`` when they cannot be.

    Each trip leaves as early as it can after the one before is back (the earliest
    departure whose meals all stay within the hot-meal limit); when those earliest times
    fit the carrier's hours, the trips are re-timed as every plan's are, which must keep
    every stop.
    """
    start = int(problem.vehicle_start[vehicle])
    end = int(problem.vehicle_end[vehicle])
    ready = start
    earliest: list[DayRoute] = []
    for k, nodes in enumerate(trips, start=1):
        leave = earliest_departure(problem, vehicle, nodes, ready)
        if leave is None:
            return None
        starts, back = earliest_times(problem, vehicle, nodes, leave)
        late = any(s > int(problem.tw_end[n]) for n, s in zip(nodes, starts, strict=True))
        if late or back > end:
            return None
        earliest.append(DayRoute(vehicle, k, leave, tuple(nodes), tuple(starts), back))
        ready = back
    timed, dropped = retime_and_repair(problem, earliest)
    if dropped or len(timed) != len(trips):
        return None
    return list(timed)


def earliest_departure(
    problem: DayProblem, vehicle: int, nodes: Sequence[int], ready: int
) -> int | None:
    """The earliest departure from ``ready`` on that keeps the hot-meal limit, or ``None``.

    With ``reach[i]`` the ride to stop ``i`` without waiting, a trip leaving at ``t``
    starts stop ``i`` at ``max(t + reach[i], max over j <= i of tw_start[j] + reach[i] -
    reach[j])`` (:func:`earliest_times`), so the meal of the last stop, which waits
    longest, is within the limit exactly when ``reach[last] <= max_ride`` and ``t >=
    reach[last] - max_ride + max over j of (tw_start[j] - reach[j])``.
    """
    if problem.max_ride is None:
        return ready
    travel = problem.travel_matrix(vehicle)
    reach, prev, need = 0, 0, None
    for node in nodes:
        reach += int(problem.service[prev]) + int(travel[prev, node])
        wait = int(problem.tw_start[node]) - reach
        need = wait if need is None else max(need, wait)
        prev = node
    if need is None:
        return ready
    if reach > int(problem.max_ride):
        return None
    return max(ready, reach - int(problem.max_ride) + need)


def _put(
    day: _Day,
    nodes: Sequence[int],
    missed: npt.NDArray[np.int64],
    budget: list[int],
    *,
    new_carriers: bool,
    checks_per_delivery: int,
    until: float | None,
) -> tuple[list[int], list[int], float]:
    """Insert ``nodes`` one by one at their cheapest place that keeps every rule; the
    inserted, the rest, and what the inserted cost. ``budget`` (one number) counts down."""
    problem = day.problem
    inserted: list[int] = []
    left_out: list[int] = []
    cost_sum = 0.0
    for node in nodes:
        late = until is not None and time.perf_counter() >= until
        if budget[0] <= 0 or late:
            left_out.append(node)
            continue
        budget[0] -= 1
        places = day.places(
            node,
            limit=int(missed[node]),
            count=min(checks_per_delivery, budget[0]),
            new_carriers=new_carriers,
        )
        for cost, vehicle, k, i in places:
            budget[0] -= 1
            timed = _timed(problem, vehicle, day.with_node(node, vehicle, k, i))
            if timed is not None:
                day.replace(vehicle, timed)
                inserted.append(node)
                cost_sum += cost
                break
        else:
            left_out.append(node)
    return inserted, left_out, cost_sum


def fewer_carriers(
    problem: DayProblem,
    routes: Sequence[DayRoute],
    *,
    checks_per_delivery: int = CHECKS_PER_DELIVERY,
    checks_in_all: int = CHECKS_IN_ALL,
    until: float | None = None,
) -> tuple[tuple[DayRoute, ...], float]:
    """Send carriers home whose deliveries the others can take, cheaper.

    Carriers are tried fewest deliveries first: all of one carrier's deliveries are put
    into the other carriers' trips (or new trips of theirs) at their cheapest places
    that keep every rule; the change is kept when every one of them fits and the
    insertions cost less than the carrier did (its fixed cost, travel and surcharges).
    A carrier with a locked stop stays.

    Returns
    -------
    tuple
        The trips, and the objective's change (zero or less).
    """
    day = _Day(problem, routes)
    missed = penalties(problem)
    budget = [checks_in_all]
    change = 0.0
    locked = set(problem.pinned.values())
    order = sorted(
        (v for v in day.trips if day.trips[v] and v not in locked),
        key=lambda v: (sum(len(r.nodes) for r in day.trips[v]), v),
    )
    for v in order:
        if budget[0] <= 0 or (until is not None and time.perf_counter() >= until):
            break
        saved = day.cost_of(v)
        nodes = [n for r in day.trips[v] for n in r.nodes]
        trial = day.copy()
        trial.replace(v, [])
        _, left_out, cost = _put(
            trial,
            sorted(nodes, key=lambda n: (-int(missed[n]), n)),
            missed,
            budget,
            new_carriers=False,
            checks_per_delivery=checks_per_delivery,
            until=until,
        )
        if not left_out and cost < saved:
            day = trial
            change += cost - saved
    return day.routes(), change
