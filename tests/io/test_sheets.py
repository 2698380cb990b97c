"""The printable sheets: what the volunteer needs at the door and nothing medical, Chinese
names, escort sheets and timetables, stale sheets removed, safe file names."""

from __future__ import annotations

import re
from types import SimpleNamespace

from io_data import DAY, make_trip, read_folder

from carecal.io import write_plan
from carecal.plans import MealPlan, Status


def test_route_sheet_has_what_the_carrier_needs_and_nothing_medical(tmp_path, community, meal_plan):
    write_plan(meal_plan, tmp_path, community)
    page = (tmp_path / "routes" / "V01.html").read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in page
    for needed in (
        "Chen Jie",
        "Wang Fang",
        "12 Lane 5 Fuxing Rd",
        "floor 4, no lift",
        "diabetic, soft",
        "11:00–12:00",
        "Trip 2",
        "10:50",
        "Fuxing kitchen",
    ):
        assert needed in page
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", page, flags=re.S)).lower()
    for private in (
        "wheelchair",
        "walker",
        "independent",
        "bedridden",
        "mobility",
        "1938",
        "age",
        "born",
        "2025-01-10",
        "alone",
        "check",
    ):
        assert not re.search(rf"\b{private}\b", text), private
    assert "Zhao Lan" not in page  # R003 is on V02's round


def test_route_sheet_keeps_chinese_names(tmp_path):
    community = read_folder("ChineseGB18030")
    plan = MealPlan(
        status=Status.FEASIBLE, date=DAY, trips=(make_trip(community, "V01", 1, 650, ["R001"]),)
    )
    write_plan(plan, tmp_path, community)
    page = (tmp_path / "routes" / "V01.html").read_text(encoding="utf-8")
    assert "王芳" in page and "复兴中路5弄12号" in page and "陈杰" in page


def test_escort_sheet_and_timetable(tmp_path, community, campaign_plan, shift_plan):
    write_plan(
        SimpleNamespace(meals=[], campaign=campaign_plan, shifts=shift_plan), tmp_path, community
    )
    escort = (tmp_path / "escorts" / "V01.html").read_text(encoding="utf-8")
    for needed in (
        "08:35",
        "Wang Fang",
        "12 Lane 5 Fuxing Rd",
        "floor 4, no lift",
        "bring a wheelchair from the centre&#x27;s pool",
        "Huangpu clinic",
        "09:05",
        "09:55",
    ):
        assert needed in escort
    assert "Li Ming" not in escort  # comes alone
    assert sorted(p.name for p in (tmp_path / "escorts").iterdir()) == ["V01.html"]
    table = (tmp_path / "timetables" / "V01.html").read_text(encoding="utf-8")
    assert "2026-03-02" in table and "2026-03-09" in table and "10:30" in table
    assert "2 shift(s)" in table


def test_sheets_of_an_earlier_plan_for_someone_no_longer_on_it_are_removed(
    tmp_path, community, meal_plan
):
    write_plan(meal_plan, tmp_path, community)
    smaller = meal_plan.model_copy(update={"trips": meal_plan.trips[:2]})
    write_plan(smaller, tmp_path, community)
    assert sorted(p.name for p in (tmp_path / "routes").iterdir()) == ["V01.html"]


def test_sheet_file_names_are_safe_and_distinct():
    from carecal.io.sheets.page import sheet_names

    names = sheet_names(["V/1", "V_1", "陈杰", "..", "v_1"])
    assert names == {
        "V/1": "V_1.html",
        "V_1": "V_1_2.html",
        "陈杰": "陈杰.html",
        "..": "volunteer.html",
        "v_1": "v_1_3.html",
    }
