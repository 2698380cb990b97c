"""The parts every printable sheet shares: the page, a table, cells, names, and the file
name of each volunteer's sheet."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Callable, Iterable

from carecal.clock import format_time
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


# Device names Windows refuses as a file stem, whatever the case or the extension after them.
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"{port}{n}" for port in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")}
)
MAX_STEM_BYTES = 100
"""The longest file stem derived from an id, in UTF-8 bytes: far below the 255-byte limit of
every common file system, leaving room for the folder path on Windows."""
_TAG_CHARS = 8


def _cut(text: str, limit: int) -> str:
    """``text`` shortened to at most ``limit`` UTF-8 bytes, never inside a character."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def _reserved(stem: str) -> bool:
    return stem.split(".")[0].upper() in _RESERVED


def file_stem(id_: str, taken: set[str]) -> str:
    """A portable file stem for ``id_``, not in ``taken`` (compared case-insensitively).

    Letters (Chinese too), digits, ``_``, ``-`` and ``.`` are kept, every other character
    becomes ``_`` and dots at either end go (Windows drops a trailing dot, a leading one
    hides the file). When anything was changed, or the stem would be longer than
    :data:`MAX_STEM_BYTES`, a Windows device name (``CON``, ``nul``, ``COM1``, ...), or
    taken, a short hash of the id is added, so two ids never share a file and the same id
    always gets the same name.
    """
    text = unicodedata.normalize("NFC", id_)
    clean = re.sub(r"[^\w.-]", "_", text).strip(".")
    stem = clean
    if (
        stem != id_
        or not stem
        or len(stem.encode("utf-8")) > MAX_STEM_BYTES
        or _reserved(stem)
        or stem.casefold() in taken
    ):
        tag = hashlib.sha256(id_.encode("utf-8")).hexdigest()[:_TAG_CHARS]
        base = _cut(clean, MAX_STEM_BYTES - _TAG_CHARS - 1).rstrip(".") or "volunteer"
        # The tag goes into the part before the first dot, which Windows compares with
        # its device names (``con.x`` is as reserved as ``con``).
        head, dot, rest = base.partition(".")
        stem = f"{head}-{tag}{dot}{rest}"
        n = 2
        while stem.casefold() in taken:  # another id already took this name by hand
            stem, n = f"{head}-{tag}-{n}{dot}{rest}", n + 1
    return stem


def sheet_names(ids: Iterable[str]) -> dict[str, str]:
    """A file name per volunteer id: bounded, portable, distinct ignoring case.

    See :func:`file_stem`; the names are decided for every id before a sheet is written.
    """
    names: dict[str, str] = {}
    taken: set[str] = set()
    for vid in ids:
        stem = file_stem(vid, taken)
        taken.add(stem.casefold())
        names[vid] = f"{stem}.html"
    return names


def render_sheets(ids: Iterable[str], sheet: Callable[[str], bytes]) -> dict[str, bytes]:
    """The sheet of each volunteer in ``ids``, by file name (:func:`sheet_names`), in memory.

    Nothing is written here: the plan folder writes every file of a plan in one commit
    (:mod:`carecal.io.manifest`), and removes sheets of an earlier plan for volunteers who
    are no longer on it (such a sheet would send them out).
    """
    return {name: sheet(vid) for vid, name in sheet_names(ids).items()}
