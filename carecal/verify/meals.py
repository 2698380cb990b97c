"""Daily meal routes, re-checked: coverage, each trip's timing chain, and each carrier's day."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict

import numpy as np
import numpy.typing as npt

from carecal.clock import format_time
from carecal.model import Community, Skill
from carecal.plans import MEAL_OUTCOMES, MealPlan, Trip, UnservedKind
from carecal.travel import travel_minutes
from carecal.verify.violation import Report, Violation


def verify_meals(community: Community, plan: MealPlan) -> list[Violation]:
    """Re-check a meal plan against every hard rule of meal delivery.

    Checks that each delivery of the date is on exactly one trip or in the unserved list
    (and nobody else is); that carriers are volunteers with the meals skill; and per trip:
    departure after meals are ready, inside one of the carrier's availability blocks of
    the date until the return, stops chained by travel and handover, each handover inside
    the resident's window and long enough, portions within capacity, food age within the
    limit, reported food and travel minutes consistent; and per carrier: trips that do not
    overlap, at most ``max_trips_per_day`` of them; and that a filled-in ``done`` is one
    of :data:`carecal.plans.MEAL_OUTCOMES`. Travel is recomputed with
    :func:`carecal.travel.travel_minutes`.

    Parameters
    ----------
    community
        The community the plan was made for.
    plan
        The meal plan (for example one read back from CSV files a person edited).

    Returns
    -------
    list of Violation
        Every violation found, in plan order.
    """
    out: list[Violation] = []

    def bad(rule: str, message: str) -> None:
        out.append(Violation(rule=rule, message=message))

    _check_meal_coverage(community, plan, bad)
    for trip in plan.trips:
        for stop in trip.stops:
            if stop.done is not None and stop.done not in MEAL_OUTCOMES:
                # What happened is filled in by hand; a value the report cannot count is said.
                bad(
                    "done",
                    f"the delivery to {stop.resident_id} on trip {trip.trip} of "
                    f"{trip.volunteer_id} says done {stop.done!r}; use "
                    f"{', '.join(MEAL_OUTCOMES)}, or leave it empty while only planned",
                )
    try:
        kitchen = community.kitchen.site_id
    except ValueError:
        bad("kitchen", "the community has no kitchen, so no trip can be checked; add one to sites")
        return out
    known = [s.resident_id for t in plan.trips for s in t.stops]
    ids = [kitchen, *dict.fromkeys(r for r in known if r in community.resident_by_id)]
    index = {pid: i for i, pid in enumerate(ids)}
    matrices: dict[str, npt.NDArray[np.int64]] = {}
    per_carrier: defaultdict[str, list[Trip]] = defaultdict(list)
    for trip in plan.trips:
        volunteer = community.volunteer_by_id.get(trip.volunteer_id)
        if volunteer is None:
            bad(
                "carrier",
                f"trip {trip.trip} names volunteer {trip.volunteer_id}, who is not in "
                "volunteers; correct the volunteer_id",
            )
            continue
        if not volunteer.has(Skill.MEALS):
            bad(
                "carrier",
                f"{trip.volunteer_id} carries meals on trip {trip.trip} but does not "
                "have the meals skill; add the skill or give the trip to a meals carrier",
            )
        per_carrier[trip.volunteer_id].append(trip)
        if volunteer.mode not in matrices:
            matrices[volunteer.mode] = travel_minutes(community, ids, volunteer.mode)
        _check_meal_trip(community, plan, trip, matrices[volunteer.mode], index, bad)
    for vid, trips in per_carrier.items():
        _check_carrier_day(community, plan, vid, trips, bad)
    return out


def _trip_name(trip: Trip) -> str:
    return f"{trip.volunteer_id} trip {trip.trip}"


def _check_meal_coverage(community: Community, plan: MealPlan, bad: Report) -> None:
    """Each delivery of the date exactly once, routed or unserved; nobody else."""
    ordered = {r.resident_id for r in community.deliveries_on(plan.date)}
    seen = Counter(s.resident_id for t in plan.trips for s in t.stops)
    seen.update(u.id for u in plan.unserved if u.kind == UnservedKind.MEAL)
    for rid, count in seen.items():
        if rid not in community.resident_by_id:
            bad(
                "unknown_resident",
                f"the plan delivers to {rid}, who is not on the roster; correct the resident_id",
            )
        elif rid not in ordered and community.away_on(rid, plan.date):
            bad(
                "away",
                f"{rid} is away on {plan.date} (resident_away in changes.csv); remove the delivery",
            )
        elif rid not in ordered:
            bad(
                "no_order",
                f"{rid} has no meal order on {plan.date:%a} {plan.date}; remove "
                "the delivery or add the weekday to their meal_days",
            )
        if count > 1:
            bad(
                "delivery_once",
                f"{rid} appears {count} times (on trips or as unserved); keep one entry",
            )
    for rid in sorted(ordered - set(seen)):
        bad(
            "delivery_once",
            f"{rid} ordered a meal for {plan.date} but is neither on a trip "
            "nor listed as unserved; route them or list them with a reason",
        )


def _check_meal_trip(
    community: Community,
    plan: MealPlan,
    trip: Trip,
    travel: npt.NDArray[np.int64],
    index: dict[str, int],
    bad: Report,
) -> None:
    """The rules of one trip: timing chain, windows, handovers, capacity, food age."""
    policy = community.policy
    name = _trip_name(trip)
    volunteer = community.volunteer_by_id[trip.volunteer_id]
    if trip.leave < policy.meals_ready:
        bad(
            "meals_ready",
            f"{name} leaves the kitchen at {format_time(trip.leave)}, before meals "
            f"are ready at {format_time(policy.meals_ready)}",
        )
    if community.free_window(trip.volunteer_id, plan.date, trip.leave, trip.back) is None:
        blocks = community.availability_on(trip.volunteer_id, plan.date)
        free = ", ".join(str(b) for b in blocks) or "not at all"
        bad(
            "availability",
            f"{name} runs {format_time(trip.leave)}–{format_time(trip.back)}, "
            f"but {trip.volunteer_id} is free on {plan.date} {free}",
        )
    capacity = community.capacity_of(volunteer)
    if trip.portions > capacity:
        bad(
            "capacity",
            f"{name} carries {trip.portions} portions; {trip.volunteer_id} takes at "
            f"most {capacity} per trip",
        )
    here, ready = 0, trip.leave
    for stop in trip.stops:
        resident = community.resident_by_id.get(stop.resident_id)
        if resident is None:
            continue
        j = index[stop.resident_id]
        minutes = int(travel[here, j])
        where = f"{stop.resident_id} on {name}"
        if stop.arrival < ready + minutes:
            came = "the kitchen" if here == 0 else "the previous stop"
            bad(
                "chain",
                f"{where} is reached at {format_time(stop.arrival)}, but it takes "
                f"{minutes} minutes from {came} (free at {format_time(ready)}), so "
                f"{format_time(ready + minutes)} at the earliest",
            )
        if stop.travel_minutes != minutes:
            bad(
                "travel_minutes",
                f"{where} reports {stop.travel_minutes} travel minutes; the "
                f"travel estimate is {minutes}",
            )
        window = community.window_of(resident)
        if not window.start <= stop.arrival <= window.end:
            bad(
                "window",
                f"{where}: handover at {format_time(stop.arrival)}, outside the window {window}",
            )
        handover = community.handover_minutes(resident)
        if stop.departure - stop.arrival < handover:
            bad(
                "handover",
                f"{where}: {stop.departure - stop.arrival} minutes at the door "
                f"({format_time(stop.arrival)}–{format_time(stop.departure)}); needs {handover}",
            )
        if stop.portions != resident.portions:
            bad(
                "portions", f"{where} gets {stop.portions} portions but ordered {resident.portions}"
            )
        age = stop.arrival - trip.leave
        if age > policy.max_food_minutes:
            bad(
                "food_age",
                f"{where}: the meal is {age} minutes old at the door (left "
                f"{format_time(trip.leave)}, handed over {format_time(stop.arrival)}); the "
                f"limit is {policy.max_food_minutes}",
            )
        if stop.food_minutes != age:
            bad(
                "food_minutes",
                f"{where} reports food age {stop.food_minutes} minutes; it is "
                f"{age} ({format_time(trip.leave)} to {format_time(stop.arrival)})",
            )
        here, ready = j, max(stop.departure, stop.arrival)
    minutes = int(travel[here, 0])
    if trip.back < ready + minutes:
        bad(
            "chain",
            f"{name} is back at the kitchen at {format_time(trip.back)}, but the way "
            f"back takes {minutes} minutes from {format_time(ready)}, so "
            f"{format_time(ready + minutes)} at the earliest",
        )


def _check_carrier_day(
    community: Community,
    plan: MealPlan,
    vid: str,
    trips: list[Trip],
    bad: Report,
) -> None:
    """A carrier's trips: no overlap, distinct numbers, at most the policy's count."""
    most = community.policy.max_trips_per_day
    if len(trips) > most:
        bad("max_trips", f"{vid} makes {len(trips)} trips on {plan.date}; at most {most} allowed")
    numbers = Counter(t.trip for t in trips)
    for number, count in sorted(numbers.items()):
        if count > 1:
            bad("trip_number", f"{vid} has {count} trips numbered {number}; number them 1, 2, …")
    ordered = sorted(trips, key=lambda t: (t.leave, t.back))
    for a, b in itertools.pairwise(ordered):
        if b.leave < a.back:
            bad(
                "trip_overlap",
                f"{_trip_name(b)} leaves at {format_time(b.leave)}, before "
                f"{_trip_name(a)} is back at {format_time(a.back)}",
            )
