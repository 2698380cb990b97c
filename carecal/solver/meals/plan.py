"""Daily meal-delivery routes: :func:`plan_meals`.

The day's deliveries and carriers become a :class:`~carecal.solver.meals.problem.DayProblem`
(node 0 the kitchen; :mod:`~carecal.solver.meals.problem`), a routing engine
(:func:`carecal.solver.meals.search.solve_day`) solves it, and the solution is read back
into a :class:`~carecal.plans.MealPlan` (:mod:`~carecal.solver.meals.solution`).

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
from collections.abc import Callable

from carecal.clock import weekday
from carecal.explain import meal_carriers_busy, meal_obstacle
from carecal.model import Community, coerce_date
from carecal.plans import MealPlan, Status, Unserved
from carecal.policy import MODES
from carecal.solver.meals.problem import (
    DayProblem,
    DaySolution,
    build_day_problem,
    check_carrier_ids,
    day_carriers,
    delivery,
    missed_meal_penalty,
)
from carecal.solver.meals.search import check_options, solve_day
from carecal.solver.meals.solution import (
    meal_unserved,
    objective_terms,
    plan_status,
    read_trips,
)
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
        The routing engine (see :data:`carecal.solver.meals.search.ENGINES`): ``"auto"`` (the
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
    check_options(engine, time_limit)
    say = _say(progress)
    day = weekday(day_date)
    residents = community.deliveries_on(day_date)
    if carriers is not None:
        check_carrier_ids(community, carriers)
    if not residents:
        say(f"No meal orders for {day_date} ({day}).")
        return MealPlan(status=Status.EMPTY, date=day_date, engine="none")
    kitchen = community.kitchen
    fleet = day_carriers(community, day_date, carriers)
    say(f"{len(residents)} meal deliveries and {len(fleet)} carriers on {day_date} ({day}).")

    ids = [kitchen.site_id] + [r.resident_id for r in residents]
    travel = {mode: travel_minutes(community, ids, mode) for mode in MODES}
    deliveries = [delivery(community, r, i + 1, travel) for i, r in enumerate(residents)]
    penalties = [missed_meal_penalty(community, r) for r in residents]

    unserved: list[Unserved] = []
    routable: list[int] = []
    for i, d in enumerate(deliveries):
        obstacle = meal_obstacle(d, fleet, community.policy, day)
        if obstacle is None:
            routable.append(i)
        else:
            unserved.append(meal_unserved(d.resident_id, day_date, obstacle))
    if unserved:
        say(f"{len(unserved)} deliveries cannot be made by any carrier; listed as unserved.")

    problem = build_day_problem(
        community, residents, deliveries, penalties, routable, fleet, travel
    )
    solution = _solve(problem, time_limit, deterministic, engine, progress)
    trips, travel_total = read_trips(problem, solution, residents, routable, fleet)
    ordered = sum(r.portions for r in residents)
    per_round = sum(c.capacity for c in fleet)
    for node in solution.unserved:
        d = deliveries[routable[node - 1]]
        reason = meal_carriers_busy(d, day, ordered, per_round, len(fleet))
        unserved.append(meal_unserved(d.resident_id, day_date, reason))
    unserved.sort(key=lambda u: u.id)

    plan = MealPlan(
        status=plan_status(solution),
        date=day_date,
        trips=tuple(trips),
        unserved=tuple(unserved),
        objective_terms=objective_terms(
            community, residents, penalties, trips, unserved, travel_total
        ),
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


def _solve(
    problem: DayProblem,
    time_limit: float,
    deterministic: bool,
    engine: str,
    progress: Callable[[str], None] | None,
) -> DaySolution:
    # No delivery left to route, or nobody to carry: every engine would answer the same.
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
