"""The shift problem in plain arrays, and its objective evaluated in plain Python.

:func:`build_shift_problem` turns a community, a period and an optional demand into a
:class:`ShiftProblem`: every shift on every date (a *slot*), who may work it (skill and
availability), each volunteer's limits, the requests and the soft-rule data.
:mod:`carecal.solver.shifts.model` builds CP-SAT models from it; :func:`objective_terms`
prices any roster of it without a solver, which the neighbourhood search uses to accept
moves. :func:`roster_of` reads an earlier plan's assignments into a roster.

A roster is a list, per volunteer index, of the set of slot indices they work.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from carecal.clock import DAY_MINUTES, TimeWindow, date_range, format_time, weekday
from carecal.errors import CommunityError, OptionError
from carecal.model import Community, ShiftTemplate
from carecal.plans import Assignment

Demand = Mapping[tuple[dt.date, str], int | tuple[int, int | None]]
"""Places wanted on ``auto`` shifts: ``{(date, shift_id): minimum}`` or
``{(date, shift_id): (minimum, wanted maximum)}``; a maximum of ``None`` keeps the shift's
own ``max_volunteers``."""

Roster = list[set[int]]

TERMS: tuple[str, ...] = (
    "under_cover",
    "over_cover",
    "requests",
    "weekends",
    "fairness",
    "stability",
)
"""The named objective terms of a shift plan, in the order they are reported."""


@dataclass(frozen=True)
class Slot:
    """One shift on one date: ``min_volunteers`` places wanted, at most ``max_volunteers``."""

    index: int
    day: int
    date: dt.date
    shift_id: str
    role: str
    start: int
    end: int
    min_volunteers: int
    max_volunteers: int | None
    weight_under: int
    weight_over: int
    weekly: bool
    auto: bool = False
    """Whether the shift's places are ``auto`` (derived by the week plan): a volunteer may
    then take the part of it inside one pledged window (:func:`duty_hours`)."""

    @property
    def minutes(self) -> int:
        """Length of the shift in minutes."""
        return self.end - self.start

    def label(self) -> str:
        """``shift_id on date (HH:MM-HH:MM)`` for messages."""
        return f"{self.shift_id} on {self.date} ({format_time(self.start)}–{format_time(self.end)})"


@dataclass(frozen=True)
class Limits:
    """One volunteer's hard limits; ``None`` means no limit."""

    max_shifts_per_week: int
    max_minutes_per_week: int | None
    max_consecutive_days: int
    min_consecutive_days: int
    min_days_off_in_a_row: int
    max_weekends: int | None
    min_minutes: int | None
    max_minutes: int | None
    max_shifts_by_id: dict[str, int]


@dataclass(frozen=True)
class RequestItem:
    """One request on one date: volunteer ``v`` wants (or not) the ``slots`` or the day."""

    volunteer: int
    day: int
    slots: tuple[int, ...] | None
    """The slots the request names; ``None`` means any shift that day."""
    want: bool
    cost: int


