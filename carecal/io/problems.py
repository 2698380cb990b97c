"""How the readers say what is wrong: the warning class, did-you-mean, word lists.

A problem is one sentence naming the place (file, row, column, entity) and the fix; these
helpers are shared by the cell parsers, the table readers and the policy reader.
"""

from __future__ import annotations

import difflib
import sys
import warnings

from pydantic import ValidationError

# The warning class lives with the errors; it is imported here because the readers and
# older code take it from this module.
from carecal.errors import CarecalWarning

__all__ = ["CarecalWarning", "one_of", "suggest", "validation_sentences", "warn"]


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
