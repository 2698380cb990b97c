"""The plan folder: exact columns, BOM, spreadsheet-safe cells, atomic files, the summary,
and reading a plan folder back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from pathlib import Path

import pytest

from carecal.errors import CarecalError, OptionError
from carecal.io import CarecalWarning, PlanFileError, read_plan, write_plan
from carecal.io.cells import spreadsheet_safe
from carecal.io.files import atomic_write
from carecal.io.schema import NAME_COLUMNS, OUTPUT_TABLES, is_informational, table_markdown
from carecal.model import Community
from carecal.plans import (
    CampaignPlan,
    MealPlan,
    PersonInfo,
    ShiftPlan,
    Status,
    Unserved,
    UnservedKind,
    WeekPlan,
)

TUESDAY = dt.date(2026, 3, 10)
"""The campaign day of the ``campaign_plan`` fixture."""

# The columns of DESIGN section 5, written out here independently of carecal.io.schema:
# the names beside the ids (resident_name and address after resident_id, volunteer_name
# after volunteer_id, escort_names after escort_ids, name and address after unserved's id).
DESIGN_COLUMNS = {
    "meal_routes.csv": "date,volunteer_id,volunteer_name,trip,stop,resident_id,resident_name,"
    "address,arrival,departure,portions,diet,food_minutes,travel_minutes,done,locked",
    "health_checks.csv": "resident_id,resident_name,address,date,clinic_id,slot_start,"
    "check_start,check_end,escort_ids,escort_names,wheelchair,pickup,home_again,done,"
    "locked",
    "shift_plan.csv": "date,shift_id,role,start,end,volunteer_id,volunteer_name,locked",
    "unserved.csv": "kind,id,name,address,date,code,reason,fix",
}


def _week(
    meals: list[MealPlan], campaign: CampaignPlan | None, shifts: ShiftPlan | None
) -> WeekPlan:
    """A week plan of the fixtures' parts, 2026-03-02 to 2026-03-10."""
    return WeekPlan(
        status=Status.FEASIBLE,
        start=dt.date(2026, 3, 2),
        end=TUESDAY,
        meals=tuple(meals),
        campaign=campaign,
        shifts=shifts,
    )


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_meal_plan_files_have_the_design_columns_and_a_bom(tmp_path, community, meal_plan):
    paths = write_plan(meal_plan, tmp_path, community)
    names = {p.relative_to(tmp_path).as_posix() for p in paths}
    assert names == {
        "meal_routes.csv",
        "packing_list.csv",
        "packing_list.html",
        "unserved.csv",
        "summary.md",
        "routes/V01.html",
        "routes/V02.html",
        "manifest.json",
    }
    for name in ("meal_routes.csv", "unserved.csv"):
        assert (tmp_path / name).read_bytes().startswith(b"\xef\xbb\xbf")
        assert ",".join(_rows(tmp_path / name)[0]) == DESIGN_COLUMNS[name]
    rows = _rows(tmp_path / "meal_routes.csv")
    assert rows[1][:12] == [
        "2026-03-02",
        "V01",
        "Chen Jie",
        "1",
        "1",
        "R001",
        "Wang Fang",
        "12 Lane 5 Fuxing Rd",
        "10:50",
        "10:55",
        "1",
        "diabetic;soft",
    ]
    assert [r[3:5] for r in rows[1:]] == [["1", "1"], ["1", "2"], ["2", "1"], ["1", "1"]]


def test_every_plan_kind_has_the_design_columns(
    tmp_path, community, meal_plan, campaign_plan, shift_plan
):
    week = _week([meal_plan], campaign_plan, shift_plan)
    write_plan(week, tmp_path, community)
    for name, header in DESIGN_COLUMNS.items():
        assert ",".join(_rows(tmp_path / name)[0]) == header
    kinds = [r[0] for r in _rows(tmp_path / "unserved.csv")[1:]]
    assert kinds == ["meal", "health_check", "shift"]
    checks = _rows(tmp_path / "health_checks.csv")
    assert checks[1] == [
        "R001",
        "Wang Fang",
        "12 Lane 5 Fuxing Rd",
        "2026-03-10",
        "C1",
        "09:00",
        "09:05",
        "09:25",
        "V01",
        "Chen Jie",
        "pool",
        "08:35",
        "09:55",
        "",
        "",
    ]
    assert checks[2][8:] == ["", "", "none", "", "", "", ""]


