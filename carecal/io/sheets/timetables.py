"""A volunteer's shifts on the shift plan, in date order."""

from __future__ import annotations

from carecal.i18n import N_, translator
from carecal.io.sheets.page import render_page, render_sheets, time_text, who
from carecal.model import Community
from carecal.plans import ShiftPlan

_ROLES: dict[str, str] = {"meals": N_("meals"), "escort": N_("escort"), "centre": N_("centre")}


def _timetable(vid: str, shifts: ShiftPlan, community: Community, lang: str) -> bytes:
    tr = translator(lang)
    mine = sorted(
        (a for a in shifts.assignments if a.volunteer_id == vid), key=lambda a: (a.date, a.start)
    )
    rows = [
        {
            "date": a.date.isoformat(),
            "weekday": tr.weekday(a.date),
            "role": tr.gettext(_ROLES[a.role]) if a.role in _ROLES else a.role,
            "shift": a.shift_id,
            "time": f"{time_text(a.start)}–{time_text(a.end)}",
        }
        for a in mine
    ]
    note = tr.ngettext(
        "{start} to {end}: {count} shift.", "{start} to {end}: {count} shifts.", len(mine)
    ).format(start=shifts.start.isoformat(), end=shifts.end.isoformat(), count=len(mine))
    title = tr.gettext("Timetable: {volunteer}").format(
        volunteer=who(community.volunteer_by_id.get(vid), vid)
    )
    return render_page("timetable.html", lang, title, note=note, rows=rows)


def timetables(
    shifts: ShiftPlan, community: Community, lang: str | None = None
) -> dict[str, bytes]:
    """The page of each volunteer on the shift plan, by file name (``<volunteer_id>.html``).

    ``lang`` (``en``, ``zh``) defaults to the community's policy (``policy.lang``).
    """
    lang = lang or community.policy.lang
    people = dict.fromkeys(a.volunteer_id for a in shifts.assignments)
    return render_sheets(people, lambda vid: _timetable(vid, shifts, community, lang))
