"""``plan.xlsx``: a plan as one Excel workbook, for a coordinator who lives in Excel.

The workbook holds a ``summary`` sheet (the lines of ``summary.md``), a sheet per table of
the plan folder (the same rows and columns as the CSV files, names beside the ids), a
``rota`` sheet (volunteers down, dates across, shift ids in the cells) when the plan has a
shift plan, and a route sheet per carrier of the meal plans (the stops in order, with what
the carrier needs at the door). Every sheet has its header row frozen, an auto-filter over
its columns and column widths fitted to the text.

The workbook speaks the plan's language (``community.policy.lang``): in Chinese its sheet
names and every header are Chinese words (``送餐路线``, ``老人编号``) and a route sheet
gives the diet in words. carecal never reads ``plan.xlsx`` back (:func:`read_plan` reads
the CSV files, which keep their English column names as the public contract), so the
workbook is free to be written for people alone. The cells hold what the CSV files hold
(ids, dates, times, codes) in either language.

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
from carecal.i18n import N_, translator
from carecal.io.cells import format_cell, spreadsheet_safe
from carecal.io.schema import OUTPUT_TABLES, Column, Kind
from carecal.io.sheets.page import diet_text, floor_text
from carecal.model import Community
from carecal.plans import MealPlan, People, ShiftPlan

MAX_SHEET_NAME = 31
"""Excel's longest sheet name, in characters (UTF-16 code units)."""
ROTA_SHEET = "rota"
"""The name of the volunteers-by-dates sheet (in English; the catalog has the Chinese)."""
SUMMARY_SHEET = "summary"
"""The name of the sheet holding ``summary.md`` (in English)."""
ROUTE_PREFIX = "route "
"""What every carrier's route sheet name starts with in English (so it never clashes with a
table)."""
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
# The words of the sheet names and headers in the catalog: in English the sheets keep the
# table and column names (as the CSV files have them); in Chinese they are these words said
# in Chinese. A table or column not listed (added later) keeps its name.
_SHEET_WORDS = {
    SUMMARY_SHEET: N_("summary"),
    "meal_routes": N_("meal routes"),
    "health_checks": N_("health-check bookings"),
    "shift_plan": N_("shift plan"),
    "unserved": N_("not served"),
    "packing_list": N_("packing list"),
    ROTA_SHEET: N_("rota"),
}
_HEADER_WORDS = {
    "date": N_("date"),
    "volunteer_id": N_("volunteer id"),
    "volunteer_name": N_("volunteer's name"),
    "trip": N_("trip"),
    "stop": N_("stop"),
    "resident_id": N_("resident id"),
    "resident_name": N_("resident's name"),
    "name": N_("name"),
    "address": N_("address"),
    "arrival": N_("arrival"),
    "departure": N_("departure"),
    "portions": N_("portions"),
    "diet": N_("diet"),
    "food_minutes": N_("minutes since the kitchen"),
    "travel_minutes": N_("travel minutes"),
    "done": N_("what happened"),
    "locked": N_("locked (kept by a re-plan)"),
    "clinic_id": N_("clinic id"),
    "slot_start": N_("slot"),
    "check_start": N_("check starts"),
    "check_end": N_("check ends"),
    "escort_ids": N_("escort ids"),
    "escort_names": N_("escorts"),
    "wheelchair": N_("wheelchair"),
    "pickup": N_("pickup"),
    "home_again": N_("home again"),
    "shift_id": N_("shift id"),
    "role": N_("role"),
    "start": N_("start"),
    "end": N_("end"),
    "kind": N_("kind"),
    "id": N_("id"),
    "code": N_("reason code"),
    "reason": N_("reason"),
    "fix": N_("what would fix it"),
    "floor": N_("floor"),
    "window": N_("window"),
    "phone": N_("phone"),
}
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


def _sheet_title(base: str, lang: str) -> str:
    """A sheet's name before it is made valid: the table's name in English, its words in
    Chinese."""
    if lang == "en" or base not in _SHEET_WORDS:
        return base
    return translator(lang).gettext(_SHEET_WORDS[base])


def _headers(names: Sequence[str], lang: str) -> list[str]:
    """Column names as a sheet's header row: as they are in English, in words otherwise."""
    if lang == "en":
        return list(names)
    _ = translator(lang).gettext
    return [_(_HEADER_WORDS[n]) if n in _HEADER_WORDS else n for n in names]


