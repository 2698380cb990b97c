"""Routing engines for the day problem; the OR-Tools routing library is the default.

:func:`solve_day` takes a :class:`~carecal.solver.dayproblem.DayProblem` and returns a
:class:`~carecal.solver.dayproblem.DaySolution`. The OR-Tools model:

- every carrier becomes ``max_trips`` routing vehicles ("trip copies"); copy ``k + 1``
  leaves the depot no earlier than copy ``k`` is back, and is used only if copy ``k`` is;
- a ``time`` dimension whose cumul at a node is the start of the handover there
  (transit = handover at the previous node + travel), bounded by the node's window and, at
  the depot, by the carrier's earliest departure and latest return;
- a ``food`` dimension, the same clock with the way back to the depot left out, whose span
  is bounded by the hot-meal limit; its departure may not be later than the ``time``
  dimension's, which makes it exact (see :func:`_food_age_within_limit`);
- a ``load`` dimension per trip (capacity);
- one disjunction per delivery with its missed-delivery penalty, a fixed cost on a
  carrier's first trip, arc costs per travel profile, and a surcharge on arcs into a
  delivery made by a carrier the resident did not prefer.

After the search, :func:`retime` sets each trip's departure as late as it can go without
adding food age (no needless waiting at doors) and no later, so meals stay hot and reach
residents early in their windows.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from carecal.solver.dayproblem import DayProblem, DayRoute, DaySolution, IntArray

logger = logging.getLogger(__name__)

ENGINES: tuple[str, ...] = ("ortools", "pyvrp", "auto")
"""Engine names :func:`solve_day` accepts."""

MUST_SERVE_PENALTY = 10**12
"""Penalty used for deliveries that must be served (``DayProblem.penalty`` is ``None``).

