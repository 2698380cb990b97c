"""The OR-Tools routing model of a day: one function per care rule.

:func:`build_model` turns a :class:`~carecal.solver.meals.problem.DayProblem` into an
OR-Tools routing model:

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
  delivery made by a carrier the resident did not prefer;
- for a re-plan: locked stops kept on their carrier, and a soft cost on handovers that
  come later than the previous plan's arrivals.

:func:`read_routes` splits a solved model's routes back into trips; :func:`routing_routes`
joins trips into routes, to start a search from them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.constraint_solver import pywrapcp

from carecal.solver.meals.problem import DayProblem, DayRoute, IntArray

logger = logging.getLogger(__name__)

MUST_SERVE_PENALTY = 10**12
"""Penalty used for deliveries that must be served (``DayProblem.penalty`` is ``None``).

A disjunction is still added, so a solution always exists; a delivery left out anyway is
reported as unserved instead of the search failing.
"""

# Above this many entries in all per-carrier cost matrices together, preferences are
# kept only for the carriers preferred by the most residents (memory stays bounded).
_PREFERENCE_MATRIX_BUDGET = 12_000_000


@dataclass
class RoutingModel:
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


def penalties(problem: DayProblem) -> IntArray:
    """Per node, the cost of leaving it unserved (``MUST_SERVE_PENALTY`` without penalties)."""
    if problem.penalty is None:
        return np.full(problem.num_nodes, MUST_SERVE_PENALTY, dtype=np.int64)
    return np.asarray(problem.penalty, dtype=np.int64)


def build_model(problem: DayProblem) -> RoutingModel:
    """The routing model of a day problem with every care rule and objective term added.

    Parameters
    ----------
    problem
        The day problem, with at least one delivery and one vehicle.

    Returns
    -------
    RoutingModel
        The model, ready for the search.
    """
    n = problem.num_nodes
    owners = [v for v in range(problem.num_vehicles) for _ in range(int(problem.max_trips[v]) - 1)]
    place = np.array(list(range(n)) + [0] * len(owners), dtype=np.int64)
    reload_owner = {n + k: v for k, v in enumerate(owners)}
    manager = pywrapcp.RoutingIndexManager(len(place), problem.num_vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    model = RoutingModel(problem, manager, routing, place, reload_owner)
    _arc_costs(model)
    _time_windows_and_hours(model)
    _trips_through_the_kitchen(model)
    _food_age_within_limit(model)
    _capacity_per_trip(model)
    _locked_stops_kept(model)
    _arrivals_near_the_previous_plan(model)
    _missed_delivery_penalty(model)
    _carrier_fixed_cost(model)
    return model


# --- shared pieces -------------------------------------------------------------------------


def _horizon(p: DayProblem) -> int:
    return int(max(p.tw_end.max(), p.vehicle_end.max())) + 1


def _per_profile(model: RoutingModel, make: Callable[[IntArray], IntArray]) -> list[int]:
    """One registered transit matrix per travel profile, listed per vehicle."""
    p, routing = model.problem, model.routing
    by_profile: dict[int, int] = {}
    for v in range(p.num_vehicles):
        profile = int(p.vehicle_profile[v])
        if profile not in by_profile:
            mat = make(model.full(p.travel[profile]))
            by_profile[profile] = routing.RegisterTransitMatrix(mat.tolist())
    return [by_profile[int(p.vehicle_profile[v])] for v in range(p.num_vehicles)]


def _time_transit(model: RoutingModel, travel: IntArray) -> IntArray:
    """Handover at ``i`` plus travel ``i -> j``; nothing between two depot copies."""
    mat = model.problem.service[model.place][:, None] + travel
    depot = model.place == 0
    mat[np.ix_(depot, depot)] = 0
    return mat


# --- the care rules ------------------------------------------------------------------------


def _time_windows_and_hours(model: RoutingModel) -> None:
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


def _trips_through_the_kitchen(model: RoutingModel) -> None:
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


def _food_age_within_limit(model: RoutingModel) -> None:
    """Hot meals: the ride from the kitchen to each door at most ``max_ride`` minutes.

    The ``food`` dimension adds handover and travel along a trip and starts again at 0 at
    each reload node (the way back to the kitchen carries a large negative transit that
    the slack absorbs). It leaves out waiting at doors, which the search cannot see
    cheaply; :func:`carecal.solver.meals.retime.retime_and_repair` then times each trip
    to wait least and drops a delivery in the rare trip where waiting for a window would
    still make a meal too old.
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


def _capacity_per_trip(model: RoutingModel) -> None:
    """Portions on one trip at most the carrier's capacity; a reload empties the bag."""
    p, routing = model.problem, model.routing
    demand = np.asarray(p.demand, dtype=np.int64)[model.place]
    for node, v in model.reload_owner.items():
        demand[node] = -int(p.capacity[v])
    callback = routing.RegisterUnaryTransitVector(demand.tolist())
    caps = [int(c) for c in p.capacity]
    routing.AddDimensionWithVehicleCapacity(callback, max(caps), caps, True, "load")


def _locked_stops_kept(model: RoutingModel) -> None:
    """A locked stop is served, by its own carrier (its window holds the kept arrival)."""
    routing, manager = model.routing, model.manager
    for node, v in model.problem.pinned.items():
        # Without -1 ("not visited") among its values the node cannot be dropped either.
        routing.VehicleVar(manager.NodeToIndex(node)).SetValues([v])


# --- the objective terms -------------------------------------------------------------------


