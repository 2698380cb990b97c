"""carecal: plans a community elderly-care service with Google OR-Tools.

Read a community (``read_community``), plan the day's meal routes (``plan_meals``), the
health-check campaign (``plan_health_checks``) and the volunteers' shifts
(``plan_shifts``), or all three for a week (``plan_week``); check any plan with
``verify``, write it with ``write_plan``, and set two plans side by side with
``compare``; plan many centres at once, on Dask, with ``plan_city``. Earlier plans give a
community its history (``community.with_history``, the ``history/`` folder): familiar
carriers and escorts, who waits in a shortage, and ``substitutes`` for a volunteer who
cannot come.

``import carecal`` is quick: the domain model, the plans, the errors and the verifier are
imported with it, while the readers and writers (pandas), the planners (OR-Tools) and
the bundled data sets are imported the first time one of their names is touched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from carecal._lazy import lazy_exports

# ``compare`` is both a module and the function it defines, as ``verify`` is: the module is
# light (it makes its DataFrames through carecal.io when called), so it is imported here
# rather than lazily. A lazy name would be shadowed by the submodule whenever
# ``carecal.compare`` (the module) was imported first, and ``carecal.compare(a, b)`` would
# then call a module; imported here, the name stays the function.
from carecal.compare import Comparison, compare
from carecal.errors import (
    CarecalError,
    CarecalWarning,
    CommunityError,
    ExtraMissingError,
    OptionError,
    PlanFileError,
)
from carecal.history import History
from carecal.model import (
    Availability,
    CampaignDay,
    ClinicDay,
    Community,
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
    Plan,
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
from carecal.progress import ProgressEvent

# ``report`` is both a module and its function, as ``compare``: imported here (the module
# is light; pandas comes with carecal.io when a report is written) so the name stays the
# function.
from carecal.report import MonthlyReport, report

# ``substitutes`` is both a module and its function, as ``compare``: imported here (the
# module is light) so the name stays the function.
from carecal.substitutes import Substitute, substitutes

# Importing the subpackage sets the attribute ``carecal.verify`` to the module; this
# import then binds the name to the function, which is what ``carecal.verify(...)`` means.
# ``import carecal.verify.meals`` still finds the package through ``sys.modules``.
from carecal.verify import Violation, verify

if TYPE_CHECKING:
    from carecal.city import CityPlan, plan_city
    from carecal.datasets import make_community, sample_community
    from carecal.io import (
        community_from_frames,
        read_community,
        read_plan,
        read_policy,
        write_community,
        write_plan,
    )
    from carecal.replan import (
        replan_health_checks,
        replan_meals,
        replan_shifts,
        replan_week,
    )
    from carecal.solver.campaign import plan_health_checks
    from carecal.solver.meals import plan_meals
    from carecal.solver.shifts import plan_shifts
    from carecal.solver.week import plan_week

__version__ = "0.2.0"

__all__ = [
    "Assignment",
    "Availability",
    "Booking",
    "CampaignDay",
    "CampaignPlan",
    "CarecalError",
    "CarecalWarning",
    "CityPlan",
    "ClinicDay",
    "Community",
    "CommunityError",
    "Comparison",
    "ExtraMissingError",
    "History",
    "MealPlan",
    "Mobility",
    "MonthlyReport",
    "OptionError",
    "Plan",
    "PlanFileError",
    "Policy",
    "ProgressEvent",
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
    "Substitute",
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
    "compare",
    "make_community",
    "plan_city",
    "plan_health_checks",
    "plan_meals",
    "plan_shifts",
    "plan_week",
    "read_community",
    "read_plan",
    "read_policy",
    "replan_health_checks",
    "replan_meals",
    "replan_shifts",
    "replan_week",
    "report",
    "sample_community",
    "substitutes",
    "verify",
    "write_community",
    "write_plan",
]

# Pandas (io), OR-Tools (solver) and the data sets load when one of these is first touched.
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "carecal.city": ("CityPlan", "plan_city"),
            "carecal.datasets": ("make_community", "sample_community"),
            "carecal.io.read": ("community_from_frames", "read_community"),
            "carecal.io.policy": ("read_policy",),
            "carecal.io.community_folder": ("write_community",),
            "carecal.io.plan_folder": ("read_plan", "write_plan"),
            "carecal.solver.meals": ("plan_meals",),
            "carecal.solver.campaign": ("plan_health_checks",),
            "carecal.solver.shifts": ("plan_shifts",),
            "carecal.solver.week": ("plan_week",),
            "carecal.replan": (
                "replan_meals",
                "replan_health_checks",
                "replan_shifts",
                "replan_week",
            ),
        },
        __all__,
        submodules=("plot",),
    )