A disjunction is still added, so a solution always exists; a delivery left out anyway is
reported as unserved instead of the search failing.
"""

# Above this many entries in all per-carrier cost matrices together, preferences are
# kept only for the carriers preferred by the most residents (memory stays bounded).
_PREFERENCE_MATRIX_BUDGET = 12_000_000


def solve_day(
    problem: DayProblem,
    *,
    time_limit: float = 10.0,
    deterministic: bool = False,
    seed: int = 0,
    engine: str = "ortools",
    first_solution: str | None = None,
    metaheuristic: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> DaySolution:
    """Solve one day's routing problem.

    Parameters
    ----------
    problem
        The day problem (depot, deliveries, carriers, rules).
    time_limit
        Seconds the search may take at most.
    deterministic
        Make the result independent of machine speed: the search stops after a fixed
        amount of work (a solution limit that grows with the problem), with
        ``time_limit`` only as a safety net. Used by tests.
    seed
        Seed for engines that randomise. The OR-Tools search is deterministic for given
        parameters, so it does not use it.
    engine
        ``"ortools"``; ``"pyvrp"`` (optional extra; a ValueError says why when the day has
        a rule PyVRP cannot express, see :mod:`carecal.solver.pyvrp_engine`); or ``"auto"``:
        PyVRP when it is installed and can express the day, else OR-Tools.
    first_solution
        Name of an OR-Tools first-solution strategy (e.g. ``"PATH_CHEAPEST_ARC"``,
        ``"PARALLEL_CHEAPEST_INSERTION"``); default: chosen by problem size.
    metaheuristic
        Name of an OR-Tools local-search metaheuristic; default ``"GUIDED_LOCAL_SEARCH"``.
    progress
        Called with a short message when the search finds a better plan (at most once a
        second).

    Returns
    -------
    DaySolution
        The trips (renumbered 1, 2, ... per vehicle in time order) and the unserved nodes.

    Raises
    ------
    ValueError
        For an unknown engine or strategy name, or a time limit that is not positive.
    """
    if engine not in ENGINES:
        raise ValueError(
            f"routing engine '{engine}' is not known; use one of: {', '.join(ENGINES)}"
        )
    if time_limit <= 0:
        raise ValueError(f"time_limit must be a positive number of seconds, not {time_limit}")
    _check_problem(problem)
    if engine != "ortools":
        from carecal.solver.pyvrp_engine import choose_engine, solve_with_pyvrp

        if choose_engine(problem, engine) == "pyvrp":
            return solve_with_pyvrp(
                problem, time_limit=time_limit, seed=seed, deterministic=deterministic
            )
    del seed  # the OR-Tools routing search has no random element to seed
    return _solve_ortools(
        problem,
        time_limit=time_limit,
        deterministic=deterministic,
        first_solution=first_solution,
        metaheuristic=metaheuristic,
        progress=progress,
    )


def _check_problem(problem: DayProblem) -> None:
    n, m = problem.num_nodes, problem.num_vehicles
    for name in ("service", "tw_start", "tw_end"):
        if len(getattr(problem, name)) != n:
            raise ValueError(f"DayProblem.{name} has {len(getattr(problem, name))} entries, not {n}")
    for name in ("vehicle_profile", "vehicle_start", "vehicle_end", "max_trips"):
        if len(getattr(problem, name)) != m:
            raise ValueError(f"DayProblem.{name} has {len(getattr(problem, name))} entries, not {m}")
    for mat in problem.travel:
        if mat.shape != (n, n):
            raise ValueError(f"a DayProblem travel matrix is {mat.shape}, not {(n, n)}")


# --- the OR-Tools model ------------------------------------------------------------------


@dataclass
class _Model:
    """The routing model and the bookkeeping to read it back."""

    problem: DayProblem
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    copy_vehicle: list[int]
    """Routing vehicle (trip copy) -> carrier index in the problem."""
    copies: list[list[int]]
    """Carrier -> its routing vehicles, in trip order."""
    time_dim: Any = None


def _solve_ortools(
    problem: DayProblem,
    *,
    time_limit: float,
    deterministic: bool,
    first_solution: str | None,
    metaheuristic: str | None,
    progress: Callable[[str], None] | None,
) -> DaySolution:
    began = time.perf_counter()
    deliveries = problem.num_nodes - 1
    copy_vehicle = [v for v in range(problem.num_vehicles) for _ in range(problem.max_trips[v])]
    if deliveries == 0 or not copy_vehicle:
        return DaySolution(
            routes=(),
            unserved=tuple(range(1, problem.num_nodes)),
            status="optimal",
            cost=float(_penalties(problem)[1:].sum()),
            engine="ortools",
            seconds=time.perf_counter() - began,
        )
    model = _build(problem, copy_vehicle)
    params = _search_parameters(
        problem, time_limit, deterministic, first_solution, metaheuristic
    )
    _report_progress(model, progress, began)
    logger.info(
        "OR-Tools: %d deliveries, %d carriers (%d trip copies), limit %.1f s%s",
        deliveries,
        problem.num_vehicles,
        len(copy_vehicle),
        time_limit,
        ", deterministic" if deterministic else "",
    )
    solution = model.routing.SolveWithParameters(params)
    seconds = time.perf_counter() - began
    status = model.routing.status()
    logger.info("OR-Tools finished in %.2f s with status %s", seconds, status)
    if solution is None:
        return DaySolution(
            routes=(),
            unserved=tuple(range(1, problem.num_nodes)),
            status="no_solution",
            cost=None,
            engine="ortools",
            seconds=seconds,
        )
    routes = _read_routes(model, solution)
    served = {node for r in routes for node in r.nodes}
    unserved = tuple(j for j in range(1, problem.num_nodes) if j not in served)
    optimal = status == routing_enums_pb2.RoutingSearchStatus.ROUTING_OPTIMAL
    return DaySolution(
        routes=retime(problem, routes),
        unserved=unserved,
        status="optimal" if optimal else "feasible",
        cost=float(solution.ObjectiveValue()),
        engine="ortools",
        seconds=seconds,
    )


def _penalties(problem: DayProblem) -> IntArray:
    if problem.penalty is None:
        return np.full(problem.num_nodes, MUST_SERVE_PENALTY, dtype=np.int64)
    return np.asarray(problem.penalty, dtype=np.int64)


def _build(problem: DayProblem, copy_vehicle: list[int]) -> _Model:
    manager = pywrapcp.RoutingIndexManager(problem.num_nodes, len(copy_vehicle), 0)
    routing = pywrapcp.RoutingModel(manager)
    copies: list[list[int]] = [[] for _ in range(problem.num_vehicles)]
    for c, v in enumerate(copy_vehicle):
        copies[v].append(c)
    model = _Model(problem, manager, routing, copy_vehicle, copies)
    _arc_costs(model)
    _time_windows_and_hours(model)
    _trips_in_sequence(model)
    _food_age_within_limit(model)
    _capacity_per_trip(model)
    _missed_delivery_penalty(model)
    _carrier_fixed_cost(model)
    return model


def _arc_costs(model: _Model) -> None:
    """Travel cost per carrier's profile, plus a surcharge for a non-preferred carrier.

    Every arc into a delivery with preferences carries ``non_preferred_cost``; a carrier
    the resident prefers gets its own matrix without that surcharge. Only carriers that
    somebody prefers need a matrix of their own.
    """
    p, routing = model.problem, model.routing
    n = p.num_nodes
    surcharge = np.zeros(n, dtype=np.int64)
    prefers: dict[int, list[int]] = {}
    if p.non_preferred_cost > 0:
        for node, vehicles in p.preferred.items():
            if not vehicles or not 1 <= node < n:
                continue
            surcharge[node] = p.non_preferred_cost
            for v in vehicles:
                if 0 <= v < p.num_vehicles:
                    prefers.setdefault(v, []).append(node)
    # Keep the carriers preferred by the most residents when memory would run short.
    budget = max(1, _PREFERENCE_MATRIX_BUDGET // (n * n))
    ranked = sorted(prefers, key=lambda v: (-len(prefers[v]), v))
    if len(ranked) > budget:
        logger.warning(
            "preferences kept for %d of %d preferred carriers (memory bound)", budget, len(ranked)
        )
    own = set(ranked[:budget])
    by_profile: dict[int, int] = {}
    for v in range(p.num_vehicles):
        if not model.copies[v]:
            continue
        if v in own:
            mat = p.cost_matrix(v) + surcharge[None, :]
            mat[:, prefers[v]] -= p.non_preferred_cost
            callback = routing.RegisterTransitMatrix(mat.tolist())
        else:
            profile = int(p.vehicle_profile[v])
            if profile not in by_profile:
                mat = p.cost_matrix(v) + surcharge[None, :]
                by_profile[profile] = routing.RegisterTransitMatrix(mat.tolist())
            callback = by_profile[profile]
        for c in model.copies[v]:
            routing.SetArcCostEvaluatorOfVehicle(callback, c)


def _horizon(p: DayProblem) -> int:
    return int(max(p.tw_end.max(), p.vehicle_end.max())) + 1


def _time_transits(model: _Model, to_depot: bool) -> list[int]:
    """One transit callback per travel profile: handover at ``i`` plus travel ``i -> j``."""
    p, routing = model.problem, model.routing
    by_profile: dict[int, int] = {}
    callbacks = []
    for c in range(len(model.copy_vehicle)):
        v = model.copy_vehicle[c]
        profile = int(p.vehicle_profile[v])
        if profile not in by_profile:
            mat = p.service[:, None] + p.travel[profile]
            np.fill_diagonal(mat, 0)
            if not to_depot:
                mat[:, 0] = 0
            by_profile[profile] = routing.RegisterTransitMatrix(mat.astype(np.int64).tolist())
        callbacks.append(by_profile[profile])
    return callbacks


def _time_windows_and_hours(model: _Model) -> None:
    """Handover starts inside the resident's window; trips inside the carrier's hours."""
    p, routing, manager = model.problem, model.routing, model.manager
    horizon = _horizon(p)
    routing.AddDimensionWithVehicleTransits(
        _time_transits(model, to_depot=True), horizon, horizon, False, "time"
    )
    dim = routing.GetDimensionOrDie("time")
    model.time_dim = dim
    for node in range(1, p.num_nodes):
        dim.CumulVar(manager.NodeToIndex(node)).SetRange(int(p.tw_start[node]), int(p.tw_end[node]))
    for c, v in enumerate(model.copy_vehicle):
        lo, hi = int(p.vehicle_start[v]), int(p.vehicle_end[v])
        dim.CumulVar(routing.Start(c)).SetRange(lo, hi)
        dim.CumulVar(routing.End(c)).SetRange(lo, hi)


def _trips_in_sequence(model: _Model) -> None:
    """A carrier's next trip leaves only once the previous one is back, and in order."""
    routing, dim = model.routing, model.time_dim
    solver = routing.solver()
    for trips in model.copies:
        for a, b in zip(trips, trips[1:], strict=False):
            solver.Add(dim.CumulVar(routing.Start(b)) >= dim.CumulVar(routing.End(a)))
            solver.Add(routing.ActiveVehicleVar(b) <= routing.ActiveVehicleVar(a))


