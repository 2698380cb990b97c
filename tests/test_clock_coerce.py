"""One coercion of dates at the public edge: every type naming a day means that day."""

from __future__ import annotations

import contextlib
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from carecal.clock import coerce_date, coerce_now, coerce_period
from carecal.errors import CarecalError, OptionError

days = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31))


def _spellings(day: dt.date) -> list[object]:
    midnight = dt.datetime(day.year, day.month, day.day)
    return [
        day,
        day.isoformat(),
        f"{day.isoformat()} 00:00",
        f"{day.isoformat()}T00:00:00",
        midnight,
        pd.Timestamp(midnight),
        np.datetime64(day.isoformat()),
        np.datetime64(midnight, "ns"),
        np.datetime64(midnight, "s"),
    ]


@given(days)
def test_every_type_naming_a_day_gives_that_plain_date(day: dt.date) -> None:
    for value in _spellings(day):
        got = coerce_date(value)
        assert got == day
        assert type(got) is dt.date, type(value)


@given(days, st.integers(min_value=1, max_value=24 * 3600 - 1))
def test_a_time_of_day_is_refused_naming_the_argument(day: dt.date, seconds: int) -> None:
    moment = dt.datetime(day.year, day.month, day.day) + dt.timedelta(seconds=seconds)
    for value in (moment, pd.Timestamp(moment), np.datetime64(moment, "s")):
        with pytest.raises(OptionError, match=r"^start .* has a time of day"):
            coerce_date(value, "start")


@given(days, st.sampled_from(["UTC", "Etc/GMT-8"]))  # fixed offsets: no DST gaps
def test_a_time_zone_is_refused(day: dt.date, zone: str) -> None:
    for value in (
        pd.Timestamp(day).tz_localize(zone),
        dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC),
    ):
        with pytest.raises(OptionError, match="time zone"):
            coerce_date(value, "date")


def test_a_nanosecond_past_midnight_is_a_time_of_day() -> None:
    with pytest.raises(OptionError, match="time of day"):
        coerce_date(pd.Timestamp("2026-12-07") + pd.Timedelta(1, "ns"))


@pytest.mark.parametrize(
    "value",
    [
        None,
        3,
        3.0,
        True,
        "",
        "x",
        "2026-13-01",
        "2026/12/07",
        "07.12.2026",
        pd.NaT,
        np.datetime64("NaT"),
        [2026, 12, 7],
        b"2026-12-07",
    ],
)
def test_what_names_no_day_is_refused(value: object) -> None:
    with pytest.raises(OptionError, match=r"^date"):
        coerce_date(value)


@given(st.one_of(st.text(), st.integers(), st.floats(), st.binary(), st.none()))
def test_only_carecal_errors_come_out(value: object) -> None:
    with contextlib.suppress(CarecalError):
        coerce_date(value, "date")


def test_period_defaults_and_order() -> None:
    assert coerce_period("2026-12-07", None, default_days=7) == (
        dt.date(2026, 12, 7),
        dt.date(2026, 12, 13),
    )
    assert coerce_period(pd.Timestamp("2026-12-07"), np.datetime64("2026-12-07")) == (
        dt.date(2026, 12, 7),
        dt.date(2026, 12, 7),
    )
    with pytest.raises(OptionError, match="end 2026-12-06 comes before start 2026-12-07"):
        coerce_period("2026-12-07", "2026-12-06")
    with pytest.raises(OptionError, match="end is missing"):
        coerce_period("2026-12-07", None)


# --- coerce_now: the moment a re-plan starts from ---------------------------------------


def test_now_as_a_time_of_day_falls_on_the_plans_date() -> None:
    day = dt.date(2026, 12, 7)
    assert coerce_now("09:10", day) == dt.datetime(2026, 12, 7, 9, 10)
    assert coerce_now("9点10分", day) == dt.datetime(2026, 12, 7, 9, 10)
    assert coerce_now(dt.time(9, 10), day) == dt.datetime(2026, 12, 7, 9, 10)
    assert coerce_now("2026-12-08 07:05", day) == dt.datetime(2026, 12, 8, 7, 5)
    assert coerce_now(dt.datetime(2026, 12, 8, 7, 5, 30), day) == dt.datetime(2026, 12, 8, 7, 5)
    assert coerce_now(None, day) is None


@pytest.mark.parametrize(
    "bad",
    ["25:00", "soon", "2026-13-01 09:00", 910, dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)],
)
def test_now_that_names_no_moment_is_an_option_error(bad: object) -> None:
    with pytest.raises(OptionError, match="now"):
        coerce_now(bad, dt.date(2026, 12, 7))
