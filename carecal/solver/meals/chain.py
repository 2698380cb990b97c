"""One OR-Tools search of a day, and the chain around it that is planned.

:func:`ortools_search` runs the routing search (:mod:`carecal.solver.meals.model`) once;
:func:`repaired` re-times its trips to the exact rules
(:func:`~carecal.solver.meals.retime.retime_and_repair`) and puts left-out deliveries back
(:func:`~carecal.solver.meals.reinsert.reinsert`); :func:`chained_search` is what both
the caller's search and the helper's second search run: a search, carriers sent home
(:func:`~carecal.solver.meals.reinsert.fewer_carriers`), the search again from there;
:func:`keep_better` chooses between two plans. :mod:`carecal.solver.meals.search` calls
these within the call's options.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ortools.constraint_solver import routing_enums_pb2

from carecal.solver.meals.model import (
    RoutingModel,
    build_model,
    penalties,
    read_routes,
    routing_routes,
)
from carecal.solver.meals.parameters import bound_the_branches, search_parameters, strategies
from carecal.solver.meals.problem import DayProblem, DayRoute
from carecal.solver.meals.reinsert import fewer_carriers, reinsert
from carecal.solver.meals.retime import retime_and_repair

logger = logging.getLogger(__name__)

SHORTEST_SEARCH = 0.01
"""Seconds below which a search cannot even load its model (OR-Tools wants at least a
millisecond)."""


@dataclass(frozen=True)
class SearchSetup:
    """How one OR-Tools search runs.

    Attributes
    ----------
    seconds
        The search's share of the call: its time limit, or in deterministic mode the
        work its branch bound is in proportion to.
    wall
        The wall-clock limit (``seconds`` itself, or the deterministic guard).
    deterministic
        Stop after a fixed number of solutions
        (:func:`~carecal.solver.meals.parameters.deterministic_solution_limit`).
    strategies
        First-solution strategy and metaheuristic names.
    """

    seconds: float
    wall: float
    deterministic: bool
    strategies: tuple[str, str]


@dataclass(frozen=True)
class Searched:
    """An OR-Tools search's result: its routes as the search timed them (before
    re-timing), their cost, and whether the search proved them optimal."""

    routes: tuple[DayRoute, ...]
    cost: float
    optimal: bool


def ortools_search(
    problem: DayProblem,
    setup: SearchSetup,
    *,
    initial: Sequence[DayRoute] | None = None,
    model: RoutingModel | None = None,
) -> Searched | None:
    """Run one OR-Tools routing search on a day (the caller's, or the helper's).

    Parameters
    ----------
    problem
        The day problem, with at least one delivery and one carrier who may make a trip.
    setup
        Limits and strategies.
    initial
        Trips to start from (see :func:`solve_day`).
    model
        The model, if the caller built it already (with its progress callback).

    Returns
    -------
    Searched or None
        ``None`` when the search found no plan within its limits.
    """
    first, meta = strategies(*setup.strategies)
    model = build_model(problem) if model is None else model
    params = search_parameters(
        problem, setup.wall, setup.deterministic, first, meta, work=setup.seconds
    )
    if setup.deterministic and (problem.pinned or problem.arrival_target):
        bound_the_branches(model, setup.seconds)
    # No trips at all would start the local search from nothing served: worse than the
    # first-solution strategy.
    start = _initial_assignment(model, params, initial) if initial else None
    if start is not None:
        solution = model.routing.SolveFromAssignmentWithParameters(start, params)
    else:
        solution = model.routing.SolveWithParameters(params)
    if solution is None:
        return None
    optimal = model.routing.status() == routing_enums_pb2.RoutingSearchStatus.ROUTING_OPTIMAL
    return Searched(
        routes=tuple(read_routes(model, solution)),
        cost=float(solution.ObjectiveValue()),
        optimal=optimal,
    )


CHAIN_SHARE = 0.6
"""The share of a search's time spent before :func:`~carecal.solver.meals.reinsert.
fewer_carriers` sends carriers home; the search then goes on from that plan."""

_CHAIN_SHORTEST = 1.0
"""Searches shorter than this (seconds) are not split."""

CHAIN_DELIVERIES_PER_SECOND = 30
"""Above this many deliveries per second of search, the first search would be cut before
its first plan is complete (building one on 500 deliveries takes seconds); such a search
runs whole, and only :data:`FEWER_CARRIERS_SHARE` of its time goes to sending carriers
home after it."""

FEWER_CARRIERS_SHARE = 0.08
"""The share of a search run whole that goes to sending carriers home after it."""


def chained_search(
    problem: DayProblem,
    setup: SearchSetup,
    *,
    initial: Sequence[DayRoute] | None = None,
    model: RoutingModel | None = None,
    split: bool = True,
) -> Repaired | None:
    """A search, carriers sent home, and the search again from there; the better kept.

    The routing search is good at short travel and poor at emptying a carrier's day
    (every step that moves one delivery off a carrier costs travel before the carrier's
    fixed cost is saved). So the search runs :data:`CHAIN_SHARE` of its time; its plan is
    re-timed, completed (:func:`repaired`) and offered to
    :func:`~carecal.solver.meals.reinsert.fewer_carriers`; the search then goes on from
    the result for the rest of the time, and of the two plans the better (after the
    food-age repair) is kept. In deterministic mode the shares are of the work.

    With ``split`` false (the helper's second search), or on a day too big to build a
    first plan in :data:`CHAIN_SHARE` of the time, the search runs whole but for
    :data:`FEWER_CARRIERS_SHARE` of its time, which goes to sending carriers home. On
    the meal-day benchmark at 10 s, the caller's search split and the helper's whole did
    better than both split (120-tight: 10 carriers against 12) and than neither (220-tight:
    594 minutes of travel against 679).

    Returns
    -------
    Repaired or None
        ``None`` when the search found no plan.
    """
    began = time.perf_counter()  # before a build here: the helper's limits count it
    model = build_model(problem) if model is None else model
    if setup.seconds < _CHAIN_SHORTEST:
        return repaired(problem, ortools_search(problem, setup, initial=initial, model=model))
    deliveries = problem.num_nodes - 1
    chain = split and deliveries <= CHAIN_DELIVERIES_PER_SECOND * setup.seconds
    share = CHAIN_SHARE if chain else 1 - FEWER_CARRIERS_SHARE
    first = SearchSetup(
        setup.seconds * share, setup.wall * share, setup.deterministic, setup.strategies
    )
    found = ortools_search(problem, first, initial=initial, model=model)
    # OR-Tools can run past its limit on a big day (a 35 s search of 500 deliveries took
    # 42 s): the second search, which may run over as much, is shortened by it.
    late = max(0.0, time.perf_counter() - began - first.seconds)
    one = repaired(problem, found, _until(setup))
    if one is None:
        # No plan in the first share of the time (a slow machine): the rest is a search
        # of its own, as if unsplit.
        rest, wall = _rest(setup, first, began)
        if not chain or rest < SHORTEST_SEARCH:
            return None
        again = ortools_search(
            problem,
            SearchSetup(rest, wall, setup.deterministic, setup.strategies),
            initial=initial,
            model=model,
        )
        return repaired(problem, again, _until(setup))
    if one.searched.optimal:
        return one
    # Sending carriers home: 5 % of the time between the searches, or what the whole
    # search left.
    until = _until(setup) if chain or setup.deterministic else began + setup.seconds
    # A re-plan moves elders' arrivals only to serve more; sending a carrier home would
    # move them for less (its acceptance does not weigh the arrivals).
    if problem.arrival_target:
        routes, change = one.routes, 0.0
    else:
        routes, change = fewer_carriers(problem, one.routes, until=until)
    one = replace(
        one,
        searched=Searched(routes, one.score + change, False),
        routes=routes,
        score=one.score + change,
    )
    logger.debug(
        "first search and carriers sent home (cost %+g) by %.2f s of %.2f",
        change,
        time.perf_counter() - began,
        setup.seconds,
    )
    if not chain:
        return one
    rest, wall = _rest(setup, first, began, keep=_LAST_REPAIR_SHARE)
    if not setup.deterministic:
        rest = wall = rest - late
    if rest < SHORTEST_SEARCH:
        return one
    second = SearchSetup(rest, wall, setup.deterministic, setup.strategies)
    again = ortools_search(problem, second, initial=routes, model=model)
    logger.debug(
        "second search of %.2f s ended at %.2f s of %.2f",
        rest,
        time.perf_counter() - began,
        setup.seconds,
    )
    # Putting deliveries back after the last search has what the search left of its time.
    until = None if setup.deterministic else began + setup.seconds
    return keep_better(one, repaired(problem, again, until))


_LAST_REPAIR_SHARE = 0.03
"""The share of a split search's time kept for putting deliveries back after its second
search."""


def _rest(
    setup: SearchSetup, first: SearchSetup, began: float, keep: float = 0.0
) -> tuple[float, float]:
    """The second search's seconds and wall limit: what the first left of the work in
    deterministic mode, else of the clock less ``keep`` of the time."""
    if setup.deterministic:
        return setup.seconds - first.seconds, setup.wall - first.wall
    rest = setup.seconds * (1 - keep) - (time.perf_counter() - began)
    return rest, rest


def _until(setup: SearchSetup) -> float | None:
    """When putting deliveries back after a search must stop: 5 % of the search's time
    from now; ``None`` (counts of checks only) in deterministic mode."""
    return None if setup.deterministic else time.perf_counter() + 0.05 * setup.seconds


@dataclass(frozen=True)
class Repaired:
    """A search's result re-timed and repaired into the exact rules
    (:func:`~carecal.solver.meals.retime.retime_and_repair`), with the deliveries it
    left out put back where a trip can still take them
    (:func:`~carecal.solver.meals.reinsert.reinsert`), and its score: the search's cost
    plus the missed-meal cost of each delivery the repair dropped for good (a trip where
    waiting at a door would let the food cool, which the search's food-age check does
    not see), plus what putting deliveries back changed."""

    searched: Searched
    routes: tuple[DayRoute, ...]
    dropped: tuple[int, ...]
    score: float
    inserted: tuple[int, ...] = ()


def repaired(
    problem: DayProblem, found: Searched | None, until: float | None = None
) -> Repaired | None:
    """A search's result as it will be planned, with its score (``None`` for none);
    putting deliveries back stops at ``until`` (:func:`time.perf_counter`), if given."""
    if found is None:
        return None
    routes, dropped = retime_and_repair(problem, list(found.routes))
    missed = penalties(problem)
    score = found.cost + float(sum(int(missed[node]) for node in dropped))
    served = {node for r in found.routes for node in r.nodes}
    unserved = [node for node in range(1, problem.num_nodes) if node not in served]
    began = time.perf_counter()
    back = reinsert(problem, routes, [*dropped, *unserved], until=until)
    logger.debug(
        "%d deliveries put back into trips (%d dropped by the repair, %d left out by "
        "the search were tried), cost %+g, %.2f s",
        len(back.inserted),
        len(dropped),
        len(unserved),
        back.cost_change,
        time.perf_counter() - began,
    )
    still_out = set(back.left_out)
    return Repaired(
        found,
        back.routes,
        tuple(node for node in dropped if node in still_out),
        score + back.cost_change,
        back.inserted,
    )


def scored(result: Repaired | None) -> str:
    """A plan's search cost, repair drops and score, for the log."""
    if result is None:
        return "no plan"
    return (
        f"cost {result.searched.cost:g}, {len(result.dropped)} dropped by the repair, "
        f"score {result.score:g}"
    )


def keep_better(own: Repaired | None, other: Repaired | None) -> Repaired | None:
    """The better of this search's plan and the helper's: the lower score (the search's
    cost, which both searches share, plus what the repair dropped), this search's on a
    tie; a plan beats none."""
    if other is None:
        return own
    if own is None or other.score < own.score:
        return other
    return own


def _initial_assignment(model: RoutingModel, params: Any, initial: Sequence[DayRoute]) -> Any:
    """The model's assignment of the given trips, or ``None`` when it cannot take them."""
    routes = routing_routes(model, initial)
    if routes is None:
        logger.debug("the initial trips do not fit the model; the search starts afresh")
        return None
    if model.routing.status() == routing_enums_pb2.RoutingSearchStatus.ROUTING_NOT_SOLVED:
        # A model searched before is closed already (closing it again logs a warning).
        model.routing.CloseModelWithParameters(params)
    # Nodes on no route (unused reload nodes, deliveries left out) are read as unvisited;
    # the model checks every rule of the routes (None when one is broken).
    assignment = model.routing.ReadAssignmentFromRoutes(routes, True)
    if assignment is None:
        logger.debug("the initial trips break a rule of the model; the search starts afresh")
    return assignment
