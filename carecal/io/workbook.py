"""``plan.xlsx``: a plan as one Excel workbook, for a coordinator who lives in Excel.

The workbook holds a sheet per table of the plan folder (the same rows and columns as the
CSV files, names beside the ids), a ``rota`` sheet (volunteers down, dates across, shift
ids in the cells) when the plan has a shift plan, and a route sheet per carrier of the meal
plans (the stops in order, with what the carrier needs at the door). Every sheet has its
header row frozen, an auto-filter over its columns and column widths fitted to the text.

Nothing in a cell is ever run as a formula: text is stored as text (never as a formula
cell, whatever it starts with), and text starting with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return carries Excel's hidden quote prefix, so that it stays text when a
coordinator edits the cell. The bytes are made in memory (the plan folder writes them with
the rest of the plan, under its manifest) and hold no time stamp: the same plan gives the
same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from carecal.clock import date_range, format_time, weekday
from carecal.io.cells import format_cell, spreadsheet_safe
from carecal.io.schema import OUTPUT_TABLES, Column, Kind
from carecal.io.sheets.page import floor_text
from carecal.model import Community
from carecal.plans import MealPlan, People, ShiftPlan

MAX_SHEET_NAME = 31
"""Excel's longest sheet name, in characters (UTF-16 code units)."""
ROTA_SHEET = "rota"
"""The name of the volunteers-by-dates sheet."""
ROUTE_PREFIX = "route "
"""What every carrier's route sheet name starts with (so it never clashes with a table)."""
MAX_COLUMN_WIDTH = 60
"""The widest a fitted column gets, in characters; longer text is cut off on screen."""

# Characters Excel refuses in a sheet name; a name may neither start nor end with a quote.
_NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
_TAG_CHARS = 6
# Excel keeps "History" for its change tracking; no sheet may be called that.
_RESERVED_SHEET_NAMES = frozenset({"history"})
_ROUTE_HEADER = (
    "date",
    "trip",
    "stop",
    "arrival",
    "resident_id",
    "name",
    "address",
    "floor",
    "portions",
    "diet",
    "window",
)
# Zip entries dated at the zip format's epoch: a date would make each run's bytes differ.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_FIXED_TIME = dt.datetime(*_ZIP_EPOCH)


# --- sheet names ----------------------------------------------------------------------------


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut_utf16(text: str, limit: int) -> str:
    """``text`` shortened to at most ``limit`` UTF-16 code units, never inside a character."""
    out = ""
    for char in text:
        if _utf16_len(out + char) > limit:
            break
        out += char
    return out


def sheet_name(base: str, taken: set[str]) -> str:
    """A valid Excel sheet name for ``base``, not in ``taken`` (compared ignoring case).

    Excel allows 1 to 31 characters, none of ``[ ] : * ? / \\``, no quote at either end,
    not ``History``, and no two sheets whose names differ only in case. Forbidden
    characters become ``_``; when anything was changed, or the name was too long, reserved
    or taken, a short hash of ``base`` is added, so that two bases never share a sheet and
    the same base always gets the same name. The name is added to ``taken``.
    """
    text = unicodedata.normalize("NFC", base)
    clean = _NOT_IN_SHEET_NAME.sub("_", text).strip("'")
    name = clean
    if (
        name != base
        or not name
        or _utf16_len(name) > MAX_SHEET_NAME
        or name.casefold() in _RESERVED_SHEET_NAMES
        or name.casefold() in taken
    ):
        tag = hashlib.sha256(base.encode("utf-8")).hexdigest()[:_TAG_CHARS]
        head = _cut_utf16(clean, MAX_SHEET_NAME - _TAG_CHARS - 1).rstrip("'") or "sheet"
        name = f"{head}~{tag}"
        n = 2
        while name.casefold() in taken:
            suffix = f"~{tag}{n}"
            name, n = _cut_utf16(head, MAX_SHEET_NAME - len(suffix)).rstrip("'") + suffix, n + 1
    taken.add(name.casefold())
    return name


# --- cells ----------------------------------------------------------------------------------


def _text(value: str) -> str:
    # openpyxl refuses the control characters XML 1.0 cannot hold; an id with one must not
    # stop the plan from being written.
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)


def _put(sheet: Worksheet, row: int, column: int, value: Any) -> None:
    """One cell: numbers as numbers, everything else as text that never runs as a formula."""
    cell = sheet.cell(row=row, column=column)
    if value is None or value == "":
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        text = _text(str(value))
        cell.value = text
        # Assigned a string starting with "=", openpyxl would write a formula; the data
        # type says text. The quote prefix keeps it text when the cell is edited in Excel.
        cell.data_type = "s"
        if spreadsheet_safe(text) != text:
            cell.quotePrefix = True
        return
    cell.value = value


def _cell_value(value: Any, column: Column) -> Any:
    """A table cell as the workbook holds it: whole numbers and numbers as numbers, the
    rest as the CSV file writes it (dates ``YYYY-MM-DD``, times ``HH:MM``, lists with
    ``;``)."""
    if value is None:
        return None
    if column.kind in (Kind.INT, Kind.FLOAT) and isinstance(value, int | float):
        return value
    return format_cell(value, column)


