"""What a re-plan's moves cost: the scales of its strict order, and plans weighed in it.

A re-plan of a day's meals (:mod:`carecal.solver.meals.replan`) minimises, in this order,
missed deliveries, disruption (elders moved to another carrier or in time, with the move
weights of the policy), and the usual objective of ``plan_meals``:

- :func:`with_previous` puts the previous carriers and arrivals into the day problem the
  routing search solves, with the weights of :func:`scales` that make the order strict;
- :func:`score` weighs a day's routes in that order exactly, to keep the best plan;
- :func:`moved_terms` gives the plan's disruption terms, from its trips.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from carecal.explain import MealCarrier
from carecal.model import Resident
from carecal.plans import MealPlan, Trip
from carecal.policy import Policy
from carecal.solver.meals.problem import ArrivalTarget, DayProblem, DaySolution

logger = logging.getLogger(__name__)

# The routing search adds its costs up in 64-bit integers; scaled costs stay below this,
# with room to spare for the search's own bookkeeping (guided local search penalties).
_COST_ROOM = 2**61


@dataclass(frozen=True)
class Before:
    """What the previous plan said for one delivery not yet made: carrier, arrival, lock."""

    volunteer_id: str
    arrival: int
    locked: bool


@dataclass(frozen=True)
class Score:
    """A day's routes weighed in the order of the re-plan's objective."""

    missed: int
    """Missed-delivery penalties of the deliveries left out."""
    moved: int
    """Disruption: the move weights of the elders moved (see :func:`moved_terms`)."""
    usual: int
    """Carriers' fixed costs, travel and preferences, as ``plan_meals`` weighs them."""

    @property
    def key(self) -> tuple[int, int, int]:
        """Lexicographic: serving first, then disruption, then the usual objective."""
        return (self.missed, self.moved, self.usual)


def with_previous(
    problem: DayProblem,
    policy: Policy,
    before: dict[str, Before],
    node_of: dict[str, int],
    position: dict[str, int],
) -> DayProblem:
    """The day with the previous carriers and arrivals preferred, in the strict order:
    serving, then disruption, then the usual objective (:func:`scales`)."""
    known = {node_of[rid]: b for rid, b in before.items() if rid in node_of}
    weights = scales(problem, policy, known)
    carrier_cost = policy.move_carrier_weight * weights.unit
    affinity = {node: dict(saving) for node, saving in problem.affinity.items()}
    targets: dict[int, ArrivalTarget] = {}
    penalty = _penalties(problem) // weights.divisor * weights.serving
    for node, b in known.items():
        v = position.get(b.volunteer_id)
        if v is not None and carrier_cost > 0:
            saving = affinity.setdefault(node, {})
            saving[v] = saving.get(v, 0) + carrier_cost
            # Leaving out an elder whose carrier could still come moves them as well
            # (served before, not now); any carrier of an elder whose carrier is gone
            # is a move, so for them serving and leaving out differ by the penalty alone.
            penalty[node] += carrier_cost
        if node not in problem.pinned:
            targets[node] = ArrivalTarget(
                b.arrival, policy.move_arrival_minutes, weights.per_minute
            )
    return replace(problem, affinity=affinity, penalty=penalty, arrival_target=targets)


def _penalties(problem: DayProblem) -> np.ndarray:
    if problem.penalty is None:
        return np.ones(problem.num_nodes, dtype=np.int64)
    return np.maximum(np.asarray(problem.penalty, dtype=np.int64), 1)


def usual_bound(problem: DayProblem) -> int:
    """More than the usual objective (carriers, travel, preferences) of any plan of the day.

    Every vehicle's fixed cost, the longest arc for each delivery reached and each trip's
    way back, and each delivery's largest carrier surcharge.
    """
    fixed = int(np.sum(problem.fixed_cost)) if problem.fixed_cost is not None else 0
    mats = problem.arc_cost if problem.arc_cost is not None else problem.travel
    longest = max((int(m.max()) for m in mats), default=0)
    arcs = problem.num_nodes - 1 + int(np.sum(problem.max_trips))
    surcharge = sum(extra for extra, _ in problem.carrier_costs().values())
    return fixed + longest * arcs + surcharge


@dataclass(frozen=True)
class Scales:
    """The weights that make the re-plan's order strict in the routing search."""

    unit: int
    """Multiplies a move weight: more than any plan's usual cost."""
    per_minute: int
    """The search's cost per minute a handover starts later than ``move_arrival_minutes``
    after its previous arrival."""
    serving: int
    """Multiplies a missed-delivery penalty (after ``divisor``): more than the largest
    disruption plus usual cost."""
    divisor: int
    """The missed-delivery penalties' common factor, taken out first."""


