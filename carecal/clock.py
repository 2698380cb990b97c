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
import unicodedata
from typing import NamedTuple

from carecal.errors import CommunityError, OptionError
from carecal.i18n import N_, Message

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
    # 周一, 星期一, 礼拜一 (and 週一, 禮拜一 as Traditional Chinese writes them); Sunday is
    # 日 or 天.
    **{
        f"{prefix}{number}": day
        for prefix in ("周", "週", "星期", "礼拜", "禮拜")
        for numbers, day in zip(("一", "二", "三", "四", "五", "六", "日天"), WEEKDAYS, strict=True)
        for number in numbers
    },
}

# The written forms of a time of day: 9:00, 09:00:00 (Excel), 9：00 (full width, folded by
# half_width), and as Excel and people in Chinese write it: 9点, 9点30分, 9点半, 9时30分,
# 下午2点 (an afternoon hour below 12 is 12 hours later).
_TIME_RE = re.compile(r"^(\d{1,2})[:.](\d{2})(?::(\d{2})(?:\.\d+)?)?$")
_CHINESE_TIME_RE = re.compile(
    r"^(?P<part>上午|早上|中午|下午|晚上)?\s*(?P<h>\d{1,2})\s*[点點时時]"
    r"\s*(?:(?P<half>半)|(?P<m>\d{1,2})\s*分?)?\s*(?:(?P<s>\d{1,2})\s*秒)?$"
)
_AFTERNOON = ("下午", "晚上")

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


def half_width(text: str) -> str:
    """``text`` with full-width digits, letters and punctuation as their ASCII twins.

    A Chinese input method types ``１９６３／２／１４`` and ``９：００``; Unicode's
    compatibility form (NFKC) folds them to ``1963/2/14`` and ``9:00``. Only cells that
    carecal parses (numbers, dates, times, flags, names from a list) are folded; a name or
    an address is kept exactly as written.
    """
    return unicodedata.normalize("NFKC", str(text)).strip()


def parse_time(text: str) -> int:
    """Parse a time of day into minutes since midnight.

    Accepts ``"HH:MM"`` (24 h; ``"24:00"`` allowed) and the forms Excel and people write:
    ``9:00``, ``09:00:00``, ``9点``, ``9点30分``, ``9点半``, ``9时30分``, ``下午2点`` (14:00),
    with full-width digits and colons too.

    Raises
    ------
    CommunityError
        With a sentence saying what was expected. It is a ``ValueError``: the readers catch
        it per cell and add the file, row and column.
    """
    folded = half_width(text)
    match = _TIME_RE.match(folded)
    chinese = None if match else _CHINESE_TIME_RE.match(folded)
    if match:
        hours, minutes = int(match.group(1)), int(match.group(2))
        seconds = int(match.group(3) or 0)
    elif chinese:
        hours = int(chinese["h"])
        minutes = 30 if chinese["half"] else int(chinese["m"] or 0)
        seconds = int(chinese["s"] or 0)
        if chinese["part"] in _AFTERNOON and 1 <= hours < 12:
            hours += 12
    else:
        raise CommunityError(
            Message(N_("'{text}' is not a time; write it as HH:MM, for example 09:30"), text=text)
        )
    if minutes > 59 or seconds > 59 or hours > 24 or (hours == 24 and minutes + seconds > 0):
        raise CommunityError(
            Message(N_("'{text}' is not a time of day; use 00:00 to 24:00"), text=text)
        )
    # Seconds come from Excel's hh:mm:ss; carecal plans in whole minutes.
    return hours * 60 + minutes + (1 if seconds >= 30 else 0)


def format_time(minutes: int | float) -> str:
    """Format minutes since midnight as ``"HH:MM"`` (rounded to the minute)."""
    total = round(minutes)
    sign = "-" if total < 0 else ""
    total = abs(total)
    return f"{sign}{total // 60:02d}:{total % 60:02d}"


# Year first, as ISO and as Excel in Chinese writes dates: 1963-02-14, 1963-2-14, 1963/2/14,
# 1963.2.14, 1963年2月14日 (号 for 日 too); a time part Excel adds ("1963/2/14 0:00",
# "1963-02-14T00:00:00") is dropped.
_TIME_PART = r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_YEAR_FIRST_RE = re.compile(
    r"^(?P<y>\d{4})\s*(?P<sep>[-/.])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})"
    + _TIME_PART
    + "$"
)
_CHINESE_DATE_RE = re.compile(
    r"^(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号號]?" + _TIME_PART + "$"
)
# Year last (02/03/1950, 14.2.1950): day-first in China and Europe, month-first in the
# USA. carecal never guesses which, so these are refused with the fix.
_YEAR_LAST_RE = re.compile(r"^(?P<a>\d{1,2})\s*[-/.]\s*(?P<b>\d{1,2})\s*[-/.]\s*(?P<y>\d{4})$")


