"""Solving a day problem: engine choice, the OR-Tools search and its progress.

:func:`solve_day` takes a :class:`~carecal.solver.meals.problem.DayProblem` and returns a
:class:`~carecal.solver.meals.problem.DaySolution`. :func:`choose_engine` picks OR-Tools
(:mod:`carecal.solver.meals.model`) or PyVRP (:mod:`carecal.solver.meals.pyvrp_engine`);
an OR-Tools solution is re-timed by :func:`carecal.solver.meals.retime.retime_and_repair`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from carecal.solver.meals.model import RoutingModel, build_model, penalties, read_routes
from carecal.solver.meals.problem import DayProblem, DaySolution, check_problem
from carecal.solver.meals.pyvrp_engine import (
    cannot_express,
    import_pyvrp,
    pyvrp_available,
    solve_with_pyvrp,
)
from carecal.solver.meals.retime import retime_and_repair

logger = logging.getLogger(__name__)

ENGINES: tuple[str, ...] = ("ortools", "pyvrp", "auto")
"""Engine names :func:`solve_day` accepts."""


def check_options(engine: str, time_limit: float) -> None:
    """Refuse an unknown engine name or a time limit that is not positive.

    Raises
    ------
    ValueError
        Naming the known engines, or saying the limit must be positive.
    """
    _check_engine(engine)
    if time_limit <= 0:
        raise ValueError(f"time_limit must be a positive number of seconds, not {time_limit}")


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise ValueError(
            f"routing engine '{engine}' is not known; use one of: {', '.join(ENGINES)}"
        )


def choose_engine(problem: DayProblem, engine: str) -> str:
    """The engine that will solve this day: ``"ortools"`` or ``"pyvrp"``.

    Parameters
    ----------
    problem
        The day problem.
    engine
        What the caller asked for: ``"ortools"``, ``"pyvrp"`` or ``"auto"`` (PyVRP when it
        is installed and can express every rule of the day, else OR-Tools).

    Returns
    -------
    str
        ``"ortools"`` or ``"pyvrp"``.

    Raises
    ------
    ValueError
        When ``"pyvrp"`` is asked for a day it cannot express (the message says why), or
        the name is unknown.
    ImportError
        When ``"pyvrp"`` is asked for and PyVRP is not installed.
    """
    _check_engine(engine)
    if engine == "ortools":
        return "ortools"
    if engine == "auto":
        if cannot_express(problem) is None and pyvrp_available():
            return "pyvrp"
        return "ortools"
    reason = cannot_express(problem)
    if reason is not None:
        raise ValueError(reason)
    import_pyvrp()
    return "pyvrp"


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
        a rule PyVRP cannot express, see :mod:`carecal.solver.meals.pyvrp_engine`); or
        ``"auto"``: PyVRP when it is installed and can express the day, else OR-Tools.
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
    check_options(engine, time_limit)
    check_problem(problem)
    if engine != "ortools" and choose_engine(problem, engine) == "pyvrp":
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
            cost=float(penalties(problem)[1:].sum()),
            engine="ortools",
            seconds=time.perf_counter() - began,
        )
    model = build_model(problem)
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
    routes, dropped = retime_and_repair(problem, read_routes(model, solution))
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


# --- search parameters ---------------------------------------------------------------------


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


# --- progress ------------------------------------------------------------------------------


def _report_progress(
    model: RoutingModel, progress: Callable[[str], None] | None, began: float
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
