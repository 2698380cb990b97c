"""An escort's health-check jobs: whom to pick up when, the wheelchair and the clinic."""

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
from carecal.plans import CampaignPlan, Wheelchair


def _escort_sheet(vid: str, campaign: CampaignPlan, community: Community) -> bytes:
    volunteer = community.volunteer_by_id.get(vid)
    title = f"Health-check escort: {who(volunteer, vid)}"
    body = [f"<h1>{esc(title)}</h1>"]
    jobs = sorted(
        (b for b in campaign.bookings if vid in b.escort_ids),
        key=lambda b: (b.date, b.pickup if b.pickup is not None else b.check_start),
    )
    for date in dict.fromkeys(b.date for b in jobs):
        body.append(f"<h2>{esc(date)} ({esc(weekday(date))})</h2>")
        rows = []
        for b in (j for j in jobs if j.date == date):
            r = community.resident_by_id.get(b.resident_id)
            clinic = community.site_by_id.get(b.clinic_id)
            chair = {
                Wheelchair.POOL: "bring a wheelchair from the centre's pool",
                Wheelchair.OWN: "the resident's own wheelchair",
                Wheelchair.NONE: "none",
            }[b.wheelchair]
            others = [e for e in b.escort_ids if e != vid]
            with_whom = f" (with {', '.join(others)})" if others else ""
            rows.append(
                [
                    time_cell(b.pickup),
                    esc(r.name if r else b.resident_id) + esc(with_whom),
                    esc(r.address if r else ""),
                    esc(floor_text(r)),
                    esc(chair),
                    esc(clinic.name or clinic.site_id if clinic else b.clinic_id),
                    f"{time_cell(b.check_start)}–{time_cell(b.check_end)}",
                    time_cell(b.home_again),
                ]
            )
        body.append(
            html_table(
                [
                    "pick up",
                    "name",
                    "address",
                    "floor",
                    "wheelchair",
                    "clinic",
                    "check",
                    "home again",
                ],
                rows,
            )
        )
    return html_page(title, body)


def escort_sheets(campaign: CampaignPlan, community: Community) -> dict[str, bytes]:
    """The page of each escort of the campaign, by file name (``<volunteer_id>.html``)."""
    escorts = dict.fromkeys(e for b in campaign.bookings for e in b.escort_ids)
    return render_sheets(escorts, lambda vid: _escort_sheet(vid, campaign, community))