def test_cells_that_look_like_formulas_are_made_text(
    tmp_path, community, meal_plan, campaign_plan, shift_plan
):
    week = _week([meal_plan], campaign_plan, shift_plan)
    write_plan(week, tmp_path, community)
    rows = _rows(tmp_path / "unserved.csv")
    assert rows[1][6] == '\'=HYPERLINK("http://x")'
    assert rows[2][7] == "'+ ask another escort" and rows[3][7] == "'@ask V02"
    assert spreadsheet_safe("-33.86") == "-33.86" and spreadsheet_safe("-x") == "'-x"
    assert spreadsheet_safe("\tx") == "'\tx" and spreadsheet_safe("\rx") == "'\rx"
    assert spreadsheet_safe("ok") == "ok"


def test_no_temporary_file_is_left_and_an_interrupted_write_keeps_the_old_file(
    tmp_path, community, meal_plan, monkeypatch
):
    write_plan(meal_plan, tmp_path, community)
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    before = (tmp_path / "meal_routes.csv").read_bytes()

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(tmp_path / "meal_routes.csv", b"half")
    assert (tmp_path / "meal_routes.csv").read_bytes() == before
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


def test_summary_lists_what_to_do(tmp_path, community, meal_plan, campaign_plan):
    write_plan(_week([meal_plan], campaign_plan, None), tmp_path, community)
    text = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "## Meal deliveries on 2026-03-02" in text and "## Health-check campaign" in text
    assert "## What to do" in text
    assert "- Add a carrier on Mondays (1: R009)" in text
    assert "- + ask another escort (1: R003)" in text


def test_summary_when_everyone_is_served(tmp_path, community, meal_plan):
    write_plan(meal_plan.model_copy(update={"unserved": ()}), tmp_path, community)
    assert "Nothing to do: everyone was served." in (tmp_path / "summary.md").read_text()
    assert _rows(tmp_path / "unserved.csv") == [DESIGN_COLUMNS["unserved.csv"].split(",")]


def test_read_plan_round_trip(tmp_path, community, meal_plan, campaign_plan, shift_plan):
    week = _week([meal_plan], campaign_plan, shift_plan)
    write_plan(week, tmp_path, community)
    read = read_plan(tmp_path, community)
    assert isinstance(read, WeekPlan) and (read.start, read.end) == (week.start, week.end)
    (meals,) = read.meals
    assert meals == meal_plan  # leave and back are derived from the files and the community
    # The dates, clinic days and periods are the manifest's, so they come back as written.
    assert read.campaign == campaign_plan
    assert read.shifts == shift_plan
    assert read.unserved == (*meal_plan.unserved, *campaign_plan.unserved, *shift_plan.unserved)


def test_read_plan_gives_back_the_kind_it_was_given(
    tmp_path, community, meal_plan, campaign_plan, shift_plan
):
    for plan in (meal_plan, campaign_plan, shift_plan):
        write_plan(plan, tmp_path, community)
        assert type(read_plan(tmp_path, community)) is type(plan)


def test_a_campaign_without_a_manifest_takes_its_days_from_the_bookings(
    tmp_path, community, campaign_plan
):
    """carecal 0.1 folders: the clinic days read back are the bookings' dates and clinics."""
    write_plan(campaign_plan, tmp_path, community)
    (tmp_path / "manifest.json").unlink()
    with pytest.warns(CarecalWarning, match="no manifest.json"):
        read = read_plan(tmp_path, community)
    expected = campaign_plan.model_copy(update={"clinic_days": ((TUESDAY, "C1"),)})
    assert read == expected.with_people(community)


def test_read_plan_derives_leave_and_back_from_an_edited_file(tmp_path, community, meal_plan):
    write_plan(meal_plan, tmp_path, community)
    path = tmp_path / "meal_routes.csv"
    rows = _rows(path)
    arrival, food = rows[0].index("arrival"), rows[0].index("food_minutes")
    rows[1][arrival], rows[1][food] = "10:57", "5"  # first stop later, food five minutes old
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    plan = read_plan(tmp_path, community)
    assert plan.trips[0].leave == 10 * 60 + 52
    assert plan.trips[0].back == meal_plan.trips[0].back


def test_read_plan_reports_every_malformed_cell(tmp_path, community, meal_plan):
    write_plan(meal_plan, tmp_path, community)
    path = tmp_path / "meal_routes.csv"
    rows = _rows(path)
    rows[1][8] = "quarter to eleven"
    rows[2][1] = "V42"
    rows[3][10] = ""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(PlanFileError) as caught:
        read_plan(tmp_path, community)
    assert caught.value.problems == [
        "meal_routes.csv row 2, column arrival: 'quarter to eleven' is not a time; write it as "
        "HH:MM, for example 09:30",
        "meal_routes.csv row 3, column volunteer_id: volunteer V42 is not in volunteers.csv; "
        "correct the id",
        "meal_routes.csv row 4, column portions: is empty; fill it in",
    ]


