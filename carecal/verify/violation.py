"""What every part of the verifier reports: a :class:`Violation`, and how a check records one."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

from pydantic import BaseModel, ConfigDict


class Violation(BaseModel):
    """One broken rule, in plain words."""

    model_config = ConfigDict(frozen=True)

    rule: str
    """Short name of the rule, e.g. ``capacity`` or ``window``."""
    message: str
    """What is wrong, naming the resident, volunteer or shift and the numbers."""

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


Report: TypeAlias = Callable[[str, str], None]
"""How a check records a broken rule: called with the rule's short name and the message."""
