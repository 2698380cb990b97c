"""The volunteers' shift plan: who is on duty when, fairly, within what each pledged (CP-SAT).

Every hard rule belongs to one volunteer (skill, availability, one shift at a time, weekly
limits, rest, successions, runs of days, weekends, period pledges); the cover of a shift is
soft. So an empty timetable breaks no rule except a minimum of minutes, and the planner
works in three steps that each keep every hard rule:

1. a first timetable, volunteer by volunteer: feasibility first, on a short list of the
   shifts with most places still open (a volunteer with tight pledges gets every shift they
   may work and a wide CP-SAT portfolio);
2. on small problems, CP-SAT on the whole model from that timetable, which also gives the
   bound (and proves optimality when it can);
3. large neighbourhood search: free a few volunteers over the whole period, or everyone
   over a few days, or a block of both, drawn where the plan costs most; re-plan that part
   with CP-SAT (no presolve: it costs more than it saves on these small models) and keep
   it when the plan is no worse. Neighbourhood sizes grow when CP-SAT proves them optimal
   and shrink when it runs out of time.

The model is built by :class:`_Model`, one small method per care rule, over the *free*
cells of a timetable (volunteer x day); the rest stays as it is. A full solve is the case
where every cell is free. When a volunteer's whole period is free, their runs of working
days and days off are also modelled as a path (:meth:`_Model.runs_as_flow`), whose linear
relaxation is exact for those rules.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from carecal.clock import DAY_MINUTES, format_time
from carecal.explain import shift_no_timetable_in_time, shift_pledges_contradict, shift_short
from carecal.model import Community, coerce_date
from carecal.plans import Assignment, ShiftPlan, Status, Unserved, UnservedKind
from carecal.solver.shifts_problem import (
    TERMS,
    Demand,
    Roster,
    ShiftProblem,
    build_shift_problem,
    conflicts,
    objective_terms,
)

__all__ = ["ShiftSolution", "plan_shifts", "solve_shift_problem"]

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]
"""A callback that receives one line of progress text at a time."""

Expr = Any  # an int, a CP-SAT literal or a linear expression

# Problems with at most this many (volunteer, shift) pairs also get a whole-model solve.
_FULL_MODEL_LIMIT = 40_000


@dataclass
class _Structure:
    """What the rules need about the slots, computed once per problem."""

    clique_day: list[bool]
    """Per day, whether all its slots overlap pairwise (then one shift a day at most)."""
    groups: list[list[frozenset[int]]]
    """Per day, groups of slots that share a start point (at most one of each group)."""
    own_group: dict[int, int]
    """Slot -> index of the group on its day defined by its own start."""
    later: list[list[tuple[int, int, dict[int, frozenset[int]]]]]
    """Per day d: (later day, group index there, slot on d -> its conflicting slots)."""


def _structure(problem: ShiftProblem) -> _Structure:
    slots = problem.slots
    clique_day, groups, own_group = [], [], {}
    for d in range(problem.n_days):
        on = problem.slots_on_day[d]
        clique_day.append(
            all(
                slots[a].start < slots[b].end and slots[b].start < slots[a].end
                for a in on
                for b in on
                if a < b
            )
        )
        day_groups: list[frozenset[int]] = []
        for a in on:
            group = frozenset(b for b in on if slots[b].start <= slots[a].start < slots[b].end)
            if group not in day_groups:
                day_groups.append(group)
            own_group[a] = day_groups.index(group)
        groups.append(day_groups)
    reach = max(1, math.ceil(problem.min_rest / DAY_MINUTES))
    later: list[list[tuple[int, int, dict[int, frozenset[int]]]]] = []
    for d in range(problem.n_days):
        items = []
        for d2 in range(d + 1, min(problem.n_days, d + reach + 1)):
            for gi, group in enumerate(groups[d2]):
                table = {}
                for a in problem.slots_on_day[d]:
                    hit = frozenset(b for b in group if conflicts(problem, a, b))
                    if hit:
                        table[a] = hit
                if table:
                    items.append((d2, gi, table))
        later.append(items)
    return _Structure(clique_day, groups, own_group, later)


def _path_of(on: list[bool], rmin: int) -> list[tuple[Any, Any]]:
    """The arcs of :meth:`_Model.runs_as_flow` that a pattern of working days follows."""
    n = len(on)
    path: list[tuple[Any, Any]] = [("S", ("O", 0))]
    d, state = 0, "O"
    while d < n:
        if state == "O":
            if on[d]:
                e = d
                while e < n and on[e]:
                    e += 1
                path.append((("O", d), ("W", e)))
                d, state = e, "W"
            else:
                path.append((("O", d), ("O", d + 1)))
                d += 1
        else:
            f = d
            while f < n and not on[f]:
                f += 1
            if f == n:
                path.append((("W", d), "E"))
                return path
            path.append((("W", d), ("O", d + rmin)))
            d, state = d + rmin, "O"
    path.append(((state, n), "E"))
    return path


def _is_var(e: Expr) -> bool:
    return not isinstance(e, int)


class _Model:
    """A CP-SAT model of the free cells of a timetable; every other cell is a constant.

    Parameters
    ----------
    problem, structure
        The shift problem and its precomputed structure.
    free_volunteers
        Volunteers whose cells may change.
    free_days
        Days on which their cells may change (``None``: all days).
    current
        The timetable the fixed cells are taken from (and the hint for the free ones).
    """

    def __init__(
        self,
        problem: ShiftProblem,
        structure: _Structure,
        free_volunteers: Iterable[int],
        free_days: set[int] | None,
        current: Roster,
        use_flow: bool = True,
        hints: bool = True,
        allowed: dict[int, set[int]] | None = None,
        objective: bool = True,
    ) -> None:
        self.p = problem
        self.allowed = allowed
        self.use_flow = use_flow
        self.hints = hints
        self.st = structure
        self.m = cp_model.CpModel()
        self.current = current
        self.free_days = free_days
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        self.cost: list[tuple[int, Expr]] = []
        self.offset = 0
        self.on_hint: list[bool] = []
        self.volunteers = sorted(set(free_volunteers))
        for v in self.volunteers:
            self._volunteer(v)
        if objective:
            self._cover()
            self._objective()

    # --- variables ----------------------------------------------------------------------
    def _free(self, day: int) -> bool:
        return self.free_days is None or day in self.free_days

    def _volunteer(self, v: int) -> None:
        p = self.p
        vals: dict[int, Expr] = {}
        allowed = None if self.allowed is None else self.allowed.get(v)
        for i in p.eligible[v]:
            if allowed is not None and i not in allowed and i not in self.current[v]:
                continue
            if self._free(p.slots[i].day):
                var = self.m.new_bool_var(f"x_{v}_{i}")
                self.x[(v, i)] = var
                if self.hints:
                    self.m.add_hint(var, i in self.current[v])
                vals[i] = var
            else:
                vals[i] = int(i in self.current[v])
        if not any(_is_var(e) for e in vals.values()):
            return
        self.on_day: dict[int, list[int]] = {}
        for i in vals:
            self.on_day.setdefault(p.slots[i].day, []).append(i)
        # The current timetable's working days: with them every helper variable gets a
        # hint too, so the hint is a whole solution CP-SAT starts from (even on one worker).
        self.on_hint = [False] * p.n_days
        for i in self.current[v]:
            self.on_hint[p.slots[i].day] = True
        work = self._work_days(v, vals)
        self.one_shift_at_a_time(v, vals)
        self.rest_and_successions(v, vals)
        self.weekly_limits(v, vals)
        self.period_pledges(v, vals)
        self.max_consecutive_days(v, work)
        self.min_consecutive_days(v, work)
        self.min_days_off_in_a_row(v, work)
        if self.free_days is None and self.use_flow:
            self.runs_as_flow(v, work)
        weekends = self._weekends(work)
        self.max_weekends(v, weekends)
        self.requests(v, vals, work)
        self.fairness(v, vals)
        self.stability(v, vals)

    def _work_days(self, v: int, vals: dict[int, Expr]) -> list[Expr]:
        """Per day, 1 when the volunteer works any shift that day."""
        work: list[Expr] = []
        per_day = self.on_day
        for d in range(self.p.n_days):
            terms = [vals[i] for i in per_day.get(d, [])]
            if not any(_is_var(t) for t in terms):
                work.append(int(any(terms)))
            elif self.st.clique_day[d]:
                work.append(cp_model.LinearExpr.sum(terms))
            else:
                w = self.m.new_bool_var(f"w_{v}_{d}")
                self._hint(w, self.on_hint[d])
                for t in terms:
                    if _is_var(t):
                        self.m.add_implication(t, w)
                self.m.add(w <= cp_model.LinearExpr.sum(terms))
                if any(not _is_var(t) and t for t in terms):
                    self.m.add(w == 1)
                work.append(w)
        return work

    def _weekends(self, work: list[Expr]) -> list[Expr]:
        out: list[Expr] = []
        for days in self.p.weekends:
            terms = [work[d] for d in days]
            if not any(_is_var(t) for t in terms):
                out.append(int(any(terms)))
                continue
            k = self.m.new_bool_var("weekend")
            self._hint(k, any(self.on_hint[d] for d in days))
            for t in terms:
                if _is_var(t):
                    self.m.add(k >= t)
                elif t:
                    self.m.add(k == 1)
            self.m.add(k <= cp_model.LinearExpr.sum(terms))
            out.append(k)
        return out

    def _hint(self, var: cp_model.IntVar, value: int | bool) -> None:
        if self.hints:
            self.m.add_hint(var, int(value))

    def _le(self, terms: Sequence[Expr], bound: int) -> None:
        if len(terms) > bound and any(_is_var(t) for t in terms):
            self.m.add(cp_model.LinearExpr.sum(list(terms)) <= bound)

    # --- hard rules -----------------------------------------------------------------------
    def one_shift_at_a_time(self, v: int, vals: dict[int, Expr]) -> None:
        """No volunteer is on two overlapping shifts."""
        for d, slots in self.on_day.items():
            if len(slots) < 2:
                continue
            mine = set(slots)
            for group in self.st.groups[d]:
                self._le([vals[i] for i in group if i in mine], 1)

    def rest_and_successions(self, v: int, vals: dict[int, Expr]) -> None:
        """Enough rest between shifts on different days; no forbidden next-day shift."""
        elig = set(vals)
        for d, slots in self.on_day.items():
            for d2, _gi, table in self.st.later[d]:
                if d2 not in self.on_day:
                    continue
                blocks: dict[tuple[int, frozenset[int]], list[int]] = {}
                for a in slots:
                    hit = table.get(a)
                    if not hit:
                        continue
                    hit = hit & elig
                    if hit:
                        blocks.setdefault((self.st.own_group[a], hit), []).append(a)
                for (_, hit), firsts in blocks.items():
                    terms = [vals[a] for a in firsts] + [vals[b] for b in hit]
                    if any(_is_var(t) for t in terms):
                        self.m.add(cp_model.LinearExpr.sum(terms) <= 1)

    def weekly_limits(self, v: int, vals: dict[int, Expr]) -> None:
        """At most ``max_shifts_per_week`` shifts and ``max_hours_per_week`` per ISO week."""
        lim = self.p.limits[v]
        per_day = self.on_day
        for week in self.p.weeks:
            mine = [i for d in week for i in per_day.get(d, [])]
            self._le([vals[i] for i in mine], lim.max_shifts_per_week)
            if lim.max_minutes_per_week is not None:
                total = sum(self.p.slots[i].minutes for i in mine)
                if total > lim.max_minutes_per_week and any(_is_var(vals[i]) for i in mine):
                    self.m.add(
                        cp_model.LinearExpr.weighted_sum(
                            [vals[i] for i in mine], [self.p.slots[i].minutes for i in mine]
                        )
                        <= lim.max_minutes_per_week
                    )

    def period_pledges(self, v: int, vals: dict[int, Expr]) -> None:
        """Per-shift limits and the minimum and maximum minutes over the period."""
        lim = self.p.limits[v]
        slots = self.p.slots
        if lim.max_shifts_by_id:
            by_id: dict[str, list[Expr]] = {}
            for i, e in vals.items():
                by_id.setdefault(slots[i].shift_id, []).append(e)
            for sid, most in lim.max_shifts_by_id.items():
                self._le(by_id.get(sid, []), most)
        if lim.min_minutes is None and lim.max_minutes is None:
            return
        mine = list(vals)
        expr = cp_model.LinearExpr.weighted_sum(
            [vals[i] for i in mine], [slots[i].minutes for i in mine]
        )
        if lim.min_minutes is not None and lim.min_minutes > 0:
            self.m.add(expr >= lim.min_minutes)
        if lim.max_minutes is not None:
            self.m.add(expr <= lim.max_minutes)

    def max_consecutive_days(self, v: int, work: list[Expr]) -> None:
        """No more than ``max_consecutive_days`` working days in a row."""
        k = self.p.limits[v].max_consecutive_days
        for d in range(self.p.n_days - k):
            self._le(work[d : d + k + 1], k)

    def _no_short_run(self, work: list[Expr], shortest: int, working: bool) -> None:
        # A run of s < shortest days inside the period, with a day of the other kind on both
        # sides, is forbidden: some edge or inner day must break the pattern.
        n = self.p.n_days
        for s in range(1, shortest):
            for d in range(1, n - s):
                edges = (work[d - 1], work[d + s])
                inner = work[d : d + s]
                const = 0
                terms: list[Expr] = []
                for e in edges:
                    t = e if working else 1 - e
                    if _is_var(e):
                        terms.append(t)
                    else:
                        const += t
                for e in inner:
                    t = 1 - e if working else e
                    if _is_var(e):
                        terms.append(t)
                    else:
                        const += t
                if const >= 1 or not terms:
                    continue
                self.m.add(cp_model.LinearExpr.sum(terms) >= 1)

    def min_consecutive_days(self, v: int, work: list[Expr]) -> None:
        """A run of working days inside the period lasts at least ``min_consecutive_days``."""
        self._no_short_run(work, self.p.limits[v].min_consecutive_days, working=True)

    def min_days_off_in_a_row(self, v: int, work: list[Expr]) -> None:
        """A run of days off inside the period lasts at least ``min_days_off_in_a_row``."""
        self._no_short_run(work, self.p.limits[v].min_days_off_in_a_row, working=False)

    def runs_as_flow(self, v: int, work: list[Expr]) -> None:
        """Runs of working days and days off, again, as one path through the period.

        Redundant with the three rules on runs, but its linear relaxation is exact for
        them, which gives CP-SAT far better bounds. A path goes from the first day to the
        last: a work arc covers a whole run of working days (``min..max`` long, shorter
        only where it touches either end of the period), an off block covers the shortest
        run of days off that may follow it, and an off step adds one more day off.
        """
        lim = self.p.limits[v]
        n = self.p.n_days
        cmin, cmax, rmin = (
            lim.min_consecutive_days,
            lim.max_consecutive_days,
            lim.min_days_off_in_a_row,
        )
        if cmin <= 1 and rmin <= 1 and cmax >= n:
            return
        m = self.m
        out: dict[Any, list[Any]] = {}
        into: dict[Any, list[Any]] = {}
        covering: list[list[Any]] = [[] for _ in range(n)]

        arcs: dict[tuple[Any, Any], Any] = {}

        def arc(a: Any, b: Any, days: range | None = None) -> None:
            var = m.new_bool_var("")
            arcs[(a, b)] = var
            out.setdefault(a, []).append(var)
            into.setdefault(b, []).append(var)
            if days is not None:
                for d in days:
                    covering[d].append(var)

        can_work = [not (isinstance(w, int) and w == 0) for w in work]
        for d in range(n):
            longest = 0
            while longest < cmax and d + longest < n and can_work[d + longest]:
                longest += 1
            for length in range(1, longest + 1):
                end = d + length
                if d > 0 and end < n and length < cmin:
                    continue
                arc(("O", d), ("W", end), range(d, end))
            arc(("O", d), ("O", d + 1))
            if d + rmin < n:
                arc(("W", d), ("O", d + rmin))
            arc(("W", d), "E")
        arc(("W", n), "E")
        arc(("O", n), "E")
        arc("S", ("O", 0))
        nodes = set(out) | set(into)
        for node in nodes:
            flow_in = cp_model.LinearExpr.sum(into.get(node, []))
            flow_out = cp_model.LinearExpr.sum(out.get(node, []))
            if node == "S":
                m.add(flow_out == 1)
            elif node == "E":
                m.add(flow_in == 1)
            else:
                m.add(flow_in == flow_out)
        for d in range(n):
            m.add(cp_model.LinearExpr.sum(covering[d]) == work[d])
        if self.hints:
            on = [False] * n
            for i in self.current[v]:
                on[self.p.slots[i].day] = True
            path = _path_of(on, rmin)
            if all(a in arcs for a in path):
                chosen = set(path)
                for key, var in arcs.items():
                    m.add_hint(var, key in chosen)

    def max_weekends(self, v: int, weekends: list[Expr]) -> None:
        """A volunteer's own weekend pledge is hard; the policy's maximum is soft."""
        most = self.p.limits[v].max_weekends
        if most is not None:
            self._le(weekends, most)
        soft = self.p.soft_max_weekends
        if soft is not None and self.p.weight_weekend and len(weekends) > soft:
            if any(_is_var(k) for k in weekends):
                excess = self.m.new_int_var(0, len(weekends), "weekends_excess")
                worked = sum(any(self.on_hint[d] for d in days) for days in self.p.weekends)
                self._hint(excess, max(0, worked - soft))
                self.m.add(excess >= cp_model.LinearExpr.sum(weekends) - soft)
                self.cost.append((self.p.weight_weekend, excess))
            else:
                self.offset += self.p.weight_weekend * max(0, sum(weekends) - soft)

    # --- soft rules -----------------------------------------------------------------------
    def requests(self, v: int, vals: dict[int, Expr], work: list[Expr]) -> None:
        """Volunteers' requests to work or be off a day or a shift."""
        for r in self.p.requests_of[v]:
            if r.slots is None:
                on: Expr = work[r.day]
            else:
                terms = [vals[i] for i in r.slots if i in vals]
                on = (
                    cp_model.LinearExpr.sum(terms)
                    if any(_is_var(t) for t in terms)
                    else int(sum(terms))
                )
            if not _is_var(on):
                self.offset += r.cost * int(bool(on) != r.want)
            elif r.want:
                self.offset += r.cost
                self.cost.append((-r.cost, on))
            else:
                self.cost.append((r.cost, on))

    def fairness(self, v: int, vals: dict[int, Expr]) -> None:
        """Shifts in proportion to what each volunteer pledged."""
        if not self.p.weight_fairness or not vals:
            return
        target = self.p.fair_target[v]
        dev = self.m.new_int_var(0, max(target, len(vals)), f"fair_{v}")
        self._hint(dev, abs(len(self.current[v] & set(vals)) - target))
        total = cp_model.LinearExpr.sum(list(vals.values()))
        self.m.add(dev >= total - target)
        self.m.add(dev >= target - total)
        self.cost.append((self.p.weight_fairness, dev))

    def stability(self, v: int, vals: dict[int, Expr]) -> None:
        """The same volunteer on the same weekly shift from week to week."""
        if not self.p.weight_stability:
            return
        for a, b in self.p.stable_pairs:
            va, vb = vals.get(a, 0), vals.get(b, 0)
            if not _is_var(va) and not _is_var(vb):
                self.offset += self.p.weight_stability * int(va != vb)
                continue
            change = self.m.new_bool_var("change")
            self._hint(change, self._value(va, a, v) != self._value(vb, b, v))
            self.m.add(change >= va - vb)
            self.m.add(change >= vb - va)
            self.cost.append((self.p.weight_stability, change))

    def _value(self, e: Expr, i: int, v: int) -> int:
        """The hinted value of cell (v, i), whose model term is ``e``."""
        return int(i in self.current[v]) if _is_var(e) else int(e)

    def _cover(self) -> None:
        """Places short of each shift's minimum, and volunteers above its maximum."""
        p = self.p
        extra: dict[int, list[cp_model.IntVar]] = {}
        for (_, i), var in self.x.items():
            extra.setdefault(i, []).append(var)
        count = [0] * len(p.slots)
        for slots in self.current:
            for i in slots:
                count[i] += 1
        full = list(count)
        for v, i in self.x:
            if i in self.current[v]:
                count[i] -= 1
        whole = self.free_days is None and len(self.volunteers) == p.n_volunteers
        if whole:
            for s in p.slots:
                if s.index not in extra:
                    self.offset += s.weight_under * max(0, s.min_volunteers - count[s.index])
                    if s.max_volunteers is not None:
                        self.offset += s.weight_over * max(0, count[s.index] - s.max_volunteers)
        for i, vars_ in extra.items():
            s = p.slots[i]
            base = count[i]
            expr = cp_model.LinearExpr.sum(vars_) + base
            if s.min_volunteers > base and s.weight_under:
                under = self.m.new_int_var(0, s.min_volunteers - base, f"under_{i}")
                self._hint(under, max(0, s.min_volunteers - full[i]))
                self.m.add(under >= s.min_volunteers - expr)
                self.cost.append((s.weight_under, under))
            if (
                s.max_volunteers is not None
                and s.weight_over
                and base + len(vars_) > s.max_volunteers
            ):
                over = self.m.new_int_var(0, base + len(vars_), f"over_{i}")
                self._hint(over, max(0, full[i] - s.max_volunteers))
                self.m.add(over >= expr - s.max_volunteers)
                self.cost.append((s.weight_over, over))

    def _objective(self) -> None:
        if self.cost:
            self.m.minimize(
                cp_model.LinearExpr.weighted_sum(
                    [e for _, e in self.cost], [c for c, _ in self.cost]
                )
                + self.offset
            )

    def read(self, solver: cp_model.CpSolver) -> Roster:
        """The timetable with the free cells taken from the solver's solution."""
        roster = [set(s) for s in self.current]
        for v in self.volunteers:
            if self.free_days is None:
                roster[v] = set()
            else:
                roster[v] = {i for i in roster[v] if self.p.slots[i].day not in self.free_days}
        for (v, i), var in self.x.items():
            if solver.boolean_value(var):
                roster[v].add(i)
        return roster


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