def _food_age_within_limit(model: _Model) -> None:
    """Hot meals: from leaving the kitchen to each handover at most ``max_ride`` minutes.

    The ``food`` dimension runs the same clock as ``time`` but does not count the way
    back, so its span is the food age at the last door. Its departure may not be later
    than the real one: food age only shrinks as a trip leaves later (less waiting), so a
    ``food`` schedule leaving no later than the real trip proves the real trip, timed as
    early as it can go from its departure, keeps every meal within the limit.
    """
    p, routing, manager = model.problem, model.routing, model.manager
    if p.max_ride is None:
        return
    horizon = _horizon(p)
    routing.AddDimensionWithVehicleTransits(
        _time_transits(model, to_depot=False), horizon, horizon, False, "food"
    )
    food = routing.GetDimensionOrDie("food")
    for node in range(1, p.num_nodes):
        food.CumulVar(manager.NodeToIndex(node)).SetRange(
            int(p.tw_start[node]), int(p.tw_end[node])
        )
    solver = routing.solver()
    for c, v in enumerate(model.copy_vehicle):
        lo, hi = int(p.vehicle_start[v]), int(p.vehicle_end[v])
        food.CumulVar(routing.Start(c)).SetRange(lo, hi)
        food.SetSpanUpperBoundForVehicle(int(p.max_ride), c)
        solver.Add(food.CumulVar(routing.Start(c)) <= model.time_dim.CumulVar(routing.Start(c)))


