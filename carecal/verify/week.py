"""The week's cross-checks: each part of a week plan on its own, then that the parts agree."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from carecal.clock import TimeWindow, format_time
from carecal.duty import free_only_on_duty, on_duty
from carecal.model import Community, Role
from carecal.plans import Booking, WeekPlan
from carecal.verify.campaign import _CampaignPlaces, _escort_job, verify_campaign
from carecal.verify.meals import verify_meals
from carecal.verify.shifts import verify_shifts
from carecal.verify.violation import Violation


def verify_week(community: Community, plan: WeekPlan) -> list[Violation]:
    """Check each part of a week plan, and that the parts agree.

    Every carrier on a route and every escort on a booking must be on duty on a shift of
    their role that date, whenever the centre has shifts of that role on that date, and
    work only in their hours on duty (the assignment's hours, :mod:`carecal.duty`): each
    trip from leaving the kitchen to being back, each escort job from setting out to being
    free again, inside one stretch of them.
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
    found += _check_hours(community, plan)
    return found


def _check_hours(community: Community, plan: WeekPlan) -> list[Violation]:
    """Each trip and escort job of a volunteer on duty inside their hours on duty."""
    assert plan.shifts is not None
    found: list[Violation] = []
    dates = sorted({m.date for m in plan.meals} | {b.date for b in _bookings(plan)})
    duty = on_duty(community, dates, plan.shifts.assignments)
    carriers = free_only_on_duty(community, duty, Role.MEALS)
    for meals in plan.meals:
        hours = duty.get((meals.date, Role.MEALS), {})
        for t in meals.trips:
            if t.volunteer_id not in hours:
                continue  # not on duty at all: reported above, or no meals shift that date
            if carriers.free_window(t.volunteer_id, meals.date, t.leave, t.back) is None:
                found.append(
                    Violation(
                        rule="duty_hours",
                        message=f"carrier {t.volunteer_id}'s trip {t.trip} on {meals.date} runs "
                        f"{format_time(t.leave)}–{format_time(t.back)}, outside their hours on "
                        f"duty ({_words(hours[t.volunteer_id])}); end the trip in those hours "
                        "or put them on duty then",
                    )
                )
    escorted = [b for b in _bookings(plan) if b.escort_ids and b.pickup is not None]
    if not escorted:
        return found
    escorts = free_only_on_duty(community, duty, Role.ESCORT)
    places = _CampaignPlaces(community, escorted)
    for b in escorted:
        hours = duty.get((b.date, Role.ESCORT), {})
        job = _escort_job(b, places)
        for e in b.escort_ids:
            if e in hours and escorts.free_window(e, b.date, job.start, job.end) is None:
                found.append(
                    Violation(
                        rule="duty_hours",
                        message=f"escort {e}'s job for resident {b.resident_id} on {b.date} "
                        f"runs {format_time(job.start)}–{format_time(job.end)}, outside their "
                        f"hours on duty ({_words(hours[e])}); book the job in those hours or "
                        "put them on duty then",
                    )
                )
    return found


def _words(hours: list[TimeWindow]) -> str:
    return ", ".join(str(w) for w in sorted(hours))


def _bookings(plan: WeekPlan) -> tuple[Booking, ...]:
    return plan.campaign.bookings if plan.campaign is not None else ()