@dataclass
class ShiftProblem:
    """Everything the shift planner needs, indexed by integers."""

    dates: list[dt.date]
    slots: list[Slot]
    volunteer_ids: list[str]
    eligible: list[list[int]]
    """Per volunteer, the slots they may work (skill, availability, per-shift limit > 0)."""
    limits: list[Limits]
    min_rest: int
    forbidden: frozenset[tuple[str, str]]
    requests: list[RequestItem]
    weeks: list[list[int]]
    """ISO weeks of the period, as lists of day indices."""
    weekends: list[list[int]]
    """Weekends (Saturday and Sunday within the period), as lists of day indices."""
    soft_max_weekends: int | None
    weight_weekend: int
    fair_band: list[tuple[int, int]]
    """Per volunteer, the fewest and most shifts that count as a fair share."""
    weight_fairness: int
    stable_pairs: list[tuple[int, int]]
    """Pairs of slots of one weekday template a week apart."""
    weight_stability: int
    slots_on_day: list[list[int]] = field(default_factory=list)
    part: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    """(volunteer, slot) to the start and end of the part of an ``auto`` slot that
    volunteer may take, where it is less than the whole slot (:func:`duty_hours`)."""

    def __post_init__(self) -> None:
        self.slots_on_day = [[] for _ in self.dates]
        for s in self.slots:
            self.slots_on_day[s.day].append(s.index)
        self.eligible_set: list[set[int]] = [set(e) for e in self.eligible]
        self.eligible_on_day: list[dict[int, list[int]]] = []
        for elig in self.eligible:
            per_day: dict[int, list[int]] = {}
            for i in elig:
                per_day.setdefault(self.slots[i].day, []).append(i)
            self.eligible_on_day.append(per_day)
        self.requests_of: list[list[RequestItem]] = [[] for _ in self.volunteer_ids]
        for r in self.requests:
            self.requests_of[r.volunteer].append(r)

    def hours(self, v: int, i: int) -> tuple[int, int]:
        """Start and end of volunteer ``v``'s duty on slot ``i``: the part they pledged."""
        s = self.slots[i]
        return self.part.get((v, i), (s.start, s.end))

    def minutes_of(self, v: int, i: int) -> int:
        """Minutes of volunteer ``v``'s duty on slot ``i`` (what counts to their hours)."""
        start, end = self.hours(v, i)
        return end - start

    @property
    def n_volunteers(self) -> int:
        """How many volunteers."""
        return len(self.volunteer_ids)

    @property
    def n_days(self) -> int:
        """How many dates in the period."""
        return len(self.dates)


def expand_slots(community: Community, dates: list[dt.date], demand: Demand | None) -> list[Slot]:
    """Expand the shift templates over the dates; dated rows replace a weekly row of that id.

    Raises
    ------
    carecal.CommunityError
        When an ``auto`` shift has no demand, or a dated shift appears twice on a date.
    """
    policy = community.policy
    demand = demand or {}
    slots: list[Slot] = []
    by_date: dict[dt.date, list[ShiftTemplate]] = {}
    by_day: dict[str, list[ShiftTemplate]] = {}
    for t in community.shifts:
        if t.date is not None:
            by_date.setdefault(t.date, []).append(t)
        elif t.day is not None:
            by_day.setdefault(t.day, []).append(t)
    for day, date in enumerate(dates):
        dated = by_date.get(date, [])
        ids = {t.shift_id for t in dated}
        if len(ids) < len(dated):
            seen: set[str] = set()
            for t in dated:
                if t.shift_id in seen:
                    raise CommunityError(
                        f"shift {t.shift_id} is given more than once for {date}; keep one row "
                        "per shift and date"
                    )
                seen.add(t.shift_id)
        weekly = [t for t in by_day.get(weekday(date), []) if t.shift_id not in ids]
        for t in sorted(dated + weekly, key=lambda t: (t.start, t.end, t.shift_id)):
            low: int | None = t.min_volunteers
            high = t.max_volunteers
            wanted = demand.get((date, t.shift_id))
            if wanted is not None:
                if isinstance(wanted, tuple):
                    low = wanted[0]
                    high = high if wanted[1] is None else wanted[1]
                else:
                    low = wanted
            if low is None:
                raise CommunityError(
                    f"shift {t.shift_id} on {date} has min_volunteers auto, but no demand was "
                    f"given for it; plan the week instead (plan_week, or `carecal week` on the "
                    "command line), which takes it from the meal routes and the campaign, "
                    f"pass demand={{(date, '{t.shift_id}'): n}}, or give a number in "
                    "shifts.csv"
                )
            if high is not None and high < low:
                high = low
            slots.append(
                Slot(
                    index=len(slots),
                    day=day,
                    date=date,
                    shift_id=t.shift_id,
                    role=t.role.value,
                    start=t.start,
                    end=t.end,
                    min_volunteers=low,
                    max_volunteers=high,
                    weight_under=policy.weight_under_cover
                    if t.weight_under is None
                    else t.weight_under,
                    weight_over=policy.weight_over_cover
                    if t.weight_over is None
                    else t.weight_over,
                    weekly=t.date is None,
                    auto=t.min_volunteers is None,
                )
            )
    return slots


