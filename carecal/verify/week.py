"""The week's cross-checks: each part of a week plan on its own, then that the parts agree."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from carecal.model import Community
from carecal.plans import Booking, WeekPlan
from carecal.verify.campaign import verify_campaign
from carecal.verify.meals import verify_meals
from carecal.verify.shifts import verify_shifts
from carecal.verify.violation import Violation


def verify_week(community: Community, plan: WeekPlan) -> list[Violation]:
    """Check each part of a week plan, and that the parts agree.

    Every carrier on a route and every escort on a booking must be on duty on a shift of
    their role that date, whenever the centre has shifts of that role on that date.
    """
    found: list[Violation] = []
    for meals in plan.meals:
        found += verify_meals(community, meals)
    if plan.campaign is not None:
        found += verify_campaign(community, plan.campaign)
    if plan.shifts is None:
        return found
    found += verify_shifts(community, plan.shifts)
    duty: dict[tuple[dt.date, str], set[str]] = defaultdict(set)
    for a in plan.shifts.assignments:
        duty[(a.date, a.role)].add(a.volunteer_id)
    has_shifts = {
        (d, s.role.value)
        for d in {m.date for m in plan.meals} | {b.date for b in _bookings(plan)}
        for s in community.shifts
        if s.applies_to(d)
    }
    working: set[tuple[dt.date, str, str]] = set()
    for meals in plan.meals:
        working |= {(meals.date, "meals", t.volunteer_id) for t in meals.trips}
    for b in _bookings(plan):
        working |= {(b.date, "escort", e) for e in b.escort_ids}
    for date, role, vid in sorted(working):
        if (date, role) in has_shifts and vid not in duty[(date, role)]:
            found.append(
                Violation(
                    rule="on_duty",
                    message=f"volunteer {vid} works as {role} on {date} but is on no {role} "
                    "shift that date; put them on the shift or take them off the "
                    + ("route" if role == "meals" else "booking"),
                )
            )
    return found


def _bookings(plan: WeekPlan) -> tuple[Booking, ...]:
    return plan.campaign.bookings if plan.campaign is not None else ()
