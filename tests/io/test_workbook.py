"""plan.xlsx: the summary, a sheet per table with names beside ids, a rota, a route sheet
per carrier; frozen headers, filters and fitted widths; text never stored as a formula;
valid sheet names for any carrier id; the same bytes for the same plan; sheet names and
headers in the plan's language."""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
from io_data import DAY, make_trip

from carecal.clock import format_time
from carecal.io import write_plan
from carecal.io.frames import plan_rows
from carecal.io.plan_folder import plan_people
from carecal.io.workbook import MAX_SHEET_NAME, sheet_name, workbook_bytes
from carecal.model import Community
from carecal.plans import CampaignPlan, MealPlan, ShiftPlan, Status, WeekPlan

# Excel's rules for a sheet name, written out here independently of carecal.io.workbook.
_EXCEL_FORBIDDEN = set("[]:*?/\\")


def _week(meals: MealPlan, campaign: CampaignPlan, shifts: ShiftPlan) -> WeekPlan:
    return WeekPlan(
        status=Status.FEASIBLE,
        start=DAY,
        end=dt.date(2026, 3, 10),
        meals=(meals,),
        campaign=campaign,
        shifts=shifts,
    )


def _book(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path)


def _header(sheet) -> list[str]:
    return [c.value for c in sheet[1]]


def _column(sheet, name: str) -> list[object]:
    i = _header(sheet).index(name) + 1
    return [sheet.cell(row=r, column=i).value for r in range(2, sheet.max_row + 1)]


@pytest.fixture
def week_book(tmp_path, community, meal_plan, campaign_plan, shift_plan):
    """The fixtures' week written with ``xlsx=True``, its workbook opened."""
    write_plan(_week(meal_plan, campaign_plan, shift_plan), tmp_path, community, xlsx=True)
    return _book(tmp_path / "plan.xlsx")


def test_every_table_a_rota_and_a_route_sheet_per_carrier(week_book):
    assert week_book.sheetnames == [
        "summary",
        "meal_routes",
        "health_checks",
        "shift_plan",
        "unserved",
        "rota",
        "route V01",
        "route V02",
    ]


def test_every_sheet_has_a_frozen_header_a_filter_and_fitted_widths(week_book):
    for sheet in week_book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        last = openpyxl.utils.get_column_letter(sheet.max_column)
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}", sheet.title
        for j, name in enumerate(_header(sheet), start=1):
            width = sheet.column_dimensions[openpyxl.utils.get_column_letter(j)].width
            longest = max(len(str(v or "")) for v in [name, *_column(sheet, name)])
            assert width == min(longest + 2, 60), (sheet.title, name)


def test_table_sheets_are_the_csv_tables_with_names_beside_the_ids(tmp_path, week_book):
    routes = week_book["meal_routes"]
    assert _header(routes)[:8] == [
        "date",
        "volunteer_id",
        "volunteer_name",
        "trip",
        "stop",
        "resident_id",
        "resident_name",
        "address",
    ]
    assert _column(routes, "volunteer_name") == ["Chen Jie", "Chen Jie", "Chen Jie", "Sun Li"]
    assert _column(routes, "resident_name")[0] == "Wang Fang"
    assert _column(routes, "address")[0] == "12 Lane 5 Fuxing Rd"
    assert _column(routes, "arrival")[0] == "10:50" and _column(routes, "portions")[0] == 1
    checks = week_book["health_checks"]
    assert _header(checks)[:3] == ["resident_id", "resident_name", "address"]
    assert _column(checks, "escort_names") == ["Chen Jie", None]
    assert _column(week_book["shift_plan"], "volunteer_name") == ["Chen Jie", "Sun Li", "Chen Jie"]
    unserved = week_book["unserved"]
    # R009 is no resident of the community, and M1 is a shift: no name for either.
    assert _column(unserved, "name") == [None, "Zhao Lan", None]
    assert _column(unserved, "address") == [None, "7 Lane 9 Fuxing Rd", None]
    # Every row of every CSV is a row of its sheet, cell for cell (numbers as numbers).
    for table in ("meal_routes", "health_checks", "shift_plan", "unserved"):
        text = (tmp_path / f"{table}.csv").read_text(encoding="utf-8-sig").splitlines()
        assert week_book[table].max_row == len(text), table


