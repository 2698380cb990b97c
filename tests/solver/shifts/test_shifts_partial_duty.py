"""Part of an ``auto`` shift: a volunteer may take the part inside one pledged window (at
least ``min_partial_duty_minutes``); a shift with a fixed minimum is still worked whole."""

from __future__ import annotations

import datetime as dt

from carecal.clock import TimeWindow
from carecal.model import Availability, Community, Role, ShiftTemplate, Skill, Volunteer
from carecal.options import solve_options
from carecal.policy import Policy
from carecal.solver.shifts import plan_shifts, shift_plan
from carecal.solver.shifts.problem import build_shift_problem, duty_hours, expand_slots
from carecal.verify import verify_shifts

MON = dt.date(2027, 3, 1)


def _community(
    pledges: list[tuple[int, int]],
    *,
    auto: bool = True,
    shift: tuple[int, int] = (450, 750),
    policy: Policy | None = None,
    **limits: object,
) -> Community:
    """Escort E1 pledging ``pledges`` on Monday; escort shift ESC that day (``auto`` or a
    fixed minimum of 1), 07:30-12:30 unless ``shift`` says otherwise."""
    return Community(
        volunteers=(
            Volunteer(volunteer_id="E1", skills=frozenset({Skill.ESCORT}), **limits),  # type: ignore[arg-type]
        ),
        availability=tuple(
            Availability(volunteer_id="E1", date=MON, start=a, end=b) for a, b in pledges
        ),
        shifts=(
            ShiftTemplate(
                shift_id="ESC",
                role=Role.ESCORT,
                date=MON,
                start=shift[0],
                end=shift[1],
                min_volunteers=None if auto else 1,
            ),
        ),
        policy=policy or Policy(),
    )


def _part(c: Community) -> tuple[int, int] | None:
    """E1's hours on the Monday shift, or ``None`` when they may not take it."""
    problem = build_shift_problem(c, MON, MON, {(MON, "ESC"): 1})
    (slot,) = problem.slots
    return problem.hours(0, slot.index) if slot.index in problem.eligible[0] else None


def test_an_auto_shift_is_taken_for_the_pledged_part() -> None:
    assert _part(_community([(480, 660)])) == (480, 660)


def test_a_fixed_shift_is_taken_whole_or_not_at_all() -> None:
    assert _part(_community([(480, 660)], auto=False)) is None
    assert _part(_community([(420, 780)], auto=False)) == (450, 750)


def test_a_whole_pledge_takes_the_whole_auto_shift() -> None:
    assert _part(_community([(420, 780)])) == (450, 750)


def test_the_part_is_at_least_the_policy_minimum() -> None:
    """Binds at 60 min (59 is too short, 60 enough); the policy moves the line."""
    assert _part(_community([(700, 759)])) is None  # 12:30 end: 50 min inside the shift
    assert _part(_community([(690, 800)])) == (690, 750)
    assert _part(_community([(720, 800)])) is None
    lenient = Policy(min_partial_duty_minutes=30)
    assert _part(_community([(720, 800)], policy=lenient)) == (720, 750)


def test_a_shift_shorter_than_the_minimum_is_taken_whole() -> None:
    short = (480, 525)
    assert _part(_community([(480, 510)], shift=short)) is None
    assert _part(_community([(470, 530)], shift=short)) == short


def test_the_longest_part_in_one_window_is_taken() -> None:
    """Two windows inside the shift are not joined: the longer one is the duty."""
    assert _part(_community([(420, 510), (600, 720)])) == (600, 720)
    (slot,) = expand_slots(_community([]), [MON], {(MON, "ESC"): 1})
    free = [TimeWindow(420, 510), TimeWindow(540, 600)]
    assert duty_hours(slot, free, 60) == (450, 510)  # equal length: the earlier


def test_the_plan_records_the_part_and_the_verifier_accepts_it() -> None:
    c = _community([(480, 660)])
    plan = plan_shifts(c, MON, MON, demand={(MON, "ESC"): 1}, time_limit=5, deterministic=True)
    assert [(a.volunteer_id, a.start, a.end) for a in plan.assignments] == [("E1", 480, 660)]
    assert plan.unserved == ()
    assert verify_shifts(c, plan) == []


def test_hours_per_week_count_the_part() -> None:
    """Binds: 3 h a week pledged; the 5-h shift's 3-h part fits, the whole would not."""
    c = _community([(480, 660)], max_hours_per_week=3)
    options = solve_options("plan_shifts", time_limit=5, deterministic=True)
    plan = shift_plan(c, MON, MON, options, demand={(MON, "ESC"): 1})
    assert [(a.start, a.end) for a in plan.assignments] == [(480, 660)]
    assert verify_shifts(c, plan) == []
    tight = _community([(480, 660)], max_hours_per_week=2)
    plan = shift_plan(tight, MON, MON, options, demand={(MON, "ESC"): 1})
    assert plan.assignments == ()
    assert [u.code for u in plan.unserved] == ["short_staffed"]
