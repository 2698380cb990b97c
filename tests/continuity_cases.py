"""Tiny communities and hand-made plans for the history and substitutes tests.

:func:`street` is a kitchen ``K`` and residents ``R1``.. on a street east of it, ``out``
minutes away (the same for every mode), with meals on Mondays; volunteers ``V1``.. carry
meals (and escort when asked), free on Mondays 10:00–13:00 unless told otherwise. The
plans made by hand (:func:`meals_by_hand`, :func:`bookings_by_hand`) put each resident
on a carrier's trip in the order given, with plausible times: history reads only who
brought whom their meal and what the ``done`` column says.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence

from carecal.model import (
    Availability,
    Community,
    Resident,
    Site,
    SiteKind,
    Skill,
    TravelOverride,
    Volunteer,
)
from carecal.plans import Booking, CampaignPlan, MealPlan, Status, Stop, Trip, Unserved
from carecal.plans import UnservedKind as Kind
from carecal.policy import Policy

MONDAY = dt.date(2026, 11, 30)
"""The day planned in the tests (a Monday)."""
LAST_MONDAY = MONDAY - dt.timedelta(days=7)
TWO_MONDAYS_AGO = MONDAY - dt.timedelta(days=14)


def street(
    out: Mapping[str, int],
    volunteers: Sequence[str] = ("V1", "V2"),
    *,
    hours: Mapping[str, tuple[str, str] | None] | None = None,
    skills: Mapping[str, frozenset[Skill]] | None = None,
    phones: Mapping[str, str] | None = None,
    **policy: object,
) -> Community:
    """Residents ``out`` minutes east of kitchen K and meals volunteers free on Mondays.

    ``hours`` gives a volunteer other Monday hours (``None``: no pledge at all);
    ``skills`` other skills (default: meals).
    """
    residents = tuple(
        Resident(
            resident_id=rid,
            name=f"resident {rid}",
            age=80,
            lat=31.0,
            lon=121.0,
            meal_days=frozenset({"Mon"}),
        )
        for rid in out
    )
    people = tuple(
        Volunteer(
            volunteer_id=vid,
            name=f"volunteer {vid}",
            skills=(skills or {}).get(vid, frozenset({Skill.MEALS})),
            phone=(phones or {}).get(vid),
        )
        for vid in volunteers
    )
    pledges = []
    for vid in volunteers:
        span = (hours or {}).get(vid, ("10:00", "13:00"))
        if span is not None:
            pledges.append(Availability(volunteer_id=vid, day="Mon", start=span[0], end=span[1]))
    travel = []
    for rid, minutes in out.items():
        travel.append(TravelOverride(from_id="K", to_id=rid, mode="any", minutes=minutes))
        travel.append(TravelOverride(from_id=rid, to_id="K", mode="any", minutes=minutes))
    for a, b in itertools.permutations(out, 2):
        travel.append(TravelOverride(from_id=a, to_id=b, mode="any", minutes=abs(out[a] - out[b])))
    return Community(
        residents=residents,
        volunteers=people,
        availability=tuple(pledges),
        sites=(Site(site_id="K", kind=SiteKind.KITCHEN, lat=31.0, lon=121.0),),
        travel=tuple(travel),
        policy=Policy(**policy),
    )


def meals_by_hand(
    date: dt.date,
    routes: Mapping[str, Sequence[str]],
    *,
    unserved: Sequence[str] = (),
    done: Mapping[str, str] | None = None,
) -> MealPlan:
    """A meal plan of ``date``: each carrier one trip to the residents listed, in order;
    ``done`` what happened at some doors; ``unserved`` residents left out."""
    trips = []
    for vid, rids in routes.items():
        stops = tuple(
            Stop(
                resident_id=rid,
                arrival=11 * 60 + 5 * k,
                departure=11 * 60 + 5 * k + 2,
                portions=1,
                food_minutes=10 + 5 * k,
                travel_minutes=5,
                done=(done or {}).get(rid),
            )
            for k, rid in enumerate(rids)
        )
        trips.append(Trip(volunteer_id=vid, trip=1, leave=10 * 60 + 50, back=12 * 60, stops=stops))
    return MealPlan(
        status=Status.FEASIBLE,
        date=date,
        trips=tuple(trips),
        unserved=tuple(
            Unserved(
                kind=Kind.MEAL, id=rid, date=date, code="carriers_busy", reason="busy", fix="add"
            )
            for rid in unserved
        ),
    )


def bookings_by_hand(
    date: dt.date, escorts: Mapping[str, Sequence[str]], done: Mapping[str, str] | None = None
) -> CampaignPlan:
    """A campaign of one date at clinic H1: each resident booked with the escorts given."""
    bookings = tuple(
        Booking(
            resident_id=rid,
            date=date,
            clinic_id="H1",
            slot_start=9 * 60,
            check_start=9 * 60,
            check_end=9 * 60 + 20,
            escort_ids=tuple(ids),
            pickup=8 * 60 + 40,
            home_again=9 * 60 + 40,
            done=(done or {}).get(rid),
        )
        for rid, ids in escorts.items()
    )
    return CampaignPlan(
        status=Status.FEASIBLE, dates=(date,), clinic_days=((date, "H1"),), bookings=bookings
    )
