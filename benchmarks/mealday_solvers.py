"""The planners a meal-day benchmark runs: carecal as users call it, carecal's engine with a
named OR-Tools strategy, and plain OR-Tools.

- :func:`carecal_plan`: :func:`carecal.plan_meals`, exactly what a coordinator runs;
- :func:`strategy_plan`: the day problem ``plan_meals`` builds, solved by carecal's engine
  entry point :func:`carecal.solver.meals.solve_day` with another first-solution strategy
  and metaheuristic (the long runs use these to look for better plans);
- :func:`plain_plan`: the textbook OR-Tools model of the day written here, not through
  carecal's model: one trip per carrier (no return to the kitchen for more meals), the
  routing library's defaults (``PATH_CHEAPEST_ARC``, then its default local search, greedy
  descent, which stops at the first local optimum) within the same time limit, and the same
  objective (missed-meal penalties, a fixed cost per carrier, travel minutes).

Every plan comes back as a :class:`carecal.MealPlan`, so the benchmark scores and verifies
each the same way (:func:`benchmarks.mealday_set.measure`, :func:`carecal.verify`).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from carecal import Community, MealPlan, Resident, Unserved
from carecal.explain import MealCarrier, MealDelivery
from carecal.solver.meals import DayProblem, DayRoute, DaySolution

STRATEGIES: dict[str, tuple[str, str]] = {
    "pci-gls": ("PARALLEL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH"),
    "lci-gls": ("LOCAL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH"),
    "pca-gls": ("PATH_CHEAPEST_ARC", "GUIDED_LOCAL_SEARCH"),
    "savings-gls": ("SAVINGS", "GUIDED_LOCAL_SEARCH"),
    "pci-sa": ("PARALLEL_CHEAPEST_INSERTION", "SIMULATED_ANNEALING"),
    "pci-tabu": ("PARALLEL_CHEAPEST_INSERTION", "TABU_SEARCH"),
}
"""Named OR-Tools strategies (first solution, metaheuristic) for :func:`strategy_plan`;
``ortools:FIRST:META`` names any other pair."""


def strategy_pair(name: str) -> tuple[str, str]:
    """The (first solution, metaheuristic) of a strategy name.

    Raises
    ------
    ValueError
        For a name that is neither in :data:`STRATEGIES` nor ``ortools:FIRST:META``.
    """
    if name in STRATEGIES:
        return STRATEGIES[name]
    parts = name.split(":")
    if len(parts) == 3 and parts[0] == "ortools":
        return parts[1].upper(), parts[2].upper()
    raise ValueError(
        f"unknown strategy {name!r}; use carecal, {', '.join(STRATEGIES)} or ortools:FIRST:META"
    )


# --- carecal -------------------------------------------------------------------------------


def carecal_plan(
    community: Community,
    date: dt.date,
    time_limit: float,
    *,
    seed: int = 0,
    deterministic: bool = False,
    workers: int | None = None,
) -> MealPlan:
    """:func:`carecal.plan_meals` with its default engine and the given options."""
    from carecal.solver.meals import plan_meals

    return plan_meals(
        community,
        date,
        time_limit=time_limit,
        seed=seed,
        deterministic=deterministic,
        workers=workers,
    )


@dataclass(frozen=True)
class Day:
    """A date's routing problem as ``plan_meals`` builds it, with what reading back needs."""

    community: Community
    date: dt.date
    residents: list[Resident]
    deliveries: list[MealDelivery]
    routable: list[int]
    fleet: list[MealCarrier]
    screened: list[Unserved]
    problem: DayProblem


def build_day(community: Community, date: dt.date) -> Day:
    """The day problem of a date, built from carecal's pieces in ``plan_meals``'s order.

    The deliveries no carrier could make even alone are screened out with their reason,
    as ``plan_meals`` does; the rest become the day problem's nodes.
    """
    from carecal.clock import weekday
    from carecal.explain import meal_obstacle
    from carecal.policy import MODES
    from carecal.solver.meals import day_carriers
    from carecal.solver.meals.problem import (
        build_day_problem,
        day_penalties,
        delivery,
        familiar_savings,
    )
    from carecal.solver.meals.solution import meal_unserved
    from carecal.travel import travel_minutes

    residents = community.deliveries_on(date)
    fleet = day_carriers(community, date)
    ids = [community.kitchen.site_id] + [r.resident_id for r in residents]
    travel = {mode: travel_minutes(community, ids, mode) for mode in MODES}
    deliveries = [delivery(community, r, i + 1, travel) for i, r in enumerate(residents)]
    penalties = day_penalties(community, date, residents)
    routable: list[int] = []
    screened: list[Unserved] = []
    for i, d in enumerate(deliveries):
        obstacle = meal_obstacle(d, fleet, community.policy, weekday(date))
        if obstacle is None:
            routable.append(i)
        else:
            screened.append(meal_unserved(d.resident_id, date, obstacle))
    familiar = familiar_savings(community, date, residents, fleet)
    problem = build_day_problem(
        community, residents, deliveries, penalties, routable, fleet, travel, familiar=familiar
    )
    return Day(community, date, residents, deliveries, routable, fleet, screened, problem)


