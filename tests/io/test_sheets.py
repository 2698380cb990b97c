"""The printable sheets: what the volunteer needs at the door and nothing medical, Chinese
names, escort sheets and timetables, stale sheets removed, safe file names."""

from __future__ import annotations

import re

import pytest
from io_data import AS_OF, DAY, csv_texts, make_trip, read_folder

from carecal.io import community_from_csv_texts, read_plan, write_plan
from carecal.io.sheets.page import MAX_STEM_BYTES, sheet_names
from carecal.plans import MealPlan, Status, WeekPlan


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
    week = WeekPlan(
        status=Status.FEASIBLE,
        start=shift_plan.start,
        end=campaign_plan.dates[-1],
        campaign=campaign_plan,
        shifts=shift_plan,
    )
    write_plan(week, tmp_path, community)
    escort = (tmp_path / "escorts" / "V01.html").read_text(encoding="utf-8")
    for needed in (
        "08:35",
        "Wang Fang",
        "12 Lane 5 Fuxing Rd",
        "floor 4, no lift",
        "bring a wheelchair from the centre&#39;s pool",
        "Huangpu clinic",
        "09:05",
        "09:55",
    ):
        assert needed in escort
    assert "Li Ming" not in escort  # comes alone
    assert sorted(p.name for p in (tmp_path / "escorts").iterdir()) == ["V01.html"]
    table = (tmp_path / "timetables" / "V01.html").read_text(encoding="utf-8")
    assert "2026-03-02" in table and "2026-03-09" in table and "10:30" in table
    assert "2 shifts." in table


def test_sheets_of_an_earlier_plan_for_someone_no_longer_on_it_are_removed(
    tmp_path, community, meal_plan
):
    write_plan(meal_plan, tmp_path, community)
    smaller = meal_plan.model_copy(update={"trips": meal_plan.trips[:2]})
    write_plan(smaller, tmp_path, community)
    assert sorted(p.name for p in (tmp_path / "routes").iterdir()) == ["V01.html"]


def test_sheet_file_names_are_safe_and_distinct():
    """Kept as they are when nothing needs changing; otherwise cleaned and tagged with a
    hash of the id, so that distinct ids never share a file, even ignoring case."""
    names = sheet_names(["V/1", "V_1", "陈杰", "..", "v_1"])
    assert names["V_1"] == "V_1.html" and names["陈杰"] == "陈杰.html"
    assert re.fullmatch(r"V_1-[0-9a-f]{8}\.html", names["V/1"])
    assert re.fullmatch(r"volunteer-[0-9a-f]{8}\.html", names[".."])
    assert re.fullmatch(r"v_1-[0-9a-f]{8}\.html", names["v_1"])
    assert len({n.casefold() for n in names.values()}) == 5
    assert sheet_names(["V/1"]) == {"V/1": names["V/1"]}  # the same id, the same name


@pytest.mark.parametrize("device", ["CON", "nul", "Aux", "com1", "LPT9", "con.x"])
def test_windows_device_names_get_a_tag(device):
    """Defect (issue 15 item 8): ids CON and nul gave CON.html and nul.html, which Windows
    cannot open."""
    stem = sheet_names([device])[device].removesuffix(".html")
    assert stem.split(".")[0].upper() not in {"CON", "NUL", "AUX", "COM1", "LPT9"}
    assert re.fullmatch(rf"{device.split('.')[0]}-[0-9a-f]{{8}}(\.x)?", stem)


def test_long_ids_are_cut_to_a_bounded_name():
    """Defect (issue 15 item 8): a 300-byte id (100 Chinese characters) stopped the week
    with "File name too long"; now the name is cut at a character boundary and tagged."""
    long_id = "长" * 100
    other = "长" * 99 + "短"  # the same first 33 characters: only the tag tells them apart
    names = sheet_names([long_id, other])
    for name in names.values():
        stem = name.removesuffix(".html")
        assert len(stem.encode("utf-8")) <= MAX_STEM_BYTES
        assert stem.startswith("长" * 30) and re.search(r"-[0-9a-f]{8}$", stem)
    assert names[long_id] != names[other]
    assert sheet_names(["x" * MAX_STEM_BYTES]) == {"x" * MAX_STEM_BYTES: "x" * 100 + ".html"}