def _capacity_per_trip(model: _Model) -> None:
    """Portions on one trip at most the carrier's capacity."""
    p, routing = model.problem, model.routing
    demand = routing.RegisterUnaryTransitVector(np.asarray(p.demand, dtype=np.int64).tolist())
    caps = [int(p.capacity[v]) for v in model.copy_vehicle]
    routing.AddDimensionWithVehicleCapacity(demand, 0, caps, True, "load")


def _missed_delivery_penalty(model: _Model) -> None:
    """Every delivery may be left out, at its missed-delivery penalty."""
    penalties = _penalties(model.problem)
    for node in range(1, model.problem.num_nodes):
        model.routing.AddDisjunction([model.manager.NodeToIndex(node)], int(penalties[node]))


def _carrier_fixed_cost(model: _Model) -> None:
    """Calling a carrier at all costs ``fixed_cost`` (paid on the first trip)."""
    p = model.problem
    if p.fixed_cost is None:
        return
    for v, trips in enumerate(model.copies):
        if trips:
            model.routing.SetFixedCostOfVehicle(int(p.fixed_cost[v]), trips[0])


# --- search --------------------------------------------------------------------------------


def _enum_value(enum: Any, name: str, what: str) -> int:
    try:
        return int(enum.Value.Value(name.upper()))
    except ValueError:
        names = ", ".join(n for n in enum.Value.keys() if n not in ("UNSET", "AUTOMATIC"))
        raise ValueError(f"'{name}' is not an OR-Tools {what}; use one of: {names}") from None


def _search_parameters(
    problem: DayProblem,
    time_limit: float,
    deterministic: bool,
    first_solution: str | None,
    metaheuristic: str | None,
) -> Any:
    params = pywrapcp.DefaultRoutingSearchParameters()
    fs_enum = routing_enums_pb2.FirstSolutionStrategy
    mh_enum = routing_enums_pb2.LocalSearchMetaheuristic
    if first_solution is None:
        params.first_solution_strategy = fs_enum.PARALLEL_CHEAPEST_INSERTION
    else:
        params.first_solution_strategy = _enum_value(
            fs_enum, first_solution, "first-solution strategy"
        )
    params.local_search_metaheuristic = _enum_value(
        mh_enum, metaheuristic or "GUIDED_LOCAL_SEARCH", "metaheuristic"
    )
    params.time_limit.FromMilliseconds(max(1, int(time_limit * 1000)))
    if deterministic:
        params.solution_limit = _deterministic_solution_limit(problem)
    return params