def plan_from_solution(day: Day, solution: DaySolution, seconds: float) -> MealPlan:
    """A day solution as a plan: trips read back as ``plan_meals`` reads them, and the
    unserved (screened out, or left off by the search) with their reasons."""
    from carecal.clock import weekday
    from carecal.explain import meal_carriers_busy
    from carecal.solver.meals.solution import meal_unserved, plan_status, read_trips

    trips, _ = read_trips(day.problem, solution, day.residents, day.routable, day.fleet)
    ordered = sum(r.portions for r in day.residents)
    per_round = sum(c.capacity for c in day.fleet)
    unserved = list(day.screened)
    for node in solution.unserved:
        d = day.deliveries[day.routable[node - 1]]
        why = meal_carriers_busy(d, weekday(day.date), ordered, per_round, len(day.fleet))
        unserved.append(meal_unserved(d.resident_id, day.date, why))
    return MealPlan(
        status=plan_status(solution),
        date=day.date,
        trips=tuple(trips),
        unserved=tuple(sorted(unserved, key=lambda u: u.id)),
        solve_seconds=round(seconds, 3),
        engine=solution.engine,
    )


def strategy_plan(
    community: Community,
    date: dt.date,
    time_limit: float,
    strategy: str,
    *,
    seed: int = 0,
) -> MealPlan:
    """The day solved by carecal's OR-Tools engine with a named strategy, in ``time_limit``.

    The limit covers building the day and the search, as ``plan_meals``'s does.
    """
    from carecal.options import solve_options
    from carecal.solver.meals import solve_day

    began = time.perf_counter()
    first, meta = strategy_pair(strategy)
    options = solve_options("plan_meals", time_limit=time_limit, seed=seed)
    day = build_day(community, date)
    solution = solve_day(
        day.problem,
        options,
        engine="ortools",
        first_solution=first,
        metaheuristic=meta,
    )
    return plan_from_solution(day, solution, time.perf_counter() - began)


# --- plain OR-Tools ------------------------------------------------------------------------


