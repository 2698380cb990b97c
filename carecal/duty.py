"""Hours on duty: when a shift plan lets each volunteer work in each role.

A volunteer on a shift works that role in the assignment's hours: the whole shift, or on an
``auto`` shift the part of it inside their pledged hours. The week plan re-routes and
re-books with each carrier and escort free only then, and the week's verifier checks the
routes and bookings against the same hours; both ask this module, so the rule is one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from carecal.clock import DAY_MINUTES, TimeWindow
from carecal.model import Availability, Community, Role, Skill
from carecal.plans import Assignment

__all__ = ["Duty", "free_only_on_duty", "on_duty"]

Duty = dict[tuple[dt.date, Role], dict[str, list[TimeWindow]]]
"""(date, role) to each volunteer on duty in that role that date and their hours on duty."""


def on_duty(
    community: Community, dates: Iterable[dt.date], assignments: Iterable[Assignment]
) -> Duty:
    """Who is on duty, and when, by date and role, for every role with shifts that date.

    A role with shifts on a date but nobody on them maps to an empty dict: nobody may
    work in that role then. Roles without shifts on a date are left out (anyone may).
    """
    duty: Duty = {}
    for d in dates:
        for s in community.shifts:
            if s.applies_to(d):
                duty.setdefault((d, s.role), {})
    for a in assignments:
        hours = duty.setdefault((a.date, Role(a.role)), {}).setdefault(a.volunteer_id, [])
        hours.append(TimeWindow(a.start, a.end))
    return duty


def free_only_on_duty(
    community: Community,
    duty: Mapping[tuple[dt.date, Role], Mapping[str, list[TimeWindow]]],
    role: Role,
) -> Community:
    """The community whose volunteers with the ``role`` skill are free, on each date
    ``duty`` names for the role, only in their hours on duty (and within their pledges).

    Each volunteer's free time that date becomes their pledged windows less every minute
    outside their hours on duty; a volunteer not on duty has none. Two adjacent hours on
    duty join, as pledged windows do.
    """
    extra = [
        Availability(volunteer_id=v.volunteer_id, date=date, start=a, end=b, available=False)
        for (date, r), people in duty.items()
        if r == role
        for v in community.volunteers
        if v.has(Skill(role.value))
        for a, b in _outside(people.get(v.volunteer_id, []))
    ]
    if not extra:
        return community
    return community.with_changes(availability=community.availability + tuple(extra))


def _outside(hours: list[TimeWindow]) -> list[tuple[int, int]]:
    """The stretches of the day outside ``hours`` (the whole day when there are none)."""
    out: list[tuple[int, int]] = []
    t = 0
    for w in sorted(hours):
        if w.start > t:
            out.append((t, w.start))
        t = max(t, w.end)
    if t < DAY_MINUTES:
        out.append((t, DAY_MINUTES))
    return out
