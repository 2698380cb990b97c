"""Fixtures of the io tests: the Valid community and a plan of each kind made for it."""

from __future__ import annotations

import datetime as dt

import pytest
from io_data import DAY, make_trip, read_folder

from carecal.model import Community
from carecal.plans import (
    Assignment,
    Booking,
    CampaignPlan,
    MealPlan,
    ShiftPlan,
    Status,
    Unserved,
    UnservedKind,
    Wheelchair,
)


@pytest.fixture(scope="module")
def community() -> Community:
    """tests/data/Valid: residents R001 (wheelchair, 4th floor, no lift, diabetic;soft),
    R002 (independent, 2 portions), R003 (walker); carriers V01 (bike) and V02 (walk);
    kitchen K1 and clinic C1 in old-town Shanghai; every column of the four required tables."""
    return read_folder()


@pytest.fixture(scope="module")
def valid(community: Community) -> Community:
    """The same community, by the name the reader tests use."""
    return community


@pytest.fixture(scope="module")
def meal_plan(community: Community) -> MealPlan:
    """Monday 2026-03-02: V01 makes two trips (R001 then R002; R002 again), V02 one trip
    (R003); one meal unserved with a reason that looks like a spreadsheet formula."""
    return MealPlan(
        status=Status.FEASIBLE,
        date=DAY,
        trips=(
            make_trip(community, "V01", 1, 650, ["R001", "R002"]),
            make_trip(community, "V01", 2, 700, ["R002"]),
            make_trip(community, "V02", 1, 655, ["R003"]),
        ),
        unserved=(
            Unserved(
                kind=UnservedKind.MEAL,
                id="R009",
                date=DAY,
                code="carriers_busy",
                reason='=HYPERLINK("http://x")',
                fix="add a carrier on Mondays",
            ),
        ),
        engine="file",
    )


@pytest.fixture(scope="module")
def campaign_plan() -> CampaignPlan:
    """2026-03-10 at clinic C1: R001 escorted by V01 in a pool wheelchair, R002 comes alone;
    R003 unbooked."""
    return CampaignPlan(
        status=Status.FEASIBLE,
        dates=(dt.date(2026, 3, 10),),
        bookings=(
            Booking(
                resident_id="R001",
                date=dt.date(2026, 3, 10),
                clinic_id="C1",
                slot_start=540,
                check_start=545,
                check_end=565,
                escort_ids=("V01",),
                wheelchair=Wheelchair.POOL,
                pickup=515,
                home_again=595,
            ),
            Booking(
                resident_id="R002",
                date=dt.date(2026, 3, 10),
                clinic_id="C1",
                slot_start=555,
                check_start=555,
                check_end=575,
            ),
        ),
        unserved=(
            Unserved(
                kind=UnservedKind.HEALTH_CHECK,
                id="R003",
                date=dt.date(2026, 3, 10),
                code="escorts_busy",
                reason="no escort free",
                fix="+ ask another escort",
            ),
        ),
    )


@pytest.fixture(scope="module")
def shift_plan() -> ShiftPlan:
    """Two Monday meal shifts for V01 and V02 and one shift place unfilled."""
    return ShiftPlan(
        status=Status.FEASIBLE,
        start=dt.date(2026, 3, 2),
        end=dt.date(2026, 3, 9),
        assignments=(
            Assignment(
                date=DAY, shift_id="M1", role="meals", start=630, end=810, volunteer_id="V01"
            ),
            Assignment(
                date=DAY, shift_id="M1", role="meals", start=630, end=810, volunteer_id="V02"
            ),
            Assignment(
                date=dt.date(2026, 3, 9),
                shift_id="M1",
                role="meals",
                start=630,
                end=810,
                volunteer_id="V01",
            ),
        ),
        unserved=(
            Unserved(
                kind=UnservedKind.SHIFT,
                id="M1",
                date=dt.date(2026, 3, 9),
                code="short_staffed",
                reason="one place short",
                fix="@ask V02",
            ),
        ),
    )
