"""The week plan: meal routes, the campaign days and the shift plan, made to agree.

The order of work:

1. route each date's meals with every carrier who pledged time that day;
2. plan the campaign days that fall in the period (the rows of ``campaign.csv`` there);
3. turn those plans into the demand of the ``auto`` shifts (carriers per date on the
   ``meals`` shifts, escorts per date on the ``escort`` shifts), and ask the shift planner
   to prefer the very volunteers the routes and bookings used (as weighted requests);
4. plan the shifts;
5. route again, and re-plan the campaign, with each carrier and escort free in that role
   only in their hours on duty (:mod:`carecal.duty`), wherever the first routes or
   bookings do not fit those hours; a resident the re-booking loses for that reason is
   listed as ``escort_off_duty``, not with a reason about the escorts' pledges;
6. give the shift plan the places those final routes and bookings use, as a plan folder
   read back derives them (:func:`carecal.demand.auto_demand`).

So every carrier and escort in the week plan works inside their hours on a shift of their
role that date, whenever the centre has shifts of that role on that date. On an ``auto``
shift a volunteer may be on duty for only the part of it inside their pledged hours (at
least ``min_partial_duty_minutes``; see :func:`carecal.solver.shifts.problem.duty_hours`),
so an escort who pledged 08:00–11:00 serves a 07:30–12:30 escort shift from 08:00 to 11:00
and keeps the jobs the first booking gave them then.

The time limit is the whole call's: before any work, :func:`week_budget` splits it among
the parts (each date's routing, the campaign, the shifts, and a reserve for step 5), and
each part runs with ``min(its share, the time left)``, never less than a small floor
unless its share is smaller. The shares add up to the call's limit less a margin for the
work between the parts.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from carecal.clock import TimeWindow, coerce_period, date_range, format_time
from carecal.demand import auto_demand, routed_volunteers
from carecal.duty import Duty, free_only_on_duty, on_duty
from carecal.explain import campaign_escort_off_duty, shift_short
from carecal.model import (
    ClinicDay,
    Community,
    Request,
    Role,
    Skill,
)
from carecal.options import ProgressOption, SolveOptions, solve_options
from carecal.plans import (
    CampaignPlan,
    MealPlan,
    ShiftPlan,
    Status,
    Unserved,
    UnservedKind,
    WeekPlan,
)
from carecal.policy import check_policy
from carecal.solver.campaign import campaign_plan
from carecal.solver.meals import meal_plan
from carecal.solver.shifts import shift_plan
from carecal.verify.campaign import verify_campaign

__all__ = ["WeekBudget", "plan_week", "week_budget", "week_plan"]

logger = logging.getLogger(__name__)

REQUEST_WEIGHT = 5
"""Weight of the generated requests that keep the routed volunteers on duty."""

MEAL_DAY_WEIGHT = 1.0
"""Share of one date's meal routing in the budget (the unit of the weights below)."""
CAMPAIGN_WEIGHT = 2.0
"""Share of the campaign: one CP-SAT model over all its days, escorts and chairs."""
SHIFTS_WEIGHT = 2.0
"""Share of the shift plan: one CP-SAT model over the whole period."""
REROUTE_FRACTION = 0.5
"""The reserve for step 5, as a fraction of the first pass's routing and booking shares:
a re-route usually changes a few carriers, and starts from a day already solved once."""
MARGIN_FRACTION = 0.05
"""Kept back from the parts for the work between them (demand, requests, copies)."""
MIN_PART_SECONDS = 0.2
"""When the clock has run out, a part still starts with this much (or its share if less)."""
EMPTY_DAY_SECONDS = 0.05
"""A date without meal orders: the router returns an empty plan without searching."""


