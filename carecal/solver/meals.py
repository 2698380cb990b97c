"""Daily meal-delivery routes: :func:`plan_meals`.

The day's deliveries and carriers become a :class:`~carecal.solver.dayproblem.DayProblem`
(node 0 the kitchen), a routing engine (:func:`carecal.solver.routing.solve_day`) solves
it, and the solution is read back into a :class:`~carecal.plans.MealPlan`.

The care rules, as the planner applies them:

- the deliveries of a date are the residents whose ``meal_days`` include its weekday;
- carriers are the volunteers with the ``meals`` skill who pledged time that day (or the
  caller's list). A carrier pledging several separate blocks that day works in the one
  that overlaps the delivery period most (from ``meals_ready`` to the latest window close
  of the day; the earlier block on a tie);
- a carrier leaves the kitchen no earlier than meals are ready and their block begins,
  and is back at the kitchen from every trip by the end of that block;
- at most ``max_trips_per_day`` trips per carrier, each from the kitchen and back, one
  after the other; at most the carrier's capacity in portions per trip;
- the handover at each door starts inside the resident's window and lasts
  ``Community.handover_minutes``; the food age at each door (from that trip's departure
  to the start of the handover) is at most ``max_food_minutes``;
- the objective, in this order of weight: serve every delivery (a missed delivery costs
  ``missed_meal_penalty``, times ``missed_meal_vulnerable_factor`` for each of: lives
  alone, bedridden, uses a wheelchair); few carriers (``carrier_fixed_cost`` each);
  short travel (one per minute); a resident's preferred volunteers
  (``non_preferred_cost`` per delivery by another carrier).

Deliveries no carrier could make even on a trip of their own are screened out before the
solve and listed as unserved with the reason (:mod:`carecal.explain`).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence

import numpy as np

from carecal.clock import TimeWindow, weekday
from carecal.explain import (
    MealCarrier,
    MealDelivery,
    meal_carriers_busy,
    meal_obstacle,
)
from carecal.model import Community, Mobility, Resident, Skill, coerce_date
from carecal.plans import MealPlan, Status, Stop, Trip, Unserved, UnservedKind
from carecal.policy import MODES
from carecal.solver.dayproblem import DayProblem, DaySolution
from carecal.solver.routing import ENGINES, solve_day
from carecal.travel import travel_minutes

logger = logging.getLogger(__name__)


def plan_meals(
    community: Community,
    date: dt.date | str,
    *,
    carriers: list[str] | None = None,
    time_limit: float = 10.0,
    deterministic: bool = False,
    engine: str = "auto",
    progress: Callable[[str], None] | None = None,
) -> MealPlan:
    """Plan the meal-delivery routes of one date.

    Parameters
    ----------
    community
        The community (residents with meal orders, volunteers, availability, a kitchen).
    date
        The delivery date (a date or ``"YYYY-MM-DD"``).
    carriers
        Volunteer ids to use as carriers; default: every volunteer with the ``meals``
        skill. Listed volunteers without pledged time that day are left out (logged).
    time_limit
        Seconds the routing search may take at most.
    deterministic
        Stop the search after a fixed amount of work, so the same input always gives the
        same plan (for tests); ``time_limit`` stays a safety net.
    engine
        The routing engine (see :data:`carecal.solver.routing.ENGINES`): ``"auto"`` (the
        default) uses PyVRP when it is installed and can express every rule of the day,
        else OR-Tools; ``"ortools"``; or ``"pyvrp"``.
    progress
        Called with short messages while planning.

    Returns
    -------
    MealPlan
        Trips, the unserved deliveries with reason and fix, the status, the objective
        terms (``missed_deliveries``, ``carriers``, ``travel_minutes``,
        ``non_preferred``) and the solve time. Status ``EMPTY`` when nobody ordered a
        meal for that date.

    Raises
    ------
    ValueError
        For invalid input: an unknown or unskilled carrier id, an unknown engine, no
        kitchen (:class:`carecal.model.CommunityError`), a time limit that is not positive.
    """
    began = time.perf_counter()
    day_date = coerce_date(date)
    if engine not in ENGINES:
        raise ValueError(
            f"routing engine '{engine}' is not known; use one of: {', '.join(ENGINES)}"
        )
    if time_limit <= 0:
        raise ValueError(f"time_limit must be a positive number of seconds, not {time_limit}")
    say = _say(progress)
    day = weekday(day_date)
    residents = community.deliveries_on(day_date)
    if carriers is not None:
        _check_carrier_ids(community, carriers)
    if not residents:
        say(f"No meal orders for {day_date} ({day}).")
        return MealPlan(status=Status.EMPTY, date=day_date, engine="none")
    kitchen = community.kitchen
    fleet = day_carriers(community, day_date, carriers)
    say(f"{len(residents)} meal deliveries and {len(fleet)} carriers on {day_date} ({day}).")

    ids = [kitchen.site_id] + [r.resident_id for r in residents]
    travel = {mode: travel_minutes(community, ids, mode) for mode in MODES}
    deliveries = [_delivery(community, r, i + 1, travel) for i, r in enumerate(residents)]
    penalties = [missed_meal_penalty(community, r) for r in residents]

    unserved: list[Unserved] = []
    routable: list[int] = []
    for i, d in enumerate(deliveries):
        obstacle = meal_obstacle(d, fleet, community.policy, day)
        if obstacle is None:
            routable.append(i)
        else:
            unserved.append(_unserved(d.resident_id, day_date, obstacle))
    if unserved:
        say(f"{len(unserved)} deliveries cannot be made by any carrier; listed as unserved.")

    problem = _day_problem(community, residents, deliveries, penalties, routable, fleet, travel)
    solution = _solve(problem, time_limit, deterministic, engine, progress)
    trips, travel_total = _trips(problem, solution, residents, routable, fleet)
    ordered = sum(r.portions for r in residents)
    per_round = sum(c.capacity for c in fleet)
    for node in solution.unserved:
        d = deliveries[routable[node - 1]]
        reason = meal_carriers_busy(d, day, ordered, per_round, len(fleet))
        unserved.append(_unserved(d.resident_id, day_date, reason))
    unserved.sort(key=lambda u: u.id)

    status = {
        "optimal": Status.OPTIMAL,
        "feasible": Status.FEASIBLE,
        "no_solution": Status.TIME_LIMIT,
    }.get(solution.status, Status.FEASIBLE)
    plan = MealPlan(
        status=status,
        date=day_date,
        trips=tuple(trips),
        unserved=tuple(unserved),
        objective=_objective_terms(community, residents, penalties, trips, unserved, travel_total),
        solve_seconds=round(time.perf_counter() - began, 3),
        engine=solution.engine,
    )
    say(
        f"Meals planned: {len(plan.served)} served, {len(unserved)} unserved, "
        f"{len(plan.carriers)} carriers, {len(trips)} trips ({plan.solve_seconds:.1f} s)."
    )
    return plan


def _say(progress: Callable[[str], None] | None) -> Callable[[str], None]:
    def say(message: str) -> None:
        logger.info(message)
        if progress is not None:
            progress(message)

    return say


# --- carriers and deliveries ----------------------------------------------------------------


def _check_carrier_ids(community: Community, ids: Sequence[str]) -> None:
    problems = []
    for vid in ids:
        volunteer = community.volunteer_by_id.get(vid)
        if volunteer is None:
            problems.append(
                f"carrier {vid} is not in volunteers; correct the id or add the volunteer"
            )
        elif not volunteer.has(Skill.MEALS):
            problems.append(
                f"carrier {vid} does not have the meals skill; add meals to their skills "
                "or leave them out of the carriers"
            )
    if problems:
        raise ValueError("; ".join(problems))


def delivery_period(community: Community, date: dt.date) -> TimeWindow:
    """From meals ready to the latest window close among the date's deliveries."""
    ready = community.policy.meals_ready
    ends = [community.window_of(r).end for r in community.deliveries_on(date)]
    return TimeWindow(ready, max([*ends, ready + 1]))