def test_read_plan_of_a_folder_without_a_plan_says_so(tmp_path, community):
    (tmp_path / "notes.txt").write_text("not a plan")
    with pytest.raises(PlanFileError, match="no plan here"):
        read_plan(tmp_path, community)


def _two_clinics(community: Community) -> Community:
    """The Valid community with a second clinic C2 beside C1 (and no campaign.csv)."""
    return community.with_changes(
        sites=(*community.sites, community.sites[1].model_copy(update={"site_id": "C2"}))
    )


def _drop_column(path: Path, name: str) -> None:
    """Rewrite a CSV file without one column, as carecal 0.1 wrote health_checks.csv."""
    rows = _rows(path)
    i = rows[0].index(name)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([r[:i] + r[i + 1 :] for r in rows])


def test_read_plan_keeps_the_clinic_of_each_booking(tmp_path, community, campaign_plan):
    """Defect 1: with two clinics and no campaign.csv row, the booking's clinic is read from
    its clinic_id cell (before, the reader guessed it and refused the date)."""
    two = _two_clinics(community)
    at_c2 = campaign_plan.model_copy(
        update={
            "bookings": tuple(
                b.model_copy(update={"clinic_id": "C2"}) for b in campaign_plan.bookings
            )
        }
    )
    write_plan(at_c2, tmp_path, two)
    read = read_plan(tmp_path, two)
    assert {b.clinic_id for b in read.bookings} == {"C2"}
    assert read.clinic_days == at_c2.clinic_days and read.dates == (TUESDAY,)


def test_read_plan_of_a_0_1_folder_takes_the_only_clinic(tmp_path, community, campaign_plan):
    """A folder without clinic_id (carecal 0.1): one clinic runs on the date, so it is that."""
    write_plan(campaign_plan, tmp_path, community)
    _drop_column(tmp_path / "health_checks.csv", "clinic_id")
    (tmp_path / "manifest.json").unlink()
    with pytest.warns(CarecalWarning, match="no manifest.json"):
        read = read_plan(tmp_path, community)
    assert read.bookings == campaign_plan.bookings


def test_read_plan_of_a_0_1_folder_with_two_clinics_names_row_and_fix(
    tmp_path, community, campaign_plan
):
    """Without clinic_id and with two clinics neither of which campaign.csv lists that
    date, the reader cannot tell the clinic: it says which row and how to fix it."""
    two = _two_clinics(community)
    write_plan(campaign_plan, tmp_path, two)
    _drop_column(tmp_path / "health_checks.csv", "clinic_id")
    (tmp_path / "manifest.json").unlink()
    with pytest.warns(CarecalWarning), pytest.raises(PlanFileError) as caught:
        read_plan(tmp_path, two)
    assert caught.value.problems[0] == (
        "health_checks.csv row 2, column clinic_id: the booking does not say at which clinic "
        "it is, and no clinic runs on 2026-03-10 in campaign.csv; fill in clinic_id with the "
        "clinic of the booking (sites.csv: C1, C2)"
    )
    assert len(caught.value.problems) == 2  # one per booking row
    assert isinstance(caught.value, CarecalError)


def test_read_plan_refuses_a_clinic_id_that_is_no_clinic(tmp_path, community, campaign_plan):
    write_plan(campaign_plan, tmp_path, community)
    path = tmp_path / "health_checks.csv"
    rows = _rows(path)
    rows[1][4] = "K1"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(PlanFileError, match=r"row 2, column clinic_id: K1 is not a clinic"):
        read_plan(tmp_path, community)


def test_write_plan_rejects_other_objects(tmp_path, community):
    with pytest.raises(OptionError, match="write_plan"):
        write_plan(object(), tmp_path, community)


def test_week_plan_read_back_keeps_the_auto_demand(tmp_path):
    """Binds: the week's ``auto`` meals shift asked for the carriers the routes used; read
    back, the shift plan takes that demand from meal_routes.csv again, and every part of
    the folder verifies as it did in memory (before, the shift plan read back had no
    demand and failed with a "demand" violation). Inactive without ``auto`` shifts: the
    round trip above reads no demand."""
    from carecal.verify import verify
    from tests.solver.test_week import _community, _week

    community = _community()
    week = _week(community)
    assert week.shifts is not None and week.shifts.demand
    write_plan(week, tmp_path, community)
    read = read_plan(tmp_path, community)
    assert isinstance(read, WeekPlan) and read.shifts is not None
    (meals,) = read.meals
    date = meals.date
    assert read.shifts.demand == {(date, "MEALS"): (len(meals.carriers), len(meals.carriers))}
    assert verify(community, read) == []


