"""The shift verifier on parts of shifts: a part of an ``auto`` shift inside one pledged
window is accepted, a part of a fixed shift, or one outside the pledge, is not; rest and
hours are checked on the assignment's own hours."""

from __future__ import annotations

import datetime as dt

import pytest

from carecal.model import Availability, Community, Role, ShiftTemplate, Skill, Volunteer
from carecal.plans import Assignment, ShiftPlan, Status
from carecal.policy import Policy
from carecal.verify import verify_shifts

MON = dt.date(2027, 3, 1)
TUE = dt.date(2027, 3, 2)


def _community(*, auto: bool = True, policy: Policy | None = None, **limits: object) -> Community:
    """E1 pledges 08:00-11:00 on Monday and 07:00-13:00 on Tuesday; escort shifts ESC-Mon
    and ESC-Tue run 07:30-12:30, ``auto`` or with a fixed minimum of 1."""
    return Community(
        volunteers=(
            Volunteer(volunteer_id="E1", skills=frozenset({Skill.ESCORT}), **limits),  # type: ignore[arg-type]
        ),
        availability=(
            Availability(volunteer_id="E1", date=MON, start=480, end=660),
            Availability(volunteer_id="E1", date=TUE, start=420, end=780),
        ),
        shifts=tuple(
            ShiftTemplate(
                shift_id=f"ESC-{day}",
                role=Role.ESCORT,
                day=day,
                start=450,
                end=750,
                min_volunteers=None if auto else 1,
            )
            for day in ("Mon", "Tue")
        ),
        policy=policy or Policy(),
    )


def _plan(*hours: tuple[dt.date, int, int]) -> ShiftPlan:
    """E1 on the escort shift for each (date, start, end), as many places asked."""
    return ShiftPlan(
        status=Status.FEASIBLE,
        start=MON,
        end=TUE,
        assignments=tuple(
            Assignment(
                date=d, shift_id=f"ESC-{d:%a}", role="escort", start=a, end=b, volunteer_id="E1"
            )
            for d, a, b in hours
        ),
        demand={(d, f"ESC-{d:%a}"): (sum(h[0] == d for h in hours), None) for d in (MON, TUE)},
    )


def _rules(c: Community, plan: ShiftPlan) -> list[str]:
    return sorted(v.rule for v in verify_shifts(c, plan))


def test_a_part_of_an_auto_shift_inside_the_pledge_is_accepted() -> None:
    assert _rules(_community(), _plan((MON, 480, 660), (TUE, 450, 750))) == []


def test_a_part_of_a_fixed_shift_is_refused() -> None:
    fixed = _community(auto=False)
    # Monday's part is refused, and the whole shift is not inside E1's pledge either.
    assert _rules(fixed, _plan((MON, 480, 660), (TUE, 450, 750))) == ["availability", "shift"]
    assert _rules(fixed, _plan((TUE, 450, 750))) == []


@pytest.mark.parametrize(
    ("date", "start", "end", "rule"),
    [
        (MON, 450, 660, "availability"),  # starts with the shift, before the pledge
        (MON, 600, 720, "availability"),  # runs past the pledge
        (TUE, 600, 780, "shift"),  # inside the pledge, past the shift's end
        (MON, 600, 650, "partial_duty"),  # 50 min, under min_partial_duty_minutes
    ],
)
def test_a_part_outside_the_pledge_the_shift_or_the_minimum_is_refused(
    date: dt.date, start: int, end: int, rule: str
) -> None:
    assert _rules(_community(), _plan((date, start, end))) == [rule]


def test_the_minimum_part_follows_the_policy() -> None:
    lenient = _community(policy=Policy(min_partial_duty_minutes=30))
    assert _rules(lenient, _plan((MON, 600, 650))) == []


def test_hours_per_week_count_the_parts() -> None:
    """Binds: 5 h pledged a week; 3 h + 2 h of parts fit, 3 h + the whole 5 h would not."""
    c = _community(max_hours_per_week=5)
    assert _rules(c, _plan((MON, 480, 660), (TUE, 630, 750))) == []
    assert _rules(c, _plan((MON, 480, 660), (TUE, 450, 750))) == ["hours_per_week"]


def test_rest_is_measured_from_the_end_of_the_part() -> None:
    """Binds: 20 h of rest asked; Monday's part ends 11:00, Tuesday's starts 07:30 (20.5 h
    later); had Monday been worked to 12:30, 19 h."""
    c = _community(policy=Policy(min_rest_hours=20))
    assert _rules(c, _plan((MON, 480, 660), (TUE, 450, 750))) == []
    assert _rules(c, _plan((MON, 480, 660), (TUE, 420, 750))) == ["shift"]  # not a rest issue
    assert _rules(c, _plan((MON, 600, 660), (TUE, 450, 750))) == []
    tighter = _community(policy=Policy(min_rest_hours=21))
    assert _rules(tighter, _plan((MON, 480, 660), (TUE, 450, 750))) == ["rest"]
