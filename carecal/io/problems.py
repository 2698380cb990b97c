"""How the readers say what is wrong: the warning class, did-you-mean, word lists.

A problem is one sentence naming the place (file, row, column, entity) and the fix; these
helpers are shared by the cell parsers, the table readers and the policy reader.
"""

from __future__ import annotations

import difflib
import re
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError

# The warning class lives with the errors; it is imported here because the readers and
# older code take it from this module.
from carecal.errors import CarecalWarning

__all__ = [
    "CarecalWarning",
    "group_problems",
    "one_of",
    "suggest",
    "validation_sentences",
    "warn",
]


def warn(message: str) -> None:
    """Issue a :class:`CarecalWarning` that points at the caller's line, outside carecal.io."""
    # stacklevel 2 is warn()'s caller; climb past every frame inside carecal.io.
    level, frame = 2, sys._getframe(1)
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith("carecal.io"):
        level, frame = level + 1, frame.f_back
    warnings.warn(CarecalWarning(message), stacklevel=level)


def suggest(word: str, options: tuple[str, ...] | list[str], then: str, cutoff: float = 0.7) -> str:
    """``did you mean X? Then…`` when ``word`` is close to one of ``options``, else ``then``."""
    close = difflib.get_close_matches(word.lower(), list(options), n=1, cutoff=cutoff)
    return f"did you mean {close[0]}? {then[0].upper()}{then[1:]}" if close else then


def one_of(options: tuple[str, ...]) -> str:
    """``a, b or c``."""
    return ", ".join(options[:-1]) + " or " + options[-1] if len(options) > 1 else options[0]


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
class _Group:
    """Problems of one kind: where they are, the first one's sentence, the rows."""

    at: int
    source: str
    unit: str
    column: str | None
    sep: str
    first: str
    labels: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)


def _rows_text(unit: str, labels: list[str]) -> str:
    """``rows 2–526``, ``rows 2–5, 9, 12–14``, ``index a, b``: the rows of a group."""
    if unit != "row" or not all(label.isdigit() for label in labels):
        shown = ", ".join(labels[:_MAX_RUNS]) + (", …" if len(labels) > _MAX_RUNS else "")
        return f"{unit} {shown}"
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
    shown = ", ".join(runs[:_MAX_RUNS]) + (", …" if len(runs) > _MAX_RUNS else "")
    return f"{'row' if len(numbers) == 1 else 'rows'} {shown}"


def group_problems(problems: Sequence[str], *, examples: int = 3) -> list[str]:
    """The problems with the same problem in many rows said once, with the rows.

    Problems of one file (or sheet) and column whose sentences differ only in the cell's
    value, numbers and dates are one group: a heading with the rows and how many, and the
    sentence of the first, then the first ``examples`` problems of the group, each on its
    own line indented by two spaces. A problem alone in its kind is kept as it is. The
    order stays that of ``problems`` (file, row, column): a group stands where its first
    problem stood.

    Parameters
    ----------
    problems
        Problems as :class:`~carecal.errors.CarecalError` lists them, one sentence each.
    examples
        How many problems of a group are shown under its heading.

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
    order: list[tuple[str, ...] | int] = []
    groups: dict[tuple[str, ...], _Group] = {}
    for i, problem in enumerate(problems):
        match = _ROW_PROBLEM.match(problem)
        if match is None:
            order.append(i)
            continue
        text = match["text"]
        key = (
            match["source"],
            match["unit"],
            match["column"] or "",
            match["sep"],
            _DIGITS.sub("#", _QUOTED.sub("'…'", text)),
        )
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(
                i, match["source"], match["unit"], match["column"], match["sep"], text
            )
            order.append(key)
        group.labels.append(match["label"])
        if len(group.examples) < examples:
            entity = match["entity"] or ""
            group.examples.append(f"{match['unit']} {match['label']}{entity}{match['sep']}{text}")
    out: list[str] = []
    for item in order:
        if isinstance(item, int):
            out.append(problems[item])
            continue
        group = groups[item]
        if len(group.labels) == 1:
            out.append(problems[group.at])
            continue
        column = f" column {group.column}" if group.column else ""
        rows = _rows_text(group.unit, group.labels)
        head = f"{group.source}{column}, {rows} ({len(group.labels):,} rows)"
        # "row 5 has 12 cells but ..." reads only with its row in front.
        first = group.first if group.sep == ": " else group.examples[0]
        out.append("\n".join([f"{head}: {first}", *(f"  {e}" for e in group.examples)]))
    return out
