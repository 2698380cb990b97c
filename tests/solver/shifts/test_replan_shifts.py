"""Re-planning the shift plan (``replan_shifts``): each rule where it does not bind and where
it binds, on tiny weeks whose answer is known by hand (:mod:`shift_weeks`), and properties
on small generated communities.

An assignment *changes* when it is added or removed (counted here independently of the
re-plan's own count).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shift_weeks import MONDAY, SUNDAY, community, daily, every_day, plan, volunteer

from carecal.datasets import make_community
from carecal.errors import CommunityError, OptionError
from carecal.model import Availability, Community, Role, ShiftTemplate
from carecal.plans import Assignment, ShiftPlan, Status
from carecal.replan import replan_shifts
from carecal.replan.calls import plan_moves
from carecal.solver.shifts import plan_shifts
from carecal.solver.shifts.problem import build_shift_problem, objective_terms, roster_of
from carecal.verify import verify

TUESDAY = MONDAY + dt.timedelta(days=1)

Row = tuple[dt.date, str, str]
"""(date, shift_id, volunteer_id)."""


def replan(community: Community, previous: ShiftPlan, now: object = None) -> ShiftPlan:
    """Re-plan deterministically with a short limit and check the verifier accepts it."""
    result = replan_shifts(community, previous, now, time_limit=5.0, workers=1, deterministic=True)
    assert verify(community, result) == []
    # Whom to call: every volunteer with a shift added or removed (unless off that day).
    moves = plan_moves(previous, result, community)
    called = {c.person_id for c in result.to_call or ()}
    assert result.to_call is not None and (bool(moves) or not called)
    changed = {m.assignment.volunteer_id for m in moves.assignments if m.added}
    assert changed <= called
    return result


def rows(p: ShiftPlan) -> set[Row]:
    return {(a.date, a.shift_id, a.volunteer_id) for a in p.assignments}


def day(n: int) -> dt.date:
    """The test week's ``n``-th day (0: Monday)."""
    return MONDAY + dt.timedelta(days=n)


def five_for_two_a_day() -> Community:
    """Five volunteers (at most 4 shifts a week each) for one shift a day wanting two."""
    names = "ABCDE"
    return community(
        [volunteer(v, max_shifts_per_week=4) for v in names],
        [a for v in names for a in every_day(v)],
        daily("S", "09:00", "12:00", 2),
    )


# --- no change, and a change touching only what it must -----------------------------------


def test_no_change_changes_nothing() -> None:
    c = five_for_two_a_day()
    previous = plan(c)
    result = replan(c, previous)
    assert rows(result) == rows(previous)
    assert result.objective_terms["changed_assignments"] == 0
    assert "changed_assignments" not in result.explain_terms
    assert result.status == Status.OPTIMAL


def test_a_volunteer_off_two_days_changes_only_their_assignments() -> None:
    c = five_for_two_a_day()
    previous = plan(c)
    theirs = sorted(d for d, _, v in rows(previous) if v == "A")
    assert len(theirs) >= 2
    off = theirs[:2]
    changed = c
    for d in off:
        changed = changed.with_change(kind="volunteer_off", id="A", start=d, end=d)
    result = replan(changed, previous)
    removed = rows(previous) - rows(result)
    added = rows(result) - rows(previous)
    assert removed == {(d, "S", "A") for d in off}
    # Each place A leaves is taken by someone free (there is room), and nothing else moves.
    assert {d for d, _, _ in added} == set(off)
    assert len(added) == 2
    assert result.objective_terms["under_cover"] == 0
    assert sorted(result.explain_terms["changed_assignments"]) == sorted(
        [f"A {d} S removed" for d in off] + [f"{v} {d} S added" for d, _, v in added]
    )


# --- locks, serving first -----------------------------------------------------------------------


def monday_and_tuesday(**policy: object) -> Community:
    """Shift S on Monday and X on Tuesday, one place each. A and B work at most one shift
    a week and are free all week; C is free on Monday only."""
    shifts = [
        ShiftTemplate(
            shift_id=sid,
            role=Role.CENTRE,
            date=d,
            start="09:00",
            end="12:00",
            min_volunteers=1,
        )
        for sid, d in (("S", MONDAY), ("X", TUESDAY))
    ]
    volunteers = [volunteer(v, max_shifts_per_week=1) for v in "ABC"]
    availability = [
        *every_day("A"),
        *every_day("B"),
        Availability(volunteer_id="C", date=MONDAY, start="00:00", end="24:00"),
    ]
    return community(volunteers, availability, shifts, **policy)