def test_a_week_with_long_chinese_and_reserved_ids_writes_whole(tmp_path, community, meal_plan):
    """The whole plan is written (every name decided before the first byte) and reads back."""
    ids = {"V01": "志愿者" * 34, "V02": "CON"}  # 306 bytes; a Windows device
    renamed = community.with_changes(
        volunteers=tuple(
            v.model_copy(update={"volunteer_id": ids[v.volunteer_id]}) for v in community.volunteers
        ),
        residents=tuple(
            r.model_copy(
                update={"preferred_volunteers": tuple(ids[v] for v in r.preferred_volunteers)}
            )
            for r in community.residents
        ),
        availability=tuple(
            a.model_copy(update={"volunteer_id": ids.get(a.volunteer_id, a.volunteer_id)})
            for a in community.availability
        ),
    )
    plan = meal_plan.model_copy(
        update={
            "trips": tuple(
                t.model_copy(update={"volunteer_id": ids[t.volunteer_id]}) for t in meal_plan.trips
            )
        }
    )
    paths = write_plan(plan, tmp_path, renamed)
    sheets = sorted(p.name for p in (tmp_path / "routes").iterdir())
    assert len(sheets) == 2 and all(len(n.encode("utf-8")) <= 110 for n in sheets)
    assert not any(n.split(".")[0].upper() == "CON" for n in sheets)
    assert {p.name for p in paths} >= set(sheets)
    read = read_plan(tmp_path, renamed)
    assert isinstance(read, MealPlan)

    def key(t):
        return (t.volunteer_id, t.trip)

    assert sorted(read.trips, key=key) == sorted(plan.trips, key=key)


def test_route_sheet_at_the_door_phone_diet_words_and_a_tick_box(tmp_path, meal_plan):
    """Issue 18 item 4: in stop order, the resident's phone (residents.csv column phone),
    the diet in words and a box to tick; the page prints on A4 in large type, no script."""
    texts = csv_texts()
    residents = texts["residents"].splitlines()
    head = residents[0] + ",phone"
    rows = [r + (",13800138000" if r.startswith("R001") else ",") for r in residents[1:]]
    texts["residents"] = "\n".join([head, *rows]) + "\n"
    community = community_from_csv_texts(texts, as_of=AS_OF)
    assert community.resident_by_id["R001"].phone == "13800138000"
    assert community.resident_by_id["R002"].phone is None
    write_plan(meal_plan, tmp_path, community)
    page = (tmp_path / "routes" / "V01.html").read_text(encoding="utf-8")
    assert "13800138000" in page and "diabetic, soft food" in page
    assert page.count("☐") == 3  # one box per stop of V01's two trips
    assert page.index("Wang Fang") < page.index("Li Ming")  # R001 is stop 1 of trip 1
    assert "size: A4 portrait" in page and "font-size: 13pt" in page and "@media print" in page
    assert "<script" not in page.lower()


def test_sheets_in_chinese(tmp_path, community, meal_plan, campaign_plan):
    """policy lang zh: the sheets are Chinese pages with Chinese words around the data."""
    zh = community.with_policy(lang="zh")
    write_plan(meal_plan, tmp_path / "meals", zh)
    route = (tmp_path / "meals" / "routes" / "V01.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in route
    for words in (
        "送餐路线单",
        "第1趟",
        "到达",
        "4 楼，无电梯，走楼梯",
        "糖尿病餐、软食",
        "星期一",
    ):
        assert words in route, words
    write_plan(campaign_plan, tmp_path / "checks", zh)
    escort = (tmp_path / "checks" / "escorts" / "V01.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in escort
    for words in (
        "体检陪护单",
        "接人",
        "从中心借一辆公用轮椅带去",
        "送回家",
        "4 楼，无电梯，走楼梯",
    ):
        assert words in escort, words


def test_sheets_escape_what_the_centre_wrote(tmp_path, meal_plan):
    """Names are the centre's text: a name that looks like markup is shown, not run."""
    residents = csv_texts()["residents"].replace("Wang Fang", "<script>alert(1)</script>", 1)
    odd = community_from_csv_texts(csv_texts(residents=residents), as_of=AS_OF)
    write_plan(meal_plan, tmp_path, odd)
    page = (tmp_path / "routes" / "V01.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