def _arrivals_near_the_previous_plan(model: RoutingModel) -> None:
    """Each minute a handover starts after its previous arrival's band costs ``cost``.

    Only the late side: with soft bounds on both sides OR-Tools weighs every move of the
    search with a linear program (on a day of 30 deliveries a search took 17 s instead
    of 0.7 s). A handover that comes earlier than before is re-timed instead: the trip
    leaves later (:func:`carecal.solver.meals.retime.retime_and_repair`).
    """
    dim, manager = model.time_dim, model.manager
    for node, target in model.problem.arrival_target.items():
        if target.cost > 0:
            index = manager.NodeToIndex(node)
            dim.SetCumulVarSoftUpperBound(index, target.at + target.tolerance, target.cost)


def _arc_costs(model: RoutingModel) -> None:
    """Short travel per carrier's mode, plus a surcharge when a delivery's carrier is not
    one it prefers (its preferred volunteers, a familiar carrier, the carrier of the plan
    being re-planned; :meth:`DayProblem.carrier_costs`).

    Every arc into such a delivery carries its surcharge; a carrier with a discount on
    some deliveries gets its own matrix with the discount taken off. Only those carriers
    need a matrix of their own.
    """
    p, routing = model.problem, model.routing
    size = len(model.place)
    surcharge = np.zeros(size, dtype=np.int64)
    discounts: dict[int, dict[int, int]] = {}
    for node, (extra, discount) in p.carrier_costs().items():
        surcharge[node] = extra
        for v, saving in discount.items():
            discounts.setdefault(v, {})[node] = saving
    # Keep the carriers with discounts on the most deliveries when memory would run short.
    budget = max(1, _PREFERENCE_MATRIX_BUDGET // (size * size))
    ranked = sorted(discounts, key=lambda v: (-len(discounts[v]), v))
    if len(ranked) > budget:
        logger.debug(
            "carrier preferences kept for %d of %d carriers (memory bound)", budget, len(ranked)
        )
    own = set(ranked[:budget])
    by_profile: dict[int, int] = {}
    for v in range(p.num_vehicles):
        if v in own:
            mat = model.full(p.cost_matrix(v)) + surcharge[None, :]
            nodes = list(discounts[v])
            mat[:, nodes] -= np.array([discounts[v][n] for n in nodes], dtype=np.int64)[None, :]
            callback = routing.RegisterTransitMatrix(mat.tolist())
        else:
            profile = int(p.vehicle_profile[v])
            if profile not in by_profile:
                mat = model.full(p.cost_matrix(v)) + surcharge[None, :]
                by_profile[profile] = routing.RegisterTransitMatrix(mat.tolist())
            callback = by_profile[profile]
        routing.SetArcCostEvaluatorOfVehicle(callback, v)


def _missed_delivery_penalty(model: RoutingModel) -> None:
    """Every delivery may be left out, at its missed-delivery penalty."""
    costs = penalties(model.problem)
    for node in range(1, model.problem.num_nodes):
        model.routing.AddDisjunction([model.manager.NodeToIndex(node)], int(costs[node]))


def _carrier_fixed_cost(model: RoutingModel) -> None:
    """Calling a carrier at all costs ``fixed_cost``."""
    p = model.problem
    if p.fixed_cost is None:
        return
    for v in range(p.num_vehicles):
        model.routing.SetFixedCostOfVehicle(int(p.fixed_cost[v]), v)


# --- reading the routes back ---------------------------------------------------------------


def read_routes(model: RoutingModel, solution: Any) -> list[DayRoute]:
    """Split each carrier's route into trips at its reload nodes.

    Parameters
    ----------
    model
        The solved model.
    solution
        The OR-Tools assignment the search returned.

    Returns
    -------
    list of DayRoute
        The trips with the search's times, numbered 1, 2, ... per vehicle.
    """
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


def routing_routes(model: RoutingModel, trips: Sequence[DayRoute]) -> list[list[int]] | None:
    """Trips as the model's routes: per vehicle, its trips in time order joined by its
    reload nodes, as routing indices (what ``ReadAssignmentFromRoutes`` reads).

    Parameters
    ----------
    model
        The routing model.
    trips
        Trips in the problem's node numbers (for example a plan being re-planned).

    Returns
    -------
    list of list of int or None
        One list per vehicle; ``None`` when the trips do not fit the model (a node out of
        range or served twice, more trips than a vehicle may make).
    """
    p, manager = model.problem, model.manager
    reloads: dict[int, list[int]] = {}
    for node, v in sorted(model.reload_owner.items()):
        reloads.setdefault(v, []).append(node)
    routes: list[list[int]] = [[] for _ in range(p.num_vehicles)]
    seen: set[int] = set()
    by_vehicle: dict[int, list[DayRoute]] = {}
    for trip in trips:
        if not 0 <= trip.vehicle < p.num_vehicles:
            return None
        by_vehicle.setdefault(trip.vehicle, []).append(trip)
    for v, mine in by_vehicle.items():
        mine = [t for t in sorted(mine, key=lambda t: (t.leave, t.trip)) if t.nodes]
        if len(mine) > int(p.max_trips[v]):
            return None
        for k, trip in enumerate(mine):
            if k > 0:
                routes[v].append(manager.NodeToIndex(reloads[v][k - 1]))
            for node in trip.nodes:
                if not 1 <= node < p.num_nodes or node in seen:
                    return None
                seen.add(node)
                routes[v].append(manager.NodeToIndex(node))
    return routes
