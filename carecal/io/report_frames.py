"""The monthly report (:mod:`carecal.report`) as frames, CSV files and a printable page.

The page comes from a Jinja2 template, as the printable sheets do (every value escaped).
Every file is rendered in memory, then each written through a temporary file and a rename.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from carecal.io.cells import spreadsheet_safe
from carecal.io.files import atomic_write
from carecal.io.sheets.page import render_page

if TYPE_CHECKING:
    from carecal.report import MonthlyReport

_TITLES = {
    "days": "Which folder each date was taken from",
    "meals_by_day": "Meals by day (portions)",
    "meals_by_diet": "Meals by diet (portions)",
    "people": "Residents served",
    "checks": "Health checks by day",
    "home_checks": "Home checks listed",
    "volunteer_hours": "Volunteer hours (planned; rows without a volunteer: totals by role)",
    "unserved": "Not served, by reason code",
}


def _columns(name: str) -> list[str]:
    from carecal.report import COLUMNS

    return list(COLUMNS[name])


def report_frames(report: MonthlyReport) -> dict[str, pd.DataFrame]:
    """Every table of ``report`` as a DataFrame, by name; dates as ``datetime64``."""
    frames = {}
    for name, rows in report.tables().items():
        frame = pd.DataFrame(rows, columns=_columns(name))
        if "date" in frame.columns:
            frame["date"] = pd.to_datetime(frame["date"])
        frames[name] = frame
    return frames


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def _csv(columns: list[str], rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([spreadsheet_safe(_cell(row.get(c))) for c in columns])
    return buffer.getvalue().encode("utf-8-sig")


def report_html(report: MonthlyReport) -> str:
    """The printable page: the summary, the notes and every table, from a Jinja2 template
    like the sheets (every value escaped, no scripts)."""
    sections = []
    for name, rows in report.tables().items():
        columns = _columns(name)
        sections.append(
            {
                "title": _TITLES[name],
                "columns": columns,
                "rows": [[_cell(row.get(c)) for c in columns] for row in rows],
            }
        )
    page = render_page(
        "report.html",
        "en",
        f"Monthly service report {report.month}",
        summary=report.summary().splitlines(),
        sections=sections,
    )
    return page.decode("utf-8")


def report_files(report: MonthlyReport, *, plots: bool | None = None) -> dict[str, bytes]:
    """Every file of the report by name, in memory: ``report_<table>.csv``,
    ``report.html`` and, with matplotlib (or ``plots=True``), ``report.png``."""
    files = {
        f"report_{name}.csv": _csv(_columns(name), rows) for name, rows in report.tables().items()
    }
    files["report.html"] = report_html(report).encode("utf-8")
    if plots is None:
        import importlib.util

        plots = importlib.util.find_spec("matplotlib") is not None
    if plots:
        from carecal.plot import report_png

        files["report.png"] = report_png(report)
    return files


def write_report(report: MonthlyReport, folder: Path, *, plots: bool | None = None) -> list[Path]:
    """Render every file of ``report`` in memory, then write each atomically into ``folder``."""
    files = report_files(report, plots=plots)
    return [atomic_write(folder / name, data) for name, data in files.items()]
