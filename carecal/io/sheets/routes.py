"""A meal carrier's round: each trip's stops with the time, address, floor and diet."""

from __future__ import annotations

from carecal.clock import weekday
from carecal.io.sheets.page import (
    esc,
    floor_text,
    html_page,
    html_table,
    render_sheets,
    time_cell,
    who,
)
from carecal.model import Community
from carecal.plans import MealPlan


def _route_sheet(vid: str, meals: list[MealPlan], community: Community) -> bytes:
    volunteer = community.volunteer_by_id.get(vid)
    kitchen = community.kitchen
    title = f"Meal round: {who(volunteer, vid)}"
    body = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="note">Start and finish at the kitchen: '
        f"{esc(kitchen.name or kitchen.site_id)}.</p>",
    ]
    for plan in sorted(meals, key=lambda p: p.date):
        trips = [t for t in plan.trips if t.volunteer_id == vid]
        if not trips:
            continue
        body.append(f"<h2>{esc(plan.date)} ({esc(weekday(plan.date))})</h2>")
        for trip in trips:
            body.append(
                f"<h3>Trip {trip.trip}: leave the kitchen at {time_cell(trip.leave)} with "
                f"{trip.portions} portions; back at about {time_cell(trip.back)}</h3>"
            )
            rows = []
            for number, stop in enumerate(trip.stops, start=1):
                r = community.resident_by_id.get(stop.resident_id)
                window = community.window_of(r) if r is not None else None
                rows.append(
                    [
                        str(number),
                        time_cell(stop.arrival),
                        esc(r.name if r else stop.resident_id),
                        esc(r.address if r else ""),
                        esc(floor_text(r)),
                        str(stop.portions),
                        esc(", ".join(stop.diet)),
                        esc(window) if window is not None else "",
                    ]
                )
            body.append(
                html_table(
                    ["#", "arrive", "name", "address", "floor", "portions", "diet", "window"],
                    rows,
                )
            )
    return html_page(title, body)


def route_sheets(meals: list[MealPlan], community: Community) -> dict[str, bytes]:
    """The page of each carrier on the meal plans, by file name (``<volunteer_id>.html``)."""
    carriers = dict.fromkeys(t.volunteer_id for p in meals for t in p.trips)
    return render_sheets(carriers, lambda vid: _route_sheet(vid, meals, community))
