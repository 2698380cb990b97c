"""Tests of carecal.model: validation, defaults and look-ups on hand-built communities."""

import datetime as dt

import pytest
from pydantic import ValidationError

from carecal.clock import TimeWindow
from carecal.model import (
    Availability,
    CampaignDay,
    Community,
    CommunityError,
    Mobility,
    Resident,
    Site,
    SiteKind,
    Volunteer,
)
from carecal.policy import Policy

MONDAY = dt.date(2026, 11, 30)


def resident(rid: str = "R1", **kw: object) -> Resident:
    data: dict[str, object] = {"resident_id": rid, "age": 75, "lat": 31.2, "lon": 121.49}
    data.update(kw)
    return Resident(**data)  # type: ignore[arg-type]


def kitchen() -> Site:
    return Site(site_id="K1", kind=SiteKind.KITCHEN, lat=31.2, lon=121.49)


def test_handover_minutes_base_bedridden_and_stairs() -> None:
    """2 min base; +3 bedridden; +1 per floor above the first without a lift."""
    c = Community(sites=(kitchen(),))
    assert c.handover_minutes(resident()) == 2
    assert c.handover_minutes(resident(mobility=Mobility.BEDRIDDEN)) == 5
    assert c.handover_minutes(resident(floor=4)) == 5
    assert c.handover_minutes(resident(floor=4, has_lift=True)) == 2


def test_defaults_from_policy() -> None:
    c = Community(sites=(kitchen(),), policy=Policy(default_window_start="11:30"))
    assert c.window_of(resident()) == TimeWindow(690, 750)
    assert c.window_of(resident(window=TimeWindow(660, 700))) == TimeWindow(660, 700)
    assert c.capacity_of(Volunteer(volunteer_id="V", mode="ebike")) == 12
    assert c.capacity_of(Volunteer(volunteer_id="V", mode="ebike", capacity=5)) == 5


def test_owns_wheelchair_defaults_to_mobility() -> None:
    assert resident(mobility=Mobility.WHEELCHAIR).has_own_wheelchair
    assert not resident(mobility=Mobility.WHEELCHAIR, owns_wheelchair=False).has_own_wheelchair
    assert not resident(mobility=Mobility.WALKER).has_own_wheelchair


def test_age_from_birth_date() -> None:
    r = resident(age=None, birth_date=dt.date(1941, 12, 1))
    assert r.age_on(dt.date(2026, 11, 30)) == 84
    assert r.age_on(dt.date(2026, 12, 1)) == 85


def test_needs_escort_by_mobility_and_age() -> None:
    c = Community(sites=(kitchen(),))
    assert not c.needs_escort(resident(age=84), MONDAY)
    assert c.needs_escort(resident(age=85), MONDAY)
    assert c.needs_escort(resident(mobility=Mobility.WALKER), MONDAY)
    assert not c.needs_escort(resident(mobility=Mobility.BEDRIDDEN, age=90), MONDAY)


def test_is_due_365_days() -> None:
    c = Community(sites=(kitchen(),))
    assert c.is_due(resident(), MONDAY)
    # DESIGN: due means no check in the 365 days before; 365 days before is within them.
    assert c.is_due(resident(last_check=MONDAY - dt.timedelta(days=366)), MONDAY)
    assert not c.is_due(resident(last_check=MONDAY - dt.timedelta(days=365)), MONDAY)


def test_availability_weekly_plus_dated_minus_exceptions() -> None:
    v = Volunteer(volunteer_id="V1")
    rows = (
        Availability(volunteer_id="V1", day="Mon", start="09:00", end="13:00"),
        Availability(volunteer_id="V1", date=MONDAY, start="14:00", end="16:00"),
        Availability(volunteer_id="V1", date=MONDAY, start="10:00", end="11:00", available=False),
    )
    c = Community(volunteers=(v,), availability=rows, sites=(kitchen(),))
    assert c.availability_on("V1", MONDAY) == [
        TimeWindow(540, 600),
        TimeWindow(660, 780),
        TimeWindow(840, 960),
    ]
    assert c.availability_on("V1", MONDAY + dt.timedelta(days=7)) == [TimeWindow(540, 780)]
    assert c.availability_on("V1", MONDAY + dt.timedelta(days=1)) == []


def test_community_lists_every_cross_reference_problem() -> None:
    with pytest.raises(CommunityError) as err:
        Community(
            residents=(resident("R1"), resident("R1", preferred_volunteers=("V9",))),
            availability=(Availability(volunteer_id="V7", day="Mon"),),
            campaign=(CampaignDay(date=MONDAY, clinic_id="H9"),),
        )
    text = str(err.value)
    assert len(err.value.problems) == 4
    assert "resident id R1 appears more than once" in text
    assert "volunteer V7" in text and "V9" in text and "clinic H9" in text


def test_no_kitchen_is_a_clear_error() -> None:
    with pytest.raises(CommunityError, match="no kitchen"):
        _ = Community().kitchen


def test_resident_window_closing_before_opening_is_rejected() -> None:
    with pytest.raises(ValidationError, match="closes before it opens"):
        resident(window=TimeWindow(720, 660))


def test_with_changes_revalidates() -> None:
    c = Community(sites=(kitchen(),))
    c2 = c.with_changes(residents=(resident(),))
    assert len(c2.residents) == 1 and len(c.residents) == 0


def test_free_window_holds_the_whole_span_or_nothing() -> None:
    """Work must fit inside one pledged window: two touching pledges merge, a gap does not."""
    v = Volunteer(volunteer_id="V1")
    rows = (
        Availability(volunteer_id="V1", day="Mon", start="09:00", end="11:00"),  # type: ignore[arg-type]
        Availability(volunteer_id="V1", day="Mon", start="11:00", end="12:00"),  # type: ignore[arg-type]
        Availability(volunteer_id="V1", day="Mon", start="14:00", end="16:00"),  # type: ignore[arg-type]
    )
    c = Community(volunteers=(v,), availability=rows, sites=(kitchen(),))
    assert c.free_window("V1", MONDAY, 600, 700) == TimeWindow(540, 720)
    assert c.free_window("V1", MONDAY, 700, 850) is None
    assert c.free_window("V1", MONDAY + dt.timedelta(days=1), 600, 610) is None
