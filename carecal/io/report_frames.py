"""The monthly report (:mod:`carecal.report`) as frames, CSV files and a printable page.

The page is written with :func:`html.escape` and a small template string: Jinja2 is not a
dependency of carecal yet (the printable sheets are moving to it; this page can follow).
Every file is rendered in memory, then each written through a temporary file and a rename.
"""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from carecal.io.cells import spreadsheet_safe
from carecal.io.files import atomic_write

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


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: sans-serif; font-size: 12pt; margin: 1.5em; }}
table {{ border-collapse: collapse; margin-bottom: 1.2em; }}
th, td {{ border: 1px solid #999; padding: 0.2em 0.5em; text-align: left; }}
td.missing {{ color: #b00; font-weight: bold; }}
@media print {{ @page {{ size: A4 portrait; margin: 15mm; }} h2 {{ break-after: avoid; }} }}
</style>
</head>
<body>
<h1>{title}</h1>
{body}
</body>
</html>
"""


def report_html(report: MonthlyReport) -> str:
    """The printable page: the summary, the notes and every table, escaped, no scripts."""
    parts = [f"<p>{html.escape(line)}</p>" for line in report.summary().splitlines()]
    for name, rows in report.tables().items():
        parts.append(f"<h2>{html.escape(_TITLES[name])}</h2>")
        if not rows:
            parts.append("<p>None.</p>")
            continue
        columns = _columns(name)
        head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
        body = []
        for row in rows:
            cells = []
            for column in columns:
                text = _cell(row.get(column))
                css = ' class="missing"' if text == "missing" else ""
                cells.append(f"<td{css}>{html.escape(text)}</td>")
            body.append(f"<tr>{''.join(cells)}</tr>")
        parts.append(f"<table><tr>{head}</tr>{''.join(body)}</table>")
    title = html.escape(f"Monthly service report {report.month}")
    return _PAGE.format(title=title, body="\n".join(parts))


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
