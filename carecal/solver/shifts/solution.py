"""A solved shift problem, read back into the plan's terms.

:class:`ShiftSolution` is what the search finds, per volunteer index and slot index;
:func:`assignments` reads it back into :class:`~carecal.plans.Assignment` rows,
:func:`unserved` writes up every open place (and every volunteer without a timetable) with
the reason and who could fill it, and :func:`explain_terms` names what each objective term
charges for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from carecal.clock import DAY_MINUTES, format_time
from carecal.explain import shift_no_timetable_in_time, shift_pledges_contradict, shift_short
from carecal.model import Community
from carecal.plans import Assignment, Status, Unserved, UnservedKind
from carecal.solver.shifts.problem import TERMS, Roster, ShiftProblem, conflicts, fair_cost

__all__ = ["ShiftSolution", "assignments", "explain_terms", "unserved"]


@dataclass
class ShiftSolution:
    """What :func:`~carecal.solver.shifts.search.solve_shift_problem` found.

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


def assignments(problem: ShiftProblem, roster: Roster) -> list[Assignment]:
    """The roster as assignment rows, by date, start, shift and volunteer; a volunteer on
    part of an ``auto`` shift has that part's start and end."""
    out = [
        Assignment(
            date=problem.slots[i].date,
            shift_id=problem.slots[i].shift_id,
            role=problem.slots[i].role,
            # The volunteer's own hours: the part of an ``auto`` shift they pledged.
            start=problem.hours(v, i)[0],
            end=problem.hours(v, i)[1],
            volunteer_id=problem.volunteer_ids[v],
        )
        for v, slots in enumerate(roster)
        for i in slots
    ]
    out.sort(key=lambda a: (a.date, a.start, a.shift_id, a.volunteer_id))
    return out


def unserved(
    community: Community, problem: ShiftProblem, solution: ShiftSolution
) -> list[Unserved]:
    """One row per open place of a shift short of its minimum, with the reason and fix."""
    out: list[Unserved] = []
    if solution.infeasible:
        for v in solution.infeasible:
            vid = problem.volunteer_ids[v]
            why = shift_pledges_contradict(vid, _why_infeasible(problem, v), community.policy.lang)
            out.append(Unserved.because(UnservedKind.SHIFT, vid, None, why))
    for v in solution.unknown:
        vid = problem.volunteer_ids[v]
        why = shift_no_timetable_in_time(vid, community.policy.lang)
        out.append(Unserved.because(UnservedKind.SHIFT, vid, None, why))
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
        why = shift_short(
            s.shift_id,
            str(s.date),
            f"{format_time(s.start)}–{format_time(s.end)}",
            s.role,
            s.min_volunteers,
            count[s.index],
            [problem.volunteer_ids[v] for v in could],
            [problem.volunteer_ids[v] for v in blocked],
            qualified,
            community.policy.lang,
        )
        for _ in range(missing):
            out.append(Unserved.because(UnservedKind.SHIFT, s.shift_id, s.date, why))
    return out


class _Worked:
    """Per volunteer, what they work: slots by day, minutes and shifts by id over the period."""

    def __init__(self, problem: ShiftProblem, roster: Roster) -> None:
        self.by_day: list[dict[int, list[int]]] = []
        self.minutes: list[int] = []
        self.by_id: list[dict[str, int]] = []
        for v, slots in enumerate(roster):
            days: dict[int, list[int]] = {}
            counts: dict[str, int] = {}
            for j in slots:
                days.setdefault(problem.slots[j].day, []).append(j)
                sid = problem.slots[j].shift_id
                counts[sid] = counts.get(sid, 0) + 1
            self.by_day.append(days)
            self.minutes.append(sum(problem.minutes_of(v, j) for j in slots))
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
        minutes = sum(problem.minutes_of(v, j) for j in in_week)
        mine_now = problem.minutes_of(v, slot)
        if (
            len(in_week) >= lim.max_shifts_per_week
            or (
                lim.max_minutes_per_week is not None
                and minutes + mine_now > lim.max_minutes_per_week
            )
            or (lim.max_minutes is not None and worked.minutes[v] + mine_now > lim.max_minutes)
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
    """Why volunteer ``v``'s own rules admit no timetable, in words."""
    lim = problem.limits[v]
    most = sum(problem.minutes_of(v, i) for i in problem.eligible[v])
    if lim.min_minutes is not None and lim.min_minutes > most:
        return (
            f"at least {lim.min_minutes} minutes are pledged but their available hours hold "
            f"only {most} minutes of shifts"
        )
    return (
        f"at least {lim.min_minutes} minutes cannot be reached within their weekly limits, "
        "runs of days and rest rules"
    )


def explain_terms(problem: ShiftProblem, solution: ShiftSolution) -> dict[str, list[str]]:
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