def test_names_stand_beside_the_ids_and_the_plans_own_names_come_first(
    tmp_path, community, meal_plan, shift_plan
):
    """The names are the plan's (``plan.people``) where it knows them, else the
    community's; an undated shift entry names its volunteer, a dated one a shift."""
    renamed = meal_plan.with_people(community)
    people = renamed.people.model_copy(
        update={"residents": {**renamed.people.residents, "R001": PersonInfo(name="王芳")}}
    )
    write_plan(renamed.model_copy(update={"people": people}), tmp_path, community)
    routes = _rows(tmp_path / "meal_routes.csv")
    by_column = [dict(zip(routes[0], r, strict=True)) for r in routes[1:]]
    assert [r["resident_name"] for r in by_column] == ["王芳", "Li Ming", "Li Ming", "Zhao Lan"]
    assert by_column[0]["address"] == ""  # the plan's own entry, address and all
    assert by_column[1]["address"] == "3 Sinan Rd"
    assert [r["volunteer_name"] for r in by_column] == ["Chen Jie"] * 3 + ["Sun Li"]

    undated = Unserved(kind=UnservedKind.SHIFT, id="V02", code="no_timetable", reason="x")
    shifts = shift_plan.model_copy(update={"unserved": (*shift_plan.unserved, undated)})
    write_plan(shifts, tmp_path, community)
    unserved = _rows(tmp_path / "unserved.csv")
    assert [r[1:4] for r in unserved[1:]] == [["M1", "", ""], ["V02", "Sun Li", ""]]
    assert _rows(tmp_path / "shift_plan.csv")[1][-3:-1] == ["V01", "Chen Jie"]


def test_read_plan_ignores_the_names(tmp_path, community, meal_plan, campaign_plan, shift_plan):
    """Binds: names edited by hand (a formula, a comma, emptied) and name columns deleted
    read back as the same plan; the names never reach the reader."""
    week = _week([meal_plan], campaign_plan, shift_plan)
    write_plan(week, tmp_path, community)
    before = read_plan(tmp_path, community)
    for name in ("meal_routes.csv", "health_checks.csv", "shift_plan.csv", "unserved.csv"):
        path = tmp_path / name
        rows = _rows(path)
        for column in ("resident_name", "address", "volunteer_name", "escort_names", "name"):
            if column in rows[0]:
                i = rows[0].index(column)
                for k, row in enumerate(rows[1:]):
                    row[i] = ["=SUM(A1:A9)", "Wang, Fang", ""][k % 3]
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(rows)
    assert read_plan(tmp_path, community) == before
    _drop_column(tmp_path / "meal_routes.csv", "resident_name")
    _drop_column(tmp_path / "health_checks.csv", "escort_names")
    assert read_plan(tmp_path, community) == before


def test_name_columns_are_informational_and_follow_their_id():
    for table in OUTPUT_TABLES.values():
        names = table.column_names
        for column in table.columns:
            if is_informational(column):
                assert not column.required, column.name
        for id_column, after in NAME_COLUMNS.items():
            if id_column in names:
                i = names.index(id_column)
                assert names[i + 1 : i + 1 + len(after)] == after, table.name
                assert all(is_informational(table.column(n)) for n in after)


def test_the_tables_page_shows_the_output_tables_as_the_schema_says():
    page = (Path(__file__).parents[2] / "docs" / "tables.md").read_text(encoding="utf-8")
    for table in OUTPUT_TABLES.values():
        assert table_markdown(table) in page, (
            f"docs/tables.md does not show {table.file} as carecal.io.schema describes it; "
            "paste carecal.io.schema.tables_markdown(carecal.io.OUTPUT_TABLES) into it"
        )


def test_write_plan_with_the_workbook_and_the_pictures_lists_them(tmp_path, community, meal_plan):
    pytest.importorskip("matplotlib")
    meal_plan = meal_plan.model_copy(update={"unserved": ()})  # R009 is not on the map
    paths = write_plan(meal_plan, tmp_path, community, xlsx=True, plots=True)
    names = {p.relative_to(tmp_path).as_posix() for p in paths}
    assert {"plan.xlsx", "plots/route_map_2026-03-02.png"} <= names
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(names - {"manifest.json"}) == manifest["files"]
    assert (tmp_path / "plots" / "route_map_2026-03-02.png").read_bytes()[:4] == b"\x89PNG"
    assert read_plan(tmp_path, community) == meal_plan.with_people(community)
