"""OR-Tools routing search parameters for a meal day, and the search's progress reports.

:func:`search_parameters` turns strategy names and limits into OR-Tools search parameters
(with the deterministic solution limit, :func:`deterministic_solution_limit`);
:func:`bound_the_branches` adds the branch bound of a deterministic re-plan search;
:func:`report_progress` reports improving solutions. Used by
:mod:`carecal.solver.meals.search`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from carecal.errors import OptionError

if TYPE_CHECKING:
    from carecal.progress import Reporter
    from carecal.solver.meals.model import RoutingModel
    from carecal.solver.meals.problem import DayProblem

# Search branches per second of a deterministic re-plan search's share: about what the
# OR-Tools routing search explores in a second on a small day (measured on a 2-core
# machine), so the work bound and the time limit agree roughly.
_BRANCHES_PER_SECOND = 200_000

# Improving solutions are reported at most this often (seconds), so a fast search does
# not flood a progress bar or a notebook callback.
_REPORT_EVERY = 0.5

# --- search parameters ---------------------------------------------------------------------


def enum_value(enum: Any, name: str, what: str) -> int:
    """The value of an OR-Tools enum member by name; an OptionError names the choices."""
    try:
        return int(enum.Value.Value(str(name).upper()))
    except ValueError:
        names = ", ".join(n for n, _ in enum.Value.items() if n not in ("UNSET", "AUTOMATIC"))
        raise OptionError(f"'{name}' is not an OR-Tools {what}; use one of: {names}") from None


def strategies(first_solution: str, metaheuristic: str) -> tuple[int, int]:
    """The first-solution strategy and metaheuristic names as OR-Tools enum values.

    Raises
    ------
    carecal.OptionError
        For a name OR-Tools does not know, naming those it does.
    """
    """The first-solution strategy and metaheuristic as OR-Tools enum values."""
    fs_enum = routing_enums_pb2.FirstSolutionStrategy
    mh_enum = routing_enums_pb2.LocalSearchMetaheuristic
    first = enum_value(fs_enum, first_solution, "first-solution strategy")
    meta = enum_value(mh_enum, metaheuristic, "metaheuristic")
    return first, meta


def search_parameters(
    problem: DayProblem,
    seconds: float,
    deterministic: bool,
    first_solution: int,
    metaheuristic: int,
    *,
    work: float | None = None,
) -> Any:
    """OR-Tools search parameters: the strategies, ``seconds`` of wall time, and in
    deterministic mode the solution limit for ``work`` seconds (``seconds`` if not given)."""
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = first_solution
    params.local_search_metaheuristic = metaheuristic
    params.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
    if deterministic:
        params.solution_limit = deterministic_solution_limit(
            problem, seconds if work is None else work
        )
    return params


def bound_the_branches(model: RoutingModel, seconds: float) -> None:
    """Stop the search after a number of branches in proportion to ``seconds``."""
    solver = model.routing.solver()
    never = 2**62
    branches = max(1000, int(seconds * _BRANCHES_PER_SECOND))
    # Only the branch count binds: time, failures and solutions have limits of their own
    # (the search parameters) or none.
    model.routing.AddSearchMonitor(solver.Limit(never, branches, never, never))


def deterministic_solution_limit(problem: DayProblem, seconds: float) -> int:
    """How many solutions a deterministic OR-Tools search stops after.

    A number of solutions (the first, then each improving local-search move) is the same
    work on every machine. Enough to settle a small day (``100 + 2n`` for ``n``
    deliveries, at most 1,000), but on a big day no more than about what the search
    finds in ``seconds`` on one core: ``5,000 x seconds / n`` (at least 10). Measured on
    the meal-day benchmark set (2-core machine, guided local search): about 210 solutions
    in 5 CPU seconds at 120 and at 220 deliveries, 110 at 500, none before 5 s at 1,000
    (the first solution alone takes that long), and the later ones ever rarer; without
    the second bound a day of 220 deliveries ran into the wall guard (105 s for a 10 s
    limit) and stopped on the clock.
    """
    n = max(1, problem.num_nodes - 1)
    return max(10, min(100 + 2 * n, 1000, int(5000 * seconds / n)))


# --- progress ------------------------------------------------------------------------------


def report_progress(model: RoutingModel, report: Reporter, began: float) -> None:
    """Report improving solutions (the first at once, then at most every half second)."""
    routing = model.routing
    last = [float("-inf")]
    best = [float("inf")]

    def at_solution() -> None:
        cost = routing.CostVar().Value()
        now = time.perf_counter()
        if cost < best[0] and now - last[0] >= _REPORT_EVERY:
            best[0] = cost
            last[0] = now
            report(
                "routing",
                f"better plan after {now - began:.1f} s (cost {cost})",
                objective=float(cost),
            )

    routing.AddAtSolutionCallback(at_solution)
