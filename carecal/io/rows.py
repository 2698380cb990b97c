"""Reading one table's rows: the shared context, a row that records problems with their place,
the column checks, and the helpers more than one table uses (ids, coordinates, days, times).

Every problem is made as a :class:`~carecal.io.problems.Problem` (the place and a
:class:`~carecal.i18n.Message`), so that the command line can say it in Chinese; its
``str`` is the English sentence.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from carecal.clock import format_time
from carecal.errors import CarecalError
from carecal.i18n import N_, Message, Word
from carecal.io.cells import parse_cell
from carecal.io.csvtext import RawTable
from carecal.io.problems import Problem, Where, one_of
from carecal.io.schema import Column, Kind, Table
from carecal.model import Site
from carecal.policy import Policy


@dataclass
class Context:
    """Everything the table readers share: problems so far, warnings, policy, known ids."""

    policy: Policy
    as_of: dt.date
    problems: list[str] = field(default_factory=list)
    """Each a sentence: a :class:`~carecal.io.problems.Problem` or a
    :class:`~carecal.i18n.Message` where the readers made it, so that it can be said in
    Chinese."""
    warnings: list[str] = field(default_factory=list)
    ids: dict[str, set[str]] = field(default_factory=dict)
    points: list[tuple[Where, float, float]] = field(default_factory=list)
    shift_refs: list[tuple[Where, str]] = field(default_factory=list)
    sites: dict[str, Site] = field(default_factory=dict)
    """The valid sites by id, for the tables that use a site's hours (campaign.csv)."""


class Row:
    """One data row of a table: parses cells and records problems with their place."""

    def __init__(
        self, ctx: Context, spec: Table, raw: RawTable, index: int, columns: dict[str, int]
    ) -> None:
        self.ctx = ctx
        self.spec = spec
        self.raw = raw
        self.cells = raw.rows[index]
        self.label = raw.labels[index]
        self.columns = columns
        self.ok = True
        self.ident = self.text(spec.id_column) if spec.id_column else ""

    def where(self, column: str | None = None) -> Where:
        """``residents.csv row 14 (resident R-0132), column age``.

        A column whose header is one of its aliases is named as written, with carecal's
        name beside it: ``column 年龄 (age)``.
        """
        written = ""
        if column:
            i = self.columns.get(column)
            written = self.raw.header[i] if i is not None and i < len(self.raw.header) else ""
        entity = self.spec.entity if self.ident else ""
        return Where(self.raw.source, self.label, entity, self.ident, column or "", written)

    def error(self, column: str | None, text: str) -> None:
        """Record a problem with this row (and ``column``); ``text`` is best a
        :class:`~carecal.i18n.Message`, so that it can be said in Chinese."""
        self.ok = False
        self.ctx.problems.append(Problem(self.where(column), text))

    def warn(self, column: str | None, text: str) -> None:
        """Record a warning about this row."""
        self.ctx.warnings.append(Problem(self.where(column), text))

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
                self.error(column, Message(N_("is empty; {fix}"), fix=self._fill_hint(column)))
            return None
        spec = self.spec.column(column)
        try:
            value = parse_cell(text, spec, excel=self.raw.excel)
        except CarecalError as e:
            # The cell's sentence as the parser made it (a Message, said in any language).
            self.error(column, e.problems[0] if len(e.problems) == 1 else str(e))
            return None
        except ValueError as e:
            self.error(column, str(e))
            return None
        if minimum is not None and value < minimum:
            self.error(
                column,
                Message(
                    N_("{cell} is below {minimum:g}; write {minimum:g} or more"),
                    cell=text,
                    minimum=minimum,
                ),
            )
            return None
        return value

    def _fill_hint(self, column: str) -> Message:
        spec = self.spec.column(column)
        if spec.kind == Kind.ENUM:
            return Message(N_("write one of {choices}"), choices=one_of(spec.allowed))
        if spec.kind == Kind.TIME:
            return Message(N_("write a time as HH:MM"))
        if spec.kind in (Kind.DATE, Kind.DAY):
            return Message(N_("write a weekday (Mon..Sun) or a date (YYYY-MM-DD)"))
        if column == self.spec.id_column:
            return Message(N_("give every {entity} an id"), entity=Word(self.spec.entity))
        return Message(N_("fill it in"))

    def build(self, model: type[BaseModel], **values: Any) -> Any:
        """Build a domain object from parsed values, or record why it could not be built."""
        if not self.ok:
            return None
        try:
            return model(**values)
        except ValidationError as e:
            for err in e.errors():
                column = ".".join(str(p) for p in err["loc"]) or None
                # The model's own sentence: the Message carecal.model raised (said in any
                # language) when it is one, else pydantic's English; the fix after it is
                # said in the reader's language.
                raised = err.get("ctx", {}).get("error")
                message = (
                    raised.problems[0]
                    if isinstance(raised, CarecalError) and len(raised.problems) == 1
                    else str(err["msg"]).removeprefix("Value error, ")
                )
                self.error(column, Message(N_("{message}; correct the value"), message=message))
            return None


