"""The solving options every planner takes, checked once, and the call's deadline.

Every planner (``plan_meals``, ``plan_health_checks``, ``plan_shifts``, ``plan_week``)
takes the same keyword options with the same meaning:

``time_limit``
    Total wall-clock seconds for the whole call (reading the problem, solving, explaining
    who was not served). ``plan_week`` splits its limit among the planners it calls.
``workers``
    Solver threads for this plan; ``None`` means every core of the machine.
``seed``
    Seed of the solvers' randomness (a whole number, default 0).
``deterministic``
    Same input, same options: the same plan, whatever the machine's load. Each solve then
    stops after a fixed amount of *work* (CP-SAT's deterministic time on one worker, the
    routing search's number of solutions) instead of the clock, and what is left of the
    limit is the limit less the work done (:class:`Work`), so ``time_limit`` becomes a
    budget of work: roughly the same seconds on an idle machine, more on a busy one.
``progress``
    ``False`` (default) for silence; ``True`` for a progress bar on stderr (or in the
    notebook); or a callable that receives each :class:`carecal.progress.ProgressEvent`.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from carecal.errors import OptionError

if TYPE_CHECKING:
    from carecal.progress import ProgressEvent, Reporter

__all__ = ["Deadline", "ProgressOption", "SolveOptions", "solve_options"]

DETERMINISTIC_GUARD = 10.0
DETERMINISTIC_GUARD_FLOOR = 10.0
"""A deterministic solve given ``s`` seconds of work stops on the clock only after
``10 * s + 10`` seconds: a guard against a runaway solve that even a busy machine does not
reach (a solve stopped by the clock would make the plan depend on the machine's load)."""

ProgressOption = bool | Callable[["ProgressEvent"], Any] | None
"""What ``progress=`` accepts: ``False``/``None``, ``True``, or a callable of events."""


@dataclass
class Deadline:
    """The wall-clock end of a call: every step asks how much time is left.

    Parameters
    ----------
    seconds
        Seconds from now.
    """

    seconds: float
    began: float = field(default_factory=time.perf_counter)

    def elapsed(self) -> float:
        """Seconds since the call began."""
        return time.perf_counter() - self.began

    def remaining(self) -> float:
        """Seconds left, never below zero."""
        return max(0.0, self.seconds - self.elapsed())


@dataclass
class Work:
    """Work spent by the solves of a deterministic call, in CP-SAT's deterministic seconds.

    In deterministic mode the clock must not decide anything (a busy machine would change
    the plan), so what is left of a call's budget is its time limit less the work its
    solves *report*, which is the same on every run. A part of a call (``plan_week``'s
    meals, campaign, shifts) charges its parent too.
    """

    spent: float = 0.0
    parent: Work | None = None

    def add(self, seconds: float) -> None:
        """Count ``seconds`` of work here and in every enclosing call."""
        self.spent += max(0.0, seconds)
        if self.parent is not None:
            self.parent.add(seconds)


@dataclass(frozen=True)
class SolveOptions:
    """The checked solving options of one planner call (see the module docstring).

    Build it with :func:`solve_options`, which checks every value; ``workers`` is then
    a whole number of threads (the machine's cores when the caller gave ``None``).
    """

    time_limit: float
    workers: int
    seed: int
    deterministic: bool
    progress: ProgressOption
    planner: str
    deadline: Deadline = field(compare=False, repr=False)
    reporter: Reporter = field(compare=False, repr=False)
    work: Work = field(default_factory=Work, compare=False, repr=False)

    def with_time_limit(self, seconds: float, planner: str | None = None) -> SolveOptions:
        """The same options for a part of this call, with a time limit of its own.

        Used by ``plan_week`` to hand each planner its share; the progress sink is shared
        so one bar covers the whole call.
        """
        seconds = max(0.05, float(seconds))
        return replace(
            self,
            time_limit=seconds,
            planner=planner or self.planner,
            deadline=Deadline(seconds),
            reporter=self.reporter.part(planner or self.planner),
            work=Work(parent=self.work),
        )

    def remaining(self) -> float:
        """What is left of this call's time limit: wall seconds, or in deterministic mode
        the limit less the work its solves reported (never the clock: see :class:`Work`)."""
        if self.deterministic:
            return max(0.0, self.time_limit - self.work.spent)
        return self.deadline.remaining()

    def wall_guard(self, seconds: float) -> float:
        """The wall-clock limit of a solve given ``seconds``: ``seconds`` itself, or in
        deterministic mode the guard (:data:`DETERMINISTIC_GUARD`), since such a solve
        stops on work."""
        if self.deterministic:
            return seconds * DETERMINISTIC_GUARD + DETERMINISTIC_GUARD_FLOOR
        return seconds

    def spend(self, work: float) -> None:
        """Count the work a solve reported (used by :meth:`remaining` when deterministic)."""
        self.work.add(work)


def solve_options(
    planner: str,
    *,
    time_limit: Any,
    workers: Any = None,
    seed: Any = 0,
    deterministic: Any = False,
    progress: Any = False,
) -> SolveOptions:
    """Check the solving options of a planner call and start its deadline.

    Parameters
    ----------
    planner
        The planner's name, for messages and progress events (``"plan_meals"``, ...).
    time_limit, workers, seed, deterministic, progress
        As the caller gave them (see the module docstring).

    Returns
    -------
    SolveOptions
        The options, with ``workers`` resolved and the deadline started now.

    Raises
    ------
    carecal.OptionError
        For a time limit that is not a positive finite number of seconds, a worker count
        that is not a whole number of 1 or more, a seed that is not a whole number of 0 or
        more, a ``deterministic`` that is not true or false, or a ``progress`` that is not
        ``True``, ``False`` or a callable.
    """
    from carecal.progress import make_reporter

    limit = _time_limit(planner, time_limit)
    threads = _workers(planner, workers)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise OptionError(f"{planner}: seed must be a whole number of 0 or more, not {seed!r}")
    if not isinstance(deterministic, bool):
        raise OptionError(f"{planner}: deterministic must be True or False, not {deterministic!r}")
    if progress is not None and not isinstance(progress, bool) and not callable(progress):
        raise OptionError(
            f"{planner}: progress must be True (a progress bar), False, or a callable "
            f"that receives progress events, not {progress!r}"
        )
    deadline = Deadline(limit)
    return SolveOptions(
        time_limit=limit,
        workers=threads,
        seed=seed,
        deterministic=deterministic,
        progress=progress,
        planner=planner,
        deadline=deadline,
        reporter=make_reporter(progress, planner, limit, deadline),
    )


def _time_limit(planner: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise OptionError(
            f"{planner}: time_limit must be a number of seconds, not {value!r}; "
            "for example time_limit=10"
        )
    if not math.isfinite(value) or value <= 0:
        raise OptionError(
            f"{planner}: time_limit must be a positive number of seconds, not {value}; "
            "for example time_limit=10"
        )
    return float(value)


def _workers(planner: str, value: Any) -> int:
    if value is None:
        return max(1, os.cpu_count() or 1)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise OptionError(
            f"{planner}: workers must be a whole number of solver threads, 1 or more "
            f"(or None for every core), not {value!r}"
        )
    return value
