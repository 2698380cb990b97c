"""Routing engines for the day problem; the OR-Tools routing library is the default.

:func:`solve_day` takes a :class:`~carecal.solver.dayproblem.DayProblem` and returns a
:class:`~carecal.solver.dayproblem.DaySolution`. The OR-Tools model:

- every carrier is one routing vehicle; its trips are separated by visits to its own
  reload nodes (copies of the kitchen, ``max_trips - 1`` of them, optional), so trips of
  one carrier follow each other by construction and the carrier's fixed cost is paid once;
- a ``time`` dimension whose cumul at a node is the start of the handover there
  (transit = handover at the previous node + travel), bounded by the node's window and, at
  the depot, by the carrier's earliest departure and latest return;
- a ``food`` dimension: handover and travel since the trip left the kitchen, at most the
  hot-meal limit (see :func:`_food_age_within_limit` for waiting at doors);
- a ``load`` dimension, emptied at each reload node (capacity per trip);
- one disjunction per delivery with its missed-delivery penalty, a fixed cost per
  carrier, arc costs per travel profile, and a surcharge on arcs into a
  delivery made by a carrier the resident did not prefer.

After the search, :func:`retime_and_repair` sets each trip's departure as late as it can go without
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
            raise ValueError(
                f"DayProblem.{name} has {len(getattr(problem, name))} entries, not {n}"
            )
    for name in ("vehicle_profile", "vehicle_start", "vehicle_end", "max_trips"):
        if len(getattr(problem, name)) != m:
            raise ValueError(
                f"DayProblem.{name} has {len(getattr(problem, name))} entries, not {m}"
            )
    for mat in problem.travel:
        if mat.shape != (n, n):
            raise ValueError(f"a DayProblem travel matrix is {mat.shape}, not {(n, n)}")
    for v in range(m):
        if problem.vehicle_start[v] > problem.vehicle_end[v]:
            raise ValueError(
                f"vehicle {v} starts at {problem.vehicle_start[v]}, after it must be back "
                f"({problem.vehicle_end[v]}); give it a start no later than its end"
            )


# --- the OR-Tools model ------------------------------------------------------------------


@dataclass
class _Model:
    """The routing model and the bookkeeping to read it back.

    Routing nodes: ``0`` the depot, ``1..n-1`` the deliveries (the problem's own node
    numbers), then the reload nodes: depot copies a carrier passes through between two
    trips, each usable by one carrier only.
    """

    problem: DayProblem
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    place: IntArray
    """Routing node -> problem node (reload nodes map to the depot, 0)."""
    reload_owner: dict[int, int]
    """Reload routing node -> the carrier that may use it."""
    time_dim: Any = None

    def full(self, matrix: IntArray) -> IntArray:
        """A problem matrix spread over all routing nodes."""
        return np.asarray(matrix, dtype=np.int64)[np.ix_(self.place, self.place)]


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
    if deliveries == 0 or not any(int(t) > 0 for t in problem.max_trips):
        return DaySolution(
            routes=(),
            unserved=tuple(range(1, problem.num_nodes)),
            status="optimal",
            cost=float(_penalties(problem)[1:].sum()),
            engine="ortools",
            seconds=time.perf_counter() - began,
        )
    model = _build(problem)
    params = _search_parameters(problem, time_limit, deterministic, first_solution, metaheuristic)
    _report_progress(model, progress, began)
    logger.info(
        "OR-Tools: %d deliveries, %d carriers, %d reload visits, limit %.1f s%s",
        deliveries,
        problem.num_vehicles,
        len(model.reload_owner),
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
    routes, dropped = retime_and_repair(problem, _read_routes(model, solution))
    served = {node for r in routes for node in r.nodes}
    unserved = tuple(j for j in range(1, problem.num_nodes) if j not in served)
    optimal = status == routing_enums_pb2.RoutingSearchStatus.ROUTING_OPTIMAL and not dropped
    return DaySolution(
        routes=routes,
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


def _build(problem: DayProblem) -> _Model:
    n = problem.num_nodes
    owners = [v for v in range(problem.num_vehicles) for _ in range(int(problem.max_trips[v]) - 1)]
    place = np.array(list(range(n)) + [0] * len(owners), dtype=np.int64)
    reload_owner = {n + k: v for k, v in enumerate(owners)}
    manager = pywrapcp.RoutingIndexManager(len(place), problem.num_vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    model = _Model(problem, manager, routing, place, reload_owner)
    _arc_costs(model)
    _time_windows_and_hours(model)
    _trips_through_the_kitchen(model)
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
    size = len(model.place)
    surcharge = np.zeros(size, dtype=np.int64)
    prefers: dict[int, list[int]] = {}
    if p.non_preferred_cost > 0:
        for node, vehicles in p.preferred.items():
            if not 1 <= node < p.num_nodes:
                continue
            surcharge[node] = p.non_preferred_cost
            for v in vehicles:
                if 0 <= v < p.num_vehicles:
                    prefers.setdefault(v, []).append(node)
    # Keep the carriers preferred by the most residents when memory would run short.
    budget = max(1, _PREFERENCE_MATRIX_BUDGET // (size * size))
    ranked = sorted(prefers, key=lambda v: (-len(prefers[v]), v))
    if len(ranked) > budget:
        logger.warning(
            "preferences kept for %d of %d preferred carriers (memory bound)", budget, len(ranked)
        )
    own = set(ranked[:budget])
    by_profile: dict[int, int] = {}
    for v in range(p.num_vehicles):
        if v in own:
            mat = model.full(p.cost_matrix(v)) + surcharge[None, :]
            mat[:, prefers[v]] -= p.non_preferred_cost
            callback = routing.RegisterTransitMatrix(mat.tolist())
        else:
            profile = int(p.vehicle_profile[v])
            if profile not in by_profile:
                mat = model.full(p.cost_matrix(v)) + surcharge[None, :]
                by_profile[profile] = routing.RegisterTransitMatrix(mat.tolist())
            callback = by_profile[profile]
        routing.SetArcCostEvaluatorOfVehicle(callback, v)


def _horizon(p: DayProblem) -> int:
    return int(max(p.tw_end.max(), p.vehicle_end.max())) + 1


def _per_profile(model: _Model, make: Callable[[IntArray], IntArray]) -> list[int]:
    """One registered transit matrix per travel profile, listed per vehicle."""
    p, routing = model.problem, model.routing
    by_profile: dict[int, int] = {}
    for v in range(p.num_vehicles):
        profile = int(p.vehicle_profile[v])
        if profile not in by_profile:
            mat = make(model.full(p.travel[profile]))
            by_profile[profile] = routing.RegisterTransitMatrix(mat.tolist())
    return [by_profile[int(p.vehicle_profile[v])] for v in range(p.num_vehicles)]


def _time_transit(model: _Model, travel: IntArray) -> IntArray:
    """Handover at ``i`` plus travel ``i -> j``; nothing between two depot copies."""
    mat = model.problem.service[model.place][:, None] + travel
    depot = model.place == 0
    mat[np.ix_(depot, depot)] = 0
    return mat


def _time_windows_and_hours(model: _Model) -> None:
    """Handover starts inside the resident's window; trips inside the carrier's hours."""
    p, routing, manager = model.problem, model.routing, model.manager
    horizon = _horizon(p)
    routing.AddDimensionWithVehicleTransits(
        _per_profile(model, lambda t: _time_transit(model, t)), horizon, horizon, False, "time"
    )
    dim = routing.GetDimensionOrDie("time")
    model.time_dim = dim
    for node in range(1, p.num_nodes):
        dim.CumulVar(manager.NodeToIndex(node)).SetRange(int(p.tw_start[node]), int(p.tw_end[node]))
    for v in range(p.num_vehicles):
        lo, hi = int(p.vehicle_start[v]), int(p.vehicle_end[v])
        dim.CumulVar(routing.Start(v)).SetRange(lo, hi)
        dim.CumulVar(routing.End(v)).SetRange(lo, hi)
    for node, v in model.reload_owner.items():
        lo, hi = int(p.vehicle_start[v]), int(p.vehicle_end[v])
        dim.CumulVar(manager.NodeToIndex(node)).SetRange(lo, hi)


def _trips_through_the_kitchen(model: _Model) -> None:
    """Up to ``max_trips`` trips a carrier, one after the other, each back at the kitchen.

    A carrier's route passes through its own reload nodes (the kitchen again) between
    trips, so trips of one carrier never overlap.
    """
    routing, manager = model.routing, model.manager
    for v in range(model.problem.num_vehicles):
        if int(model.problem.max_trips[v]) < 1:
            routing.solver().Add(routing.ActiveVehicleVar(v) == 0)
    for node, v in model.reload_owner.items():
        index = manager.NodeToIndex(node)
        # -1 stands for "not visited" (the reload node is optional).
        routing.VehicleVar(index).SetValues([-1, v])
        routing.AddDisjunction([index], 0)


def _food_age_within_limit(model: _Model) -> None:
    """Hot meals: the ride from the kitchen to each door at most ``max_ride`` minutes.

    The ``food`` dimension adds handover and travel along a trip and starts again at 0 at
    each reload node (the way back to the kitchen carries a large negative transit that
    the slack absorbs). It leaves out waiting at doors, which the search cannot see
    cheaply; :func:`retime` then times each trip to wait least and drops a delivery
    in the rare trip where waiting for a window would still make a meal too old.
    """
    p, routing, manager = model.problem, model.routing, model.manager
    if p.max_ride is None:
        return
    horizon = _horizon(p)
    back = model.place == 0

    def ride(travel: IntArray) -> IntArray:
        mat = _time_transit(model, travel)
        mat[:, back] = -horizon
        return mat

    routing.AddDimensionWithVehicleTransits(
        _per_profile(model, ride), horizon, int(p.max_ride), True, "food"
    )
    food = routing.GetDimensionOrDie("food")
    for node in model.reload_owner:
        food.CumulVar(manager.NodeToIndex(node)).SetRange(0, 0)


def _capacity_per_trip(model: _Model) -> None:
    """Portions on one trip at most the carrier's capacity; a reload empties the bag."""
    p, routing = model.problem, model.routing
    demand = np.asarray(p.demand, dtype=np.int64)[model.place]
    for node, v in model.reload_owner.items():
        demand[node] = -int(p.capacity[v])
    callback = routing.RegisterUnaryTransitVector(demand.tolist())
    caps = [int(c) for c in p.capacity]
    routing.AddDimensionWithVehicleCapacity(callback, max(caps), caps, True, "load")


