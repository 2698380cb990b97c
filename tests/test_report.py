"""The monthly service report: its totals add up to the plan folders it read."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from pathlib import Path

import pytest

import carecal
from carecal import make_community, plan_meals, plan_shifts, read_plan, write_plan
from carecal.cli import main
from carecal.demand import auto_demand, routed_volunteers
from carecal.errors import OptionError, PlanFileError
from carecal.plans import UnservedKind

DAYS = [dt.date(2026, 12, d) for d in (28, 29, 30, 31)]  # Mon..Thu, the month's last week
NEXT_MONTH = dt.date(2027, 1, 4)


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    """Meal plans of four days of 2026-12 and one of 2027-01, each in its folder, a later
    folder of the 29th, a shift plan of the 30th and 31st; some done cells filled in."""
    community = make_community(24, 8, seed=3, meal_orders=6, as_of=dt.date(2026, 12, 1))
    root = tmp_path_factory.mktemp("month")
    folders = []
    plans = {}
    stamp = 1_700_000_000
    for i, day in enumerate([*DAYS, NEXT_MONTH]):
        plan = plans[day] = plan_meals(community, day, time_limit=2, deterministic=True)
        folder = root / f"meals_{day}"
        write_plan(plan, folder, community)
        os.utime(folder / "manifest.json", (stamp + i, stamp + i))
        folders.append(folder)
    # The 29th again, written later, with every delivery ticked: this folder counts.
    again = root / "meals_again"
    write_plan(plan_meals(community, DAYS[1], time_limit=2, deterministic=True), again, community)
    os.utime(again / "manifest.json", (stamp + 100, stamp + 100))
    rows = _rows(again / "meal_routes.csv")
    for r in rows:
        r["done"] = "delivered"
    if rows:
        rows[0]["done"] = "not_home"
        _write_rows(again / "meal_routes.csv", rows)
    folders.append(again)
    # The 28th: the first delivery refused, the others left empty (planned).
    first = folders[0] / "meal_routes.csv"
    rows = _rows(first)
    if rows:
        rows[0]["done"] = "refused"
        _write_rows(first, rows)
    routed = routed_volunteers([plans[DAYS[2]], plans[DAYS[3]]], None)
    demand = auto_demand(community, DAYS[2:], routed)
    shifts = plan_shifts(
        community, DAYS[2], DAYS[3], demand=demand, time_limit=3, deterministic=True
    )
    write_plan(shifts, root / "shifts", community)
    folders.append(root / "shifts")
    return community, folders, again


def test_the_report_adds_up_to_the_folders_it_read(month, tmp_path):
    community, folders, again = month
    result = carecal.report(community, folders, "2026-12")
    by_day = {r["date"]: r for r in result.meals_by_day}
    # Each covered day counts the folder written last, and says which.
    assert by_day[DAYS[1]]["folder"] == str(again)
    days = {r["date"]: r for r in result.days}
    assert days[DAYS[1]]["meals_folder"] == str(again)
    assert days[DAYS[0]]["meals_folder"] == str(folders[0])
    for day in DAYS:
        folder = Path(by_day[day]["folder"])
        plan = read_plan(folder, community)
        portions = sum(t.portions for t in plan.trips)
        row = by_day[day]
        counted = row["delivered"] + row["not_home"] + row["refused"] + row["planned"]
        assert counted == portions
        assert row["deliveries"] == len(plan.served)
        assert row["unserved"] == sum(1 for u in plan.unserved if u.kind == UnservedKind.MEAL)
        filled = sum(1 for t in plan.trips for s in t.stops if s.done)
        if plan.served:
            expected = (
                "done" if filled == len(plan.served) else "partly done" if filled else "planned"
            )
            assert row["status"] == expected
    assert by_day[DAYS[0]]["refused"] >= 1 and by_day[DAYS[1]]["not_home"] >= 1
    # Diets: the same portions, split by whole diet combination.
    total = sum(
        r[k] for r in result.meals_by_diet for k in ("delivered", "not_home", "refused", "planned")
    )
    assert total == sum(
        (r["delivered"] or 0) + (r["not_home"] or 0) + (r["refused"] or 0) + (r["planned"] or 0)
        for r in result.meals_by_day
    )
    # A weekday of the month with orders and no folder is missing, its counts empty.
    missing = [r for r in result.meals_by_day if r["status"] == "missing"]
    assert missing and all(r["delivered"] is None for r in missing)
    expected_missing = [
        d
        for d in (dt.date(2026, 12, n) for n in range(1, 28))
        if d.weekday() < 5 and community.deliveries_on(d)
    ]
    assert [r["date"] for r in missing] == expected_missing
    # The next month's plan is ignored, and said so.
    assert any("2027-01-04" in n and "ignored" in n for n in result.notes)
    assert NEXT_MONTH not in by_day
    # Volunteer hours: the shift plan's, per volunteer and in total per role.
    shifts = read_plan(folders[-1], community)
    minutes = sum(a.end - a.start for a in shifts.assignments)
    per_person = [r for r in result.volunteer_hours if r["volunteer_id"]]
    per_role = [r for r in result.volunteer_hours if not r["volunteer_id"]]
    assert sum(r["hours"] for r in per_person) == pytest.approx(minutes / 60)
    assert sum(r["hours"] for r in per_role) == pytest.approx(minutes / 60)
    # People: residents with a delivered meal, done; and the report's unserved count.
    meals_done = next(r for r in result.people if r["service"] == "meals" and r["basis"] == "done")
    assert meals_done["residents"] >= 1
    assert meals_done["living_alone"] <= meals_done["residents"]
    unserved_meals = sum(r["count"] for r in result.unserved if r["kind"] == "meal")
    assert unserved_meals == sum(r["unserved"] or 0 for r in result.meals_by_day)
    # Written: the CSV files hold the same rows, the page is escaped and has no script.
    paths = result.write(tmp_path / "r", plots=False)
    names = {p.name for p in paths}
    assert {"report_meals_by_day.csv", "report_meals_by_diet.csv", "report.html"} <= names
    written = _rows(tmp_path / "r" / "report_meals_by_day.csv")
    assert len(written) == len(result.meals_by_day)
    page = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page and "missing" in page
    frames = result.to_frames()
    assert int(frames["meals_by_day"]["delivered"].fillna(0).sum()) == sum(
        r["delivered"] or 0 for r in result.meals_by_day
    )


def test_the_report_command_writes_the_folder_and_refuses_bad_input(month, tmp_path):
    community, folders, _ = month
    data = tmp_path / "data"
    carecal.write_community(community, data)
    out = tmp_path / "out"
    args = ["-q", "report", str(data), "--plans", *map(str, folders), "--out", str(out)]
    assert main([*args, "--month", "2026-12"]) == 0
    assert (out / "report_volunteer_hours.csv").is_file() and (out / "report.html").is_file()
    assert main([*args, "--month", "December"]) == 2
    other = make_community(10, 4, seed=9)
    with pytest.raises(PlanFileError):
        carecal.report(other, folders[:1], "2026-12")
    with pytest.raises(OptionError):
        carecal.report(community, [], "2026-12")
    with pytest.raises(OptionError):
        carecal.report(community, [tmp_path / "nowhere"], "2026-12")


def test_report_png_draws_the_days(month):
    pytest.importorskip("matplotlib")
    community, folders, _ = month
    from carecal.plot import report_png

    assert report_png(carecal.report(community, folders, "2026-12"))[:4] == b"\x89PNG"


def test_the_report_speaks_the_communitys_language(month, tmp_path):
    """In Chinese: the page's headings, column heads, statuses and done values in words
    (delivered 已送达, not_home 不在家, refused 拒收, done 已完成); the summary and notes
    too. The CSV files are the same bytes in both languages."""
    community, folders, _ = month
    zh = carecal.report(community.with_policy(lang="zh"), folders, "2026-12")
    en = carecal.report(community, folders, "2026-12")
    assert zh.lang == "zh" and en.lang == "en"
    zh.write(tmp_path / "zh", plots=False)
    en.write(tmp_path / "en", plots=False)
    for name in en.tables():
        csv_name = f"report_{name}.csv"
        assert (tmp_path / "zh" / csv_name).read_bytes() == (
            tmp_path / "en" / csv_name
        ).read_bytes()
    page = (tmp_path / "zh" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page and "<title>2026-12 月度服务报告</title>" in page
    for words in ("每日送餐（份）", "已送达", "不在家", "拒收", "已完成", "缺计划", "计划中"):
        assert words in page, words
    assert 'class="missing">缺计划</td>' in page
    summary = zh.summary()
    assert summary.startswith("2026-12 服务报告：") and "已忽略" in summary
    assert en.summary().startswith("Service report 2026-12: ")
    assert "2027-01-04" in zh.summary("en") and "ignored" in zh.summary("en")
    english = (tmp_path / "en" / "report.html").read_text(encoding="utf-8")
    names = sorted({r.name for r in community.residents} | {v.name for v in community.volunteers})
    for name in sorted(names, key=len, reverse=True):
        english = english.replace(name, "")
    assert '<html lang="en">' in english
    assert not re.search(r"[\u4e00-\u9fff]", english)


def test_the_health_checks_and_roles_of_the_page_in_words():
    """The campaign's done values (done 已完成, missed 未到) head the columns of the checks in
    Chinese, and roles, services and unserved kinds are said in words; ids and codes stay."""
    from carecal.io.report_frames import report_html
    from carecal.report import MonthlyReport

    result = MonthlyReport(
        month="2027-03",
        checks=[
            {
                "date": dt.date(2027, 3, 1),
                "folder": "hc",
                "booked": 3,
                "done": 1,
                "missed": 1,
                "planned": 1,
                "escorted_done": 1,
                "escorted_planned": 0,
            }
        ],
        people=[
            {
                "service": "health_checks",
                "basis": "done",
                "residents": 1,
                "living_alone": 0,
                "wheelchair_users": 1,
            }
        ],
        volunteer_hours=[{"volunteer_id": "V1", "name": "Chen", "role": "escort", "hours": 2.5}],
        unserved=[{"kind": "home_check", "code": "bedridden", "count": 2}],
        lang="zh",
    )
    page = report_html(result)
    heads = re.findall(r"<th>([^<]*)</th>", page)
    booked = heads.index("已预约")
    assert heads[booked - 2 : booked + 4] == [
        "日期",
        "文件夹",
        "已预约",
        "已完成",
        "未到",
        "计划中（未勾选）",
    ]
    for words in ("体检", "陪护", "上门体检", "bedridden", "V1", "2.5"):
        assert f"<td>{words}</td>" in page, words
    english = report_html(result, "en")
    assert "<th>missed</th>" in english and "<td>escort</td>" in english
