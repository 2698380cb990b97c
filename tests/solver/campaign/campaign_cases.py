"""Tiny hand-checkable campaigns shared by the campaign planner's tests.

The tiny campaigns put the clinic and the centre (with its wheelchair pool) on the same
spot, so the walk from the pool to the clinic is zero, and place residents due north or
south of it. At 0.5 km the walk is 9 min and the push 11 min (great circle x 1.3 at 4.5
and 3.5 km/h); an escorted job with the resident's own chair then runs from the pickup
16 min before the check (5 min to get out, 11 min pushing) to home again 36 min after
the check start (20 min check, 11 min back, 5 min to settle).
"""

from __future__ import annotations

import datetime as dt

from carecal.clock import coerce_period
from carecal.model import (
    Availability,
    CampaignDay,
    Community,
    Mobility,
    Resident,
    Site,
    SiteKind,
    Skill,
    Volunteer,
)
from carecal.options import solve_options
from carecal.plans import Booking, CampaignPlan, UnservedKind
from carecal.policy import Policy
from carecal.solver.campaign import campaign_plan, plan_health_checks
from carecal.verify import verify_campaign

CENTRE = (31.2272, 121.4920)
MON = dt.date(2027, 3, 1)
TUE = dt.date(2027, 3, 2)
KM_LAT = 1 / 111.195
"""Degrees of latitude per km (the haversine's earth radius)."""


def resident(
    rid: str,
    north_km: float = 0.5,
    *,
    age: int = 70,
    mobility: Mobility = Mobility.INDEPENDENT,
    last_check: dt.date | None = None,
    owns_wheelchair: bool | None = None,
) -> Resident:
    """A resident ``north_km`` due north of the clinic (negative: south)."""
    return Resident(
        resident_id=rid,
        name=f"resident {rid}",
        age=age,
        lat=CENTRE[0] + north_km * KM_LAT,
        lon=CENTRE[1],
        mobility=mobility,
        last_check=last_check,
        owns_wheelchair=owns_wheelchair,
    )


def escort(vid: str, skills: frozenset[Skill] = frozenset({Skill.ESCORT})) -> Volunteer:
    """A trained escort living at the clinic."""
    return Volunteer(
        volunteer_id=vid, name=f"escort {vid}", lat=CENTRE[0], lon=CENTRE[1], skills=skills
    )


def free(vid: str, start: str = "08:00", end: str = "12:00", date: dt.date = MON) -> Availability:
    """A volunteer's pledge for one date."""
    return Availability(volunteer_id=vid, date=date, start=start, end=end)


def campaign(
    residents: list[Resident],
    volunteers: list[Volunteer] = (),  # type: ignore[assignment]
    availability: list[Availability] = (),  # type: ignore[assignment]
    *,
    wheelchairs: int = 0,
    places: int = 1,
    open_: str = "09:00",
    close: str = "11:00",
    days: tuple[dt.date, ...] = (MON,),
    policy: Policy | None = None,
) -> Community:
    """A campaign at clinic H1 (30-min slots, 20-min checks) with centre C1's pool beside it."""
    sites = (
        Site(
            site_id="C1",
            kind=SiteKind.CENTRE,
            lat=CENTRE[0],
            lon=CENTRE[1],
            wheelchairs=wheelchairs,
        ),
        Site(
            site_id="H1",
            kind=SiteKind.CLINIC,
            lat=CENTRE[0],
            lon=CENTRE[1],
            open=open_,
            close=close,
            slot_minutes=30,
            places_per_slot=places,
            check_minutes=20,
        ),
    )
    return Community(
        residents=tuple(residents),
        volunteers=tuple(volunteers),
        availability=tuple(availability),
        sites=sites,
        campaign=tuple(CampaignDay(date=d, clinic_id="H1") for d in days),
        policy=policy or Policy(),
    )


def plan(
    community: Community,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    *,
    exact_walk_pairs: int | None = None,
) -> CampaignPlan:
    """Plan with a short time limit and check the verifier accepts the plan.

    ``exact_walk_pairs`` plans through :func:`campaign_plan`, which takes it, on the
    clinic days :func:`plan_health_checks` would plan.
    """
    if exact_walk_pairs is None:
        result = plan_health_checks(community, start, end, time_limit=5.0, workers=1)
    else:
        first, last = (None, None) if start is None else coerce_period(start, end)
        options = solve_options("plan_health_checks", time_limit=5.0, workers=1)
        days = community.clinic_days(first, last)
        result = campaign_plan(community, days, options, exact_walk_pairs=exact_walk_pairs)
    assert verify_campaign(community, result) == []
    return result


def booked(p: CampaignPlan) -> dict[str, Booking]:
    """The plan's bookings by resident."""
    return {b.resident_id: b for b in p.bookings}


def unserved(p: CampaignPlan) -> dict[str, tuple[UnservedKind, str, str]]:
    """The plan's unserved entries by id: kind, reason and fix."""
    return {u.id: (u.kind, u.reason, u.fix) for u in p.unserved}


def two_wheelchair_users(south_km: float, **kwargs: object) -> Community:
    """R1 0.5 km north and R2 ``south_km`` south, own chairs; one escort; slots 09:00–10:00."""
    return campaign(
        [
            resident("R1", 0.5, mobility=Mobility.WHEELCHAIR),
            resident("R2", -south_km, mobility=Mobility.WHEELCHAIR),
        ],
        [escort("V1")],
        [free("V1")],
        close="10:20",
        **kwargs,  # type: ignore[arg-type]
    )
