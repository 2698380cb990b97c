"""Re-planning a week plan (meals, campaign, shifts) with the least disruption."""

from __future__ import annotations

import datetime as dt
import time

from carecal.clock import coerce_now, date_range
from carecal.demand import auto_demand, routed_volunteers
from carecal.duty import free_only_on_duty, on_duty
from carecal.errors import OptionError
from carecal.model import Community, Role
from carecal.options import ProgressOption, SolveOptions, solve_options
from carecal.plans import CampaignPlan, MealPlan, ShiftPlan, WeekPlan
from carecal.policy import check_policy
from carecal.replan.calls import who_to_call
from carecal.replan.campaign import replan_health_checks
from carecal.replan.meals import replan_meals
from carecal.replan.shifts import replan_shifts
from carecal.solver.week import (
    MIN_PART_SECONDS,
    part_seconds,
    stay_on_duty_requests,
    weakest_status,
    week_budget,
)


def replan_week(
    community: Community,
    previous: WeekPlan,
    now: object = None,
    *,
    time_limit: float = 60.0,
    workers: int | None = None,
    seed: int = 0,
    deterministic: bool = False,
    progress: ProgressOption = False,
) -> WeekPlan:
    """Re-plan a week plan after changes: each part as its re-planner does, made to agree.

    The parts are re-planned in the order :func:`carecal.plan_week` plans them, each with
    the re-planner of its kind and the same rules (what happened before ``now`` is kept,
    ``locked`` rows are kept, serving comes before moving anyone, which comes before the
    usual costs):

    1. each date's meals (:func:`carecal.replan_meals`), with the carriers of that date on
       their meals shifts of the previous shift plan, free in that role only in their
       hours on duty, as in the week plan (a carrier the changes take off is not);
    2. the campaign days (:func:`carecal.replan_health_checks`), with the escorts on
       their escort shifts likewise;
    3. the shifts (:func:`carecal.replan_shifts`), asking on the ``auto`` shifts for the
       carriers and escorts the new routes and bookings use, and preferring to keep those
       very volunteers on duty.

    Parameters
    ----------
    community
        The community with the changes.
    previous
        The week plan made before them (from :func:`carecal.plan_week`, or read back).
    now
        ``None`` (default: nothing has happened yet), a naive ``datetime``,
        ``"YYYY-MM-DD HH:MM"``, or ``"HH:MM"`` on the week's first date.
    time_limit
        Total wall-clock seconds for the whole call, default 60, shared among the parts
        as :func:`carecal.plan_week` shares it.
    workers, seed, deterministic
        As for every planner (defaults ``None``, 0, ``False``).
    progress
        ``False`` (default), ``True`` for a progress bar, or a callable of
        :class:`carecal.progress.ProgressEvent` (a stage per part).

    Returns
    -------
    WeekPlan
        The re-planned parts, their unserved, their objective terms (by part), and
        ``to_call``: everyone whose week changed (:func:`carecal.replan.calls.who_to_call`).

    Raises
    ------
    carecal.OptionError
        For a ``previous`` that is not a week plan, a ``now`` that names no moment, or an
        invalid option.
    carecal.CommunityError
        For a locked row the changes make impossible (naming it, with the fix), or an
        invalid policy.
    """
    options = solve_options(
        "replan_week",
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        deterministic=deterministic,
        progress=progress,
    )
    try:
        if not isinstance(previous, WeekPlan):
            raise OptionError(
                f"replan_week re-plans a WeekPlan (from plan_week, or read_plan of a week "
                f"folder), not {type(previous).__name__}"
            )
        moment = coerce_now(now, previous.start)
        check_policy(community.policy)
        week = _week_replan(community, previous, moment, options)
        return week.model_copy(update={"to_call": who_to_call(community, previous, week)})
    finally:
        options.reporter.close()