def assignment(d: dt.date, sid: str, vid: str, locked: bool = False) -> Assignment:
    return Assignment(
        date=d, shift_id=sid, role="centre", start=540, end=720, volunteer_id=vid, locked=locked
    )


def hand_plan(*assignments: Assignment) -> ShiftPlan:
    """A previous plan written by hand (as a coordinator's edited CSV reads back)."""
    return ShiftPlan(status=Status.FEASIBLE, start=MONDAY, end=SUNDAY, assignments=assignments)


@pytest.mark.parametrize("locked", [False, True])
def test_a_locked_assignment_is_kept(locked: bool) -> None:
    """A on Monday, B on Tuesday; B is now off on Tuesday. Unlocked, A moves to Tuesday
    and C takes Monday; with A's Monday locked, A stays and Tuesday's place is open."""
    c = monday_and_tuesday().with_change(kind="volunteer_off", id="B", start=TUESDAY, end=TUESDAY)
    previous = hand_plan(assignment(MONDAY, "S", "A", locked), assignment(TUESDAY, "X", "B"))
    result = replan(c, previous)
    if locked:
        assert rows(result) == {(MONDAY, "S", "A")}
        assert assignment(MONDAY, "S", "A", True) in result.assignments
        assert [(u.id, u.date) for u in result.unserved] == [("X", TUESDAY)]
    else:
        assert rows(result) == {(MONDAY, "S", "C"), (TUESDAY, "X", "A")}
        assert not any(a.locked for a in result.assignments)


def test_serving_beats_disruption() -> None:
    """The same change with a move costing a thousand open places: four changes (A from
    Monday to Tuesday, C in, B out) still beat one place left open."""
    c = monday_and_tuesday(move_shift_weight=100_000)
    c = c.with_change(kind="volunteer_off", id="B", start=TUESDAY, end=TUESDAY)
    result = replan(c, hand_plan(assignment(MONDAY, "S", "A"), assignment(TUESDAY, "X", "B")))
    assert rows(result) == {(MONDAY, "S", "C"), (TUESDAY, "X", "A")}
    assert not result.unserved
    terms = result.objective_terms
    assert terms["under_cover"] == 0 and terms["changed_assignments"] > 0


@pytest.mark.parametrize(
    ("change", "why"),
    [("off", "pledged hours"), ("gone", "does not run")],
)
def test_an_impossible_lock_is_refused_with_the_row_and_the_fix(change: str, why: str) -> None:
    c = monday_and_tuesday()
    if change == "off":
        c = c.with_change(kind="volunteer_off", id="B", start=TUESDAY, end=TUESDAY)
    else:
        c = c.with_changes(shifts=tuple(s for s in c.shifts if s.shift_id != "X"))
    previous = hand_plan(assignment(MONDAY, "S", "A"), assignment(TUESDAY, "X", "B", True))
    with pytest.raises(CommunityError) as e:
        replan_shifts(c, previous, time_limit=5.0, workers=1, deterministic=True)
    text = str(e.value)
    assert "volunteer B" in text and "X" in text and str(TUESDAY) in text
    assert why in text and "nlock" in text


def test_two_locks_that_clash_are_refused() -> None:
    """A works one shift a week, and two of their shifts are locked."""
    c = monday_and_tuesday()
    previous = hand_plan(assignment(MONDAY, "S", "A", True), assignment(TUESDAY, "X", "A", True))
    with pytest.raises(CommunityError, match="volunteer A"):
        replan_shifts(c, previous, time_limit=5.0, workers=1, deterministic=True)


# --- frozen, and nothing new before now ---------------------------------------------------------


