"""A city run's roll-up: one row per centre as a DataFrame, ``city_summary.csv`` and the
printable ``city_summary.html``.

:mod:`carecal.city` works out each centre's numbers (plain Python, in the worker that
planned it) and hands them here as rows; this module, like the rest of :mod:`carecal.io`,
is where pandas is imported and where files take their shape. The CSV follows every
output table's conventions (UTF-8 with a BOM, cells that could run as a formula written as
text); the page escapes every value (a centre's folder name is data, not markup) and holds
no script.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from carecal.explain import CODES
from carecal.io.csvtext import table_bytes
from carecal.io.schema import Column, Kind, Table
from carecal.io.sheets.page import render_page

FIRST_COLUMNS: tuple[str, ...] = ("centre", "status", "plan_status")
"""The columns every roll-up starts with."""
LAST_COLUMNS: tuple[str, ...] = (
    "unserved",
    "broken_rules",
    "solve_seconds",
    "seconds",
    "folder",
    "error",
)
"""The columns every roll-up ends with; the ``unserved_<code>`` columns come before them."""
TEXT_COLUMNS = frozenset({"centre", "status", "plan_status", "folder", "error"})
"""The columns holding words; every other column is a number."""
FLOAT_COLUMNS = frozenset({"solve_seconds", "seconds"})
"""The numbers that are not whole (seconds)."""
TOTAL = "(city)"
"""The ``centre`` cell of the totals row of ``city_summary.csv`` and the page."""
UNSERVED_PREFIX = "unserved_"
"""Before a reason code, the column counting the centre's unserved with that code."""


def unserved_columns(codes: Counter[str] | Sequence[Counter[str]]) -> list[str]:
    """The ``unserved_<code>`` columns of the codes given, in the order of the reason list
    (:data:`carecal.explain.CODES`), codes carecal does not list last."""
    counters = [codes] if isinstance(codes, Counter) else list(codes)
    seen = {code for counter in counters for code in counter}
    known = [c for c in CODES if c in seen]
    return [UNSERVED_PREFIX + c for c in [*known, *sorted(seen - set(known))]]


def rollup_frame(rows: Sequence[Mapping[str, Any]], metrics: Sequence[str]) -> pd.DataFrame:
    """The roll-up as a DataFrame, one row per centre, indexed by ``centre``.

    Parameters
    ----------
    rows
        One mapping per centre: the :data:`FIRST_COLUMNS`, each of ``metrics``, the
        :data:`LAST_COLUMNS` (``unserved``, ``broken_rules``, ``folder`` ... ) and
        ``unserved_by_code`` (a Counter of reason codes), which becomes one
        ``unserved_<code>`` column per code found in any centre.
    metrics
        The plan's numbers, in column order (``meals_served``, ``carriers``, ...).

    Returns
    -------
    pandas.DataFrame
        Numbers as nullable integers or floats (a failed centre has none), words as
        strings; ``status`` (``planned``, ``skipped``, ``failed``) is a category.
    """
    by_code = [Counter(r.get("unserved_by_code") or {}) for r in rows]
    code_columns = unserved_columns(by_code)
    columns = [*FIRST_COLUMNS, *metrics, *code_columns, *LAST_COLUMNS]
    records = []
    for row, codes in zip(rows, by_code, strict=True):
        record = {c: row.get(c) for c in columns}
        if row.get("status") != "failed":
            for c in code_columns:
                record[c] = codes.get(c.removeprefix(UNSERVED_PREFIX), 0)
        records.append(record)
    frame = pd.DataFrame(records, columns=columns)
    for name in columns:
        if name in TEXT_COLUMNS:
            frame[name] = frame[name].astype("string")
        elif name in FLOAT_COLUMNS:
            frame[name] = frame[name].astype("Float64")
        else:
            frame[name] = frame[name].astype("Int64")
    frame["status"] = pd.Categorical(
        frame["status"].astype(object), categories=["planned", "skipped", "failed"]
    )
    return frame.set_index("centre")


def rollup_totals(frame: pd.DataFrame) -> pd.Series:
    """The city's totals: every number summed over the centres that have a plan, and the
    centres counted by status (in ``status``)."""
    planned = frame[frame["status"] != "failed"]
    totals: dict[str, Any] = {}
    counts = frame["status"].value_counts()
    totals["status"] = ", ".join(
        f"{int(counts.get(s, 0))} {s}" for s in ("planned", "skipped", "failed")
    )
    totals["plan_status"] = ""
    for name in frame.columns:
        if name in TEXT_COLUMNS:
            continue
        value = planned[name].sum(min_count=1)
        totals[name] = None if pd.isna(value) else value
    failed = int(counts.get("failed", 0))
    totals["folder"] = ""
    totals["error"] = f"{failed} centre(s) failed" if failed else ""
    series = pd.Series(totals, dtype=object)
    series.name = TOTAL
    return series


def _column(name: str) -> Column:
    if name in TEXT_COLUMNS:
        kind = Kind.TEXT
    elif name in FLOAT_COLUMNS:
        kind = Kind.FLOAT
    else:
        kind = Kind.INT
    return Column(name, kind, False, "", "")


def _plain(value: Any) -> Any:
    """A frame cell as the CSV writer takes it: missing values empty, seconds rounded."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        # A NumPy scalar (a sum of a column): the plain Python number, so that the CSV
        # shows 3.1, not np.float64(3.1).
        value = value.item()
    if isinstance(value, float):
        return round(value, 2)
    return value


def _rows_with_totals(frame: pd.DataFrame, totals: pd.Series) -> list[dict[str, Any]]:
    rows = [
        {"centre": centre, **{str(c): _plain(v) for c, v in row.items()}}
        for centre, row in frame.iterrows()
    ]
    rows.append({"centre": TOTAL, **{str(c): _plain(v) for c, v in totals.items()}})
    return rows


def rollup_csv(frame: pd.DataFrame, totals: pd.Series) -> bytes:
    """``city_summary.csv``: a row per centre, then the totals row (``centre`` is
    :data:`TOTAL`)."""
    columns = ["centre", *frame.columns]
    table = Table(
        name="city_summary",
        required=False,
        description="one row per centre of a city run, then the city's totals",
        columns=tuple(_column(c) for c in columns),
    )
    return table_bytes(table, _rows_with_totals(frame, totals))


def _cell(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def rollup_html(
    title: str, facts: Sequence[str], frame: pd.DataFrame, totals: pd.Series, lang: str = "en"
) -> bytes:
    """``city_summary.html``: the run's facts, a table of the centres with the totals in
    the last row, and each failed centre's error in full (a Jinja2 template, every value
    escaped: a centre's folder name is data, not markup)."""
    shown = [c for c in frame.columns if c not in ("folder", "error")]
    headers = ["centre", *(c.replace("_", " ") for c in shown), "error"]
    rows = [
        {
            "total": False,
            "cells": [str(centre), *(_cell(row[c]) for c in shown), _cell(row["error"])],
        }
        for centre, row in frame.iterrows()
    ]
    rows.append(
        {
            "total": True,
            "cells": [TOTAL, *(_cell(totals.get(c)) for c in shown), _cell(totals["error"])],
        }
    )
    failed = [
        (str(centre), str(row["error"] or "").split("\n"))
        for centre, row in frame[frame["status"] == "failed"].iterrows()
    ]
    return render_page(
        "city_summary.html",
        lang,
        title,
        facts=list(facts),
        headers=headers,
        rows=rows,
        failed=failed,
    )