def test_the_rota_has_volunteers_down_and_dates_across(week_book):
    rota = week_book["rota"]
    header = _header(rota)
    assert header[:2] == ["volunteer_id", "volunteer_name"]
    assert header[2] == "2026-03-02 Mon" and header[-1] == "2026-03-09 Mon"
    assert len(header) == 2 + 8
    rows = {r[0]: r for r in rota.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"V01", "V02"}
    assert rows["V01"][1] == "Chen Jie"
    assert rows["V01"][2] == "M1" and rows["V01"][-1] == "M1"
    assert rows["V02"][2] == "M1" and rows["V02"][-1] is None


def test_a_route_sheet_lists_the_carriers_stops_in_order(week_book):
    sheet = week_book["route V01"]
    assert _header(sheet) == [
        "date",
        "trip",
        "stop",
        "arrival",
        "resident_id",
        "name",
        "address",
        "floor",
        "portions",
        "diet",
        "window",
    ]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[2], r[4]) for r in rows] == [(1, 1, "R001"), (1, 2, "R002"), (2, 1, "R002")]
    first = rows[0]
    assert first[3] == "10:50" and first[5] == "Wang Fang"
    assert first[7] == "floor 4, no lift, stairs"
    assert first[9] == "diabetic;soft" and first[10] == "11:00–12:00"


