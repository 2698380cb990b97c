"""The shift planner through :func:`plan_shifts`: each hard rule where it does not bind and
where it binds, the soft rules, demand and hints, a generated community through the
verifier, and the Curtois & Qu reader and evaluator on a handwritten instance.

The tiny communities (:mod:`shift_weeks`) run in the week of Monday 2026-03-02 with the
soft rules a test is not about switched off, so the optimum is known by hand.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shift_weeks import (
    MONDAY,
    SUNDAY,
    community,
    daily,
    every_day,
    monday_shift,
    open_places,
    plan,
    volunteer,
    worked,
)

from carecal.errors import CommunityError
from carecal.model import Availability, Request, Role, ShiftTemplate
from carecal.plans import ShiftPlan, Status
from carecal.solver.shifts import plan_shifts
from carecal.verify import verify_shifts

# --- hard rules, each inactive and binding -----------------------------------------------------


@pytest.mark.parametrize(("skills", "filled"), [(("meals",), 7), (("centre",), 0)])
def test_role_needs_the_skill(skills: tuple[str, ...], filled: int) -> None:
    """One meal shift a day; the only volunteer has (or lacks) the meals skill."""
    c = community(
        [volunteer("A", skills)], every_day("A"), daily("M", "10:30", "13:00", role="meals")
    )
    result = plan(c)
    assert len(result.assignments) == filled
    assert sum(open_places(result).values()) == 7 - filled
    if not filled:
        assert "meals skill" in result.unserved[0].reason


@pytest.mark.parametrize(("until", "filled"), [("14:00", 7), ("12:00", 0)])
def test_availability_covers_the_whole_shift(until: str, filled: int) -> None:
    """A 10:30-13:00 shift; the volunteer is free from 09:00 until 14:00 or only 12:00."""
    c = community([volunteer("A")], every_day("A", "09:00", until), daily("S", "10:30", "13:00"))
    result = plan(c)
    assert len(result.assignments) == filled
    if not filled:
        assert "pledged" in result.unserved[0].reason


def test_dated_exception_removes_a_day() -> None:
    """Free every day, except Wednesday by a dated 'not available' row."""
    wed = MONDAY + dt.timedelta(days=2)
    avail = [*every_day("A"), Availability(volunteer_id="A", date=wed, available=False)]
    result = plan(community([volunteer("A")], avail, daily("S", "09:00", "12:00")))
    assert wed not in {d for d, _ in worked(result, "A")}
    assert len(result.assignments) == 6


@pytest.mark.parametrize(("second", "filled"), [("13:00", 14), ("11:00", 7)])
def test_no_two_overlapping_shifts(second: str, filled: int) -> None:
    """Shifts 09:00-12:00 and from 13:00 (apart) or 11:00 (overlapping); one volunteer."""
    shifts = daily("AM", "09:00", "12:00") + daily("PM", second, "16:00")
    result = plan(community([volunteer("A", max_shifts_per_week=14)], every_day("A"), shifts))
    assert len(result.assignments) == filled


@pytest.mark.parametrize(("most", "filled"), [(7, 7), (2, 2)])
def test_max_shifts_per_week(most: int, filled: int) -> None:
    """A shift each day; the volunteer pledged 7 or 2 shifts a week."""
    c = community(
        [volunteer("A", max_shifts_per_week=most)], every_day("A"), daily("S", "09:00", "12:00")
    )
    result = plan(c)
    assert len(result.assignments) == filled
    if filled < 7:
        # Who could fill it: the volunteer at their limit.
        assert "A could fill it if they pledged one more shift" in result.unserved[0].fix


@pytest.mark.parametrize(("hours", "filled"), [(21.0, 7), (6.0, 2)])
def test_max_hours_per_week(hours: float, filled: int) -> None:
    """Three-hour shifts each day; the volunteer pledged 21 or 6 hours a week."""
    c = community(
        [volunteer("A", max_hours_per_week=hours)], every_day("A"), daily("S", "09:00", "12:00")
    )
    assert len(plan(c).assignments) == filled


@pytest.mark.parametrize(("longest", "filled"), [(7, 7), (2, 5)])
def test_max_consecutive_days(longest: int, filled: int) -> None:
    """A shift each day; the policy allows 7 or 2 working days in a row (then 5 of 7)."""
    c = community(
        [volunteer("A")], every_day("A"), daily("S", "09:00", "12:00"), max_consecutive_days=longest
    )
    result = plan(c)
    assert len(result.assignments) == filled


def test_volunteer_max_consecutive_days_overrides_policy() -> None:
    """The policy allows 7 days in a row, the volunteer only 3: at most 6 of 7 days."""
    c = community(
        [volunteer("A", max_consecutive_days=3)],
        every_day("A"),
        daily("S", "09:00", "12:00"),
        max_consecutive_days=7,
    )
    assert len(plan(c).assignments) == 6


@pytest.mark.parametrize(("rest", "both"), [(8.0, True), (10.0, False)])
def test_min_rest_between_days(rest: float, both: bool) -> None:
    """A late shift Monday until 22:00 and an early one Tuesday from 06:00 (8 h apart)."""
    shifts = [
        ShiftTemplate(
            shift_id="LATE",
            role=Role.CENTRE,
            date=MONDAY,
            start="18:00",
            end="22:00",
            min_volunteers=1,
        ),
        ShiftTemplate(
            shift_id="EARLY",
            role=Role.CENTRE,
            date=MONDAY + dt.timedelta(days=1),
            start="06:00",
            end="10:00",
            min_volunteers=1,
        ),
    ]
    c = community([volunteer("A")], every_day("A"), shifts, min_rest_hours=rest)
    assert len(plan(c).assignments) == (2 if both else 1)


def test_forbidden_succession_binds() -> None:
    """Monday only L is wanted, Tuesday only E; L then E is forbidden: one stays open."""
    shifts = [
        ShiftTemplate(
            shift_id="L",
            role=Role.CENTRE,
            date=MONDAY,
            start="14:00",
            end="18:00",
            min_volunteers=1,
        ),
        ShiftTemplate(
            shift_id="E",
            role=Role.CENTRE,
            date=MONDAY + dt.timedelta(days=1),
            start="06:00",
            end="10:00",
            min_volunteers=1,
        ),
    ]
    allowed = community([volunteer("A")], every_day("A"), shifts, min_rest_hours=0)
    banned = community(
        [volunteer("A")],
        every_day("A"),
        shifts,
        min_rest_hours=0,
        forbidden_successions=(("L", "E"),),
    )
    assert len(plan(allowed).assignments) == 2
    assert len(plan(banned).assignments) == 1


@pytest.mark.parametrize(("shortest", "days"), [(1, 1), (2, 2)])
def test_min_consecutive_days(shortest: int, days: int) -> None:
    """Only Wednesday needs someone; other days cost 1 per volunteer. A run of 1 day
    inside the week is allowed (1) or too short (2: so 2 days)."""
    shifts = daily("S", "09:00", "12:00", low=0, high=0)
    shifts[2] = shifts[2].model_copy(update={"min_volunteers": 1, "max_volunteers": 1})
    c = community([volunteer("A", min_consecutive_days=shortest)], every_day("A"), shifts)
    result = plan(c)
    assert len(result.assignments) == days
    assert (MONDAY + dt.timedelta(days=2), "S") in worked(result, "A")


@pytest.mark.parametrize(("shortest", "filled"), [(1, 6), (2, 5)])
def test_min_days_off_in_a_row(shortest: int, filled: int) -> None:
    """A shift each day; the volunteer is away Thursday. One day off inside the week is
    enough (6 worked) or too short (2 off in a row: 5 worked)."""
    thu = MONDAY + dt.timedelta(days=3)
    avail = [*every_day("A"), Availability(volunteer_id="A", date=thu, available=False)]
    c = community(
        [volunteer("A", min_days_off_in_a_row=shortest)],
        avail,
        daily("S", "09:00", "12:00"),
        max_consecutive_days=7,
    )
    assert len(plan(c).assignments) == filled


@pytest.mark.parametrize(("most", "weekends"), [(None, 2), (1, 1)])
def test_volunteer_max_weekends_is_hard(most: int | None, weekends: int) -> None:
    """Two weeks with a Saturday shift each; the volunteer works any or one weekend."""
    sats = [MONDAY + dt.timedelta(days=5), MONDAY + dt.timedelta(days=12)]
    shifts = [
        ShiftTemplate(
            shift_id="SAT", role=Role.CENTRE, date=d, start="09:00", end="12:00", min_volunteers=1
        )
        for d in sats
    ]
    c = community([volunteer("A", max_weekends=most)], every_day("A"), shifts)
    result = plan(c, end=MONDAY + dt.timedelta(days=13))
    assert len(result.assignments) == weekends


def test_period_minutes_and_per_shift_limit() -> None:
    """Two volunteers, a 3-hour shift each day wanting 1. A must work at least 900 minutes
    (5 shifts) and B at most 1 shift S: so A works 6 of them (one is B's)."""
    c = community(
        [
            volunteer("A", min_minutes_per_period=900, max_consecutive_days=7),
            volunteer("B", max_shifts_by_id={"S": 1}),
        ],
        every_day("A") + every_day("B"),
        daily("S", "09:00", "12:00", low=1, high=1),
        max_consecutive_days=7,
    )
    result = plan(c)
    assert len(worked(result, "A")) >= 5
    assert len(worked(result, "B")) <= 1
    assert len(result.assignments) == 7


# --- soft rules --------------------------------------------------------------------------------


def test_requests_honoured_when_nothing_forbids() -> None:
    """Two volunteers, one place a day. A asks to be off Monday and to work Tuesday; B
    asks for the Friday shift by id. Every request can be honoured."""
    reqs = (
        Request(volunteer_id="A", date=MONDAY, want=False, weight=2),
        Request(volunteer_id="A", date=MONDAY + dt.timedelta(days=1), want=True),
        Request(volunteer_id="B", date=MONDAY + dt.timedelta(days=4), shift_id="S", want=True),
    )
    c = community(
        [volunteer("A"), volunteer("B")],
        every_day("A") + every_day("B"),
        daily("S", "09:00", "12:00", low=1, high=1),
        reqs,
    )
    result = plan(c)
    a, b = worked(result, "A"), worked(result, "B")
    assert (MONDAY, "S") not in a
    assert (MONDAY + dt.timedelta(days=1), "S") in a
    assert (MONDAY + dt.timedelta(days=4), "S") in b
    assert result.objective_terms["requests"] == 0


def test_request_that_cannot_be_honoured_costs_its_weight() -> None:
    """A asks to work Monday but is not free then: the request costs 3 x policy weight."""
    avail = [a for a in every_day("A") if a.day != "Mon"]
    reqs = (Request(volunteer_id="A", day="Mon", want=True, weight=3),)
    c = community([volunteer("A")], avail, daily("S", "09:00", "12:00", low=0), reqs)
    result = plan(c)
    assert result.objective_terms["requests"] == 3 * c.policy.weight_request
    assert "A" in " ".join(result.explain_terms["requests"])


def test_over_cover_costs_and_under_cover_weights() -> None:
    """One place wanted, at most 1; two volunteers who both asked to work that day with
    weight 1: putting both on costs more (over-cover 5) than one request (1 x 1)."""
    shifts = [monday_shift(1, 1, weight_over=5)]
    reqs = (
        Request(volunteer_id="A", date=MONDAY, want=True),
        Request(volunteer_id="B", date=MONDAY, want=True),
    )
    c = community(
        [volunteer("A"), volunteer("B")],
        every_day("A") + every_day("B"),
        shifts,
        reqs,
        weight_request=1,
    )
    result = plan(c, end=MONDAY)
    assert len(result.assignments) == 1
    assert result.objective_terms["over_cover"] == 0 and result.objective_terms["requests"] == 1


def test_soft_max_weekends_costs_per_extra_weekend() -> None:
    """Policy: at most 1 weekend; two Saturday shifts and one volunteer: covering both
    costs 30 (a weekend too many), leaving one open costs 100: both are covered."""
    shifts = [
        ShiftTemplate(
            shift_id="SAT", role=Role.CENTRE, date=d, start="09:00", end="12:00", min_volunteers=1
        )
        for d in (MONDAY + dt.timedelta(days=5), MONDAY + dt.timedelta(days=12))
    ]
    c = community([volunteer("A")], every_day("A"), shifts, max_weekends=1)
    result = plan(c, end=MONDAY + dt.timedelta(days=13))
    assert len(result.assignments) == 2
    assert result.objective_terms["weekends"] == c.policy.weight_weekend


def test_fairness_spreads_in_proportion_to_pledges() -> None:
    """Six places; A pledged 4 shifts a week, B 2: a fair plan gives A 4 and B 2."""
    shifts = daily("S", "09:00", "12:00", low=1, high=1)[:6]
    c = community(
        [volunteer("A", max_shifts_per_week=4), volunteer("B", max_shifts_per_week=2)],
        every_day("A") + every_day("B"),
        shifts,
        weight_fairness=5,
    )
    result = plan(c)
    assert len(worked(result, "A")) == 4 and len(worked(result, "B")) == 2
    assert result.objective_terms["fairness"] == 0


def test_stability_keeps_the_same_volunteer_on_a_weekly_shift() -> None:
    """A weekly Monday shift over two weeks, two volunteers: the same one both Mondays."""
    shifts = [
        ShiftTemplate(
            shift_id="MON",
            role=Role.CENTRE,
            day="Mon",
            start="09:00",
            end="12:00",
            min_volunteers=1,
            max_volunteers=1,
        )
    ]
    c = community(
        [volunteer("A"), volunteer("B")],
        every_day("A") + every_day("B"),
        shifts,
        weight_stability=3,
    )
    result = plan(c, end=MONDAY + dt.timedelta(days=13))
    assert len(result.assignments) == 2
    assert len({a.volunteer_id for a in result.assignments}) == 1
    assert result.objective_terms["stability"] == 0


# --- demand, explanations, hints ----------------------------------------------------------------


def test_auto_demand_needs_a_demand() -> None:
    """A weekly meal shift with min_volunteers auto: an error naming it, unless demand is given."""
    shifts = [
        ShiftTemplate(shift_id="MEAL-Mon", role=Role.MEALS, day="Mon", start="10:30", end="13:00")
    ]
    c = community([volunteer("A", ("meals",))], every_day("A"), shifts)
    with pytest.raises(CommunityError, match=r"MEAL-Mon.*plan_week.*carecal week"):
        plan_shifts(c, MONDAY, SUNDAY, time_limit=1.0)
    result = plan(c, demand={(MONDAY, "MEAL-Mon"): 2})
    assert len(result.assignments) == 1
    assert open_places(result)["MEAL-Mon"] == 1
    assert result.demand == {(MONDAY, "MEAL-Mon"): (2, None)}


def test_hint_plan_is_a_valid_start() -> None:
    """Re-planning with the plan as a hint gives a plan at least as good."""
    c = community(
        [volunteer("A"), volunteer("B", max_shifts_per_week=3)],
        every_day("A") + every_day("B"),
        daily("S", "09:00", "12:00", low=2),
    )
    first = plan(c)
    again = plan(c, hint=first)
    assert sum(again.objective_terms.values()) <= sum(first.objective_terms.values())


def test_empty_period_of_shifts() -> None:
    """No shift runs in the period: an empty plan."""
    result = plan(community([volunteer("A")], every_day("A"), []))
    assert result.status == Status.EMPTY and not result.assignments


def test_verifier_catches_broken_rules() -> None:
    """A hand-made plan: A on two overlapping shifts without the skill, and cover unlisted."""
    from carecal.plans import Assignment

    shifts = [
        ShiftTemplate(
            shift_id="X", role=Role.MEALS, date=MONDAY, start="09:00", end="12:00", min_volunteers=2
        ),
        ShiftTemplate(
            shift_id="Y", role=Role.MEALS, date=MONDAY, start="11:00", end="13:00", min_volunteers=1
        ),
    ]
    c = community([volunteer("A")], every_day("A"), shifts)
    bad = ShiftPlan(
        status=Status.FEASIBLE,
        start=MONDAY,
        end=MONDAY,
        assignments=tuple(
            Assignment(
                date=MONDAY,
                shift_id=s.shift_id,
                role="meals",
                start=s.start,
                end=s.end,
                volunteer_id="A",
            )
            for s in shifts
        ),
    )
    rules = {v.rule for v in verify_shifts(c, bad)}
    assert {"skill", "overlap", "cover"} <= rules


# --- generated communities ------------------------------------------------------------------


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), volunteers=st.integers(3, 14))
def test_generated_communities_pass_the_verifier(seed: int, volunteers: int) -> None:
    """make_community's week: every hard rule holds and every shift's cover is either
    met or its open places are listed (the verifier checks both)."""
    from carecal.datasets import make_community

    c = make_community(residents=20, volunteers=volunteers, seed=seed)
    start = dt.date(2026, 3, 2)
    end = start + dt.timedelta(days=6)
    demand = {
        (start + dt.timedelta(days=i), s.shift_id): 1 + (seed + i) % 2
        for i in range(7)
        for s in c.shifts
        if s.min_volunteers is None and s.applies_to(start + dt.timedelta(days=i))
    }
    result = plan_shifts(c, start, end, demand=demand, time_limit=0.5, deterministic=True)
    assert result.status.has_plan
    assert verify_shifts(c, result) == []
    for u in result.unserved:
        assert u.reason and u.fix