def plain_plan(community: Community, date: dt.date, time_limit: float) -> MealPlan:
    """The day in the textbook OR-Tools model: one trip per carrier, library defaults.

    The model, written from the OR-Tools documentation's VRPTW pattern:

    - one vehicle per carrier, starting and ending at the kitchen, with that carrier's arc
      costs (travel minutes in their mode) and a fixed cost per carrier used;
    - a ``time`` dimension (handover at the origin plus travel), waiting allowed, windows
      on the handover start, the carrier's hours on the departure and the return;
    - a ``ride`` dimension with the same transits and no slack, zero at the departure,
      at most the hot-meal limit at every door: the textbook ride-time limit, which counts
      travel and handovers but not waiting at a door for its window (a dimension's slack
      cannot be tied to another's: OR-Tools did not enforce ``ride slack == time slack``
      when that was tried, and returned meals 50 minutes old);
    - capacity per carrier (one trip's worth: no reloading);
    - a disjunction per delivery with its missed-meal penalty.

    Search: ``PATH_CHEAPEST_ARC`` (what the library's ``AUTOMATIC`` picks) and the default
    metaheuristic (greedy descent), within what is left of ``time_limit`` after the build.
    Each route is then timed to leave as late as its windows allow (:func:`_timed_route`),
    and where waiting for a window still makes a meal too old, the oldest delivery of the
    trip is dropped (listed as unserved) until none is (:func:`_within_food_limit`): what a
    developer using the library as documented would have to add to get valid plans.
    """
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    began = time.perf_counter()
    day = build_day(community, date)
    p = day.problem
    n, m = p.num_nodes, p.num_vehicles
    if n == 1 or m == 0:
        nothing = DaySolution((), tuple(range(1, n)), "optimal", None, "plain-ortools", 0.0)
        return plan_from_solution(day, nothing, time.perf_counter() - began)
    horizon = int(max(p.tw_end.max(), p.vehicle_end.max())) + 1
    manager = pywrapcp.RoutingIndexManager(n, m, 0)
    routing = pywrapcp.RoutingModel(manager)

    arc = [routing.RegisterTransitMatrix(mat.tolist()) for mat in p.travel]
    timed = [routing.RegisterTransitMatrix((mat + p.service[:, None]).tolist()) for mat in p.travel]
    per_vehicle = [timed[int(p.vehicle_profile[v])] for v in range(m)]
    for v in range(m):
        routing.SetArcCostEvaluatorOfVehicle(arc[int(p.vehicle_profile[v])], v)
        if p.fixed_cost is not None:
            routing.SetFixedCostOfVehicle(int(p.fixed_cost[v]), v)

    routing.AddDimensionWithVehicleTransits(per_vehicle, horizon, horizon, False, "time")
    clock = routing.GetDimensionOrDie("time")
    routing.AddDimensionWithVehicleTransits(per_vehicle, 0, horizon, True, "ride")
    ride = routing.GetDimensionOrDie("ride")
    for node in range(1, n):
        index = manager.NodeToIndex(node)
        clock.CumulVar(index).SetRange(int(p.tw_start[node]), int(p.tw_end[node]))
        if p.max_ride is not None:
            ride.CumulVar(index).SetMax(int(p.max_ride))
        penalty = int(p.penalty[node]) if p.penalty is not None else 10**9
        routing.AddDisjunction([index], penalty)
    for v in range(m):
        clock.CumulVar(routing.Start(v)).SetRange(int(p.vehicle_start[v]), int(p.vehicle_end[v]))
        clock.CumulVar(routing.End(v)).SetRange(int(p.vehicle_start[v]), int(p.vehicle_end[v]))
    demand = routing.RegisterUnaryTransitVector([int(d) for d in p.demand])
    routing.AddDimensionWithVehicleCapacity(demand, 0, [int(c) for c in p.capacity], True, "load")

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    remaining = max(time_limit - (time.perf_counter() - began), 0.01)
    params.time_limit.FromMilliseconds(max(1, int(remaining * 1000)))
    solution = routing.SolveWithParameters(params)

    routes: list[DayRoute] = []
    if solution is not None:
        for v in range(m):
            nodes = []
            index = solution.Value(routing.NextVar(routing.Start(v)))
            while not routing.IsEnd(index):
                nodes.append(manager.IndexToNode(index))
                index = solution.Value(routing.NextVar(index))
            route = _within_food_limit(p, v, nodes)
            if route is not None:
                routes.append(route)
    served = {node for r in routes for node in r.nodes}
    result = DaySolution(
        routes=tuple(routes),
        unserved=tuple(j for j in range(1, n) if j not in served),
        status="feasible" if solution is not None else "no_solution",
        cost=float(solution.ObjectiveValue()) if solution is not None else None,
        engine="plain-ortools",
        seconds=time.perf_counter() - began,
    )
    return plan_from_solution(day, result, time.perf_counter() - began)


def _within_food_limit(p: DayProblem, vehicle: int, nodes: list[int]) -> DayRoute | None:
    """The trip timed by :func:`_timed_route`, its oldest meals dropped until all are hot.

    ``None`` when nothing is left to deliver.
    """
    kept = list(nodes)
    while kept:
        route = _timed_route(p, vehicle, kept)
        ages = [start - route.leave for start in route.starts]
        if p.max_ride is None or max(ages) <= p.max_ride:
            return route
        del kept[ages.index(max(ages))]
    return None


def _timed_route(p: DayProblem, vehicle: int, nodes: list[int]) -> DayRoute:
    """The route timed for the freshest meals: leave as late as the windows allow.

    Every handover starts as early as possible after the departure, and a later departure
    moves each of them later by at most as much, so the latest departure that still meets
    every window (and the carrier's return) gives every door its smallest food age.
    (Reading the departure off the search's assignment is not enough: the routing library
    reports a range for each cumul, and its smallest departure is the worst for the food.)
    """
    travel = p.travel_matrix(vehicle)
    latest = int(p.vehicle_end[vehicle])
    nxt = 0
    for node in reversed(nodes):
        latest = min(int(p.tw_end[node]), latest - int(travel[node, nxt]) - int(p.service[node]))
        nxt = node
    leave = max(int(p.vehicle_start[vehicle]), latest - int(travel[0, nxt]))
    clock, prev, starts = leave, 0, []
    for node in nodes:
        start = max(clock + int(travel[prev, node]), int(p.tw_start[node]))
        starts.append(start)
        clock = start + int(p.service[node])
        prev = node
    return DayRoute(
        vehicle=vehicle,
        trip=1,
        leave=leave,
        nodes=tuple(nodes),
        starts=tuple(starts),
        back=clock + int(travel[prev, 0]),
    )
