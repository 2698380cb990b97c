"""Re-planning a day's meal routes with the least disruption: :func:`meal_replan`.

The previous plan, the changed community and the moment ``now`` become one routing
problem of the day (:class:`~carecal.solver.meals.problem.DayProblem`):

- **frozen**: trips that left the kitchen before ``now`` stay as they are and are not
  routed again; their carrier's next trip leaves once the last of them is back, counts
  against ``max_trips_per_day``, and costs no new call (no carrier fixed cost); no trip
  leaves before ``now``;
- **locked** stops (``Stop.locked``) are pinned to their carrier with their window
  narrowed to the kept arrival (:attr:`DayProblem.pinned`), so they are neither dropped,
  moved to another carrier, nor re-timed;
- **the previous carrier** of each elder is preferred through
  :attr:`DayProblem.affinity`, and the previous arrival through
  :attr:`DayProblem.arrival_target` (a band of ``move_arrival_minutes`` either side: the
  search costs handovers later than it, re-timing brings back those earlier than it);
- **the order of the objective** is made strict by scaling: the usual costs (carriers,
  travel, preferences) keep their units; one unit of disruption weighs more than the
  largest usual cost any plan of the day can have; one unit of missed-delivery penalty
  weighs more than the largest disruption plus usual cost
  (:func:`carecal.solver.meals.disruption.scales`);
- **the search starts from the previous plan**, repaired (:func:`_repaired_previous`:
  what the changes made impossible taken out, re-timed); unless it serves everyone and
  moves nobody, another starts from a plan made from scratch (:func:`_searches` says
  why); the best of their plans and the repaired plan is kept, compared on (missed
  deliveries, disruption, usual cost) in that order
  (:func:`carecal.solver.meals.disruption.score`), so a re-plan is never worse than
  doing nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from carecal.clock import DAY_MINUTES, format_time, weekday
from carecal.errors import CommunityError
from carecal.explain import MealCarrier, meal_carriers_busy, meal_obstacle
from carecal.fairness import explain_shortage
from carecal.model import Community, Resident, Skill
from carecal.options import SolveOptions
from carecal.plans import MealPlan, Status, Trip, Unserved
from carecal.policy import MODES, Policy
from carecal.solver.meals.disruption import Before, moved_terms, score, with_previous
from carecal.solver.meals.problem import (
    DayProblem,
    DayRoute,
    DaySolution,
    build_day_problem,
    day_carriers,
    day_penalties,
    delivery,
    familiar_savings,
)
from carecal.solver.meals.retime import earliest_times, retime_and_repair
from carecal.solver.meals.search import solve_day
from carecal.solver.meals.solution import meal_unserved, objective_terms, plan_status, read_trips
from carecal.travel import travel_minutes

logger = logging.getLogger(__name__)

_UNLOCK = "unlock the row (the locked column of meal_routes.csv, or Stop.locked) or undo the change"


def meal_replan(
    community: Community,
    previous: MealPlan,
    now: dt.datetime | None,
    options: SolveOptions,
) -> MealPlan:
    """Re-plan ``previous`` for the changed ``community`` from ``now`` on (checked inputs).

    Parameters
    ----------
    community
        The community with the changes (its policy checked by the caller).
    previous
        The plan being re-planned; its date is the re-plan's.
    now
        The moment the re-plan starts from (:func:`carecal.clock.coerce_now`), or
        ``None``: nothing has happened yet.
    options
        The call's solving options.

    Returns
    -------
    MealPlan
        As :func:`carecal.replan.replan_meals` describes it.

    Raises
    ------
    carecal.CommunityError
        For a locked stop the changed community makes impossible (naming the resident,
        the date and the fix), or a community without a kitchen.
    """
    report = options.reporter
    day = previous.date
    name = weekday(day)
    policy = community.policy
    minute = _minute_of(now, day)
    frozen = [t for t in previous.trips if minute is not None and t.leave < minute]
    still_open = [t for t in previous.trips if minute is None or t.leave >= minute]
    residents = community.deliveries_on(day)
    made = {s.resident_id for t in frozen for s in t.stops}
    todo = [r for r in residents if r.resident_id not in made]
    before = previous_stops(still_open, made)
    everyone = day_carriers(community, day)
    screening, trips_left = _carriers_from(everyone, frozen, minute, policy.max_trips_per_day)
    fleet = [c for c in screening if trips_left[c.volunteer_id] > 0 and c.leave_from < c.back_by]
    _refuse_impossible_locks(community, day, before, todo, everyone, fleet, trips_left, now)
    if not residents and not frozen:
        report("done", f"No meal orders for {day} ({name}).")
        return MealPlan(status=Status.EMPTY, date=day, engine="none", to_call=None)
    kitchen = community.kitchen

    ids = [kitchen.site_id] + [r.resident_id for r in todo]
    travel = {mode: travel_minutes(community, ids, mode) for mode in MODES}
    deliveries = [delivery(community, r, i + 1, travel) for i, r in enumerate(todo)]
    penalties = day_penalties(community, day, todo)
    unserved: list[Unserved] = []
    routable: list[int] = []
    blocked: list[str] = []
    for i, d in enumerate(deliveries):
        obstacle = meal_obstacle(d, screening, policy, name)
        if obstacle is None:
            routable.append(i)
            continue
        unserved.append(meal_unserved(d.resident_id, day, obstacle))
        lock = before.get(d.resident_id)
        if lock is not None and lock.locked:
            blocked.append(
                f"the locked delivery to {d.resident_id} on {day} by {lock.volunteer_id} "
                f"cannot be kept: {obstacle.reason}; {_UNLOCK}"
            )
    if blocked:
        raise CommunityError(blocked)

    familiar = familiar_savings(community, day, todo, fleet)
    usual = build_day_problem(
        community, todo, deliveries, penalties, routable, fleet, travel, familiar=familiar
    )
    position = {c.volunteer_id: v for v, c in enumerate(fleet)}
    node_of = {todo[i].resident_id: node for node, i in enumerate(routable, start=1)}
    usual = _day_from_now(usual, fleet, trips_left, {t.volunteer_id for t in frozen})
    usual = _with_locks(usual, community, day, before, node_of, position, fleet)
    problem = with_previous(usual, policy, before, node_of, position)
    report(
        "building",
        f"Re-planning {day} ({name}): {len(frozen)} trips already out, "
        f"{sum(b.locked for b in before.values())} locked stops, {len(routable)} deliveries "
        f"to route with {len(fleet)} carriers.",
    )

    repaired = _repaired_previous(problem, still_open, node_of, position)
    candidates = [repaired]
    if problem.num_nodes > 1 and problem.num_vehicles > 0:
        costs, labels = usual.carrier_costs(), usual.labels

        def settled(plan: DaySolution) -> bool:
            weighed = score(usual, policy, before, fleet, plan, costs, labels)
            return weighed.missed == 0 and weighed.moved == 0

        candidates += _searches(problem, usual, options, repaired, settled)
    chosen = _better(usual, policy, before, fleet, candidates)
    if chosen is None:
        kept = {node: r.vehicle for r in repaired.routes for node in r.nodes}
        lost = [usual.labels[n] for n, v in sorted(usual.pinned.items()) if kept.get(n) != v]
        what = "delivery" if len(lost) == 1 else "deliveries"
        raise CommunityError(
            [
                f"the locked {what} to {', '.join(lost)} on {day} cannot be kept "
                "with the changed community (together with the other locked stops of their "
                "carriers: their hours, the time now, their trips left, their capacity or "
                f"the hot-meal limit); {_UNLOCK}"
            ]
        )

    trips, travel_new = read_trips(usual, chosen, todo, routable, fleet)
    locked = {rid for rid, b in before.items() if b.locked}
    trips = _after_frozen(trips, frozen, locked, community)
    ordered = sum(r.portions for r in todo)
    per_round = sum(c.capacity for c in fleet)
    for node in chosen.unserved:
        d = deliveries[routable[node - 1]]
        why = meal_carriers_busy(d, name, ordered, per_round, len(fleet), policy.lang)
        unserved.append(meal_unserved(d.resident_id, day, why))
    unserved.sort(key=lambda u: u.id)
    unserved = explain_shortage(
        community, day, [s.resident_id for t in trips for s in t.stops], unserved
    )

    travel_frozen = sum(_trip_travel(t) for t in frozen)
    terms = objective_terms(
        community,
        residents,
        day_penalties(community, day, residents),
        trips,
        unserved,
        travel_new + travel_frozen,
        familiar=familiar_savings(community, day, residents, everyone),
    )
    terms.update(moved_terms(policy, previous, trips, residents))
    searched = chosen is not repaired
    status = plan_status(chosen) if searched else Status.FEASIBLE
    if problem.num_nodes == 1 or problem.num_vehicles == 0:
        status = Status.OPTIMAL
    plan = MealPlan(
        status=status,
        date=day,
        trips=tuple(trips),
        unserved=tuple(unserved),
        objective_terms=terms,
        solve_seconds=round(options.deadline.elapsed(), 3),
        engine="ortools",
    ).with_people(community)
    report(
        "done",
        f"Meals re-planned: {len(plan.served)} served, {len(unserved)} unserved, "
        f"{len(frozen)} trips kept as they left, "
        + ("the search's plan kept" if searched else "the previous plan, repaired, kept")
        + f" ({plan.solve_seconds:.1f} s).",
        objective=plan.objective,
    )
    return plan


# --- what the previous plan said --------------------------------------------------------------


def _minute_of(now: dt.datetime | None, day: dt.date) -> int | None:
    """``now`` as minutes of ``day``: ``None`` before the day, past midnight after it."""
    if now is None or now.date() < day:
        return None
    if now.date() > day:
        return DAY_MINUTES
    return now.hour * 60 + now.minute


def previous_stops(trips: Sequence[Trip], made: set[str]) -> dict[str, Before]:
    """Per resident not yet served (not in ``made``), their stop on the previous trips.

    A resident listed twice (a hand-edited plan) keeps their first stop.
    """
    out: dict[str, Before] = {}
    for trip in sorted(trips, key=lambda t: (t.volunteer_id, t.leave, t.trip)):
        for stop in trip.stops:
            if stop.resident_id not in made and stop.resident_id not in out:
                out[stop.resident_id] = Before(trip.volunteer_id, stop.arrival, stop.locked)
    return out


def _carriers_from(
    carriers: list[MealCarrier], frozen: list[Trip], minute: int | None, most: int
) -> tuple[list[MealCarrier], dict[str, int]]:
    """The day's carriers as they are from ``now`` on, and how many trips each has left.

    A carrier leaves no earlier than ``now`` and the return of their last trip already
    out; their departure is capped at the end of their hours (then they can make no trip,
    and the reasons for who is unserved say their hours do not cover it).
    """
    out: list[MealCarrier] = []
    left: dict[str, int] = {}
    for c in carriers:
        mine = [t for t in frozen if t.volunteer_id == c.volunteer_id]
        start = max([c.leave_from, minute or 0, *(t.back for t in mine)])
        out.append(replace(c, leave_from=min(start, c.back_by)))
        left[c.volunteer_id] = max(0, most - len(mine))
    return out, left


def _day_from_now(
    problem: DayProblem, fleet: list[MealCarrier], trips_left: dict[str, int], called: set[str]
) -> DayProblem:
    """The trips each carrier has left; no new fixed cost for a carrier already out today."""
    max_trips = np.array([trips_left[c.volunteer_id] for c in fleet], dtype=np.int64)
    fixed = problem.fixed_cost
    if fixed is not None:
        fixed = np.array(
            [0 if c.volunteer_id in called else int(f) for c, f in zip(fleet, fixed, strict=True)],
            dtype=np.int64,
        )
    return replace(problem, max_trips=max_trips, fixed_cost=fixed)


# --- locks --------------------------------------------------------------------------------------


def _refuse_impossible_locks(
    community: Community,
    day: dt.date,
    before: dict[str, Before],
    todo: list[Resident],
    everyone: list[MealCarrier],
    fleet: list[MealCarrier],
    trips_left: dict[str, int],
    now: dt.datetime | None,
) -> None:
    """A locked stop whose resident or carrier the changes took away: one sentence each."""
    delivered = {r.resident_id for r in todo}
    free = {c.volunteer_id for c in everyone}
    working = {c.volunteer_id for c in fleet}
    problems = []
    for rid, b in sorted(before.items()):
        if not b.locked:
            continue
        head = f"the locked delivery to {rid} on {day} by {b.volunteer_id} cannot be kept"
        volunteer = community.volunteer_by_id.get(b.volunteer_id)
        if rid not in community.resident_by_id:
            why = f"{rid} is not on the roster"
        elif rid not in delivered and community.away_on(rid, day):
            why = f"{rid} is away that day (resident_away in the changes)"
        elif rid not in delivered:
            why = f"{rid} has no meal order that day"
        elif volunteer is None or not volunteer.has(Skill.MEALS):
            why = f"{b.volunteer_id} is not a meals volunteer of the community"
        elif b.volunteer_id not in free:
            why = (
                f"{b.volunteer_id} is not free to carry meals that day "
                "(volunteer_off or availability)"
            )
        elif b.volunteer_id not in working and trips_left[b.volunteer_id] == 0:
            why = f"{b.volunteer_id} has made all the trips of the day already"
        elif b.volunteer_id not in working:
            why = (
                f"{b.volunteer_id} is not free for another trip after "
                f"{now:%H:%M} (volunteer_off, availability, or a trip still out)"
                if now is not None
                else f"{b.volunteer_id} is not free for a trip that day"
            )
        else:
            continue
        problems.append(f"{head}: {why}; {_UNLOCK}")
    if problems:
        raise CommunityError(problems)


def _with_locks(
    problem: DayProblem,
    community: Community,
    day: dt.date,
    before: dict[str, Before],
    node_of: dict[str, int],
    position: dict[str, int],
    fleet: list[MealCarrier],
) -> DayProblem:
    """Locked stops pinned to their carrier, their window narrowed to the kept arrival.

    Raises
    ------
    carecal.CommunityError
        For a locked stop its carrier cannot make on its own any more, saying why.
    """
    pinned: dict[int, int] = {}
    tw_start = problem.tw_start.copy()
    tw_end = problem.tw_end.copy()
    problems = []
    for rid, b in sorted(before.items()):
        if not b.locked:
            continue
        node, v = node_of[rid], position[b.volunteer_id]
        why = _lock_obstacle(problem, node, v, b.arrival, fleet[v])
        if why is not None:
            problems.append(
                f"the locked delivery to {rid} on {day} by {b.volunteer_id} at "
                f"{format_time(b.arrival)} cannot be kept: {why}; {_UNLOCK}"
            )
            continue
        pinned[node] = v
        tw_start[node] = tw_end[node] = b.arrival
    if problems:
        raise CommunityError(problems)
    return replace(problem, pinned=pinned, tw_start=tw_start, tw_end=tw_end)


def _lock_obstacle(
    problem: DayProblem, node: int, v: int, arrival: int, carrier: MealCarrier
) -> str | None:
    """Why carrier ``v`` cannot hand node ``node`` over at ``arrival`` even on a trip of
    its own, or ``None`` when it can."""
    travel = problem.travel_matrix(v)
    out, back = int(travel[0, node]), int(travel[node, 0])
    start, end = int(problem.vehicle_start[v]), int(problem.vehicle_end[v])
    if not problem.tw_start[node] <= arrival <= problem.tw_end[node]:
        window = (
            f"{format_time(int(problem.tw_start[node]))}–{format_time(int(problem.tw_end[node]))}"
        )
        return f"{format_time(arrival)} is outside the delivery window {window}"
    if int(problem.demand[node]) > int(problem.capacity[v]):
        return (
            f"{problem.demand[node]} portions are more than {carrier.volunteer_id} carries "
            f"({problem.capacity[v]})"
        )
    if start + out > arrival:
        return (
            f"{carrier.volunteer_id} leaves the kitchen at {format_time(start)} at the "
            f"earliest (their hours, the time now, or a trip still out) and needs {out} "
            "minutes to the door"
        )
    if problem.max_ride is not None and out > problem.max_ride:
        return f"the door is more than {problem.max_ride} minutes from the kitchen"
    if arrival + int(problem.service[node]) + back > end:
        return f"{carrier.volunteer_id} must be back at the kitchen by {format_time(end)}"
    return None


# --- the previous plan, repaired ------------------------------------------------------------


def _repaired_previous(
    problem: DayProblem,
    trips: Sequence[Trip],
    node_of: dict[str, int],
    position: dict[str, int],
) -> DaySolution:
    """The previous plan's open trips, less what the changes made impossible, re-timed.

    Stops of residents no longer to route and of carriers no longer working go; a trip
    over its carrier's capacity, or beyond their trips left, loses its last unlocked
    stops; then the trips are timed one after the other from when the carrier can leave,
    and re-timed (:func:`carecal.solver.meals.retime.retime_and_repair`, which cuts what
    no departure can make valid, locked stops last).
    """
    routes: list[DayRoute] = []
    seen: set[int] = set()
    by_carrier: dict[int, list[Trip]] = {}
    for trip in trips:
        if trip.volunteer_id in position:
            by_carrier.setdefault(position[trip.volunteer_id], []).append(trip)
    for v, mine in sorted(by_carrier.items()):
        ready = int(problem.vehicle_start[v])
        kept = 0
        for trip in sorted(mine, key=lambda t: (t.leave, t.trip)):
            nodes = []
            for stop in trip.stops:
                node = node_of.get(stop.resident_id)
                if node is not None and node not in seen:
                    nodes.append(node)
                    seen.add(node)
            nodes = _within_capacity(problem, v, nodes, seen)
            if not nodes:
                continue
            if kept >= int(problem.max_trips[v]):
                seen.difference_update(nodes)
                continue
            kept += 1
            leave = max(trip.leave, ready)
            starts, back = earliest_times(problem, v, nodes, leave)
            routes.append(DayRoute(v, kept, leave, tuple(nodes), tuple(starts), back))
            ready = back
    timed, _ = retime_and_repair(problem, routes)
    served = {node for r in timed for node in r.nodes}
    return DaySolution(
        routes=timed,
        unserved=tuple(j for j in range(1, problem.num_nodes) if j not in served),
        status="feasible",
        cost=None,
        engine="previous",
        seconds=0.0,
    )


def _within_capacity(problem: DayProblem, v: int, nodes: list[int], seen: set[int]) -> list[int]:
    """The trip's stops, its last unlocked ones taken off while it is over capacity."""
    nodes = list(nodes)
    capacity = int(problem.capacity[v])
    while nodes and sum(int(problem.demand[n]) for n in nodes) > capacity:
        free = [i for i, n in enumerate(nodes) if n not in problem.pinned]
        gone = nodes.pop(free[-1] if free else len(nodes) - 1)
        seen.discard(gone)
    return nodes


