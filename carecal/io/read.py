"""Read a community from a folder of CSV files, one ``.xlsx`` workbook, or DataFrames.

Every cell is read as text and parsed here, so ids such as ``007`` keep their zeros and
an empty cell means "use the default". Validation collects **every** problem across all
tables before raising one :class:`carecal.model.CommunityError`; each problem is a sentence
that names the file, the spreadsheet row (the header is row 1), the column, the entity and
the fix. Things that are not errors but may surprise (an unused column, a volunteer with
no free time) are issued as :class:`CarecalWarning`.

Opening files is kept apart from parsing text: :func:`community_from_csv_texts` and
:func:`parse_policy` take strings, :func:`community_from_frames` takes DataFrames, and
:func:`read_community` only opens files and hands their text over.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import math
import re
import sys
import tomllib
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from carecal.clock import (
    TimeWindow,
    format_time,
    parse_date,
    parse_time,
    parse_weekday,
    weekday,
)
from carecal.io.schema import INPUT_TABLES, SITE_KINDS, SITES, Column, Kind, Table
from carecal.model import (
    Availability,
    CampaignDay,
    Community,
    CommunityError,
    Request,
    Resident,
    ShiftTemplate,
    Site,
    SiteKind,
    TravelOverride,
    Volunteer,
)
from carecal.policy import MODES, Policy
from carecal.travel import TRAVEL_MODES, great_circle_km

MIN_AGE = 60
"""The roster lists residents aged 60 and over."""

REQUIRED_TABLES: tuple[str, ...] = tuple(t.name for t in INPUT_TABLES.values() if t.required)

_TRUE = {"true", "yes", "y", "1", "t", "是", "对", "√"}
_FALSE = {"false", "no", "n", "0", "f", "否", "不", "×"}
_LIST_SPLIT = re.compile(r"[;；]")
_INT_RE = re.compile(r"^[+-]?\d+$")
_FLOAT_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_DECIMAL_COMMA_RE = re.compile(r"^[+-]?\d+,\d+$")
_LIMIT_RE = re.compile(r"^(.+?)\s*[=:]\s*(\d+)$")
_RISKY_START = ("=", "+", "-", "@", "\t", "\r")
_BLANKS = " \t\r\n\u00a0\u3000\ufeff"
# Points farther than this from the middle of the community are suspicious.
_OUTLIER_KM = 50.0


class CarecalWarning(UserWarning):
    """Something in the input that carecal does not use or that looks odd, but is no error."""


def warn(message: str) -> None:
    """Issue a :class:`CarecalWarning` that points at the caller's line, outside carecal.io."""
    # stacklevel 2 is warn()'s caller; climb past every frame inside carecal.io.
    level, frame = 2, sys._getframe(1)
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith("carecal.io"):
        level, frame = level + 1, frame.f_back
    warnings.warn(CarecalWarning(message), stacklevel=level)


# --- raw tables: text cells ----------------------------------------------------------------


@dataclass
class RawTable:
    """One table as text cells, before parsing.

    Attributes
    ----------
    name
        The table name (``residents``).
    source
        How messages name the table: ``residents.csv``, ``data.xlsx sheet residents``.
    header
        The column names as written (stripped, lower case).
    rows
        The data rows, as lists of stripped text cells, padded to the header's length.
    labels
        How messages name each row: ``row 14`` (spreadsheet numbering, header = row 1),
        or ``index 12`` for a DataFrame.
    """

    name: str
    source: str
    header: list[str]
    rows: list[list[str]]
    labels: list[str]
    problems: list[str] = field(default_factory=list)


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
        return str(int(value))
    if isinstance(value, pd.Timestamp | dt.datetime):
        if pd.isna(value):
            return ""
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return format_time(value.hour * 60 + value.minute)
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    text = str(value).strip(_BLANKS)
    if len(text) > 1 and text[0] == "'" and text[1] in _RISKY_START:
        text = text[1:]
    return text


