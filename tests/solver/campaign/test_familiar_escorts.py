"""The campaign and the history: an escort who knows the resident is preferred, in the
walking tier, so never at the price of a booking."""

from __future__ import annotations

import datetime as dt

import pytest
from campaign_cases import MON, booked, campaign, escort, free, plan, resident

from carecal.history import BookingRecord, History
from carecal.model import Community, Mobility
from carecal.policy import Policy

BEFORE = MON - dt.timedelta(days=365)


def escorted(*pairs: tuple[str, str], outcome: str = "done") -> History:
    """A campaign a year ago in which each (resident, escort) went to the clinic."""
    return History(
        bookings=tuple(
            BookingRecord(date=BEFORE, resident_id=r, escort_ids=(e,), outcome=outcome)  # type: ignore[arg-type]
            for r, e in pairs
        ),
        check_dates=(BEFORE,),
    )


def two_escorts(**policy: object) -> Community:
    """R1 in a wheelchair of their own, 0.5 km north; E1 and E2 alike, free all morning."""
    return campaign(
        [resident("R1", mobility=Mobility.WHEELCHAIR)],
        [escort("E1"), escort("E2")],
        [free("E1"), free("E2")],
        policy=Policy(**policy),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("known", ["E1", "E2"])
def test_the_escort_who_knows_the_resident_takes_them(known: str) -> None:
    result = plan(two_escorts().with_history(escorted(("R1", known))))
    assert booked(result)["R1"].escort_ids == (known,)
    assert result.objective_terms["unfamiliar"] == 0


def test_a_missed_check_makes_nobody_familiar() -> None:
    community = two_escorts().with_history(escorted(("R1", "E2"), outcome="missed"))
    assert community.history.familiarity() == {}
    result = plan(community)
    assert "R1" in booked(result) and result.objective_terms["unfamiliar"] == 0


def test_without_history_there_is_no_term() -> None:
    result = plan(two_escorts())
    assert "R1" in booked(result) and "unfamiliar" not in result.objective_terms


def test_familiarity_never_costs_a_booking() -> None:
    """R1 and R2 both know E1 only; E1 takes one job a day, so E2 takes the other: both
    are booked, and one unfamiliar job is charged."""
    community = campaign(
        [
            resident("R1", mobility=Mobility.WHEELCHAIR),
            resident("R2", -0.5, mobility=Mobility.WHEELCHAIR),
        ],
        [escort("E1"), escort("E2")],
        [free("E1"), free("E2")],
        places=2,
        policy=Policy(max_escort_jobs_per_day=1, familiar_carrier_weight=900),
    ).with_history(escorted(("R1", "E1"), ("R2", "E1")))
    result = plan(community)
    jobs = {rid: b.escort_ids for rid, b in booked(result).items()}
    assert sorted(jobs) == ["R1", "R2"]
    assert sorted(e for ids in jobs.values() for e in ids) == ["E1", "E2"]
    assert result.objective_terms["unfamiliar"] > 0
