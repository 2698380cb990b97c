"""Tests of carecal.clock: times, dates and weekdays."""

import datetime as dt

import pytest

from carecal.clock import (
    TimeWindow,
    date_range,
    format_time,
    next_weekday,
    parse_date,
    parse_time,
    parse_weekday,
    weekday,
)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("00:00", 0),
        ("09:30", 570),
        ("9:05", 545),
        (" 12:30 ", 750),
        ("24:00", 1440),
        ("11：00", 660),
    ],
)
def test_parse_time(text: str, minutes: int) -> None:
    assert parse_time(text) == minutes


@pytest.mark.parametrize("text", ["", "930", "12:60", "25:00", "noon", "24:01"])
def test_parse_time_rejects_with_a_sentence(text: str) -> None:
    with pytest.raises(ValueError, match=r"HH:MM|00:00 to 24:00"):
        parse_time(text)


def test_format_time_round_trips() -> None:
    assert format_time(545) == "09:05"
    assert all(parse_time(format_time(m)) == m for m in range(0, 1441, 7))


def test_parse_date_accepts_excel_forms() -> None:
    assert parse_date("2026-03-02") == dt.date(2026, 3, 2)
    assert parse_date("2026/03/02") == dt.date(2026, 3, 2)
    assert parse_date("2026-03-02 00:00:00") == dt.date(2026, 3, 2)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_date("02.03.2026")


@pytest.mark.parametrize(("text", "day"), [("mon", "Mon"), (" Friday", "Fri"), ("周三", "Wed")])
def test_parse_weekday(text: str, day: str) -> None:
    assert parse_weekday(text) == day


def test_parse_weekday_rejects() -> None:
    with pytest.raises(ValueError, match="not a weekday"):
        parse_weekday("Mnday")


def test_weekday_and_ranges() -> None:
    assert weekday(dt.date(2026, 11, 30)) == "Mon"
    assert len(date_range(dt.date(2026, 11, 30), dt.date(2026, 12, 6))) == 7
    assert next_weekday(dt.date(2026, 11, 27)) == dt.date(2026, 11, 30)  # Fri -> Mon


def test_time_window_relations() -> None:
    w = TimeWindow(600, 700)
    assert w.contains(TimeWindow(610, 700))
    assert not w.contains(TimeWindow(590, 650))
    assert w.overlaps(TimeWindow(690, 720))
    assert not w.overlaps(TimeWindow(700, 720))
    assert str(w) == "10:00–11:40"
