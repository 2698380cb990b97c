"""carecal: plans a community elderly-care service with Google OR-Tools.

Read a community (``read_community``), plan the day's meal routes (``plan_meals``), the
health-check campaign (``plan_health_checks``) and the volunteers' shifts
(``plan_shifts``), or all three for a week (``plan_week``); check any plan with
``verify`` and write it with ``write_plan``.
"""

from carecal.datasets import make_community, sample_community
from carecal.io import (
    CarecalWarning,
    PlanFileError,
    community_from_frames,
    read_community,
    read_plan,
    read_policy,
    write_community,
    write_plan,
)
from carecal.model import (
    Availability,
    CampaignDay,
    Community,
    CommunityError,
    Mobility,
    Request,
    Resident,
    Role,
    ShiftTemplate,
    Site,
    SiteKind,
    Skill,
    TravelOverride,
    Volunteer,
)
from carecal.plans import (
    Assignment,
    Booking,
    CampaignPlan,
    MealPlan,
    ShiftPlan,
    Status,
    Stop,
    Trip,
    Unserved,
    UnservedKind,
    WeekPlan,
    Wheelchair,
)
from carecal.policy import Policy
from carecal.solver.campaign import plan_health_checks
from carecal.solver.meals import plan_meals
from carecal.solver.shifts import plan_shifts
from carecal.solver.week import plan_week
from carecal.verify import Violation, verify

__version__ = "0.1.0"

__all__ = [
    "Assignment",
    "Availability",
    "Booking",
    "CampaignDay",
    "CampaignPlan",
    "CarecalWarning",
    "Community",
    "CommunityError",
    "MealPlan",
    "Mobility",
    "PlanFileError",
    "Policy",
    "Request",
    "Resident",
    "Role",
    "ShiftPlan",
    "ShiftTemplate",
    "Site",
    "SiteKind",
    "Skill",
    "Status",
    "Stop",
    "TravelOverride",
    "Trip",
    "Unserved",
    "UnservedKind",
    "Violation",
    "Volunteer",
    "WeekPlan",
    "Wheelchair",
    "__version__",
    "community_from_frames",
    "make_community",
    "plan_health_checks",
    "plan_meals",
    "plan_shifts",
    "plan_week",
    "read_community",
    "read_plan",
    "read_policy",
    "sample_community",
    "verify",
    "write_community",
    "write_plan",
]
