"""The campaign verifier catches broken plans built from a planned one."""

from __future__ import annotations

import datetime as dt

import pytest
from campaign_cases import (
    MON,
    TUE,
    booked,
    campaign,
    escort,
    free,
    plan,
    resident,
    two_wheelchair_users,
)

from carecal.model import Community, Mobility, Skill
from carecal.plans import Booking, CampaignPlan, Status, Wheelchair
from carecal.policy import Policy
from carecal.verify import verify


@pytest.fixture
def escorted_plan() -> tuple[Community, CampaignPlan]:
    """Two walkers with pool chairs (one chair) and a walk-in; escort V1, and V2 who is not
    trained; slots 09:00–10:30 with two places: the walkers go at 09:00 and 10:30."""
    c = campaign(
        [
            resident("R1", mobility=Mobility.WALKER),
            resident("R2", mobility=Mobility.WALKER),
            resident("R3"),
        ],
        [escort("V1"), escort("V2", skills=frozenset({Skill.MEALS}))],
        [free("V1"), free("V2")],
        wheelchairs=1,
        places=2,
        close="10:50",
    )
    p = plan(c)
    assert len(p.bookings) == 3
    return c, p


def _rules(c: Community, p: CampaignPlan, **changes: object) -> set[str]:
    return {v.rule for v in verify(c, p.model_copy(update=changes))}


def _with(p: CampaignPlan, rid: str, **changes: object) -> tuple[Booking, ...]:
    return tuple(b.model_copy(update=changes) if b.resident_id == rid else b for b in p.bookings)


def test_verifier_accepts_the_plan(escorted_plan: tuple[Community, CampaignPlan]) -> None:
    c, p = escorted_plan
    assert verify(c, p) == []


def test_verifier_catches_broken_plans(escorted_plan: tuple[Community, CampaignPlan]) -> None:
    c, p = escorted_plan
    b = booked(p)
    r1, r3 = b["R1"], b["R3"]
    # Both pool-chair jobs at the same time: one chair, and one escort for both.
    same = _with(
        p,
        "R2",
        slot_start=r1.slot_start,
        check_start=r1.check_start,
        check_end=r1.check_end,
        pickup=r1.pickup,
        home_again=r1.home_again,
    )
    assert {"pool", "escort_overlap"} <= _rules(c, p, bookings=same)
    # Overfill a slot: three checks in a slot with two places.
    crowd = tuple(
        x.model_copy(update={"slot_start": 540, "check_start": 540, "check_end": 560})
        for x in p.bookings
    )
    assert "slot_capacity" in _rules(c, p, bookings=crowd)
    # Outside the clinic's hours, off the slot grid.
    late = _with(p, "R3", slot_start=660, check_start=660, check_end=680)
    assert "clinic_hours" in _rules(c, p, bookings=late)
    odd = _with(p, "R3", slot_start=545, check_start=545, check_end=565)
    assert "slot" in _rules(c, p, bookings=odd)
    # A due resident dropped without a word.
    assert "everyone_due" in _rules(c, p, bookings=tuple(x for x in p.bookings if x is not r3))
    # An escort without the skill; no escort at all; the wrong chair.
    assert "escort_skill" in _rules(c, p, bookings=_with(p, "R1", escort_ids=("V2",)))
    assert "escort" in _rules(c, p, bookings=_with(p, "R1", escort_ids=()))
    assert "wheelchair" in _rules(c, p, bookings=_with(p, "R1", wheelchair=Wheelchair.OWN))
    assert "escort" in _rules(c, p, bookings=_with(p, "R3", escort_ids=("V1",)))
    # A pickup too late to reach the check, a home time too early.
    assert "pickup" in _rules(c, p, bookings=_with(p, "R1", pickup=r1.check_start - 10))
    assert "home_again" in _rules(c, p, bookings=_with(p, "R1", home_again=r1.check_end))
    # Outside the escort's free time.
    early = c.with_changes(availability=(free("V1", start="08:50"), free("V2")))
    assert "availability" in {v.rule for v in verify(early, p)}
    # More jobs than the policy allows in a day.
    capped = c.with_changes(policy=Policy(max_escort_jobs_per_day=1))
    assert "jobs_per_day" in {v.rule for v in verify(capped, p)}
    # At a clinic that does not exist.
    assert "clinic" in _rules(c, p, bookings=_with(p, "R1", clinic_id="X9"))
    # Not on a campaign day.
    assert "campaign_day" in _rules(c, p, bookings=_with(p, "R3", date=TUE))


def test_verifier_catches_due_list_errors(escorted_plan: tuple[Community, CampaignPlan]) -> None:
    c, p = escorted_plan
    recent = MON - dt.timedelta(days=5)
    not_due = c.with_changes(
        residents=tuple(
            r.model_copy(update={"last_check": recent}) if r.resident_id == "R3" else r
            for r in c.residents
        )
    )
    assert "not_due" in {v.rule for v in verify(not_due, p)}
    abed = c.with_changes(
        residents=tuple(
            r.model_copy(update={"mobility": Mobility.BEDRIDDEN}) if r.resident_id == "R3" else r
            for r in c.residents
        )
    )
    assert {"bedridden", "home_check"} <= {v.rule for v in verify(abed, p)}
    twice = (*p.bookings, booked(p)["R3"])
    assert "once" in _rules(c, p, bookings=twice)


def test_verifier_catches_walk_between_jobs() -> None:
    """Two own-chair jobs of one escort an hour apart, 17 min walk between homes: flagged."""
    c = two_wheelchair_users(0.5)
    jobs = []
    for rid, start in (("R1", 540), ("R2", 600)):
        jobs.append(
            Booking(
                resident_id=rid,
                date=MON,
                clinic_id="H1",
                slot_start=start,
                check_start=start,
                check_end=start + 20,
                escort_ids=("V1",),
                wheelchair=Wheelchair.OWN,
                pickup=start - 16,
                home_again=start + 36,
            )
        )
    broken = CampaignPlan(status=Status.FEASIBLE, dates=(MON,), bookings=tuple(jobs))
    violations = verify(c, broken)
    assert [v.rule for v in violations] == ["escort_overlap"]
    assert "needs 17 min to walk on" in violations[0].message
