"""Re-planning after a change, with the least disruption (issue 17).

Each re-plan takes the community as it is now (its changes included) and a plan made
before the change, keeps what happened before ``now`` and every ``locked`` row, and
changes as little else as serving everyone it can allows:

- :func:`replan_health_checks`: the health-check campaign (bookings and escorts);
- :func:`replan_shifts`: the volunteers' shift plan.
"""

from carecal.replan.campaign import replan_health_checks
from carecal.replan.shifts import replan_shifts

__all__ = ["replan_health_checks", "replan_shifts"]
