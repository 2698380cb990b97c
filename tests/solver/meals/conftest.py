"""Fixtures of the solver tests: tiny meal days (see :mod:`meal_days`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from meal_days import meal_day

from carecal.model import Community


@pytest.fixture
def day() -> Callable[..., Community]:
    """Builder of tiny meal days: residents on a line, travel in whole minutes, Monday."""
    return meal_day
