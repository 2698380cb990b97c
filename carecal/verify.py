"""The independent verifier: every hard rule re-checked from the community and a plan alone.

Nothing here imports OR-Tools or shares code with the solvers beyond the domain model
and the travel-time estimate, so a solver bug cannot hide behind the same bug here.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from carecal.model import Community
from carecal.plans import CampaignPlan, MealPlan, ShiftPlan


class Violation(BaseModel):
    """One broken rule, in plain words."""

    model_config = ConfigDict(frozen=True)

    rule: str
    """Short name of the rule, e.g. ``capacity`` or ``window``."""
    message: str
    """What is wrong, naming the resident, volunteer or shift and the numbers."""

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


def verify(community: Community, plan: MealPlan | CampaignPlan | ShiftPlan) -> list[Violation]:
    """Re-check every hard rule of a plan; an empty list means the plan is valid.

    Parameters
    ----------
    community
        The community the plan was made for.
    plan
        A meal, campaign or shift plan (or anything with ``meals``, ``campaign`` and
        ``shifts`` attributes holding those, such as a week plan).

    Returns
    -------
    list of Violation
        Every violation found, in a stable order.
    """
    if isinstance(plan, MealPlan):
        return verify_meals(community, plan)
    if isinstance(plan, CampaignPlan):
        return verify_campaign(community, plan)
    if isinstance(plan, ShiftPlan):
        return verify_shifts(community, plan)
    raise TypeError(f"verify() takes a MealPlan, CampaignPlan or ShiftPlan, not {type(plan)}")