def _display_width(value: Any) -> int:
    """Columns of screen a value needs: East Asian wide characters count twice."""
    text = str(value) if value is not None else ""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _fill(sheet: Worksheet, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write ``header`` and ``rows``, freeze the header, filter, and fit the widths."""
    widths = [_display_width(h) for h in header]
    for j, name in enumerate(header, start=1):
        _put(sheet, 1, j, name)
    count = 0
    for i, row in enumerate(rows, start=2):
        count += 1
        for j, value in enumerate(row, start=1):
            _put(sheet, i, j, value)
            widths[j - 1] = max(widths[j - 1], _display_width(value))
    sheet.freeze_panes = "A2"
    last = get_column_letter(max(len(header), 1))
    sheet.auto_filter.ref = f"A1:{last}{count + 1}"
    for j, width in enumerate(widths, start=1):
        # Two more than the text, for the filter button in the header.
        sheet.column_dimensions[get_column_letter(j)].width = min(width + 2, MAX_COLUMN_WIDTH)


# --- the sheets -----------------------------------------------------------------------------


def _table_sheet(sheet: Worksheet, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
    columns = OUTPUT_TABLES[table].columns
    _fill(
        sheet,
        [c.name for c in columns],
        ([_cell_value(r.get(c.name), c) for c in columns] for r in rows),
    )


def _rota_sheet(sheet: Worksheet, shifts: ShiftPlan, people: People) -> None:
    """Volunteers down, the plan's dates across, the shift ids of each day in the cells."""
    days = date_range(shifts.start, shifts.end)
    cells: dict[str, dict[dt.date, list[str]]] = defaultdict(lambda: defaultdict(list))
    for a in sorted(shifts.assignments, key=lambda a: (a.date, a.start, a.shift_id)):
        cells[a.volunteer_id][a.date].append(a.shift_id)
    header = ["volunteer_id", "volunteer_name", *(f"{d} {weekday(d)}" for d in days)]
    rows = [
        [vid, people.volunteer(vid).name, *(", ".join(cells[vid].get(d, [])) for d in days)]
        for vid in sorted(cells)
    ]
    _fill(sheet, header, rows)


def _route_sheet(
    sheet: Worksheet, vid: str, meals: Sequence[MealPlan], community: Community, people: People
) -> None:
    """One carrier's stops in order, with what the carrier needs at the door."""
    rows: list[list[Any]] = []
    phones: list[str] = []
    for plan in sorted(meals, key=lambda p: p.date):
        for trip in (t for t in plan.trips if t.volunteer_id == vid):
            for number, stop in enumerate(trip.stops, start=1):
                resident = community.resident_by_id.get(stop.resident_id)
                who = people.resident(stop.resident_id)
                window = community.window_of(resident) if resident is not None else None
                rows.append(
                    [
                        str(plan.date),
                        trip.trip,
                        number,
                        format_time(stop.arrival),
                        stop.resident_id,
                        who.name,
                        who.address,
                        floor_text(resident),
                        stop.portions,
                        ";".join(stop.diet),
                        str(window) if window is not None else "",
                    ]
                )
                # The roster may carry a phone; the sheet shows the column only then.
                phones.append(str(getattr(resident, "phone", "") or ""))
    header: list[str] = list(_ROUTE_HEADER)
    if any(phones):
        header.append("phone")
        rows = [[*row, phone] for row, phone in zip(rows, phones, strict=True)]
    _fill(sheet, header, rows)


def _carriers(meals: Sequence[MealPlan]) -> list[str]:
    return list(dict.fromkeys(t.volunteer_id for p in meals for t in p.trips))


def workbook_bytes(
    tables: Mapping[str, Sequence[Mapping[str, Any]]],
    meals: Sequence[MealPlan],
    shifts: ShiftPlan | None,
    community: Community,
    people: People,
) -> bytes:
    """The plan's workbook, as the bytes of an ``.xlsx`` file.

    Parameters
    ----------
    tables
        The rows of each output table by table name, names beside the ids
        (:func:`carecal.io.frames.plan_rows`); a sheet each, in the order given.
    meals
        The meal plans: a route sheet per carrier (``route <volunteer_id>``, made a valid
        sheet name by :func:`sheet_name`).
    shifts
        The shift plan, if any: the ``rota`` sheet.
    community
        The community the plan was made for (floor, lift and window at each door).
    people
        The names and addresses beside the ids.

    Returns
    -------
    bytes
        The workbook, the same bytes for the same plan.
    """
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for table, rows in tables.items():
        _table_sheet(book.create_sheet(sheet_name(table, taken)), table, rows)
    if shifts is not None:
        _rota_sheet(book.create_sheet(sheet_name(ROTA_SHEET, taken)), shifts, people)
    for vid in _carriers(meals):
        sheet = book.create_sheet(sheet_name(f"{ROUTE_PREFIX}{vid}", taken))
        _route_sheet(sheet, vid, meals, community, people)
    # A fixed creation and change time in the document's properties: the clock's would
    # make two runs of the same plan differ.
    book.properties.created = _FIXED_TIME
    book.properties.modified = _FIXED_TIME
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    return _undated(buffer.getvalue())


def _undated(data: bytes) -> bytes:
    """The zip ``data`` with every entry dated at the zip epoch, in the same order."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = entry.external_attr
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()
