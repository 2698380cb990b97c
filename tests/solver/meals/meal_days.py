"""Tiny hand-checkable meal days for the meal-routing tests.

:func:`meal_day` builds a community whose travel times are given in minutes, the same
for every mode (``travel.csv`` rows with mode ``any``), so each test can be checked with
pencil and paper. Residents stand on a line east of the kitchen: resident ``R1`` at
``out["R1"]`` minutes, and two residents are ``|out[a] - out[b]|`` minutes apart unless
``between`` says otherwise. The date is Monday 2026-11-30.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from carecal.clock import TimeWindow, parse_time
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
from carecal.policy import Policy

MONDAY = dt.date(2026, 11, 30)
"""The delivery date of every tiny day (a Monday)."""


def resident(rid: str, window: tuple[str, str] | None = None, **fields: Any) -> Resident:
    """A resident with a Monday meal order (one portion unless ``portions`` is given)."""
    data: dict[str, Any] = {
        "resident_id": rid,
        "age": 80,
        "lat": 31.0,
        "lon": 121.0,
        "meal_days": frozenset({"Mon"}),
    }
    if window is not None:
        data["window"] = TimeWindow(parse_time(window[0]), parse_time(window[1]))
    data.update(fields)
    return Resident(**data)


def carrier(
    vid: str,
    hours: tuple[str, str] = ("10:00", "13:00"),
    *,
    capacity: int = 4,
    mode: str = "walk",
    skills: frozenset[Skill] = frozenset({Skill.MEALS}),
) -> tuple[Volunteer, list[Availability]]:
    """A meals volunteer free on Mondays during ``hours``."""
    volunteer = Volunteer(volunteer_id=vid, mode=mode, capacity=capacity, skills=skills)
    rows = [Availability(volunteer_id=vid, day="Mon", start=hours[0], end=hours[1])]
    return volunteer, rows


def meal_day(
    out: dict[str, int],
    *,
    residents: list[Resident] | None = None,
    carriers: list[tuple[Volunteer, list[Availability]]] | None = None,
    between: dict[tuple[str, str], int] | None = None,
    **policy: Any,
) -> Community:
    """A community of residents ``out`` minutes from the kitchen and the given carriers.

    Parameters
    ----------
    out
        Resident id -> minutes from the kitchen (both ways). Residents not in
        ``residents`` get a default one (window 11:00–12:30, one portion).
    residents
        Residents with special fields (windows, portions, floors, ...).
    carriers
        Carriers (default: one walker ``V1``, 4 portions, free 10:00–13:00).
    between
        Minutes between two residents when not ``|out[a] - out[b]|`` (both ways).
    policy
        Policy overrides.
    """
    given = {r.resident_id: r for r in residents or []}
    people = [given.get(rid) or resident(rid) for rid in out]
    crew = carriers if carriers is not None else [carrier("V1")]
    travel = []
    for rid, minutes in out.items():
        travel.append(TravelOverride(from_id="K", to_id=rid, mode="any", minutes=minutes))
        travel.append(TravelOverride(from_id=rid, to_id="K", mode="any", minutes=minutes))
    for a, b in itertools.permutations(out, 2):
        minutes = abs(out[a] - out[b])
        if between:
            minutes = between.get((a, b), between.get((b, a), minutes))
        travel.append(TravelOverride(from_id=a, to_id=b, mode="any", minutes=minutes))
    return Community(
        residents=tuple(people),
        volunteers=tuple(v for v, _ in crew),
        availability=tuple(row for _, rows in crew for row in rows),
        sites=(Site(site_id="K", kind=SiteKind.KITCHEN, lat=31.0, lon=121.0),),
        travel=tuple(travel),
        policy=Policy(**policy),
    )
