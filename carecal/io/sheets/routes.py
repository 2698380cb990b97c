"""A meal carrier's round: per trip, in stop order, what the carrier needs at the door.

Arrival time, name, address, floor and lift, portions, the diet in words, the resident's
phone, the delivery window and a box to tick; nothing medical beyond the diet.
"""

from __future__ import annotations

from typing import Any

from carecal.i18n import translator
from carecal.io.sheets.page import (
    day_heading,
    diet_text,
    floor_text,
    render_page,
    render_sheets,
    time_text,
    who,
)
from carecal.model import Community
from carecal.plans import MealPlan, Trip


def _trip(trip: Trip, community: Community, lang: str) -> dict[str, Any]:
    stops = []
    for number, stop in enumerate(trip.stops, start=1):
        r = community.resident_by_id.get(stop.resident_id)
        window = community.window_of(r) if r is not None else None
        stops.append(
            {
                "number": number,
                "arrival": time_text(stop.arrival),
                "name": r.name or r.resident_id if r else stop.resident_id,
                "address": r.address if r else "",
                "floor": floor_text(r, lang),
                "portions": stop.portions,
                "diet": diet_text(stop.diet, lang),
                "phone": (r.phone or "") if r else "",
                "window": str(window) if window is not None else "",
            }
        )
    return {
        "number": trip.trip,
        "leave": time_text(trip.leave),
        "back": time_text(trip.back),
        "portions": trip.portions,
        "stops": stops,
    }


def _route_sheet(vid: str, meals: list[MealPlan], community: Community, lang: str) -> bytes:
    tr = translator(lang)
    kitchen = community.kitchen
    days = []
    for plan in sorted(meals, key=lambda p: p.date):
        trips = [_trip(t, community, lang) for t in plan.trips if t.volunteer_id == vid]
        if trips:
            days.append({"heading": day_heading(tr, plan.date), "trips": trips})
    title = tr.gettext("Meal round: {volunteer}").format(
        volunteer=who(community.volunteer_by_id.get(vid), vid)
    )
    return render_page(
        "route.html", lang, title, kitchen=kitchen.name or kitchen.site_id, days=days
    )


def route_sheets(
    meals: list[MealPlan], community: Community, lang: str | None = None
) -> dict[str, bytes]:
    """The page of each carrier on the meal plans, by file name (``<volunteer_id>.html``).

    ``lang`` (``en``, ``zh``) defaults to the community's policy (``policy.lang``).
    """
    lang = lang or community.policy.lang
    carriers = dict.fromkeys(t.volunteer_id for p in meals for t in p.trips)
    return render_sheets(carriers, lambda vid: _route_sheet(vid, meals, community, lang))
