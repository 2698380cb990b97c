"""``carecal.substitutes``: who could take over a volunteer's work on a day, and why.

The street of :mod:`continuity_cases`: V1 carries meals on Mondays 10:00–13:00 and is the
volunteer to replace. The others differ in one way each (free, skilled, who they know).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from continuity_cases import LAST_MONDAY, MONDAY, meals_by_hand, street

from carecal import Substitute, substitutes
from carecal.errors import CommunityError, OptionError
from carecal.io import substitutes_frame, write_substitutes
from carecal.model import Community, Skill
from carecal.plans import ShiftPlan, Status
from carecal.substitutes import work_of

MEALS = frozenset({Skill.MEALS})


def crew(**policy: object) -> Community:
    """V1 to replace; V2 free and knows R1 and R2; V3 free, knows nobody; V4 pledged no
    time; V5 free but escorts only; V6 free only from 11:30."""
    return street(
        {"R1": 5, "R2": 6, "R3": 7},
        ("V1", "V2", "V3", "V4", "V5", "V6"),
        hours={"V4": None, "V6": ("11:30", "13:00")},
        skills={"V5": frozenset({Skill.ESCORT})},
        phones={"V2": "13800000002"},
        **policy,
    ).with_history(meals_by_hand(LAST_MONDAY, {"V1": ["R1", "R2", "R3"]}))


def remembered(community: Community) -> Community:
    """The crew with two Mondays ago, when V2 brought R1 and R2 their meals."""
    earlier = meals_by_hand(LAST_MONDAY.replace(day=16), {"V2": ["R1", "R2"]})
    return community.with_history(earlier)


def by_id(rows: list[Substitute]) -> dict[str, Substitute]:
    return {r.volunteer_id: r for r in rows}


def test_free_and_skilled_first_then_who_knows_the_elders() -> None:
    rows = substitutes(remembered(crew()), "V1", MONDAY)
    assert [r.volunteer_id for r in rows] == ["V2", "V3", "V6", "V4", "V5"]
    assert [r.rank for r in rows] == [1, 2, 3, 4, 5]
    first = rows[0]
    assert (first.free, first.skilled, first.knows, first.visits) == (True, True, 2, 2)
    assert first.phone == "13800000002" and first.name == "volunteer V2"
    assert "knows 2 of V1's 3 elders (R1, R2)" in first.reason
    assert "free for all of V1's work (10:45–12:30)" in first.reason


def test_the_reason_says_what_is_missing() -> None:
    rows = by_id(substitutes(crew(), "V1", MONDAY))
    assert "knows none of V1's 3 elders" in rows["V3"].reason
    assert "free for part of V1's work (11:30–12:30 of 10:45–12:30)" in rows["V6"].reason
    assert "pledged only 11:30–13:00" in rows["V6"].reason
    assert "pledged no time on Mon 2026-11-30" in rows["V4"].reason
    assert rows["V5"].free and not rows["V5"].skilled
    assert "lacks the meals skill" in rows["V5"].reason


def test_familiarity_orders_the_free_and_skilled() -> None:
    """Without the earlier Monday V3 comes first (by id); with it, V2."""
    assert substitutes(crew(), "V1", MONDAY)[0].volunteer_id == "V2"  # V2 < V3 by id
    swapped = crew().with_history(meals_by_hand(LAST_MONDAY.replace(day=16), {"V3": ["R3"]}))
    assert substitutes(swapped, "V1", MONDAY)[0].volunteer_id == "V3"


def test_a_change_taking_a_volunteer_off_makes_them_not_free() -> None:
    community = crew().with_change(kind="volunteer_off", id="V3", start=MONDAY, end=MONDAY)
    row = by_id(substitutes(community, "V1", MONDAY))["V3"]
    assert not row.free and row.rank > 2


def test_the_volunteers_own_absence_does_not_hide_their_work() -> None:
    """V1 called in sick (changes.csv): their pledged hours are still the work to cover."""
    community = crew().with_change(kind="volunteer_off", id="V1", start=MONDAY, end=MONDAY)
    assert work_of(community, "V1", MONDAY).hours() == work_of(crew(), "V1", MONDAY).hours()


def test_with_a_plan_the_work_is_the_trips_and_the_busy_are_not_free() -> None:
    """In the plan V1 brings R1 and R2 (10:50–12:00) and V3 is on their own trip then."""
    community = crew()
    plan = meals_by_hand(MONDAY, {"V1": ["R1", "R2"], "V3": ["R3"]})
    work = work_of(community, "V1", MONDAY, plan)
    assert work.elders == ["R1", "R2"] and work.skills == {Skill.MEALS}
    rows = by_id(substitutes(community, "V1", MONDAY, plan))
    assert not rows["V3"].free
    assert "busy with their own work in the plan at 10:50–12:00" in rows["V3"].reason
    assert rows["V2"].free and "free for all of V1's work (10:50–12:00)" in rows["V2"].reason
    assert "knows none of V1's 2 elders" in rows["V2"].reason


def test_a_plan_of_another_day_or_without_the_volunteer_is_refused() -> None:
    community = crew()
    with pytest.raises(OptionError, match="covers 2026-11-23 to 2026-11-23, not 2026-11-30"):
        substitutes(community, "V1", MONDAY, meals_by_hand(LAST_MONDAY, {"V1": ["R1"]}))
    with pytest.raises(OptionError, match="gives V1 no work on 2026-11-30"):
        substitutes(community, "V1", MONDAY, meals_by_hand(MONDAY, {"V2": ["R1"]}))
    shifts = ShiftPlan(status=Status.FEASIBLE, start=MONDAY, end=MONDAY)
    with pytest.raises(OptionError, match="no work"):
        substitutes(community, "V1", MONDAY, shifts)


def test_an_unknown_volunteer_is_refused_with_the_close_ids() -> None:
    with pytest.raises(CommunityError, match="volunteer V01 is not in volunteers; did you mean V1"):
        substitutes(crew(), "V01", MONDAY)


def test_a_bad_date_and_a_day_without_pledge_are_refused() -> None:
    with pytest.raises(OptionError, match="date"):
        substitutes(crew(), "V1", "2026-13-01")
    with pytest.raises(OptionError, match="V4 pledged no time on 2026-11-30"):
        substitutes(crew(), "V4", MONDAY)


def test_the_reasons_in_chinese() -> None:
    rows = substitutes(remembered(crew(lang="zh")), "V1", MONDAY)
    assert "knows" not in rows[0].reason and "R1" in rows[0].reason


def test_the_ranking_as_a_frame_and_a_csv(tmp_path: Path) -> None:
    rows = substitutes(remembered(crew()), "V1", MONDAY)
    frame = substitutes_frame(rows)
    assert list(frame.columns) == [
        "rank",
        "volunteer_id",
        "name",
        "phone",
        "free",
        "skilled",
        "knows",
        "visits",
        "reason",
    ]
    assert frame["rank"].tolist() == [1, 2, 3, 4, 5] and frame["free"].dtype == bool
    path = write_substitutes(rows, tmp_path / "subs.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "rank,volunteer_id,name,phone,free,skilled,knows,visits,reason"
    assert lines[1].startswith("1,V2,volunteer V2,13800000002,true,true,2,2,")