@dataclass(frozen=True)
class WeekBudget:
    """How a week plan's time limit is split among its parts, in seconds.

    Attributes
    ----------
    meals : dict
        Date to the seconds for routing that date's meals.
    campaign : float
        Seconds for the campaign (0 when no campaign day falls in the period).
    shifts : float
        Seconds for the shift plan (0 when no shift runs in the period).
    reserve : float
        Seconds for re-routing and re-booking with the volunteers on duty, shared among
        the dates (weight 1) and the campaign (its weight) that need it.
    """

    meals: dict[dt.date, float]
    campaign: float
    shifts: float
    reserve: float

    @property
    def total(self) -> float:
        """The seconds handed out in all."""
        return sum(self.meals.values()) + self.campaign + self.shifts + self.reserve


def week_budget(
    community: Community,
    dates: Sequence[dt.date],
    campaign_days: Sequence[ClinicDay],
    has_shifts: bool,
    seconds: float,
) -> WeekBudget:
    """Split ``seconds`` among the parts of a week plan, before any of them runs.

    Dates with meal orders weigh :data:`MEAL_DAY_WEIGHT` each, the campaign
    :data:`CAMPAIGN_WEIGHT`, the shifts :data:`SHIFTS_WEIGHT`, and, when there are shifts
    to agree with, the reserve :data:`REROUTE_FRACTION` of the routing and booking
    weights. Dates without orders get :data:`EMPTY_DAY_SECONDS`; :data:`MARGIN_FRACTION`
    of the limit is kept back for the work between the parts.

    Parameters
    ----------
    community
        The community (for the meal orders of each date).
    dates
        Every date of the period.
    campaign_days
        The campaign days in the period (may be empty).
    has_shifts
        Whether any shift runs in the period.
    seconds
        The week plan's time limit.

    Returns
    -------
    WeekBudget
        The shares; their total is at most ``seconds``.
    """
    ordered = [d for d in dates if community.deliveries_on(d)]
    idle = [d for d in dates if d not in ordered]
    routing = MEAL_DAY_WEIGHT * len(ordered) + (CAMPAIGN_WEIGHT if campaign_days else 0.0)
    weights = {
        "campaign": CAMPAIGN_WEIGHT if campaign_days else 0.0,
        "shifts": SHIFTS_WEIGHT if has_shifts else 0.0,
        "reserve": REROUTE_FRACTION * routing if has_shifts else 0.0,
    }
    total_weight = MEAL_DAY_WEIGHT * len(ordered) + sum(weights.values())
    left = max(0.0, seconds * (1 - MARGIN_FRACTION) - EMPTY_DAY_SECONDS * len(idle))
    unit = left / total_weight if total_weight else 0.0
    meals = {d: (MEAL_DAY_WEIGHT * unit if d in ordered else EMPTY_DAY_SECONDS) for d in dates}
    return WeekBudget(
        meals=meals,
        campaign=weights["campaign"] * unit,
        shifts=weights["shifts"] * unit,
        reserve=weights["reserve"] * unit,
    )


def plan_week(
    community: Community,
    start: object,
    end: object = None,
    *,
    time_limit: float = 60.0,
    workers: int | None = None,
    seed: int = 0,
    deterministic: bool = False,
    progress: ProgressOption = False,
) -> WeekPlan:
    """Plan the meals, the campaign days and the shifts of a period, made to agree.

    Parameters
    ----------
    community
        The community.
    start
        The first date: a ``datetime.date``, ``"YYYY-MM-DD"``, or a naive
        ``datetime``/``pandas.Timestamp``/``numpy.datetime64`` at midnight.
    end
        The last date (included), as ``start``; default ``start`` + 6 days (a week).
    time_limit
        Total wall-clock seconds for the whole call (default 60). The week plan splits it
        among its parts before it starts (see :func:`week_budget`), so the call takes
        about this long.
    workers
        Solver threads for each CP-SAT solve (default ``None``: every core). The OR-Tools
        routing search of each date is single-threaded whatever this says.
    seed
        Seed of every random choice of the solvers (default 0).
    deterministic
        Same input, same plan (default ``False``): each solve stops after a fixed amount
        of work instead of the clock, so ``time_limit`` becomes a budget of work.
    progress
        ``False`` (default) for silence, ``True`` for a progress bar, or a callable that
        receives each :class:`carecal.progress.ProgressEvent` (one stage per part:
        ``meals``, ``campaign``, ``shifts``, ``re-route``, and the parts' own events).

    Returns
    -------
    WeekPlan
        One meal plan per date, the campaign plan (when a row of ``campaign.csv`` falls
        in the period), the shift plan (when a shift runs in the period); ``unserved``
        gathers theirs and the status is the weakest of them.

    Raises
    ------
    carecal.OptionError
        For a period or an option that is not valid.
    carecal.CommunityError
        For a community the planners cannot plan (an invalid policy, a campaign day that
        closes before it opens, an ``auto`` shift, ...).
    """
    options = solve_options(
        "plan_week",
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        deterministic=deterministic,
        progress=progress,
    )
    try:
        first, last = coerce_period(start, end, default_days=7)
        check_policy(community.policy)
        return week_plan(community, first, last, options)
    finally:
        options.reporter.close()


