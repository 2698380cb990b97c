"""Places on the ``auto`` shifts, derived from the meal routes and the campaign's bookings.

The week plan asks the shift planner for as many carriers and escorts as its routes and
bookings use; a week plan folder read back derives the same numbers again from its
``meal_routes.csv`` and ``health_checks.csv``, so the verifier checks the cover against
what the plan needed. Both call these functions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping

from carecal.model import Community, Role
from carecal.plans import CampaignPlan, MealPlan

__all__ = ["auto_demand", "routed_volunteers"]


def routed_volunteers(
    meals: Iterable[MealPlan], campaign: CampaignPlan | None
) -> dict[tuple[dt.date, Role], set[str]]:
    """Who the meal routes and the campaign's bookings use, by date and role.

    Parameters
    ----------
    meals
        Meal plans, one per date.
    campaign
        The campaign plan, if any.

    Returns
    -------
    dict
        ``(date, Role.MEALS)`` to the carriers of that date, ``(date, Role.ESCORT)`` to the
        escorts booked that date.
    """
    used: dict[tuple[dt.date, Role], set[str]] = defaultdict(set)
    for plan in meals:
        used[(plan.date, Role.MEALS)].update(plan.carriers)
    if campaign is not None:
        for b in campaign.bookings:
            used[(b.date, Role.ESCORT)].update(b.escort_ids)
    return dict(used)


def auto_demand(
    community: Community,
    dates: Iterable[dt.date],
    routed: Mapping[tuple[dt.date, Role], set[str]],
) -> dict[tuple[dt.date, str], tuple[int, int | None]]:
    """Places on the ``auto`` shifts: as many as the routes and bookings used that date.

    That number is the minimum and, unless the shift gives its own ``max_volunteers``,
    also the wanted maximum, so no one is called in whom the plans do not need. When a
    role has several ``auto`` shifts on one date, each asks for the full number (the
    carriers work through the delivery period, whichever shift it is). The week plan
    passes this to the shift planner, and a plan folder read back derives it again from
    its routes and bookings.

    Parameters
    ----------
    community
        The community, for its shifts.
    dates
        The dates to fill.
    routed
        From :func:`routed_volunteers`.

    Returns
    -------
    dict
        ``(date, shift_id)`` to ``(minimum, wanted maximum or None)`` for every ``auto``
        shift; ``None`` keeps the shift's own ``max_volunteers``.
    """
    demand: dict[tuple[dt.date, str], tuple[int, int | None]] = {}
    for d in dates:
        for s in community.shifts:
            if s.applies_to(d) and s.min_volunteers is None:
                n = len(routed.get((d, s.role), set()))
                demand[(d, s.shift_id)] = (n, n if s.max_volunteers is None else None)
    return demand
