"""Solving a day problem: engine choice, the OR-Tools search, and the second search.

:func:`solve_day` takes a :class:`~carecal.solver.meals.problem.DayProblem` and the call's
:class:`~carecal.options.SolveOptions` and returns a
:class:`~carecal.solver.meals.problem.DaySolution`. :func:`choose_engine` picks OR-Tools
(:mod:`carecal.solver.meals.model`) or PyVRP (:mod:`carecal.solver.meals.pyvrp_engine`);
an OR-Tools solution is re-timed by :func:`carecal.solver.meals.retime.retime_and_repair`.

How the solving options act on a day:

- ``time_limit``: the search gets what is left of the call's limit once its model is
  built, less a small reserve for re-timing the trips and reading the plan back;
- ``seed``: PyVRP's random seed. The OR-Tools routing search has no random element (and
  no seed parameter): for a given day it always follows the same path, so ``seed`` does
  not change an OR-Tools plan;
- ``deterministic``: the search stops after a fixed number of solutions (OR-Tools: grows
  with the day, bounded by what about ``time_limit`` seconds find on a big day, see
  :func:`~carecal.solver.meals.parameters.deterministic_solution_limit`) or iterations
  (PyVRP) that grows with the day, so the plan does not depend on the machine's speed;
  the time limit stays a safety net. On a re-plan's day (locked stops, previous
  arrivals) the OR-Tools search also stops after a number of search branches in
  proportion to its share of the time: locks can leave the local search no move to
  make, and then no solution to count;
- ``workers``: 1 runs one search. With 2 or more (the default on a machine with two
  cores), a second, different search of the same day runs on another core in a helper
  process (:mod:`carecal.solver.meals.helper`: OR-Tools with the savings construction
  as its first solution, or PyVRP with the next seed) and the better plan is kept (this
  search's on a tie). Both searches have the same limits, so the call takes no longer.
  Both stop on work in deterministic mode, so the plan kept is the same on every run.
  A caller who names the OR-Tools strategies (``first_solution``, ``metaheuristic``)
  gets that one search. The searches themselves each run on one thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from carecal.errors import OptionError
from carecal.solver.meals.chain import (
    SHORTEST_SEARCH,
    Repaired,
    Searched,
    SearchSetup,
    chained_search,
    keep_better,
    scored,
)
from carecal.solver.meals.helper import Job, Outcome, Pending, submit, wait_seconds
from carecal.solver.meals.model import (
    build_model,
    penalties,
)
from carecal.solver.meals.parameters import (
    report_progress,
    strategies,
)
from carecal.solver.meals.problem import DayProblem, DayRoute, DaySolution, check_problem
from carecal.solver.meals.pyvrp_engine import (
    cannot_express,
    import_pyvrp,
    pyvrp_available,
    solve_with_pyvrp,
)

if TYPE_CHECKING:
    from carecal.options import SolveOptions

logger = logging.getLogger(__name__)

ENGINES: tuple[str, ...] = ("ortools", "pyvrp", "auto")
"""Engine names :func:`solve_day` accepts."""


def check_engine(engine: object) -> str:
    """The engine name, if it is one :func:`solve_day` knows.

    Raises
    ------
    carecal.OptionError
        Naming the known engines.
    """
    if not isinstance(engine, str) or engine not in ENGINES:
        raise OptionError(
            f"routing engine {engine!r} is not known; use one of: {', '.join(ENGINES)}"
        )
    return engine


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
    carecal.OptionError
        When ``"pyvrp"`` is asked for a day it cannot express (the message says why and
        which engine to use instead), or the name is unknown.
    carecal.ExtraMissingError
        When ``"pyvrp"`` is asked for and PyVRP is not installed.
    """
    check_engine(engine)
    if engine == "ortools":
        return "ortools"
    if engine == "auto":
        if cannot_express(problem) is None and pyvrp_available():
            return "pyvrp"
        return "ortools"
    reason = cannot_express(problem)
    if reason is not None:
        raise OptionError(reason)
    import_pyvrp()
    return "pyvrp"


