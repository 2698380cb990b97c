"""Tiny shift communities for the shift planner's tests, and what checks their plans.

Every tiny community runs in the week of Monday 2026-03-02 and switches off the soft rules
a test is not about (fairness, stability), so the optimum is known by hand.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from ortools.sat.python import cp_model

from carecal.clock import WEEKDAYS
from carecal.model import Availability, Community, Request, Role, ShiftTemplate, Skill, Volunteer
from carecal.options import SolveOptions, solve_options
from carecal.plans import ShiftPlan, UnservedKind
from carecal.policy import Policy
from carecal.solver.shifts import plan_shifts
from carecal.solver.shifts.model import ShiftModel, build_structure
from carecal.solver.shifts.problem import ShiftProblem
from carecal.verify import verify_shifts

MONDAY = dt.date(2026, 3, 2)
SUNDAY = MONDAY + dt.timedelta(days=6)


def volunteer(vid: str, skills: tuple[str, ...] = ("centre",), **limits: object) -> Volunteer:
    """A volunteer with the given skills and limits (the default: 7 shifts a week)."""
    limits.setdefault("max_shifts_per_week", 7)
    return Volunteer(volunteer_id=vid, skills=frozenset(Skill(s) for s in skills), **limits)


def every_day(vid: str, start: str = "00:00", end: str = "24:00") -> list[Availability]:
    """Availability of ``vid`` on all seven weekdays."""
    return [Availability(volunteer_id=vid, day=d, start=start, end=end) for d in WEEKDAYS]


def daily(
    sid: str, start: str, end: str, low: int = 1, high: int | None = None, role: str = "centre"
) -> list[ShiftTemplate]:
    """A shift on each date of the test week (ids are the same; dates differ)."""
    return [
        ShiftTemplate(
            shift_id=sid,
            role=Role(role),
            date=MONDAY + dt.timedelta(days=i),
            start=start,
            end=end,
            min_volunteers=low,
            max_volunteers=high,
        )
        for i in range(7)
    ]


def monday_shift(low: int, high: int | None = None, **weights: int) -> ShiftTemplate:
    """Shift ``S`` on the test Monday 09:00-12:00 wanting ``low`` (at most ``high``), with
    the cover weights given (``weight_under``, ``weight_over``)."""
    return ShiftTemplate(
        shift_id="S",
        role=Role.CENTRE,
        date=MONDAY,
        start="09:00",
        end="12:00",
        min_volunteers=low,
        max_volunteers=high,
        **weights,
    )


def community(
    volunteers: list[Volunteer],
    availability: list[Availability],
    shifts: list[ShiftTemplate],
    requests: tuple[Request, ...] = (),
    **policy: object,
) -> Community:
    """A community with only the shift tables; fairness and stability off and 7 days in a
    row allowed unless given."""
    policy.setdefault("max_consecutive_days", 7)
    policy.setdefault("weight_fairness", 0)
    policy.setdefault("weight_stability", 0)
    return Community(
        volunteers=tuple(volunteers),
        availability=tuple(availability),
        shifts=tuple(shifts),
        requests=requests,
        policy=Policy(**policy),  # type: ignore[arg-type]
    )


def plan(c: Community, end: dt.date = SUNDAY, **options: object) -> ShiftPlan:
    """Plan the test week deterministically, check it with the verifier, return it."""
    options.setdefault("time_limit", 1.0)
    result = plan_shifts(c, MONDAY, end, deterministic=True, **options)  # type: ignore[arg-type]
    assert verify_shifts(c, result) == []
    return result


def search_options(
    time_limit: float = 10.0, deterministic: bool = True, workers: int = 1, seed: int = 0
) -> SolveOptions:
    """The options of a shift search run directly (by default deterministic, one worker)."""
    return solve_options(
        "plan_shifts",
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        deterministic=deterministic,
    )


def worked(result: ShiftPlan, vid: str) -> list[tuple[dt.date, str]]:
    """The (date, shift_id) pairs volunteer ``vid`` works, in order."""
    return sorted((a.date, a.shift_id) for a in result.assignments if a.volunteer_id == vid)


def open_places(result: ShiftPlan) -> Counter[str]:
    """Open places per shift id."""
    return Counter(u.id for u in result.unserved if u.kind == UnservedKind.SHIFT)


def two_for_one_shift() -> Community:
    """Two volunteers for one shift a day wanting two, each at most 3 shifts a week, and A
    would rather be off on Monday: of 14 places 6 can be filled, 8 are short (10 each),
    and A can keep Monday free."""
    return community(
        [volunteer(v, max_shifts_per_week=3) for v in ("A", "B")],
        every_day("A") + every_day("B"),
        daily("D", "09:00", "13:00", 2, 2),
        (Request(volunteer_id="A", date=MONDAY, want=False, weight=1),),
        weight_under_cover=10,
    )


def keeps_the_rules(problem: ShiftProblem, v: int, slots: set[int] | frozenset[int]) -> bool:
    """Whether volunteer ``v``'s timetable ``slots`` is feasible in their own model."""
    roster: list[set[int]] = [set() for _ in range(problem.n_volunteers)]
    roster[v] = set(slots)
    model = ShiftModel(problem, build_structure(problem), [v], None, roster, objective=False)
    for (_, i), x in model.x.items():
        model.m.add(x == int(i in slots))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    return solver.solve(model.m) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
