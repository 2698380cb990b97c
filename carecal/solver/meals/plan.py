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
  ``missed_meal_penalty``, raised by the criteria of ``shortage_order`` the resident
  meets, and above all others for a resident left unserved on their previous delivery
  day: :mod:`carecal.fairness`); few carriers (``carrier_fixed_cost`` each); short
  travel (one per minute); a resident's preferred volunteers (``non_preferred_cost`` per
  delivery by another carrier); a carrier who knows the resident from the history
  (``familiar_carrier_weight``, all of the day's together less than one missed meal).

Deliveries no carrier could make even on a trip of their own are screened out before the
solve and listed as unserved with the reason (:mod:`carecal.explain`).
"""

from __future__ import annotations

import datetime as dt
import logging

from carecal.clock import coerce_date, weekday
from carecal.explain import meal_carriers_busy, meal_obstacle
from carecal.fairness import explain_shortage
from carecal.model import Community
from carecal.options import ProgressOption, SolveOptions, solve_options
from carecal.plans import MealPlan, Status, Unserved
from carecal.policy import MODES, check_policy
from carecal.solver.meals.helper import start_helper
from carecal.solver.meals.problem import (
    DayProblem,
    DaySolution,
    build_day_problem,
    check_carrier_ids,
    day_carriers,
    day_penalties,
    delivery,
    familiar_savings,
)
from carecal.solver.meals.search import check_engine, solve_day
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
    date: object,
    *,
    carriers: list[str] | None = None,
    engine: str = "auto",
    time_limit: float = 10.0,
    workers: int | None = None,
    seed: int = 0,
    deterministic: bool = False,
    progress: ProgressOption = False,
) -> MealPlan:
    """Plan the meal-delivery routes of one date.

    Parameters
    ----------
    community
        The community (residents with meal orders, volunteers, availability, a kitchen).
    date
        The delivery date: a ``datetime.date``, ``"YYYY-MM-DD"``, or a naive
        ``datetime``, ``pandas.Timestamp`` or ``numpy.datetime64`` at midnight.
    carriers
        Volunteer ids to use as carriers (a list); default ``None``: every volunteer
        with the ``meals`` skill. Listed volunteers without pledged time that day are
        left out (a progress event names them).
    engine
        The routing engine (see :data:`carecal.solver.meals.search.ENGINES`): ``"auto"``
        (the default) uses PyVRP when it is installed and can express every rule of the
        day, else OR-Tools; ``"ortools"``; or ``"pyvrp"``.
    time_limit
        Total wall-clock seconds for the whole call, default 10: building the day, the
        routing search, re-timing the trips and explaining who is unserved all fit in it.
    workers
        Cores to use; default ``None`` (every core). With 2 or more, a second, different
        routing search of the day runs on another core in a helper process, in the same
        time, and the better plan is kept (:mod:`carecal.solver.meals.search`); 1 runs
        one search (as ``carecal city`` plans each centre).
    seed
        Random seed, default 0. It seeds the PyVRP engine. The OR-Tools routing search
        has no random element (and no seed parameter), so an OR-Tools plan does not
        depend on it.
    deterministic
        Default ``False``. When ``True``, the search stops after a fixed amount of work
        (a number of solutions, or of PyVRP iterations, that grows with the day), so the
        same input always gives the same plan; ``time_limit`` stays a safety net.
    progress
        ``False`` (the default) for silence, ``True`` for a progress bar, or a callable
        that receives each :class:`carecal.progress.ProgressEvent`: stages
        ``"building"``, ``"routing"`` (with the cost of each improving solution as
        ``objective``) and ``"done"`` (the plan's objective).

    Returns
    -------
    MealPlan
        Trips, the unserved deliveries with reason and fix, the status, the objective
        terms (``missed_deliveries``, ``carriers``, ``travel_minutes``,
        ``non_preferred``), ``bound`` ``None`` (the routing search proves no bound) and
        the solve time. Status ``EMPTY`` when nobody ordered a meal for that date.

    Raises
    ------
    carecal.OptionError
        For a ``date`` that names no day (time-zone-aware, or with a time of day), an
        unknown engine, a ``carriers`` that is not a list of ids, ``engine="pyvrp"`` on a
        day PyVRP cannot express, or an invalid solving option (time limit, workers,
        seed, deterministic, progress).
    carecal.CommunityError
        For an invalid policy, a carrier id that is not a volunteer or lacks the
        ``meals`` skill, or a community without a kitchen.
    carecal.ExtraMissingError
        For ``engine="pyvrp"`` without PyVRP installed.
    """
    options = solve_options(
        "plan_meals",
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        deterministic=deterministic,
        progress=progress,
    )
    try:
        day = coerce_date(date, "date")
        check_policy(community.policy)
        return meal_plan(community, day, options, carriers=carriers, engine=engine)
    finally:
        options.reporter.close()


def meal_plan(
    community: Community,
    day: dt.date,
    options: SolveOptions,
    *,
    carriers: list[str] | None = None,
    engine: str = "auto",
) -> MealPlan:
    """:func:`plan_meals` on a plain date with checked options (for ``plan_week``).

    Parameters
    ----------
    community
        The community; its policy already checked by the caller.
    day
        The delivery date, a plain :class:`datetime.date`.
    options
        The solving options of this call, or of this part of a larger call
        (:meth:`carecal.options.SolveOptions.with_time_limit`); the plan fits in
        ``options.remaining()``.
    carriers, engine
        As for :func:`plan_meals`.

    Returns
    -------
    MealPlan
        As for :func:`plan_meals`.

    Raises
    ------
    carecal.OptionError, carecal.CommunityError, carecal.ExtraMissingError
        As for :func:`plan_meals`.
    """
    report = options.reporter
    check_engine(engine)
    name = weekday(day)
    wanted = check_carrier_ids(community, carriers) if carriers is not None else None
    residents = community.deliveries_on(day)
    if not residents:
        report("done", f"No meal orders for {day} ({name}).")
        return MealPlan(status=Status.EMPTY, date=day, engine="none")
    if options.workers >= 2:
        # The second search's process loads while this one builds the day.
        start_helper()
    kitchen = community.kitchen
    fleet = day_carriers(community, day, wanted)
    report(
        "building", f"{len(residents)} meal deliveries and {len(fleet)} carriers on {day} ({name})."
    )
    if wanted is not None:
        idle = sorted(set(wanted) - {c.volunteer_id for c in fleet})
        if idle:
            report("building", f"Left out, no usable pledged time on {day}: {', '.join(idle)}.")

    ids = [kitchen.site_id] + [r.resident_id for r in residents]
    travel = {mode: travel_minutes(community, ids, mode) for mode in MODES}
    deliveries = [delivery(community, r, i + 1, travel) for i, r in enumerate(residents)]
    penalties = day_penalties(community, day, residents)

    unserved: list[Unserved] = []
    routable: list[int] = []
    for i, d in enumerate(deliveries):
        obstacle = meal_obstacle(d, fleet, community.policy, name)
        if obstacle is None:
            routable.append(i)
        else:
            unserved.append(meal_unserved(d.resident_id, day, obstacle))
    if unserved:
        report(
            "building",
            f"{len(unserved)} deliveries cannot be made by any carrier; listed as unserved.",
        )

    familiar = familiar_savings(community, day, residents, fleet)
    problem = build_day_problem(
        community, residents, deliveries, penalties, routable, fleet, travel, familiar=familiar
    )
    solution = _solve(problem, options, engine)
    trips, travel_total = read_trips(problem, solution, residents, routable, fleet)
    ordered = sum(r.portions for r in residents)
    per_round = sum(c.capacity for c in fleet)
    for node in solution.unserved:
        d = deliveries[routable[node - 1]]
        reason = meal_carriers_busy(d, name, ordered, per_round, len(fleet), community.policy.lang)
        unserved.append(meal_unserved(d.resident_id, day, reason))
    unserved.sort(key=lambda u: u.id)
    unserved = explain_shortage(
        community, day, [s.resident_id for t in trips for s in t.stops], unserved
    )

    plan = MealPlan(
        status=plan_status(solution),
        date=day,
        trips=tuple(trips),
        unserved=tuple(unserved),
        objective_terms=objective_terms(
            community, residents, penalties, trips, unserved, travel_total, familiar=familiar
        ),
        solve_seconds=round(options.deadline.elapsed(), 3),
        engine=solution.engine,
    ).with_people(community)
    report(
        "done",
        f"Meals planned: {len(plan.served)} served, {len(unserved)} unserved, "
        f"{len(plan.carriers)} carriers, {len(trips)} trips ({plan.solve_seconds:.1f} s).",
        objective=plan.objective,
    )
    return plan


def _solve(problem: DayProblem, options: SolveOptions, engine: str) -> DaySolution:
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
    return solve_day(problem, options, engine=engine)