def header_names(spec: Table) -> dict[str, str]:
    """Every header that names a column of ``spec`` (its name and its aliases) -> the name."""
    names = {alias: c.name for c in spec.columns for alias in c.aliases}
    names.update({c.name: c.name for c in spec.columns})
    return names


def _positions(raw: RawTable, spec: Table) -> dict[str, int]:
    """The known columns of ``raw`` by carecal's name -> position (the first of a name)."""
    names = header_names(spec)
    columns: dict[str, int] = {}
    for i, header in enumerate(raw.header):
        if header in names:
            columns.setdefault(names[header], i)
    return columns


def check_columns(ctx: Context, raw: RawTable, spec: Table) -> dict[str, int] | None:
    """Map column names to positions; report missing, duplicated and unknown columns.

    A header may be the column's name or one of its aliases (``出生日期`` for
    ``birth_date``), in any mix. Returns ``None`` when required columns are missing (rows
    are still checked cell by cell, but no objects are built from them).
    """
    columns: dict[str, int] = {}
    names = header_names(spec)
    present = {names.get(h, h) for h in raw.header}
    suggested: set[str] = set()
    for i, header in enumerate(raw.header):
        if not header:
            if any(row[i] for row in raw.rows):
                ctx.warnings.append(
                    Message(
                        N_("{source}: column {number} has values but no header; it is not used"),
                        source=raw.source,
                        number=i + 1,
                    )
                )
            continue
        name = names.get(header, header)
        if name in columns:
            ctx.problems.append(_twice(raw, name, raw.header[columns[name]], header))
            continue
        columns[name] = i
        if name in spec.column_names:
            continue
        close = difflib.get_close_matches(header, list(names), n=1, cutoff=0.75)
        if close and names[close[0]] not in present:
            suggested.add(names[close[0]])
            ctx.problems.append(
                Message(
                    N_(
                        "{source} has a column {header} that carecal does not know; did you "
                        "mean {column}? Rename the column"
                    ),
                    source=raw.source,
                    header=header,
                    column=close[0],
                )
            )
        else:
            ctx.warnings.append(
                Message(
                    N_(
                        "{source}: column {header} is not used by carecal (kept in the file, "
                        "ignored)"
                    ),
                    source=raw.source,
                    header=header,
                )
            )
    missing = [c for c in spec.columns if c.required and c.name not in columns]
    for c in missing:
        if c.name in suggested:
            continue  # already reported as the likely typo of that column
        ctx.problems.append(_missing_column(raw, c))
    if spec.name == "residents" and "birth_date" not in columns and "age" not in columns:
        ctx.problems.append(
            Message(
                N_(
                    "{source} has neither a birth_date nor an age column; add one of them "
                    "({birth_date} or {age})"
                ),
                source=raw.source,
                birth_date="出生日期",
                age="年龄",
            )
        )
        return None
    known = {n: i for n, i in columns.items() if n in spec.column_names}
    return None if missing else known


def _twice(raw: RawTable, name: str, first: str, header: str) -> Message:
    """Two columns of one name, or of a name and its alias."""
    if first == header:
        return Message(
            N_("{source} has two columns called {column}; delete or rename one of them"),
            source=raw.source,
            column=name,
        )
    return Message(
        N_("{source} has two columns for {column} ({first} and {second}); delete one of them"),
        source=raw.source,
        column=name,
        first=first,
        second=header,
    )


def _missing_column(raw: RawTable, c: Column) -> Message:
    """``residents.csv has no column name; add it: name, as ... (its header may also be 姓名)``.

    The description of a required column is marked for the catalog in
    :mod:`carecal.io.schema`, so that it is said in the reader's language too.
    """
    values: dict[str, object] = {
        "source": raw.source,
        "column": c.name,
        "description": Word(c.description),
    }
    choices = bool(c.allowed) and c.kind == Kind.ENUM
    if choices:
        values["choices"] = one_of(c.allowed)
    if c.aliases:
        values["aliases"] = one_of(c.aliases)
    if choices and c.aliases:
        msgid = N_(
            "{source} has no column {column}; add it: {description} ({choices}) (its header "
            "may also be {aliases})"
        )
    elif choices:
        msgid = N_("{source} has no column {column}; add it: {description} ({choices})")
    elif c.aliases:
        msgid = N_(
            "{source} has no column {column}; add it: {description} (its header may also be "
            "{aliases})"
        )
    else:
        msgid = N_("{source} has no column {column}; add it: {description}")
    return Message(msgid, **values)


