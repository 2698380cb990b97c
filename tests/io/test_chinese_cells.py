"""Cells as Excel in Chinese writes them: dates, times, weekdays, full-width digits, flags,
Chinese words for values, list separators, and Excel's day numbers and fractions of a day."""

from __future__ import annotations

import datetime as dt

import pytest

from carecal.clock import parse_date, parse_time, parse_weekday
from carecal.io.cells import clean_cell, parse_cell
from carecal.io.schema import INPUT_TABLES

RESIDENTS = INPUT_TABLES["residents"]
VOLUNTEERS = INPUT_TABLES["volunteers"]


@pytest.mark.parametrize(
    "text",
    [
        "1963-02-14",
        "1963/2/14",
        "1963-2-14",
        "1963.2.14",
        "1963年2月14日",
        "1963年02月14号",
        " 1963 年 2 月 14 日 ",
        "１９６３／２／１４",
        "１９６３年２月１４日",
        "1963/2/14 0:00",
        "1963-02-14 00:00:00",
        "1963-02-14T00:00:00",
    ],
)
def test_dates_as_excel_in_chinese_writes_them(text: str) -> None:
    assert parse_date(text) == dt.date(1963, 2, 14)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("02/03/1950", "could be 1950-03-02 or 1950-02-03; carecal never guesses"),
        ("02/03/1950", "write it year first as YYYY-MM-DD or as 1950年3月2日"),
        ("12/11/1950", "could be 1950-11-12 or 1950-12-11"),
        ("14/02/1950", "has the year last; carecal never guesses the order of day and month"),
        ("14/02/1950", "YYYY-MM-DD (1950-02-14) or as 1950年2月14日"),
        ("2/14/1950", "YYYY-MM-DD (1950-02-14) or as 1950年2月14日"),
        ("１４／０２／１９５０", "(1950-02-14)"),
        ("02/31/1938", "is not a date; write it as YYYY-MM-DD"),
        ("63/2/14", "is not a date; write it as YYYY-MM-DD"),
        ("1963/2/30", "is not a date on the calendar"),
        ("1963年13月1日", "is not a date on the calendar"),
        ("2026-03-02 noon", "is not a date"),
        ("1963", "is not a date"),
    ],
)
def test_dates_that_are_refused_say_how_to_write_them(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=r"not a date|never guesses") as caught:
        parse_date(text)
    assert message in str(caught.value)


def test_the_same_day_twice_is_not_ambiguous() -> None:
    # 03/03/1950 reads the same both ways, yet the year is still last: refused all the same.
    with pytest.raises(ValueError, match=r"has the year last; .*\(1950-03-03\)"):
        parse_date("03/03/1950")


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("9:00", 540),
        ("09:00:00", 540),
        ("9点", 540),
        ("9点30分", 570),
        ("9点半", 570),
        ("9时30分", 570),
        ("9 点 05 分", 545),
        ("下午2点", 840),
        ("下午2点30分", 870),
        ("上午11点", 660),
        ("中午12点", 720),
        ("９：００", 540),
        ("１３点３０分", 810),
        ("12:29:30", 750),
        ("24:00", 1440),
    ],
)
def test_times_as_people_and_excel_write_them(text: str, minutes: int) -> None:
    assert parse_time(text) == minutes


@pytest.mark.parametrize("text", ["25点", "9点61分", "9:00:75", "24:00:30", "九点", "9h"])
def test_times_that_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a time"):
        parse_time(text)


@pytest.mark.parametrize(
    ("text", "day"),
    [("星期一", "Mon"), ("周日", "Sun"), ("星期天", "Sun"), ("礼拜三", "Wed"), ("Ｍｏｎ", "Mon")],
)
def test_weekdays_in_chinese(text: str, day: str) -> None:
    assert parse_weekday(text) == day


@pytest.mark.parametrize(
    ("column", "text", "value"),
    [
        ("floor", "１２", 12),
        ("lat", "３１．２２", 31.22),
        ("lat", "－３１．５", -31.5),
        ("has_lift", "√", True),
        ("has_lift", "×", False),
        ("has_lift", "有", True),
        ("has_lift", "无", False),
        ("has_lift", "是", True),
        ("mobility", "轮椅", "wheelchair"),
        ("mobility", "自理", "independent"),
        ("mobility", "独立", "independent"),
        ("mobility", "助行器", "walker"),
        ("mobility", "卧床", "bedridden"),
        ("mobility", "ＷＨＥＥＬＣＨＡＩＲ", "wheelchair"),
        ("meal_days", "周一；周三；周五", ("Mon", "Wed", "Fri")),
        ("meal_days", "星期一，星期二", ("Mon", "Tue")),
        ("meal_days", "周一、周四", ("Mon", "Thu")),
        ("diet", "软食；糖尿病", ("软食", "糖尿病")),
        ("birth_date", "１９６３／２／１４", dt.date(1963, 2, 14)),
        ("window_start", "１１：００", 660),
    ],
)
def test_residents_cells(column: str, text: str, value: object) -> None:
    assert parse_cell(text, RESIDENTS.column(column)) == value


