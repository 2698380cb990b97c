"""One cell's value, both ways: clean and parse what a table holds, format what we write.

Every cell is read as text (:func:`clean_cell`) and parsed by its column's kind
(:func:`parse_cell`), so ids such as ``007`` keep their zeros and an empty cell means "use
the default". Cells are accepted as Excel in Chinese writes them: full-width digits and
punctuation, dates such as ``1963/2/14`` and ``1963年2月14日``, times such as ``9点30分``,
``是``/``否`` and ``√``/``×``, Chinese words for the values of a column (``轮椅``), ``；``,
``，`` and ``、`` between list items, and, from a workbook, Excel's date serial numbers and
fractions of a day. Writing,
:func:`format_cell` gives the text of a value and :func:`spreadsheet_safe` keeps a
spreadsheet from running it as a formula.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from enum import Enum
from typing import Any

import numpy as np
import pandas as pd

from carecal.clock import (
    DAY_MINUTES,
    format_time,
    half_width,
    parse_date,
    parse_time,
    parse_weekday,
)
from carecal.errors import CarecalError, CommunityError
from carecal.i18n import N_, Message
from carecal.io.problems import one_of, suggest
from carecal.io.schema import Column, Kind

_TRUE = {"true", "yes", "y", "1", "t", "是", "对", "有", "√", "✓", "✔"}
_FALSE = {"false", "no", "n", "0", "f", "否", "不", "不是", "无", "没有", "×", "✗", "✘"}
# ';' and, as a Chinese input method types them, '；', '，' and '、'. An ASCII comma stays
# an error (with the fix): in a CSV file it splits the row unless the cell is quoted.
_LIST_SPLIT = re.compile(r"[;；，、]")
# Excel's day numbers: day 1 is 1900-01-01 and day 60 the 1900-02-29 Lotus never had, so
# from day 61 on a day number counts from 1899-12-30.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# A bare number in a date column of a workbook is read as Excel's day number only when it
# falls on 1910-01-01 .. 2099-12-31: the birth of the oldest resident to the last campaign
# anyone plans now. A year typed alone (1963) is far below it and is refused.
_EXCEL_FIRST_DAY = (dt.date(1910, 1, 1) - _EXCEL_EPOCH).days
_EXCEL_LAST_DAY = (dt.date(2099, 12, 31) - _EXCEL_EPOCH).days
_INT_RE = re.compile(r"^[+-]?\d+$")
_FLOAT_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_DECIMAL_COMMA_RE = re.compile(r"^[+-]?\d+,\d+$")
_RISKY_START = ("=", "+", "-", "@", "\t", "\r")
_BLANKS = " \t\r\n\u00a0\u3000\ufeff"
_NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?([eE][+-]?\d+)?$")
_NOT_FINITE = {"inf", "infinity", "nan"}
# No count, minute or coordinate in a community comes near this; a cell beyond it is a
# pasted serial number or a slip of the keyboard, and Python would refuse very long whole
# numbers anyway (sys.set_int_max_str_digits), with a hint meant for programmers.
_LARGEST = 1e15


def clean_cell(value: Any) -> str:
    """Turn one cell (from CSV text, a workbook or a DataFrame) into stripped text.

    Empty cells, ``NaN`` and ``None`` become ``""``; whole floats such as ``60.0`` become
    ``"60"``; dates become ``YYYY-MM-DD``, times ``HH:MM``. A leading ``'`` that a
    spreadsheet-safe writer put before ``=``, ``+``, ``-``, ``@`` is removed again.
    """
    if value is None:
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return ""
        if number.is_integer() and abs(number) < 1e15:
            return str(int(number))
        return repr(number)
    if isinstance(value, int | np.integer):
        whole = int(value)
        if whole.bit_length() > 64:
            # Python refuses to write out very long whole numbers; such a cell is no value
            # carecal uses, so its order of magnitude is enough for the message.
            return f"{'-' if whole < 0 else ''}1e{int((whole.bit_length() - 1) * math.log10(2))}"
        return str(whole)
    if isinstance(value, pd.Timestamp | dt.datetime):
        if pd.isna(value):
            return ""
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        # openpyxl turns Excel's fraction of a day into a time that may fall a hair short
        # of the minute (09:09:59.999); the nearest minute is what the cell shows.
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return format_time(seconds / 60)
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    text = str(value).strip(_BLANKS)
    if len(text) > 1 and text[0] == "'" and text[1] in _RISKY_START:
        text = text[1:]
    return text


class _CellError(CommunityError):
    """A cell that cannot be parsed; the message (a :class:`~carecal.i18n.Message`, said in
    any language) says what is wrong and the fix."""


def norm_enum(text: str) -> str:
    """An enumeration value as carecal compares it: lower case, spaces and dashes as ``_``."""
    return re.sub(r"[\s\-]+", "_", text.strip(_BLANKS).lower())


def _shown(text: str) -> str:
    """A cell as a message quotes it: a very long one is cut, with its length."""
    return text if len(text) <= 24 else f"{text[:12]}… ({len(text):,} characters)"


def _unusable(text: str) -> _CellError:
    return _CellError(
        Message(
            N_(
                "'{cell}' is not a number carecal can use; write an ordinary number such as "
                "12 or 31.23"
            ),
            cell=_shown(text),
        )
    )


def _shortened(error: CarecalError, text: str) -> _CellError:
    """The parser's sentence about ``text`` with a very long cell cut (:func:`_shown`)."""
    (message,) = error.problems
    if isinstance(message, Message):
        return _CellError(
            message.with_values(**{k: _shown(text) for k, v in message.values.items() if v == text})
        )
    return _CellError(message.replace(text, _shown(text)))


