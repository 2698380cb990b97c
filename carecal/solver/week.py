"""The week plan: meal routes, the campaign days and the shift plan, made to agree.

The order of work:

1. route each date's meals with every carrier who pledged time that day;
2. plan the campaign days that fall in the period;
3. turn those plans into the demand of the ``auto`` shifts (carriers per date on the
   ``meals`` shifts, escorts per date on the ``escort`` shifts), and ask the shift planner
   to prefer the very volunteers the routes and bookings used (as weighted requests);
4. plan the shifts;
5. route again, and re-plan the campaign, with only the volunteers on duty in that role,
   wherever the shift plan put different people on duty.

So every carrier and escort in the week plan is on a shift of their role that date,
whenever the centre has shifts of that role on that date.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable

from carecal.clock import date_range
from carecal.demand import auto_demand, routed_volunteers
from carecal.model import Community, Request, Role, coerce_date
from carecal.plans import CampaignPlan, MealPlan, ShiftPlan, Status, WeekPlan
from carecal.solver.campaign import plan_health_checks
from carecal.solver.meals import plan_meals
from carecal.solver.shifts import plan_shifts

logger = logging.getLogger(__name__)

REQUEST_WEIGHT = 5
"""Weight of the generated requests that keep the routed volunteers on duty."""


def plan_week(
    community: Community,
    start: dt.date | str,
    *,
    days: int = 7,
    meal_time_limit: float = 5.0,
    campaign_time_limit: float = 20.0,
    shift_time_limit: float = 20.0,
    deterministic: bool = False,
    progress: Callable[[str], None] | None = None,
) -> WeekPlan:
    """Plan meals, campaign days and shifts for ``days`` days from ``start``.

    Parameters
    ----------
    community
        The community.
    start
        The first date (a date or ``YYYY-MM-DD``).
    days
        Length of the period (default a week).
    meal_time_limit, campaign_time_limit, shift_time_limit
        Seconds for each solve (meals: per date and per pass).
    deterministic
        Same input, same plan.
    progress
        Called with short messages while planning.

    Returns
    -------
    WeekPlan
        The three plans; ``unserved`` gathers theirs. The status is the weakest of them.

    Raises
    ------
    ValueError
        For invalid input (``days`` below 1, and whatever the planners reject).
    """
    began = time.perf_counter()
    if days < 1:
        raise ValueError(f"days must be 1 or more, not {days}")
    first = coerce_date(start)
    dates = date_range(first, first + dt.timedelta(days=days - 1))
    say = progress or (lambda _msg: None)

    meals = {d: _meals(community, d, None, meal_time_limit, deterministic, say) for d in dates}
    campaign_dates = sorted({c.date for c in community.campaign if c.date in dates})
    campaign = _campaign(community, campaign_dates, None, campaign_time_limit, deterministic, say)

    shifts: ShiftPlan | None = None
    if any(s.applies_to(d) for s in community.shifts for d in dates):
        routed = routed_volunteers(meals.values(), campaign)
        demand = auto_demand(community, dates, routed)
        wishes = _stay_on_duty_requests(community, dates, routed)
        say("planning shifts")
        shifts = plan_shifts(
            community.with_changes(requests=community.requests + tuple(wishes)),
            first,
            dates[-1],
            demand,
            time_limit=shift_time_limit,
            deterministic=deterministic,
            progress=progress,
        )
        on_duty = _on_duty(community, dates, shifts)
        for d in dates:
            people = on_duty.get((d, Role.MEALS))
            if people is not None and set(meals[d].carriers) - people:
                meals[d] = _meals(community, d, sorted(people), meal_time_limit, deterministic, say)
        if campaign is not None:
            escorts_on = {d: on_duty.get((d, Role.ESCORT)) for d in campaign_dates}
            if any(
                people is not None and _escorts_of(campaign, d) - people
                for d, people in escorts_on.items()
            ):
                campaign = _campaign(
                    community,
                    campaign_dates,
                    escorts_on,
                    campaign_time_limit,
                    deterministic,
                    say,
                )

    meal_plans = tuple(meals[d] for d in dates)
    parts: list[MealPlan | CampaignPlan | ShiftPlan] = [*meal_plans]
    if campaign is not None:
        parts.append(campaign)
    if shifts is not None:
        parts.append(shifts)
    return WeekPlan(
        status=_weakest([p.status for p in parts]),
        start=first,
        end=dates[-1],
        meals=meal_plans,
        campaign=campaign,
        shifts=shifts,
        unserved=tuple(u for p in parts for u in p.unserved),
        objective_terms={
            f"{type(p).__name__}.{k}": v for p in parts for k, v in p.objective_terms.items()
        },
        solve_seconds=time.perf_counter() - began,
    )


def _meals(
    community: Community,
    date: dt.date,
    carriers: list[str] | None,
    limit: float,
    deterministic: bool,
    say: Callable[[str], None],
) -> MealPlan:
    say(f"routing meals for {date}" + (" with the carriers on duty" if carriers else ""))
    return plan_meals(
        community, date, carriers=carriers, time_limit=limit, deterministic=deterministic
    )


def _campaign(
    community: Community,
    dates: list[dt.date],
    escorts: dict[dt.date, set[str] | None] | None,
    limit: float,
    deterministic: bool,
    say: Callable[[str], None],
) -> CampaignPlan | None:
    if not dates:
        return None
    say("planning the campaign days" + (" with the escorts on duty" if escorts else ""))
    if escorts is not None:
        community = _only_escorts_on_duty(community, escorts)
    campaign_rows = tuple(c for c in community.campaign if c.date in dates)
    return plan_health_checks(
        community.with_changes(campaign=campaign_rows),
        time_limit=limit,
        deterministic=deterministic,
    )


def _only_escorts_on_duty(
    community: Community, escorts: dict[dt.date, set[str] | None]
) -> Community:
    """A community whose escorts pledge nothing on the dates they are not on duty."""
    from carecal.model import Availability, Skill

    extra = []
    for date, people in escorts.items():
        if people is None:
            continue
        for v in community.volunteers:
            if v.has(Skill.ESCORT) and v.volunteer_id not in people:
                extra.append(
                    Availability(
                        volunteer_id=v.volunteer_id,
                        date=date,
                        start=0,
                        end=24 * 60,
                        available=False,
                    )
                )
    return community.with_changes(availability=community.availability + tuple(extra))


def _escorts_of(campaign: CampaignPlan, date: dt.date) -> set[str]:
    return {e for b in campaign.bookings if b.date == date for e in b.escort_ids}


def _stay_on_duty_requests(
    community: Community,
    dates: list[dt.date],
    routed: dict[tuple[dt.date, Role], set[str]],
) -> list[Request]:
    wishes = []
    for d in dates:
        for s in community.shifts:
            if not s.applies_to(d) or s.role not in (Role.MEALS, Role.ESCORT):
                continue
            for vid in sorted(routed.get((d, s.role), set())):
                wishes.append(
                    Request(
                        volunteer_id=vid,
                        date=d,
                        shift_id=s.shift_id,
                        want=True,
                        weight=REQUEST_WEIGHT,
                    )
                )
    return wishes


def _on_duty(
    community: Community, dates: list[dt.date], shifts: ShiftPlan
) -> dict[tuple[dt.date, Role], set[str]]:
    """Who is on duty by date and role, for every role that has shifts that date.

    A role with shifts on a date but nobody on them maps to an empty set: nobody may
    work in that role then.
    """
    duty: dict[tuple[dt.date, Role], set[str]] = {}
    for d in dates:
        for s in community.shifts:
            if s.applies_to(d):
                duty.setdefault((d, s.role), set())
    for a in shifts.assignments:
        duty.setdefault((a.date, Role(a.role)), set()).add(a.volunteer_id)
    return duty


def _weakest(statuses: list[Status]) -> Status:
    order = [Status.INFEASIBLE, Status.TIME_LIMIT, Status.FEASIBLE, Status.OPTIMAL, Status.EMPTY]
    if not statuses:
        return Status.EMPTY
    return min(statuses, key=order.index)