def build_shift_problem(
    community: Community, start: dt.date, end: dt.date, demand: Demand | None = None
) -> ShiftProblem:
    """Gather the shift problem of ``start``..``end`` (both included) from a community.

    Raises
    ------
    carecal.OptionError
        When the period ends before it starts.
    carecal.CommunityError
        When an ``auto`` shift has no demand.
    """
    if end < start:
        raise OptionError(f"the period ends on {end}, before it starts on {start}; swap the dates")
    policy = community.policy
    dates = date_range(start, end)
    slots = expand_slots(community, dates, demand)
    vids = [v.volunteer_id for v in community.volunteers]
    eligible: list[list[int]] = []
    limits: list[Limits] = []
    slots_on: list[list[Slot]] = [[] for _ in dates]
    for s in slots:
        slots_on[s.day].append(s)
    slot_at = {(s.day, s.shift_id): s.index for s in slots}
    # Volunteers mostly share their free hours and skills: the slots they may take in a
    # day's free windows (and the part of each) are worked out once per (day, skills,
    # windows).
    within: dict[
        tuple[int, frozenset[str], tuple[tuple[int, int], ...]],
        list[tuple[Slot, tuple[int, int] | None]],
    ] = {}
    part: dict[tuple[int, int], tuple[int, int]] = {}
    for vi, v in enumerate(community.volunteers):
        skills = frozenset(str(k) for k in v.skills)
        never = {sid for sid, most in v.max_shifts_by_id.items() if most <= 0}
        elig = []
        for d, date in enumerate(dates):
            if not slots_on[d]:
                continue
            free = community.availability_on(v.volunteer_id, date)
            key = (d, skills, tuple((w.start, w.end) for w in free))
            fits = within.get(key)
            if fits is None:
                fits = []
                for s in slots_on[d]:
                    if s.role not in skills:
                        continue
                    hours = duty_hours(s, free, policy.min_partial_duty_minutes)
                    if hours is not None:
                        fits.append((s, None if hours == (s.start, s.end) else hours))
                within[key] = fits
            for s, hours in fits:
                if s.shift_id in never:
                    continue
                elig.append(s.index)
                if hours is not None:
                    part[(vi, s.index)] = hours
        eligible.append(elig)
        limits.append(
            Limits(
                max_shifts_per_week=community.max_shifts_of(v),
                max_minutes_per_week=None
                if v.max_hours_per_week is None
                else math.floor(v.max_hours_per_week * 60 + 1e-9),
                max_consecutive_days=v.max_consecutive_days or policy.max_consecutive_days,
                min_consecutive_days=v.min_consecutive_days or 1,
                min_days_off_in_a_row=v.min_days_off_in_a_row or 1,
                max_weekends=v.max_weekends,
                min_minutes=v.min_minutes_per_period,
                max_minutes=v.max_minutes_per_period,
                max_shifts_by_id=dict(v.max_shifts_by_id),
            )
        )
    index = {vid: i for i, vid in enumerate(vids)}
    requests: list[RequestItem] = []
    day_of = {date: day for day, date in enumerate(dates)}
    days_by_weekday: dict[str, list[int]] = {}
    for day, date in enumerate(dates):
        days_by_weekday.setdefault(weekday(date), []).append(day)
    for r in community.requests:
        if r.date is not None:
            days = [day_of[r.date]] if r.date in day_of else []
        else:
            days = days_by_weekday.get(r.day or "", [])
        for day in days:
            named: tuple[int, ...] | None = None
            if r.shift_id is not None:
                if (day, r.shift_id) not in slot_at:
                    continue
                named = (slot_at[(day, r.shift_id)],)
            cost = policy.weight_request * r.weight
            if cost > 0:
                requests.append(RequestItem(index[r.volunteer_id], day, named, r.want, cost))
    weeks: dict[tuple[int, int], list[int]] = {}
    weekends: dict[tuple[int, int], list[int]] = {}
    for day, date in enumerate(dates):
        iso = date.isocalendar()
        weeks.setdefault((iso[0], iso[1]), []).append(day)
        if date.weekday() >= 5:
            weekends.setdefault((iso[0], iso[1]), []).append(day)
    problem = ShiftProblem(
        dates=dates,
        slots=slots,
        volunteer_ids=vids,
        eligible=eligible,
        limits=limits,
        min_rest=round(policy.min_rest_hours * 60),
        forbidden=frozenset((a, b) for a, b in policy.forbidden_successions),
        requests=requests,
        weeks=list(weeks.values()),
        weekends=list(weekends.values()),
        soft_max_weekends=policy.max_weekends,
        weight_weekend=policy.weight_weekend,
        fair_band=[],
        weight_fairness=policy.weight_fairness,
        stable_pairs=[],
        weight_stability=policy.weight_stability,
        part=part,
    )
    problem.fair_band = fair_bands(problem)
    if policy.weight_stability > 0:
        by_key = {(s.date, s.shift_id): s.index for s in slots if s.weekly}
        problem.stable_pairs = [
            (s.index, by_key[(s.date + dt.timedelta(days=7), s.shift_id)])
            for s in slots
            if s.weekly and (s.date + dt.timedelta(days=7), s.shift_id) in by_key
        ]
    return problem


