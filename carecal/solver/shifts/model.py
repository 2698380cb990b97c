"""The CP-SAT model of a shift problem, one small method per care rule.

:class:`ShiftModel` models the *free* cells of a timetable (volunteer x day); every other
cell is a constant taken from the current timetable. A full solve is the case where every
cell is free. When a volunteer's whole period is free, their runs of working days and days
off are also modelled as a path (:meth:`ShiftModel.runs_as_flow`), whose linear relaxation
is exact for those rules. :func:`build_structure` precomputes what the rules need about the
slots, once per problem.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from ortools.sat.python import cp_model

from carecal.clock import DAY_MINUTES
from carecal.solver.shifts.problem import (
    TERMS,
    Roster,
    ShiftProblem,
    conflicts,
    fair_cost,
    volunteer_terms,
)

__all__ = ["Cost", "Expr", "ShiftModel", "Structure", "build_structure", "is_var", "path_of"]

Expr = Any  # an int, a CP-SAT literal or a linear expression


class Cost(NamedTuple):
    """One weighted expression of the objective, under the name of its term (``TERMS``)."""

    term: str
    weight: int
    expr: Expr


@dataclass
class Structure:
    """What the rules need about the slots, computed once per problem."""

    clique_day: list[bool]
    """Per day, whether all its slots overlap pairwise (then one shift a day at most)."""
    groups: list[list[frozenset[int]]]
    """Per day, groups of slots that share a start point (at most one of each group)."""
    own_group: dict[int, int]
    """Slot -> index of the group on its day defined by its own start."""
    later: list[list[tuple[int, int, dict[int, frozenset[int]]]]]
    """Per day d: (later day, group index there, slot on d -> its conflicting slots)."""


def build_structure(problem: ShiftProblem) -> Structure:
    """Which slots overlap on each day and which conflict across days, for the rules."""
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
    return Structure(clique_day, groups, own_group, later)


def path_of(on: list[bool], rmin: int) -> list[tuple[Any, Any]]:
    """The arcs of :meth:`ShiftModel.runs_as_flow` that a pattern of working days follows."""
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


def is_var(e: Expr) -> bool:
    """Whether ``e`` is a model expression rather than a fixed whole number."""
    return not isinstance(e, int)


class ShiftModel:
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
    use_flow
        Also model a whole-period volunteer's runs of days as a path
        (:meth:`runs_as_flow`), for its tighter relaxation.
    hints
        Hint every variable with the value ``current`` gives it.
    allowed
        Per volunteer, the only slots that may be added to ``current`` (others: every
        slot they may work).
    objective
        Model the cover and minimise the objective; without it, only the volunteers' own
        rules and cost terms (the pricing and first-timetable models).
    """

    def __init__(
        self,
        problem: ShiftProblem,
        structure: Structure,
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
        self.cost: list[Cost] = []
        # What the fixed cells already cost, per term.
        self.offset: dict[str, int] = dict.fromkeys(TERMS, 0)
        self.on_hint: list[bool] = []
        self.volunteers = sorted(set(free_volunteers))
        for v in self.volunteers:
            self._volunteer(v)
        if objective:
            self.shift_cover()
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
        if not any(is_var(e) for e in vals.values()):
            # Nothing of theirs is free: what their own rules cost (a request nobody can
            # honour, say) is fixed, but it is still part of the objective, so that the
            # objective of a whole model is the roster's cost and its bound a true bound.
            for term, value in volunteer_terms(p, v, self.current[v]).items():
                self.offset[term] += value
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
            if not any(is_var(t) for t in terms):
                work.append(int(any(terms)))
            elif self.st.clique_day[d]:
                work.append(cp_model.LinearExpr.sum(terms))
            else:
                w = self.m.new_bool_var(f"w_{v}_{d}")
                self._hint(w, self.on_hint[d])
                for t in terms:
                    if is_var(t):
                        self.m.add_implication(t, w)
                self.m.add(w <= cp_model.LinearExpr.sum(terms))
                if any(not is_var(t) and t for t in terms):
                    self.m.add(w == 1)
                work.append(w)
        return work

    def _weekends(self, work: list[Expr]) -> list[Expr]:
        """Per weekend of the period, 1 when the volunteer works any day of it."""
        out: list[Expr] = []
        for days in self.p.weekends:
            terms = [work[d] for d in days]
            if not any(is_var(t) for t in terms):
                out.append(int(any(terms)))
                continue
            k = self.m.new_bool_var("weekend")
            self._hint(k, any(self.on_hint[d] for d in days))
            for t in terms:
                if is_var(t):
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
        if len(terms) > bound and any(is_var(t) for t in terms):
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
                    if any(is_var(t) for t in terms):
                        self.m.add(cp_model.LinearExpr.sum(terms) <= 1)

    def weekly_limits(self, v: int, vals: dict[int, Expr]) -> None:
        """At most ``max_shifts_per_week`` shifts and ``max_hours_per_week`` per ISO week."""
        lim = self.p.limits[v]
        per_day = self.on_day
        for week in self.p.weeks:
            mine = [i for d in week for i in per_day.get(d, [])]
            self._le([vals[i] for i in mine], lim.max_shifts_per_week)
            if lim.max_minutes_per_week is not None:
                minutes = [self.p.minutes_of(v, i) for i in mine]
                if sum(minutes) > lim.max_minutes_per_week and any(is_var(vals[i]) for i in mine):
                    self.m.add(
                        cp_model.LinearExpr.weighted_sum([vals[i] for i in mine], minutes)
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
            [vals[i] for i in mine], [self.p.minutes_of(v, i) for i in mine]
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
                    if is_var(e):
                        terms.append(t)
                    else:
                        const += t
                for e in inner:
                    t = 1 - e if working else e
                    if is_var(e):
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
            path = path_of(on, rmin)
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
            if any(is_var(k) for k in weekends):
                excess = self.m.new_int_var(0, len(weekends), "weekends_excess")
                worked = sum(any(self.on_hint[d] for d in days) for days in self.p.weekends)
                self._hint(excess, max(0, worked - soft))
                self.m.add(excess >= cp_model.LinearExpr.sum(weekends) - soft)
                self._pay("weekends", self.p.weight_weekend, excess)
            else:
                self.offset["weekends"] += self.p.weight_weekend * max(0, sum(weekends) - soft)

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
                    if any(is_var(t) for t in terms)
                    else int(sum(terms))
                )
            if not is_var(on):
                self.offset["requests"] += r.cost * int(bool(on) != r.want)
            elif r.want:
                self.offset["requests"] += r.cost
                self._pay("requests", -r.cost, on)
            else:
                self._pay("requests", r.cost, on)

    def fairness(self, v: int, vals: dict[int, Expr]) -> None:
        """Shifts in proportion to what each volunteer pledged."""
        if not self.p.weight_fairness or not vals:
            return
        low, high = self.p.fair_band[v]
        dev = self.m.new_int_var(0, max(low, len(vals)), f"fair_{v}")
        self._hint(dev, fair_cost((low, high), len(self.current[v] & set(vals))))
        total = cp_model.LinearExpr.sum(list(vals.values()))
        self.m.add(dev >= total - high)
        self.m.add(dev >= low - total)
        self._pay("fairness", self.p.weight_fairness, dev)

    def stability(self, v: int, vals: dict[int, Expr]) -> None:
        """The same volunteer on the same weekly shift from week to week."""
        if not self.p.weight_stability:
            return
        for a, b in self.p.stable_pairs:
            va, vb = vals.get(a, 0), vals.get(b, 0)
            if not is_var(va) and not is_var(vb):
                self.offset["stability"] += self.p.weight_stability * int(va != vb)
                continue
            change = self.m.new_bool_var("change")
            self._hint(change, self._value(va, a, v) != self._value(vb, b, v))
            self.m.add(change >= va - vb)
            self.m.add(change >= vb - va)
            self._pay("stability", self.p.weight_stability, change)

    def _value(self, e: Expr, i: int, v: int) -> int:
        """The hinted value of cell (v, i), whose model term is ``e``."""
        return int(i in self.current[v]) if is_var(e) else int(e)

    def shift_cover(self) -> None:
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
                    self.offset["under_cover"] += s.weight_under * max(
                        0, s.min_volunteers - count[s.index]
                    )
                    if s.max_volunteers is not None:
                        self.offset["over_cover"] += s.weight_over * max(
                            0, count[s.index] - s.max_volunteers
                        )
        for i, vars_ in extra.items():
            s = p.slots[i]
            base = count[i]
            expr = cp_model.LinearExpr.sum(vars_) + base
            if s.min_volunteers > base and s.weight_under:
                under = self.m.new_int_var(0, s.min_volunteers - base, f"under_{i}")
                self._hint(under, max(0, s.min_volunteers - full[i]))
                self.m.add(under >= s.min_volunteers - expr)
                self._pay("under_cover", s.weight_under, under)
            if (
                s.max_volunteers is not None
                and s.weight_over
                and base + len(vars_) > s.max_volunteers
            ):
                over = self.m.new_int_var(0, base + len(vars_), f"over_{i}")
                self._hint(over, max(0, full[i] - s.max_volunteers))
                self.m.add(over >= expr - s.max_volunteers)
                self._pay("over_cover", s.weight_over, over)

    # --- objective ------------------------------------------------------------------------
    def _pay(self, term: str, weight: int, expr: Expr) -> None:
        """Add ``weight * expr`` to the objective term ``term``."""
        self.cost.append(Cost(term, weight, expr))

    @property
    def constant(self) -> int:
        """What the fixed cells cost in all terms together."""
        return sum(self.offset.values())

    def _objective(self) -> None:
        """Minimise the named terms: their weighted expressions plus what is fixed."""
        # Even without a weighted expression the constant is the objective: a model whose
        # every cost is fixed still reports what its plan costs.
        self.m.minimize(
            cp_model.LinearExpr.weighted_sum(
                [c.expr for c in self.cost], [c.weight for c in self.cost]
            )
            + self.constant
        )

    def fix(self, v: int, i: int, value: bool) -> None:
        """Fix the free cell of volunteer ``v`` on slot ``i`` to ``value``."""
        self.m.add(self.x[(v, i)] == int(value))

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
