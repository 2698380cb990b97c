"""A second routing search on another core, in a helper process of its own.

With ``workers`` of 2 or more (the default on a machine with two cores or more),
:func:`carecal.solver.meals.search.solve_day` runs a second, different search of the same
day beside its own and keeps the better plan: OR-Tools with another first-solution
strategy (:data:`SECOND_ORTOOLS`), or PyVRP with the next seed. Different searches get
stuck in different places, and which one ends better changes from day to day, so the
pair is as good as the better of the two on every day (the research log in
``benchmarks/README.md`` has the figures).

Why a process and not a thread: both the OR-Tools routing search and PyVRP's search loop
hold Python's global interpreter lock while they run, so two searches in two threads take
turns on one core (measured: two 6 s searches in two threads took 5.7 s of wall and 5.7 s
of CPU together, each half the work).

Why a plain subprocess (``python -m carecal.solver.meals.helper``) and not
:mod:`multiprocessing`: its ``spawn`` and ``forkserver`` start methods (the default on
Windows and macOS) run the caller's main script again in the child, so a coordinator's
script that calls ``plan_meals`` at top level without an ``if __name__ == "__main__":``
guard would be run twice, files written and all; and ``fork`` copies the locks of the
caller's other threads (a progress bar's monitor, a Dask worker's threads). The helper
runs nothing of the caller's: it reads a pickled :class:`Job` from its stdin, solves it
and writes a pickled :class:`Outcome` to its stdout.

The helper starts on the first search that wants it (about a second for Python and
OR-Tools to load, in parallel with the caller's own work) and stays for the next ones
(``plan_week`` plans seven days; a notebook many), one job at a time; it ends with the
caller's process (its stdin closes) or with :func:`stop_helper`.

The helper is an extra: whatever happens to it (it cannot start, it dies, it is late, it
fails) the call keeps its own search's plan, never an error; a late helper is stopped and
started afresh the next time. In deterministic mode both searches stop on work, not the
clock, and the better plan (the caller's on a tie) is the same on every run, as long as the
helper finishes within the deterministic wall guard.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import pickle
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from carecal.solver.meals.problem import DayProblem, DayRoute, DaySolution

logger = logging.getLogger(__name__)

SECOND_ORTOOLS: tuple[str, str] = ("SAVINGS", "GUIDED_LOCAL_SEARCH")
"""The helper's OR-Tools search: first solution and metaheuristic. The caller's own is
``PARALLEL_CHEAPEST_INSERTION`` with guided local search; the savings construction (Clarke
and Wright: out-and-back trips joined where joining saves the most travel) starts the same
guided local search from another plan. Of the four constructions measured beside the
caller's on the meal-day set, it made the best pair (research log in
``benchmarks/README.md``)."""

# Seconds a deterministic caller waits for the helper beyond the wall guard: unpickling,
# reading the routes back, a busy machine.
_GRACE = 1.0
_HEADER = struct.Struct("!Q")


@dataclass(frozen=True)
class Job:
    """One search for the helper.

    Attributes
    ----------
    problem
        The day problem.
    engine
        ``"ortools"`` or ``"pyvrp"``.
    seconds
        The search's share of the call: its work bound in deterministic mode.
    until
        Wall-clock time (``time.time()``) by which the helper's search must end.
    deterministic
        Stop on work rather than the clock (see :mod:`carecal.solver.meals.search`).
    seed
        PyVRP's seed.
    guard
        In deterministic mode, the wall-clock guard of the search (it stops on work, and
        on the clock only past the guard, as the caller's search does).
    """

    problem: DayProblem
    engine: str
    seconds: float
    until: float
    deterministic: bool
    seed: int = 0
    guard: float = 0.0


@dataclass(frozen=True)
class Outcome:
    """What the helper sends back: an OR-Tools plan as it will be planned (re-timed,
    repaired and completed by :func:`~carecal.solver.meals.chain.chained_search`) with its
    score, what the repair dropped and what went back in; or a PyVRP
    :class:`DaySolution`; or the error."""

    cost: float | None = None
    routes: tuple[DayRoute, ...] = ()
    optimal: bool = False
    solution: DaySolution | None = None
    error: str | None = None
    dropped: tuple[int, ...] = ()
    inserted: tuple[int, ...] = ()


def run_job(job: Job) -> Outcome:
    """Solve one job as the helper does (also callable in the caller's process, for tests)."""
    from carecal.solver.meals.chain import SearchSetup, chained_search
    from carecal.solver.meals.pyvrp_engine import solve_with_pyvrp

    try:
        limit = max(0.01, job.guard if job.deterministic else job.until - time.time())
        if job.engine == "pyvrp":
            solution = solve_with_pyvrp(
                job.problem, time_limit=limit, seed=job.seed, deterministic=job.deterministic
            )
            return Outcome(cost=solution.cost, solution=solution)
        setup = SearchSetup(
            seconds=job.seconds,
            wall=limit,
            deterministic=job.deterministic,
            strategies=SECOND_ORTOOLS,
        )
        found = chained_search(job.problem, setup, split=False)
        if found is None:
            return Outcome()
        return Outcome(
            cost=found.score,
            routes=found.routes,
            optimal=found.searched.optimal,
            dropped=found.dropped,
            inserted=found.inserted,
        )
    except Exception as error:  # the caller keeps its own plan; it logs what went wrong
        return Outcome(error=f"{type(error).__name__}: {error}")


# --- the caller's side ---------------------------------------------------------------------


class Pending:
    """A job sent to the helper; :meth:`wait` collects its outcome."""

    def __init__(self, helper: _Helper, job: Job) -> None:
        self._helper = helper
        self._job = job
        self._outcome: Outcome | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._read, name="carecal-helper", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            self._outcome = self._helper.exchange(self._job)
        except Exception as error:
            logger.debug("the helper search failed: %s", error)
        finally:
            self._helper.busy.release()
            self._done.set()

    def wait(self, timeout: float) -> Outcome | None:
        """The helper's outcome, or ``None`` when it failed or is not back within
        ``timeout`` seconds (a late helper is stopped: its answer is no longer wanted)."""
        if not self._done.wait(max(0.0, timeout)):
            logger.debug("the helper search is late; it is stopped")
            self._helper.kill()
            # The reader ends at once on the closed pipe and frees the helper for the next.
            self._thread.join(timeout=5)
            return None
        outcome = self._outcome
        if outcome is not None and outcome.error is not None:
            logger.debug("the helper search failed: %s", outcome.error)
            return None
        return outcome


class _Helper:
    """The helper process: started on first use, one job at a time."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        # One job at a time: a second caller (another thread) meanwhile gets no helper.
        self.busy = threading.Lock()

    def ensure_started(self) -> bool:
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                return True
            if self._process is not None:  # ended: its pipes are closed before a new one
                _end(self._process, kill=True)
            self._process = None
            try:
                self._process = _launch()
            except OSError as error:
                logger.debug("no helper process: %s", error)
                return False
            return True

    def exchange(self, job: Job) -> Outcome:
        with self._lock:
            process = self._process
        if process is None or process.stdin is None or process.stdout is None:
            raise RuntimeError("the helper is not running")
        try:
            _write_frame(process.stdin, pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
            outcome = pickle.loads(_read_frame(process.stdout))
        except Exception:
            # A broken exchange leaves the pipe out of step: that process is done for.
            self.kill(process)
            raise
        if not isinstance(outcome, Outcome):
            self.kill(process)
            raise RuntimeError("the helper answered something else than an outcome")
        return outcome

    def kill(self, process: subprocess.Popen[bytes] | None = None) -> None:
        """Kill the helper (or only ``process``, if it is still the helper)."""
        with self._lock:
            if process is None or process is self._process:
                process, self._process = self._process, None
        if process is not None:
            _end(process, kill=True)

    def stop(self) -> None:
        with self._lock:
            process, self._process = self._process, None
        if process is not None:
            _end(process, kill=False)


def _launch() -> subprocess.Popen[bytes]:
    # The helper imports the same carecal as the caller, even from a checkout on sys.path.
    package_root = str(Path(__file__).resolve().parents[3])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    return subprocess.Popen(
        [sys.executable, "-m", "carecal.solver.meals.helper"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
    )


def _end(process: subprocess.Popen[bytes], *, kill: bool) -> None:
    try:
        if process.stdin is not None:
            process.stdin.close()
        if kill:
            process.kill()
        process.wait(timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        process.kill()
    finally:
        if process.stdout is not None:
            process.stdout.close()


def _write_frame(stream: IO[bytes], data: bytes) -> None:
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read_frame(stream: IO[bytes]) -> bytes:
    header = _read_exactly(stream, _HEADER.size)
    (size,) = _HEADER.unpack(header)
    return _read_exactly(stream, size)


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks: list[bytes] = []
    while size > 0:
        chunk = stream.read(size)
        if not chunk:
            raise EOFError("the helper process ended")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


_HELPER = _Helper()
atexit.register(_HELPER.stop)


def start_helper() -> bool:
    """Start the helper process if it is not running (it then loads while the caller
    builds its day); ``True`` when it runs."""
    return _HELPER.ensure_started()


def stop_helper() -> None:
    """End the helper process, if one runs (the next search that wants it starts another)."""
    _HELPER.stop()


def submit(job: Job) -> Pending | None:
    """Send a job to the helper (starting it if needed); ``None`` when there is no helper."""
    if not _HELPER.busy.acquire(blocking=False):
        return None
    if not _HELPER.ensure_started():
        _HELPER.busy.release()
        return None
    return Pending(_HELPER, job)


def wait_seconds(job: Job, *, guard: float, left: float) -> float:
    """How long the caller waits for a job's outcome once its own search is done.

    Parameters
    ----------
    job
        The job.
    guard
        The deterministic wall guard of the search: a deterministic job stops on work, so
        the caller waits for it up to the guard (and a grace second), as for its own.
    left
        Otherwise, the seconds the call can still spare: the helper's search ends at the
        same moment as the caller's, so its answer is due at once, and waiting longer
        would make the call overrun its time limit.
    """
    if job.deterministic:
        return max(job.until - time.time(), guard) + _GRACE
    return max(0.0, left)


# --- the helper's side ---------------------------------------------------------------------


def _serve() -> None:
    """The helper's loop: one job in, one outcome out, until stdin closes."""
    source = sys.stdin.buffer
    # The outcomes go to a copy of stdout; anything printed by the solvers goes to stderr.
    sink = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    while True:
        try:
            data = _read_frame(source)
        except EOFError:
            return
        try:
            job = pickle.loads(data)
            outcome = run_job(job) if isinstance(job, Job) else Outcome(error="not a job")
        except Exception as error:
            outcome = Outcome(error=f"{type(error).__name__}: {error}")
        try:
            _write_frame(sink, pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
        except (OSError, ValueError):
            return


def serve() -> None:
    """Run as the helper process (``python -m carecal.solver.meals.helper``)."""
    with contextlib.suppress(KeyboardInterrupt):
        _serve()


if __name__ == "__main__":
    # The jobs are pickled as this module's classes: serve from the module as imported,
    # not from this ``__main__`` copy of it.
    from carecal.solver.meals.helper import serve as serve_imported

    serve_imported()
