"""The day problem every routing engine solves, in plain arrays.

:func:`carecal.solver.meals.plan_meals` turns a community and a date into a
:class:`DayProblem`; an engine (:mod:`carecal.solver.routing`) turns it into a
:class:`DaySolution`; ``plan_meals`` reads that back into a :class:`carecal.plans.MealPlan`.
The benchmark scripts build ``DayProblem`` objects from literature instances and call the
same engines, so what is measured is what coordinators run.

Node 0 is the depot (the kitchen); nodes ``1..n`` are the deliveries. Vehicles are
carriers; each carrier may make up to ``max_trips[v]`` trips, each from the depot and back.
All numbers are integers in one unit (minutes for carecal; the benchmarks scale theirs).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class DayProblem:
    """One day's routing problem.

    Attributes
    ----------
    travel
        Travel-time matrices, one per travel profile (mode), each ``(n+1, n+1)``.
    vehicle_profile
        Per vehicle, the index of its matrix in ``travel``.
    demand, service, tw_start, tw_end
        Per node (index 0 the depot): portions, handover minutes, and the window in which
        the handover must *start*. The depot's window is the day's horizon.
    capacity
        Per vehicle, portions per trip.
    vehicle_start, vehicle_end
        Per vehicle, earliest departure from the depot and latest return to it.
    max_trips
        Per vehicle, how many trips it may make (each back through the depot).
    max_ride
        Longest time from a trip's departure to the start of a handover on that trip
        (the hot-meal limit), or ``None`` for no limit.
    fixed_cost
        Per vehicle, the cost of using it at all.
    penalty
        Per node, the cost of leaving it unserved; ``None`` means every node must be served.
    arc_cost
        Cost matrices per profile; ``None`` means the travel times are the costs.
    preferred
        Node -> vehicles the resident prefers. Serving such a node with another vehicle
        costs ``non_preferred_cost``.
    labels
        Optional names of the nodes (ids), for messages.
    """

    travel: tuple[IntArray, ...]
    vehicle_profile: IntArray
    demand: IntArray
    service: IntArray
    tw_start: IntArray
    tw_end: IntArray
    capacity: IntArray
    vehicle_start: IntArray
    vehicle_end: IntArray
    max_trips: IntArray
    max_ride: int | None = None
    fixed_cost: IntArray | None = None
    penalty: IntArray | None = None
    arc_cost: tuple[IntArray, ...] | None = None
    preferred: dict[int, frozenset[int]] = field(default_factory=dict)
    non_preferred_cost: int = 0
    labels: tuple[str, ...] = ()

    @property
    def num_nodes(self) -> int:
        """Depot plus deliveries."""
        return len(self.demand)

    @property
    def num_vehicles(self) -> int:
        """Carriers (each with up to ``max_trips`` trips)."""
        return len(self.capacity)

    def cost_matrix(self, vehicle: int) -> IntArray:
        """The arc-cost matrix of one vehicle."""
        mats = self.arc_cost if self.arc_cost is not None else self.travel
        return mats[int(self.vehicle_profile[vehicle])]

    def travel_matrix(self, vehicle: int) -> IntArray:
        """The travel-time matrix of one vehicle."""
        return self.travel[int(self.vehicle_profile[vehicle])]


@dataclass(frozen=True)
class DayRoute:
    """One trip of one vehicle: ``nodes`` in visiting order with handover start times."""

    vehicle: int
    trip: int
    leave: int
    nodes: tuple[int, ...]
    starts: tuple[int, ...]
    back: int


@dataclass(frozen=True)
class DaySolution:
    """What an engine returns.

    ``status`` is ``"optimal"``, ``"feasible"`` or ``"no_solution"``; ``cost`` the
    engine's objective value in the problem's units (``None`` without a solution).
    """

    routes: tuple[DayRoute, ...]
    unserved: tuple[int, ...]
    status: str
    cost: float | None
    engine: str
    seconds: float
