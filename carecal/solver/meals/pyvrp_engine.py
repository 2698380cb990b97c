"""A second routing engine: the day problem solved with PyVRP (optional extra).

PyVRP (``pip install "carecal[pyvrp]"``) is a state-of-the-art open-source VRPTW solver.
It covers most of a meal day: delivery windows, capacity per trip, several trips per carrier
(reloads at the kitchen), each carrier's hours, one travel matrix per mode, the cost of using
a carrier, and optional deliveries whose omission costs a penalty. It cannot express two of
our rules, and :func:`cannot_express` says so in words:

- the hot-meal limit (food age counted from each trip's departure), when it can bind;
- a resident's preferred carriers, when preferring them has a cost.

:func:`solve_with_pyvrp` returns a :class:`~carecal.solver.meals.problem.DaySolution` of the
same shape as the OR-Tools engine's: the handover times are recomputed here from the visit
order (earliest start, then each departure delayed as late as the windows allow), so the
times never depend on PyVRP's internal conventions.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Sequence
from importlib import import_module, metadata
from types import ModuleType
from typing import Any

import numpy as np

from carecal.errors import ExtraMissingError, OptionError
from carecal.solver.meals.problem import DayProblem, DayRoute, DaySolution

logger = logging.getLogger(__name__)

ENGINE = "pyvrp"
MIN_PYVRP = (0, 14)
"""Oldest PyVRP release whose API (activities in routes, reloads) this engine uses."""


def pyvrp_available() -> bool:
    """Whether the optional PyVRP engine can be imported."""
    try:
        import_pyvrp()
    except ImportError:
        return False
    return True


def import_pyvrp() -> ModuleType:
    """The ``pyvrp`` module, if installed and new enough.

    Raises
    ------
    carecal.ExtraMissingError
        When PyVRP is missing; the message gives the install command.
    ImportError
        When PyVRP is older than :data:`MIN_PYVRP`; the message gives the upgrade
        command.
    """
    try:
        module = import_module("pyvrp")
    except ImportError as exc:
        raise ExtraMissingError("pyvrp", "pyvrp", "The PyVRP routing engine") from exc
    try:
        found = metadata.version("pyvrp")
    except metadata.PackageNotFoundError:
        return module
    numbers = [int(part) for part in found.split(".")[:2] if part.isdigit()]
    if len(numbers) == 2 and tuple(numbers) < MIN_PYVRP:
        raise ExtraMissingError(
            "pyvrp",
            "pyvrp",
            "The PyVRP routing engine",
            f"carecal's PyVRP engine needs PyVRP {MIN_PYVRP[0]}.{MIN_PYVRP[1]} or newer, "
            f'found {found}; upgrade with: pip install -U "carecal[pyvrp]"',
        )
    return module


def _name(problem: DayProblem, node: int) -> str:
    if node < len(problem.labels) and problem.labels[node]:
        return problem.labels[node]
    return f"delivery {node}"


def max_ride_can_bind(problem: DayProblem) -> bool:
    """Whether the hot-meal limit could ever cut a plan.

    Food age at a door is at most the latest handover start minus the earliest departure
    of any carrier; when that is within ``max_ride`` the limit never binds.
    """
    if problem.max_ride is None or problem.num_nodes <= 1 or problem.num_vehicles == 0:
        return False
    longest = int(np.max(problem.tw_end[1:])) - int(np.min(problem.vehicle_start))
    return longest > problem.max_ride


def cannot_express(problem: DayProblem) -> str | None:
    """Why PyVRP cannot solve this day exactly, in plain words; ``None`` if it can.

    Parameters
    ----------
    problem
        The day problem.

    Returns
    -------
    str or None
        The reason (naming the rule and what to do instead), or ``None`` when every rule of
        the day is expressible in PyVRP.
    """
    if max_ride_can_bind(problem):
        return (
            f"The PyVRP engine cannot enforce the hot-meal limit ({problem.max_ride} minutes "
            "from leaving the kitchen to each handover, counted per trip); use "
            'engine="ortools" (or "auto"), which enforces it.'
        )
    if problem.non_preferred_cost > 0:
        everyone = frozenset(range(problem.num_vehicles))
        picky = sorted(n for n, vs in problem.preferred.items() if vs and vs != everyone)
        if picky:
            shown = ", ".join(_name(problem, n) for n in picky[:3])
            more = f" and {len(picky) - 3} more" if len(picky) > 3 else ""
            return (
                "The PyVRP engine cannot prefer a resident's own carriers "
                f"({len(picky)} residents have preferred volunteers: {shown}{more}); use "
                'engine="ortools" (or "auto"), which honours preferred volunteers.'
            )
    if any(any(c > 0 for c in saving.values()) for saving in problem.affinity.values()):
        return (
            "The PyVRP engine cannot prefer the carriers a resident knows or had before "
            '(familiar carriers, a re-plan); use engine="ortools" (or "auto"), which does.'
        )
    if problem.pinned or problem.arrival_target:
        return (
            "The PyVRP engine cannot keep locked stops or the arrivals of a plan being "
            're-planned; use engine="ortools" (or "auto"), which does.'
        )
    return None


def _vehicle_groups(problem: DayProblem) -> list[list[int]]:
    """Vehicles that PyVRP may treat as one type (identical in every attribute)."""
    groups: dict[tuple[int, ...], list[int]] = {}
    for v in range(problem.num_vehicles):
        fixed = 0 if problem.fixed_cost is None else int(problem.fixed_cost[v])
        key = (
            int(problem.capacity[v]),
            int(problem.vehicle_start[v]),
            int(problem.vehicle_end[v]),
            int(problem.max_trips[v]),
            int(problem.vehicle_profile[v]),
            fixed,
        )
        groups.setdefault(key, []).append(v)
    return list(groups.values())


def _build_data(pyvrp: ModuleType, problem: DayProblem) -> tuple[Any, list[list[int]]]:
    """PyVRP problem data via its ``Model`` API; the matrices are set in bulk."""
    model = pyvrp.Model()
    n = problem.num_nodes
    locations = [model.add_location(x=0, y=0, name=_name(problem, i)) for i in range(n)]
    depot = model.add_depot(
        locations[0],
        tw_early=int(problem.tw_start[0]),
        tw_late=int(problem.tw_end[0]),
        service_duration=int(problem.service[0]),
        name=_name(problem, 0),
    )
    for i in range(1, n):
        optional = problem.penalty is not None
        model.add_client(
            locations[i],
            delivery=[int(problem.demand[i])],
            service_duration=int(problem.service[i]),
            tw_early=int(problem.tw_start[i]),
            tw_late=int(problem.tw_end[i]),
            prize=int(problem.penalty[i]) if problem.penalty is not None else 0,
            required=not optional,
            name=_name(problem, i),
        )
    num_profiles = len(problem.travel)
    profiles = [model.add_profile(name=f"mode {p}") for p in range(num_profiles)]
    groups = _vehicle_groups(problem)
    for vehicles in groups:
        v = vehicles[0]
        trips = int(problem.max_trips[v])
        model.add_vehicle_type(
            num_available=len(vehicles),
            capacity=[int(problem.capacity[v])],
            start_depot=depot,
            end_depot=depot,
            fixed_cost=0 if problem.fixed_cost is None else int(problem.fixed_cost[v]),
            tw_early=int(problem.vehicle_start[v]),
            tw_late=int(problem.vehicle_end[v]),
            profile=profiles[int(problem.vehicle_profile[v])],
            reload_depots=[depot] if trips > 1 else [],
            max_reloads=max(trips - 1, 0),
            name=",".join(str(x) for x in vehicles),
        )
    costs = problem.arc_cost if problem.arc_cost is not None else problem.travel
    data = model.data().replace(
        distance_matrices=[np.ascontiguousarray(m, dtype=np.int64) for m in costs],
        duration_matrices=[np.ascontiguousarray(m, dtype=np.int64) for m in problem.travel],
    )
    return data, groups


def schedule_trips(
    problem: DayProblem, vehicle: int, trips: Sequence[Sequence[int]]
) -> tuple[DayRoute, ...]:
    """Times of one vehicle's trips, from the visit order alone.

    The conventions are the OR-Tools engine's: ``leave`` is when the trip starts at the
    kitchen (loading, ``service[0]``, comes next), a handover starts at its node's
    ``starts`` entry, ``back`` is the arrival at the kitchen, and the next trip leaves no
    earlier. A backward pass gives the latest start at each stop that keeps every later
    handover in its window and the vehicle back by ``vehicle_end``; each trip then leaves
    as late as that allows, but no later than needed to reach every door without waiting
    (meals stay hot, residents get them early in their windows), and never before the
    previous trip is back; handovers start as early as possible after that departure.

    Parameters
    ----------
    problem
        The day problem.
    vehicle
        The vehicle's index.
    trips
        The vehicle's trips in order, each a sequence of delivery nodes (no depot).

    Returns
    -------
    tuple of DayRoute
        One route per non-empty trip, numbered 1, 2, ... in order.

    Raises
    ------
    carecal.OptionError
        When the order cannot meet the windows (the engine returned an infeasible plan).
    """
    travel = problem.travel_matrix(vehicle)
    service = problem.service
    load = int(service[0])
    trips = [list(t) for t in trips if len(t) > 0]
    if not trips:
        return ()
    # The vehicle's day as one chain: depot, trip 1, depot, trip 2, ..., depot.
    chain: list[int] = [0]
    for t in trips:
        chain += [*t, 0]

    # Backward pass: latest handover start at each stop; at a kitchen position, the latest
    # time to be there (back from the trip before, and leaving on the trip after).
    latest = [0] * len(chain)
    latest[-1] = min(int(problem.vehicle_end[vehicle]), int(problem.tw_end[0]))
    for k in range(len(chain) - 2, -1, -1):
        node, nxt = chain[k], chain[k + 1]
        reach_next = latest[k + 1] - int(service[node]) - int(travel[node, nxt])
        latest[k] = reach_next if node == 0 else min(int(problem.tw_end[node]), reach_next)

    routes = []
    ready = max(int(problem.vehicle_start[vehicle]), int(problem.tw_start[0]))
    pos = 0
    for number, trip in enumerate(trips, start=1):
        no_wait, reach, prev = ready, load, 0
        for node in trip:
            reach += int(travel[prev, node])
            no_wait = max(no_wait, int(problem.tw_start[node]) - reach)
            reach += int(service[node])
            prev = node
        leave = min(no_wait, latest[pos])
        if leave < ready:
            raise OptionError(
                f"Vehicle {vehicle} trip {number}: the visit order cannot meet the delivery "
                "windows and the carrier's hours; the engine returned an infeasible plan."
            )
        clock, prev = leave + load, 0
        starts = []
        for node in trip:
            pos += 1
            clock = max(clock + int(travel[prev, node]), int(problem.tw_start[node]))
            if clock > latest[pos]:
                raise OptionError(
                    f"Vehicle {vehicle} trip {number}: {_name(problem, node)} cannot be "
                    "reached within its window; the engine returned an infeasible plan."
                )
            starts.append(clock)
            clock += int(service[node])
            prev = node
        pos += 1
        back = clock + int(travel[prev, 0])
        routes.append(DayRoute(vehicle, number, leave, tuple(trip), tuple(starts), back))
        ready = back
    return tuple(routes)


def _objective(problem: DayProblem, routes: Sequence[DayRoute], unserved: Sequence[int]) -> int:
    """Travel cost + fixed cost of used vehicles + penalties + non-preferred cost."""
    extra = {
        node: {v: surcharge - discount.get(v, 0) for v in range(problem.num_vehicles)}
        for node, (surcharge, discount) in problem.carrier_costs().items()
    }
    total = 0
    used = set()
    for r in routes:
        cost = problem.cost_matrix(r.vehicle)
        path = [0, *r.nodes, 0]
        total += sum(int(cost[a, b]) for a, b in itertools.pairwise(path))
        used.add(r.vehicle)
        total += sum(extra.get(node, {}).get(r.vehicle, 0) for node in r.nodes)
    if problem.fixed_cost is not None:
        total += sum(int(problem.fixed_cost[v]) for v in used)
    if problem.penalty is not None:
        total += sum(int(problem.penalty[n]) for n in unserved)
    return total


def _deterministic_iterations(problem: DayProblem) -> int:
    # Enough local-search restarts to settle small days; grows with the problem.
    return 500 + 20 * problem.num_nodes


def solve_with_pyvrp(
    problem: DayProblem, *, time_limit: float, seed: int = 0, deterministic: bool = False
) -> DaySolution:
    """Solve a day problem with PyVRP.

    Parameters
    ----------
    problem
        The day problem; check :func:`cannot_express` first (this function does, and
        raises).
    time_limit
        Wall-clock seconds for the whole call, model building included.
    seed
        Random seed.
    deterministic
        Stop after a fixed number of search iterations (growing with the problem) rather
        than at the time limit, so the result does not depend on machine speed;
        ``time_limit`` still caps the run.

    Returns
    -------
    DaySolution
        Routes (one per trip, with handover times from :func:`schedule_trips`), the
        deliveries left out, status ``"feasible"`` (PyVRP proves no optimality) or
        ``"no_solution"``, the objective value and the seconds taken.

    Raises
    ------
    carecal.ExtraMissingError
        When PyVRP is not installed (the message gives the install command).
    carecal.OptionError
        When the day has a rule PyVRP cannot express (the message says which).
    """
    began = time.perf_counter()
    pyvrp = import_pyvrp()
    reason = cannot_express(problem)
    if reason is not None:
        raise OptionError(reason)
    n = problem.num_nodes
    if n <= 1:
        return DaySolution((), (), "optimal", 0.0, ENGINE, time.perf_counter() - began)
    if problem.num_vehicles == 0:
        everyone = tuple(range(1, n))
        if problem.penalty is None:
            return DaySolution((), everyone, "no_solution", None, ENGINE, 0.0)
        missed = float(_objective(problem, (), everyone))
        return DaySolution((), everyone, "optimal", missed, ENGINE, time.perf_counter() - began)
    stop_module = import_module("pyvrp.stop")

    data, groups = _build_data(pyvrp, problem)
    remaining = max(time_limit - (time.perf_counter() - began), 0.01)
    stop = stop_module.MaxRuntime(remaining)
    if deterministic:
        iterations = stop_module.MaxIterations(_deterministic_iterations(problem))
        stop = stop_module.MultipleCriteria([iterations, stop])
    result = pyvrp.solve(
        data,
        stop,
        seed=seed,
        collect_stats=False,
        display=False,
    )
    best = result.best
    if not best.is_feasible():
        logger.debug("PyVRP found no feasible plan in %.1f s", time.perf_counter() - began)
        return DaySolution(
            (), tuple(range(1, n)), "no_solution", None, ENGINE, time.perf_counter() - began
        )

    free = [list(vs) for vs in groups]
    routes: list[DayRoute] = []
    served: set[int] = set()
    for route in best.routes():
        vehicle = free[route.vehicle_type()].pop(0)
        trips: list[list[int]] = [[]]
        activities = list(route)
        for act in activities[1:-1]:
            if act.is_depot():
                trips.append([])
            else:
                # Client indices in PyVRP count from 0 after the depot.
                trips[-1].append(int(act.idx) + 1)
        for t in trips:
            served.update(t)
        routes.extend(schedule_trips(problem, vehicle, trips))
    routes.sort(key=lambda r: (r.vehicle, r.trip))
    unserved = tuple(i for i in range(1, n) if i not in served)
    cost = float(_objective(problem, routes, unserved))
    seconds = time.perf_counter() - began
    logger.debug("PyVRP: cost %s, %d routes, %.1f s", cost, len(routes), seconds)
    return DaySolution(tuple(routes), unserved, "feasible", cost, ENGINE, seconds)