def _calendar_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def parse_date(text: str) -> dt.date:
    """Parse a date written year first into a date.

    Accepts ``"YYYY-MM-DD"`` and the forms Excel in Chinese writes: ``1963/2/14``,
    ``1963-2-14``, ``1963.2.14``, ``1963年2月14日``, with full-width digits too, and
    with a midnight time part Excel adds. A date with the year last (``02/03/1950``,
    ``14/02/1950``) is refused: day-first and month-first cannot be told apart, and
    carecal never guesses.

    Raises
    ------
    CommunityError
        With a sentence saying what was expected (a ``ValueError``, as for
        :func:`parse_time`). An argument of a planner goes through :func:`coerce_date`
        instead, which raises ``OptionError``.
    """
    folded = half_width(text)
    match = _YEAR_FIRST_RE.match(folded) or _CHINESE_DATE_RE.match(folded)
    if match:
        day = _calendar_date(int(match["y"]), int(match["m"]), int(match["d"]))
        if day is not None:
            return day
        raise CommunityError(
            Message(
                N_(
                    "'{text}' is not a date on the calendar; correct the month or the day "
                    "(write it as YYYY-MM-DD, for example 2026-03-02)"
                ),
                text=text,
            )
        )
    last = _YEAR_LAST_RE.match(folded)
    if last:
        year, a, b = int(last["y"]), int(last["a"]), int(last["b"])
        readings = list(
            dict.fromkeys(d for d in (_calendar_date(year, b, a), _calendar_date(year, a, b)) if d)
        )
        if len(readings) == 2:
            first, second = readings
            raise CommunityError(
                Message(
                    N_(
                        "'{text}' has the year last, so it could be {first} or {second}; "
                        "carecal never guesses the order of day and month: write it year "
                        "first as YYYY-MM-DD or as {chinese}"
                    ),
                    text=text,
                    first=first.isoformat(),
                    second=second.isoformat(),
                    chinese=_chinese_date(first),
                )
            )
        if readings:
            (only,) = readings
            raise CommunityError(
                Message(
                    N_(
                        "'{text}' has the year last; carecal never guesses the order of day "
                        "and month: write it year first as YYYY-MM-DD ({date}) or as {chinese}"
                    ),
                    text=text,
                    date=only.isoformat(),
                    chinese=_chinese_date(only),
                )
            )
    raise CommunityError(
        Message(
            N_("'{text}' is not a date; write it as YYYY-MM-DD, for example 2026-03-02"), text=text
        )
    )


def parse_weekday(text: str) -> str:
    """Normalise a weekday name (``"mon"``, ``"Monday"``, ``"周一"``) to ``"Mon"``..``"Sun"``.

    Raises
    ------
    CommunityError
        When the text is not a weekday (a ``ValueError``, as for :func:`parse_time`).
    """
    key = half_width(text).lower()
    if key in _WEEKDAY_ALIASES:
        return _WEEKDAY_ALIASES[key]
    raise CommunityError(
        Message(N_("'{text}' is not a weekday; use Mon, Tue, Wed, Thu, Fri, Sat or Sun"), text=text)
    )


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


_NOW_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2})$")


def coerce_now(now: object, day: dt.date, argument: str = "now") -> dt.datetime | None:
    """The moment a re-plan starts from, as a naive local :class:`datetime.datetime`.

    Everything of the plan before it happened already and is kept (``carecal.replan_*``).

    Parameters
    ----------
    now
        ``None`` (nothing has happened yet: nothing is frozen); a naive
        ``datetime.datetime`` or ``pandas.Timestamp``; ``"YYYY-MM-DD HH:MM"``; or a time
        of day, ``"HH:MM"`` (also as Excel writes it, ``9:10``, ``9点10分``) or a
        ``datetime.time``, which is that time on ``day``.
    day
        The date a time of day falls on: the plan's (first) date.
    argument
        The argument's name, for the message.

    Raises
    ------
    carecal.OptionError
        For a time-zone-aware value or anything that does not name a moment.
    """
    how = "give 'HH:MM' (on the plan's date), 'YYYY-MM-DD HH:MM', or a naive datetime"
    if now is None:
        return None
    if _is_numpy_datetime(now):
        now = now.astype("datetime64[us]").item()  # type: ignore[attr-defined]
    if isinstance(now, dt.datetime):
        if now != now:  # pandas.NaT
            raise OptionError(f"{argument} is NaT (not a time); {how}")
        if now.tzinfo is not None:
            raise OptionError(
                f"{argument} {now} carries a time zone; carecal plans in the centre's local "
                f"time, so {how}"
            )
        return dt.datetime(now.year, now.month, now.day, now.hour, now.minute)
    if isinstance(now, dt.time):
        if now.tzinfo is not None:
            raise OptionError(f"{argument} {now} carries a time zone; {how}")
        return dt.datetime.combine(day, dt.time(now.hour, now.minute))
    if isinstance(now, str):
        text = half_width(now.strip())
        match = _NOW_RE.match(text)
        try:
            if match:
                on = dt.date.fromisoformat(match.group(1))
                minutes = parse_time(match.group(2))
            else:
                on, minutes = day, parse_time(text)
        except ValueError:
            pass
        else:
            if minutes < 24 * 60:
                return dt.datetime.combine(on, dt.time(minutes // 60, minutes % 60))
        raise OptionError(
            f"{argument} '{now}' is not a time; write HH:MM (for example 09:10) or YYYY-MM-DD HH:MM"
        )
    raise OptionError(f"{argument} {now!r} ({type(now).__name__}) is not a time; {how}")
