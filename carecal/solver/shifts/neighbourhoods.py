"""Step 3 of the shift search: large neighbourhood search.

Free a few volunteers over the whole period (drawn where the plan costs most or, after
column generation, those whose timetables the LP finds dearest), or everyone over a few
days, or a block of both; re-plan that part with CP-SAT (no presolve: it costs more than it
saves on these small models) and keep it when the plan is no worse. Neighbourhood sizes
grow when CP-SAT proves them optimal and shrink when it runs out of time, always between
two and the problem's own number of volunteers or days; a neighbourhood that frees the
whole timetable and is proven optimal proves the plan optimal, and the search stops.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ortools.sat.python import cp_model

from carecal.solver.shifts.base import SearchBase, meets
from carecal.solver.shifts.model import ShiftModel
from carecal.solver.shifts.problem import Roster, ShiftProblem, roster_cost

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
    sizes: dict[str, float]  # the current size of each kind, set by :meth:`improve`

    def improve(
        self, roster: Roster, best: int, until: float, bound: float | None = None
    ) -> tuple[Roster, int, float | None]:
        """Large neighbourhood search until the clock reads ``until`` or ``best`` meets
        the proven ``bound``; after column generation on ``lanes_from`` volunteers or
        more over at most ``lanes_days`` days, two neighbourhoods a step.

        Returns the best timetable, its cost and the bound, which is that cost once a
        neighbourhood of the whole timetable was proven optimal.
        """
        p = self.p
        if p.n_volunteers == 0 or p.n_days == 0:
            return roster, best, bound
        self.sizes = starting_sizes(p.n_volunteers, p.n_days, self.start_volunteers)
        size = self.sizes
        steps = 0
        overhead = 0.0  # the last step's time outside CP-SAT (building, pricing)
        floor = 0.0 if bound is None else max(0.0, bound)
        lanes = self._lanes()
        executor = ThreadPoolExecutor(max_workers=lanes) if lanes > 1 else None
        try:
            while (
                self.elapsed() + overhead < until - 0.05
                and best > floor + 1e-6
                and not meets(best, bound)
            ):
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
                        cost = roster_cost(p, plan)
                        found.append((cost, n, plan, kind))
                        if status == cp_model.OPTIMAL and self._everything(vols, days):
                            # The whole timetable was free: its optimum is the problem's.
                            bound = floor = float(cost)
                    resize(size, kind, status == cp_model.OPTIMAL, self.shrink, p)
                # The best of the neighbourhoods' plans, kept when it is no worse.
                if found:
                    value, _, candidate, kind = min(found)
                    if value <= best:
                        if value < best:
                            self.reporter(
                                "improving",
                                f"improving: objective {value} ({kind} neighbourhood), "
                                f"bound {bound}",
                                value,
                                bound,
                            )
                        roster, best = candidate, value
                overhead = max(0.0, self.elapsed() - began - spent)
        finally:
            if executor is not None:
                executor.shutdown(wait=True)
        logger.debug("shifts: %d neighbourhood steps", steps)
        return roster, best, bound

    def _everything(self, volunteers: list[int], days: set[int] | None) -> bool:
        """Whether a neighbourhood frees every cell of the timetable."""
        p = self.p
        return len(set(volunteers)) == p.n_volunteers and (
            days is None or all(d in days for d in range(p.n_days))
        )

    def _lanes(self) -> int:
        """How many neighbourhoods a step solves side by side: two after column generation
        on many volunteers over a short period (on 2+ workers, not deterministic), else
        one."""
        p = self.p
        cores = self.workers
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
            k = _count(size["volunteers"], 2, nv)
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
            w = _count(size["days"], 2, nd)
            a = max(0, min(nd - w, day - self.rng.randrange(w)))
            return "days", list(range(nv)), set(range(a, a + w))
        w = _count(size["block_days"], 3, nd)
        k = _count(size["block_volunteers"], 2, nv)
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


def starting_sizes(volunteers: int, days: int, start_volunteers: float) -> dict[str, float]:
    """The first size of each kind of neighbourhood, within the problem's counts."""
    return {
        "volunteers": float(min(volunteers, start_volunteers)),
        "days": float(min(days, 7 if volunteers <= 60 else 4)),
        "block_days": float(min(days, 14)),
        "block_volunteers": float(min(volunteers, max(2.0, volunteers / 3))),
    }


def resize(
    size: dict[str, float], kind: str, optimal: bool, shrink: float, problem: ShiftProblem
) -> None:
    """Grow the size of a ``kind`` of neighbourhood CP-SAT solved to optimality; shrink it
    by ``shrink`` when CP-SAT ran out of time.

    A size never grows past the problem's own count of volunteers or days: a tiny
    problem is solved to optimality step after step, and a size grown without end would
    overflow (and mean nothing beyond freeing everything).
    """
    most = {
        "volunteers": problem.n_volunteers,
        "days": problem.n_days,
        "block_days": problem.n_days,
        "block_volunteers": problem.n_volunteers,
    }
    changed = [_SIZE_OF[kind]] + (["block_volunteers"] if kind == "block" else [])
    for key in changed:
        if optimal:
            grown = size[key] * (1.1 if key == "block_volunteers" else 1.15)
        else:
            grown = max(2.0, size[key] * (0.9 if key == "block_volunteers" else shrink))
        size[key] = float(min(most[key], grown))


def _count(size: float, fewest: int, most: int) -> int:
    """A neighbourhood's size in whole volunteers or days: ``size`` rounded, at least
    ``fewest`` and at most ``most`` (the problem's count, which may be below ``fewest``)."""
    return max(0, min(most, max(fewest, round(size))))
