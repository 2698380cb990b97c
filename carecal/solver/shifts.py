"""The volunteers' shift plan: who is on duty when, fairly, within what each pledged (CP-SAT).

Every hard rule belongs to one volunteer (skill, availability, one shift at a time, weekly
limits, rest, successions, runs of days, weekends, period pledges); the cover of a shift is
soft. So an empty timetable breaks no rule except a minimum of minutes, and the planner
works in three steps that each keep every hard rule:

1. a first timetable, volunteer by volunteer: feasibility first, on a short list of the
   shifts with most places still open (a volunteer with tight pledges gets every shift they
   may work and a wide CP-SAT portfolio);
2. on problems of up to a few thousand (volunteer, shift) pairs, column generation
   (:mod:`carecal.solver.shifts_columns`): the LP over whole timetables per volunteer,
   priced by CP-SAT, gives a proven bound far tighter than the compact model's, and its
   most used timetables, swapped while that helps, a plan near the LP's; on larger
   problems up to a limit, CP-SAT on the whole model from the first timetable instead;
3. large neighbourhood search: free a few volunteers over the whole period (drawn where
   the plan costs most or, after column generation, those whose timetables the LP finds
   dearest), or everyone over a few days, or a block of both; re-plan that part
   with CP-SAT (no presolve: it costs more than it saves on these small models) and keep
   it when the plan is no worse. Neighbourhood sizes grow when CP-SAT proves them optimal
   and shrink when it runs out of time. After column generation on 30 volunteers or
   more over at most four weeks, each step re-plans two neighbourhoods side by side, one
   CP-SAT worker each, and keeps the better plan.

The model itself is in :mod:`carecal.solver.shifts_model`, one small method per care rule,
over the *free* cells of a timetable; the rest stays as it is.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import random
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from carecal.clock import DAY_MINUTES, format_time
from carecal.explain import shift_no_timetable_in_time, shift_pledges_contradict, shift_short
from carecal.model import Community, coerce_date
from carecal.plans import Assignment, ShiftPlan, Status, Unserved, UnservedKind
from carecal.solver.shifts_columns import ColumnGeneration
from carecal.solver.shifts_model import ShiftModel, build_structure
from carecal.solver.shifts_problem import (
    TERMS,
    Demand,
    Roster,
    ShiftProblem,
    build_shift_problem,
    conflicts,
    fair_cost,
    objective_terms,
)

__all__ = ["ShiftSolution", "plan_shifts", "solve_shift_problem"]

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]
"""A callback that receives one line of progress text at a time."""

# Problems with at most this many (volunteer, shift) pairs and days get column generation
# first; others up to the second limit get a whole-model solve instead. (On 84 days the
# pricing of whole timetables is too slow for the LP to settle within a minute: no bound,
# and on one of the two such Curtois instances a worse plan.)
_COLUMN_LIMIT = 15_000
_COLUMN_DAYS = 56
_FULL_MODEL_LIMIT = 40_000
# Up to this many pairs the whole model also runs after column generation, when the LP's
# bound does not already prove the plan optimal: CP-SAT's branching often can.
_PROOF_LIMIT = 1_000


@dataclass
class ShiftSolution:
    """What :func:`solve_shift_problem` found.

    Attributes
    ----------
    roster
        Per volunteer index, the slot indices they work.
    terms
        The named objective terms of ``roster``.
    bound
        A proven lower bound on the objective, or ``None``.
    status
        How the solve ended.
    infeasible
        Volunteers whose own rules admit no timetable at all.
    unknown
        Volunteers for whom no timetable was found in the time given.
    """

    roster: Roster
    terms: dict[str, int]
    bound: float | None
    status: Status
    infeasible: list[int]
    unknown: list[int] = field(default_factory=list)

    @property
    def objective(self) -> int:
        """The sum of the objective terms."""
        return sum(self.terms.values())


class _StopAt(cp_model.CpSolverSolutionCallback):
    """Stops CP-SAT at the first plan whose cost meets a bound proven elsewhere."""

    def __init__(self, bound: float) -> None:
        super().__init__()
        self.bound = bound

    def on_solution_callback(self) -> None:
        if _meets(self.objective_value, self.bound):
            self.stop_search()


class _Search:
    """Construction, whole-model solve and large neighbourhood search on one problem."""

    whole_share = 0.15  # share of the time given to the whole-model solve on small problems
    column_share = 0.6  # most of the time column generation may take
    lp_guided = 0.5  # share of volunteer neighbourhoods drawn by the LP's reduced costs
    near_lp_share = 0.4  # share of the time left after column generation for near_lp
    lp_settled = 0.01  # an LP value this close to 0 or 1 fixes the cell in near_lp
    start_volunteers = 3.0
    shrink = 0.7
    whole_flow = False
    lns_flow = True
    step_limit = 3.0  # seconds per neighbourhood solve (0.5 when the limit is under 20 s)
    # From this many volunteers over at most lanes_days days, after column generation, each
    # neighbourhood step solves two neighbourhoods side by side on one worker each (on 2+
    # cores, not in deterministic mode); otherwise one on all workers.
    lanes_from = 30
    lanes_days = 28

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
        if self.deterministic:
            return self.work_done
        return time.monotonic() - self.t0

    def remaining(self) -> float:
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
        logger.info(text)
        if self.progress is not None:
            self.progress(text)

    # --- step 1 ---------------------------------------------------------------------------
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

        def attempts_for(v: int, n_done: int) -> list[tuple[Any, float, int | None, bool]]:
            share = max(0.05, (budget - self.elapsed()) / max(1, len(order) - n_done))
            # Feasibility first, on a short list of the shifts with most places open; the
            # search afterwards does the optimising. A volunteer whose pledges are tight (a
            # narrow band of minutes, few days off) needs every shift, and at worst a wide
            # portfolio of CP-SAT workers, even on few cores.
            out: list[tuple[Any, float, int | None, bool]] = [
                ({v: self._short_list(v, count)}, min(max(share, 0.1), 0.5), None, True),
                (None, max(share, 2.0), None, True),
                (None, max(share, 5.0), 8, False),
                (None, max(share, 20.0), 8, False),
            ]
            if tally[1] >= 4 and tally[1] > tally[0]:
                # The short list mostly admits no timetable in time here: go straight on.
                out = out[1:]
            return out

        def build(v: int, allowed: dict[int, set[int]] | None) -> ShiftModel:
            return ShiftModel(
                p,
                self.st,
                [v],
                None,
                roster,
                use_flow=False,
                hints=start is not None,
                allowed=allowed,
                objective=False,
            )

        # Outside deterministic mode, the next volunteer's model is built while CP-SAT
        # solves this one's (it releases the GIL); its short list then misses this
        # volunteer's shifts, which only makes it a little less sharp.
        pool = None if self.deterministic else ThreadPoolExecutor(max_workers=1)
        ahead: tuple[list[Any], ShiftModel] | None = None
        try:
            for n_done, v in enumerate(order):
                if ahead is not None:
                    attempts, model = ahead
                else:
                    attempts = attempts_for(v, n_done)
                    model = build(v, attempts[0][0])
                ahead = None
                future: Future[Any] | None = None
                if pool is not None:
                    _, limit, workers, quick = attempts[0]
                    future = pool.submit(self._solve, model, limit, workers, True, True, quick)
                    if n_done + 1 < len(order):
                        nxt = order[n_done + 1]
                        nxt_attempts = attempts_for(nxt, n_done + 1)
                        ahead = (nxt_attempts, build(nxt, nxt_attempts[0][0]))
                roster_v = None
                for k, (attempt, limit, workers, quick) in enumerate(attempts):
                    if k > 0:
                        model = build(v, attempt)
                    if future is not None and k == 0:
                        solver, status = future.result()
                    else:
                        solver, status = self._solve(model, limit, workers, first=True, quick=quick)
                    if attempt is not None:
                        tally[0 if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else 1] += 1
                    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                        roster_v = model.read(solver)[v]
                        break
                    if status == cp_model.INFEASIBLE and attempt is None:
                        infeasible.append(v)
                        break
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

    # --- step 2 ---------------------------------------------------------------------------
    def whole(
        self, roster: Roster | None, limit: float, bound: float | None = None
    ) -> tuple[Roster | None, float | None, str]:
        """The whole model (``roster`` as hint): a roster or ``None``, a bound, the status.

        With a ``bound`` proven elsewhere (the column LP's), CP-SAT stops as soon as its
        plan meets it instead of searching on for a proof of its own.
        """
        current = roster if roster is not None else [set() for _ in range(self.p.n_volunteers)]
        model = ShiftModel(
            self.p,
            self.st,
            range(self.p.n_volunteers),
            None,
            current,
            hints=roster is not None,
            use_flow=self.whole_flow,
        )
        solver, status = self._solve(model, limit, stop_at=bound)
        name = solver.status_name(status)
        if status == cp_model.OPTIMAL:
            return model.read(solver), solver.objective_value, name
        if status == cp_model.FEASIBLE:
            return model.read(solver), solver.best_objective_bound, name
        bound = solver.best_objective_bound if status == cp_model.UNKNOWN else None
        return roster, bound, name

    def columns(self, roster: Roster) -> tuple[Roster, float | None]:
        """Column generation from ``roster``: a plan near the LP's, and a proven bound.

        Runs until the LP is optimal over all timetables or ``column_share`` of the time
        is spent; the plan is the better of the LP's rounded one and ``roster``, each
        improved by swapping in the pool's columns.
        """
        p = self.p

        def charge(work: float) -> None:
            self.work_done += work + 0.02

        cg = ColumnGeneration(p, self.st, roster, self.deterministic, charge)
        workers = 1 if self.deterministic else (self.workers or os.cpu_count() or 1)
        report = cg.run(
            lambda: self.column_share * self.time_limit - self.elapsed(),
            workers=workers,
            seed=self.rng.randrange(1 << 30),
            log=logger.debug,
        )
        self.say(
            f"shifts: {report.iterations} rounds of column generation, {report.columns} "
            f"timetables, LP {report.lp_value or 0:.1f}, bound {report.bound}"
            + (" (LP optimal)" if report.converged else "")
            + f" after {self.elapsed():.1f} s"
        )
        self.lp = cg if cg.duals is not None else None
        best = cg.swap_down(roster)
        if cg.lp_mix:
            near = cg.swap_down(cg.rounded())
            if _cost(p, near) < _cost(p, best):
                best = near
        return best, report.bound

    def near_lp(self, roster: Roster, limit: float, bound: float | None = None) -> Roster:
        """The whole model with every cell the LP has settled fixed to the LP's value.

        A relaxation-induced neighbourhood: where the column LP puts (nearly) all or none
        of a volunteer's weight on a shift, that cell is fixed; CP-SAT plans the cells the
        LP is split on, from ``roster``, and stops early if its plan meets the proven
        ``bound``. Returns the better of its plan and ``roster``.
        """
        assert self.lp is not None
        p = self.p
        values = self.lp.cell_values()
        model = ShiftModel(
            p, self.st, range(p.n_volunteers), None, roster, use_flow=self.whole_flow
        )
        settled = 0
        for v, i in model.x:
            x = values.get((v, i), 0.0)
            if x >= 1.0 - self.lp_settled:
                model.fix(v, i, True)
            elif x <= self.lp_settled:
                model.fix(v, i, False)
            else:
                continue
            settled += 1
        solver, status = self._solve(model, limit, stop_at=bound)
        logger.debug(
            "near the LP: %d of %d cells fixed, %s in %.1f s",
            settled,
            len(model.x),
            solver.status_name(status),
            solver.wall_time,
        )
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return roster
        candidate = model.read(solver)
        if _cost(p, candidate) < _cost(p, roster):
            return candidate
        return roster

    # --- step 3 ---------------------------------------------------------------------------
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

    def neighbourhood(
        self, roster: Roster, size: dict[str, float]
    ) -> tuple[str, list[int], set[int] | None]:
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
        grow = {"volunteers": "volunteers", "days": "days", "block": "block_days"}
        steps = 0
        overhead = 0.0  # the last step's time outside CP-SAT (building, pricing)
        floor = 0.0 if bound is None else max(0.0, bound)
        cores = self.workers or os.cpu_count() or 1
        side_by_side = (
            self.lp is not None
            and p.n_volunteers >= self.lanes_from
            and p.n_days <= self.lanes_days
        )
        lanes = 2 if side_by_side and not self.deterministic and cores >= 2 else 1
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
                if executor is None:
                    results = [self._solve(models[0], limit, presolve=False)]
                else:
                    # One single-worker solve per neighbourhood, side by side.
                    futures = [
                        executor.submit(self._solve, m, limit, 1, False, False) for m in models
                    ]
                    results = [f.result() for f in futures]
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
                        found.append((_cost(p, plan), n, plan, kind))
                    key = grow[kind]
                    if status == cp_model.OPTIMAL:
                        size[key] *= 1.15
                        if kind == "block":
                            size["block_volunteers"] *= 1.1
                    else:
                        size[key] = max(2.0, size[key] * self.shrink)
                        if kind == "block":
                            size["block_volunteers"] = max(2.0, size["block_volunteers"] * 0.9)
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

    def run(self, start: Roster | None) -> ShiftSolution:
        p = self.p
        bound: float | None = _trivial_bound(p)
        optimal = False
        roster, infeasible, unknown = self.construct(start)
        if infeasible or unknown:
            return ShiftSolution(
                roster,
                objective_terms(p, roster),
                None,
                Status.INFEASIBLE if infeasible else Status.TIME_LIMIT,
                infeasible,
                unknown,
            )
        self.say(f"shifts: first plan, objective {_cost(p, roster)} after {self.elapsed():.1f} s")
        cells = sum(len(e) for e in p.eligible)
        use_columns = cells <= _COLUMN_LIMIT and p.n_days <= _COLUMN_DAYS
        if use_columns:
            roster, bound_c = self.columns(roster)
            if bound_c is not None:
                bound = max(bound or 0.0, bound_c)
        whole_too = cells <= _PROOF_LIMIT and (not _meets(_cost(p, roster), bound))
        if whole_too or (not use_columns and cells <= _FULL_MODEL_LIMIT):
            # Small enough for CP-SAT on the whole model, from the plan so far: its own
            # search improves it, and its bound comes from the exact relaxation of the
            # runs. On the smallest problems it often proves what the LP cannot.
            whole, bound_w, status = self.whole(roster, self.whole_share * self.remaining(), bound)
            optimal = status == "OPTIMAL"
            if bound_w is not None:
                bound = max(bound or 0.0, bound_w)
            if whole is not None and _cost(p, whole) <= _cost(p, roster):
                roster = whole
        best = _cost(p, roster)
        if (
            self.lp is not None
            and self.near_lp_share > 0
            and not optimal
            and not _meets(best, bound)
        ):
            roster = self.near_lp(roster, self.near_lp_share * self.remaining(), bound)
            best = _cost(p, roster)
        self.say(f"shifts: objective {best}, bound {bound} after {self.elapsed():.1f} s")
        if not optimal and self.remaining() > 0.2 and not _meets(best, bound):
            roster, best = self.improve(roster, best, self.time_limit, bound)
        if _meets(best, bound):
            optimal = True
        terms = objective_terms(p, roster)
        return ShiftSolution(
            roster, terms, bound, Status.OPTIMAL if optimal else Status.FEASIBLE, []
        )


def _cost(problem: ShiftProblem, roster: Roster) -> int:
    """The objective of ``roster``: the sum of its terms."""
    return sum(objective_terms(problem, roster).values())


def _meets(value: float, bound: float | None) -> bool:
    """Whether a plan costing ``value`` meets the proven ``bound`` (so is optimal).

    Costs are whole numbers, so a fractional bound is met by the next whole number up.
    """
    return bound is not None and value <= math.ceil(bound - 1e-6) + 1e-6


def _trivial_bound(problem: ShiftProblem) -> float:
    """Costs no timetable avoids: places nobody may fill, requests nobody can honour."""
    eligible_count = [0] * len(problem.slots)
    for elig in problem.eligible:
        for i in elig:
            eligible_count[i] += 1
    bound = 0
    for s in problem.slots:
        bound += s.weight_under * max(0, s.min_volunteers - eligible_count[s.index])
    for r in problem.requests:
        if r.want:
            elig = problem.eligible_on_day[r.volunteer].get(r.day, [])
            possible = elig if r.slots is None else [i for i in r.slots if i in elig]
            if not possible:
                bound += r.cost
    return float(bound)


def solve_shift_problem(
    problem: ShiftProblem,
    *,
    time_limit: float = 30.0,
    deterministic: bool = False,
    workers: int | None = None,
    progress: Progress | None = None,
    start: Roster | None = None,
    seed: int = 0,
) -> ShiftSolution:
    """Solve a :class:`ShiftProblem` (the engine under :func:`plan_shifts`).

    Parameters
    ----------
    problem
        The problem, from :func:`carecal.solver.shifts_problem.build_shift_problem`.
    time_limit
        Seconds in all (deterministic time units when ``deterministic``).
    deterministic
        Same input, same plan: one worker, deterministic time instead of the clock.
    workers
        CP-SAT workers per solve (``None``: CP-SAT's default, all cores).
    progress
        Called with a line of text whenever the plan improves.
    start
        A timetable to start from (cells a volunteer may not work are dropped).
    seed
        Seed of the neighbourhood choice.

    Returns
    -------
    ShiftSolution
        The best timetable found, its terms and bound.
    """
    if not problem.slots:
        return ShiftSolution(
            [set() for _ in problem.volunteer_ids], dict.fromkeys(TERMS, 0), 0.0, Status.EMPTY, []
        )
    search = _Search(problem, time_limit, deterministic, workers, progress, seed)
    return search.run(start)


def plan_shifts(
    community: Community,
    start: dt.date | str,
    end: dt.date | str,
    demand: Demand | None = None,
    *,
    time_limit: float = 30.0,
    deterministic: bool = False,
    progress: Progress | None = None,
    workers: int | None = None,
    hint: ShiftPlan | None = None,
) -> ShiftPlan:
    """Plan who is on which shift from ``start`` to ``end`` (both included).

    Parameters
    ----------
    community
        The community: volunteers, availability, shifts, requests and policy.
    start, end
        The period (dates or ``YYYY-MM-DD``).
    demand
        Places for shifts whose ``min_volunteers`` is ``auto``: ``{(date, shift_id): n}``
        (a minimum) or ``{(date, shift_id): (minimum, wanted maximum)}``; also overrides
        the numbers of other shifts on those dates. The week plan passes the carriers the
        meal routes need and the escorts the campaign needs.
    time_limit
        Seconds to search in all.
    deterministic
        Same input, same plan (one worker; the limit is then in deterministic time units).
    progress
        Called with a line of text whenever the plan improves.
    workers
        CP-SAT workers (``None``: all cores).
    hint
        An earlier plan to start from, for example last week's plan or a coordinator's edit.

    Returns
    -------
    ShiftPlan
        Assignments, the shift places left open (``unserved``, kind ``shift``, with the
        reason and who could fill them), the named objective terms and the bound.

    Raises
    ------
    ValueError
        When the period is empty or an ``auto`` shift has no demand.
    """
    t0 = time.monotonic()
    first, last = coerce_date(start), coerce_date(end)
    problem = build_shift_problem(community, first, last, demand)
    warm: Roster | None = None
    if hint is not None:
        where = {(s.date, s.shift_id): s.index for s in problem.slots}
        vindex = {vid: v for v, vid in enumerate(problem.volunteer_ids)}
        warm = [set() for _ in problem.volunteer_ids]
        for a in hint.assignments:
            slot = where.get((a.date, a.shift_id))
            if slot is not None and a.volunteer_id in vindex:
                warm[vindex[a.volunteer_id]].add(slot)
    if not deterministic:
        # The limit is for the whole call: building the problem counts too.
        # So is writing up the open places afterwards (who could fill each one), which
        # grows with shifts x volunteers: a year of 150 volunteers takes a few seconds.
        reserve = min(0.1 * time_limit, 5e-6 * len(problem.slots) * problem.n_volunteers)
        time_limit = max(0.1, time_limit - (time.monotonic() - t0) - reserve)
    solution = solve_shift_problem(
        problem,
        time_limit=time_limit,
        deterministic=deterministic,
        workers=workers,
        progress=progress,
        start=warm,
    )
    if not solution.status.has_plan:
        solution.roster = [set() for _ in problem.volunteer_ids]
    assignments = [
        Assignment(
            date=problem.slots[i].date,
            shift_id=problem.slots[i].shift_id,
            role=problem.slots[i].role,
            start=problem.slots[i].start,
            end=problem.slots[i].end,
            volunteer_id=problem.volunteer_ids[v],
        )
        for v, slots in enumerate(solution.roster)
        for i in slots
    ]
    assignments.sort(key=lambda a: (a.date, a.start, a.shift_id, a.volunteer_id))
    return ShiftPlan(
        status=solution.status,
        start=first,
        end=last,
        assignments=tuple(assignments),
        unserved=tuple(_unserved(community, problem, solution)),
        objective={k: float(v) for k, v in solution.terms.items()},
        bound=solution.bound,
        explain_terms=_explain_terms(problem, solution),
        demand={
            key: (value, None) if isinstance(value, int) else (value[0], value[1])
            for key, value in (demand or {}).items()
            if first <= key[0] <= last
        },
        solve_seconds=time.monotonic() - t0,
    )


def _unserved(
    community: Community, problem: ShiftProblem, solution: ShiftSolution
) -> list[Unserved]:
    """One row per open place of a shift short of its minimum, with the reason and fix."""
    out: list[Unserved] = []
    if solution.infeasible:
        for v in solution.infeasible:
            vid = problem.volunteer_ids[v]
            reason, fix = shift_pledges_contradict(vid, _why_infeasible(problem, v))
            out.append(Unserved(kind=UnservedKind.SHIFT, id=vid, reason=reason, fix=fix))
    for v in solution.unknown:
        vid = problem.volunteer_ids[v]
        reason, fix = shift_no_timetable_in_time(vid)
        out.append(Unserved(kind=UnservedKind.SHIFT, id=vid, reason=reason, fix=fix))
    count = [0] * len(problem.slots)
    for slots in solution.roster:
        for i in slots:
            count[i] += 1
    worked = _Worked(problem, solution.roster)
    qualified_for: dict[str, int] = {}
    for s in problem.slots:
        missing = s.min_volunteers - count[s.index]
        if missing <= 0:
            continue
        could, blocked = _who_could(problem, solution.roster, s.index, worked)
        if s.role not in qualified_for:
            qualified_for[s.role] = sum(1 for v in community.volunteers if v.has(s.role))
        qualified = qualified_for[s.role]
        reason, fix = shift_short(
            s.shift_id,
            str(s.date),
            f"{format_time(s.start)}–{format_time(s.end)}",
            s.role,
            s.min_volunteers,
            count[s.index],
            [problem.volunteer_ids[v] for v in could],
            [problem.volunteer_ids[v] for v in blocked],
            qualified,
        )
        for _ in range(missing):
            out.append(
                Unserved(
                    kind=UnservedKind.SHIFT, id=s.shift_id, date=s.date, reason=reason, fix=fix
                )
            )
    return out


class _Worked:
    """Per volunteer, what they work: slots by day, minutes and shifts by id over the period."""

    def __init__(self, problem: ShiftProblem, roster: Roster) -> None:
        self.by_day: list[dict[int, list[int]]] = []
        self.minutes: list[int] = []
        self.by_id: list[dict[str, int]] = []
        for slots in roster:
            days: dict[int, list[int]] = {}
            counts: dict[str, int] = {}
            for j in slots:
                days.setdefault(problem.slots[j].day, []).append(j)
                sid = problem.slots[j].shift_id
                counts[sid] = counts.get(sid, 0) + 1
            self.by_day.append(days)
            self.minutes.append(sum(problem.slots[j].minutes for j in slots))
            self.by_id.append(counts)
        self.week_of = {d: w for w in problem.weeks for d in w}


def _who_could(
    problem: ShiftProblem,
    roster: Roster,
    slot: int,
    worked: _Worked,
) -> tuple[list[int], list[int]]:
    """Volunteers free and qualified for ``slot`` but not on it: (at a pledged limit, kept
    off by another rule)."""
    s = problem.slots[slot]
    # Two slots further apart than this never conflict (a shift ends within two days).
    near = 2 + math.ceil(problem.min_rest / DAY_MINUTES)
    week = worked.week_of[s.day]
    could, blocked = [], []
    for v in range(problem.n_volunteers):
        if slot not in problem.eligible_set[v] or slot in roster[v]:
            continue
        mine = worked.by_day[v]
        if any(
            conflicts(problem, slot, j)
            for d in range(s.day - near, s.day + near + 1)
            for j in mine.get(d, ())
        ):
            blocked.append(v)
            continue
        lim = problem.limits[v]
        in_week = [j for d in week for j in mine.get(d, ())]
        minutes = sum(problem.slots[j].minutes for j in in_week)
        if (
            len(in_week) >= lim.max_shifts_per_week
            or (
                lim.max_minutes_per_week is not None
                and minutes + s.minutes > lim.max_minutes_per_week
            )
            or (lim.max_minutes is not None and worked.minutes[v] + s.minutes > lim.max_minutes)
            or (
                s.shift_id in lim.max_shifts_by_id
                and worked.by_id[v].get(s.shift_id, 0) >= lim.max_shifts_by_id[s.shift_id]
            )
        ):
            could.append(v)
        else:
            blocked.append(v)
    return could, blocked


def _why_infeasible(problem: ShiftProblem, v: int) -> str:
    lim = problem.limits[v]
    most = sum(problem.slots[i].minutes for i in problem.eligible[v])
    if lim.min_minutes is not None and lim.min_minutes > most:
        return (
            f"at least {lim.min_minutes} minutes are pledged but their available hours hold "
            f"only {most} minutes of shifts"
        )
    return (
        f"at least {lim.min_minutes} minutes cannot be reached within their weekly limits, "
        "runs of days and rest rules"
    )


def _explain_terms(problem: ShiftProblem, solution: ShiftSolution) -> dict[str, list[str]]:
    """Per objective term, the shifts and volunteers that cost something."""
    p, roster = problem, solution.roster
    out: dict[str, list[str]] = {t: [] for t in TERMS}
    count = [0] * len(p.slots)
    for slots in roster:
        for i in slots:
            count[i] += 1
    for s in p.slots:
        if count[s.index] < s.min_volunteers and s.weight_under:
            out["under_cover"].append(f"{s.shift_id} {s.date}")
        if s.max_volunteers is not None and count[s.index] > s.max_volunteers and s.weight_over:
            out["over_cover"].append(f"{s.shift_id} {s.date}")
    for v, slots in enumerate(roster):
        vid = p.volunteer_ids[v]
        days = [False] * p.n_days
        for i in slots:
            days[p.slots[i].day] = True
        for r in p.requests_of[v]:
            on = days[r.day] if r.slots is None else any(i in slots for i in r.slots)
            if on != r.want:
                out["requests"].append(f"{vid} {p.dates[r.day]}")
        if p.soft_max_weekends is not None and p.weight_weekend:
            worked = sum(1 for w in p.weekends if any(days[d] for d in w))
            if worked > p.soft_max_weekends:
                out["weekends"].append(vid)
        if p.weight_fairness and fair_cost(p.fair_band[v], len(slots)):
            low, high = p.fair_band[v]
            share = str(low) if low == high else f"{low}-{high}"
            out["fairness"].append(f"{vid} ({len(slots)} shifts, fair share {share})")
        if p.weight_stability and any((a in slots) != (b in slots) for a, b in p.stable_pairs):
            out["stability"].append(vid)
    return {k: v for k, v in out.items() if v}
