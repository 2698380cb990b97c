"""The one CP-SAT setup: parameters, determinism, progress and status, for every planner.

Every CP-SAT solve in carecal goes through :func:`cp_solver` (or :func:`solve`), so the
solving options mean the same on every planner:

- ``workers`` threads, ``seed`` as CP-SAT's random seed (plus an offset a search may
  give each of its many solves);
- not ``deterministic``: the solve stops at its share of the call's wall-clock limit;
- ``deterministic``: it stops after a fixed amount of CP-SAT *deterministic time* (work)
  equal to its share instead, on one worker, so the same input gives the same plan on
  any machine and under any load. One worker, because CP-SAT's interleaved search
  (several deterministic workers) overshot its work limit threefold on the campaign
  (4.4 units for 1.3) and took seven times as long on the clock, so that under load it
  reached the wall-clock guard and stopped on the clock; one worker keeps to its limit.
  The wall clock only guards against a runaway solve (:data:`carecal.options.
  DETERMINISTIC_GUARD`: ten times the share plus ten seconds). Each solve's work is
  charged to the call (:meth:`carecal.options.SolveOptions.spend`), so what is left of a
  deterministic call's limit never depends on the clock either.

Statuses map onto :class:`carecal.plans.Status` in :func:`status_of`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from carecal.plans import Status

if TYPE_CHECKING:
    from carecal.options import SolveOptions
    from carecal.progress import Reporter

__all__ = ["ProgressCallback", "cp_solver", "solve", "status_of"]

# CP-SAT refuses a zero limit; below this a solve cannot even load its model.
_SHORTEST = 0.01


def cp_solver(
    options: SolveOptions,
    seconds: float,
    *,
    workers: int | None = None,
    seed_offset: int = 0,
) -> cp_model.CpSolver:
    """A CP-SAT solver set up for one solve of ``seconds`` under the call's options.

    Parameters
    ----------
    options
        The call's solving options.
    seconds
        This solve's share of the time limit (wall seconds, or deterministic time when
        ``options.deterministic``).
    workers
        Threads for this solve when a search runs several solves side by side; default
        ``options.workers``.
    seed_offset
        Added to ``options.seed``, so that the many solves of one search differ.

    Returns
    -------
    cp_model.CpSolver
        A solver whose parameters a planner may still tune (presolve, branching) for
        reasons of its own, stated where it does so.
    """
    solver = cp_model.CpSolver()
    p = solver.parameters
    threads = max(1, workers if workers is not None else options.workers)
    if options.deterministic:
        threads = 1
    p.num_workers = threads
    p.random_seed = (options.seed + seed_offset) % (1 << 31)
    share = max(_SHORTEST, seconds)
    if options.deterministic:
        p.max_deterministic_time = share
        p.max_time_in_seconds = options.wall_guard(share)
    else:
        p.max_time_in_seconds = share
    return solver


def status_of(code: cp_model.CpSolverStatus | int, has_plan: bool = True) -> Status:
    """The carecal status of a CP-SAT status code.

    ``has_plan`` says whether the planner holds a plan anyway (a greedy plan kept when
    CP-SAT found none in time): then an unknown status is ``FEASIBLE``.
    """
    if code == cp_model.OPTIMAL:
        return Status.OPTIMAL
    if code == cp_model.FEASIBLE:
        return Status.FEASIBLE
    if code == cp_model.INFEASIBLE:
        return Status.INFEASIBLE
    if code == cp_model.MODEL_INVALID:
        # A bug in carecal, not in the user's data: say so loudly.
        raise RuntimeError("carecal built an invalid CP-SAT model; please report this")
    return Status.FEASIBLE if has_plan else Status.TIME_LIMIT


class ProgressCallback(cp_model.CpSolverSolutionCallback):
    """Reports each better solution of a solve, and may stop the solve early.

    Parameters
    ----------
    reporter
        Where progress events go.
    stage
        The stage named in the events (``"booking"``, ``"walking"``, ...).
    stop_at
        Stop at the first solution whose objective is at most this (a bound proven
        elsewhere, which CP-SAT does not know); ``None`` never stops early.
    """

    def __init__(self, reporter: Reporter | None, stage: str, stop_at: float | None = None) -> None:
        super().__init__()
        self._reporter = reporter
        self._stage = stage
        self._stop_at = stop_at

    def on_solution_callback(self) -> None:
        value = self.objective_value
        if self._reporter is not None:
            bound = self.best_objective_bound
            self._reporter(
                self._stage,
                f"{self._stage}: solution {value:g} (bound {bound:g}) at {self.wall_time:.1f} s",
                objective=value,
                bound=bound,
            )
        if self._stop_at is not None and value <= self._stop_at + 1e-6:
            self.stop_search()


def solve(
    model: cp_model.CpModel,
    options: SolveOptions,
    seconds: float,
    *,
    stage: str,
    workers: int | None = None,
    seed_offset: int = 0,
    stop_at: float | None = None,
    report: bool = True,
) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
    """Solve ``model`` with the call's options; return the solver and its status code.

    See :func:`cp_solver` for ``seconds``, ``workers`` and ``seed_offset``, and
    :class:`ProgressCallback` for ``stage`` and ``stop_at``. ``report=False`` keeps the
    solve quiet (the many small solves of a search).
    """
    solver = cp_solver(options, seconds, workers=workers, seed_offset=seed_offset)
    reporter = options.reporter if report else None
    callback = (
        ProgressCallback(reporter, stage, stop_at)
        if reporter is not None or stop_at is not None
        else None
    )
    code = solver.solve(model, callback)
    options.spend(solver.deterministic_time)
    return solver, code
