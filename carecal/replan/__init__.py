"""Re-planning with the least disruption: a new plan that changes as little as it must.

A re-plan takes the community with its changes (``changes.csv``, availability, roster),
the plan made before them, and the moment ``now``; it keeps what already happened, keeps
what a coordinator locked, and moves only whom the changes force to move, serving
first: no amount of disruption ever costs one more person unserved.

- :func:`replan_meals`: a day's meal routes.
"""

from carecal.replan.meals import replan_meals

__all__ = ["replan_meals"]
