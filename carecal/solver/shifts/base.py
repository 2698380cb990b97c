"""What every step of the shift search shares: the problem, the clock, the seeds, the one
CP-SAT call and the progress events.

:class:`SearchBase` is the common base of the steps (:mod:`.construction`,
:mod:`.neighbourhoods`) and of the driver that runs them (:mod:`.search`).
"""

from __future__ import annotations

import itertools
import math
import random
import threading
import time
from typing import TYPE_CHECKING, Any

from ortools.sat.python import cp_model

from carecal.solver.cpsat import ProgressCallback, cp_solver
from carecal.solver.shifts.columns import ColumnGeneration
from carecal.solver.shifts.model import ShiftModel, build_structure
from carecal.solver.shifts.problem import ShiftProblem

if TYPE_CHECKING:
    from carecal.options import SolveOptions

__all__ = ["SearchBase", "meets"]


def meets(value: float, bound: float | None) -> bool:
    """Whether a plan costing ``value`` meets the proven ``bound`` (so is optimal).

    Costs are whole numbers, so a fractional bound is met by the next whole number up.
    """
    return bound is not None and value <= whole_bound(bound) + 1e-6


def whole_bound(bound: float) -> int:
    """The least whole cost a proven ``bound`` allows (costs are whole numbers)."""
    return math.ceil(bound - 1e-6)


class SearchBase:
    """One problem under search: its structure, the time spent, the seeded random source.

    Parameters
    ----------
    problem
        The shift problem.
    options
        The call's solving options: ``workers`` (CP-SAT threads), ``seed`` (every random
        choice and, through :func:`carecal.solver.cpsat.cp_solver`, CP-SAT's own),
        ``deterministic`` (every solve stops on work, and so does this search's clock)
        and the progress reporter.
    budget
        What the search may spend: wall seconds, or with ``options.deterministic`` units of
        CP-SAT's deterministic time. Default: what is left of the call's time limit
        (``options.time_limit`` when deterministic).
    """

    def __init__(
        self, problem: ShiftProblem, options: SolveOptions, budget: float | None = None
    ) -> None:
        self.t0 = time.monotonic()
        self.p = problem
        self.options = options
        self.deterministic = options.deterministic
        self.workers = options.workers
        self.reporter = options.reporter
        if budget is None:
            budget = options.time_limit if options.deterministic else options.remaining()
        self.time_limit = budget
        self.rng = random.Random(options.seed)
        # Each CP-SAT solve gets the next offset to the seed, so that the many solves of
        # one search differ while the whole search repeats with the same seed.
        self._seed_offsets = itertools.count(1)
        self._charge_lock = threading.Lock()
        self.work_done = 0.0  # deterministic time spent, used instead of the clock
        self.lp: ColumnGeneration | None = None  # the column LP, when there is one
        self.st = build_structure(problem)

    def elapsed(self) -> float:
        """Time spent so far: seconds, or deterministic units in deterministic mode."""
        if self.deterministic:
            return self.work_done
        return time.monotonic() - self.t0

    def remaining(self) -> float:
        """Time left of the budget (never below zero)."""
        return max(0.0, self.time_limit - self.elapsed())

    def charge(self, work: float) -> None:
        """Count ``work`` (deterministic time) of a solve, plus a little for what it cost
        around it, so that a run of tiny solves ends too."""
        with self._charge_lock:
            self.work_done += work + 0.02
            self.options.spend(work + 0.02)

    def next_seed_offset(self) -> int:
        """The seed offset of the next CP-SAT solve."""
        return next(self._seed_offsets)

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
        """Solve ``model`` within ``limit`` (capped by what is left of the budget).

        With ``stop_at``, stop at the first plan that costs no more than that (a bound
        proven elsewhere, which CP-SAT does not know). The solve itself reports nothing:
        its own bound knows nothing of the bounds proven elsewhere, so the steps report
        their plans with the search's bound instead.
        """
        if quick:
            workers = 1
        if self.deterministic and (first or stop_at is not None):
            # CP-SAT (9.15) aborts the whole process (a failed check on the postsolve
            # mapping) when an interleaved search, as deterministic mode runs several
            # workers, is stopped at a solution with presolve on: by
            # stop_after_first_solution or by a callback's stop_search. Such solves run on
            # one worker, which is deterministic without interleaving.
            workers = 1
        limit = min(limit, max(0.01, self.remaining()))
        solver = cp_solver(
            self.options, limit, workers=workers, seed_offset=self.next_seed_offset()
        )
        prm = solver.parameters
        # A first timetable only needs to keep the rules; the later steps optimise.
        prm.stop_after_first_solution = first
        # Presolve costs more than it saves on the small neighbourhood models.
        prm.cp_model_presolve = presolve and not quick
        if quick:
            # One volunteer's timetable, feasibility only: a single worker that restarts
            # often and skips the LP finds one in a fraction of a second even over a year
            # with a narrow band of minutes, where the default worker finds none.
            prm.search_branching = cp_model.PORTFOLIO_WITH_QUICK_RESTART_SEARCH
            prm.linearization_level = 0
        callback = None
        if stop_at is not None:
            callback = ProgressCallback(None, "improving", float(whole_bound(stop_at)))
        status = solver.solve(model.m, callback)
        if self.deterministic:
            self.charge(solver.deterministic_time)
        return solver, status