def duty_hours(slot: Slot, free: list[TimeWindow], shortest: int) -> tuple[int, int] | None:
    """The hours of ``slot`` a volunteer free in ``free`` may take, or ``None``.

    A shift with a fixed minimum is taken whole, inside one pledged window. An ``auto``
    shift (its places follow the routes and bookings of the week) may be taken for the
    part of it inside one pledged window, when that part is at least ``shortest`` minutes
    (``min_partial_duty_minutes``), or the whole shift if it is shorter: the longest such
    part, the earliest of equals. The verifier checks the same rule.
    """
    whole = TimeWindow(slot.start, slot.end)
    if any(w.contains(whole) for w in free):
        return (slot.start, slot.end)
    if not slot.auto:
        return None
    need = min(shortest, slot.minutes)
    best: tuple[int, int] | None = None
    for w in free:
        start, end = max(w.start, slot.start), min(w.end, slot.end)
        if end - start >= need and (best is None or end - start > best[1] - best[0]):
            best = (start, end)
    return best


def pledged_shifts(problem: ShiftProblem, v: int) -> int:
    """How many shifts volunteer ``v`` pledged in the period: per ISO week, the fewer of
    their weekly limit and the days they could work that week."""
    days = problem.eligible_on_day[v]
    cap = problem.limits[v].max_shifts_per_week
    return sum(min(cap, sum(1 for d in week if d in days)) for week in problem.weeks)


def fair_bands(problem: ShiftProblem) -> list[tuple[int, int]]:
    """Each volunteer's fair share of the places wanted, in proportion to what they pledged
    and never more than they pledged, as the whole numbers of shifts either side of it.

    A share of 2.4 shifts makes 2 and 3 both fair, a share of 0.4 makes 0 and 1 fair; a
    whole share of 2 makes only 2 fair. Each shift outside the band costs the fairness
    weight.
    """
    pledged = [pledged_shifts(problem, v) for v in range(problem.n_volunteers)]
    total = sum(pledged)
    wanted = sum(s.min_volunteers for s in problem.slots)
    if total == 0:
        return [(0, 0)] * problem.n_volunteers
    bands = []
    for p in pledged:
        # Whole-number arithmetic: wanted * p / total exactly, floor and ceiling.
        low, rest = divmod(wanted * p, total)
        high = low + (1 if rest else 0)
        bands.append((min(p, low), min(p, high)))
    return bands


def fair_cost(band: tuple[int, int], shifts: int) -> int:
    """Shifts outside the fair ``band`` (below its low end or above its high end)."""
    low, high = band
    return max(0, low - shifts) + max(0, shifts - high)


# --- the roster's rules and prices, in plain Python ------------------------------------------