def decode_csv(data: bytes, source: str = "the file") -> str:
    """Decode the bytes of a CSV file: UTF-8 (with or without BOM), UTF-16, or GB18030.

    Raises
    ------
    CommunityError
        When the bytes are none of these encodings.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise CommunityError(
            [
                f"{source} is neither UTF-8 nor GB18030 text; save it from Excel as "
                "'CSV UTF-8 (comma delimited)'"
            ]
        ) from None


def _header(value: Any) -> str:
    """A column name as carecal compares it: stripped, lower case, spaces as ``_``."""
    return re.sub(r"\s+", "_", clean_cell(value).lower())


def _delimiter(header_line: str) -> str:
    # Excel in many European locales writes ';'-separated "CSV"; tabs come from copy-paste.
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def parse_csv_text(text: str, name: str, source: str | None = None) -> RawTable:
    """Split CSV text into a :class:`RawTable` (cells as text; nothing parsed yet).

    The delimiter is ``,`` unless the header line uses ``;`` or tabs instead. Rows with
    more non-empty cells than the header are reported (a decimal comma or an address with
    a comma, not in quotes), rows with fewer are padded, blank rows are skipped.

    Parameters
    ----------
    text
        The file's text.
    name
        The table name (``residents``).
    source
        How messages name the file; ``<name>.csv`` by default.
    """
    source = source or f"{name}.csv"
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line)))
    if not records:
        return RawTable(name, source, [], [], [], [f"{source} is empty; it needs a header row"])
    header = [_header(h) for h in records[0]]
    # A row wider than the header line itself was split by a comma inside a value, even
    # when the cell pushed out at the end is empty; empty cells within the header line's
    # own width (Excel's trailing empty columns) are fine.
    width = len(records[0])
    while header and header[-1] == "":
        header.pop()
    table = RawTable(name, source, header, [], [])
    for number, record in enumerate(records[1:], start=2):
        cells = [clean_cell(c) for c in record]
        if not any(cells):
            continue
        if len(cells) > len(header):
            extra = cells[len(header) :]
            if any(extra) or len(cells) > width:
                table.problems.append(
                    f"{source} row {number} has {len(cells)} cells but the header has "
                    f"{len(header)} columns; a value with a comma in it (a decimal comma such "
                    "as 31,23, or an address) must be in quotes, and decimals need a point"
                )
                continue
            cells = cells[: len(header)]
        cells += [""] * (len(header) - len(cells))
        table.rows.append(cells)
        table.labels.append(f"row {number}")
    return table


def frame_to_table(frame: pd.DataFrame, name: str, source: str | None = None) -> RawTable:
    """Turn a DataFrame into a :class:`RawTable` (every cell as text).

    Rows are named by their position as a spreadsheet would number them (header = row 1)
    when the index is the default ``0, 1, …``, and by their index label otherwise.
    """
    source = source or f"{name} table"
    header = [_header(h) for h in frame.columns]
    default_index = isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0
    table = RawTable(name, source, header, [], [])
    for position, (label, values) in enumerate(
        zip(frame.index, frame.itertuples(index=False, name=None), strict=True)
    ):
        cells = [clean_cell(v) for v in values]
        if not any(cells):
            continue
        table.rows.append(cells)
        table.labels.append(f"row {position + 2}" if default_index else f"index {label}")
    return table


# --- cell parsers --------------------------------------------------------------------------


class _CellError(ValueError):
    """A cell that cannot be parsed; the message says what is wrong and the fix."""


def _norm_enum(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip(_BLANKS).lower())


def _suggest(
    word: str, options: tuple[str, ...] | list[str], then: str, cutoff: float = 0.7
) -> str:
    """``did you mean X? Then…`` when ``word`` is close to one of ``options``, else ``then``."""
    close = difflib.get_close_matches(word.lower(), list(options), n=1, cutoff=cutoff)
    return f"did you mean {close[0]}? {then[0].upper()}{then[1:]}" if close else then


def _one_of(options: tuple[str, ...]) -> str:
    return ", ".join(options[:-1]) + " or " + options[-1] if len(options) > 1 else options[0]


def _parse_int(text: str) -> int:
    if _INT_RE.match(text):
        return int(text)
    if _FLOAT_RE.match(text) and float(text).is_integer():
        return int(float(text))
    if _DECIMAL_COMMA_RE.match(text):
        raise _CellError(f"'{text}' uses a decimal comma; write a whole number")
    raise _CellError(f"'{text}' is not a whole number; write digits only, for example 3")


def _parse_float(text: str) -> float:
    if _FLOAT_RE.match(text):
        return float(text)
    if _DECIMAL_COMMA_RE.match(text):
        raise _CellError(
            f"'{text}' uses a decimal comma; write {text.replace(',', '.')} with a decimal point"
        )
    raise _CellError(f"'{text}' is not a number; write it with a decimal point, e.g. 31.23")


def _parse_bool(text: str) -> bool:
    key = text.strip(_BLANKS).lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise _CellError(f"'{text}' is not yes or no; write true/false, yes/no, 1/0 or 是/否")


def _parse_time(text: str) -> int:
    try:
        return parse_time(text)
    except ValueError as e:
        raise _CellError(str(e)) from None


def _parse_date(text: str) -> dt.date:
    try:
        return parse_date(text)
    except ValueError as e:
        raise _CellError(str(e)) from None


def _parse_day(text: str) -> str | dt.date:
    try:
        return parse_weekday(text)
    except ValueError:
        pass
    try:
        return parse_date(text)
    except ValueError:
        raise _CellError(
            f"'{text}' is not a weekday or a date; use Mon, Tue, Wed, Thu, Fri, Sat, Sun "
            "or a date as YYYY-MM-DD"
        ) from None


def _parse_enum(text: str, column: Column) -> str:
    key = _norm_enum(text)
    if key in column.allowed:
        return key
    raise _CellError(
        f"'{text}' is not a known {column.name}; "
        + _suggest(key, column.allowed, f"use {_one_of(column.allowed)}")
    )


def _list_item(item: str, column: Column) -> str | None:
    if column.name == "meal_days":
        try:
            return parse_weekday(item)
        except ValueError:
            return None
    key = _norm_enum(item)
    return key if key in column.allowed else None


def _parse_list(text: str, column: Column) -> tuple[str, ...]:
    items = [i.strip(_BLANKS) for i in _LIST_SPLIT.split(text)]
    items = [i for i in items if i]
    if not column.allowed:
        return tuple(dict.fromkeys(items))
    out: list[str] = []
    for item in items:
        value = _list_item(item, column)
        if value is None:
            hint = "; separate items with ; (not a comma)" if "," in item or "、" in item else ""
            raise _CellError(
                f"'{item}' is not a known {column.name.rstrip('s').replace('_', ' ')}; "
                + _suggest(_norm_enum(item), column.allowed, f"use {_one_of(column.allowed)}")
                + hint
            )
        out.append(value)
    return tuple(dict.fromkeys(out))


def parse_cell(text: str, column: Column) -> Any:
    """Parse one non-empty cell according to its column's kind.

    Raises
    ------
    ValueError
        With a sentence fragment saying what is wrong and how to write it.
    """
    kind = column.kind
    if kind == Kind.TEXT:
        return text
    if kind == Kind.INT:
        return _parse_int(text)
    if kind == Kind.FLOAT:
        return _parse_float(text)
    if kind == Kind.BOOL:
        return _parse_bool(text)
    if kind == Kind.TIME:
        return _parse_time(text)
    if kind == Kind.DATE:
        return _parse_date(text)
    if kind == Kind.DAY:
        return _parse_day(text)
    if kind == Kind.ENUM:
        return _parse_enum(text, column)
    return _parse_list(text, column)


# --- reading rows --------------------------------------------------------------------------


@dataclass
class _Context:
    """Everything the table readers share: problems so far, warnings, policy, known ids."""

    policy: Policy
    as_of: dt.date
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ids: dict[str, set[str]] = field(default_factory=dict)
    points: list[tuple[str, float, float]] = field(default_factory=list)
    shift_refs: list[tuple[str, str]] = field(default_factory=list)


class _Row:
    """One data row of a table: parses cells and records problems with their place."""

    def __init__(
        self, ctx: _Context, spec: Table, raw: RawTable, index: int, columns: dict[str, int]
    ) -> None:
        self.ctx = ctx
        self.spec = spec
        self.raw = raw
        self.cells = raw.rows[index]
        self.label = raw.labels[index]
        self.columns = columns
        self.ok = True
        ident = self.text(spec.id_column) if spec.id_column else ""
        self.entity = f" ({spec.entity} {ident})" if ident else ""

    def where(self, column: str | None = None) -> str:
        """``residents.csv row 14 (resident R-0132), column age``."""
        place = f"{self.raw.source} {self.label}{self.entity}"
        return f"{place}, column {column}" if column else place

    def error(self, column: str | None, text: str) -> None:
        """Record a problem with this row (and ``column``)."""
        self.ok = False
        self.ctx.problems.append(f"{self.where(column)}: {text}")

    def warn(self, column: str | None, text: str) -> None:
        """Record a warning about this row."""
        self.ctx.warnings.append(f"{self.where(column)}: {text}")

    def text(self, column: str) -> str:
        """The cell's text, ``""`` when the column is absent."""
        i = self.columns.get(column)
        return self.cells[i] if i is not None else ""

    def value(self, column: str, *, required: bool = False, minimum: float | None = None) -> Any:
        """The parsed cell, or ``None`` when empty (an error too if ``required``) or bad."""
        text = self.text(column)
        if not text:
            # A missing column is reported once for the table, not again on every row.
            if required and column in self.columns:
                self.error(column, f"is empty; {self._fill_hint(column)}")
            return None
        spec = self.spec.column(column)
        try:
            value = parse_cell(text, spec)
        except ValueError as e:
            self.error(column, str(e))
            return None
        if minimum is not None and value < minimum:
            self.error(column, f"{text} is below {minimum:g}; write {minimum:g} or more")
            return None
        return value

    def _fill_hint(self, column: str) -> str:
        spec = self.spec.column(column)
        if spec.kind == Kind.ENUM:
            return f"write one of {_one_of(spec.allowed)}"
        if spec.kind == Kind.TIME:
            return "write a time as HH:MM"
        if spec.kind in (Kind.DATE, Kind.DAY):
            return "write a weekday (Mon..Sun) or a date (YYYY-MM-DD)"
        if column == self.spec.id_column:
            return f"give every {self.spec.entity} an id"
        return "fill it in"

    def build(self, model: type[BaseModel], **values: Any) -> Any:
        """Build a domain object from parsed values, or record why it could not be built."""
        if not self.ok:
            return None
        try:
            return model(**values)
        except ValidationError as e:
            for err in e.errors():
                column = ".".join(str(p) for p in err["loc"]) or None
                message = str(err["msg"]).removeprefix("Value error, ")
                self.error(column, f"{message}; correct the value")
            return None


