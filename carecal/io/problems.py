"""How the readers say what is wrong: where (file, row, column) and what, in any language.

A problem is one sentence naming the place (file, row, column, entity) and the fix. The
readers make it as a :class:`Problem`: a :class:`Where` and what is wrong there (a
:class:`~carecal.i18n.Message`), which is a ``str`` holding the English sentence, so that
``CarecalError.problems`` reads as it always has, and which :func:`render_problem` (or
:func:`group_problems` with ``lang``) says in Chinese for the command line's ``--lang zh``.
File names, rows, columns, ids and the cells as written are never translated.

These helpers are shared by the cell parsers, the table readers and the policy reader.
"""

from __future__ import annotations

import difflib
import re
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

# The warning class lives with the errors; it is imported here because the readers and
# older code take it from this module.
from carecal.errors import CarecalWarning
from carecal.i18n import N_, Capitalised, Choices, Message, render, translator

__all__ = [
    "CarecalWarning",
    "Problem",
    "Where",
    "group_problems",
    "one_of",
    "render_problem",
    "suggest",
    "validation_sentences",
    "warn",
]

# The words for the entity of a row (schema.Table.entity), for the catalog: a place says
# "row 14 (resident R-0132)".
_ENTITIES = (
    N_("resident"),
    N_("volunteer"),
    N_("site"),
    N_("shift"),
    N_("clinic"),
    N_("place"),
    N_("change"),
)


@dataclass(frozen=True)
class Where:
    """The place of a problem: the file or sheet, the row, the entity on it, the column.

    Attributes
    ----------
    source
        ``residents.csv``, ``data.xlsx sheet residents``, ``residents table``.
    row
        How the row is named: ``row 14`` (spreadsheet numbering), ``index a`` (a
        DataFrame's label).
    entity, ident
        The entity the row is about and its id (``resident``, ``R-0132``), if any.
    column
        carecal's name of the column, if the problem is in one cell.
    written
        The header as the file writes it, when it is an alias (``年龄`` for ``age``).
    """

    source: str
    row: str = ""
    entity: str = ""
    ident: str = ""
    column: str = ""
    written: str = ""

    def __str__(self) -> str:
        return self.render("en")

    def render(self, lang: str = "en") -> str:
        """``residents.csv row 14 (resident R-0132), column 年龄 (age)`` in ``lang``."""
        return self.text(lang)

    def text(self, lang: str = "en", *, source: bool = True, column: bool = True) -> str:
        """The place in ``lang``, with or without the file and the column."""
        _ = translator(lang).gettext
        place = render(self.row, lang)
        if self.ident:
            place = _("{row} ({entity} {id})").format(
                row=place, entity=_(self.entity), id=self.ident
            )
        if source:
            where = render(self.source, lang)
            place = _("{source} {row}").format(source=where, row=place) if place else where
        if column and self.column:
            place = _("{place}, column {column}").format(place=place, column=self.column_text(lang))
        return place

    def column_text(self, lang: str = "en") -> str:
        """The column as written, with carecal's name beside an alias: ``年龄 (age)``."""
        if not self.written or self.written == self.column:
            return self.column
        return (
            translator(lang)
            .gettext("{written} ({column})")
            .format(written=self.written, column=self.column)
        )

    @property
    def unit(self) -> str:
        """``row`` or ``index``: how the rows of the source are counted."""
        return str(self.row).partition(" ")[0]

    @property
    def label(self) -> str:
        """The row's number or index label (``14``)."""
        return str(self.row).partition(" ")[2]


class Problem(str):
    """One input problem: where it is and what is wrong, said in English by ``str``.

    Parameters
    ----------
    where
        The place.
    what
        What is wrong and the fix, usually a :class:`~carecal.i18n.Message`.
    sep
        ``": "`` between the place and the sentence (``residents.csv row 3, column age:
        'x' is not ...``), or ``" "`` when the sentence goes on from the place
        (``sites.csv row 5 has 12 cells but ...``).
    """

    where: Where
    what: str
    sep: str

    def __new__(cls, where: Where, what: str, sep: str = ": ") -> Problem:
        self = super().__new__(cls, f"{where}{sep}{what}")
        self.where, self.what, self.sep = where, what, sep
        return self

    def render(self, lang: str) -> str:
        """The problem in ``lang`` (``en``, ``zh``)."""
        if lang == "en":
            return str(self)
        _ = translator(lang).gettext
        template = _("{place}: {problem}") if self.sep == ": " else _("{place} {problem}")
        return template.format(place=self.where.render(lang), problem=render(self.what, lang))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.where, self.what, self.sep))