def _searches(
    problem: DayProblem,
    usual: DayProblem,
    options: SolveOptions,
    repaired: DaySolution,
    settled: Callable[[DaySolution], bool],
) -> list[DaySolution]:
    """The routing searches: from the repaired previous plan (no elder earlier than
    before, :func:`_not_earlier`) in half the time; then, unless that plan is
    ``settled`` (it serves everyone and moves nobody: no plan can do better but on the
    usual costs), from scratch with the usual objective and from that plan with the
    re-plan's, a quarter each.

    The search from the previous plan finds the small changes; but a local search steps
    one elder at a time, and serving one more can take moving several at once (each step
    alone only adds disruption). A plan from scratch serves the most it can; searching
    from it with the re-plan's costs then takes back to their carriers and times every
    elder it can without serving fewer, and sometimes finds moves that cost less.
    """
    warm = options.with_time_limit(options.remaining() / 2)
    near = solve_day(
        _not_earlier(problem, repaired), warm, engine="ortools", initial=repaired.routes
    )
    if settled(near):
        return [near]
    fresh = solve_day(usual, options.with_time_limit(options.remaining() / 2), engine="ortools")
    back = options.with_time_limit(options.remaining())
    return [near, fresh, solve_day(problem, back, engine="ortools", initial=fresh.routes)]


