"""An escort's health-check jobs per day: whom to pick up when, where the door is, the
wheelchair, the clinic and the check time, and when the resident is home again."""

from __future__ import annotations

from typing import Any

from carecal.i18n import translator
from carecal.io.sheets.page import (
    day_heading,
    floor_text,
    render_page,
    render_sheets,
    time_text,
    who,
)
from carecal.model import Community
from carecal.plans import Booking, CampaignPlan, Wheelchair


def _job(b: Booking, vid: str, community: Community, lang: str) -> dict[str, Any]:
    _ = translator(lang).gettext
    r = community.resident_by_id.get(b.resident_id)
    clinic = community.site_by_id.get(b.clinic_id)
    chair = {
        Wheelchair.POOL: _("bring a wheelchair from the centre's pool"),
        Wheelchair.OWN: _("the resident's own wheelchair"),
        Wheelchair.NONE: _("none"),
    }[b.wheelchair]
    name = (r.name or r.resident_id) if r else b.resident_id
    others = [e for e in b.escort_ids if e != vid]
    if others:
        name = _("{name} (with {escorts})").format(name=name, escorts=_(", ").join(others))
    return {
        "pickup": time_text(b.pickup),
        "name": name,
        "address": r.address if r else "",
        "floor": floor_text(r, lang),
        "phone": (r.phone or "") if r else "",
        "wheelchair": chair,
        "clinic": (clinic.name or clinic.site_id) if clinic else b.clinic_id,
        "check": f"{time_text(b.check_start)}–{time_text(b.check_end)}",
        "home_again": time_text(b.home_again),
    }


def _escort_sheet(vid: str, campaign: CampaignPlan, community: Community, lang: str) -> bytes:
    tr = translator(lang)
    jobs = sorted(
        (b for b in campaign.bookings if vid in b.escort_ids),
        key=lambda b: (b.date, b.pickup if b.pickup is not None else b.check_start),
    )
    days = [
        {
            "heading": day_heading(tr, date),
            "jobs": [_job(b, vid, community, lang) for b in jobs if b.date == date],
        }
        for date in dict.fromkeys(b.date for b in jobs)
    ]
    title = tr.gettext("Health-check escort: {volunteer}").format(
        volunteer=who(community.volunteer_by_id.get(vid), vid)
    )
    return render_page("escort.html", lang, title, days=days)


def escort_sheets(
    campaign: CampaignPlan, community: Community, lang: str | None = None
) -> dict[str, bytes]:
    """The page of each escort of the campaign, by file name (``<volunteer_id>.html``).

    ``lang`` (``en``, ``zh``) defaults to the community's policy (``policy.lang``).
    """
    lang = lang or community.policy.lang
    escorts = dict.fromkeys(e for b in campaign.bookings for e in b.escort_ids)
    return render_sheets(escorts, lambda vid: _escort_sheet(vid, campaign, community, lang))