def _check_columns(ctx: _Context, raw: RawTable, spec: Table) -> dict[str, int] | None:
    """Map column names to positions; report missing, duplicated and unknown columns.

    Returns ``None`` when required columns are missing (rows are still checked cell by
    cell, but no objects are built from them).
    """
    columns: dict[str, int] = {}
    known = spec.column_names
    suggested: set[str] = set()
    for i, name in enumerate(raw.header):
        if not name:
            if any(row[i] for row in raw.rows):
                ctx.warnings.append(
                    f"{raw.source}: column {i + 1} has values but no header; it is not used"
                )
            continue
        if name in columns:
            ctx.problems.append(
                f"{raw.source} has two columns called {name}; delete or rename one of them"
            )
            continue
        columns[name] = i
        if name in known:
            continue
        close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
        if close and close[0] not in raw.header:
            suggested.add(close[0])
            ctx.problems.append(
                f"{raw.source} has a column {name} that carecal does not know; did you mean "
                f"{close[0]}? Rename the column"
            )
        else:
            ctx.warnings.append(
                f"{raw.source}: column {name} is not used by carecal (kept in the file, ignored)"
            )
    missing = [c for c in spec.columns if c.required and c.name not in columns]
    for c in missing:
        if c.name in suggested:
            continue  # already reported as the likely typo of that column
        allowed = f" ({_one_of(c.allowed)})" if c.allowed and c.kind == Kind.ENUM else ""
        ctx.problems.append(
            f"{raw.source} has no column {c.name}; add it: {c.description}{allowed}"
        )
    if spec.name == "residents" and "birth_date" not in columns and "age" not in columns:
        ctx.problems.append(
            f"{raw.source} has neither a birth_date nor an age column; add one of them"
        )
        return None
    return None if missing else columns


def _rows(ctx: _Context, raw: RawTable, spec: Table) -> list[_Row]:
    ctx.problems.extend(raw.problems)
    checked = _check_columns(ctx, raw, spec)
    columns = checked or {n: i for i, n in enumerate(raw.header) if n in spec.column_names}
    rows = [_Row(ctx, spec, raw, i, columns) for i in range(len(raw.rows))]
    if checked is None:
        for r in rows:
            r.ok = False
    return rows


def _known_ids(rows: list[_Row], column: str) -> set[str] | None:
    """The ids in ``column`` (valid rows or not), or ``None`` when the column is absent."""
    if not rows or column not in rows[0].columns:
        return None if rows else set()
    return {r.text(column) for r in rows if r.text(column)}


