"""A volunteer's shifts on the shift plan, in date order."""

from __future__ import annotations

from carecal.clock import weekday
from carecal.io.sheets.page import esc, html_page, html_table, render_sheets, time_cell, who
from carecal.model import Community
from carecal.plans import ShiftPlan


def _timetable(vid: str, shifts: ShiftPlan, community: Community) -> bytes:
    volunteer = community.volunteer_by_id.get(vid)
    title = f"Timetable: {who(volunteer, vid)}"
    mine = sorted(
        (a for a in shifts.assignments if a.volunteer_id == vid), key=lambda a: (a.date, a.start)
    )
    rows = [
        [
            esc(a.date),
            esc(weekday(a.date)),
            esc(a.role),
            esc(a.shift_id),
            f"{time_cell(a.start)}–{time_cell(a.end)}",
        ]
        for a in mine
    ]
    body = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="note">{esc(shifts.start)} to {esc(shifts.end)}: {len(mine)} shift(s).</p>',
        html_table(["date", "day", "role", "shift", "time"], rows),
    ]
    return html_page(title, body)


def timetables(shifts: ShiftPlan, community: Community) -> dict[str, bytes]:
    """The page of each volunteer on the shift plan, by file name (``<volunteer_id>.html``)."""
    people = dict.fromkeys(a.volunteer_id for a in shifts.assignments)
    return render_sheets(people, lambda vid: _timetable(vid, shifts, community))