@pytest.mark.parametrize(
    ("column", "text", "value"),
    [
        ("mode", "电动车", "ebike"),
        ("mode", "步行", "walk"),
        ("mode", "自行车", "bike"),
        ("mode", "汽车", "car"),
        (
            "skills",
            "送餐；陪诊；司机；急救；中心",
            ("meals", "escort", "driver", "first_aid", "centre"),
        ),
        ("skills", "护送", ("escort",)),
    ],
)
def test_volunteers_cells(column: str, text: str, value: object) -> None:
    assert parse_cell(text, VOLUNTEERS.column(column)) == value


def test_words_of_other_tables() -> None:
    sites, shifts = INPUT_TABLES["sites"], INPUT_TABLES["shifts"]
    for word, kind in (("厨房", "kitchen"), ("食堂", "kitchen"), ("诊所", "clinic")):
        assert parse_cell(word, sites.column("kind")) == kind
    for word, kind in (("医院", "clinic"), ("社区卫生服务中心", "clinic"), ("中心", "centre")):
        assert parse_cell(word, sites.column("kind")) == kind
    for word, role in (("送餐", "meals"), ("陪诊", "escort"), ("中心", "centre")):
        assert parse_cell(word, shifts.column("role")) == role
    assert parse_cell("轮椅", INPUT_TABLES["travel"].column("mode")) == "wheelchair"


def test_an_ascii_comma_in_a_list_is_still_an_error_with_the_fix() -> None:
    with pytest.raises(ValueError, match=r"separate items with ; \(not a comma\)"):
        parse_cell("Mon,Wed", RESIDENTS.column("meal_days"))


def test_an_unknown_chinese_word_is_refused_with_the_values() -> None:
    with pytest.raises(ValueError, match="'拐棍' is not a known mobility; use independent"):
        parse_cell("拐棍", RESIDENTS.column("mobility"))


def test_names_and_addresses_are_kept_as_written() -> None:
    assert parse_cell("蓬莱路２８９弄", RESIDENTS.column("address")) == "蓬莱路２８９弄"


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("23056", dt.date(1963, 2, 14)),
        ("46082", dt.date(2026, 3, 1)),
        ("3654", dt.date(1910, 1, 1)),
        ("73050", dt.date(2099, 12, 31)),
    ],
)
def test_excel_day_numbers_in_a_workbook_date_column(text: str, day: dt.date) -> None:
    assert parse_cell(text, RESIDENTS.column("birth_date"), excel=True) == day
    assert parse_cell(text, INPUT_TABLES["availability"].column("day"), excel=True) == day


@pytest.mark.parametrize("text", ["1963", "3653", "73051", "23056.5", "-5"])
def test_numbers_that_are_no_plausible_day_number_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"not a date|is a number, not a date"):
        parse_cell(text, RESIDENTS.column("birth_date"), excel=True)


def test_day_numbers_and_fractions_only_from_a_workbook() -> None:
    with pytest.raises(ValueError, match="is not a date"):
        parse_cell("23056", RESIDENTS.column("birth_date"))
    with pytest.raises(ValueError, match="is not a time"):
        parse_cell("0.375", RESIDENTS.column("window_start"))
    # Day numbers are for dates only: a number in a whole-number column stays a number.
    assert parse_cell("23056", RESIDENTS.column("age"), excel=True) == 23056


@pytest.mark.parametrize(
    ("text", "minutes"), [("0.375", 540), ("0.5416666666666666", 780), ("1", 1440), ("0", 0)]
)
def test_fractions_of_a_day_in_a_workbook_time_column(text: str, minutes: int) -> None:
    assert parse_cell(text, RESIDENTS.column("window_start"), excel=True) == minutes


def test_a_whole_number_in_a_workbook_time_column_is_refused() -> None:
    with pytest.raises(ValueError, match="is not a time"):
        parse_cell("9", RESIDENTS.column("window_start"), excel=True)


def test_workbook_time_cells_round_to_the_minute() -> None:
    assert clean_cell(dt.time(9, 9, 59, 999_000)) == "09:10"
    assert clean_cell(dt.time(9, 10, 0, 2_000)) == "09:10"
    assert clean_cell(dt.time(9, 30)) == "09:30"
