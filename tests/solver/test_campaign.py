"""The health-check campaign planner: one test where each rule is idle, one where it binds.

The tiny campaigns put the clinic and the centre (with its wheelchair pool) on the same
spot, so the walk from the pool to the clinic is zero, and place residents due north or
south of it. At 0.5 km the walk is 9 min and the push 11 min (great circle x 1.3 at 4.5
and 3.5 km/h); an escorted job with the resident's own chair then runs from the pickup
16 min before the check (5 min to get out, 11 min pushing) to home again 36 min after
the check start (20 min check, 11 min back, 5 min to settle).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carecal.clock import parse_time
from carecal.datasets import make_community
from carecal.model import (
    Availability,
    CampaignDay,
    Community,
    CommunityError,
    Mobility,
    Resident,
    Site,
    SiteKind,
    Skill,
    Volunteer,
)
from carecal.plans import Booking, CampaignPlan, Status, UnservedKind, Wheelchair
from carecal.policy import Policy
from carecal.solver.campaign import campaign_days, plan_health_checks, priority
from carecal.travel import travel_minutes
from carecal.verify import verify, verify_campaign

CENTRE = (31.2272, 121.4920)
MON = dt.date(2027, 3, 1)
TUE = dt.date(2027, 3, 2)
KM_LAT = 1 / 111.195
"""Degrees of latitude per km (the haversine's earth radius)."""


def resident(
    rid: str,
    north_km: float = 0.5,
    *,
    age: int = 70,
    mobility: Mobility = Mobility.INDEPENDENT,
    last_check: dt.date | None = None,
    owns_wheelchair: bool | None = None,
) -> Resident:
    """A resident ``north_km`` due north of the clinic (negative: south)."""
    return Resident(
        resident_id=rid,
        age=age,
        lat=CENTRE[0] + north_km * KM_LAT,
        lon=CENTRE[1],
        mobility=mobility,
        last_check=last_check,
        owns_wheelchair=owns_wheelchair,
    )


def escort(vid: str, skills: frozenset[Skill] = frozenset({Skill.ESCORT})) -> Volunteer:
    """A trained escort living at the clinic."""
    return Volunteer(volunteer_id=vid, lat=CENTRE[0], lon=CENTRE[1], skills=skills)


def free(vid: str, start: str = "08:00", end: str = "12:00", date: dt.date = MON) -> Availability:
    """A volunteer's pledge for one date."""
    return Availability(volunteer_id=vid, date=date, start=start, end=end)


def campaign(
    residents: list[Resident],
    volunteers: list[Volunteer] = (),  # type: ignore[assignment]
    availability: list[Availability] = (),  # type: ignore[assignment]
    *,
    wheelchairs: int = 0,
    places: int = 1,
    open_: str = "09:00",
    close: str = "11:00",
    days: tuple[dt.date, ...] = (MON,),
    policy: Policy | None = None,
) -> Community:
    """A campaign at clinic H1 (30-min slots, 20-min checks) with centre C1's pool beside it."""
    sites = (
        Site(
            site_id="C1",
            kind=SiteKind.CENTRE,
            lat=CENTRE[0],
            lon=CENTRE[1],
            wheelchairs=wheelchairs,
        ),
        Site(
            site_id="H1",
            kind=SiteKind.CLINIC,
            lat=CENTRE[0],
            lon=CENTRE[1],
            open=open_,
            close=close,
            slot_minutes=30,
            places_per_slot=places,
            check_minutes=20,
        ),
    )
    return Community(
        residents=tuple(residents),
        volunteers=tuple(volunteers),
        availability=tuple(availability),
        sites=sites,
        campaign=tuple(CampaignDay(date=d, clinic_id="H1") for d in days),
        policy=policy or Policy(),
    )


def plan(community: Community, **kwargs: object) -> CampaignPlan:
    """Plan with a short time limit and check the verifier accepts the plan."""
    result = plan_health_checks(community, time_limit=5.0, workers=1, **kwargs)  # type: ignore[arg-type]
    assert verify_campaign(community, result) == []
    return result


def booked(p: CampaignPlan) -> dict[str, Booking]:
    return {b.resident_id: b for b in p.bookings}


def unserved(p: CampaignPlan) -> dict[str, tuple[UnservedKind, str, str]]:
    return {u.id: (u.kind, u.reason, u.fix) for u in p.unserved}


# --- the geometry the docstring promises ------------------------------------------------------


def test_tiny_geometry_is_as_documented() -> None:
    """Walk 9 min and push 11 min between the clinic and a home 0.5 km north."""
    c = campaign([resident("R1", 0.5), resident("R2", -0.5)])
    walk = travel_minutes(c, ["H1", "R1", "R2"], "walk")
    push = travel_minutes(c, ["H1", "R1"], "wheelchair")
    assert walk[0, 1] == 9 and push[0, 1] == 11
    assert walk[1, 2] == 17


# --- slots --------------------------------------------------------------------------------


def test_slot_places_shared_when_there_is_room() -> None:
    """Two walk-ins and one 09:00 slot with two places: both are booked at 09:00."""
    c = campaign([resident("R1"), resident("R2")], places=2, close="09:20")
    p = plan(c)
    assert p.status == Status.OPTIMAL
    assert {b.slot_start for b in p.bookings} == {parse_time("09:00")}
    assert len(p.bookings) == 2 and not p.unserved
    assert all(b.check_end == b.check_start + 20 and not b.escort_ids for b in p.bookings)


def test_slot_capacity_binds_and_the_oldest_are_booked() -> None:
    """Three walk-ins, one slot with two places: the youngest is left with the reason."""
    c = campaign(
        [resident("R70", age=70), resident("R80", age=80), resident("R75", age=75)],
        places=2,
        close="09:20",
    )
    p = plan(c)
    assert set(booked(p)) == {"R80", "R75"}
    kind, reason, fix = unserved(p)["R70"]
    assert kind == UnservedKind.HEALTH_CHECK
    assert "the clinic is full" in reason and "3 due, 2 places" in reason
    assert fix == "add 1 day or 1 place per slot"


def test_last_slot_check_ends_by_closing() -> None:
    """Open 09:00–10:10, 30-min slots, 20-min checks: slots 09:00, 09:30 and 09:50 is no slot."""
    day = campaign_days(campaign([], open_="09:00", close="10:10"))[0]
    assert [s for s in day.slots] == [540, 570]
    day = campaign_days(campaign([], open_="09:00", close="10:20"))[0]
    assert day.slots == (540, 570, 600)


def test_campaign_day_hours_override_the_clinic() -> None:
    """A campaign.csv row with its own hours replaces the clinic's hours that day."""
    c = campaign([resident("R1")]).with_changes(
        campaign=(CampaignDay(date=MON, clinic_id="H1", open="10:00", close="10:30"),)
    )
    p = plan(c)
    assert booked(p)["R1"].check_start == parse_time("10:00")


# --- who is due, who is escorted ----------------------------------------------------------


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
    """A check 365 days before the first campaign day is due again."""
    c = campaign([resident("R1", last_check=MON - dt.timedelta(days=365))])
    assert set(booked(plan(c))) == {"R1"}


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


# --- the wheelchair pool --------------------------------------------------------------------


def test_pool_idle_two_chairs_two_walkers() -> None:
    """Two walkers, two escorts, two pool chairs, one 09:00 slot with two places: both go."""
    c = campaign(
        [resident("R1", mobility=Mobility.WALKER), resident("R2", mobility=Mobility.WALKER)],
        [escort("V1"), escort("V2")],
        [free("V1"), free("V2")],
        wheelchairs=2,
        places=2,
        close="09:20",
    )
    p = plan(c)
    assert len(p.bookings) == 2
    assert {b.wheelchair for b in p.bookings} == {Wheelchair.POOL}


def test_pool_binds_one_chair_two_walkers() -> None:
    """The same with one pool chair: one walker is booked, the other is told why."""
    c = campaign(
        [resident("R1", mobility=Mobility.WALKER), resident("R2", mobility=Mobility.WALKER)],
        [escort("V1"), escort("V2")],
        [free("V1"), free("V2")],
        wheelchairs=1,
        places=2,
        close="09:20",
    )
    p = plan(c)
    assert len(p.bookings) == 1
    (left,) = [u for u in p.unserved]
    assert left.kind == UnservedKind.HEALTH_CHECK
    assert "no pool wheelchair is free long enough on Monday morning" in left.reason
    assert "(walker, no own chair; the only chair out Mon 08:35–09:45)" in left.reason
    assert left.fix.startswith("add a pool wheelchair")


def test_pool_chair_comes_back_before_the_next_job() -> None:
    """One chair, two walkers, slots 09:00 to 10:30: the chair is out 70 min a job (9 min
    walk from the pool, 25 min before the check to 45 min after it), so it serves both at
    09:00 and 10:30, the only pair of slots 70 min or more apart."""
    c = campaign(
        [resident("R1", mobility=Mobility.WALKER), resident("R2", mobility=Mobility.WALKER)],
        [escort("V1"), escort("V2")],
        [free("V1"), free("V2")],
        wheelchairs=1,
        close="10:50",
    )
    p = plan(c)
    assert len(p.bookings) == 2
    assert sorted(b.check_start for b in p.bookings) == [540, 630]


# --- the escort's day ------------------------------------------------------------------------


def _two_wheelchair_users(south_km: float, **kwargs: object) -> Community:
    """R1 0.5 km north and R2 ``south_km`` south, own chairs; one escort; slots 09:00–10:00."""
    return campaign(
        [
            resident("R1", 0.5, mobility=Mobility.WHEELCHAIR),
            resident("R2", -south_km, mobility=Mobility.WHEELCHAIR),
        ],
        [escort("V1")],
        [free("V1")],
        close="10:20",
        **kwargs,  # type: ignore[arg-type]
    )


def test_escort_does_two_jobs_when_the_walk_fits() -> None:
    """R2 next door to R1: the escort takes R1 at 09:00 (home 09:36) and R2 at 10:00
    (pickup 09:44)."""
    p = plan(_two_wheelchair_users(-0.5))
    assert {b.escort_ids for b in p.bookings} == {("V1",)}
    assert sorted(b.check_start for b in p.bookings) == [540, 600]


def test_escort_walk_between_jobs_binds() -> None:
    """R2 1 km from R1 (17 min walk): home 09:36 + 17 > 09:44, so the escort takes one."""
    p = plan(_two_wheelchair_users(0.5))
    assert len(p.bookings) == 1
    (left,) = p.unserved
    assert "no trained escort is free on Monday morning" in left.reason
    assert "(wheelchair, own chair)" in left.reason


def test_walk_margins_are_sound() -> None:
    """Modelled by margins (as on large campaigns), the walk still binds, never less."""
    p = plan(_two_wheelchair_users(0.5), exact_walk_pairs=0)
    assert len(p.bookings) == 1


def test_walk_margins_cost_time_between_neighbours() -> None:
    """Margins send the escort via the hub (9 + 9 min) between neighbours: the 10:00 job
    no longer fits after the 09:00 one, although the exact walk (0 min) does. This is
    the price of the margins on large campaigns."""
    p = plan(_two_wheelchair_users(-0.5), exact_walk_pairs=0)
    assert len(p.bookings) == 1


def test_jobs_per_day_cap_binds() -> None:
    """With at most one job per escort and day, the escort of the idle test takes one."""
    p = plan(_two_wheelchair_users(-0.5, policy=Policy(max_escort_jobs_per_day=1)))
    assert len(p.bookings) == 1 and len(p.unserved) == 1


def test_second_day_when_the_escort_is_free_then() -> None:
    """The same cap, but a second campaign day on which V1 is free: one job each day."""
    c = _two_wheelchair_users(-0.5, policy=Policy(max_escort_jobs_per_day=1), days=(MON, TUE))
    c = c.with_changes(availability=(free("V1"), free("V1", date=TUE)))
    p = plan(c)
    assert sorted(b.date for b in p.bookings) == [MON, TUE]


def test_two_windows_in_a_day() -> None:
    """V1 free 08:00–09:40 and 10:00–12:00, only one job per window fits: R1 at 09:00
    (08:35–09:36 from home), R2 at 10:30 (walk from home at 10:05)."""
    c = campaign(
        [
            resident("R1", mobility=Mobility.WHEELCHAIR),
            resident("R2", mobility=Mobility.WHEELCHAIR),
        ],
        [escort("V1")],
        [free("V1", end="09:40"), free("V1", start="10:00")],
        close="10:50",
    )
    p = plan(c)
    assert sorted(b.check_start for b in p.bookings) == [540, 630]


def test_second_clinic_on_the_second_day() -> None:
    """Campaign days at two clinics: each booking at its day's clinic, checked by verify."""
    c = campaign([resident("R1"), resident("R2")], close="09:20", days=(MON,))
    h2 = c.sites[1].model_copy(update={"site_id": "H2", "lat": CENTRE[0] + 0.002})
    c = c.with_changes(
        sites=(*c.sites, h2),
        campaign=(CampaignDay(date=MON, clinic_id="H1"), CampaignDay(date=TUE, clinic_id="H2")),
    )
    p = plan(c)
    assert {(b.date, b.clinic_id) for b in p.bookings} == {(MON, "H1"), (TUE, "H2")}


def test_availability_idle() -> None:
    """V1 free 08:00–12:00 covers the 08:35–09:36 job (with the 9 min walk from home)."""
    c = campaign(
        [resident("R1", mobility=Mobility.WHEELCHAIR)], [escort("V1")], [free("V1")], close="09:20"
    )
    b = booked(plan(c))["R1"]
    assert b.pickup == parse_time("08:44") and b.home_again == parse_time("09:36")


def test_availability_binds() -> None:
    """V1 free only from 08:40: the walk from home must start 08:35, so nobody is booked."""
    c = campaign(
        [resident("R1", mobility=Mobility.WHEELCHAIR)],
        [escort("V1")],
        [free("V1", start="08:40")],
        close="09:20",
    )
    p = plan(c)
    assert not p.bookings
    _, reason, fix = unserved(p)["R1"]
    assert "no trained escort is free long enough" in reason and "availability.csv" in fix


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


# --- the planner's interface ----------------------------------------------------------------


def test_dates_use_the_first_clinic_and_its_hours() -> None:
    """Dates given by the caller run at the first clinic with its own hours."""
    c = campaign([resident("R1"), resident("R2")], close="09:20").with_changes(campaign=())
    p = plan(c, dates=[TUE, MON])
    assert p.dates == (MON, TUE)
    assert sorted(b.date for b in p.bookings) == [MON, TUE]


def test_no_campaign_days_is_an_input_error() -> None:
    """No campaign.csv and no dates: a sentence saying how to fix it."""
    c = campaign([resident("R1")]).with_changes(campaign=())
    with pytest.raises(CommunityError, match="no campaign days"):
        plan_health_checks(c)


def test_nobody_due_is_empty() -> None:
    """Everyone checked recently: an empty plan, status EMPTY."""
    c = campaign([resident("R1", last_check=MON - dt.timedelta(days=10))])
    p = plan(c)
    assert p.status == Status.EMPTY and not p.bookings and not p.unserved


def test_deterministic_runs_agree() -> None:
    """Deterministic mode gives the same plan twice."""
    c = make_community(residents=60, volunteers=10, seed=3, campaign_days=2, places_per_slot=2)
    one = plan_health_checks(c, time_limit=2.0, deterministic=True, workers=2)
    two = plan_health_checks(c, time_limit=2.0, deterministic=True, workers=2)
    assert one.bookings == two.bookings and one.unserved == two.unserved


def test_no_time_still_gives_a_valid_plan() -> None:
    """With no time to solve, the greedy plan stands: valid, everyone due listed once."""
    c = make_community(residents=80, volunteers=12, seed=5, campaign_days=2, places_per_slot=2)
    p = plan_health_checks(c, time_limit=0.0, workers=1)
    assert p.status.has_plan and verify_campaign(c, p) == []
    assert any(b.escort_ids for b in p.bookings)


def test_objective_terms_and_bound() -> None:
    """Named terms, a bound no larger than their sum, and a summary a coordinator can read."""
    c = _two_wheelchair_users(-0.5)
    p = plan(c)
    assert set(p.objective) == {
        "unbooked_value",
        "escort_walk_estimate",
        "most_jobs_per_escort",
        "days_for_oldest",
    }
    assert p.bound is not None and p.bound <= sum(p.objective.values()) + 1e-6
    assert "2 booked, 2 of them escorted" in p.summary()


# --- the verifier catches broken plans -------------------------------------------------------


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
    c = _two_wheelchair_users(0.5)
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


# --- generated campaigns ---------------------------------------------------------------------


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    residents=st.integers(20, 70),
    days=st.integers(1, 3),
    places=st.integers(1, 3),
    wheelchairs=st.integers(0, 3),
    exact=st.booleans(),
)
def test_generated_campaigns_verify(
    seed: int, residents: int, days: int, places: int, wheelchairs: int, exact: bool
) -> None:
    """Generated campaigns pass the verifier and list every due resident exactly once,
    with the walks between jobs modelled exactly or by margins."""
    c = make_community(
        residents=residents,
        volunteers=10,
        seed=seed,
        campaign_days=days,
        places_per_slot=places,
        wheelchairs=wheelchairs,
    )
    p = plan_health_checks(c, time_limit=1.5, workers=1, exact_walk_pairs=20_000 if exact else 0)
    assert p.status.has_plan
    assert verify_campaign(c, p) == []
    first = min(p.dates)
    due = {r.resident_id for r in c.residents if c.is_due(r, first)}
    listed = [b.resident_id for b in p.bookings] + [u.id for u in p.unserved]
    assert sorted(listed) == sorted(due)
    for u in p.unserved:
        assert u.reason and u.fix