def day_carriers(
    community: Community, date: dt.date | str, ids: Sequence[str] | None = None
) -> list[MealCarrier]:
    """The carriers of a date, each with their working block.

    Parameters
    ----------
    community
        The community.
    date
        The delivery date.
    ids
        Volunteer ids to consider (default: every volunteer with the ``meals`` skill).

    Returns
    -------
    list of MealCarrier
        In volunteer order. A volunteer with several blocks that day works in the one that
        overlaps :func:`delivery_period` most (the earlier one on a tie); the departure is
        no earlier than ``meals_ready``. Volunteers without a usable block are left out.
    """
    day_date = coerce_date(date)
    period = delivery_period(community, day_date)
    ready = community.policy.meals_ready
    wanted = set(ids) if ids is not None else None
    fleet: list[MealCarrier] = []
    for v in community.volunteers:
        if wanted is None and not v.has(Skill.MEALS):
            continue
        if wanted is not None and v.volunteer_id not in wanted:
            continue
        blocks = community.availability_on(v.volunteer_id, day_date)
        if not blocks:
            if wanted is not None:
                logger.warning("carrier %s has no pledged time on %s", v.volunteer_id, day_date)
            continue
        block = max(
            blocks, key=lambda b: (min(b.end, period.end) - max(b.start, period.start), -b.start)
        )
        leave_from = max(ready, block.start)
        if leave_from >= block.end:
            continue
        fleet.append(
            MealCarrier(
                volunteer_id=v.volunteer_id,
                mode=v.mode,
                capacity=community.capacity_of(v),
                leave_from=leave_from,
                back_by=block.end,
            )
        )
    return fleet