def _week_replan(
    community: Community, previous: WeekPlan, now: dt.datetime | None, options: SolveOptions
) -> WeekPlan:
    began = time.perf_counter()
    say = options.reporter
    dates = date_range(previous.start, previous.end)
    days = community.clinic_days(*_campaign_span(previous)) if previous.campaign else []
    budget = week_budget(community, dates, days, previous.shifts is not None, options.remaining())
    duty = on_duty(community, dates, previous.shifts.assignments) if previous.shifts else {}
    carriers = free_only_on_duty(community, duty, Role.MEALS) if duty else community
    escorts = free_only_on_duty(community, duty, Role.ESCORT) if duty else community

    def part(share: float) -> dict[str, object]:
        return {
            "time_limit": part_seconds(options, share),
            "workers": options.workers,
            "seed": options.seed,
            "deterministic": options.deterministic,
        }

    meals: list[MealPlan] = []
    reserve = budget.reserve / max(1, len(previous.meals) + 1)
    for plan in previous.meals:
        say("meals", f"re-planning the meals of {plan.date}")
        share = budget.meals.get(plan.date, MIN_PART_SECONDS)
        kept = replan_meals(carriers, plan, now, **part(share))  # type: ignore[arg-type]
        if kept.unserved and duty and (plan.date, Role.MEALS) in duty:
            # The carriers on duty cannot serve everyone (one of them is off): a carrier
            # not on duty may, and the shift re-plan then puts them on duty.
            say("meals", f"re-planning the meals of {plan.date} with every carrier")
            wider = replan_meals(community, plan, now, **part(reserve))  # type: ignore[arg-type]
            if len(wider.served) > len(kept.served):
                kept = wider
        meals.append(kept)
    campaign: CampaignPlan | None = None
    if previous.campaign is not None:
        say("campaign", "re-planning the campaign days")
        campaign = replan_health_checks(
            escorts,
            previous.campaign,
            now,
            **part(budget.campaign),  # type: ignore[arg-type]
        )
    shifts: ShiftPlan | None = None
    if previous.shifts is not None:
        say("shifts", "re-planning the shifts")
        routed = routed_volunteers(meals, campaign)
        demand = auto_demand(community, dates, routed)
        wishes = stay_on_duty_requests(community, dates, routed)
        asked = previous.shifts.model_copy(update={"demand": {**previous.shifts.demand, **demand}})
        shifts = replan_shifts(
            community.with_changes(requests=community.requests + tuple(wishes)),
            asked,
            now,
            **part(budget.shifts),  # type: ignore[arg-type]
        )
        meals = _on_duty_routes(community, meals, shifts, dates, now, part(reserve))
    parts: list[MealPlan | CampaignPlan | ShiftPlan] = [*meals]
    if campaign is not None:
        parts.append(campaign)
    if shifts is not None:
        parts.append(shifts)
    week = WeekPlan(
        status=weakest_status([p.status for p in parts]),
        start=previous.start,
        end=previous.end,
        meals=tuple(p.model_copy(update={"to_call": None}) for p in meals),
        campaign=campaign.model_copy(update={"to_call": None}) if campaign else None,
        shifts=shifts.model_copy(update={"to_call": None}) if shifts else None,
        unserved=tuple(u for p in parts for u in p.unserved),
        objective_terms={
            f"{type(p).__name__}.{k}": v for p in parts for k, v in p.objective_terms.items()
        },
        solve_seconds=time.perf_counter() - began,
    ).with_people(community)
    say("done", f"week re-planned in {week.solve_seconds:.1f} s")
    return week


def _on_duty_routes(
    community: Community,
    meals: list[MealPlan],
    shifts: ShiftPlan,
    dates: list[dt.date],
    now: dt.datetime | None,
    options: dict[str, object],
) -> list[MealPlan]:
    """The routes of each date whose carriers the re-planned shifts do not all keep on
    duty, re-planned once more with the carriers on duty (as :func:`carecal.plan_week`
    re-routes with them), so that every carrier works inside their hours on a shift."""
    duty = on_duty(community, dates, shifts.assignments)
    carriers = free_only_on_duty(community, duty, Role.MEALS)
    out = []
    for plan in meals:
        off_duty = (plan.date, Role.MEALS) in duty and any(
            carriers.free_window(t.volunteer_id, plan.date, t.leave, t.back) is None
            for t in plan.trips
        )
        out.append(replan_meals(carriers, plan, now, **options) if off_duty else plan)  # type: ignore[arg-type]
    return out


def _campaign_span(previous: WeekPlan) -> tuple[dt.date, dt.date]:
    campaign = previous.campaign
    assert campaign is not None
    dates = list(campaign.dates) or [b.date for b in campaign.bookings] or [previous.start]
    return min(dates), max(dates)
