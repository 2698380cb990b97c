"""Every error carecal raises on purpose, and the one warning class.

``except carecal.CarecalError`` catches them all. Each one is a sentence (or a list of
sentences, ``problems``) that names what is wrong in the user's terms (file, row, column,
id, argument) and how to fix it.

- :class:`CommunityError`: the community given is invalid (a table, a cell, a policy value,
  a cross-reference, or a request the community cannot answer such as dates outside the
  campaign).
- :class:`PlanFileError`: a plan folder cannot be read back.
- :class:`OptionError`: an argument of a planner or a command is invalid (a period, a date
  of the wrong kind, a time limit, a worker count).
- :class:`ExtraMissingError`: an optional extra is not installed; the message gives the
  install command.

``CarecalError`` derives from ``ValueError``, so code written against carecal 0.1 that
caught ``ValueError`` still catches every carecal error.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "CarecalError",
    "CarecalWarning",
    "CommunityError",
    "ExtraMissingError",
    "OptionError",
    "PlanFileError",
]


class CarecalError(ValueError):
    """Base of every error carecal raises on purpose.

    Parameters
    ----------
    problems
        One sentence, or several: each names what is wrong and how to fix it.

    Attributes
    ----------
    problems : list of str
        The sentences, one problem each, in the order found.
    """

    def __init__(self, problems: str | Iterable[str]) -> None:
        self.problems: list[str] = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class CommunityError(CarecalError):
    """The community (its tables, policy or a request it cannot answer) is invalid."""


class PlanFileError(CarecalError):
    """A plan folder cannot be read back (a missing file, a malformed row)."""


class OptionError(CarecalError):
    """An argument of a planner or a command is invalid (period, date, time limit, ...)."""


class ExtraMissingError(CarecalError, ImportError):
    """An optional extra is not installed; the message says how to install it."""

    def __init__(self, extra: str, module: str, what: str, message: str | None = None) -> None:
        super().__init__(
            message
            or f"{what} needs the optional package '{module}', which is not installed; "
            f'install it with: pip install "carecal[{extra}]"'
        )
        self.extra = extra
        self.module = module


class CarecalWarning(UserWarning):
    """Something carecal noticed and went on with (an unused column, an outlier, ...)."""
