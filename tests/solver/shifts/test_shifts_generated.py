"""The shift planner on small generated communities, with the week plan's demand.

Issue 15: ``carecal week`` on 60 residents, 12 volunteers and 3 days crashed in the
neighbourhood search (``OverflowError: cannot convert float infinity to integer``). The
whole model left out what a volunteer who may work no shift costs (the week plan's request
that they stay on duty, which nobody can honour), so CP-SAT's bound stayed below the plan's
cost, the neighbourhood search never met it, and it solved the tiny neighbourhoods to
optimality thousands of times, each time growing their size by 15 % until it overflowed.
These tests plan such communities as ``plan_week`` does: the ``auto`` shifts' demand from
:func:`carecal.demand.auto_demand` and requests that the routed volunteers stay on duty.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shift_weeks import MONDAY, community, monday_shift, search_options, volunteer

from carecal.datasets import make_community
from carecal.demand import auto_demand
from carecal.model import Availability, Community, Request, Role, ShiftTemplate, Skill
from carecal.plans import ShiftPlan, Status
from carecal.solver.shifts import shift_plan
from carecal.solver.shifts.problem import build_shift_problem, roster_cost
from carecal.solver.shifts.search import Search
from carecal.verify import verify

START = dt.date(2027, 3, 1)
"""A Monday: the first day of make_community's health-check campaign."""


def week_like(c: Community, days: int, share: int) -> tuple[Community, dict]:
    """The community and demand ``plan_week`` hands the shift planner for ``days`` days
    from :data:`START`, taking as routed every ``share``-th carrier and escort (whether
    or not they may work the shift: the routes use whoever pledged time that day)."""
    dates = [START + dt.timedelta(days=i) for i in range(days)]
    routed: dict[tuple[dt.date, Role], set[str]] = {}
    for n, d in enumerate(dates):
        for role, skill in ((Role.MEALS, Skill.MEALS), (Role.ESCORT, Skill.ESCORT)):
            able = [v.volunteer_id for v in c.volunteers if v.has(skill)]
            routed[(d, role)] = set(able[n % share :: share])
    demand = auto_demand(c, dates, routed)
    stay_on_duty = tuple(
        Request(volunteer_id=vid, date=d, shift_id=s.shift_id, want=True, weight=5)
        for d in dates
        for s in c.shifts
        if s.applies_to(d) and s.role in (Role.MEALS, Role.ESCORT)
        for vid in sorted(routed.get((d, s.role), set()))
    )
    return c.with_changes(requests=c.requests + stay_on_duty), demand


def plan_like_the_week(
    c: Community, days: int, share: int, time_limit: float, deterministic: bool, seed: int = 0
) -> tuple[Community, ShiftPlan]:
    """Plan the shifts of ``days`` days as the week plan does; return the community used."""
    c, demand = week_like(c, days, share)
    options = search_options(time_limit, deterministic=deterministic, workers=2, seed=seed)
    last = START + dt.timedelta(days=days - 1)
    return c, shift_plan(c, START, last, options, demand=demand)


def test_issue_15_community_plans_to_a_proven_optimum() -> None:
    """The reported community (60 residents, 12 volunteers, 3 days): a plan that keeps
    every rule, proven optimal within the time; its bound is its objective."""
    c, plan = plan_like_the_week(make_community(60, 12, seed=3), 3, 2, 10.0, False)
    assert verify(c, plan) == []
    assert plan.status == Status.OPTIMAL
    assert plan.bound == plan.objective


def test_a_request_nobody_can_honour_is_in_the_bound() -> None:
    """One place on Monday; A and C may fill it but both asked to be off (one of them must
    work: 10). B may work no shift, yet asked to work Monday (50, whatever the plan). The
    whole model counts B's request too, so its proof of optimality comes with the true
    bound: the plan is optimal at 60 and says so with a bound of 60 (binds). Without B's
    request (inactive) both are 10."""
    shifts = [monday_shift(1, 1)]
    available = [
        Availability(volunteer_id=v, date=MONDAY, start="00:00", end="24:00") for v in "AC"
    ]
    off = tuple(Request(volunteer_id=v, date=MONDAY, want=False) for v in "AC")
    ask = (Request(volunteer_id="B", date=MONDAY, want=True, weight=5),)
    for requests, cost in ((off + ask, 10 + 50), (off, 10)):
        c = community([volunteer(v) for v in "ABC"], available, shifts, requests, weight_request=10)
        plan = shift_plan(c, MONDAY, MONDAY, search_options(2.0))
        assert plan.objective == cost
        assert plan.status == Status.OPTIMAL and plan.bound == cost


def test_neighbourhood_sizes_stay_within_the_problem() -> None:
    """Binds: twelve volunteers on one day, no bound to stop at. CP-SAT proves every
    neighbourhood optimal, so their sizes grow, but never past the twelve volunteers and
    one day; the neighbourhood that frees all twelve proves the plan optimal and the
    search stops long before its time is up (it used to go on until the size overflowed)."""
    ids = [f"V{k:02d}" for k in range(12)]
    shifts = [
        ShiftTemplate(
            shift_id=sid,
            role=Role.CENTRE,
            date=MONDAY,
            start=start,
            end=end,
            min_volunteers=7,
            max_volunteers=7,
        )
        for sid, start, end in (("AM", "08:00", "12:00"), ("PM", "11:00", "15:00"))
    ]
    c = community(
        [volunteer(v) for v in ids],
        [Availability(volunteer_id=v, date=MONDAY, start="00:00", end="24:00") for v in ids],
        shifts,
        tuple(Request(volunteer_id=v, date=MONDAY, want=False) for v in ids[:5]),
    )
    problem = build_shift_problem(c, MONDAY, MONDAY)
    search = Search(problem, search_options(100.0))
    roster, _, _ = search.construct(None)
    first = roster_cost(problem, roster)
    plan, best, bound = search.improve(roster, first, until=100.0, bound=None)
    # 14 places, 12 volunteers: two open (2 x 100), and 5 who would rather be off must work.
    assert best == roster_cost(problem, plan) == 200 + 5 * c.policy.weight_request
    assert bound == best
    assert search.elapsed() < 10.0
    assert search.sizes["volunteers"] <= 12
    assert search.sizes["days"] <= 1 and search.sizes["block_days"] <= 1
    assert search.sizes["block_volunteers"] <= 12


@settings(max_examples=14, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    size=st.sampled_from([(20, 3), (60, 12), (80, 20)]),
    days=st.integers(1, 7),
    share=st.integers(1, 3),
    seed=st.integers(0, 1_000),
    deterministic=st.booleans(),
    time_limit=st.sampled_from([0.2, 0.5, 1.0]),
)
def test_small_generated_communities_always_get_a_valid_plan(
    size: tuple[int, int],
    days: int,
    share: int,
    seed: int,
    deterministic: bool,
    time_limit: float,
) -> None:
    """Small generated communities over 1 to 7 days with the week plan's demand, on tiny
    time limits or deterministic: always a plan (never an exception) that the verifier
    passes, with every open place given a reason and a fix."""
    residents, volunteers = size
    c = make_community(residents, volunteers, seed=seed)
    c, plan = plan_like_the_week(c, days, share, time_limit, deterministic, seed)
    assert plan.status.has_plan or plan.status == Status.EMPTY
    assert verify(c, plan) == []
    for u in plan.unserved:
        assert u.reason and u.fix