def search_seconds(options: SolveOptions) -> float:
    """Wall seconds the routing search may take now, within the call's time limit.

    What is left of the limit, less a reserve for what follows the search (re-timing the
    trips, reading them back, explaining the unserved): 5 % of the limit, at most a
    second. Never below the shortest search OR-Tools accepts.
    """
    reserve = min(1.0, 0.05 * options.time_limit)
    return max(SHORTEST_SEARCH, options.remaining() - reserve)


def solve_day(
    problem: DayProblem,
    options: SolveOptions,
    *,
    engine: str = "ortools",
    first_solution: str | None = None,
    metaheuristic: str | None = None,
    initial: Sequence[DayRoute] | None = None,
) -> DaySolution:
    """Solve one day's routing problem within the call's options.

    Parameters
    ----------
    problem
        The day problem (depot, deliveries, carriers, rules).
    options
        The call's solving options (:func:`carecal.options.solve_options`). The search
        ends by :func:`search_seconds`; ``seed`` seeds PyVRP (the OR-Tools search has no
        random element, so it ignores it); ``deterministic`` stops the search after a
        fixed amount of work (a solution or iteration count that grows with the problem),
        with the time limit as a safety net; ``workers`` of 2 or more adds a second
        search on another core and keeps the better plan (module docstring). Progress
        goes to ``options.reporter``: stage ``"routing"`` when the search starts, then
        improving solutions with their cost as ``objective`` (OR-Tools, at most twice a
        second), then the result.
    engine
        ``"ortools"`` (the default); ``"pyvrp"`` (optional extra; an OptionError says why
        when the day has a rule PyVRP cannot express, see
        :mod:`carecal.solver.meals.pyvrp_engine`); or ``"auto"``: PyVRP when it is
        installed and can express the day, else OR-Tools.
    first_solution
        Name of an OR-Tools first-solution strategy (e.g. ``"PATH_CHEAPEST_ARC"``,
        ``"PARALLEL_CHEAPEST_INSERTION"``); default ``"PARALLEL_CHEAPEST_INSERTION"``.
    metaheuristic
        Name of an OR-Tools local-search metaheuristic; default ``"GUIDED_LOCAL_SEARCH"``.
    initial
        Trips to start the OR-Tools search from instead of a first-solution strategy
        (a re-plan starts from the previous plan); default ``None``. Trips the model
        cannot take as they are (a rule broken, a lock left out), or no trips at all, are
        ignored and the search starts as usual. PyVRP does not use them.

    Returns
    -------
    DaySolution
        The trips (renumbered 1, 2, ... per vehicle in time order) and the unserved nodes.

    Raises
    ------
    carecal.OptionError
        For an unknown engine or strategy name, a day problem whose arrays disagree, or
        ``engine="pyvrp"`` on a day PyVRP cannot express.
    carecal.ExtraMissingError
        For ``engine="pyvrp"`` without PyVRP installed.
    """
    check_engine(engine)
    check_problem(problem)
    report = options.reporter
    if engine != "ortools" and choose_engine(problem, engine) == "pyvrp":
        seconds = search_seconds(options)
        report(
            "routing",
            f"PyVRP: {problem.num_nodes - 1} deliveries, {problem.num_vehicles} carriers, "
            f"up to {seconds:.1f} s",
        )
        second = _second_search(problem, options, "pyvrp")
        solution = solve_with_pyvrp(
            problem,
            time_limit=options.wall_guard(seconds),
            seed=options.seed,
            deterministic=options.deterministic,
        )
        options.spend(seconds)
        if second is not None:
            job, pending = second
            other = pending.wait(_patience(job, options, options.wall_guard(seconds)))
            if other is not None and other.solution is not None and _better(other, solution):
                report("routing", f"the second search's plan is better (seed {job.seed})")
                solution = other.solution
        report(
            "routing",
            f"PyVRP finished in {solution.seconds:.1f} s ({solution.status})",
            objective=solution.cost,
        )
        return solution
    return _solve_ortools(problem, options, first_solution, metaheuristic, initial)