def _summary_sheet(sheet: Worksheet, summary: str, lang: str) -> None:
    """The lines of ``summary.md``, one per row, without the Markdown marks."""
    lines = [line.lstrip("#").strip() for line in summary.splitlines()]
    _fill(sheet, [_sheet_title(SUMMARY_SHEET, lang)], ([line] for line in lines if line))


def _table_sheet(
    sheet: Worksheet, table: str, rows: Sequence[Mapping[str, Any]], lang: str
) -> None:
    columns = OUTPUT_TABLES[table].columns
    _fill(
        sheet,
        _headers([c.name for c in columns], lang),
        ([_cell_value(r.get(c.name), c) for c in columns] for r in rows),
    )


def _rota_sheet(sheet: Worksheet, shifts: ShiftPlan, people: People, lang: str) -> None:
    """Volunteers down, the plan's dates across, the shift ids of each day in the cells."""
    days = date_range(shifts.start, shifts.end)
    cells: dict[str, dict[dt.date, list[str]]] = defaultdict(lambda: defaultdict(list))
    for a in sorted(shifts.assignments, key=lambda a: (a.date, a.start, a.shift_id)):
        cells[a.volunteer_id][a.date].append(a.shift_id)
    tr = translator(lang)
    named = [f"{d} {weekday(d) if lang == 'en' else tr.short_weekday(d)}" for d in days]
    header = [*_headers(["volunteer_id", "volunteer_name"], lang), *named]
    rows = [
        [vid, people.volunteer(vid).name, *(", ".join(cells[vid].get(d, [])) for d in days)]
        for vid in sorted(cells)
    ]
    _fill(sheet, header, rows)


def _route_sheet(
    sheet: Worksheet,
    vid: str,
    meals: Sequence[MealPlan],
    community: Community,
    people: People,
    lang: str,
) -> None:
    """One carrier's stops in order, with what the carrier needs at the door (in English
    the diet as its tags, as the CSV files write it; in Chinese in words)."""
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
                        floor_text(resident, lang),
                        stop.portions,
                        ";".join(stop.diet) if lang == "en" else diet_text(stop.diet, lang),
                        str(window) if window is not None else "",
                    ]
                )
                # The roster may carry a phone; the sheet shows the column only then.
                phones.append(str(getattr(resident, "phone", "") or ""))
    header: list[str] = list(_ROUTE_HEADER)
    if any(phones):
        header.append("phone")
        rows = [[*row, phone] for row, phone in zip(rows, phones, strict=True)]
    _fill(sheet, _headers(header, lang), rows)


def _carriers(meals: Sequence[MealPlan]) -> list[str]:
    return list(dict.fromkeys(t.volunteer_id for p in meals for t in p.trips))


def workbook_bytes(
    tables: Mapping[str, Sequence[Mapping[str, Any]]],
    meals: Sequence[MealPlan],
    shifts: ShiftPlan | None,
    community: Community,
    people: People,
    *,
    summary: str = "",
    lang: str | None = None,
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
    summary
        The text of ``summary.md``: its lines make the first sheet (none when empty).
    lang
        ``en`` or ``zh``: the language of the sheet names and headers; the community's
        (``policy.lang``) by default.

    Returns
    -------
    bytes
        The workbook, the same bytes for the same plan.
    """
    lang = lang or community.policy.lang
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()

    def new_sheet(base: str) -> Worksheet:
        return book.create_sheet(sheet_name(_sheet_title(base, lang), taken))

    if summary:
        _summary_sheet(new_sheet(SUMMARY_SHEET), summary, lang)
    for table, rows in tables.items():
        _table_sheet(new_sheet(table), table, rows, lang)
    if shifts is not None:
        _rota_sheet(new_sheet(ROTA_SHEET), shifts, people, lang)
    # "route {volunteer}" in English is ROUTE_PREFIX and the id.
    route = translator(lang).gettext("route {volunteer}")
    for vid in _carriers(meals):
        sheet = book.create_sheet(sheet_name(route.format(volunteer=vid), taken))
        _route_sheet(sheet, vid, meals, community, people, lang)
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