def _parse_int(text: str) -> int:
    if _INT_RE.match(text):
        # Counted before int() is called: Python refuses to convert very long digit runs.
        if len(text.lstrip("+-").lstrip("0")) > len(str(int(_LARGEST))):
            raise _unusable(text)
        whole = int(text)
        if abs(whole) >= _LARGEST:
            raise _unusable(text)
        return whole
    if _FLOAT_RE.match(text):
        number = _parse_float(text)
        if number.is_integer():
            return int(number)
    if _DECIMAL_COMMA_RE.match(text):
        raise _CellError(
            Message(N_("'{cell}' uses a decimal comma; write a whole number"), cell=_shown(text))
        )
    raise _CellError(
        Message(
            N_("'{cell}' is not a whole number; write digits only, for example 3"),
            cell=_shown(text),
        )
    )


def _parse_float(text: str) -> float:
    if _FLOAT_RE.match(text):
        number = float(text)
        # 1e400 and a thousand nines parse to inf; no rule of carecal means infinity.
        if not math.isfinite(number) or abs(number) >= _LARGEST:
            raise _unusable(text)
        return number
    if text.lower().lstrip("+-") in _NOT_FINITE:
        raise _unusable(text)
    if _DECIMAL_COMMA_RE.match(text):
        raise _CellError(
            Message(
                N_("'{cell}' uses a decimal comma; write {number} with a decimal point"),
                cell=_shown(text),
                number=_shown(text.replace(",", ".")),
            )
        )
    raise _CellError(
        Message(
            N_("'{cell}' is not a number; write it with a decimal point, e.g. 31.23"),
            cell=_shown(text),
        )
    )


def _parse_bool(text: str) -> bool:
    key = text.strip(_BLANKS).lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise _CellError(
        Message(
            N_("'{cell}' is not yes or no; write true/false, yes/no, 1/0 or {yes}/{no}"),
            cell=_shown(text),
            yes="是",
            no="否",
        )
    )


def _excel_number(text: str) -> float | None:
    """The number in a workbook cell, or ``None`` when the cell is not a plain number."""
    folded = half_width(text)
    if not _FLOAT_RE.match(folded):
        return None
    number = float(folded)
    return number if math.isfinite(number) else None


def _parse_time(text: str, excel: bool = False) -> int:
    number = _excel_number(text) if excel else None
    if number is not None and 0 <= number <= 1:
        # A time cell Excel stores as a fraction of a day (0.375 is 09:00), shown as a
        # number when the cell lost its time format.
        return round(number * DAY_MINUTES)
    try:
        return parse_time(text)
    except CarecalError as e:
        raise _shortened(e, text) from None


def _parse_date(text: str, excel: bool = False) -> dt.date:
    number = _excel_number(text) if excel else None
    if number is not None and number.is_integer():
        if _EXCEL_FIRST_DAY <= number <= _EXCEL_LAST_DAY:
            return _EXCEL_EPOCH + dt.timedelta(days=int(number))
        raise _CellError(
            Message(
                N_(
                    "'{cell}' is a number, not a date; write the date as YYYY-MM-DD, for "
                    "example 1963-02-14, or format the cell as a date in Excel"
                ),
                cell=_shown(text),
            )
        )
    try:
        return parse_date(text)
    except CarecalError as e:
        raise _shortened(e, text) from None


def _parse_day(text: str, excel: bool = False) -> str | dt.date:
    try:
        return parse_weekday(text)
    except ValueError:
        pass
    try:
        return _parse_date(text, excel)
    except ValueError as e:
        if "year last" in str(e) or "a number, not" in str(e):
            raise  # the date's own message says how to write it
        raise _CellError(
            Message(
                N_(
                    "'{cell}' is not a weekday or a date; use Mon, Tue, Wed, Thu, Fri, Sat, Sun "
                    "(or {first} .. {last}) or a date as YYYY-MM-DD"
                ),
                cell=_shown(text),
                first="周一",
                last="周日",
            )
        ) from None