def week_plan(
    community: Community, first: dt.date, last: dt.date, options: SolveOptions
) -> WeekPlan:
    """:func:`plan_week` on plain dates and checked options (the order of work above)."""
    began = time.perf_counter()
    say = options.reporter
    dates = date_range(first, last)
    in_period = any(first <= c.date <= last for c in community.campaign)
    # Only the dates the centre listed: the week plan never invents a campaign day. Any
    # CommunityError (no clinic, a day that closes before it opens) reaches the caller.
    days = community.clinic_days(first, last, listed_only=True) if in_period else []
    has_shifts = any(s.applies_to(d) for s in community.shifts for d in dates)
    budget = week_budget(community, dates, days, has_shifts, options.time_limit)
    logger.debug("week budget for %s to %s: %s", first, last, budget)

    meals: dict[dt.date, MealPlan] = {}
    for d in dates:
        say("meals", f"routing the meals of {d}")
        meals[d] = meal_plan(community, d, _part(options, budget.meals[d], "plan_meals"))
    campaign: CampaignPlan | None = None
    if days:
        say("campaign", f"booking {len(days)} campaign day(s)")
        campaign = campaign_plan(
            community, days, _part(options, budget.campaign, "plan_health_checks")
        )

    shifts: ShiftPlan | None = None
    if has_shifts:
        routed = routed_volunteers(meals.values(), campaign)
        demand = auto_demand(community, dates, routed)
        wishes = stay_on_duty_requests(community, dates, routed)
        say("shifts", f"planning the shifts of {first} to {last}")
        shifts = shift_plan(
            community.with_changes(requests=community.requests + tuple(wishes)),
            first,
            last,
            _part(options, budget.shifts, "plan_shifts"),
            demand=demand,
            hint=None,
        )
        meals, campaign = _agree(community, dates, days, meals, campaign, shifts, budget, options)
        shifts = _places_as_routed(community, dates, meals, campaign, shifts)

    meal_plans = tuple(meals[d] for d in dates)
    parts: list[MealPlan | CampaignPlan | ShiftPlan] = [*meal_plans]
    if campaign is not None:
        parts.append(campaign)
    if shifts is not None:
        parts.append(shifts)
    week = WeekPlan(
        status=weakest_status([p.status for p in parts]),
        start=first,
        end=last,
        meals=meal_plans,
        campaign=campaign,
        shifts=shifts,
        unserved=tuple(u for p in parts for u in p.unserved),
        objective_terms={
            f"{type(p).__name__}.{k}": v for p in parts for k, v in p.objective_terms.items()
        },
        solve_seconds=time.perf_counter() - began,
    ).with_people(community)
    say("done", f"week planned in {week.solve_seconds:.1f} s")
    return week


def _part(options: SolveOptions, share: float, planner: str) -> SolveOptions:
    """The options of one part: its planned share, cut to the time left.

    When the clock has run out, the part still gets the floor (a part given nothing would
    return no plan at all), but never more than its share: so the limits handed out add up
    to at most the budget's total, and so to at most the call's limit.
    """
    return options.with_time_limit(part_seconds(options, share), planner)