def scales(problem: DayProblem, policy: Policy, known: dict[int, Before]) -> Scales:
    """The weights of the strict order: serving, then disruption, then the usual costs.

    One unit of move weight costs more than the largest usual cost (:func:`usual_bound`);
    each minute a handover starts later than ``move_arrival_minutes`` after its previous
    arrival costs a whole ``move_arrival_weight`` unit (so the smallest such move already
    counts as one, as the plan's ``moved_arrival`` term counts it); one unit of
    missed-delivery penalty (the penalties divided by their common factor, so their ratios
    stay) costs more than the largest disruption plus usual cost. When that would not fit
    the search's 64-bit costs (enormous policy weights on an enormous day), the arrivals
    are left to the re-timing, and failing that the policy weights are used as they are:
    the order is then not strict in the search, but the plans are still compared in that
    order (:func:`score`).

    Parameters
    ----------
    problem
        The day problem with its usual costs.
    policy
        The move weights.
    known
        Per delivery node, its previous stop.
    """
    usual = usual_bound(problem)
    tol = policy.move_arrival_minutes
    penalty = _penalties(problem)[1:].tolist()
    divisor = math.gcd(*penalty) if penalty else 1
    units = sum(p // divisor for p in penalty)

    def worst_minutes(node: int, at: int) -> int:
        # The search costs the late side only (see the model's rule for why).
        return max(0, int(problem.tw_end[node]) - at - tol)

    carrier_moves = policy.move_carrier_weight * len(known)
    minutes = sum(worst_minutes(node, b.arrival) for node, b in known.items())
    for arrival_weight in (policy.move_arrival_weight, 0):
        unit = usual + 1
        disruption = unit * (carrier_moves + arrival_weight * minutes)
        serving = disruption + usual + 1
        if serving * units + disruption + usual < _COST_ROOM:
            return Scales(unit, arrival_weight * unit, serving, divisor)
    logger.debug("re-plan weights too large to scale in 64 bits; policy weights used as they are")
    return Scales(1, policy.move_arrival_weight, 1, 1)


def score(
    problem: DayProblem,
    policy: Policy,
    before: dict[str, Before],
    fleet: list[MealCarrier],
    solution: DaySolution,
    costs: dict[int, tuple[int, dict[int, int]]] | None = None,
    labels: Sequence[str] | None = None,
) -> Score:
    """How a day's routes weigh in the re-plan's order (:class:`Score`).

    Parameters
    ----------
    problem
        The day problem with the usual costs (not the scaled ones the search sees).
    policy
        Gives the move weights and ``move_arrival_minutes``.
    before
        The previous stops, by resident.
    fleet
        The carriers, in vehicle order.
    solution
        The routes to weigh.
    costs, labels
        ``problem.carrier_costs()`` and the node labels (resident ids), if already at hand.
    """
    costs = problem.carrier_costs() if costs is None else costs
    labels = problem.labels if labels is None else labels
    penalty = _penalties(problem)
    served: dict[int, tuple[int, int]] = {}
    usual = 0
    used: set[int] = set()
    for route in solution.routes:
        used.add(route.vehicle)
        matrix = problem.cost_matrix(route.vehicle)
        prev = 0
        for node, start in zip(route.nodes, route.starts, strict=True):
            served[node] = (route.vehicle, start)
            usual += int(matrix[prev, node])
            extra, discount = costs.get(node, (0, {}))
            usual += extra - discount.get(route.vehicle, 0)
            prev = node
        usual += int(matrix[prev, 0])
    if problem.fixed_cost is not None:
        usual += sum(int(problem.fixed_cost[v]) for v in used)
    missed = sum(int(penalty[j]) for j in range(1, problem.num_nodes) if j not in served)
    moved = 0
    for node in range(1, problem.num_nodes):
        b = before.get(labels[node])
        if b is None:
            continue
        if node not in served:
            moved += policy.move_carrier_weight
            continue
        v, start = served[node]
        if fleet[v].volunteer_id != b.volunteer_id:
            moved += policy.move_carrier_weight
        if abs(start - b.arrival) > policy.move_arrival_minutes:
            moved += policy.move_arrival_weight
    return Score(missed, moved, usual)


def moved_terms(
    policy: Policy, previous: MealPlan, trips: Sequence[Trip], residents: Sequence[Resident]
) -> dict[str, float]:
    """The disruption terms of a re-plan's objective, recomputed from its trips.

    Parameters
    ----------
    policy
        Gives ``move_carrier_weight``, ``move_arrival_weight`` and
        ``move_arrival_minutes``.
    previous
        The plan that was re-planned.
    trips
        The re-plan's trips.
    residents
        The date's deliveries in the changed community (a resident now away is not
        counted: away is no move).

    Returns
    -------
    dict
        ``moved_carrier``: ``move_carrier_weight`` per elder served before whose meal now
        comes with another carrier or not at all; ``moved_arrival``:
        ``move_arrival_weight`` per elder served before and now whose arrival moved by
        more than ``move_arrival_minutes``.
    """
    was = {s.resident_id: (t.volunteer_id, s.arrival) for t in previous.trips for s in t.stops}
    now = {s.resident_id: (t.volunteer_id, s.arrival) for t in trips for s in t.stops}
    carrier = arrival = 0
    for r in residents:
        old = was.get(r.resident_id)
        if old is None:
            continue
        new = now.get(r.resident_id)
        if new is None or new[0] != old[0]:
            carrier += 1
        if new is not None and abs(new[1] - old[1]) > policy.move_arrival_minutes:
            arrival += 1
    return {
        "moved_carrier": float(policy.move_carrier_weight * carrier),
        "moved_arrival": float(policy.move_arrival_weight * arrival),
    }
