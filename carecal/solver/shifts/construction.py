"""Step 1 of the shift search: a first timetable, one volunteer at a time.

Every hard rule belongs to one volunteer, so planning them one by one against the cover
still open keeps every rule. Feasibility comes first, on a short list of the shifts with
most places still open; the later steps do the optimising.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from ortools.sat.python import cp_model

from carecal.solver.shifts.base import SearchBase
from carecal.solver.shifts.model import ShiftModel
from carecal.solver.shifts.problem import Roster

__all__ = ["Construction"]

Attempt = tuple[dict[int, set[int]] | None, float, int | None, bool]
"""One try at a volunteer's timetable: the slots allowed (``None``: every slot they may
work), the time limit, the CP-SAT workers (``None``: the default) and whether quick."""

_FOUND = (cp_model.OPTIMAL, cp_model.FEASIBLE)


class Construction(SearchBase):
    """The first timetable of the search (:meth:`construct`)."""

    def construct(self, start: Roster | None) -> tuple[Roster, list[int], list[int]]:
        """A first timetable, one volunteer at a time against the cover still open.

        Each volunteer is first planned on a short list of shifts per day (those with the
        most places still open), which keeps the model small; only when that admits no
        timetable is the volunteer planned on every shift they may work. A ``start``
        timetable is kept where it is valid. Returns the timetable, the volunteers whose
        own rules admit none, and those for whom none was found in the time.
        """
        p = self.p
        roster: Roster = [set() for _ in range(p.n_volunteers)]
        if start is not None:
            roster = [set(s) & p.eligible_set[v] for v, s in enumerate(start)]
        hinted = start is not None
        order = list(range(p.n_volunteers))
        # The least flexible first: fewer slots they may work.
        order.sort(key=lambda v: (len(p.eligible[v]), v))
        count = [0] * len(p.slots)
        for slots in roster:
            for i in slots:
                count[i] += 1
        budget = 0.25 * self.time_limit
        infeasible: list[int] = []
        unknown: list[int] = []
        tally = [0, 0]  # short lists that admitted a timetable, and those that did not

        # Outside deterministic mode, the next volunteer's model is built while CP-SAT
        # solves this one's (it releases the GIL); its short list then misses this
        # volunteer's shifts, which only makes it a little less sharp.
        pool = None if self.deterministic else ThreadPoolExecutor(max_workers=1)
        ahead: tuple[list[Attempt], ShiftModel] | None = None
        try:
            for n_done, v in enumerate(order):
                if ahead is not None:
                    attempts, model = ahead
                else:
                    attempts = self._attempts(v, count, budget, len(order) - n_done, tally)
                    model = self._model(v, roster, attempts[0][0], hinted)
                ahead = None
                future: Future[Any] | None = None
                if pool is not None:
                    _, limit, workers, quick = attempts[0]
                    future = pool.submit(self._solve, model, limit, workers, True, True, quick)
                    if n_done + 1 < len(order):
                        nxt = order[n_done + 1]
                        left = len(order) - n_done - 1
                        nxt_attempts = self._attempts(nxt, count, budget, left, tally)
                        ahead = (nxt_attempts, self._model(nxt, roster, nxt_attempts[0][0], hinted))
                roster_v, proven = self._timetable(
                    v, roster, attempts, model, future, tally, hinted
                )
                if proven:
                    infeasible.append(v)
                for i in roster[v]:
                    count[i] -= 1
                if roster_v is None:
                    if v not in infeasible:
                        unknown.append(v)
                    roster[v] = set()
                else:
                    roster[v] = roster_v
                    for i in roster_v:
                        count[i] += 1
        finally:
            if pool is not None:
                pool.shutdown(wait=True)
        return roster, infeasible, unknown

    def _attempts(
        self, v: int, count: list[int], budget: float, left: int, tally: list[int]
    ) -> list[Attempt]:
        """The tries at volunteer ``v``'s timetable, in order, with ``left`` volunteers to go
        (``v`` included) sharing what is left of ``budget``."""
        share = max(0.05, (budget - self.elapsed()) / max(1, left))
        # Feasibility first, on a short list of the shifts with most places open; the
        # search afterwards does the optimising. A volunteer whose pledges are tight (a
        # narrow band of minutes, few days off) needs every shift, and at worst a wide
        # portfolio of CP-SAT workers, even on few cores.
        out: list[Attempt] = [
            ({v: self._short_list(v, count)}, min(max(share, 0.1), 0.5), None, True),
            (None, max(share, 2.0), None, True),
            (None, max(share, 5.0), 8, False),
            (None, max(share, 20.0), 8, False),
        ]
        if tally[1] >= 4 and tally[1] > tally[0]:
            # The short list mostly admits no timetable in time here: go straight on.
            out = out[1:]
        return out

    def _model(
        self, v: int, roster: Roster, allowed: dict[int, set[int]] | None, hinted: bool
    ) -> ShiftModel:
        """Volunteer ``v``'s own rules alone, against ``roster``, on the ``allowed`` slots."""
        return ShiftModel(
            self.p,
            self.st,
            [v],
            None,
            roster,
            use_flow=False,
            hints=hinted,
            allowed=allowed,
            objective=False,
        )

    def _timetable(
        self,
        v: int,
        roster: Roster,
        attempts: list[Attempt],
        model: ShiftModel,
        future: Future[Any] | None,
        tally: list[int],
        hinted: bool,
    ) -> tuple[set[int] | None, bool]:
        """Volunteer ``v``'s timetable from the first attempt that finds one (the first
        attempt's ``model`` given, maybe already solving in ``future``), or ``None``; and
        whether their own rules were proven to admit none."""
        for k, (allowed, limit, workers, quick) in enumerate(attempts):
            if k > 0:
                model = self._model(v, roster, allowed, hinted)
            if future is not None and k == 0:
                solver, status = future.result()
            else:
                solver, status = self._solve(model, limit, workers, first=True, quick=quick)
            if allowed is not None:
                tally[0 if status in _FOUND else 1] += 1
            if status in _FOUND:
                return model.read(solver)[v], False
            if status == cp_model.INFEASIBLE and allowed is None:
                return None, True
        return None, False

    def _short_list(self, v: int, count: list[int], per_day: int = 3) -> set[int]:
        """Per day, the few shifts volunteer ``v`` may work with the most open places."""
        p = self.p
        out: set[int] = set()
        for slots in p.eligible_on_day[v].values():
            if len(slots) <= per_day:
                out.update(slots)
                continue
            ranked = sorted(
                slots,
                key=lambda i: (
                    -p.slots[i].weight_under * max(0, p.slots[i].min_volunteers - count[i]),
                    -p.slots[i].minutes,
                    self.rng.random(),
                ),
            )
            out.update(ranked[:per_day])
        return out
