"""The parts every printable sheet shares: the page, a table, cells, names, and writing the
sheets of one folder."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from carecal.clock import format_time
from carecal.io.files import atomic_write
from carecal.model import Resident, Volunteer

_CSS = """
body { font-family: "Noto Sans", "PingFang SC", "Microsoft YaHei", Arial, sans-serif;
       font-size: 12pt; margin: 1.5cm; }
h1 { font-size: 18pt; margin-bottom: 0.2em; } h2 { font-size: 15pt; margin-top: 1.2em; }
h3 { font-size: 13pt; margin-bottom: 0.3em; }
table { border-collapse: collapse; width: 100%; margin-bottom: 0.8em; }
th, td { border: 1px solid #444; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #eee; } .time { white-space: nowrap; font-weight: bold; }
.note { color: #333; } @media print { h2 { page-break-before: auto; } }
"""


def html_page(title: str, body: list[str]) -> bytes:
    """A whole UTF-8 page: ``title`` and the ``body`` parts, with the print style inline."""
    head = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
    )
    return (head + "\n".join(body) + "\n</body>\n</html>\n").encode("utf-8")


def html_table(headers: list[str], rows: list[list[str]]) -> str:
    """A table of ``rows`` (cells already HTML) under escaped ``headers``."""
    th = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>\n" for row in rows)
    return f"<table>\n<tr>{th}</tr>\n{body}</table>"


def esc(value: object) -> str:
    """``value`` as HTML text."""
    return html.escape(str(value))


def time_cell(minutes: int | None) -> str:
    """``HH:MM`` in bold, or nothing for ``None``."""
    return f'<span class="time">{format_time(minutes)}</span>' if minutes is not None else ""


def floor_text(resident: Resident | None) -> str:
    """Where the door is: the ground floor, or the floor and whether there is a lift."""
    if resident is None:
        return ""
    if resident.floor <= 1:
        return "ground floor"
    return f"floor {resident.floor}, {'lift' if resident.has_lift else 'no lift, stairs'}"


def who(volunteer: Volunteer | None, vid: str) -> str:
    """``name (id)``, or the id alone when the volunteer has no name."""
    return f"{volunteer.name} ({vid})" if volunteer is not None and volunteer.name else vid


def _safe_name(vid: str) -> str:
    return re.sub(r"[^\w.-]", "_", vid).strip(".") or "volunteer"


def sheet_names(ids: Iterable[str]) -> dict[str, str]:
    """A file name per volunteer id: safe on every system and distinct ignoring case."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for vid in ids:
        base = name = _safe_name(vid)
        n = 2
        while name.lower() in used:
            name, n = f"{base}_{n}", n + 1
        used.add(name.lower())
        names[vid] = f"{name}.html"
    return names


def write_sheets(folder: Path, ids: Iterable[str], sheet: Callable[[str], bytes]) -> list[Path]:
    """Write the sheet of each volunteer in ``ids`` into ``folder``; remove older sheets.

    Each sheet is named for its volunteer (:func:`sheet_names`). The folder belongs to
    carecal (``routes/``, ``escorts/``, ``timetables/``): a sheet left from an earlier run
    for a volunteer who is no longer on the plan would send them out.
    """
    names = sheet_names(ids)
    paths = [atomic_write(folder / name, sheet(vid)) for vid, name in names.items()]
    if folder.is_dir():
        for old in folder.glob("*.html"):
            if old.name not in names.values():
                old.unlink()
    return paths
