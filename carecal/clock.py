"""Dates, weekdays and times of day.

Every time inside carecal, in the model and in the solvers, is an ``int`` count of
**minutes since midnight** of the day in question. This is the one time unit of the
project: the routing solver, the CP-SAT models and the verifier all use it, so no
conversion happens between them. Travel times are rounded to whole minutes once, in
:mod:`carecal.travel`, and every later step (solver and verifier alike) uses those
rounded values.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from carecal.errors import CommunityError, OptionError

WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_WEEKDAY_ALIASES: dict[str, str] = {
    **{d.lower(): d for d in WEEKDAYS},
    "monday": "Mon",
    "tuesday": "Tue",
    "tues": "Tue",
    "wednesday": "Wed",
    "thursday": "Thu",
    "thur": "Thu",
    "thurs": "Thu",
    "friday": "Fri",
    "saturday": "Sat",
    "sunday": "Sun",
    "周一": "Mon",
    "周二": "Tue",
    "周三": "Wed",
    "周四": "Thu",
    "周五": "Fri",
    "周六": "Sat",
    "周日": "Sun",
    "周天": "Sun",
    "星期一": "Mon",
    "星期二": "Tue",
    "星期三": "Wed",
    "星期四": "Thu",
    "星期五": "Fri",
    "星期六": "Sat",
    "星期日": "Sun",
    "星期天": "Sun",
}

_TIME_RE = re.compile(r"^\s*(\d{1,2})[:：.](\d{2})(?::(\d{2}))?\s*$")

DAY_MINUTES = 24 * 60


class TimeWindow(NamedTuple):
    """A half-open interval of minutes since midnight, ``start <= t <= end``."""

    start: int
    end: int

    def contains(self, other: TimeWindow) -> bool:
        """Return whether ``other`` lies entirely inside this window."""
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, other: TimeWindow) -> bool:
        """Return whether the two windows share more than an end point."""
        return self.start < other.end and other.start < self.end

    def __str__(self) -> str:
        return f"{format_time(self.start)}–{format_time(self.end)}"


def parse_time(text: str) -> int:
    """Parse ``"HH:MM"`` (24 h; ``"24:00"`` allowed) into minutes since midnight.

    Raises
    ------
    CommunityError
        With a sentence saying what was expected. It is a ``ValueError``: the readers catch
        it per cell and add the file, row and column.
    """
    match = _TIME_RE.match(str(text))
    if not match:
        raise CommunityError(f"'{text}' is not a time; write it as HH:MM, for example 09:30")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes > 0):
        raise CommunityError(f"'{text}' is not a time of day; use 00:00 to 24:00")
    return hours * 60 + minutes


def format_time(minutes: int | float) -> str:
    """Format minutes since midnight as ``"HH:MM"`` (rounded to the minute)."""
    total = round(minutes)
    sign = "-" if total < 0 else ""
    total = abs(total)
    return f"{sign}{total // 60:02d}:{total % 60:02d}"


def parse_date(text: str) -> dt.date:
    """Parse ``"YYYY-MM-DD"`` (also ``YYYY/MM/DD``) into a date.

    Raises
    ------
    CommunityError
        With a sentence saying what was expected (a ``ValueError``, as for
        :func:`parse_time`). An argument of a planner goes through :func:`coerce_date`
        instead, which raises ``OptionError``.
    """
    cleaned = str(text).strip().replace("/", "-")
    # Excel hands dates over with a midnight time part.
    cleaned = cleaned.split(" ")[0].split("T")[0]
    try:
        return dt.date.fromisoformat(cleaned)
    except ValueError:
        raise CommunityError(
            f"'{text}' is not a date; write it as YYYY-MM-DD, for example 2026-03-02"
        ) from None


def parse_weekday(text: str) -> str:
    """Normalise a weekday name (``"mon"``, ``"Monday"``, ``"周一"``) to ``"Mon"``..``"Sun"``.

    Raises
    ------
    CommunityError
        When the text is not a weekday (a ``ValueError``, as for :func:`parse_time`).
    """
    key = str(text).strip().lower()
    if key in _WEEKDAY_ALIASES:
        return _WEEKDAY_ALIASES[key]
    raise CommunityError(f"'{text}' is not a weekday; use Mon, Tue, Wed, Thu, Fri, Sat or Sun")


def weekday(date: dt.date) -> str:
    """The weekday abbreviation (``"Mon"``..``"Sun"``) of a date."""
    return WEEKDAYS[date.weekday()]


def date_range(start: dt.date, end: dt.date) -> list[dt.date]:
    """All dates from ``start`` to ``end``, both included."""
    days = (end - start).days
    return [start + dt.timedelta(days=i) for i in range(days + 1)]


def next_weekday(after: dt.date) -> dt.date:
    """The first Monday-to-Friday date strictly after ``after``."""
    day = after + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MIDNIGHT_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]00:00(?::00(?:\.0+)?)?$")


def coerce_date(value: object, argument: str = "date") -> dt.date:
    """The day a public argument names, as a plain :class:`datetime.date`.

    This is the one coercion of dates at carecal's public edge: every planner and helper
    that takes a date calls it, so a day means the same whatever type names it.

    Parameters
    ----------
    value
        A ``datetime.date``; a ``"YYYY-MM-DD"`` string (also ``"YYYY-MM-DD 00:00"``);
        or a naive ``datetime.datetime``, ``pandas.Timestamp`` or ``numpy.datetime64`` at
        midnight.
    argument
        The argument's name, for the message (``"date"``, ``"start"``, ``"end"``, ...).

    Returns
    -------
    datetime.date
        Always the plain ``datetime.date`` type, never a subclass such as a timestamp.

    Raises
    ------
    carecal.OptionError
        For a time-zone-aware value, a time of day other than midnight, or anything that
        does not name a day; the message names the argument and how to write it.
    """
    how = "give a date, 'YYYY-MM-DD', or a naive timestamp at midnight"
    if _is_numpy_datetime(value):
        value = _from_numpy(value, argument, how)
    if isinstance(value, dt.datetime):
        if value != value:  # pandas.NaT, which is unequal to itself
            raise OptionError(f"{argument} is NaT (not a time); {how}")
        if value.tzinfo is not None:
            raise OptionError(
                f"{argument} {value} carries a time zone; carecal plans in the centre's "
                f"local time, so {how} (for a pandas Timestamp: ts.tz_localize(None))"
            )
        nanosecond = getattr(value, "nanosecond", 0)
        if (value.hour, value.minute, value.second, value.microsecond, nanosecond) != (
            0,
            0,
            0,
            0,
            0,
        ):
            raise OptionError(
                f"{argument} {value} has a time of day; {argument} names a whole day, so {how}"
            )
        return dt.date(value.year, value.month, value.day)
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, value.day)
    if isinstance(value, str):
        text = value.strip()
        match = _MIDNIGHT_RE.match(text)
        if match:
            text = match.group(1)
        if _DAY_RE.match(text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                pass
        raise OptionError(
            f"{argument} '{value}' is not a date; write it as YYYY-MM-DD, for example 2026-12-07"
        )
    raise OptionError(f"{argument} {value!r} ({type(value).__name__}) is not a date; {how}")


def _is_numpy_datetime(value: object) -> bool:
    kind = type(value)
    return kind.__name__ == "datetime64" and kind.__module__ == "numpy"


def _from_numpy(value: object, argument: str, how: str) -> dt.date:
    # numpy is loaded already when such a value exists. NaT is unequal to itself; a value
    # unequal to its own day has a time of day; a day outside years 1-9999 is no date.
    day = value.astype("datetime64[D]")  # type: ignore[attr-defined]
    if value != value:
        raise OptionError(f"{argument} is NaT (not a time); {how}")
    if value != day:
        raise OptionError(
            f"{argument} {value} has a time of day; {argument} names a whole day, so {how}"
        )
    converted = day.item()
    if not isinstance(converted, dt.date):
        raise OptionError(f"{argument} {value} is not a date carecal can plan; {how}")
    return converted


def coerce_period(
    start: object, end: object, *, default_days: int | None = None
) -> tuple[dt.date, dt.date]:
    """The first and last day of a period given as ``start, end`` (both included).

    ``end`` may be ``None`` when ``default_days`` is given: the period is then that many
    days from ``start``.

    Raises
    ------
    carecal.OptionError
        When either end does not name a day, ``end`` is missing, or it comes before
        ``start``.
    """
    first = coerce_date(start, "start")
    if end is None:
        if default_days is None:
            raise OptionError("end is missing; give the last day of the period (included)")
        return first, first + dt.timedelta(days=default_days - 1)
    last = coerce_date(end, "end")
    if last < first:
        raise OptionError(
            f"end {last} comes before start {first}; give the period as start, end "
            "with end on or after start (both days are included)"
        )
    return first, last