def _unknown(r: _Row, column: str, value: str | None, known: set[str] | None) -> bool:
    """Whether ``value`` is not among ``known`` ids (``None``: that table is unreadable)."""
    return value is not None and known is not None and value not in known


def _store_ids(ctx: _Context, entity: str, ids: set[str] | None) -> None:
    if ids is not None:
        ctx.ids[entity] = ids


def _duplicate_ids(rows: list[_Row], column: str, entity: str) -> None:
    first: dict[str, str] = {}
    for r in rows:
        ident = r.text(column)
        if not ident:
            continue
        if ident in first:
            r.error(
                column,
                f"{ident} is also on {first[ident]}; give each {entity} their own id",
            )
        else:
            first[ident] = r.label


def _coordinates(r: _Row, *, required: bool) -> tuple[float | None, float | None]:
    lat = r.value("lat", required=required)
    lon = r.value("lon", required=required)
    if lat is None or lon is None:
        if (lat is None) != (lon is None) and r.text("lat") and r.text("lon") == "":
            r.error("lon", "is empty; give both lat and lon, or neither")
        elif (lat is None) != (lon is None) and r.text("lon") and r.text("lat") == "":
            r.error("lat", "is empty; give both lat and lon, or neither")
        return None, None
    if abs(lat) > 90 and abs(lon) <= 90:
        r.error(
            "lat",
            f"lat {lat:g} and lon {lon:g} look swapped: latitude runs from -90 to 90; "
            "swap the lat and lon values",
        )
        return None, None
    if abs(lat) > 90 or abs(lon) > 180:
        r.error(
            "lat",
            f"lat {lat:g}, lon {lon:g} is outside the Earth; latitude runs from -90 to 90 "
            "and longitude from -180 to 180",
        )
        return None, None
    if lat == 0 and lon == 0:
        r.error("lat", "lat 0, lon 0 is in the sea off Africa; fill in the real coordinates")
        return None, None
    r.ctx.points.append((r.where(), lat, lon))
    return lat, lon


# --- the tables ----------------------------------------------------------------------------


def _volunteers(ctx: _Context, raw: RawTable) -> list[Volunteer]:
    rows = _rows(ctx, raw, INPUT_TABLES["volunteers"])
    _store_ids(ctx, "volunteer", _known_ids(rows, "volunteer_id"))
    _duplicate_ids(rows, "volunteer_id", "volunteer")
    out = []
    for r in rows:
        vid = r.value("volunteer_id", required=True)
        name = r.value("name", required=True)
        lat, lon = _coordinates(r, required=False)
        mode = r.value("mode", required=True)
        capacity = r.value("capacity", minimum=1)
        skills = r.value("skills") or ()
        if r.text("skills") == "" and "skills" in r.columns:
            r.warn("skills", "is empty, so this volunteer is never planned; list their skills")
        v = r.build(
            Volunteer,
            volunteer_id=vid,
            name=name,
            lat=lat,
            lon=lon,
            mode=mode,
            capacity=capacity,
            skills=frozenset(skills),
            max_shifts_per_week=r.value("max_shifts_per_week", minimum=0),
            max_hours_per_week=r.value("max_hours_per_week", minimum=0),
            min_minutes_per_period=r.value("min_minutes_per_period", minimum=0),
            max_minutes_per_period=r.value("max_minutes_per_period", minimum=0),
            max_consecutive_days=r.value("max_consecutive_days", minimum=1),
            min_consecutive_days=r.value("min_consecutive_days", minimum=1),
            min_days_off_in_a_row=r.value("min_days_off_in_a_row", minimum=1),
            max_weekends=r.value("max_weekends", minimum=0),
            max_shifts_by_id=_shift_limits(r),
        )
        if v is not None:
            out.append(v)
    return out


def _shift_limits(r: _Row) -> dict[str, int]:
    """``max_shifts_by_id``: items ``shift_id=count`` (``:`` works too).

    The shift ids are checked once shifts.csv is read (:func:`_check_shift_limits`).
    """
    limits: dict[str, int] = {}
    for item in r.value("max_shifts_by_id") or ():
        match = _LIMIT_RE.match(item)
        if match is None:
            r.error(
                "max_shifts_by_id",
                f"'{item}' is not shift_id=count; write for example EVE=2;SAT=1",
            )
            continue
        limits[match.group(1)] = int(match.group(2))
        r.ctx.shift_refs.append((r.where("max_shifts_by_id"), match.group(1)))
    return limits


def _check_shift_limits(ctx: _Context) -> None:
    known = ctx.ids.get("shift")
    if known is None:
        return
    for where, sid in ctx.shift_refs:
        if sid not in known:
            ctx.problems.append(
                f"{where}: shift {sid} is not in shifts.csv; correct the shift_id or remove "
                "the limit"
            )


def _age_problem(r: _Row, birth: dt.date | None, age: int | None, as_of: dt.date) -> None:
    if birth is not None:
        if birth > as_of:
            r.error("birth_date", f"{birth} is in the future; correct the date of birth")
            return
        years = as_of.year - birth.year - ((as_of.month, as_of.day) < (birth.month, birth.day))
        if years < MIN_AGE:
            r.error(
                "birth_date",
                f"born {birth}, so {years} on {as_of}, under {MIN_AGE}; the roster lists "
                f"residents aged {MIN_AGE} and over",
            )
    elif age is not None and age < MIN_AGE:
        r.error(
            "age",
            f"{age} is under {MIN_AGE}; the roster lists residents aged {MIN_AGE} and over",
        )