def render_problem(problem: str, lang: str) -> str:
    """A problem in ``lang``: a :class:`Problem` or :class:`~carecal.i18n.Message` is said in
    it; any other text (from code that makes plain sentences) stays as it is."""
    return render(problem, lang)


def warn(message: str) -> None:
    """Issue a :class:`CarecalWarning` that points at the caller's line, outside carecal.io."""
    # stacklevel 2 is warn()'s caller; climb past every frame inside carecal.io.
    level, frame = 2, sys._getframe(1)
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith("carecal.io"):
        level, frame = level + 1, frame.f_back
    warnings.warn(CarecalWarning(message), stacklevel=level)


def suggest(word: str, options: tuple[str, ...] | list[str], then: str, cutoff: float = 0.7) -> str:
    """``did you mean X? Then…`` when ``word`` is close to one of ``options``, else ``then``.

    ``then`` may be a :class:`~carecal.i18n.Message`; so is the result, said in any
    language.
    """
    close = difflib.get_close_matches(word.lower(), list(options), n=1, cutoff=cutoff)
    if not close:
        return then
    if isinstance(then, Message):
        capital: str = Capitalised(then.msgid, **then.values)
    else:
        capital = then[:1].upper() + then[1:]
    return Message(N_("did you mean {word}? {then}"), word=close[0], then=capital)


def one_of(options: Sequence[str]) -> str:
    """``a, b or c`` (a :class:`~carecal.i18n.Choices`: ``a、b 或 c`` in Chinese)."""
    return Choices(options)


def validation_sentences(error: ValidationError, source: str) -> list[str]:
    """Pydantic's errors as sentences naming ``source`` and the field, each with the fix."""
    out = []
    for err in error.errors():
        key = ".".join(str(p) for p in err["loc"])
        message = str(err["msg"]).removeprefix("Value error, ")
        value = err.get("input")
        shown = value is None or isinstance(value, dict) or str(value) in message
        got = "" if shown else f" (got {value!r})"
        out.append(f"{source}, {key}: {message}{got}; correct the value")
    return out


# `residents.csv row 14 (resident R-0132), column age: 57 is under 60; ...` (Row.where),
# and `residents.csv row 14 has 12 cells but ...` (a row the CSV reader could not split).
_ROW_PROBLEM = re.compile(
    r"^(?P<source>.+?) (?P<unit>row|index) (?P<label>[^\s,:()]+)(?P<entity> \([^()]*\))?"
    r"(?:, column (?P<column>[^:]+?))?(?P<sep>: | )(?P<text>.+)$",
    re.DOTALL,
)
# What differs between rows with the same problem: the quoted cell, numbers, dates, ids.
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_DIGITS = re.compile(r"\d+")
_MAX_RUNS = 8
"""Runs of rows shown in a group's heading (``rows 2–9, 12, 15–40``) before ``…``."""


@dataclass
class _Parts:
    """A problem cut into what grouping needs: the file, the row, the column, the sentence.

    For a :class:`Problem` the parts are its own (said in any language); for plain text
    they are cut out of the English by :data:`_ROW_PROBLEM`.
    """

    source: str
    unit: str
    label: str
    column: str
    sep: str
    text: str
    where: Where | None = None
    entity: str = ""

    def row_text(self, lang: str) -> str:
        """``row 2 (resident R0002)`` in ``lang``: the start of an example line."""
        if self.where is not None:
            return self.where.text(lang, source=False, column=False)
        return f"{self.unit} {self.label}{self.entity}"

    def column_text(self, lang: str) -> str:
        """The column as the heading names it (``年龄 (age)``), or ``""``."""
        if self.where is not None:
            return self.where.column_text(lang)
        return self.column


def _parts(problem: str) -> _Parts | None:
    """The parts of a problem on a row, or ``None`` for a problem of a whole file."""
    if isinstance(problem, Problem):
        w = problem.where
        if w.unit in ("row", "index") and w.label:
            column = w.column_text("en")
            return _Parts(w.source, w.unit, w.label, column, problem.sep, problem.what, w)
        return None
    match = _ROW_PROBLEM.match(problem)
    if match is None:
        return None
    return _Parts(
        match["source"],
        match["unit"],
        match["label"],
        match["column"] or "",
        match["sep"],
        match["text"],
        entity=match["entity"] or "",
    )


