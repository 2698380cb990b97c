"""The independent verifier: every hard rule re-checked from the community and a plan alone.

Nothing here imports OR-Tools or shares code with the solvers beyond the domain model
and the travel-time estimate, so a solver bug cannot hide behind the same bug here.
One module per planner (:mod:`~carecal.verify.meals`, :mod:`~carecal.verify.campaign`,
:mod:`~carecal.verify.shifts`) and the week's cross-checks (:mod:`~carecal.verify.week`);
:func:`verify` takes any plan and hands it to the right one.
"""

from __future__ import annotations

from carecal.errors import OptionError
from carecal.model import Community
from carecal.plans import CampaignPlan, MealPlan, ShiftPlan, WeekPlan
from carecal.policy import check_policy
from carecal.verify.campaign import verify_campaign
from carecal.verify.meals import verify_meals
from carecal.verify.shifts import verify_shifts
from carecal.verify.violation import Violation
from carecal.verify.week import verify_week

__all__ = [
    "Violation",
    "verify",
    "verify_campaign",
    "verify_meals",
    "verify_shifts",
    "verify_week",
]


def verify(
    community: Community, plan: MealPlan | CampaignPlan | ShiftPlan | WeekPlan
) -> list[Violation]:
    """Re-check every hard rule of a plan; an empty list means the plan is valid.

    Parameters
    ----------
    community
        The community the plan was made for.
    plan
        A meal, campaign, shift or week plan.

    Returns
    -------
    list of Violation
        Every violation found, in a stable order.

    Raises
    ------
    CommunityError
        When the community's policy is invalid (it is checked first, as the planners do,
        so that a plan is never judged against rules that could not hold).
    """
    check_policy(community.policy)
    if isinstance(plan, MealPlan):
        return verify_meals(community, plan)
    if isinstance(plan, CampaignPlan):
        return verify_campaign(community, plan)
    if isinstance(plan, ShiftPlan):
        return verify_shifts(community, plan)
    if isinstance(plan, WeekPlan):
        return verify_week(community, plan)
    raise OptionError(
        f"verify() takes a MealPlan, CampaignPlan, ShiftPlan or WeekPlan, not "
        f"{type(plan).__name__}; give it what a planner or read_plan returned"
    )