def _solve_ortools(
    problem: DayProblem,
    options: SolveOptions,
    first_solution: str | None,
    metaheuristic: str | None,
    initial: Sequence[DayRoute] | None = None,
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
    # Strategy names are checked before the (possibly long) model build.
    names = (
        first_solution or "PARALLEL_CHEAPEST_INSERTION",
        metaheuristic or "GUIDED_LOCAL_SEARCH",
    )
    strategies(*names)
    # The helper's search starts before this one's model build: it builds its own.
    # A caller who names the strategies asks for that one search.
    named = first_solution is not None or metaheuristic is not None
    second = None if named else _second_search(problem, options, "ortools")
    model = build_model(problem)
    # The search's share is measured after the build, which can take a while on big days.
    seconds = search_seconds(options)
    setup = SearchSetup(seconds, options.wall_guard(seconds), options.deterministic, names)
    options.spend(seconds)
    report_progress(model, options.reporter, began)
    options.reporter(
        "routing",
        f"OR-Tools: {deliveries} deliveries, {problem.num_vehicles} carriers, "
        f"{len(model.reload_owner)} reload visits, up to {seconds:.1f} s"
        + (", deterministic" if options.deterministic else "")
        + (", a second search on another core" if second is not None else ""),
    )
    kept = chained_search(problem, setup, initial=initial, model=model)
    if second is not None:
        job, pending = second
        other = pending.wait(_patience(job, options, setup.wall))
        theirs = None
        if other is not None and other.solution is None and other.cost is not None:
            # The helper's plan comes re-timed, repaired and completed (chained_search).
            theirs = Repaired(
                Searched(other.routes, other.cost, other.optimal),
                other.routes,
                other.dropped,
                other.cost,
                other.inserted,
            )
        best = keep_better(kept, theirs)
        logger.debug(
            "own search: %s; second search: %s",
            scored(kept),
            scored(theirs) if other is not None else "no answer",
        )
        if best is not kept and best is not None:
            options.reporter("routing", f"the second search's plan is better (cost {best.score:g})")
        kept = best
    logger.debug("OR-Tools finished in %.2f s", time.perf_counter() - began)
    if kept is None:
        options.reporter("routing", "OR-Tools found no plan within its time")
        return DaySolution(
            routes=(),
            unserved=tuple(range(1, problem.num_nodes)),
            status="no_solution",
            cost=None,
            engine="ortools",
            seconds=time.perf_counter() - began,
        )
    options.reporter("routing", f"OR-Tools finished, cost {kept.score:g}", objective=kept.score)
    served = {node for r in kept.routes for node in r.nodes}
    unserved = tuple(j for j in range(1, problem.num_nodes) if j not in served)
    return DaySolution(
        routes=kept.routes,
        unserved=unserved,
        status=(
            "optimal"
            if kept.searched.optimal and not kept.dropped and not kept.inserted
            else "feasible"
        ),
        cost=kept.score,
        engine="ortools",
        seconds=time.perf_counter() - began,
    )


def _better(other: Outcome, own: DaySolution) -> bool:
    """Whether the helper's PyVRP plan beats the caller's (a plan beats none; the
    caller's wins a tie)."""
    if other.solution is None or other.cost is None or other.solution.status == "no_solution":
        return False
    if own.cost is None or own.status == "no_solution":
        return True
    return other.cost < own.cost


def _patience(job: Job, options: SolveOptions, guard: float) -> float:
    """How long to wait for the helper's answer: in time, the call keeps half its reserve
    (:func:`search_seconds`) for reading the plan back."""
    reserve = min(1.0, 0.05 * options.time_limit)
    return wait_seconds(job, guard=guard, left=options.remaining() - reserve / 2)


def _second_search(
    problem: DayProblem, options: SolveOptions, engine: str
) -> tuple[Job, Pending] | None:
    """Start the helper's search of the day (:mod:`~carecal.solver.meals.helper`) when
    ``workers`` allows a second core; ``None`` when it does not, or there is no helper.

    The helper always builds its own first solution, even when this search starts from
    ``initial`` trips (a re-plan): from the same trips the same guided local search
    would only repeat this one.
    """
    if options.workers < 2:
        return None
    seconds = search_seconds(options)
    job = Job(
        problem=problem,
        engine=engine,
        seconds=seconds,
        until=time.time() + seconds,
        deterministic=options.deterministic,
        seed=options.seed + 1,
        guard=options.wall_guard(seconds),
    )
    pending = submit(job)
    return None if pending is None else (job, pending)
