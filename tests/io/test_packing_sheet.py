"""The kitchen's packing list as a page to print (issue 18 item 5): beside packing_list.csv,
listed in the manifest, each trip in departure order with its portions by diet combination
in words, the day's totals, in English or Chinese; its counts add up to meal_routes.csv."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

from carecal.io import write_plan
from carecal.io.frames import diet_combination
from carecal.io.manifest import is_plan_file
from carecal.io.sheets import PACKING_SHEET, packing_sheet
from carecal.io.sheets.page import diet_combination_text
from carecal.model import Community
from carecal.plans import MealPlan, Status, WeekPlan

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


class _Tables(HTMLParser):
    """The page's tables as rows of cell texts (a cell spanning rows is given once)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _tables(page: bytes) -> list[list[list[str]]]:
    parser = _Tables()
    parser.feed(page.decode("utf-8"))
    return parser.tables


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _trips(table: list[list[str]]) -> dict[tuple[str, str], int]:
    """Portions per (carrier, trip) of a day's trip table: a trip's first row holds the
    departure, carrier, trip number, first diet, portions and tick box; the rows after it
    a diet and its portions."""
    packed: Counter[tuple[str, str]] = Counter()
    key = ("", "")
    for row in table[1:]:
        if len(row) == 6:
            key = (row[1], row[2])
            packed[key] += int(row[4])
        else:
            packed[key] += int(row[1])
    return dict(packed)


def test_the_page_is_beside_the_csv_and_adds_up_to_the_routes(
    tmp_path: Path, community: Community, meal_plan: MealPlan
) -> None:
    write_plan(meal_plan, tmp_path, community)
    assert is_plan_file(PACKING_SHEET)
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert PACKING_SHEET in manifest["files"] and "packing_list.csv" in manifest["files"]
    page = (tmp_path / PACKING_SHEET).read_bytes()
    text = page.decode("utf-8")
    assert '<html lang="en">' in text and "<script" not in text.lower()
    assert "size: A4 portrait" in text and "font-size: 13pt" in text
    trips_table, totals_table = _tables(page)
    routes = _rows(tmp_path / "meal_routes.csv")
    by_trip: Counter[tuple[str, str]] = Counter()
    by_diet: Counter[str] = Counter()
    for r in routes:
        name = next(v.name for v in community.volunteers if v.volunteer_id == r["volunteer_id"])
        by_trip[(f"{name} ({r['volunteer_id']})", r["trip"])] += int(r["portions"])
        combination = diet_combination(t for t in r["diet"].split(";") if t)
        by_diet[diet_combination_text(combination, "en")] += int(r["portions"])
    assert _trips(trips_table) == dict(by_trip)
    # Departure order, as the kitchen hands the trips out.
    departures = [row[0] for row in trips_table[1:] if len(row) == 6]
    assert departures == sorted(departures)
    # The day's totals: per diet in words, and every portion of the day.
    *diets, (_, everything) = totals_table[1:]
    assert {d: int(n) for d, n in diets} == dict(by_diet)
    assert int(everything) == sum(int(r["portions"]) for r in routes)
    # R001 is diabetic;soft: one portion of one kind, said in words.
    assert "diabetic + soft food" in by_diet


def test_the_page_in_chinese(tmp_path: Path, community: Community, meal_plan: MealPlan) -> None:
    page = packing_sheet([meal_plan], community.with_policy(lang="zh"))
    text = page.decode("utf-8")
    assert '<html lang="zh-CN">' in text
    assert "装餐清单" in text and "当天厨房合计" in text and "糖尿病餐 + 软食" in text
    english = packing_sheet([meal_plan], community).decode("utf-8")
    names = [v.name for v in community.volunteers] + [s.name for s in community.sites]
    for name in names:
        english = english.replace(name, "")
    assert not CJK.search(english)
    # The same counts in either language.
    zh_tables, en_tables = _tables(page), _tables(packing_sheet([meal_plan], community))
    assert [row[-1] for row in zh_tables[1][1:]] == [row[-1] for row in en_tables[1][1:]]
    assert _trips(zh_tables[0]).values() and list(_trips(zh_tables[0]).values()) == list(
        _trips(en_tables[0]).values()
    )


def test_a_week_has_a_page_part_per_day_and_a_day_without_trips_says_so(
    tmp_path: Path, community: Community, meal_plan: MealPlan
) -> None:
    quiet = MealPlan(status=Status.EMPTY, date=meal_plan.date + dt.timedelta(days=1))
    week = WeekPlan(
        status=Status.FEASIBLE,
        start=meal_plan.date,
        end=quiet.date,
        meals=(quiet, meal_plan),
        campaign=None,
        shifts=None,
    )
    write_plan(week, tmp_path, community)
    page = (tmp_path / PACKING_SHEET).read_text(encoding="utf-8")
    first, second = page.index(str(meal_plan.date)), page.index(str(quiet.date))
    assert first < second and "No deliveries." in page[second:]
    assert "No deliveries." not in page[:second]
    served = sum(t.portions for t in meal_plan.trips)
    sums = re.findall(r'<tr class="sum"><td>all portions</td><td class="count">(\d+)</td>', page)
    assert sums == [str(served), "0"]
