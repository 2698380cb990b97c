"""The day problem every routing engine solves, and how a community's day becomes one.

:func:`build_day_problem` turns the deliveries and carriers of a date into a
:class:`DayProblem` in plain arrays; an engine (:func:`carecal.solver.meals.search.solve_day`)
turns it into a :class:`DaySolution`; :mod:`carecal.solver.meals.solution` reads that back
into :class:`carecal.plans.MealPlan` pieces. The benchmark scripts build ``DayProblem``
objects from literature instances and call the same engines, so what is measured is what
coordinators run.

Node 0 is the depot (the kitchen); nodes ``1..n`` are the deliveries. Vehicles are
carriers; each carrier may make up to ``max_trips[v]`` trips, each from the depot and back.
All numbers are integers in one unit (minutes for carecal; the benchmarks scale theirs).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from carecal.clock import TimeWindow, coerce_date
from carecal.errors import CommunityError, OptionError
from carecal.explain import MealCarrier, MealDelivery
from carecal.fairness import missed_meal_cost, missed_meal_costs
from carecal.history import familiar_saving
from carecal.model import Community, Resident, Skill
from carecal.policy import MODES

logger = logging.getLogger(__name__)

IntArray = npt.NDArray[np.int64]


class ArrivalTarget(NamedTuple):
    """Where a re-plan would like a handover to start: the plan's previous arrival.

    A handover starting within ``tolerance`` minutes of ``at`` costs nothing; in the
    routing search each minute later than that costs ``cost`` (earlier handovers are
    re-timed, see :attr:`DayProblem.arrival_target`).
    """

    at: int
    tolerance: int
    cost: int


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
    affinity
        Node -> {vehicle: saving}: a soft preference of a delivery for some carriers (a
        familiar carrier, the carrier of the plan being re-planned). Serving the node with
        vehicle ``v`` costs ``max(saving) - saving.get(v, 0)``, so its best carrier costs
        nothing and one not listed the most; it adds to ``preferred``'s cost
        (:meth:`carrier_costs`).
    labels
        Optional names of the nodes (ids), for messages.
    pinned
        Node -> the one vehicle that must serve it (a stop a re-plan keeps, ``locked``):
        it may be neither dropped nor given to another vehicle. Its window is usually
        narrowed to the kept arrival as well.
    arrival_target
        Node -> :class:`ArrivalTarget`: a soft wish for the start of its handover (the
        arrival of the plan being re-planned). The OR-Tools search pays ``cost`` per
        minute after ``at + tolerance``; re-timing (:mod:`~carecal.solver.meals.retime`)
        picks the departure that moves the fewest handovers out of ``at ± tolerance``.
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
    affinity: dict[int, dict[int, int]] = field(default_factory=dict)
    labels: tuple[str, ...] = ()
    pinned: dict[int, int] = field(default_factory=dict)
    arrival_target: dict[int, ArrivalTarget] = field(default_factory=dict)

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

    def carrier_costs(self) -> dict[int, tuple[int, dict[int, int]]]:
        """Per delivery with a soft preference for some carriers, ``(surcharge, discount)``.

        Serving node ``j`` with vehicle ``v`` costs ``surcharge - discount.get(v, 0)`` on
        top of travel: ``non_preferred_cost`` unless ``v`` is among the resident's
        preferred carriers (:attr:`preferred`), plus the :attr:`affinity` shortfall of
        ``v`` against the node's best carrier. Nodes without either are left out.
        """
        out: dict[int, tuple[int, dict[int, int]]] = {}
        nodes = set(self.affinity) | (set(self.preferred) if self.non_preferred_cost > 0 else set())
        for node in sorted(nodes):
            if not 1 <= node < self.num_nodes:
                continue
            discount: dict[int, int] = {}
            surcharge = 0
            if self.non_preferred_cost > 0 and node in self.preferred:
                surcharge += self.non_preferred_cost
                for v in self.preferred[node]:
                    discount[v] = discount.get(v, 0) + self.non_preferred_cost
            saving = {v: int(c) for v, c in self.affinity.get(node, {}).items() if int(c) > 0}
            if saving:
                surcharge += max(saving.values())
                for v, c in saving.items():
                    discount[v] = discount.get(v, 0) + c
            discount = {v: c for v, c in discount.items() if 0 <= v < self.num_vehicles}
            if surcharge > 0:
                out[node] = (surcharge, discount)
        return out

    def carrier_cost(self, node: int, vehicle: int) -> int:
        """What serving ``node`` with ``vehicle`` costs beyond travel (:meth:`carrier_costs`)."""
        surcharge, discount = self.carrier_costs().get(node, (0, {}))
        return surcharge - discount.get(vehicle, 0)


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


def check_problem(problem: DayProblem) -> None:
    """Refuse a day problem whose arrays disagree in size or whose carrier ends before it starts.

    Raises
    ------
    carecal.OptionError
        Naming the field or the vehicle and what is wrong with it.
    """
    n, m = problem.num_nodes, problem.num_vehicles
    for name in ("service", "tw_start", "tw_end"):
        if len(getattr(problem, name)) != n:
            raise OptionError(
                f"DayProblem.{name} has {len(getattr(problem, name))} entries, not {n}"
            )
    for name in ("vehicle_profile", "vehicle_start", "vehicle_end", "max_trips"):
        if len(getattr(problem, name)) != m:
            raise OptionError(
                f"DayProblem.{name} has {len(getattr(problem, name))} entries, not {m}"
            )
    for mat in problem.travel:
        if mat.shape != (n, n):
            raise OptionError(f"a DayProblem travel matrix is {mat.shape}, not {(n, n)}")
    for node, v in problem.pinned.items():
        if not (1 <= node < n and 0 <= v < m):
            raise OptionError(
                f"DayProblem.pinned pins node {node} to vehicle {v}; give a delivery node "
                f"from 1 to {n - 1} and a vehicle from 0 to {m - 1}"
            )
    for v in range(m):
        if problem.vehicle_start[v] > problem.vehicle_end[v]:
            raise OptionError(
                f"vehicle {v} starts at {problem.vehicle_start[v]}, after it must be back "
                f"({problem.vehicle_end[v]}); give it a start no later than its end"
            )


# --- carriers, deliveries and penalties of a date ---------------------------------------------


def check_carrier_ids(community: Community, ids: object) -> list[str]:
    """The ``carriers`` argument as a list of ids, each a volunteer with the ``meals`` skill.

    Parameters
    ----------
    community
        The community.
    ids
        What the caller gave as ``carriers``: a list (or tuple, or set) of volunteer ids.

    Returns
    -------
    list of str
        The ids, in the order given.

    Raises
    ------
    carecal.OptionError
        When ``ids`` is not a collection of id strings (a single id string included: it
        would be read letter by letter).
    carecal.CommunityError
        Listing every id that is not a volunteer, or a volunteer without the ``meals``
        skill, with what to do about it.
    """
    if isinstance(ids, str | bytes) or not isinstance(ids, list | tuple | set | frozenset):
        raise OptionError(
            f"carriers must be a list of volunteer ids, for example carriers=['V1', 'V2'], "
            f"not {ids!r}"
        )
    wrong = [vid for vid in ids if not isinstance(vid, str)]
    if wrong:
        raise OptionError(
            f"carriers must be volunteer ids written as text, for example 'V1'; "
            f"{', '.join(repr(w) for w in wrong)} is not"
        )
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
        raise CommunityError(problems)
    return list(ids)


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
        The delivery date (anything :func:`carecal.clock.coerce_date` accepts).
    ids
        Volunteer ids to consider (default: every volunteer with the ``meals`` skill).
        Listed volunteers without pledged time that day are left out (logged at DEBUG).

    Returns
    -------
    list of MealCarrier
        In volunteer order. A volunteer with several blocks that day works in the one that
        overlaps :func:`delivery_period` most (the earlier one on a tie); the departure is
        no earlier than ``meals_ready``. Volunteers without a usable block are left out.
    """
    day_date = coerce_date(date, "date")
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
                logger.debug("carrier %s has no pledged time on %s", v.volunteer_id, day_date)
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
    """Cost of leaving this resident without their meal, before the history's tier.

    ``missed_meal_penalty`` times ``missed_meal_vulnerable_factor`` to the power of the
    weights of the ``shortage_order`` criteria the resident meets
    (:func:`carecal.fairness.missed_meal_cost`; with the default order: diabetic 1,
    lives alone 2, bedridden 4). :func:`day_penalties` adds the tier of those left
    unserved on their previous delivery day.
    """
    return missed_meal_cost(community, resident)