def table_rows(ctx: Context, raw: RawTable, spec: Table) -> list[Row]:
    """The rows of ``raw``, after the column checks (no row builds when a column is missing)."""
    ctx.problems.extend(raw.problems)
    checked = check_columns(ctx, raw, spec)
    columns = checked or _positions(raw, spec)
    rows = [Row(ctx, spec, raw, i, columns) for i in range(len(raw.rows))]
    if checked is None:
        for r in rows:
            r.ok = False
    return rows


def known_ids(rows: list[Row], column: str) -> set[str] | None:
    """The ids in ``column`` (valid rows or not), or ``None`` when the column is absent."""
    if not rows or column not in rows[0].columns:
        return None if rows else set()
    return {r.text(column) for r in rows if r.text(column)}


def unknown(r: Row, column: str, value: str | None, known: set[str] | None) -> bool:
    """Whether ``value`` is not among ``known`` ids (``None``: that table is unreadable)."""
    return value is not None and known is not None and value not in known


def store_ids(ctx: Context, entity: str, ids: set[str] | None) -> None:
    """Remember the ``entity`` ids for the tables that refer to them (``None``: column absent)."""
    if ids is not None:
        ctx.ids[entity] = ids


def duplicate_ids(rows: list[Row], column: str, entity: str) -> None:
    """Report every row whose id in ``column`` an earlier row already has."""
    first: dict[str, str] = {}
    for r in rows:
        ident = r.text(column)
        if not ident:
            continue
        if ident in first:
            r.error(
                column,
                Message(
                    N_("{id} is also on {row}; give each {entity} their own id"),
                    id=ident,
                    row=first[ident],
                    entity=Word(entity),
                ),
            )
        else:
            first[ident] = r.label


def coordinates(r: Row, *, required: bool) -> tuple[float | None, float | None]:
    """The row's ``lat`` and ``lon``, or ``None, None`` with a problem when they are off the map."""
    lat = r.value("lat", required=required)
    lon = r.value("lon", required=required)
    if lat is None or lon is None:
        both = Message(N_("is empty; give both lat and lon, or neither"))
        if (lat is None) != (lon is None) and r.text("lat") and r.text("lon") == "":
            r.error("lon", both)
        elif (lat is None) != (lon is None) and r.text("lon") and r.text("lat") == "":
            r.error("lat", both)
        return None, None
    if abs(lat) > 90 and abs(lon) <= 90:
        r.error(
            "lat",
            Message(
                N_(
                    "lat {lat:g} and lon {lon:g} look swapped: latitude runs from -90 to 90; "
                    "swap the lat and lon values"
                ),
                lat=lat,
                lon=lon,
            ),
        )
        return None, None
    if abs(lat) > 90 or abs(lon) > 180:
        r.error(
            "lat",
            Message(
                N_(
                    "lat {lat:g}, lon {lon:g} is outside the Earth; latitude runs from -90 to "
                    "90 and longitude from -180 to 180"
                ),
                lat=lat,
                lon=lon,
            ),
        )
        return None, None
    if lat == 0 and lon == 0:
        r.error(
            "lat",
            Message(N_("lat 0, lon 0 is in the sea off Africa; fill in the real coordinates")),
        )
        return None, None
    r.ctx.points.append((r.where(), lat, lon))
    return lat, lon


def day_fields(r: Row, column: str, *, required: bool) -> dict[str, Any]:
    """``day`` and ``date`` for a column that holds a weekday or a date."""
    day = r.value(column, required=required)
    if isinstance(day, dt.date):
        return {"day": None, "date": day}
    return {"day": day, "date": None}


def start_end(r: Row, start_col: str, end_col: str, what: str) -> tuple[Any, Any]:
    """The row's start and end times, with a problem when the end is not after the start.

    ``what`` names the span (``the shift``); it is marked for the catalog where it is given.
    """
    start = r.value(start_col, required=True)
    end = r.value(end_col, required=True)
    if start is not None and end is not None and end <= start:
        r.error(
            end_col,
            Message(
                N_(
                    "{what} {start}–{end} ends before it begins; swap {start_column} and "
                    "{end_column} or correct them"
                ),
                what=Word(what),
                start=format_time(start),
                end=format_time(end),
                start_column=start_col,
                end_column=end_col,
            ),
        )
    return start, end