def _residents(ctx: _Context, raw: RawTable) -> list[Resident]:
    rows = _rows(ctx, raw, INPUT_TABLES["residents"])
    _duplicate_ids(rows, "resident_id", "resident")
    _store_ids(ctx, "resident", _known_ids(rows, "resident_id"))
    volunteers = ctx.ids.get("volunteer")
    p = ctx.policy
    out = []
    for r in rows:
        rid = r.value("resident_id", required=True)
        name = r.value("name", required=True)
        birth = r.value("birth_date")
        age = r.value("age", minimum=0)
        has_column = "birth_date" in r.columns or "age" in r.columns
        if (
            has_column
            and birth is None
            and age is None
            and not r.text("birth_date") + r.text("age")
        ):
            r.error("age", "is empty and so is birth_date; give the age or the date of birth")
        _age_problem(r, birth, age, ctx.as_of)
        lat, lon = _coordinates(r, required=True)
        window = None
        start, end = r.value("window_start"), r.value("window_end")
        if start is not None or end is not None:
            start = p.default_window_start if start is None else start
            end = p.default_window_end if end is None else end
            if end <= start:
                r.error(
                    "window_end",
                    f"the delivery window {format_time(start)}–{format_time(end)} closes "
                    "before it opens; swap window_start and window_end or correct them",
                )
            window = TimeWindow(start, end)
        last_check = r.value("last_check")
        if last_check is not None and last_check > ctx.as_of:
            r.error("last_check", f"{last_check} is in the future; correct the date")
        preferred = r.value("preferred_volunteers") or ()
        for v in preferred:
            if _unknown(r, "preferred_volunteers", v, volunteers):
                r.error(
                    "preferred_volunteers",
                    f"volunteer {v} is not in volunteers.csv; correct the id or remove it",
                )
        resident = r.build(
            Resident,
            resident_id=rid,
            name=name,
            birth_date=birth,
            age=age,
            lat=lat,
            lon=lon,
            address=r.value("address") or "",
            floor=_default(r.value("floor"), 1),
            has_lift=bool(r.value("has_lift")),
            mobility=r.value("mobility", required=True),
            lives_alone=bool(r.value("lives_alone")),
            meal_days=frozenset(r.value("meal_days") or ()),
            portions=r.value("portions", minimum=1) or 1,
            diet=r.value("diet") or (),
            window=window,
            last_check=last_check,
            owns_wheelchair=r.value("owns_wheelchair"),
            preferred_volunteers=preferred,
        )
        if resident is not None:
            out.append(resident)
    return out


def _default(value: Any, default: Any) -> Any:
    return default if value is None else value


def _day_fields(r: _Row, column: str, *, required: bool) -> dict[str, Any]:
    day = r.value(column, required=required)
    if isinstance(day, dt.date):
        return {"day": None, "date": day}
    return {"day": day, "date": None}


def _start_end(r: _Row, start_col: str, end_col: str, what: str) -> tuple[Any, Any]:
    start = r.value(start_col, required=True)
    end = r.value(end_col, required=True)
    if start is not None and end is not None and end <= start:
        r.error(
            end_col,
            f"{what} {format_time(start)}–{format_time(end)} ends before it begins; swap "
            f"{start_col} and {end_col} or correct them",
        )
    return start, end


def _known_volunteer(r: _Row, volunteers: set[str] | None) -> str | None:
    """The row's ``volunteer_id``, with an error when volunteers.csv has no such id."""
    vid = r.value("volunteer_id", required=True)
    if _unknown(r, "volunteer_id", vid, volunteers):
        r.error(
            "volunteer_id",
            f"volunteer {vid} is not in volunteers.csv; add them there or correct the id",
        )
    return vid


def _availability(ctx: _Context, raw: RawTable) -> list[Availability]:
    rows = _rows(ctx, raw, INPUT_TABLES["availability"])
    volunteers = ctx.ids.get("volunteer")
    out = []
    for r in rows:
        vid = _known_volunteer(r, volunteers)
        days = _day_fields(r, "day", required=True)
        start, end = _start_end(r, "start", "end", "the free time")
        available = r.value("available")
        a = r.build(
            Availability,
            volunteer_id=vid,
            start=start,
            end=end,
            available=True if available is None else available,
            **days,
        )
        if a is not None:
            out.append(a)
    return out


def _sites(ctx: _Context, raw: RawTable) -> list[Site]:
    rows = _rows(ctx, raw, SITES)
    _duplicate_ids(rows, "site_id", "site")
    _store_ids(ctx, "site", _known_ids(rows, "site_id"))
    clinics: set[str] = set()
    kinds: list[str] = []
    out = []
    for r in rows:
        sid = r.value("site_id", required=True)
        kind = r.value("kind", required=True)
        if kind is not None:
            kinds.append(kind)
        if kind == SiteKind.CLINIC and sid is not None:
            clinics.add(sid)
        lat, lon = _coordinates(r, required=True)
        open_, close = _start_end(r, "open", "close", "the opening time")
        clinic = {
            name: r.value(name, required=kind == SiteKind.CLINIC, minimum=minimum)
            for name, minimum in (("slot_minutes", 1), ("places_per_slot", 1), ("check_minutes", 1))
        }
        site = r.build(
            Site,
            site_id=sid,
            kind=kind,
            name=r.value("name") or "",
            lat=lat,
            lon=lon,
            open=open_,
            close=close,
            wheelchairs=r.value("wheelchairs", minimum=0) or 0,
            **clinic,
        )
        if site is not None:
            out.append(site)
    bad_kind = any(r.text("kind") and _norm_enum(r.text("kind")) not in SITE_KINDS for r in rows)
    if "site" in ctx.ids and rows and "kind" in rows[0].columns and not bad_kind:
        # A misspelt kind is reported once, not again by every campaign day naming the site.
        ctx.ids["clinic"] = clinics
    if not rows:
        ctx.problems.append(
            f"{raw.source} has no sites; add at least the kitchen where the meals are cooked"
        )
    elif SiteKind.KITCHEN not in kinds and not bad_kind:
        ctx.problems.append(
            f"{raw.source} has no kitchen; add a row with kind kitchen where the meals are cooked"
        )
    return out


