"""Reading one table's rows: the shared context, a row that records problems with their place,
the column checks, and the helpers more than one table uses (ids, coordinates, days, times).
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from carecal.clock import format_time
from carecal.io.cells import parse_cell
from carecal.io.csvtext import RawTable
from carecal.io.problems import one_of
from carecal.io.schema import Kind, Table
from carecal.model import Site
from carecal.policy import Policy


@dataclass
class Context:
    """Everything the table readers share: problems so far, warnings, policy, known ids."""

    policy: Policy
    as_of: dt.date
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ids: dict[str, set[str]] = field(default_factory=dict)
    points: list[tuple[str, float, float]] = field(default_factory=list)
    shift_refs: list[tuple[str, str]] = field(default_factory=list)
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
        ident = self.text(spec.id_column) if spec.id_column else ""
        self.entity = f" ({spec.entity} {ident})" if ident else ""

    def where(self, column: str | None = None) -> str:
        """``residents.csv row 14 (resident R-0132), column age``.

        A column whose header is one of its aliases is named as written, with carecal's
        name beside it: ``column 年龄 (age)``.
        """
        place = f"{self.raw.source} {self.label}{self.entity}"
        if not column:
            return place
        i = self.columns.get(column)
        written = self.raw.header[i] if i is not None and i < len(self.raw.header) else column
        return f"{place}, column {column if written == column else f'{written} ({column})'}"

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
            value = parse_cell(text, spec, excel=self.raw.excel)
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
            return f"write one of {one_of(spec.allowed)}"
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
                    f"{raw.source}: column {i + 1} has values but no header; it is not used"
                )
            continue
        name = names.get(header, header)
        if name in columns:
            first = raw.header[columns[name]]
            ctx.problems.append(
                f"{raw.source} has two columns called {name}; delete or rename one of them"
                if first == header
                else f"{raw.source} has two columns for {name} ({first} and {header}); "
                "delete one of them"
            )
            continue
        columns[name] = i
        if name in spec.column_names:
            continue
        close = difflib.get_close_matches(header, list(names), n=1, cutoff=0.75)
        if close and names[close[0]] not in present:
            suggested.add(names[close[0]])
            ctx.problems.append(
                f"{raw.source} has a column {header} that carecal does not know; did you mean "
                f"{close[0]}? Rename the column"
            )
        else:
            ctx.warnings.append(
                f"{raw.source}: column {header} is not used by carecal (kept in the file, ignored)"
            )
    missing = [c for c in spec.columns if c.required and c.name not in columns]
    for c in missing:
        if c.name in suggested:
            continue  # already reported as the likely typo of that column
        allowed = f" ({one_of(c.allowed)})" if c.allowed and c.kind == Kind.ENUM else ""
        also = f" (its header may also be {one_of(c.aliases)})" if c.aliases else ""
        ctx.problems.append(
            f"{raw.source} has no column {c.name}; add it: {c.description}{allowed}{also}"
        )
    if spec.name == "residents" and "birth_date" not in columns and "age" not in columns:
        ctx.problems.append(
            f"{raw.source} has neither a birth_date nor an age column; add one of them "
            "(出生日期 or 年龄)"
        )
        return None
    known = {n: i for n, i in columns.items() if n in spec.column_names}
    return None if missing else known


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
                f"{ident} is also on {first[ident]}; give each {entity} their own id",
            )
        else:
            first[ident] = r.label


def coordinates(r: Row, *, required: bool) -> tuple[float | None, float | None]:
    """The row's ``lat`` and ``lon``, or ``None, None`` with a problem when they are off the map."""
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


def day_fields(r: Row, column: str, *, required: bool) -> dict[str, Any]:
    """``day`` and ``date`` for a column that holds a weekday or a date."""
    day = r.value(column, required=required)
    if isinstance(day, dt.date):
        return {"day": None, "date": day}
    return {"day": day, "date": None}


def start_end(r: Row, start_col: str, end_col: str, what: str) -> tuple[Any, Any]:
    """The row's start and end times, with a problem when the end is not after the start."""
    start = r.value(start_col, required=True)
    end = r.value(end_col, required=True)
    if start is not None and end is not None and end <= start:
        r.error(
            end_col,
            f"{what} {format_time(start)}–{format_time(end)} ends before it begins; swap "
            f"{start_col} and {end_col} or correct them",
        )
    return start, end
