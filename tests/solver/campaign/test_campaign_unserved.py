"""Who was not booked and why: the reason and the fix for each case."""

from __future__ import annotations

import datetime as dt

from campaign_cases import MON, TUE, campaign, escort, free, plan, resident, unserved

from carecal.clock import parse_time
from carecal.model import Availability, Mobility, Skill
from carecal.plans import UnservedKind


def test_bedridden_due_gets_a_home_check() -> None:
    """A bedridden resident who is due is listed for a home check and not booked."""
    c = campaign(
        [
            resident("R1", mobility=Mobility.BEDRIDDEN),
            resident("R2", mobility=Mobility.BEDRIDDEN, last_check=MON - dt.timedelta(days=30)),
        ]
    )
    p = plan(c)
    assert not p.bookings
    assert unserved(p) == {
        "R1": (
            UnservedKind.HOME_CHECK,
            "bedridden: the check is done at home",
            "arrange a home visit by the clinic",
        )
    }


def test_no_pool_chairs_at_all() -> None:
    """A walker without a chair and no pool: not booked, with the reason and the fix."""
    c = campaign([resident("R1", mobility=Mobility.WALKER)], [escort("V1")], [free("V1")])
    p = plan(c)
    _, reason, fix = unserved(p)["R1"]
    assert "needs a pool wheelchair (walker, no own chair)" in reason
    assert "wheelchairs column of sites.csv" in fix


def test_no_trained_escort() -> None:
    """A volunteer without the escort skill cannot take a wheelchair user."""
    v = escort("V1", skills=frozenset({Skill.MEALS}))
    c = campaign([resident("R1", mobility=Mobility.WHEELCHAIR)], [v], [free("V1")])
    _, reason, fix = unserved(plan(c))["R1"]
    assert "no volunteer has the escort skill" in reason and "volunteers.csv" in fix


def test_no_escort_pledged_on_the_campaign_days() -> None:
    """An escort free only on Tuesday, a campaign on Monday: said so, with the fix."""
    c = campaign(
        [resident("R1", mobility=Mobility.WHEELCHAIR)], [escort("V1")], [free("V1", date=TUE)]
    )
    _, reason, fix = unserved(plan(c))["R1"]
    assert "no trained escort has pledged any time on the campaign days" in reason
    assert "Monday 2027-03-01" in reason and "availability.csv" in fix


def test_slots_an_escort_can_reach_are_full() -> None:
    """Two wheelchair users, two escorts free only until 09:40, so only the 09:00 slot
    (one place) works for a job; later slots stay empty but nobody can reach them."""
    c = campaign(
        [
            resident("R1", mobility=Mobility.WHEELCHAIR),
            resident("R2", mobility=Mobility.WHEELCHAIR),
        ],
        [escort("V1"), escort("V2")],
        [free("V1", end="09:40"), free("V2", end="09:40")],
        close="10:50",
    )
    p = plan(c)
    assert len(p.bookings) == 1 and p.bookings[0].check_start == parse_time("09:00")
    (left,) = p.unserved
    assert "the clinic's slots that a free escort could reach" in left.reason
    assert "full on Monday 2027-03-01" in left.reason


def test_holiday_removes_the_escort() -> None:
    """A weekly pledge cancelled on the campaign date by an `available=false` row."""
    c = campaign(
        [resident("R1", mobility=Mobility.WHEELCHAIR)],
        [escort("V1")],
        [
            Availability(volunteer_id="V1", day="Mon", start="08:00", end="12:00"),
            Availability(volunteer_id="V1", date=MON, start="08:00", end="12:00", available=False),
        ],
    )
    p = plan(c)
    assert not p.bookings and "R1" in unserved(p)
