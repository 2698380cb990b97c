"""The parts every printable sheet shares: the page template, times, floors, diets, names,
and the file name of each volunteer's sheet.

Pages are Jinja2 templates (``templates/``, shipped in the package) rendered with
autoescape on, in the language asked for: the template's words and the ones made here go
through the message catalog of :func:`carecal.i18n.translator`.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

import jinja2

from carecal.clock import format_time
from carecal.i18n import N_, Translator, translator
from carecal.model import Resident, Volunteer

# Diet tags a centre commonly writes, in words for the carrier (the catalog has the
# Chinese). A tag not listed is printed as the centre wrote it.
DIET_WORDS: dict[str, str] = {
    "soft": N_("soft food"),
    "diabetic": N_("diabetic"),
    "no_spicy": N_("not spicy"),
    "low_salt": N_("low salt"),
    "low_sugar": N_("low sugar"),
    "low_fat": N_("low fat"),
    "vegetarian": N_("vegetarian"),
    "halal": N_("halal"),
    "minced": N_("minced"),
    "liquid": N_("liquid food"),
    "no_pork": N_("no pork"),
    "no_seafood": N_("no seafood"),
}


@functools.cache
def _environment() -> jinja2.Environment:
    # One environment for every language: the words come in with each render (the ``_``
    # of the page's language), so nothing of one page's language stays for the next.
    return jinja2.Environment(
        loader=jinja2.PackageLoader("carecal.io.sheets", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render_page(template: str, lang: str, title: str, **context: Any) -> bytes:
    """The page ``template`` (a file of ``templates/``) in ``lang``, as UTF-8 bytes.

    Every value is escaped by the template; ``_`` and ``ngettext`` are the language's.
    """
    tr = translator(lang)
    page = (
        _environment()
        .get_template(template)
        .render(
            _=tr.gettext,
            ngettext=tr.ngettext,
            html_lang=tr.html_lang,
            title=title,
            **context,
        )
    )
    return page.encode("utf-8")


def time_text(minutes: int | None) -> str:
    """``HH:MM``, or nothing for ``None``."""
    return format_time(minutes) if minutes is not None else ""


def day_heading(tr: Translator, date: Any) -> str:
    """``2026-03-02 (Monday)`` / ``2026-03-02（星期一）``."""
    return tr.gettext("{date} ({weekday})").format(date=date.isoformat(), weekday=tr.weekday(date))


def floor_text(resident: Resident | None, lang: str = "en") -> str:
    """Where the door is: the ground floor, or the floor and whether there is a lift."""
    if resident is None:
        return ""
    _ = translator(lang).gettext
    if resident.floor <= 1:
        return _("ground floor")
    if resident.has_lift:
        return _("floor {floor}, lift").format(floor=resident.floor)
    return _("floor {floor}, no lift, stairs").format(floor=resident.floor)


def diet_text(tags: Iterable[str], lang: str = "en") -> str:
    """The diet tags in words (``soft food, diabetic``, ``软食、糖尿病餐``); others as given."""
    tr = translator(lang)
    words = [tr.gettext(DIET_WORDS[t]) if t in DIET_WORDS else t for t in tags]
    return tr.gettext(", ").join(words)


REGULAR_WORDS = N_("regular")
"""The words for the diet combination ``regular`` (no tags) of the packing list."""


def diet_combination_text(combination: str, lang: str = "en") -> str:
    """A diet combination of the packing list in words: ``regular``, ``diabetic + soft food``
    (``普通餐``, ``糖尿病餐 + 软食``); the portions of one line are one kind of meal."""
    from carecal.io.frames import REGULAR_DIET

    tr = translator(lang)
    if combination == REGULAR_DIET:
        return tr.gettext(REGULAR_WORDS)
    tags = combination.split("+")
    return " + ".join(tr.gettext(DIET_WORDS[t]) if t in DIET_WORDS else t for t in tags)


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