def missed_meal_penalty(community: Community, resident: Resident) -> int:
    """Cost of leaving this resident without their meal.

    ``missed_meal_penalty`` times ``missed_meal_vulnerable_factor`` once for each of:
    lives alone, bedridden, uses a wheelchair.
    """
    p = community.policy
    vulnerabilities = sum(
        (
            resident.lives_alone,
            resident.mobility == Mobility.BEDRIDDEN,
            resident.mobility == Mobility.WHEELCHAIR,
        )
    )
    return round(p.missed_meal_penalty * p.missed_meal_vulnerable_factor**vulnerabilities)


def _delivery(
    community: Community,
    resident: Resident,
    node: int,
    travel: dict[str, np.ndarray],
) -> MealDelivery:
    return MealDelivery(
        resident_id=resident.resident_id,
        portions=resident.portions,
        window=community.window_of(resident),
        handover=community.handover_minutes(resident),
        out_minutes={m: int(travel[m][0, node]) for m in travel},
        back_minutes={m: int(travel[m][node, 0]) for m in travel},
    )


def _unserved(resident_id: str, date: dt.date, reason: tuple[str, str]) -> Unserved:
    return Unserved(
        kind=UnservedKind.MEAL, id=resident_id, date=date, reason=reason[0], fix=reason[1]
    )


# --- the day problem -----------------------------------------------------------------------


def _day_problem(
    community: Community,
    residents: list[Resident],
    deliveries: list[MealDelivery],
    penalties: list[int],
    routable: list[int],
    fleet: list[MealCarrier],
    travel: dict[str, np.ndarray],
) -> DayProblem:
    """Node 0 the kitchen, nodes 1.. the routable deliveries; vehicles the carriers."""
    p = community.policy
    modes = sorted({c.mode for c in fleet}, key=MODES.index)
    keep = np.array([0] + [i + 1 for i in routable], dtype=np.int64)
    matrices = tuple(travel[m][np.ix_(keep, keep)].astype(np.int64) for m in modes)
    chosen = [deliveries[i] for i in routable]
    position = {c.volunteer_id: k for k, c in enumerate(fleet)}
    preferred: dict[int, frozenset[int]] = {}
    for node, i in enumerate(routable, start=1):
        wanted = [position[v] for v in residents[i].preferred_volunteers if v in position]
        if residents[i].preferred_volunteers:
            preferred[node] = frozenset(wanted)

    def ints(values: list[int]) -> np.ndarray:
        return np.array(values, dtype=np.int64)

    return DayProblem(
        travel=matrices,
        vehicle_profile=ints([modes.index(c.mode) for c in fleet]),
        demand=ints([0] + [d.portions for d in chosen]),
        service=ints([0] + [d.handover for d in chosen]),
        tw_start=ints([0] + [d.window.start for d in chosen]),
        tw_end=ints([24 * 60] + [d.window.end for d in chosen]),
        capacity=ints([c.capacity for c in fleet]),
        vehicle_start=ints([c.leave_from for c in fleet]),
        vehicle_end=ints([c.back_by for c in fleet]),
        max_trips=ints([p.max_trips_per_day] * len(fleet)),
        max_ride=p.max_food_minutes,
        fixed_cost=ints([p.carrier_fixed_cost] * len(fleet)),
        penalty=ints([0] + [penalties[i] for i in routable]),
        preferred=preferred,
        non_preferred_cost=p.non_preferred_cost,
        labels=tuple([community.kitchen.site_id] + [d.resident_id for d in chosen]),
    )


def _solve(
    problem: DayProblem,
    time_limit: float,
    deterministic: bool,
    engine: str,
    progress: Callable[[str], None] | None,
) -> DaySolution:
    if problem.num_nodes == 1 or problem.num_vehicles == 0:
        return DaySolution(
            routes=(),
            unserved=tuple(range(1, problem.num_nodes)),
            status="optimal",
            cost=None,
            engine=engine,
            seconds=0.0,
        )
    return solve_day(
        problem,
        time_limit=time_limit,
        deterministic=deterministic,
        engine=engine,
        progress=progress,
    )


# --- reading the solution back -------------------------------------------------------------


def _trips(
    problem: DayProblem,
    solution: DaySolution,
    residents: list[Resident],
    routable: list[int],
    fleet: list[MealCarrier],
) -> tuple[list[Trip], int]:
    """The trips of the solution, and their travel minutes including the ways back."""
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


def _objective_terms(
    community: Community,
    residents: list[Resident],
    penalties: list[int],
    trips: list[Trip],
    unserved: list[Unserved],
    travel: int,
) -> dict[str, float]:
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
    return {
        "missed_deliveries": float(
            sum(pen for r, pen in zip(residents, penalties, strict=True) if r.resident_id in missed)
        ),
        "carriers": float(p.carrier_fixed_cost * len({t.volunteer_id for t in trips})),
        "travel_minutes": float(travel),
        "non_preferred": float(p.non_preferred_cost * non_preferred),
    }
