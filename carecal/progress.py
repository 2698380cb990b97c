"""Progress of a planner call: events for a callable, or a progress bar.

A planner never prints. It reports what it is doing through its ``progress`` option:

- ``False`` (or ``None``): nothing is reported (events still go to the module logger at
  DEBUG level);
- ``True``: a progress bar (tqdm: on stderr in a terminal, a widget in a notebook) over
  the call's time limit, showing the stage and the best objective so far;
- a callable: it receives every :class:`ProgressEvent`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from carecal.options import Deadline

__all__ = ["ProgressEvent", "Reporter", "make_reporter"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProgressEvent:
    """One step of a planner call.

    Attributes
    ----------
    planner : str
        Which planner speaks (``"plan_meals"``, ``"plan_health_checks"``, ...).
    stage : str
        The step it is in (``"routing"``, ``"booking"``, ``"improving"``, ``"done"``, ...).
    message : str
        One line for people.
    elapsed : float
        Seconds since the top-level call began.
    time_limit : float
        The top-level call's time limit in seconds.
    objective : float or None
        The best plan's objective so far, where the stage has one.
    bound : float or None
        The best proven bound so far, where the stage has one.
    """

    planner: str
    stage: str
    message: str
    elapsed: float
    time_limit: float
    objective: float | None = None
    bound: float | None = None

    def __str__(self) -> str:
        return self.message


class Reporter:
    """Sends a planner's progress events to the sink its ``progress`` option chose.

    One reporter serves a whole top-level call; :meth:`part` gives the reporter of a
    planner called inside it (``plan_week`` calling ``plan_meals``), sharing the sink.
    """

    def __init__(
        self,
        sink: Callable[[ProgressEvent], Any] | None,
        planner: str,
        time_limit: float,
        deadline: Deadline,
        bar: _Bar | None = None,
    ) -> None:
        self._sink = sink
        self.planner = planner
        self._time_limit = time_limit
        self._deadline = deadline
        self._bar = bar
        self._lock = threading.Lock()

    def part(self, planner: str) -> Reporter:
        """The reporter of a planner that runs inside this call (same sink and clock)."""
        return Reporter(self._sink, planner, self._time_limit, self._deadline, self._bar)

    def __call__(
        self,
        stage: str,
        message: str,
        objective: float | None = None,
        bound: float | None = None,
    ) -> None:
        """Report one event (from any thread: solver callbacks run on their own)."""
        logger.debug("%s %s: %s", self.planner, stage, message)
        if self._sink is None:
            return
        event = ProgressEvent(
            planner=self.planner,
            stage=stage,
            message=message,
            elapsed=self._deadline.elapsed(),
            time_limit=self._time_limit,
            objective=objective,
            bound=bound,
        )
        with self._lock:
            self._sink(event)

    def close(self) -> None:
        """End the progress bar, if this call drew one (a no-op for parts and callables)."""
        if self._bar is not None and self._bar.owner is self:
            self._bar.close()


class _Bar:
    """A tqdm bar over the time limit; the postfix shows the stage and best objective."""

    def __init__(self, time_limit: float, planner: str) -> None:
        from tqdm.auto import tqdm

        self.owner: Reporter | None = None
        self._bar = tqdm(
            total=round(time_limit, 1),
            desc=planner,
            unit="s",
            bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s {postfix}",
            leave=True,
        )
        self._best: dict[str, float] = {}

    def __call__(self, event: ProgressEvent) -> None:
        done = min(float(self._bar.total), round(event.elapsed, 1))
        if done > self._bar.n:
            self._bar.update(done - self._bar.n)
        if event.objective is not None:
            self._best[event.planner] = event.objective
        best = self._best.get(event.planner)
        text = event.stage if best is None else f"{event.stage}, best {best:g}"
        self._bar.set_description_str(event.planner, refresh=False)
        self._bar.set_postfix_str(text)

    def close(self) -> None:
        self._bar.close()


def make_reporter(
    progress: bool | Callable[[ProgressEvent], Any] | None,
    planner: str,
    time_limit: float,
    deadline: Deadline,
) -> Reporter:
    """The reporter for a call's ``progress`` option (see the module docstring)."""
    if progress is True:
        bar = _Bar(time_limit, planner)
        reporter = Reporter(bar, planner, time_limit, deadline, bar)
        bar.owner = reporter
        return reporter
    if callable(progress):
        return Reporter(progress, planner, time_limit, deadline)
    return Reporter(None, planner, time_limit, deadline)