def part_seconds(options: SolveOptions, share: float) -> float:
    """The seconds a part of the week gets: its share, cut to the time left, never less
    than :data:`MIN_PART_SECONDS` unless its share is smaller (:func:`_part`)."""
    return min(share, max(options.remaining(), MIN_PART_SECONDS))


def _agree(
    community: Community,
    dates: Sequence[dt.date],
    days: Sequence[ClinicDay],
    meals: dict[dt.date, MealPlan],
    campaign: CampaignPlan | None,
    shifts: ShiftPlan,
    budget: WeekBudget,
    options: SolveOptions,
) -> tuple[dict[dt.date, MealPlan], CampaignPlan | None]:
    """Step 5: re-route and re-book, with each volunteer free in their role only in their
    hours on duty, where the first routes or bookings do not fit those hours."""
    duty = on_duty(community, dates, shifts.assignments)
    carriers = free_only_on_duty(community, duty, Role.MEALS)
    escorts = free_only_on_duty(community, duty, Role.ESCORT)
    reroute = {
        d: sorted(duty[(d, Role.MEALS)])
        for d in dates
        if (d, Role.MEALS) in duty
        and any(
            carriers.free_window(t.volunteer_id, d, t.leave, t.back) is None for t in meals[d].trips
        )
    }
    # A booking fits the hours on duty when the independent check finds nothing wrong
    # with it once each escort is free only then (a pool chair's walks count too).
    rebook = campaign is not None and bool(verify_campaign(escorts, campaign))
    # The reserve goes to the parts that need it, in proportion to their first shares.
    weight = MEAL_DAY_WEIGHT * len(reroute) + (CAMPAIGN_WEIGHT if rebook else 0.0)
    unit = budget.reserve / weight if weight else 0.0
    meals = dict(meals)
    for d, people in reroute.items():
        options.reporter("re-route", f"routing the meals of {d} with the carriers on duty")
        meals[d] = meal_plan(
            carriers,
            d,
            _part(options, MEAL_DAY_WEIGHT * unit, "plan_meals"),
            carriers=people,
        )
    if rebook and campaign is not None:
        options.reporter("re-route", "booking the campaign with the escorts on duty")
        first = campaign
        campaign = campaign_plan(
            escorts,
            list(days),
            _part(options, CAMPAIGN_WEIGHT * unit, "plan_health_checks"),
        )
        campaign = _say_off_duty(campaign, first, duty, community.policy.lang)
    return meals, campaign


_DUTY_CODES = frozenset({"escort_time", "escorts_busy", "slots_full"})
"""Reasons of the re-booking that the escorts' hours on duty may have caused."""


def _say_off_duty(
    campaign: CampaignPlan, first: CampaignPlan, duty: Duty, lang: str
) -> CampaignPlan:
    """The re-booked campaign with true reasons for the residents it could not book.

    The re-booking sees each escort free only in their hours on duty, so its reasons about
    escorts' time speak of those hours as if they were all the escorts pledged ("no
    escort pledged any time"). A resident the first booking, with every pledge, could
    book gets ``escort_off_duty`` instead, naming the job and its escorts; one it could
    not book either keeps the first booking's reason, judged on every pledge.
    """
    booked = {b.resident_id: b for b in first.bookings}
    before = {u.id: u for u in first.unserved if u.kind == UnservedKind.HEALTH_CHECK}
    unserved: list[Unserved] = []
    for u in campaign.unserved:
        if u.kind != UnservedKind.HEALTH_CHECK or u.code not in _DUTY_CODES:
            unserved.append(u)
        elif (b := booked.get(u.id)) is not None and b.escort_ids:
            job = TimeWindow(b.pickup or b.check_start, b.home_again or b.check_end)
            why = campaign_escort_off_duty(
                u.id,
                b.date,
                job,
                list(b.escort_ids),
                sorted(duty.get((b.date, Role.ESCORT), {})),
                lang,
            )
            unserved.append(Unserved.because(UnservedKind.HEALTH_CHECK, u.id, None, why))
        else:
            unserved.append(before.get(u.id, u))
    return campaign.model_copy(update={"unserved": tuple(unserved)})