class _Search:
    """Construction, whole-model solve and large neighbourhood search on one problem."""

    whole_share = 0.15  # share of the time given to the whole-model solve on small problems
    start_volunteers = 3.0
    shrink = 0.7
    whole_flow = False
    lns_flow = True
    step_limit = 3.0  # seconds per neighbourhood solve (0.5 when the limit is under 20 s)

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
        self.st = _structure(problem)
        self.t0 = time.monotonic()
        self.time_limit = time_limit
        self.deterministic = deterministic
        self.workers = workers
        self.progress = progress
        self.rng = random.Random(seed)
        self.work_done = 0.0  # deterministic time spent, used instead of the clock

    def elapsed(self) -> float:
        if self.deterministic:
            return self.work_done
        return time.monotonic() - self.t0

    def remaining(self) -> float:
        return self.time_limit - self.elapsed()

    def _solve(
        self,
        model: _Model,
        limit: float,
        workers: int | None = None,
        first: bool = False,
        presolve: bool = True,
        quick: bool = False,
    ) -> tuple[Any, Any]:
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
        status = solver.solve(model.m)
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

        def build(v: int, allowed: dict[int, set[int]] | None) -> _Model:
            return _Model(
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
        ahead: tuple[list[Any], _Model] | None = None
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
    def whole(self, roster: Roster | None, limit: float) -> tuple[Roster | None, float | None, str]:
        """The whole model (``roster`` as hint): a roster or ``None``, a bound, the status."""
        current = roster if roster is not None else [set() for _ in range(self.p.n_volunteers)]
        model = _Model(
            self.p,
            self.st,
            range(self.p.n_volunteers),
            None,
            current,
            hints=roster is not None,
            use_flow=self.whole_flow,
        )
        solver, status = self._solve(model, limit)
        name = solver.status_name(status)
        if status == cp_model.OPTIMAL:
            return model.read(solver), solver.objective_value, name
        if status == cp_model.FEASIBLE:
            return model.read(solver), solver.best_objective_bound, name
        bound = solver.best_objective_bound if status == cp_model.UNKNOWN else None
        return roster, bound, name

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

    def improve(self, roster: Roster, best: int, until: float) -> tuple[Roster, int]:
        """Large neighbourhood search until the clock reads ``until``."""
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
        while self.elapsed() + overhead < until - 0.05 and best > 0:
            began = self.elapsed()
            kind, vols, days = self.neighbourhood(roster, size)
            model = _Model(p, self.st, vols, days, roster, use_flow=self.lns_flow)
            limit = until - self.elapsed() - overhead
            if limit < 0.05:
                break
            limit = min(limit, self.step_limit if self.time_limit >= 20 else 0.5)
            solved = self.elapsed()
            solver, status = self._solve(model, limit, presolve=False)
            spent = self.elapsed() - solved
            steps += 1
            key = grow[kind]
            logger.debug(
                "step %d %s vols=%d days=%s status=%s obj=%s best=%d t=%.1f",
                steps,
                kind,
                len(vols),
                None if days is None else len(days),
                solver.status_name(status),
                solver.objective_value if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None,
                best,
                self.elapsed(),
            )
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                candidate = model.read(solver)
                value = sum(objective_terms(p, candidate).values())
                if value <= best:
                    if value < best:
                        self.say(f"shifts: objective {value} after {self.elapsed():.1f} s ({kind})")
                    roster, best = candidate, value
            if status == cp_model.OPTIMAL:
                size[key] *= 1.15
                if kind == "block":
                    size["block_volunteers"] *= 1.1
            else:
                size[key] = max(2.0, size[key] * self.shrink)
                if kind == "block":
                    size["block_volunteers"] = max(2.0, size["block_volunteers"] * 0.9)
            overhead = max(0.0, self.elapsed() - began - spent)
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
        self.say(
            f"shifts: first plan, objective {sum(objective_terms(p, roster).values())} after "
            f"{self.elapsed():.1f} s"
        )
        cells = sum(len(e) for e in p.eligible)
        if cells <= _FULL_MODEL_LIMIT:
            # Small enough for CP-SAT on the whole model, from the first plan: its own search
            # improves it, and its bound comes from the exact relaxation of the runs.
            whole, bound_w, status = self.whole(roster, self.whole_share * self.remaining())
            optimal = status == "OPTIMAL"
            if bound_w is not None:
                bound = max(bound or 0.0, bound_w)
            if whole is not None and sum(objective_terms(p, whole).values()) <= sum(
                objective_terms(p, roster).values()
            ):
                roster = whole
        best = sum(objective_terms(p, roster).values())
        self.say(f"shifts: objective {best}, bound {bound} after {self.elapsed():.1f} s")
        if not optimal and self.remaining() > 0.2 and (bound is None or best > bound + 1e-6):
            roster, best = self.improve(roster, best, self.time_limit)
        if bound is not None and best <= bound + 1e-6:
            optimal = True
        terms = objective_terms(p, roster)
        return ShiftSolution(
            roster, terms, bound, Status.OPTIMAL if optimal else Status.FEASIBLE, []
        )


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
        if p.weight_fairness and len(slots) != p.fair_target[v]:
            out["fairness"].append(f"{vid} ({len(slots)} shifts, fair share {p.fair_target[v]})")
        if p.weight_stability and any((a in slots) != (b in slots) for a, b in p.stable_pairs):
            out["stability"].append(vid)
    return {k: v for k, v in out.items() if v}