def day_penalties(community: Community, date: dt.date, residents: Sequence[Resident]) -> list[int]:
    """The missed-meal cost of each of the day's residents, index-aligned: the
    ``shortage_order`` (:func:`carecal.fairness.missed_meal_costs`), so that a resident
    left unserved on their previous delivery day outranks everyone else."""
    return missed_meal_costs(community, date, residents)


def familiar_savings(
    community: Community, date: dt.date, residents: Sequence[Resident], fleet: Sequence[MealCarrier]
) -> dict[str, dict[str, int]]:
    """Per resident, what each carrier of the day who knows them saves: the soft
    preference for a familiar carrier (:attr:`DayProblem.affinity`).

    A carrier who met the resident ``n`` times before ``date`` (the history's
    familiarity) saves ``familiar_carrier_weight × min(n, 4) / 4``
    (:func:`carecal.history.familiar_saving`). When the day's largest savings add up to
    half of ``missed_meal_penalty`` or more, all are scaled down below that, so that
    familiarity together weighs less than half a missed meal (the other half is room for
    the travel and the carriers a served meal may need) and never decides who is served
    (:mod:`carecal.fairness`). Residents whom no carrier of the day knows are left out.
    """
    weight = community.policy.familiar_carrier_weight
    if weight <= 0 or not community.history:
        return {}
    seen = community.history.familiarity(before=date)
    carriers = [c.volunteer_id for c in fleet]
    out: dict[str, dict[str, int]] = {}
    for r in residents:
        saving = {
            v: familiar_saving(weight, seen[r.resident_id, v])
            for v in carriers
            if seen.get((r.resident_id, v))
        }
        saving = {v: s for v, s in saving.items() if s > 0}
        if saving:
            out[r.resident_id] = saving
    total = sum(max(s.values()) for s in out.values())
    limit = max(0, community.policy.missed_meal_penalty // 2 - 1)
    if total > limit:
        out = {
            rid: {v: s * limit // total for v, s in saving.items() if s * limit // total > 0}
            for rid, saving in out.items()
        }
        out = {rid: saving for rid, saving in out.items() if saving}
    return out


def delivery(
    community: Community,
    resident: Resident,
    node: int,
    travel: dict[str, np.ndarray],
) -> MealDelivery:
    """One resident's delivery: portions, window, handover and the ways out and back."""
    return MealDelivery(
        resident_id=resident.resident_id,
        portions=resident.portions,
        window=community.window_of(resident),
        handover=community.handover_minutes(resident),
        out_minutes={m: int(travel[m][0, node]) for m in travel},
        back_minutes={m: int(travel[m][node, 0]) for m in travel},
    )


def build_day_problem(
    community: Community,
    residents: list[Resident],
    deliveries: list[MealDelivery],
    penalties: list[int],
    routable: list[int],
    fleet: list[MealCarrier],
    travel: dict[str, np.ndarray],
    *,
    familiar: Mapping[str, Mapping[str, int]] | None = None,
) -> DayProblem:
    """Node 0 the kitchen, nodes 1.. the routable deliveries; vehicles the carriers.

    Parameters
    ----------
    community
        The community (its policy gives trips, food age limit, costs).
    residents, deliveries, penalties
        The date's residents, their deliveries and missed-meal penalties, index-aligned.
    routable
        Indices into those lists of the deliveries some carrier could make.
    fleet
        The date's carriers.
    travel
        Per mode, the travel minutes between the kitchen (0) and every resident.
    familiar
        Per resident id, what each familiar carrier saves (:func:`familiar_savings`),
        given to the router as :attr:`DayProblem.affinity`; default ``None``: no
        preference for familiar carriers.

    Returns
    -------
    DayProblem
        The routing problem of the routable deliveries.
    """
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
    affinity: dict[int, dict[int, int]] = {}
    for node, i in enumerate(routable, start=1):
        known = (familiar or {}).get(residents[i].resident_id, {})
        saving = {position[v]: int(s) for v, s in known.items() if v in position and s > 0}
        if saving:
            affinity[node] = saving

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
        affinity=affinity,
        labels=tuple([community.kitchen.site_id] + [d.resident_id for d in chosen]),
    )