# --- the Curtois & Qu reader and evaluator ----------------------------------------------------

TINY_CURTOIS = """# a handwritten 7-day instance
SECTION_HORIZON
7

SECTION_SHIFTS
# ShiftID, Length in mins, Shifts which cannot follow this shift | separated
E,480,
L,480,E

SECTION_STAFF
A,E=7|L=7,2400,960,3,2,2,1
B,E=7|L=0,2400,0,5,1,1,1

SECTION_DAYS_OFF
B,0

SECTION_SHIFT_ON_REQUESTS
A,0,E,2

SECTION_SHIFT_OFF_REQUESTS
B,2,E,3

SECTION_COVER
0,E,1,100,1
1,E,1,100,1
1,L,1,100,1
2,E,1,100,1
"""


def test_curtois_reader_and_evaluator_by_hand() -> None:
    """The tiny instance above, priced by hand for two rosters, and solved to its optimum."""
    from benchmarks.curtois import evaluate, parse_instance
    from benchmarks.shifts import MONDAY, to_community, to_roster

    inst = parse_instance(TINY_CURTOIS, "tiny")
    assert inst.days == 7 and inst.lengths == {"E": 480, "L": 480}
    assert inst.forbidden_next == {"E": set(), "L": {"E"}}
    assert inst.staff[0].min_consecutive == 2 and inst.staff[1].max_shifts["L"] == 0
    assert inst.days_off == {"B": {0}}
    # A: E Mon, E Tue; B: L Tue (B may work no L) then E Wed (L may not be followed by E,
    # and B asked to be off E on Wednesday: 3). Cover is met everywhere.
    roster = {("A", 0): "E", ("A", 1): "E", ("B", 2): "E", ("B", 1): "L"}
    penalty, broken = evaluate(inst, roster)
    assert penalty == 3
    assert broken == ["B: E on day 2 may not follow L", "B: more than 0 shifts L"]
    # A alone: E Mon, L Tue, E Wed (forbidden after L); Tuesday's E is left open (100).
    penalty, broken = evaluate(inst, {("A", 0): "E", ("A", 1): "L", ("A", 2): "E"})
    assert penalty == 100
    assert broken == ["A: E on day 2 may not follow L"]
    # Mapped onto carecal and planned: valid for both the verifier and the benchmark's
    # rules, and carecal's objective is the benchmark's penalty.
    c = to_community(inst)
    result = plan_shifts(c, MONDAY, MONDAY + dt.timedelta(days=6), time_limit=2.0)
    assert verify_shifts(c, result) == []
    ours, broken = evaluate(inst, to_roster(result)[0])
    assert broken == []
    assert ours == sum(result.objective_terms.values())
