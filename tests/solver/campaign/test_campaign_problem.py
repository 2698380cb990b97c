"""The campaign as data: clinic days and slots, who is due, priority, who is escorted (see
:mod:`campaign_cases` for the tiny geometry).
"""

from __future__ import annotations

import datetime as dt

import pytest
from campaign_cases import MON, TUE, booked, campaign, escort, free, plan, resident

from carecal.clock import parse_time
from carecal.errors import OptionError
from carecal.model import CampaignDay, CommunityError, Mobility
from carecal.plans import Wheelchair
from carecal.solver.campaign import plan_health_checks, priority
from carecal.travel import travel_minutes

# --- the geometry the docstring promises -----------------------------------------------------


def test_tiny_geometry_is_as_documented() -> None:
    """Walk 9 min and push 11 min between the clinic and a home 0.5 km north."""
    c = campaign([resident("R1", 0.5), resident("R2", -0.5)])
    walk = travel_minutes(c, ["H1", "R1", "R2"], "walk")
    push = travel_minutes(c, ["H1", "R1"], "wheelchair")
    assert walk[0, 1] == 9 and push[0, 1] == 11
    assert walk[1, 2] == 17


# --- days and slots --------------------------------------------------------------------------


def test_last_slot_check_ends_by_closing() -> None:
    """Open 09:00–10:10, 30-min slots, 20-min checks: slots 09:00, 09:30 and 09:50 is no slot."""
    day = campaign([], open_="09:00", close="10:10").clinic_days()[0]
    assert [s for s in day.slots] == [540, 570]
    day = campaign([], open_="09:00", close="10:20").clinic_days()[0]
    assert day.slots == (540, 570, 600)


def test_campaign_day_hours_override_the_clinic() -> None:
    """A campaign.csv row with its own hours replaces the clinic's hours that day."""
    c = campaign([resident("R1")]).with_changes(
        campaign=(CampaignDay(date=MON, clinic_id="H1", open="10:00", close="10:30"),)
    )
    p = plan(c)
    assert booked(p)["R1"].check_start == parse_time("10:00")


def test_dates_use_the_only_clinic_and_its_hours() -> None:
    """A period the caller gives runs at the only clinic with its own hours."""
    c = campaign([resident("R1"), resident("R2")], close="09:20").with_changes(campaign=())
    p = plan(c, start=MON, end=str(TUE))
    assert p.dates == (MON, TUE)
    assert p.clinic_days == ((MON, "H1"), (TUE, "H1"))
    assert sorted(b.date for b in p.bookings) == [MON, TUE]


def test_start_without_end_is_an_option_error() -> None:
    """Both ends of the period or neither: one alone is refused before anything is planned."""
    c = campaign([resident("R1")])
    with pytest.raises(OptionError, match="both start and end"):
        plan_health_checks(c, MON)
    with pytest.raises(OptionError, match="both start and end"):
        plan_health_checks(c, end=MON)


def test_no_campaign_days_is_an_input_error() -> None:
    """No campaign.csv and no dates: a sentence saying how to fix it."""
    c = campaign([resident("R1")]).with_changes(campaign=())
    with pytest.raises(CommunityError, match="no campaign days"):
        plan_health_checks(c)


# --- who is due, who is escorted -------------------------------------------------------------


def test_priority_points() -> None:
    """100 per booking; +1 per two years over 60 (at most 15), +5 alone, +1 a month overdue."""
    c = campaign([])
    young = resident("R1", age=61, last_check=MON - dt.timedelta(days=400))
    old = resident("R2", age=95, last_check=None).model_copy(update={"lives_alone": True})
    assert priority(c, young, MON) == 100 + 0 + 0 + 1
    assert priority(c, old, MON) == 100 + 15 + 5 + 10


def test_not_due_resident_is_not_booked_nor_listed() -> None:
    """A check 100 days before the campaign: not due, not booked, not unserved."""
    c = campaign([resident("R1", last_check=MON - dt.timedelta(days=100)), resident("R2")])
    p = plan(c)
    assert set(booked(p)) == {"R2"} and not p.unserved


def test_due_after_a_year() -> None:
    """Due means no check in the 365 days before the first campaign day: a check 366 days
    before is due again; one exactly 365 days before is not (it takes no place on a full
    clinic from someone who is due)."""
    c = campaign(
        [
            resident("R1", last_check=MON - dt.timedelta(days=366)),
            resident("R2", last_check=MON - dt.timedelta(days=365)),
        ]
    )
    p = plan(c)
    assert set(booked(p)) == {"R1"} and not p.unserved


def test_under_85_walks_in() -> None:
    """An independent resident aged 84 comes on their own."""
    c = campaign([resident("R1", age=84)], [escort("V1")], [free("V1")], wheelchairs=1)
    b = booked(plan(c))["R1"]
    assert b.escort_ids == () and b.wheelchair == Wheelchair.NONE and b.pickup is None


def test_85_plus_is_escorted_in_a_pool_chair() -> None:
    """An independent resident aged 85 is fetched by an escort with a pool chair."""
    c = campaign([resident("R1", age=85)], [escort("V1")], [free("V1")], wheelchairs=1)
    b = booked(plan(c))["R1"]
    assert b.escort_ids == ("V1",) and b.wheelchair == Wheelchair.POOL
    # Pickup 16 min before the check, home again 36 min after it starts.
    assert b.pickup == b.check_start - 16 and b.home_again == b.check_start + 36


def test_own_wheelchair_is_used() -> None:
    """A wheelchair user with their own chair needs no pool chair (and the pool is empty)."""
    c = campaign([resident("R1", mobility=Mobility.WHEELCHAIR)], [escort("V1")], [free("V1")])
    assert booked(plan(c))["R1"].wheelchair == Wheelchair.OWN
