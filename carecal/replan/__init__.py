"""Re-planning with the least disruption: a new plan that changes as little as it must.

A re-plan takes the community with its changes (``changes.csv``, availability, roster),
the plan made before them, and the moment ``now``; it keeps what already happened, keeps
what a coordinator locked, and moves only whom the changes force to move, serving
first: no amount of disruption ever costs one more person unserved. Each returns the
plan with ``to_call``, the people whose day changed (:mod:`carecal.replan.calls`).

- :func:`replan_meals`: a day's meal routes;
- :func:`replan_health_checks`: the health-check campaign (bookings and escorts);
- :func:`replan_shifts`: the volunteers' shift plan;
- :func:`replan_week`: a week plan, its parts made to agree;
- :func:`carecal.replan.dispatch.replan_plan`: whichever of these a plan's kind needs
  (what ``carecal replan`` calls).
"""

from carecal.replan.campaign import replan_health_checks
from carecal.replan.meals import replan_meals
from carecal.replan.shifts import replan_shifts
from carecal.replan.week import replan_week

__all__ = ["replan_health_checks", "replan_meals", "replan_shifts", "replan_week"]
