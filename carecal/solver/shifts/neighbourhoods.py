"""Step 3 of the shift search: large neighbourhood search.

Free a few volunteers over the whole period (drawn where the plan costs most or, after
column generation, those whose timetables the LP finds dearest), or everyone over a few
days, or a block of both; re-plan that part with CP-SAT (no presolve: it costs more than it
saves on these small models) and keep it when the plan is no worse. Neighbourhood sizes
grow when CP-SAT proves them optimal and shrink when it runs out of time.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ortools.sat.python import cp_model

from carecal.solver.shifts.base import SearchBase
from carecal.solver.shifts.model import ShiftModel
from carecal.solver.shifts.problem import Roster, roster_cost

__all__ = ["Neighbourhoods"]

logger = logging.getLogger(__name__)

Drawn = tuple[str, list[int], set[int] | None]
"""A neighbourhood: its kind, the volunteers freed and the days freed (``None``: all)."""

# Which size each kind of neighbourhood grows or shrinks.
_SIZE_OF = {"volunteers": "volunteers", "days": "days", "block": "block_days"}


class Neighbourhoods(SearchBase):
    """Large neighbourhood search from a timetable (:meth:`improve`)."""

    lp_guided = 0.5  # share of volunteer neighbourhoods drawn by the LP's reduced costs
    start_volunteers = 3.0
    shrink = 0.7
    lns_flow = True
    step_limit = 3.0  # seconds per neighbourhood solve (0.5 when the limit is under 20 s)
    # From this many volunteers over at most lanes_days days, after column generation, each
    # neighbourhood step solves two neighbourhoods side by side on one worker each (on 2+
    # cores, not in deterministic mode); otherwise one on all workers.
    lanes_from = 30
    lanes_days = 28

    def improve(
        self, roster: Roster, best: int, until: float, bound: float | None = None
    ) -> tuple[Roster, int]:
        """Large neighbourhood search until the clock reads ``until`` or ``best`` meets
        the proven ``bound``; after column generation on ``lanes_from`` volunteers or
        more over at most ``lanes_days`` days, two neighbourhoods a step."""
        p = self.p
        size = {
            "volunteers": min(p.n_volunteers, self.start_volunteers),
            "days": 7.0 if p.n_volunteers <= 60 else 4.0,
            "block_days": 14.0,
            "block_volunteers": max(2.0, p.n_volunteers / 3),
        }
        steps = 0
        overhead = 0.0  # the last step's time outside CP-SAT (building, pricing)
        floor = 0.0 if bound is None else max(0.0, bound)
        lanes = self._lanes()
        executor = ThreadPoolExecutor(max_workers=lanes) if lanes > 1 else None
        try:
            while self.elapsed() + overhead < until - 0.05 and best > floor + 1e-6:
                began = self.elapsed()
                drawn = [self.neighbourhood(roster, size) for _ in range(lanes)]
                models = [
                    ShiftModel(p, self.st, vols, days, roster, use_flow=self.lns_flow)
                    for _, vols, days in drawn
                ]
                limit = until - self.elapsed() - overhead
                if limit < 0.05:
                    break
                limit = min(limit, self.step_limit if self.time_limit >= 20 else 0.5)
                solved = self.elapsed()
                results = self._solve_each(models, limit, executor)
                spent = self.elapsed() - solved
                found: list[tuple[int, int, Roster, str]] = []
                for n, ((kind, vols, days), model, (solver, status)) in enumerate(
                    zip(drawn, models, results, strict=True)
                ):
                    steps += 1
                    solved_ok = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
                    logger.debug(
                        "step %d %s vols=%d days=%s status=%s obj=%s best=%d t=%.1f",
                        steps,
                        kind,
                        len(vols),
                        None if days is None else len(days),
                        solver.status_name(status),
                        solver.objective_value if solved_ok else None,
                        best,
                        self.elapsed(),
                    )
                    if solved_ok:
                        plan = model.read(solver)
                        found.append((roster_cost(p, plan), n, plan, kind))
                    _resize(size, kind, status == cp_model.OPTIMAL, self.shrink)
                # The best of the neighbourhoods' plans, kept when it is no worse.
                if found:
                    value, _, candidate, kind = min(found)
                    if value <= best:
                        if value < best:
                            self.say(
                                f"shifts: objective {value} after {self.elapsed():.1f} s ({kind})"
                            )
                        roster, best = candidate, value
                overhead = max(0.0, self.elapsed() - began - spent)
        finally:
            if executor is not None:
                executor.shutdown(wait=True)
        logger.info("shifts: %d neighbourhood steps", steps)
        return roster, best

    def _lanes(self) -> int:
        """How many neighbourhoods a step solves side by side: two after column generation
        on many volunteers over a short period (on 2+ cores, not deterministic), else one."""
        p = self.p
        cores = self.workers or os.cpu_count() or 1
        side_by_side = (
            self.lp is not None
            and p.n_volunteers >= self.lanes_from
            and p.n_days <= self.lanes_days
        )
        return 2 if side_by_side and not self.deterministic and cores >= 2 else 1

    def _solve_each(
        self, models: list[ShiftModel], limit: float, executor: ThreadPoolExecutor | None
    ) -> list[tuple[Any, Any]]:
        """Solve each neighbourhood's model: one on all workers, or side by side on one
        worker each."""
        if executor is None:
            return [self._solve(models[0], limit, presolve=False)]
        futures = [executor.submit(self._solve, m, limit, 1, False, False) for m in models]
        return [f.result() for f in futures]

    def neighbourhood(self, roster: Roster, size: dict[str, float]) -> Drawn:
        """Which cells to free: some volunteers, some days, or a block of both."""
        p = self.p
        kind = self.rng.choice(("volunteers", "days", "block"))
        nv, nd = p.n_volunteers, p.n_days
        if kind == "volunteers" or nd <= 7:
            k = max(2, min(nv, round(size["volunteers"])))
            if self.lp is not None and self.rng.random() < self.lp_guided:
                # Those whose timetables the LP finds dearest, drawn in proportion.
                weight = [max(0.0, self.lp.reduced_cost(v, roster[v])) + 1.0 for v in range(nv)]
                chosen: list[int] = []
                while len(chosen) < k:
                    v = self.rng.choices(range(nv), weights=weight)[0]
                    weight[v] = 0.0
                    chosen.append(v)
                return "volunteers", chosen, None
            # Volunteers who could swap shifts on a costly day.
            day = self._costly_day(roster)
            pool = list(range(nv))
            self.rng.shuffle(pool)
            there = [v for v in pool if day in p.eligible_on_day[v]]
            rest = [v for v in pool if day not in p.eligible_on_day[v]]
            return "volunteers", (there + rest)[:k], None
        day = self._costly_day(roster)
        if kind == "days" or nv <= 3:
            w = max(2, min(nd, round(size["days"])))
            a = max(0, min(nd - w, day - self.rng.randrange(w)))
            return "days", list(range(nv)), set(range(a, a + w))
        w = max(3, min(nd, round(size["block_days"])))
        k = max(2, min(nv, round(size["block_volunteers"])))
        a = max(0, min(nd - w, day - self.rng.randrange(w)))
        pool = list(range(nv))
        self.rng.shuffle(pool)
        pool.sort(key=lambda v: -sum(1 for d in range(a, a + w) if d in p.eligible_on_day[v]))
        return "block", pool[:k], set(range(a, a + w))

    def _costly_day(self, roster: Roster) -> int:
        """A day drawn in proportion to what it costs (cover and requests), or at random."""
        p = self.p
        if self.rng.random() < 0.3:
            return self.rng.randrange(p.n_days)
        count = [0] * len(p.slots)
        for slots in roster:
            for i in slots:
                count[i] += 1
        cost = [0.0] * p.n_days
        for s in p.slots:
            c = count[s.index]
            cost[s.day] += s.weight_under * max(0, s.min_volunteers - c)
            if s.max_volunteers is not None:
                cost[s.day] += s.weight_over * max(0, c - s.max_volunteers)
        for v, slots in enumerate(roster):
            for r in p.requests_of[v]:
                on = (
                    any(p.slots[i].day == r.day for i in slots)
                    if r.slots is None
                    else any(i in slots for i in r.slots)
                )
                if on != r.want:
                    cost[r.day] += r.cost
        total = sum(cost)
        if total <= 0:
            return self.rng.randrange(p.n_days)
        return self.rng.choices(range(p.n_days), weights=cost)[0]


def _resize(size: dict[str, float], kind: str, optimal: bool, shrink: float) -> None:
    """Grow the size of a ``kind`` of neighbourhood CP-SAT solved to optimality; shrink it
    by ``shrink`` when CP-SAT ran out of time."""
    key = _SIZE_OF[kind]
    if optimal:
        size[key] *= 1.15
        if kind == "block":
            size["block_volunteers"] *= 1.1
    else:
        size[key] = max(2.0, size[key] * shrink)
        if kind == "block":
            size["block_volunteers"] = max(2.0, size["block_volunteers"] * 0.9)
