"""``replan_week``: a week plan re-planned after a change, its parts made to agree."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from carecal import replan_week
from carecal.cli import EXIT_OK, main
from carecal.errors import OptionError
from carecal.io import write_community
from carecal.model import (
    Availability,
    Community,
    Resident,
    Role,
    ShiftTemplate,
    Site,
    SiteKind,
    Skill,
    Volunteer,
)
from carecal.plans import WeekPlan
from carecal.replan.calls import plan_moves
from carecal.solver.week import plan_week
from carecal.verify import verify

MONDAY = dt.date(2027, 3, 1)
KITCHEN = (31.2272, 121.4920)


def _community() -> Community:
    """Three residents ordering on Mondays and Tuesdays, three carriers, an auto meals shift
    on both days."""
    residents = tuple(
        Resident(
            resident_id=f"R{i}",
            name=f"Resident {i}",
            address=f"{i} Lane",
            age=80,
            lat=KITCHEN[0] + 0.002 * i,
            lon=KITCHEN[1],
            meal_days=frozenset({"Mon", "Tue"}),
        )
        for i in (1, 2, 3)
    )
    volunteers = tuple(
        Volunteer(volunteer_id=v, name=f"Volunteer {v}", mode=mode, skills=frozenset({Skill.MEALS}))
        for v, mode in (("V1", "walk"), ("V2", "ebike"), ("V3", "bike"))
    )
    availability = tuple(
        Availability(volunteer_id=v, day=d, start=10 * 60, end=13 * 60 + 30)
        for v in ("V1", "V2", "V3")
        for d in ("Mon", "Tue")
    )
    shifts = tuple(
        ShiftTemplate(shift_id=f"MEALS-{d}", role=Role.MEALS, day=d, start=630, end=780)
        for d in ("Mon", "Tue")
    )
    return Community(
        residents=residents,
        volunteers=volunteers,
        availability=availability,
        sites=(Site(site_id="K1", kind=SiteKind.KITCHEN, lat=KITCHEN[0], lon=KITCHEN[1]),),
        shifts=shifts,
    )


def _week(community: Community) -> WeekPlan:
    return plan_week(
        community, MONDAY, MONDAY + dt.timedelta(days=1), time_limit=6, deterministic=True
    )


def _replan(community: Community, previous: WeekPlan, now: object = None) -> WeekPlan:
    result = replan_week(community, previous, now, time_limit=6, deterministic=True)
    assert verify(community, result) == []
    return result


def test_without_changes_nothing_moves_and_nobody_is_called() -> None:
    community = _community()
    previous = _week(community)
    result = _replan(community, previous)
    assert plan_moves(previous, result, community).moved == 0
    assert result.to_call == ()


def test_a_carrier_off_on_tuesday_changes_tuesday_only() -> None:
    community = _community()
    previous = _week(community)
    tuesday = previous.meals[1]
    sick = tuesday.trips[0].volunteer_id
    changed = community.with_change(
        kind="volunteer_off", id=sick, start=str(tuesday.date), end=str(tuesday.date)
    )
    result = _replan(changed, previous)
    assert sick not in result.meals[1].carriers
    assert sorted(result.meals[1].served) == sorted(tuesday.served)
    assert result.meals[0].trips == previous.meals[0].trips  # Monday untouched
    assert result.shifts is not None
    on_tuesday = {a.volunteer_id for a in result.shifts.assignments if a.date == tuesday.date}
    assert sick not in on_tuesday and set(result.meals[1].carriers) <= on_tuesday
    called = {c.person_id for c in result.to_call or ()}
    assert set(result.meals[1].carriers) - set(tuesday.carriers) <= called


def test_only_a_week_plan_is_replanned_as_a_week() -> None:
    community = _community()
    with pytest.raises(OptionError, match="WeekPlan"):
        replan_week(community, _week(community).meals[0])  # type: ignore[arg-type]


def test_the_command_line_replans_a_week_folder(tmp_path: Path) -> None:
    community = _community()
    data, plan, out = tmp_path / "data", tmp_path / "plan", tmp_path / "out"
    write_community(community, data)
    args = ["-q", "week", str(data), "--from", str(MONDAY), "--to", "2027-03-02"]
    assert main([*args, "--out", str(plan), "--time-limit", "6", "--deterministic"]) == EXIT_OK
    (data / "changes.csv").write_text(
        "kind,id,start,end\nresident_away,R2,2027-03-02,2027-03-09\n", encoding="utf-8"
    )
    args = ["-q", "replan", str(data), "--plan", str(plan), "--out", str(out)]
    assert main([*args, "--now", "2027-03-02 08:00", "--time-limit", "6", "--deterministic"]) == 0
    routes = (out / "meal_routes.csv").read_text(encoding="utf-8-sig")
    tuesday = [line for line in routes.splitlines() if line.startswith("2027-03-02")]
    assert tuesday and not any(",R2," in line for line in tuesday)
    assert (out / "to_call.csv").is_file()