@pytest.mark.parametrize("now", [None, "2026-03-03 10:00"])
def test_frozen_rows_are_kept_and_nothing_new_starts_before_now(now: str | None) -> None:
    """One place a day from 09:00; A worked every day but Monday and Thursday, and is off
    from Wednesday. At Tuesday 10:00 A's Tuesday has begun (kept), Monday's open place is
    past (stays open), and B takes Wednesday to Sunday. Without ``now`` B takes Monday too."""
    c = community(
        [volunteer("A"), volunteer("B")],
        every_day("A") + every_day("B"),
        daily("S", "09:00", "12:00"),
    )
    c = c.with_change(kind="volunteer_off", id="A", start=day(2), end=SUNDAY)
    previous = hand_plan(*(assignment(day(n), "S", "A") for n in (1, 2, 4, 5, 6)))
    result = replan(c, previous, now)
    expected = {(day(1), "S", "A")} | {(day(n), "S", "B") for n in range(2, 7)}
    if now is None:
        expected.add((MONDAY, "S", "B"))
        assert not result.unserved
    else:
        assert [(u.id, u.date) for u in result.unserved] == [("S", MONDAY)]
    assert rows(result) == expected


def test_a_frozen_row_is_kept_even_when_the_change_forbids_it() -> None:
    """A is off all of Tuesday, but at Tuesday 10:00 their Tuesday shift has begun: it
    happened, so it stays in the plan (and the verifier says so)."""
    c = community(
        [volunteer("A"), volunteer("B")],
        every_day("A") + every_day("B"),
        daily("S", "09:00", "12:00"),
    )
    c = c.with_change(kind="volunteer_off", id="A", start=TUESDAY, end=TUESDAY)
    previous = hand_plan(*(assignment(day(n), "S", "A") for n in range(7)))
    result = replan_shifts(c, previous, "10:00", time_limit=5.0, workers=1, deterministic=True)
    assert (TUESDAY, "S", "A") not in rows(result)  # "10:00" is on the plan's first day
    result = replan_shifts(
        c, previous, "2026-03-03 10:00", time_limit=5.0, workers=1, deterministic=True
    )
    assert (TUESDAY, "S", "A") in rows(result)
    assert {v.rule for v in verify(c, result)} == {"availability"}


def test_a_previous_plan_of_another_kind_is_refused() -> None:
    with pytest.raises(OptionError, match="ShiftPlan"):
        replan_shifts(five_for_two_a_day(), "last week", time_limit=1.0)  # type: ignore[arg-type]


# --- generated communities -------------------------------------------------------------------

START = dt.date(2027, 3, 1)
"""A Monday: the first day of make_community's campaign."""


def _under(c: Community, p: ShiftPlan, demand: dict) -> int:
    """Places short of the minimum (as the planner weighs them) in ``p``."""
    problem = build_shift_problem(c, p.start, p.end, demand)
    return objective_terms(problem, roster_of(problem, p.assignments))["under_cover"]


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), pick=st.integers(0, 10_000), days=st.integers(1, 2))
def test_generated_shift_plans(seed: int, pick: int, days: int) -> None:
    """No change changes nothing (unless it fills more); a volunteer off for a day or two
    verifies and leaves no more places open than removing their rows would."""
    c = make_community(residents=20, volunteers=8, seed=seed, campaign_days=2)
    end = START + dt.timedelta(days=2)
    demand = {
        (d, s.shift_id): 1
        for d in (START + dt.timedelta(days=i) for i in range(3))
        for s in c.shifts
        if s.min_volunteers is None and s.applies_to(d)
    }
    previous = plan_shifts(
        c, START, end, demand=demand, time_limit=2.0, workers=1, deterministic=True
    )
    same = replan(c, previous)
    assert _under(c, same, demand) <= _under(c, previous, demand)
    if _under(c, same, demand) == _under(c, previous, demand):
        assert rows(same) == rows(previous)
    workers = sorted({a.volunteer_id for a in previous.assignments})
    who = workers[pick % len(workers)]
    first = START + dt.timedelta(days=pick % 3)
    last = min(end, first + dt.timedelta(days=days - 1))
    changed = c.with_change(kind="volunteer_off", id=who, start=first, end=last)
    result = replan(changed, previous)
    left = previous.model_copy(
        update={
            "assignments": tuple(
                a
                for a in previous.assignments
                if not (a.volunteer_id == who and first <= a.date <= last)
            )
        }
    )
    assert _under(changed, result, demand) <= _under(changed, left, demand)
    assert not any(a.volunteer_id == who and first <= a.date <= last for a in result.assignments)
