"""Re-plan whatever kind of plan a folder holds: what ``carecal replan`` calls."""

from __future__ import annotations

import datetime as dt
from typing import Any

from carecal.errors import OptionError
from carecal.model import Community
from carecal.plans import CampaignPlan, MealPlan, Plan, ShiftPlan, WeekPlan

DEFAULT_TIME_LIMITS: dict[type[Plan], float] = {
    MealPlan: 10.0,
    CampaignPlan: 30.0,
    ShiftPlan: 30.0,
    WeekPlan: 60.0,
}
"""The default ``time_limit`` of each re-planner: that of the planner of the same kind."""


def default_time_limit(previous: Plan) -> float:
    """The time limit a re-plan of ``previous`` takes when none is given."""
    return DEFAULT_TIME_LIMITS.get(type(previous), 30.0)


def first_date(plan: Plan) -> dt.date:
    """The (first) date of a plan, on which a re-plan's ``now`` given as ``HH:MM`` falls."""
    if isinstance(plan, MealPlan):
        return plan.date
    if isinstance(plan, CampaignPlan):
        return min(plan.dates) if plan.dates else min(b.date for b in plan.bookings)
    if isinstance(plan, ShiftPlan | WeekPlan):
        return plan.start
    raise OptionError(
        f"a MealPlan, CampaignPlan, ShiftPlan or WeekPlan can be re-planned, not "
        f"{type(plan).__name__}"
    )


def replan_plan(community: Community, previous: Plan, now: object = None, **options: Any) -> Plan:
    """Re-plan ``previous`` with the re-planner of its kind.

    A :class:`~carecal.plans.MealPlan` goes to :func:`carecal.replan_meals`, a
    :class:`~carecal.plans.CampaignPlan` to :func:`carecal.replan_health_checks`, a
    :class:`~carecal.plans.ShiftPlan` to :func:`carecal.replan_shifts` and a
    :class:`~carecal.plans.WeekPlan` to :func:`carecal.replan_week`, with ``now`` and the
    solving ``options`` as given.

    Raises
    ------
    carecal.OptionError
        For anything that is not one of those plans, and as the re-planner does.
    """
    if isinstance(previous, MealPlan):
        from carecal.replan.meals import replan_meals

        return replan_meals(community, previous, now, **options)
    if isinstance(previous, CampaignPlan):
        from carecal.replan.campaign import replan_health_checks

        return replan_health_checks(community, previous, now, **options)
    if isinstance(previous, ShiftPlan):
        from carecal.replan.shifts import replan_shifts

        return replan_shifts(community, previous, now, **options)
    if isinstance(previous, WeekPlan):
        from carecal.replan.week import replan_week

        return replan_week(community, previous, now, **options)
    raise OptionError(
        f"a MealPlan, CampaignPlan, ShiftPlan or WeekPlan can be re-planned, not "
        f"{type(previous).__name__}"
    )