def _shifts(ctx: _Context, raw: RawTable) -> list[ShiftTemplate]:
    rows = _rows(ctx, raw, INPUT_TABLES["shifts"])
    _store_ids(ctx, "shift", _known_ids(rows, "shift_id"))
    seen: dict[tuple[str, str | dt.date], str] = {}
    out = []
    for r in rows:
        sid = r.value("shift_id", required=True)
        days = _day_fields(r, "day", required=True)
        # A weekly template's id names one shift; a dated shift may reuse an id on other dates.
        key = (sid, days["date"] or "weekly") if sid is not None and r.text("day") else None
        if key is not None and key in seen:
            what = f"shift {sid} on {days['date']}" if days["date"] else f"weekly shift {sid}"
            r.error(
                "shift_id",
                f"{what} is also on {seen[key]}; give each weekly shift its own id",
            )
        elif key is not None:
            seen[key] = r.label
        start, end = _start_end(r, "start", "end", "the shift")
        min_text = r.text("min_volunteers")
        minimum = None if min_text.lower() in ("", "auto") else r.value("min_volunteers", minimum=0)
        maximum = r.value("max_volunteers", minimum=0)
        if minimum is not None and maximum is not None and minimum > maximum:
            r.error(
                "max_volunteers",
                f"{maximum} is below min_volunteers {minimum}; raise max_volunteers or "
                "lower min_volunteers",
            )
        s = r.build(
            ShiftTemplate,
            shift_id=sid,
            role=r.value("role", required=True),
            start=start,
            end=end,
            min_volunteers=minimum,
            max_volunteers=maximum,
            weight_under=r.value("weight_under", minimum=0),
            weight_over=r.value("weight_over", minimum=0),
            **days,
        )
        if s is not None:
            out.append(s)
    return out


def _requests(ctx: _Context, raw: RawTable) -> list[Request]:
    rows = _rows(ctx, raw, INPUT_TABLES["requests"])
    volunteers = ctx.ids.get("volunteer")
    shifts = ctx.ids.get("shift")
    out = []
    for r in rows:
        vid = _known_volunteer(r, volunteers)
        days = _day_fields(r, "day", required=False)
        date = r.value("date")
        if date is not None:
            if days["date"] is not None and days["date"] != date:
                r.error("date", f"{date} differs from day {days['date']}; give only one of them")
            elif days["day"] is not None and days["day"] != weekday(date):
                # Both columns filled and they disagree: neither may be dropped silently.
                r.error(
                    "date",
                    f"{date} is a {weekday(date)}, but day says {days['day']}; give only one "
                    "of them",
                )
            days = {"day": None, "date": date}
        if days["day"] is None and days["date"] is None and not r.text("day"):
            r.error("day", "is empty and so is date; give a weekday or a date")
        shift_id = r.value("shift_id")
        if _unknown(r, "shift_id", shift_id, shifts):
            r.error(
                "shift_id",
                f"shift {shift_id} is not in shifts.csv; correct the id or leave it empty "
                "for any shift that day",
            )
        want = r.value("want")
        weight = r.value("weight", minimum=0)
        req = r.build(
            Request,
            volunteer_id=vid,
            shift_id=shift_id,
            want=True if want is None else want,
            weight=1 if weight is None else weight,
            **days,
        )
        if req is not None:
            out.append(req)
    return out


def _campaign(ctx: _Context, raw: RawTable) -> list[CampaignDay]:
    rows = _rows(ctx, raw, INPUT_TABLES["campaign"])
    clinics = ctx.ids.get("clinic")
    out = []
    for r in rows:
        date = r.value("date", required=True)
        clinic_id = r.value("clinic_id", required=True)
        if _unknown(r, "clinic_id", clinic_id, clinics):
            r.error(
                "clinic_id",
                f"{clinic_id} is not a clinic in sites.csv; add it there with kind clinic or "
                "correct the id",
            )
        open_, close = r.value("open"), r.value("close")
        if open_ is not None and close is not None and close <= open_:
            r.error(
                "close",
                f"the clinic hours {format_time(open_)}–{format_time(close)} close before "
                "they open; swap open and close or correct them",
            )
        day = r.build(CampaignDay, date=date, clinic_id=clinic_id, open=open_, close=close)
        if day is not None:
            out.append(day)
    return out


def _travel(ctx: _Context, raw: RawTable) -> list[TravelOverride]:
    rows = _rows(ctx, raw, INPUT_TABLES["travel"])
    tables = ("resident", "volunteer", "site")
    places = (
        set().union(*(ctx.ids[t] for t in tables)) if all(t in ctx.ids for t in tables) else None
    )
    out = []
    for r in rows:
        ends = {}
        for column in ("from_id", "to_id"):
            ends[column] = r.value(column, required=True)
            if _unknown(r, column, ends[column], places):
                r.error(
                    column,
                    f"{ends[column]} is not a resident, volunteer or site id; correct the id",
                )
        mode = r.value("mode") or "any"
        t = r.build(
            TravelOverride,
            from_id=ends["from_id"],
            to_id=ends["to_id"],
            mode=mode,
            minutes=r.value("minutes", required=True, minimum=0),
        )
        if t is not None:
            out.append(t)
    return out


def _outliers(ctx: _Context) -> None:
    """Report places far from the rest of the community, and lat/lon swaps within range."""
    if len(ctx.points) < 3:
        return
    lat = np.array([p[1] for p in ctx.points])
    lon = np.array([p[2] for p in ctx.points])
    mid_lat, mid_lon = float(np.median(lat)), float(np.median(lon))
    here = great_circle_km(lat, lon, [mid_lat], [mid_lon])[:, 0]
    swapped = great_circle_km(lon, lat, [mid_lat], [mid_lon])[:, 0]
    for (where, la, lo), d, ds in zip(ctx.points, here, swapped, strict=True):
        if d <= _OUTLIER_KM:
            continue
        if ds <= _OUTLIER_KM:
            ctx.problems.append(
                f"{where}, column lat: lat {la:g} and lon {lo:g} look swapped: this place is "
                f"{d:,.0f} km from the rest of the community, with them swapped it is "
                f"{ds:,.1f} km; swap the lat and lon values"
            )
        else:
            ctx.warnings.append(
                f"{where}: lat {la:g}, lon {lo:g} is {d:,.0f} km from the rest of the "
                "community; check the coordinates"
            )


