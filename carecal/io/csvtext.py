"""CSV bytes and text, and DataFrames, as raw tables of text cells; and tables as CSV bytes.

Nothing is parsed here beyond splitting rows into cells (:mod:`carecal.io.cells` cleans each
one): a :class:`RawTable` keeps every cell as text, with the place messages name it by.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from carecal.clock import half_width
from carecal.i18n import N_, Message
from carecal.io.cells import clean_cell, format_cell, spreadsheet_safe
from carecal.io.problems import Problem, Where
from carecal.io.schema import Table
from carecal.model import CommunityError


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
    problems
        What is wrong with the table as a whole (it could not be split into rows).
    excel
        Whether the cells come from an Excel workbook, where a bare number in a date or
        time column is Excel's day number or fraction of a day.
    """

    name: str
    source: str
    header: list[str]
    rows: list[list[str]]
    labels: list[str]
    problems: list[str] = field(default_factory=list)
    excel: bool = False


def decode_csv(data: bytes, source: str = "the file") -> str:
    """Decode the bytes of a CSV file: UTF-8 (with or without BOM), UTF-16, or GB18030.

    Raises
    ------
    CommunityError
        When the bytes are none of these encodings.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            # The mark says UTF-16 but the bytes after it are not (cut off or damaged).
            raise CommunityError(
                [
                    Message(
                        N_(
                            "{source} starts as UTF-16 text but is not readable as such (it "
                            "may be cut off or damaged); save it from Excel as 'CSV UTF-8 "
                            "(comma delimited)'"
                        ),
                        source=source,
                    )
                ]
            ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise CommunityError(
            [
                Message(
                    N_(
                        "{source} is neither UTF-8 nor GB18030 text; save it from Excel as "
                        "'CSV UTF-8 (comma delimited)'"
                    ),
                    source=source,
                )
            ]
        ) from None


def _header(value: Any) -> str:
    """A column name as carecal compares it: stripped, lower case, spaces as ``_``, and
    full-width letters and digits folded (``ｎａｍｅ`` is ``name``)."""
    return re.sub(r"\s+", "_", half_width(clean_cell(value)).lower())


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
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line)))
    except csv.Error as e:
        # Python's csv module refuses a cell longer than its field limit (131,072
        # characters), which in practice is an unclosed quote swallowing the rest of the file.
        return RawTable(
            name,
            source,
            [],
            [],
            [],
            [
                Message(
                    N_(
                        '{source} cannot be read as CSV ({error}); check that every quote (") '
                        "that opens a cell also closes it, and that the file is the table it "
                        "is named after"
                    ),
                    source=source,
                    error=e,
                )
            ],
        )
    if not records:
        return RawTable(
            name,
            source,
            [],
            [],
            [],
            [Message(N_("{source} is empty; it needs a header row"), source=source)],
        )
    header = [_header(h) for h in records[0]]
    # A row wider than the header line itself was split by a comma inside a value, even
    # when the cell pushed out at the end is empty; empty cells within the header line's
    # own width (Excel's trailing empty columns) are fine.
    width = len(records[0])
    while header and header[-1] == "":
        header.pop()
    if not header:
        return RawTable(name, source, [], [], [], [_no_header(source)])
    table = RawTable(name, source, header, [], [])
    for number, record in enumerate(records[1:], start=2):
        cells = [clean_cell(c) for c in record]
        if not any(cells):
            continue
        label = Message(N_("row {number}"), number=number)
        if len(cells) > len(header):
            extra = cells[len(header) :]
            if any(extra) or len(cells) > width:
                table.problems.append(
                    Problem(
                        Where(source, label),
                        Message(
                            N_(
                                "has {cells} cells but the header has {columns} columns; a "
                                "value with a comma in it (a decimal comma such as 31,23, or "
                                "an address) must be in quotes, and decimals need a point"
                            ),
                            cells=len(cells),
                            columns=len(header),
                        ),
                        sep=" ",
                    )
                )
                continue
            cells = cells[: len(header)]
        cells += [""] * (len(header) - len(cells))
        table.rows.append(cells)
        table.labels.append(label)
    return table


def _no_header(source: str) -> str:
    return Message(
        N_(
            "{source} has nothing in its first row; the first row must hold the column names "
            "(see docs/tables.md): delete the empty rows above them"
        ),
        source=source,
    )


def frame_to_table(
    frame: pd.DataFrame, name: str, source: str | None = None, *, excel: bool = False
) -> RawTable:
    """Turn a DataFrame into a :class:`RawTable` (every cell as text).

    Rows are named by their position as a spreadsheet would number them (header = row 1)
    when the index is the default ``0, 1, …``, and by their index label otherwise.
    ``excel`` says the frame is a sheet of an Excel workbook (see :class:`RawTable`).
    """
    source = source or Message(N_("{name} table"), name=name)
    header = [_header(h) for h in frame.columns]
    if not any(header) and len(frame.index) > 0:
        return RawTable(name, source, [], [], [], [_no_header(source)])
    default_index = isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0
    table = RawTable(name, source, header, [], [], excel=excel)
    for position, (label, values) in enumerate(
        zip(frame.index, frame.itertuples(index=False, name=None), strict=True)
    ):
        cells = [clean_cell(v) for v in values]
        if not any(cells):
            continue
        table.rows.append(cells)
        table.labels.append(
            Message(N_("row {number}"), number=position + 2)
            if default_index
            else Message(N_("index {label}"), label=label)
        )
    return table


def table_bytes(table: Table, rows: Iterable[Mapping[str, Any]]) -> bytes:
    """CSV bytes (UTF-8 with BOM) of ``rows`` with exactly the columns of ``table``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.column_names)
    for row in rows:
        writer.writerow([spreadsheet_safe(format_cell(row.get(c.name), c)) for c in table.columns])
    return buffer.getvalue().encode("utf-8-sig")
