"""Tests of plan_week: meal routes, campaign days and shifts made to agree."""

from __future__ import annotations

import datetime as dt

import pytest

from carecal.model import (
    Availability,
    Community,
    Resident,
    Role,
    ShiftTemplate,
    Site,
    SiteKind,
    Skill,
    Volunteer,
)
from carecal.plans import ShiftPlan, Status, WeekPlan
from carecal.solver.week import plan_week
from carecal.verify import verify, verify_week

MONDAY = dt.date(2027, 3, 1)
KITCHEN = (31.2272, 121.4920)


def _community(v2_max_shifts: int | None = None, shifts: bool = True) -> Community:
    """Two residents 300-600 m from the kitchen ordering on Mondays, two meal carriers.

    V2 rides an e-bike (the cheaper carrier for the router); V1 walks. With ``shifts``
    there is one ``auto`` meals shift on Mondays 10:30-13:00.
    """
    residents = tuple(
        Resident(
            resident_id=f"R{i}",
            age=80,
            lat=KITCHEN[0] + 0.003 * i,
            lon=KITCHEN[1],
            meal_days=frozenset({"Mon"}),
        )
        for i in (1, 2)
    )
    volunteers = (
        Volunteer(volunteer_id="V1", mode="walk", skills=frozenset({Skill.MEALS})),
        Volunteer(
            volunteer_id="V2",
            mode="ebike",
            skills=frozenset({Skill.MEALS}),
            max_shifts_per_week=v2_max_shifts,
        ),
    )
    availability = tuple(
        Availability(volunteer_id=v, day="Mon", start=10 * 60, end=13 * 60 + 30)
        for v in ("V1", "V2")
    )
    templates = (
        (
            ShiftTemplate(
                shift_id="MEALS", role=Role.MEALS, day="Mon", start=10 * 60 + 30, end=13 * 60
            ),
        )
        if shifts
        else ()
    )
    return Community(
        residents=residents,
        volunteers=volunteers,
        availability=availability,
        sites=(Site(site_id="K1", kind=SiteKind.KITCHEN, lat=KITCHEN[0], lon=KITCHEN[1]),),
        shifts=templates,
    )


def _week(community: Community) -> WeekPlan:
    return plan_week(
        community, MONDAY, days=1, meal_time_limit=1, shift_time_limit=2, deterministic=True
    )


def test_without_shifts_routes_use_every_carrier() -> None:
    """Rule inactive: no shifts, so no shift plan and no on-duty restriction."""
    week = _week(_community(shifts=False))
    assert week.shifts is None
    assert sorted(week.meals[0].served) == ["R1", "R2"]
    assert verify(_community(shifts=False), week) == []


def test_auto_demand_comes_from_the_routes() -> None:
    """The auto meals shift asks for as many carriers as the routes used, and no more:
    the spare carrier, whom the fair share would allow, is not called in (binds: the
    number routed is also the wanted maximum)."""
    community = _community()
    week = _week(community)
    assert week.shifts is not None
    on_shift = {a.volunteer_id for a in week.shifts.assignments}
    assert set(week.meals[0].carriers) <= on_shift
    assert len(on_shift) == len(week.meals[0].carriers)
    assert verify(community, week) == []


def test_auto_demand_keeps_the_shifts_own_maximum() -> None:
    """Inactive: an ``auto`` shift with its own ``max_volunteers`` keeps it; only the
    minimum comes from the routes."""
    from carecal.demand import auto_demand

    community = _community()
    (meals,) = community.shifts
    own = community.with_changes(shifts=(meals.model_copy(update={"max_volunteers": 3}),))
    routed = {(MONDAY, meals.role): {"V2"}}
    assert auto_demand(community, [MONDAY], routed) == {(MONDAY, "MEALS"): (1, 1)}
    assert auto_demand(own, [MONDAY], routed) == {(MONDAY, "MEALS"): (1, None)}


def test_routes_are_redone_with_the_volunteers_on_duty() -> None:
    """Rule binds: V2 pledges no shifts, so the route is redone with V1 alone."""
    community = _community(v2_max_shifts=0)
    week = _week(community)
    assert week.shifts is not None
    assert {a.volunteer_id for a in week.shifts.assignments} == {"V1"}
    assert week.meals[0].carriers == ["V1"]
    assert sorted(week.meals[0].served) == ["R1", "R2"]
    assert verify(community, week) == []


def test_verify_week_catches_a_carrier_off_duty() -> None:
    community = _community()
    week = _week(community)
    assert week.shifts is not None
    empty = ShiftPlan(status=Status.FEASIBLE, start=MONDAY, end=MONDAY, assignments=())
    broken = week.model_copy(update={"shifts": empty})
    rules = {v.rule for v in verify_week(community, broken)}
    assert "on_duty" in rules


def test_days_must_be_positive() -> None:
    with pytest.raises(ValueError, match="days must be 1 or more"):
        plan_week(_community(), MONDAY, days=0)
