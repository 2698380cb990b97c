"""Plans of the sample community shared by the plan-folder tests, each made once.

Deterministic and short: on the sample community, a week of three dates (a Sunday without
meal orders, then the first two campaign days) with meals, the campaign and the shifts,
and the meals of one later day; the same on a generated community of 30 residents and 8
volunteers, whose folders hold a few files (for tests that write a folder many times).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import warnings
from pathlib import Path

import carecal
from carecal.datasets import make_community, sample_community
from carecal.model import Community
from carecal.plans import MealPlan, WeekPlan

SUNDAY = dt.date(2027, 2, 28)
"""The week's first date: nobody orders meals on Sundays in the sample."""
LAST = dt.date(2027, 3, 2)
MEALS_DAY = dt.date(2027, 3, 4)


@functools.cache
def community() -> Community:
    """The bundled sample community (320 residents, 36 volunteers)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", carecal.CarecalWarning)
        return sample_community()


@functools.cache
def week() -> WeekPlan:
    """2027-02-28 to 2027-03-02: meals (none on the Sunday), two campaign days, shifts."""
    return carecal.plan_week(community(), SUNDAY, LAST, time_limit=6, deterministic=True)


@functools.cache
def meals() -> MealPlan:
    """The meals of Thursday 2027-03-04."""
    return carecal.plan_meals(community(), MEALS_DAY, time_limit=2, deterministic=True)


def rows(path: Path) -> list[list[str]]:
    """A CSV file of a plan folder as rows, header first."""
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def write_rows(path: Path, table: list[list[str]]) -> None:
    """Write ``table`` back as a coordinator's spreadsheet would."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(table)


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative name, with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@functools.cache
def small_community() -> Community:
    """A generated community: 30 residents (4 on meal orders), 8 volunteers, one campaign
    day on 2027-03-01 and the generator's shifts."""
    return make_community(residents=30, volunteers=8, seed=3, campaign_days=1)


@functools.cache
def small_week() -> WeekPlan:
    """2027-03-01 and 02 of the small community: meals, the campaign day, the shifts
    (16 files: two route sheets, two escort sheets, seven timetables)."""
    start = dt.date(2027, 3, 1)
    return carecal.plan_week(
        small_community(), start, start + dt.timedelta(days=1), time_limit=3, deterministic=True
    )


@functools.cache
def small_meals() -> MealPlan:
    """The small community's meals of Thursday 2027-03-04 (4 files)."""
    return carecal.plan_meals(small_community(), MEALS_DAY, time_limit=2, deterministic=True)
