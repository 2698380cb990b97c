"""The monthly report (:mod:`carecal.report`) as frames, CSV files and a printable page.

The page comes from a Jinja2 template, as the printable sheets do (every value escaped),
in the report's language: in Chinese its headings, column heads, and the statuses, roles
and ``done`` values in the cells are words (``delivered`` is 已送达, ``missed`` 未到);
in English the column heads and values are those of the CSV files. The CSV files keep
English names and values in both languages. Every file is rendered in memory, then each
written through a temporary file and a rename.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from carecal.i18n import N_, translator
from carecal.io.cells import spreadsheet_safe
from carecal.io.files import atomic_write
from carecal.io.sheets.page import diet_combination_text, render_page

if TYPE_CHECKING:
    from carecal.report import MonthlyReport

_TITLES = {
    "days": N_("Which folder each date was taken from"),
    "meals_by_day": N_("Meals by day (portions)"),
    "meals_by_diet": N_("Meals by diet (portions)"),
    "people": N_("Residents served"),
    "checks": N_("Health checks by day"),
    "home_checks": N_("Home checks listed"),
    "volunteer_hours": N_("Volunteer hours (planned; rows without a volunteer: totals by role)"),
    "unserved": N_("Not served, by reason code"),
}
# The words of the column heads and of the values of a few columns, for the catalog; the
# page says them in Chinese, and in English shows the CSV files' names and values.
_HEADS = {
    "date": N_("date"),
    "meals": N_("meals"),
    "meals_folder": N_("meals from"),
    "checks_folder": N_("health checks from"),
    "shifts_folder": N_("shifts from"),
    "status": N_("status"),
    "folder": N_("folder"),
    "deliveries": N_("deliveries"),
    "delivered": N_("delivered"),
    "not_home": N_("not at home"),
    "refused": N_("refused"),
    "planned": N_("planned, not yet ticked"),
    "unserved": N_("not served"),
    "diet": N_("diet"),
    "service": N_("service"),
    "basis": N_("counted from"),
    "residents": N_("residents"),
    "living_alone": N_("living alone"),
    "wheelchair_users": N_("wheelchair users"),
    "booked": N_("booked"),
    "done": N_("done"),
    "missed": N_("missed"),
    "escorted_done": N_("escorted, done"),
    "escorted_planned": N_("escorted, planned"),
    "resident_id": N_("resident id"),
    "name": N_("name"),
    "address": N_("address"),
    "reason": N_("reason"),
    "volunteer_id": N_("volunteer id"),
    "role": N_("role"),
    "hours": N_("hours"),
    "kind": N_("kind"),
    "code": N_("reason code"),
    "count": N_("count"),
}
_VALUES = {
    "delivered": N_("delivered"),
    "not_home": N_("not at home"),
    "refused": N_("refused"),
    "done": N_("done"),
    "missed": N_("missed"),
    "planned": N_("planned"),
    "partly done": N_("partly done"),
    "no orders": N_("no orders"),
    "missing": N_("missing"),
    "meals": N_("meals"),
    "health_checks": N_("health checks"),
    "escort": N_("escort"),
    "centre": N_("centre"),
    "meal": N_("meal"),
    "health_check": N_("health check"),
    "home_check": N_("home check"),
    "shift": N_("shift"),
}
_WORDED = frozenset({"status", "meals", "basis", "service", "role", "kind"})
"""The columns whose values the page says in words (statuses, services, roles, kinds)."""


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


def _shown(column: str, value: Any, lang: str) -> dict[str, Any]:
    """One cell of the page: its text in ``lang`` and whether it marks a missing day."""
    text = _cell(value)
    missing = text == "missing"
    if lang != "en" and text:
        _ = translator(lang).gettext
        if column in _WORDED and text in _VALUES:
            text = _(_VALUES[text])
        elif column == "diet":
            text = diet_combination_text(text, lang)
    return {"text": text, "missing": missing}


def report_html(report: MonthlyReport, lang: str | None = None) -> str:
    """The printable page: the summary, the notes and every table, from a Jinja2 template
    like the sheets (every value escaped, no scripts), in ``lang`` (the report's own by
    default)."""
    lang = lang or report.lang
    _ = translator(lang).gettext
    sections = []
    for name, rows in report.tables().items():
        columns = _columns(name)
        heads = columns if lang == "en" else [_(_HEADS[c]) if c in _HEADS else c for c in columns]
        sections.append(
            {
                "title": _(_TITLES[name]),
                "columns": heads,
                "rows": [[_shown(c, row.get(c), lang) for c in columns] for row in rows],
            }
        )
    page = render_page(
        "report.html",
        lang,
        _("Monthly service report {month}").format(month=report.month),
        summary=report.summary(lang).splitlines(),
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