_READERS: dict[str, Callable[[_Context, RawTable], list[Any]]] = {
    "volunteers": _volunteers,
    "residents": _residents,
    "sites": _sites,
    "availability": _availability,
    "shifts": _shifts,
    "requests": _requests,
    "campaign": _campaign,
    "travel": _travel,
}
"""Table readers in dependency order (ids a table refers to are read first)."""


def community_from_tables(
    tables: Mapping[str, RawTable],
    policy: Policy | None = None,
    *,
    as_of: dt.date | None = None,
    policy_problems: list[str] | None = None,
) -> Community:
    """Validate raw tables and build the :class:`~carecal.model.Community`.

    Parameters
    ----------
    tables
        Raw tables by name; ``residents``, ``volunteers``, ``availability`` and ``sites``
        are required.
    policy
        The centre's policy; the defaults when ``None``.
    as_of
        The date on which ages from ``birth_date`` are judged (today by default).
    policy_problems
        Problems already found in the policy, reported together with the tables'.

    Raises
    ------
    CommunityError
        Listing every problem in every table at once.
    """
    ctx = _Context(policy=policy or Policy.model_validate({}), as_of=as_of or dt.date.today())
    ctx.problems.extend(policy_problems or [])
    for name in REQUIRED_TABLES:
        if name not in tables:
            ctx.problems.append(
                f"{name}.csv is missing; every community needs residents, volunteers, "
                "availability and sites tables"
            )
    if "shifts" not in tables:
        ctx.ids["shift"] = set()  # no shifts.csv: a request or limit naming a shift is wrong
    built: dict[str, list[Any]] = {}
    for name, reader in _READERS.items():
        if name in tables:
            built[name] = reader(ctx, tables[name])
    _outliers(ctx)
    _check_shift_limits(ctx)
    if "volunteers" in built and "availability" in tables:
        free = {a.volunteer_id for a in built.get("availability", [])}
        for v in built["volunteers"]:
            if v.volunteer_id not in free:
                ctx.warnings.append(
                    f"volunteer {v.volunteer_id} has no rows in availability.csv, so is never "
                    "planned; add the times they are free"
                )
    for message in ctx.warnings:
        warn(message)
    if ctx.problems:
        raise CommunityError(sorted(ctx.problems, key=_file_order))
    try:
        return Community(**{name: tuple(objs) for name, objs in built.items()}, policy=ctx.policy)
    except CommunityError:
        raise
    except ValidationError as e:
        raise CommunityError(_validation_sentences(e, "the community")) from None


_FILE_ORDER = (*INPUT_TABLES, "policy")


def _file_order(problem: str) -> int:
    """Sort problems by file, in the order of DESIGN section 4 (the sort is stable)."""
    for i, name in enumerate(_FILE_ORDER):
        if problem.startswith(name) or f" sheet {name} " in problem.split(":")[0]:
            return i
    return len(_FILE_ORDER)


def _validation_sentences(error: ValidationError, source: str) -> list[str]:
    out = []
    for err in error.errors():
        key = ".".join(str(p) for p in err["loc"])
        message = str(err["msg"]).removeprefix("Value error, ")
        value = err.get("input")
        shown = value is None or isinstance(value, dict) or str(value) in message
        got = "" if shown else f" (got {value!r})"
        out.append(f"{source}, {key}: {message}{got}; correct the value")
    return out


def _table_key(name: str) -> str:
    key = name.strip().lower()
    return key[: -len(".csv")] if key.endswith(".csv") else key


def community_from_csv_texts(
    texts: Mapping[str, str],
    policy_text: str | None = None,
    *,
    as_of: dt.date | None = None,
) -> Community:
    """Build a community from the text of CSV files (for tests and in-memory data).

    Parameters
    ----------
    texts
        CSV text by table name (``residents`` or ``residents.csv``).
    policy_text
        The text of a ``policy.toml``, if any.
    as_of
        The date on which ages from ``birth_date`` are judged (today by default).

    Raises
    ------
    CommunityError
        Listing every problem at once.
    """
    tables = {_table_key(k): parse_csv_text(v, _table_key(k)) for k, v in texts.items()}
    return _with_policy(tables, policy_text, "policy.toml", as_of)


def _with_policy(
    tables: Mapping[str, RawTable], policy_text: str | None, label: str, as_of: dt.date | None
) -> Community:
    policy, problems = (None, []) if policy_text is None else _policy(policy_text, label)
    return community_from_tables(tables, policy, as_of=as_of, policy_problems=problems)


def community_from_frames(
    frames: Mapping[str, pd.DataFrame],
    policy: Policy | None = None,
    as_of: dt.date | None = None,
) -> Community:
    """Build a community from DataFrames (for notebooks), with the same checks as files.

    Parameters
    ----------
    frames
        One DataFrame per table, by table name (``residents``, ``volunteers``,
        ``availability``, ``sites``, and optionally ``shifts``, ``requests``, ``campaign``,
        ``travel``). Cells may be text or already typed (numbers, dates, booleans).
    policy
        The centre's policy; the defaults when ``None``.
    as_of
        The date on which ages from ``birth_date`` are judged (today by default).

    Raises
    ------
    CommunityError
        Listing every problem at once; rows are named by their index label.
    """
    tables = {_table_key(k): frame_to_table(f, _table_key(k)) for k, f in frames.items()}
    return community_from_tables(tables, policy, as_of=as_of)


# --- policy --------------------------------------------------------------------------------


