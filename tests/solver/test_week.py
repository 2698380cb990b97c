"""Tests of plan_week: meal routes, campaign days and shifts made to agree, within the
call's time limit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, NamedTuple

import pandas as pd
import pytest

import carecal.solver.week as week_module
from carecal.datasets import make_community, sample_community
from carecal.demand import auto_demand, routed_volunteers
from carecal.errors import CommunityError, OptionError
from carecal.explain import Why
from carecal.model import (
    Availability,
    CampaignDay,
    Community,
    Resident,
    Role,
    ShiftTemplate,
    Site,
    SiteKind,
    Skill,
    Volunteer,
)
from carecal.options import SolveOptions
from carecal.plans import (
    Assignment,
    MealPlan,
    ShiftPlan,
    Status,
    Stop,
    Trip,
    Unserved,
    UnservedKind,
    WeekPlan,
)
from carecal.progress import ProgressEvent
from carecal.solver.campaign import plan_health_checks
from carecal.solver.week import plan_week, week_budget
from carecal.verify import verify, verify_shifts, verify_week

MONDAY = dt.date(2027, 3, 1)
SAMPLE_LIMIT = 6.0
"""Seconds for the sample week: its parts get a fraction of a second to a second each."""
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
    return plan_week(community, MONDAY, MONDAY, time_limit=3, deterministic=True)


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


def test_the_period_must_not_end_before_it_starts() -> None:
    with pytest.raises(OptionError, match="comes before start"):
        plan_week(_community(), MONDAY, MONDAY - dt.timedelta(days=1))


def test_a_campaign_day_that_cannot_run_is_an_error_not_a_missing_campaign() -> None:
    """A campaign row in the week whose clinic would close before it opens: the
    CommunityError reaches the caller instead of the week silently skipping the campaign."""
    clinic = Site(
        site_id="H1",
        kind=SiteKind.CLINIC,
        lat=KITCHEN[0],
        lon=KITCHEN[1] + 0.004,
        open=8 * 60,
        close=12 * 60,
        slot_minutes=30,
        places_per_slot=2,
        check_minutes=20,
    )
    community = _community(shifts=False)
    community = community.with_changes(
        sites=(*community.sites, clinic),
        campaign=(CampaignDay(date=MONDAY, clinic_id="H1", open=13 * 60),),
    )
    with pytest.raises(CommunityError, match="closes before it opens"):
        plan_week(community, MONDAY, MONDAY, time_limit=2)


def test_the_budget_hands_out_no_more_than_the_limit() -> None:
    """Every date of the sample week, the campaign, the shifts and the reserve: the shares
    add up to at most the limit, and a date without orders gets next to nothing."""
    community = sample_community()
    dates = [dt.date(2027, 3, 1) + dt.timedelta(days=i) for i in range(7)]
    days = community.clinic_days(dates[0], dates[-1], listed_only=True)
    for seconds in (1.0, 20.0, 300.0):
        budget = week_budget(community, dates, days, True, seconds)
        assert budget.total <= seconds
        assert budget.campaign > 0 and budget.shifts > 0 and budget.reserve > 0
        idle = [d for d in dates if not community.deliveries_on(d)]
        assert all(budget.meals[d] < 0.1 for d in idle)
        assert all(budget.meals[d] > budget.meals[idle[0]] for d in dates if d not in idle)
    alone = week_budget(community, dates, [], False, 20.0)
    assert alone.campaign == alone.shifts == alone.reserve == 0


Spy = Callable[..., Any]


class SampleWeek(NamedTuple):
    community: Community
    week: WeekPlan
    parts: list[tuple[str, float]]
    events: list[ProgressEvent]


@pytest.fixture(scope="module")
def sample_week() -> SampleWeek:
    """The sample community's week of 2027-03-01 (its three campaign days fall in it),
    started with a pandas Timestamp, with a spy on the three planners the week calls
    (each part's time limit) and the progress events."""
    parts: list[tuple[str, float]] = []
    events: list[ProgressEvent] = []

    def spy(name: str, real: Spy) -> Spy:
        def call(*args: Any, **kwargs: Any) -> Any:
            options = next(a for a in args if isinstance(a, SolveOptions))
            parts.append((name, options.time_limit))
            return real(*args, **kwargs)

        return call

    community = sample_community()
    with pytest.MonkeyPatch.context() as patch:
        for name in ("meal_plan", "campaign_plan", "shift_plan"):
            patch.setattr(week_module, name, spy(name, getattr(week_module, name)))
        week = plan_week(
            community, pd.Timestamp("2027-03-01"), time_limit=SAMPLE_LIMIT, progress=events.append
        )
    return SampleWeek(community, week, parts, events)


def test_a_timestamp_start_keeps_the_campaign(sample_week: SampleWeek) -> None:
    """Issue 14 defect 2: a pandas Timestamp as the start dropped the campaign."""
    week = sample_week.week
    assert week.start == dt.date(2027, 3, 1) and type(week.start) is dt.date
    assert week.end == dt.date(2027, 3, 7)
    assert week.campaign is not None
    assert week.campaign.dates == (dt.date(2027, 3, 1), dt.date(2027, 3, 2), dt.date(2027, 3, 3))
    assert week.campaign.bookings


def test_the_parts_time_limits_add_up_to_at_most_the_calls(sample_week: SampleWeek) -> None:
    names = [name for name, _ in sample_week.parts]
    assert names.count("meal_plan") >= 7
    assert "campaign_plan" in names and "shift_plan" in names
    assert sum(limit for _, limit in sample_week.parts) <= SAMPLE_LIMIT
    # One stage per part, reported by the week; the parts' own events come too.
    stages = {e.stage for e in sample_week.events if e.planner == "plan_week"}
    assert {"meals", "campaign", "shifts", "done"} <= stages
    assert all(e.time_limit == SAMPLE_LIMIT for e in sample_week.events)


def test_the_shift_places_are_those_the_final_plans_use(sample_week: SampleWeek) -> None:
    """After the re-routes, the shift plan asks for the carriers and escorts the final
    routes and bookings use (as a folder read back derives them), and the week verifies."""
    community, week = sample_week.community, sample_week.week
    assert week.shifts is not None
    routed = routed_volunteers(week.meals, week.campaign)
    assert week.shifts.demand == auto_demand(community, [m.date for m in week.meals], routed)
    assert verify(community, week) == []


def _trip(volunteer_id: str, resident_id: str) -> Trip:
    stop = Stop(
        resident_id=resident_id,
        arrival=11 * 60,
        departure=11 * 60 + 2,
        portions=1,
        food_minutes=10,
        travel_minutes=10,
    )
    return Trip(
        volunteer_id=volunteer_id, trip=1, leave=10 * 60 + 50, back=11 * 60 + 12, stops=(stop,)
    )


def _on(shift_id: str, volunteer_id: str) -> Assignment:
    return Assignment(
        date=MONDAY,
        shift_id=shift_id,
        role="meals",
        start=10 * 60 + 30,
        end=13 * 60,
        volunteer_id=volunteer_id,
    )


def test_open_places_the_final_routes_no_longer_need_are_dropped() -> None:
    """The shift plan was made for two carriers and found one (one open place); the route
    redone with the carrier on duty uses one: no place stays open (binds)."""
    community = _community()
    meals = {MONDAY: MealPlan(status=Status.FEASIBLE, date=MONDAY, trips=(_trip("V1", "R1"),))}
    short = Unserved.because(
        UnservedKind.SHIFT, "MEALS", MONDAY, Why("short_staffed", "one short", "recruit")
    )
    shifts = ShiftPlan(
        status=Status.FEASIBLE,
        start=MONDAY,
        end=MONDAY,
        assignments=(_on("MEALS", "V1"),),
        unserved=(short,),
        demand={(MONDAY, "MEALS"): (2, 2)},
    )
    agreed = week_module._places_as_routed(community, [MONDAY], meals, None, shifts)
    assert agreed.demand == {(MONDAY, "MEALS"): (1, 1)}
    assert agreed.unserved == ()
    assert verify_shifts(community, agreed) == []
    # Inactive: routes that use what the shift plan was made for leave it as it is.
    same = shifts.model_copy(update={"demand": {(MONDAY, "MEALS"): (1, 1)}, "unserved": ()})
    assert week_module._places_as_routed(community, [MONDAY], meals, None, same) is same


def test_a_routed_carrier_on_another_shift_of_the_role_leaves_a_place_open() -> None:
    """Two meals shifts on Monday: the ``auto`` one, and a fixed one V2 works. The routes
    use V1 and V2, so the ``auto`` shift asks for two and has V1: one open place, whose
    reason names V2 as on another shift."""
    community = _community()
    fixed = ShiftTemplate(
        shift_id="MEALS-FIX",
        role=Role.MEALS,
        day="Mon",
        start=10 * 60 + 30,
        end=13 * 60,
        min_volunteers=1,
    )
    community = community.with_changes(shifts=(*community.shifts, fixed))
    trips = (_trip("V1", "R1"), _trip("V2", "R2"))
    meals = {MONDAY: MealPlan(status=Status.FEASIBLE, date=MONDAY, trips=trips)}
    shifts = ShiftPlan(
        status=Status.FEASIBLE,
        start=MONDAY,
        end=MONDAY,
        assignments=(_on("MEALS", "V1"), _on("MEALS-FIX", "V2")),
        demand={(MONDAY, "MEALS"): (1, 1)},
    )
    agreed = week_module._places_as_routed(community, [MONDAY], meals, None, shifts)
    assert agreed.demand == {(MONDAY, "MEALS"): (2, 2)}
    (place,) = agreed.unserved
    assert (place.kind, place.id, place.date, place.code) == (
        UnservedKind.SHIFT,
        "MEALS",
        MONDAY,
        "short_staffed",
    )
    assert "V2" in place.reason and "another shift" in place.reason
    assert [v.rule for v in verify_shifts(community, agreed)] == []


# --- duty on auto shifts follows the hours escorts pledged (issue 15 item 2) ----------------


def _escort_week(*, auto: bool = True, pledge: tuple[int, int] = (8 * 60, 11 * 60)) -> Community:
    """One wheelchair user (own chair) 0.5 km north of clinic H1 (open 09:00-11:00), one
    escort E1 pledging ``pledge`` on Monday 2027-03-01, one campaign day, and an escort
    shift 07:30-12:30 that day, ``auto`` or with a fixed minimum of 1."""
    return Community(
        residents=(
            Resident(
                resident_id="R1",
                age=80,
                lat=KITCHEN[0] + 0.5 / 111.195,
                lon=KITCHEN[1],
                mobility="wheelchair",
            ),
        ),
        volunteers=(
            Volunteer(
                volunteer_id="E1", lat=KITCHEN[0], lon=KITCHEN[1], skills=frozenset({Skill.ESCORT})
            ),
        ),
        availability=(
            Availability(volunteer_id="E1", date=MONDAY, start=pledge[0], end=pledge[1]),
        ),
        sites=(
            Site(site_id="K1", kind=SiteKind.KITCHEN, lat=KITCHEN[0], lon=KITCHEN[1]),
            Site(
                site_id="H1",
                kind=SiteKind.CLINIC,
                lat=KITCHEN[0],
                lon=KITCHEN[1],
                open=9 * 60,
                close=11 * 60,
                slot_minutes=30,
                places_per_slot=1,
                check_minutes=20,
            ),
        ),
        shifts=(
            ShiftTemplate(
                shift_id="ESC",
                role=Role.ESCORT,
                date=MONDAY,
                start=7 * 60 + 30,
                end=12 * 60 + 30,
                min_volunteers=None if auto else 1,
            ),
        ),
        campaign=(CampaignDay(date=MONDAY, clinic_id="H1"),),
    )


def test_an_escort_serves_the_part_of_an_auto_shift_they_pledged() -> None:
    """Binds: E1 pledged 08:00-11:00 of the 07:30-12:30 auto shift; they are on duty then,
    and keep the booking (before, the whole-shift rule took them off and R1 unserved)."""
    community = _escort_week()
    week = _week(community)
    assert week.campaign is not None and week.shifts is not None
    assert [(b.resident_id, b.escort_ids) for b in week.campaign.bookings] == [("R1", ("E1",))]
    assert [(a.volunteer_id, a.start, a.end) for a in week.shifts.assignments] == [
        ("E1", 8 * 60, 11 * 60)
    ]
    assert week.unserved == ()
    assert verify(community, week) == []


def test_a_fixed_escort_shift_is_still_worked_whole_and_says_why_r1_is_unserved() -> None:
    """Inactive for a fixed minimum: E1 cannot take part of it, so nobody is on duty, R1
    goes unbooked, and the reason names duty, not missing pledges."""
    community = _escort_week(auto=False)
    week = _week(community)
    assert week.campaign is not None and week.shifts is not None
    assert week.shifts.assignments == ()
    assert week.campaign.bookings == ()
    (why,) = [u for u in week.unserved if u.kind == UnservedKind.HEALTH_CHECK]
    assert why.code == "escort_off_duty"
    assert "E1" in why.reason and "nobody is on duty" in why.reason
    assert verify(community, week) == []


def test_a_pledge_shorter_than_the_minimum_part_is_no_duty() -> None:
    """Binds both ways: 08:30-09:40 (room for R1's 09:00 check: E1 sets out 08:35, is free
    again 09:36) overlaps the shift by 70 min, enough by default but not with
    min_partial_duty_minutes = 90."""
    short = _escort_week(pledge=(8 * 60 + 30, 9 * 60 + 40))
    assert short.shifts[0].min_volunteers is None
    week = _week(short)
    assert week.shifts is not None
    assert [(a.start, a.end) for a in week.shifts.assignments] == [(510, 580)]
    assert week.campaign is not None and len(week.campaign.bookings) == 1
    stricter = short.with_policy(min_partial_duty_minutes=90)
    week = _week(stricter)
    assert week.shifts is not None and week.shifts.assignments == ()
    assert week.campaign is not None and week.campaign.bookings == ()
    assert verify(stricter, week) == []


def test_verify_week_catches_a_job_outside_the_hours_on_duty() -> None:
    community = _escort_week()
    week = _week(community)
    assert week.shifts is not None
    (a,) = week.shifts.assignments
    later = a.model_copy(update={"start": 10 * 60, "end": 11 * 60})
    broken = week.model_copy(
        update={"shifts": week.shifts.model_copy(update={"assignments": (later,)})}
    )
    assert verify_shifts(community, broken.shifts) == []  # a valid part on its own
    assert {v.rule for v in verify_week(community, broken)} == {"duty_hours"}


def _stretched(residents: int, volunteers: int, seed: int) -> Community:
    """A generated community whose escort shifts run 07:30-12:30, hours no escort of
    make_community pledges whole (as /tmp/repro_week.py of issue 15)."""
    c = make_community(residents=residents, volunteers=volunteers, seed=seed)
    shifts = tuple(
        s.model_copy(update={"start": 7 * 60 + 30, "end": 12 * 60 + 30})
        if s.role == Role.ESCORT
        else s
        for s in c.shifts
    )
    return c.with_changes(shifts=shifts)


@pytest.mark.parametrize(
    ("residents", "volunteers", "seed"), [(60, 12, 2), (60, 12, 3), (90, 14, 1), (90, 14, 3)]
)
def test_the_week_books_as_many_escorted_residents_as_the_campaign_alone(
    residents: int, volunteers: int, seed: int
) -> None:
    """Issue 15 item 2: with escort shifts nobody pledged whole, the week's re-booking
    with the escorts on duty keeps every escorted resident the campaign alone books."""
    community = _stretched(residents, volunteers, seed)
    wed = MONDAY + dt.timedelta(days=2)
    alone = plan_health_checks(community, MONDAY, wed, time_limit=3, deterministic=True)
    week = plan_week(community, MONDAY, wed, time_limit=6, deterministic=True)
    assert week.campaign is not None and week.shifts is not None
    escorted = sum(1 for b in alone.bookings if b.escort_ids)
    assert escorted > 0
    assert sum(1 for b in week.campaign.bookings if b.escort_ids) >= escorted
    assert any(
        (a.start, a.end) != (7 * 60 + 30, 12 * 60 + 30)
        for a in week.shifts.assignments
        if a.role == "escort"
    ), "no escort took part of a shift: the case does not test partial duty"
    assert verify(community, week) == []