def _deterministic_solution_limit(problem: DayProblem) -> int:
    # Enough accepted moves to settle small days; grows with the problem.
    return 200 + 20 * problem.num_nodes


def _report_progress(
    model: _Model, progress: Callable[[str], None] | None, began: float
) -> None:
    if progress is None:
        return
    routing = model.routing
    last = [began]
    best = [float("inf")]

    def at_solution() -> None:
        cost = routing.CostVar().Value()
        now = time.perf_counter()
        if cost < best[0] and now - last[0] >= 1.0:
            best[0] = cost
            last[0] = now
            progress(f"routing: better plan after {now - began:.0f} s (cost {cost})")

    routing.AddAtSolutionCallback(at_solution)


# --- reading the solution back -------------------------------------------------------------


def _read_routes(model: _Model, solution: Any) -> list[DayRoute]:
    routing, manager, dim = model.routing, model.manager, model.time_dim
    routes: list[DayRoute] = []
    for v, trips in enumerate(model.copies):
        mine = []
        for c in trips:
            index = routing.Start(c)
            leave = solution.Value(dim.CumulVar(index))
            nodes, starts = [], []
            index = solution.Value(routing.NextVar(index))
            while not routing.IsEnd(index):
                nodes.append(manager.IndexToNode(index))
                starts.append(solution.Value(dim.CumulVar(index)))
                index = solution.Value(routing.NextVar(index))
            if nodes:
                back = solution.Value(dim.CumulVar(index))
                mine.append((leave, tuple(nodes), tuple(starts), back))
        for k, (leave, nodes, starts, back) in enumerate(sorted(mine), start=1):
            routes.append(DayRoute(v, k, leave, nodes, starts, back))
    return routes


# --- timing -------------------------------------------------------------------------------


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
        t = max(int(problem.tw_start[node]), t + int(problem.service[prev]) + int(travel[prev, node]))
        starts.append(t)
        prev = node
    back = t + int(problem.service[prev]) + int(travel[prev, 0]) if nodes else leave
    return starts, back


def _fits(problem: DayProblem, nodes: Sequence[int], starts: list[int], back: int, limit: int) -> bool:
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
    if problem.max_ride is not None:
        starts, _ = earliest_times(problem, vehicle, nodes, leave)
        if any(s - leave > problem.max_ride for s in starts):
            return None
    return leave


def retime(problem: DayProblem, routes: Sequence[DayRoute]) -> tuple[DayRoute, ...]:
    """Re-time trips: each leaves when meals wait least, handovers as early as then possible.

    Trips of one vehicle are timed from the last to the first, each between the previous
    trip's original return and the next trip's new departure, so the sequence stays
    valid. A trip that cannot be timed within the rules keeps the engine's times.

    Parameters
    ----------
    problem
        The day problem.
    routes
        Trips with the engine's times.

    Returns
    -------
    tuple of DayRoute
        The same trips and visiting orders, ordered by vehicle and trip.
    """
    by_vehicle: dict[int, list[DayRoute]] = {}
    for r in routes:
        by_vehicle.setdefault(r.vehicle, []).append(r)
    out: list[DayRoute] = []
    for v in sorted(by_vehicle):
        trips = sorted(by_vehicle[v], key=lambda r: (r.leave, r.trip))
        timed: list[DayRoute] = []
        limit = int(problem.vehicle_end[v])
        for k in range(len(trips) - 1, -1, -1):
            trip = trips[k]
            lo = int(problem.vehicle_start[v]) if k == 0 else trips[k - 1].back
            leave = _departure(problem, v, trip.nodes, lo, limit)
            if leave is None:
                logger.warning("vehicle %d trip %d kept the engine's times", v, trip.trip)
                new = trip
            else:
                starts, back = earliest_times(problem, v, trip.nodes, leave)
                new = replace(trip, leave=leave, starts=tuple(starts), back=back)
            timed.append(new)
            limit = new.leave
        timed.reverse()
        out += [replace(r, trip=i) for i, r in enumerate(timed, start=1)]
    return tuple(out)