def _not_earlier(problem: DayProblem, repaired: DaySolution) -> DayProblem:
    """The day with no elder's handover earlier than ``move_arrival_minutes`` before their
    previous arrival (nor earlier than in the repaired plan, which must stay a solution).

    The search costs late handovers only (see the model's rule for why); in the search
    from the previous plan, early ones are ruled out instead, as hard windows, which cost
    the search nothing to check. The other searches are free of it, so no one goes
    unserved for it.
    """
    start = {node: s for r in repaired.routes for node, s in zip(r.nodes, r.starts, strict=True)}
    tw_start = problem.tw_start.copy()
    for node, target in problem.arrival_target.items():
        earliest = target.at - target.tolerance
        if node in start:
            earliest = min(earliest, start[node])
        tw_start[node] = min(max(int(tw_start[node]), earliest), int(problem.tw_end[node]))
    return replace(problem, tw_start=tw_start)


# --- weighing the candidates ------------------------------------------------------------------


def _better(
    usual: DayProblem,
    policy: Policy,
    before: dict[str, Before],
    fleet: list[MealCarrier],
    candidates: list[DaySolution],
) -> DaySolution | None:
    """The candidate with the smallest :class:`Score` that keeps every locked stop (the
    first on a tie: the repaired previous plan); ``None`` when none keeps them all."""
    best: DaySolution | None = None
    best_key: tuple[int, int, int] | None = None
    costs = usual.carrier_costs()
    labels = usual.labels
    for candidate in candidates:
        where = {node: r.vehicle for r in candidate.routes for node in r.nodes}
        if any(where.get(node) != v for node, v in usual.pinned.items()):
            logger.debug("a candidate plan left a locked stop out; not kept")
            continue
        key = score(usual, policy, before, fleet, candidate, costs, labels).key
        logger.debug("candidate (%s) scores %s", candidate.engine, key)
        if best_key is None or key < best_key:
            best, best_key = candidate, key
    return best


# --- the plan ---------------------------------------------------------------------------------


def _after_frozen(
    trips: list[Trip], frozen: list[Trip], locked: set[str], community: Community
) -> list[Trip]:
    """The frozen trips as they were and the new ones numbered after them, locks marked.

    Ordered by carrier (in volunteer order) and trip number.
    """
    last: dict[str, int] = {}
    for t in frozen:
        last[t.volunteer_id] = max(last.get(t.volunteer_id, 0), t.trip)
    out = list(frozen)
    for t in trips:
        stops = tuple(
            s.model_copy(update={"locked": True}) if s.resident_id in locked else s for s in t.stops
        )
        out.append(
            t.model_copy(update={"trip": t.trip + last.get(t.volunteer_id, 0), "stops": stops})
        )
    order = {v.volunteer_id: i for i, v in enumerate(community.volunteers)}
    return sorted(
        out, key=lambda t: (order.get(t.volunteer_id, len(order)), t.volunteer_id, t.trip)
    )


def _trip_travel(trip: Trip) -> int:
    """Travel minutes of a trip, its way back included."""
    back = trip.back - trip.stops[-1].departure if trip.stops else 0
    return sum(s.travel_minutes for s in trip.stops) + back