def test_a_name_that_looks_like_a_formula_is_stored_as_text(tmp_path, community, meal_plan):
    """Binds: a resident called ``=1+1`` and a reason ``=HYPERLINK(...)`` are text cells
    (no formula in the file), marked with Excel's quote prefix; a plain name is not."""
    residents = tuple(
        r.model_copy(update={"name": "=1+1", "address": "@home"}) if r.resident_id == "R001" else r
        for r in community.residents
    )
    odd = community.with_changes(residents=residents)
    write_plan(meal_plan, tmp_path, odd, xlsx=True)
    data = (tmp_path / "plan.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in archive.read(n) for n in sheets)
    book = openpyxl.load_workbook(io.BytesIO(data))
    routes = book["meal_routes"]
    i = _header(routes).index("resident_name") + 1
    cell = routes.cell(row=2, column=i)
    assert cell.value == "=1+1" and cell.data_type == "s" and cell.quotePrefix
    address = routes.cell(row=2, column=i + 1)
    assert address.value == "@home" and address.quotePrefix
    reason = book["unserved"].cell(row=2, column=_header(book["unserved"]).index("reason") + 1)
    assert reason.value == '=HYPERLINK("http://x")' and reason.data_type == "s"
    plain = routes.cell(row=3, column=i)
    assert plain.value == "Li Ming" and not plain.quotePrefix


def _valid_sheet_name(name: str) -> bool:
    return (
        0 < len(name.encode("utf-16-le")) // 2 <= 31
        and not (set(name) & _EXCEL_FORBIDDEN)
        and not name.startswith("'")
        and not name.endswith("'")
        and name.casefold() != "history"
    )


@pytest.mark.parametrize(
    "ids",
    [
        ["V01"],
        ["志愿者-王小明-第三社区-老城厢街道-一号"],
        ["a" * 80, "a" * 80 + "b"],
        ["History", "history"],
        ["V[1]:*?/\\", "V_1_____"],
        ["'quoted'", "V01", "v01"],
        ["😀" * 20],
        [""],
    ],
)
def test_sheet_names_are_valid_and_unique_for_any_id(ids):
    taken: set[str] = set()
    names = [sheet_name(i, taken) for i in ids]
    assert all(_valid_sheet_name(n) for n in names), names
    assert len({n.casefold() for n in names}) == len(names)
    # The same id always gets the same name.
    again: set[str] = set()
    assert [sheet_name(i, again) for i in ids] == names


def test_a_plain_short_name_is_kept():
    assert sheet_name("route V01", set()) == "route V01"
    assert sheet_name("路线 王小明", set()) == "路线 王小明"
    long = sheet_name("route " + "x" * 40, set())
    assert len(long) == MAX_SHEET_NAME and re.search(r"~[0-9a-f]{6}$", long)


def test_odd_carrier_ids_give_a_workbook_excel_opens(community, meal_plan):
    """Carriers with ids that are long, Chinese, reserved or full of forbidden characters,
    and two that differ only in case: one valid, distinct route sheet each, no warning."""
    odd = ["History", "志愿者:王小明/第三社区[一号]*很长很长很长的名字", "CON", "v01", "V01"]
    trips = tuple(
        make_trip(community, "V01", 1, 650 + k, ["R001"]).model_copy(update={"volunteer_id": vid})
        for k, vid in enumerate(odd, start=1)
    )
    plan = meal_plan.model_copy(update={"trips": trips})
    people = plan_people(plan, community)
    tables = plan_rows([plan], None, None, plan.unserved, people)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = workbook_bytes(tables, [plan], None, community, people)
        book = openpyxl.load_workbook(io.BytesIO(data))
    routes = [s for s in book.sheetnames if s not in ("meal_routes", "unserved")]
    assert len(routes) == len(odd)
    assert all(_valid_sheet_name(n) for n in routes), routes
    assert len({n.casefold() for n in routes}) == len(routes)
    # Each carrier's sheet holds that carrier's stop, in the order of the carriers.
    arrivals = [book[n].cell(row=2, column=4).value for n in routes]
    assert arrivals == [format_time(t.stops[0].arrival) for t in trips]


def test_the_same_plan_gives_the_same_bytes(community, meal_plan, campaign_plan):
    week = _week(meal_plan, campaign_plan, None)  # no rota: a shift plan is not needed here
    people = plan_people(week, community)
    tables = plan_rows([meal_plan], campaign_plan, None, week.unserved, people)
    first = workbook_bytes(tables, [meal_plan], None, community, people)
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert workbook_bytes(tables, [meal_plan], None, community, people) == first


def test_a_meal_plan_without_trips_still_has_its_tables(tmp_path, community: Community):
    empty = MealPlan(status=Status.EMPTY, date=DAY)
    write_plan(empty, tmp_path, community, xlsx=True)
    book = _book(tmp_path / "plan.xlsx")
    assert book.sheetnames == ["summary", "meal_routes", "unserved"]
    assert book["meal_routes"].max_row == 1 and book["meal_routes"].auto_filter.ref == "A1:P1"


def test_the_sheet_name_of_the_docs_example():
    """docs/tables.md shows this name; names must stay the same from one release to the
    next, so that a coordinator's links and habits hold."""
    assert (
        sheet_name("route 志愿者:王小明/第三社区", set()) == "route 志愿者_王小明_第三社区~ac1038"
    )


def test_the_summary_sheet_holds_the_lines_of_summary_md(tmp_path, week_book):
    lines = [c.value for (c,) in week_book["summary"].iter_rows(min_col=1, max_col=1)]
    assert lines[0] == "summary" and lines[1] == "carecal plan"
    text = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert lines[1:] == [line.lstrip("#").strip() for line in text.splitlines() if line.strip()]


def test_the_workbook_in_chinese(tmp_path, community, meal_plan, campaign_plan, shift_plan):
    """Sheet names and every header in Chinese, the route sheet's floor and diet in words;
    the cells of the table sheets are those of the English workbook (the CSV files')."""
    week = _week(meal_plan, campaign_plan, shift_plan)
    write_plan(week, tmp_path / "zh", community.with_policy(lang="zh"), xlsx=True)
    write_plan(week, tmp_path / "en", community, xlsx=True)
    zh, en = _book(tmp_path / "zh" / "plan.xlsx"), _book(tmp_path / "en" / "plan.xlsx")
    assert zh.sheetnames == [
        "概要",
        "送餐路线",
        "体检预约",
        "班次安排",
        "未能安排",
        "排班总表",
        "路线 V01",
        "路线 V02",
    ]
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for sheet in zh.worksheets:
        assert all(cjk.search(str(h)) for h in _header(sheet)), (sheet.title, _header(sheet))
    assert _header(zh["送餐路线"])[:3] == ["日期", "志愿者编号", "志愿者姓名"]
    assert _header(zh["排班总表"])[2] == "2026-03-02 周一"
    for zh_name, en_name in zip(zh.sheetnames[1:5], en.sheetnames[1:5], strict=True):
        rows = list(zh[zh_name].iter_rows(min_row=2, values_only=True))
        assert rows == list(en[en_name].iter_rows(min_row=2, values_only=True))
    route = zh["路线 V01"]
    first = next(route.iter_rows(min_row=2, values_only=True))
    assert first[7] == "4 楼，无电梯，走楼梯" and first[9] == "糖尿病餐、软食"
    assert zh["概要"].cell(row=2, column=1).value == "carecal 计划"
