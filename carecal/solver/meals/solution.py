"""Reading a day's solution back into :class:`~carecal.plans.MealPlan` pieces.

Trips and stops from the engine's routes, unserved deliveries with their reason, the plan
status, and the objective as named terms.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from carecal.explain import MealCarrier, Why
from carecal.model import Community, Resident
from carecal.plans import Status, Stop, Trip, Unserved, UnservedKind
from carecal.solver.meals.problem import DayProblem, DaySolution

_STATUS = {
    "optimal": Status.OPTIMAL,
    "feasible": Status.FEASIBLE,
    "no_solution": Status.TIME_LIMIT,
}


def plan_status(solution: DaySolution) -> Status:
    """The plan status of an engine's solution (no solution in time is ``TIME_LIMIT``)."""
    return _STATUS.get(solution.status, Status.FEASIBLE)


def meal_unserved(resident_id: str, date: dt.date, why: Why) -> Unserved:
    """A missed delivery with its reason code, reason and fix."""
    return Unserved.because(UnservedKind.MEAL, resident_id, date, why)


def read_trips(
    problem: DayProblem,
    solution: DaySolution,
    residents: list[Resident],
    routable: list[int],
    fleet: list[MealCarrier],
) -> tuple[list[Trip], int]:
    """The trips of the solution, and their travel minutes including the ways back.

    Parameters
    ----------
    problem
        The day problem the engine solved.
    solution
        The engine's solution.
    residents
        The date's residents with meal orders.
    routable
        Per delivery node ``k`` (from 1), the index ``routable[k - 1]`` into ``residents``.
    fleet
        The carriers, in vehicle order.

    Returns
    -------
    tuple
        The trips ordered by carrier and trip number, and the total travel minutes.
    """
    trips = []
    total = 0
    for route in sorted(solution.routes, key=lambda r: (r.vehicle, r.trip)):
        travel = problem.travel_matrix(route.vehicle)
        stops = []
        prev = 0
        for node, start in zip(route.nodes, route.starts, strict=True):
            resident = residents[routable[node - 1]]
            stops.append(
                Stop(
                    resident_id=resident.resident_id,
                    arrival=start,
                    departure=start + int(problem.service[node]),
                    portions=resident.portions,
                    diet=resident.diet,
                    food_minutes=start - route.leave,
                    travel_minutes=int(travel[prev, node]),
                )
            )
            prev = node
        total += sum(s.travel_minutes for s in stops) + int(travel[prev, 0])
        trips.append(
            Trip(
                volunteer_id=fleet[route.vehicle].volunteer_id,
                trip=route.trip,
                leave=route.leave,
                back=route.back,
                stops=tuple(stops),
            )
        )
    return trips, total


def objective_terms(
    community: Community,
    residents: list[Resident],
    penalties: list[int],
    trips: list[Trip],
    unserved: list[Unserved],
    travel: int,
    *,
    familiar: Mapping[str, Mapping[str, int]] | None = None,
) -> dict[str, float]:
    """The plan's objective as named terms, recomputed from its trips and unserved list.

    Returns
    -------
    dict
        ``missed_deliveries`` (penalties of the unserved), ``carriers`` (fixed cost of
        each carrier used), ``travel_minutes`` and ``non_preferred`` (cost of deliveries
        made by a carrier the resident did not prefer); and when the community has a
        history, ``unfamiliar``: per delivery, what the day's most familiar carrier of
        the resident would have saved over the one who brings it (``familiar``, as
        :func:`carecal.solver.meals.problem.familiar_savings` gives it).
    """
    p = community.policy
    missed = {u.id for u in unserved}
    carrier_of = {s.resident_id: t.volunteer_id for t in trips for s in t.stops}
    non_preferred = sum(
        1
        for r in residents
        if r.preferred_volunteers
        and r.resident_id in carrier_of
        and carrier_of[r.resident_id] not in r.preferred_volunteers
    )
    terms = {
        "missed_deliveries": float(
            sum(pen for r, pen in zip(residents, penalties, strict=True) if r.resident_id in missed)
        ),
        "carriers": float(p.carrier_fixed_cost * len({t.volunteer_id for t in trips})),
        "travel_minutes": float(travel),
        "non_preferred": float(p.non_preferred_cost * non_preferred),
    }
    if community.history:
        saving = familiar or {}
        terms["unfamiliar"] = float(
            sum(
                max(saving[rid].values()) - saving[rid].get(vid, 0)
                for rid, vid in carrier_of.items()
                if saving.get(rid)
            )
        )
    return terms
