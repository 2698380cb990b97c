"""Volunteer shifts, re-checked: each assignment, each volunteer's limits, and every cover count."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict
from typing import NamedTuple

from carecal.clock import format_time
from carecal.model import Community, Skill
from carecal.plans import ShiftPlan, UnservedKind
from carecal.verify.violation import Report, Violation


class _ShiftDay(NamedTuple):
    """One shift as it runs on one date, written out again from the shift rows."""

    role: str
    start: int
    end: int
    low: int | None
    high: int | None
    auto: bool
    """``min_volunteers`` is ``auto``: a volunteer may take part of the shift."""


def _shifts_on(
    community: Community,
    date: dt.date,
    demand: dict[tuple[dt.date, str], tuple[int, int | None]],
) -> dict[str, _ShiftDay]:
    """The shifts of a date: dated rows, and weekly rows whose id has no dated row."""
    out: dict[str, _ShiftDay] = {}
    weekday = date.strftime("%a")
    # Weekly rows first, so a dated row of the same id replaces them.
    weekly = [t for t in community.shifts if t.day is not None and t.day == weekday]
    for t in weekly + [t for t in community.shifts if t.date == date]:
        out[t.shift_id] = _ShiftDay(
            t.role.value,
            t.start,
            t.end,
            t.min_volunteers,
            t.max_volunteers,
            t.min_volunteers is None,
        )
    for (d, sid), (low, high) in demand.items():
        if d == date and sid in out:
            out[sid] = out[sid]._replace(low=low, high=high if high is not None else out[sid].high)
    return out


def verify_shifts(community: Community, plan: ShiftPlan) -> list[Violation]:
    """Re-check a shift plan: every hard rule, and every cover count.

    Hard rules: the shift runs that date with those hours, whole for a shift with a fixed
    minimum; on an ``auto`` shift an assignment may instead give a part of the shift's hours
    of at least ``min_partial_duty_minutes`` (or the whole shift, if shorter); the role's
    skill; availability covering the assignment's hours, inside one pledged window; no two
    overlapping shifts (on the assignments' own hours, as every rule below); rest between
    shifts on different days; forbidden successions; shifts and hours per ISO week;
    consecutive working days; each volunteer's period pledges (minutes, runs of days and
    days off, weekends, shifts per shift id). A run that touches the first or last day of
    the period is not held to a minimum length. Cover: a shift below its minimum must have
    one ``unserved`` row (kind ``shift``, its id and date) per open place. A plan without a
    timetable (status infeasible or time limit) is not checked for cover.
    """
    found: list[Violation] = []

    def bad(rule: str, message: str) -> None:
        found.append(Violation(rule=rule, message=message))

    days = (plan.end - plan.start).days + 1
    dates = [plan.start + dt.timedelta(days=i) for i in range(max(0, days))]
    shifts = {d: _shifts_on(community, d, plan.demand) for d in dates}
    people = community.volunteer_by_id
    seen: set[tuple[str, dt.date, str]] = set()
    mine: dict[str, list[tuple[dt.date, int, int, str]]] = defaultdict(list)
    count: Counter[tuple[dt.date, str]] = Counter()
    for a in plan.assignments:
        what = f"volunteer {a.volunteer_id} on shift {a.shift_id} on {a.date}"
        if a.date not in shifts:
            bad("period", f"{what}: the date is outside the plan {plan.start} to {plan.end}")
            continue
        shift = shifts[a.date].get(a.shift_id)
        if shift is None:
            bad("shift", f"{what}: shift {a.shift_id} does not run on {a.date}")
            continue
        # The hours the volunteer works: on an auto shift the part the plan gives, when it
        # lies inside the shift's hours; else the whole shift. The rules below check them.
        start, end = shift.start, shift.end
        if shift.role != a.role:
            bad("shift", f"{what}: the plan says {a.role}, the shift is {shift.role}")
        if shift.auto and (a.start, a.end) != (start, end):
            shortest = min(community.policy.min_partial_duty_minutes, end - start)
            if not start <= a.start < a.end <= end:
                bad(
                    "shift",
                    f"{what}: the plan says {format_time(a.start)}–{format_time(a.end)}, "
                    f"which is not inside the shift's hours "
                    f"{format_time(start)}–{format_time(end)}",
                )
            else:
                start, end = a.start, a.end
                if end - start < shortest:
                    bad(
                        "partial_duty",
                        f"{what}: {format_time(start)}–{format_time(end)} is {end - start} "
                        f"min of the shift; a part of an auto shift is at least {shortest} "
                        "min (min_partial_duty_minutes)",
                    )
        elif (a.start, a.end) != (start, end):
            bad(
                "shift",
                f"{what}: the plan says {format_time(a.start)}–{format_time(a.end)}, the "
                f"shift is {format_time(start)}–{format_time(end)} and has a fixed number "
                "of places, so it is worked whole",
            )
        key = (a.volunteer_id, a.date, a.shift_id)
        if key in seen:
            bad("duplicate", f"{what} appears twice")
            continue
        seen.add(key)
        count[(a.date, a.shift_id)] += 1
        person = people.get(a.volunteer_id)
        if person is None:
            bad("volunteer", f"{what}: there is no volunteer {a.volunteer_id}")
            continue
        if Skill(shift.role) not in person.skills:
            bad("skill", f"{what}: the shift needs the {shift.role} skill, which they lack")
        if community.free_window(a.volunteer_id, a.date, start, end) is None:
            free = community.availability_on(a.volunteer_id, a.date)
            hours = ", ".join(str(w) for w in free) or "none"
            bad(
                "availability",
                f"{what}: {format_time(start)}–{format_time(end)} is not inside "
                f"their pledged hours that day ({hours})",
            )
        mine[a.volunteer_id].append((a.date, start, end, a.shift_id))
    if dates and plan.status.has_plan:
        for vid in sorted(people):
            _check_volunteer_shifts(community, vid, sorted(mine.get(vid, [])), dates, bad)
    elif dates:
        for vid in sorted(mine):
            _check_volunteer_shifts(community, vid, sorted(mine.get(vid, [])), dates, bad)
    if not plan.status.has_plan:
        return found
    listed: Counter[tuple[dt.date | None, str]] = Counter(
        (u.date, u.id) for u in plan.unserved if u.kind == UnservedKind.SHIFT
    )
    for d in dates:
        for sid, shift in sorted(shifts[d].items()):
            if shift.low is None:
                bad(
                    "demand",
                    f"shift {sid} on {d} has min_volunteers auto and the plan records no "
                    "demand for it; plan it with demand={(date, shift_id): n}",
                )
                continue
            short = max(0, shift.low - count[(d, sid)])
            if listed[(d, sid)] != short:
                bad(
                    "cover",
                    f"shift {sid} on {d} has {count[(d, sid)]} of the {shift.low} volunteers "
                    f"wanted, so {short} open place(s), but unserved lists {listed[(d, sid)]}",
                )
    return found


def _check_volunteer_shifts(
    community: Community,
    vid: str,
    items: list[tuple[dt.date, int, int, str]],
    dates: list[dt.date],
    bad: Report,
) -> None:
    """One volunteer's shifts (sorted by date and start) against their limits."""
    policy = community.policy
    person = community.volunteer_by_id[vid]
    day0 = dates[0]
    # Every pair of shifts: overlap on one date, rest and successions across dates.
    for (d1, s1, e1, id1), (d2, s2, e2, id2) in itertools.combinations(items, 2):
        if d1 == d2:
            if s1 < e2 and s2 < e1:
                bad("overlap", f"volunteer {vid} is on {id1} and {id2} at once on {d1}")
            continue
        gap = (d2 - d1).days * 24 * 60 + s2 - e1
        if gap < policy.min_rest_hours * 60:
            bad(
                "rest",
                f"volunteer {vid} has {gap / 60:g} h between {id1} on {d1} (until "
                f"{format_time(e1)}) and {id2} on {d2}; the policy asks for "
                f"{policy.min_rest_hours:g} h",
            )
        if (d2 - d1).days == 1 and (id1, id2) in set(policy.forbidden_successions):
            bad("succession", f"volunteer {vid} has {id2} on {d2} right after {id1} on {d1}")
    weeks: dict[tuple[int, int], list[tuple[dt.date, int, int, str]]] = defaultdict(list)
    for item in items:
        iso = item[0].isocalendar()
        weeks[(iso[0], iso[1])].append(item)
    most = community.max_shifts_of(person)
    for (year, week), shifts in sorted(weeks.items()):
        if len(shifts) > most:
            bad(
                "shifts_per_week",
                f"volunteer {vid} has {len(shifts)} shifts in week {week} of {year}; they "
                f"pledged at most {most}",
            )
        hours = sum(e - s for _, s, e, _ in shifts) / 60
        if person.max_hours_per_week is not None and hours > person.max_hours_per_week + 1e-9:
            bad(
                "hours_per_week",
                f"volunteer {vid} has {hours:g} h in week {week} of {year}; they pledged at "
                f"most {person.max_hours_per_week:g} h",
            )
    minutes = sum(e - s for _, s, e, _ in items)
    if person.min_minutes_per_period is not None and minutes < person.min_minutes_per_period:
        bad(
            "minutes",
            f"volunteer {vid} has {minutes} minutes of shifts; they pledged at least "
            f"{person.min_minutes_per_period}",
        )
    if person.max_minutes_per_period is not None and minutes > person.max_minutes_per_period:
        bad(
            "minutes",
            f"volunteer {vid} has {minutes} minutes of shifts; they pledged at most "
            f"{person.max_minutes_per_period}",
        )
    for sid, limit in sorted(person.max_shifts_by_id.items()):
        got = sum(1 for *_, i in items if i == sid)
        if got > limit:
            bad("shift_limit", f"volunteer {vid} has {got} shifts {sid}; at most {limit}")
    working = {d for d, *_ in items}
    on = [d in working for d in dates]
    runs: list[list[int]] = []  # [working (0/1), first index, length]
    for i, flag in enumerate(on):
        if runs and runs[-1][0] == int(flag):
            runs[-1][2] += 1
        else:
            runs.append([int(flag), i, 1])
    longest = person.max_consecutive_days or policy.max_consecutive_days
    shortest = person.min_consecutive_days or 1
    rest_days = person.min_days_off_in_a_row or 1
    for kind, first, length in runs:
        start = day0 + dt.timedelta(days=first)
        inside = first > 0 and first + length < len(dates)
        if kind and length > longest:
            bad(
                "consecutive_days",
                f"volunteer {vid} works {length} days in a row from {start}; at most {longest}",
            )
        if kind and inside and length < shortest:
            bad(
                "min_consecutive_days",
                f"volunteer {vid} works only {length} day(s) in a row from {start}; at least "
                f"{shortest}",
            )
        if not kind and inside and length < rest_days:
            bad(
                "days_off",
                f"volunteer {vid} has only {length} day(s) off in a row from {start}; at least "
                f"{rest_days}",
            )
    if person.max_weekends is not None:
        weekends = {d.isocalendar()[:2] for d in working if d.weekday() >= 5}
        if len(weekends) > person.max_weekends:
            bad(
                "weekends",
                f"volunteer {vid} works {len(weekends)} weekends; they pledged at most "
                f"{person.max_weekends}",
            )
