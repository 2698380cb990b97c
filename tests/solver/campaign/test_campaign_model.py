"""The campaign model's care rules: one test where each rule is idle, one where it binds (see
:mod:`campaign_cases` for the tiny geometry).
"""

from __future__ import annotations

from campaign_cases import (
    CENTRE,
    MON,
    TUE,
    booked,
    campaign,
    escort,
    free,
    plan,
    resident,
    two_wheelchair_users,
    unserved,
)

from carecal.clock import parse_time
from carecal.model import CampaignDay, Mobility
from carecal.plans import Status, UnservedKind, Wheelchair
from carecal.policy import Policy

# --- slots -----------------------------------------------------------------------------------


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


# --- the wheelchair pool ---------------------------------------------------------------------


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


def test_escort_does_two_jobs_when_the_walk_fits() -> None:
    """R2 next door to R1: the escort takes R1 at 09:00 (home 09:36) and R2 at 10:00
    (pickup 09:44)."""
    p = plan(two_wheelchair_users(-0.5))
    assert {b.escort_ids for b in p.bookings} == {("V1",)}
    assert sorted(b.check_start for b in p.bookings) == [540, 600]


def test_escort_walk_between_jobs_binds() -> None:
    """R2 1 km from R1 (17 min walk): home 09:36 + 17 > 09:44, so the escort takes one."""
    p = plan(two_wheelchair_users(0.5))
    assert len(p.bookings) == 1
    (left,) = p.unserved
    assert "no trained escort is free on Monday morning" in left.reason
    assert "(wheelchair, own chair)" in left.reason


def test_walk_margins_are_sound() -> None:
    """Modelled by margins (as on large campaigns), the walk still binds, never less."""
    p = plan(two_wheelchair_users(0.5), exact_walk_pairs=0)
    assert len(p.bookings) == 1


def test_walk_margins_cost_time_between_neighbours() -> None:
    """Margins send the escort via the hub (9 + 9 min) between neighbours: the 10:00 job
    no longer fits after the 09:00 one, although the exact walk (0 min) does. This is
    the price of the margins on large campaigns."""
    p = plan(two_wheelchair_users(-0.5), exact_walk_pairs=0)
    assert len(p.bookings) == 1


def test_jobs_per_day_cap_binds() -> None:
    """With at most one job per escort and day, the escort of the idle test takes one."""
    p = plan(two_wheelchair_users(-0.5, policy=Policy(max_escort_jobs_per_day=1)))
    assert len(p.bookings) == 1 and len(p.unserved) == 1


def test_second_day_when_the_escort_is_free_then() -> None:
    """The same cap, but a second campaign day on which V1 is free: one job each day."""
    c = two_wheelchair_users(-0.5, policy=Policy(max_escort_jobs_per_day=1), days=(MON, TUE))
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