def _parse_moment(text: str, excel: bool = False) -> dt.date | dt.datetime:
    """A date, or a date and a time of day (``2026-03-02 09:00``, ``2026年3月2日 9点``).

    A time of 00:00 is dropped, as from any date cell: Excel writes a date as
    ``2026/3/2 0:00``, so a date with 00:00 is that whole day.
    """
    number = _excel_number(text) if excel else None
    if number is not None and not number.is_integer():
        # Excel's day number with a fraction of a day: a date and time in one cell.
        day = _parse_date(str(math.floor(number)), excel)
        minutes = round((number - math.floor(number)) * DAY_MINUTES)
        return dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes)
    folded = half_width(text).strip()
    parts = re.split(r"(?<=[\d日号號])(?:\s+|T)(?=\S*\d)", folded, maxsplit=1)
    if len(parts) == 2 and not re.fullmatch(r"0{1,2}:00(?::00)?", parts[1]):
        day = _parse_date(parts[0], excel)
        minutes = _parse_time(parts[1])
        return dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes)
    return _parse_date(folded, excel)


def enum_value(text: str, column: Column) -> str | None:
    """The allowed value of ``column`` a cell names (``Wheelchair ``, ``轮椅``), if any."""
    return column.value_of(norm_enum(half_width(text)))


def _parse_enum(text: str, column: Column) -> str:
    value = enum_value(text, column)
    if value is not None:
        return value
    key = norm_enum(text)
    raise _CellError(
        Message(
            N_("'{cell}' is not a known {column}; {fix}"),
            cell=_shown(text),
            column=column.name,
            fix=suggest(key, column.allowed, _use(column)),
        )
    )


def _use(column: Column) -> Message:
    return Message(N_("use {choices}"), choices=one_of(column.allowed))


def _list_item(item: str, column: Column) -> str | None:
    if column.name == "meal_days":
        try:
            return parse_weekday(item)
        except ValueError:
            return None
    return enum_value(item, column)


def _parse_list(text: str, column: Column) -> tuple[str, ...]:
    items = [i.strip(_BLANKS) for i in _LIST_SPLIT.split(text)]
    items = [i for i in items if i]
    if not column.allowed:
        return tuple(dict.fromkeys(items))
    out: list[str] = []
    for item in items:
        value = _list_item(item, column)
        if value is None:
            msgid = (
                N_("'{cell}' is not a known {item}; {fix}; separate items with ; (not a comma)")
                if "," in item
                else N_("'{cell}' is not a known {item}; {fix}")
            )
            raise _CellError(
                Message(
                    msgid,
                    cell=_shown(item),
                    item=column.name.rstrip("s").replace("_", " "),
                    fix=suggest(norm_enum(item), column.allowed, _use(column)),
                )
            )
        out.append(value)
    return tuple(dict.fromkeys(out))


def parse_cell(text: str, column: Column, *, excel: bool = False) -> Any:
    """Parse one non-empty cell according to its column's kind.

    Parameters
    ----------
    text
        The cell, as :func:`clean_cell` gives it.
    column
        Its column.
    excel
        Whether the cell comes from an Excel workbook: a whole number in a date column is
        then Excel's day number (within 1910..2099), and a number from 0 to 1 in a time
        column a fraction of a day.

    Raises
    ------
    CommunityError
        With a sentence fragment saying what is wrong and how to write it; the readers
        catch it (as the ``ValueError`` it also is) and add the file, row and column.
    """
    kind = column.kind
    if kind == Kind.TEXT:
        return text
    # Full-width digits, signs and points (３１．２, －１) are folded for numbers and flags;
    # dates, times and names from a list fold their own.
    if kind == Kind.INT:
        return _parse_int(half_width(text))
    if kind == Kind.FLOAT:
        return _parse_float(half_width(text))
    if kind == Kind.BOOL:
        return _parse_bool(half_width(text))
    if kind == Kind.TIME:
        return _parse_time(text, excel)
    if kind == Kind.DATE:
        return _parse_date(text, excel)
    if kind == Kind.DAY:
        return _parse_day(text, excel)
    if kind == Kind.ENUM:
        return _parse_enum(text, column)
    if kind == Kind.MOMENT:
        return _parse_moment(text, excel)
    return _parse_list(text, column)


# --- writing ---------------------------------------------------------------------------------


def spreadsheet_safe(text: str) -> str:
    """Return ``text`` so that a spreadsheet shows it as text, never runs it as a formula.

    A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading ``'``; plain numbers such as ``-33.86`` are left alone.
    """
    if text.startswith(_RISKY_START) and not _NUMBER_RE.match(text):
        return "'" + text
    return text


def _number(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def format_cell(value: Any, column: Column) -> str:
    """Format one value for a cell of ``column`` (times ``HH:MM``, lists ``;``-joined).

    ``None`` is an empty cell. The result is not yet made spreadsheet-safe.
    """
    if value is None:
        return ""
    kind = column.kind
    if kind == Kind.TIME:
        return format_time(value)
    if kind == Kind.LIST:
        return ";".join(_plain(v) for v in value)
    if kind == Kind.BOOL:
        return "true" if value else "false"
    if isinstance(value, float | int) and not isinstance(value, bool):
        return _number(value)
    return _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