def _policy(text: str, label: str) -> tuple[Policy | None, list[str]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        return None, [
            f"{label} is not valid TOML ({e}); write one `key = value` per line, with times "
            'in quotes such as meals_ready = "10:45"'
        ]
    problems = []
    fields = list(Policy.model_fields)
    for key in list(data):
        if key not in Policy.model_fields:
            problems.append(
                f"{label}: {key} is not a policy setting; "
                + _suggest(key, fields, "the README lists every setting", 0.6)
            )
            del data[key]
    for key, modes in (("capacity", MODES), ("speed_kmh", TRAVEL_MODES)):
        if isinstance(data.get(key), dict):
            for mode in list(data[key]):
                if mode not in modes:
                    problems.append(
                        f"{label}: {key}.{mode} is not a travel mode; "
                        + _suggest(mode, modes, f"use {_one_of(modes)}")
                    )
                    del data[key][mode]
    try:
        policy = Policy.model_validate(data)
    except ValidationError as e:
        return None, problems + _validation_sentences(e, label)
    return (policy if not problems else None), problems


def parse_policy(text: str, source: str = "policy.toml") -> Policy:
    """Parse the text of a ``policy.toml`` into a :class:`~carecal.policy.Policy`.

    Keys are the :class:`~carecal.policy.Policy` field names; times are ``"HH:MM"``; a key
    carecal does not know is an error with a did-you-mean.

    Raises
    ------
    CommunityError
        Listing every problem in the file.
    """
    policy, problems = _policy(text, source)
    if problems or policy is None:
        raise CommunityError(problems)
    return policy


def read_policy(path_or_text: str | Path) -> Policy:
    """Read a ``policy.toml`` file, or parse TOML text given as a string.

    A :class:`~pathlib.Path`, or a string naming an existing file, is read as a file;
    any other string is taken as the TOML text itself.

    Raises
    ------
    CommunityError
        Listing every problem in the file.
    """
    looks_like_path = "\n" not in str(path_or_text) and "=" not in str(path_or_text)
    if isinstance(path_or_text, Path) or looks_like_path:
        path = Path(path_or_text)
        if not path.is_file():
            raise CommunityError([f"{path} does not exist; give the path of a policy.toml"])
        return parse_policy(path.read_text(encoding="utf-8-sig"), path.name)
    return parse_policy(path_or_text)


# --- files ---------------------------------------------------------------------------------


def _folder_tables(folder: Path) -> tuple[dict[str, RawTable], list[str]]:
    tables: dict[str, RawTable] = {}
    problems: list[str] = []
    known = {t.file: t.name for t in INPUT_TABLES.values()}
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.suffix.lower() != ".csv":
            continue
        file = path.name.lower()
        if file in known:
            try:
                text = decode_csv(path.read_bytes(), path.name)
            except CommunityError as e:
                problems.extend(e.problems)
                continue
            tables[known[file]] = parse_csv_text(text, known[file], path.name)
            continue
        close = difflib.get_close_matches(file, list(known), n=1, cutoff=0.8)
        if close and not (folder / close[0]).exists():
            problems.append(
                f"{path.name} is not a file carecal reads; did you mean {close[0]}? Rename it"
            )
        else:
            warn(f"{path.name} is not an input table of carecal; it is not used")
    return tables, problems


def _workbook_tables(path: Path) -> dict[str, RawTable]:
    sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object, keep_default_na=False)
    tables: dict[str, RawTable] = {}
    for sheet, frame in sheets.items():
        name = _table_key(str(sheet))
        if name not in INPUT_TABLES:
            warn(f"{path.name}: sheet {sheet} is not an input table; not used")
            continue
        source = f"{path.name} sheet {sheet}"
        if frame.empty:
            tables[name] = RawTable(name, source, [], [], [], [f"{source} is empty"])
            continue
        body = frame.iloc[1:].reset_index(drop=True)
        body.columns = pd.Index([clean_cell(h) for h in frame.iloc[0]])
        tables[name] = frame_to_table(body, name, source)
    return tables


def read_community(source: str | Path, *, as_of: dt.date | None = None) -> Community:
    """Read and validate a community from a folder of CSV files or one ``.xlsx`` workbook.

    Parameters
    ----------
    source
        A folder holding ``residents.csv``, ``volunteers.csv``, ``availability.csv``,
        ``sites.csv`` and optionally ``shifts.csv``, ``requests.csv``, ``campaign.csv``,
        ``travel.csv`` and ``policy.toml``; or an ``.xlsx`` file with one sheet per table
        (sheet names are the table names) and an optional ``policy.toml`` beside it.
        CSV files may be UTF-8 (with or without BOM) or GB18030.
    as_of
        The date on which ages from ``birth_date`` are judged (today by default).

    Returns
    -------
    Community
        The validated community.

    Raises
    ------
    CommunityError
        Listing every problem in every file at once, each with file, row, column, the
        entity and the fix.

    Warns
    -----
    CarecalWarning
        For columns and files that are not used, and data that looks odd but is valid.
    """
    path = Path(source)
    if not path.exists():
        raise CommunityError([f"{path} does not exist; give a folder of CSV files or an .xlsx"])
    if path.is_dir():
        tables, problems = _folder_tables(path)
        policy_file = path / "policy.toml"
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        tables, problems = _workbook_tables(path), []
        policy_file = path.parent / "policy.toml"
    else:
        raise CommunityError(
            [
                f"{path.name} is neither a folder nor an .xlsx workbook; give the folder that "
                "holds residents.csv and the other tables"
            ]
        )
    policy: Policy | None = None
    policy_problems: list[str] = []
    if policy_file.is_file():
        policy, policy_problems = _policy(
            policy_file.read_text(encoding="utf-8-sig"), policy_file.name
        )
    return community_from_tables(
        tables, policy, as_of=as_of, policy_problems=problems + policy_problems
    )
