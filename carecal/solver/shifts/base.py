"""What every step of the shift search shares: the problem, the clock, the random source,
the one CP-SAT call and the progress line.

:class:`SearchBase` is the common base of the steps (:mod:`.construction`,
:mod:`.neighbourhoods`) and of the driver that runs them (:mod:`.search`).
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable
from typing import Any

from ortools.sat.python import cp_model

from carecal.solver.shifts.columns import ColumnGeneration
from carecal.solver.shifts.model import ShiftModel, build_structure
from carecal.solver.shifts.problem import ShiftProblem

__all__ = ["Progress", "SearchBase", "meets"]

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]
"""A callback that receives one line of progress text at a time."""


def meets(value: float, bound: float | None) -> bool:
    """Whether a plan costing ``value`` meets the proven ``bound`` (so is optimal).

    Costs are whole numbers, so a fractional bound is met by the next whole number up.
    """
    return bound is not None and value <= math.ceil(bound - 1e-6) + 1e-6


class _StopAt(cp_model.CpSolverSolutionCallback):
    """Stops CP-SAT at the first plan whose cost meets a bound proven elsewhere."""

    def __init__(self, bound: float) -> None:
        super().__init__()
        self.bound = bound

    def on_solution_callback(self) -> None:
        if meets(self.objective_value, self.bound):
            self.stop_search()


class SearchBase:
    """One problem under search: its structure, the time spent, the seeded random source.

    Parameters
    ----------
    problem
        The shift problem.
    time_limit
        Seconds in all (deterministic time units when ``deterministic``).
    deterministic
        Count CP-SAT's deterministic time instead of the clock, on one worker.
    workers
        CP-SAT workers per solve (``None``: CP-SAT's default).
    progress
        Called with each line :meth:`say` writes.
    seed
        Seed of every random choice and of CP-SAT's own.
    """

    def __init__(
        self,
        problem: ShiftProblem,
        time_limit: float,
        deterministic: bool,
        workers: int | None,
        progress: Progress | None,
        seed: int,
    ) -> None:
        self.p = problem
        self.st = build_structure(problem)
        self.t0 = time.monotonic()
        self.time_limit = time_limit
        self.deterministic = deterministic
        self.workers = workers
        self.progress = progress
        self.rng = random.Random(seed)
        self.work_done = 0.0  # deterministic time spent, used instead of the clock
        self.lp: ColumnGeneration | None = None  # the column LP, when there is one

    def elapsed(self) -> float:
        """Time spent so far: seconds, or deterministic units in deterministic mode."""
        if self.deterministic:
            return self.work_done
        return time.monotonic() - self.t0

    def remaining(self) -> float:
        """Time left of the limit."""
        return self.time_limit - self.elapsed()

    def _solve(
        self,
        model: ShiftModel,
        limit: float,
        workers: int | None = None,
        first: bool = False,
        presolve: bool = True,
        quick: bool = False,
        stop_at: float | None = None,
    ) -> tuple[Any, Any]:
        """Solve ``model`` within ``limit``; with ``stop_at``, stop at the first plan that
        costs no more than that (a bound proven elsewhere, which CP-SAT does not know)."""
        solver = cp_model.CpSolver()
        prm = solver.parameters
        prm.stop_after_first_solution = first
        # Presolve costs more than it saves on the small neighbourhood models.
        prm.cp_model_presolve = presolve and not quick
        if quick:
            # One volunteer's timetable, feasibility only: a single worker that restarts
            # often and skips the LP finds one in a fraction of a second even over a year
            # with a narrow band of minutes, where the default worker finds none.
            prm.search_branching = cp_model.PORTFOLIO_WITH_QUICK_RESTART_SEARCH
            prm.linearization_level = 0
            workers = 1
        if self.deterministic:
            prm.max_deterministic_time = max(0.01, limit)
            prm.num_workers = 1
            prm.random_seed = self.rng.randrange(1 << 30)
        else:
            prm.max_time_in_seconds = max(0.01, limit)
            prm.random_seed = self.rng.randrange(1 << 30)
            w = workers if workers is not None else self.workers
            if w is not None:
                prm.num_workers = w
        callback = None if stop_at is None else _StopAt(stop_at)
        status = solver.solve(model.m, callback)
        # Each solve is charged a little on top, so that a run of tiny solves ends too.
        self.work_done += solver.deterministic_time + 0.02 if self.deterministic else 0.0
        return solver, status

    def say(self, text: str) -> None:
        """Log ``text`` and hand it to the progress callback."""
        logger.info(text)
        if self.progress is not None:
            self.progress(text)
