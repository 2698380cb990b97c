"""The campaign planner's interface and search: the empty plan, determinism, the greedy
plan when there is no time, the objective terms, and generated campaigns.
"""

from __future__ import annotations

import datetime as dt

from campaign_cases import MON, campaign, plan, resident, two_wheelchair_users
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carecal.datasets import make_community
from carecal.options import solve_options
from carecal.plans import Status
from carecal.solver.campaign import campaign_plan, plan_health_checks
from carecal.verify import verify_campaign


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
    p = plan_health_checks(c, time_limit=0.001, workers=1)
    assert p.status.has_plan and verify_campaign(c, p) == []
    assert any(b.escort_ids for b in p.bookings)


def test_objective_terms_and_bound() -> None:
    """Named terms, a bound no larger than their sum, and a summary a coordinator can read."""
    c = two_wheelchair_users(-0.5)
    p = plan(c)
    assert set(p.objective_terms) == {
        "unbooked_value",
        "escort_walk_estimate",
        "most_jobs_per_escort",
        "days_for_oldest",
    }
    assert p.bound is not None and p.bound <= sum(p.objective_terms.values()) + 1e-6
    assert "2 booked, 2 of them escorted" in p.summary()


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
    options = solve_options("plan_health_checks", time_limit=1.5, workers=1)
    p = campaign_plan(c, c.clinic_days(), options, exact_walk_pairs=20_000 if exact else 0)
    assert p.status.has_plan
    assert verify_campaign(c, p) == []
    first = min(p.dates)
    due = {r.resident_id for r in c.residents if c.is_due(r, first)}
    listed = [b.resident_id for b in p.bookings] + [u.id for u in p.unserved]
    assert sorted(listed) == sorted(due)
    for u in p.unserved:
        assert u.reason and u.fix
