"""A hand-checkable day problem on a line, shared by the routing-engine tests."""

from __future__ import annotations

from typing import Any

import numpy as np

from carecal.options import SolveOptions, solve_options
from carecal.solver.meals import DayProblem

INT = np.int64


def line_problem(
    *,
    windows: list[tuple[int, int]] | None = None,
    vehicles: int = 1,
    capacity: int = 3,
    max_trips: int = 1,
    service: int = 5,
    hours: tuple[int, int] = (0, 1000),
    **extra: Any,
) -> DayProblem:
    """Kitchen at 0 and three deliveries (R-1, R-2, R-3) on a line, 10, 20 and 30 minutes out.

    Travel between nodes ``i`` and ``j`` is ``10 * |i - j|`` minutes; each handover takes
    ``service`` minutes; each delivery is one portion; windows default to 0-1000; every
    vehicle works ``hours``.
    """
    pos = np.arange(4)
    travel = (10 * np.abs(pos[:, None] - pos[None, :])).astype(INT)
    wins = windows or [(0, 1000)] * 3
    return DayProblem(
        travel=(travel,),
        vehicle_profile=np.zeros(vehicles, dtype=INT),
        demand=np.array([0, 1, 1, 1], dtype=INT),
        service=np.array([0, service, service, service], dtype=INT),
        tw_start=np.array([0] + [a for a, _ in wins], dtype=INT),
        tw_end=np.array([1000] + [b for _, b in wins], dtype=INT),
        capacity=np.full(vehicles, capacity, dtype=INT),
        vehicle_start=np.full(vehicles, hours[0], dtype=INT),
        vehicle_end=np.full(vehicles, hours[1], dtype=INT),
        max_trips=np.full(vehicles, max_trips, dtype=INT),
        labels=("kitchen", "R-1", "R-2", "R-3"),
        **extra,
    )


def day_options(
    time_limit: float = 5.0, *, deterministic: bool = True, **extra: Any
) -> SolveOptions:
    """Checked solving options for one ``solve_day`` call (deterministic by default)."""
    return solve_options("solve_day", time_limit=time_limit, deterministic=deterministic, **extra)