def conflicts(problem: ShiftProblem, a: int, b: int) -> bool:
    """Whether one volunteer may not work both slots (overlap, rest, forbidden succession).

    On the whole shifts' hours, even where a volunteer takes only part of an ``auto``
    shift (:attr:`ShiftProblem.part`): a rule on the longer hours holds on the shorter,
    and the rule stays the same for everyone on a slot. Hours worked, by contrast, count
    each volunteer's own part (:meth:`ShiftProblem.minutes_of`).
    """
    sa, sb = problem.slots[a], problem.slots[b]
    if sa.day > sb.day or (sa.day == sb.day and sa.start > sb.start):
        sa, sb = sb, sa
    if sa.day == sb.day:
        return sa.start < sb.end and sb.start < sa.end
    gap = (sb.day - sa.day) * DAY_MINUTES + sb.start - sa.end
    if gap < problem.min_rest:
        return True
    return sb.day == sa.day + 1 and (sa.shift_id, sb.shift_id) in problem.forbidden


def working_days(problem: ShiftProblem, slots: set[int]) -> list[bool]:
    """Per day of the period, whether the volunteer works any shift."""
    days = [False] * problem.n_days
    for i in slots:
        days[problem.slots[i].day] = True
    return days


def volunteer_terms(
    problem: ShiftProblem, v: int, slots: set[int] | frozenset[int]
) -> dict[str, int]:
    """The soft-rule costs that belong to volunteer ``v`` alone, if they work ``slots``.

    Everything but cover: requests, weekends, fairness and stability. The objective of a
    roster is the cover terms plus these summed over the volunteers.
    """
    terms = {"requests": 0, "weekends": 0, "fairness": 0, "stability": 0}
    days = working_days(problem, set(slots))
    for r in problem.requests_of[v]:
        on = days[r.day] if r.slots is None else any(i in slots for i in r.slots)
        if on != r.want:
            terms["requests"] += r.cost
    if problem.soft_max_weekends is not None and problem.weight_weekend:
        worked = sum(1 for w in problem.weekends if any(days[d] for d in w))
        terms["weekends"] += problem.weight_weekend * max(0, worked - problem.soft_max_weekends)
    if problem.weight_fairness and problem.fair_band:
        terms["fairness"] += problem.weight_fairness * fair_cost(problem.fair_band[v], len(slots))
    if problem.weight_stability:
        terms["stability"] += problem.weight_stability * sum(
            1 for a, b in problem.stable_pairs if (a in slots) != (b in slots)
        )
    return terms


def objective_terms(problem: ShiftProblem, roster: Roster) -> dict[str, int]:
    """Price a roster: the named soft-rule costs (integers), without a solver."""
    terms = dict.fromkeys(TERMS, 0)
    count = [0] * len(problem.slots)
    for slots in roster:
        for i in slots:
            count[i] += 1
    for s in problem.slots:
        terms["under_cover"] += s.weight_under * max(0, s.min_volunteers - count[s.index])
        if s.max_volunteers is not None:
            terms["over_cover"] += s.weight_over * max(0, count[s.index] - s.max_volunteers)
    for v, slots in enumerate(roster):
        for name, value in volunteer_terms(problem, v, slots).items():
            terms[name] += value
    return terms


def roster_cost(problem: ShiftProblem, roster: Roster) -> int:
    """The objective of ``roster``: the sum of its terms."""
    return sum(objective_terms(problem, roster).values())


def roster_of(problem: ShiftProblem, assignments: Iterable[Assignment]) -> Roster:
    """The roster of ``assignments`` (an earlier plan); places outside the problem drop out."""
    where = {(s.date, s.shift_id): s.index for s in problem.slots}
    vindex = {vid: v for v, vid in enumerate(problem.volunteer_ids)}
    roster: Roster = [set() for _ in problem.volunteer_ids]
    for a in assignments:
        slot = where.get((a.date, a.shift_id))
        if slot is not None and a.volunteer_id in vindex:
            roster[vindex[a.volunteer_id]].add(slot)
    return roster