def _missed_delivery_penalty(model: _Model) -> None:
    """Every delivery may be left out, at its missed-delivery penalty."""
    penalties = _penalties(model.problem)
    for node in range(1, model.problem.num_nodes):
        model.routing.AddDisjunction([model.manager.NodeToIndex(node)], int(penalties[node]))


def _carrier_fixed_cost(model: _Model) -> None:
    """Calling a carrier at all costs ``fixed_cost``."""
    p = model.problem
    if p.fixed_cost is None:
        return
    for v in range(p.num_vehicles):
        model.routing.SetFixedCostOfVehicle(int(p.fixed_cost[v]), v)


# --- search --------------------------------------------------------------------------------


def _enum_value(enum: Any, name: str, what: str) -> int:
    try:
        return int(enum.Value.Value(name.upper()))
    except ValueError:
        names = ", ".join(n for n, _ in enum.Value.items() if n not in ("UNSET", "AUTOMATIC"))
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
    # A fixed number of solutions (accepted moves) is the same work on every machine:
    # enough to settle small days; grows gently with the problem.
    return min(100 + 2 * problem.num_nodes, 1000)


def _report_progress(model: _Model, progress: Callable[[str], None] | None, began: float) -> None:
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
    """Split each carrier's route into trips at its reload nodes."""
    routing, manager, dim = model.routing, model.manager, model.time_dim
    routes: list[DayRoute] = []
    for v in range(model.problem.num_vehicles):
        index = routing.Start(v)
        leave = solution.Value(dim.CumulVar(index))
        nodes: list[int] = []
        starts: list[int] = []
        trip = 0
        while True:
            index = solution.Value(routing.NextVar(index))
            node = manager.IndexToNode(index)
            at = solution.Value(dim.CumulVar(index))
            if routing.IsEnd(index) or node in model.reload_owner:
                if nodes:
                    trip += 1
                    routes.append(DayRoute(v, trip, leave, tuple(nodes), tuple(starts), at))
                nodes, starts, leave = [], [], at
                if routing.IsEnd(index):
                    break
            else:
                nodes.append(node)
                starts.append(at)
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
    if problem.max_ride is not None:
        starts, _ = earliest_times(problem, vehicle, nodes, leave)
        if any(s - leave > problem.max_ride for s in starts):
            return None
    return leave


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
                logger.warning("vehicle %d trip %d kept the engine's times", v, trip.trip)
                timed.append(trip)
                limit = trip.leave
                continue
            # Trips still to time (k + 1 of them) and pieces already timed count as trips.
            spare = int(problem.max_trips[v]) - len(timed) - (k + 1)
            pieces = _repair(problem, v, nodes, lo, limit, spare, dropped)
            if len(pieces) != 1 or len(pieces[0][0]) < len(trip.nodes):
                logger.warning(
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
        dropped.append(nodes.pop())
    return []