def _places_as_routed(
    community: Community,
    dates: Sequence[dt.date],
    meals: dict[dt.date, MealPlan],
    campaign: CampaignPlan | None,
    shifts: ShiftPlan,
) -> ShiftPlan:
    """Step 6: the shift plan with the places on ``auto`` shifts the final plans use.

    The shift plan was made for the first routes and bookings. Where step 5 redid them
    with the volunteers on duty, they use other numbers; the plan's ``demand`` and its open
    places on ``auto`` shifts follow, so the plan agrees with the routes and bookings
    written beside it (a folder read back derives the places from them). With one ``auto``
    shift per role and date, every routed volunteer is on it and no place stays open; a
    role with several shifts that date may leave one short of the routed number, and that
    open place names who works the role on the other shift.
    """
    routed = routed_volunteers(meals.values(), campaign)
    demand = auto_demand(community, dates, routed)
    if demand == shifts.demand:
        return shifts
    on_shift: dict[tuple[dt.date, str], set[str]] = {key: set() for key in demand}
    for a in shifts.assignments:
        if (a.date, a.shift_id) in on_shift:
            on_shift[(a.date, a.shift_id)].add(a.volunteer_id)
    missing = {key: max(0, low - len(on_shift[key])) for key, (low, _) in demand.items()}
    unserved: list[Unserved] = []
    for u in shifts.unserved:
        key = (u.date, u.id) if u.date is not None else None
        if u.kind != UnservedKind.SHIFT or key not in missing:
            unserved.append(u)
        elif missing[key] > 0:
            unserved.append(u)
            missing[key] -= 1
    templates = {s.shift_id: s for s in community.shifts}
    for (d, sid), short in sorted(missing.items()):
        if short == 0:
            continue
        shift = templates[sid]
        role = shift.role.value
        why = shift_short(
            sid,
            str(d),
            f"{format_time(shift.start)}–{format_time(shift.end)}",
            role,
            demand[(d, sid)][0],
            len(on_shift[(d, sid)]),
            [],
            sorted(routed.get((d, shift.role), set()) - on_shift[(d, sid)]),
            sum(1 for v in community.volunteers if v.has(Skill(role))),
            community.policy.lang,
        )
        unserved += [Unserved.because(UnservedKind.SHIFT, sid, d, why)] * short
    return shifts.model_copy(update={"demand": demand, "unserved": tuple(unserved)})


def stay_on_duty_requests(
    community: Community,
    dates: Iterable[dt.date],
    routed: dict[tuple[dt.date, Role], set[str]],
) -> list[Request]:
    """Requests that keep the routed carriers and booked escorts on their role's shifts.

    A booked escort's request outweighs one open place of another shift
    (``weight_under_cover``): a volunteer with both skills whom the shift plan moves to
    another role takes a booked resident's yearly health check with them, as the
    re-booking may find no other escort on duty for that job.
    """
    policy = community.policy
    escort = REQUEST_WEIGHT
    if policy.weight_request > 0:
        escort = max(REQUEST_WEIGHT, policy.weight_under_cover // policy.weight_request + 1)
    return [
        Request(
            volunteer_id=vid,
            date=d,
            shift_id=s.shift_id,
            want=True,
            weight=escort if s.role == Role.ESCORT else REQUEST_WEIGHT,
        )
        for d in dates
        for s in community.shifts
        if s.applies_to(d) and s.role in (Role.MEALS, Role.ESCORT)
        for vid in sorted(routed.get((d, s.role), set()))
    ]


def weakest_status(statuses: list[Status]) -> Status:
    order = [Status.INFEASIBLE, Status.TIME_LIMIT, Status.FEASIBLE, Status.OPTIMAL, Status.EMPTY]
    if not statuses:
        return Status.EMPTY
    return min(statuses, key=order.index)