@dataclass
class _Group:
    """Problems of one kind: where the first one is, its parts, the rows, the examples."""

    at: int
    first: _Parts
    labels: list[str] = field(default_factory=list)
    examples: list[_Parts] = field(default_factory=list)


def _rows_text(unit: str, labels: list[str], lang: str = "en") -> str:
    """``rows 2–526``, ``rows 2–5, 9, 12–14``, ``index a, b``: the rows of a group."""
    _ = translator(lang).gettext
    comma = _(", ")
    if unit != "row" or not all(label.isdigit() for label in labels):
        shown = comma.join(labels[:_MAX_RUNS]) + (comma + "…" if len(labels) > _MAX_RUNS else "")
        return (_("row {rows}") if unit == "row" else _("index {rows}")).format(rows=shown)
    numbers = sorted({int(label) for label in labels})
    runs: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        runs.append(f"{start}–{prev}" if prev > start else f"{start}")
        if n is not None:
            start = prev = n
    shown = comma.join(runs[:_MAX_RUNS]) + (comma + "…" if len(runs) > _MAX_RUNS else "")
    return (_("row {rows}") if len(numbers) == 1 else _("rows {rows}")).format(rows=shown)


def _joined(place: str, sep: str, text: str, lang: str) -> str:
    """``place: text``, or ``place text`` when the sentence goes on from the place."""
    _ = translator(lang).gettext
    template = _("{place}: {problem}") if sep == ": " else _("{place} {problem}")
    return template.format(place=place, problem=render(text, lang))


def group_problems(problems: Sequence[str], *, examples: int = 3, lang: str = "en") -> list[str]:
    """The problems with the same problem in many rows said once, with the rows.

    Problems of one file (or sheet) and column whose sentences differ only in the cell's
    value, numbers and dates are one group: a heading with the rows and how many, and the
    sentence of the first, then the first ``examples`` problems of the group, each on its
    own line indented by two spaces. A problem alone in its kind is kept as it is. The
    order stays that of ``problems`` (file, row, column): a group stands where its first
    problem stood. Problems group alike in every language: by their English.

    Parameters
    ----------
    problems
        Problems as :class:`~carecal.errors.CarecalError` lists them, one sentence each.
    examples
        How many problems of a group are shown under its heading.
    lang
        The language to say them in (``en``, ``zh``): a :class:`Problem` is said in it,
        other text stays as it is.

    Returns
    -------
    list[str]
        One entry per group (several lines) or single problem (as given).

    Examples
    --------
    >>> group_problems([
    ...     "residents.csv row 2, column age: 'x' is not a whole number",
    ...     "residents.csv row 3, column age: 'y' is not a whole number",
    ... ])[0].splitlines()[0]
    "residents.csv column age, rows 2–3 (2 rows): 'x' is not a whole number"
    """
    _ = translator(lang).gettext
    order: list[tuple[str, ...] | int] = []
    groups: dict[tuple[str, ...], _Group] = {}
    for i, problem in enumerate(problems):
        parts = _parts(problem)
        if parts is None:
            order.append(i)
            continue
        key = (
            str(parts.source),
            parts.unit,
            parts.column,
            parts.sep,
            _DIGITS.sub("#", _QUOTED.sub("'…'", str(parts.text))),
        )
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(i, parts)
            order.append(key)
        group.labels.append(parts.label)
        if len(group.examples) < examples:
            group.examples.append(parts)
    out: list[str] = []
    for item in order:
        if isinstance(item, int):
            out.append(render(problems[item], lang))
            continue
        group = groups[item]
        if len(group.labels) == 1:
            out.append(render(problems[group.at], lang))
            continue
        first = group.first
        values = {
            "source": render(first.source, lang),
            "rows": _rows_text(first.unit, group.labels, lang),
            "count": len(group.labels),
        }
        column = first.column_text(lang)
        if column:
            head = _("{source} column {column}, {rows} ({count:,} rows)").format(
                column=column, **values
            )
        else:
            head = _("{source}, {rows} ({count:,} rows)").format(**values)
        # "row 5 has 12 cells but ..." reads only with its row in front.
        example = group.examples[0]
        what = first.text
        if first.sep != ": ":
            what = _joined(example.row_text(lang), example.sep, example.text, lang)
        heading = _joined(head, ": ", what, lang)
        lines = [_joined(e.row_text(lang), e.sep, e.text, lang) for e in group.examples]
        out.append("\n".join([heading, *(f"  {line}" for line in lines)]))
    return out
