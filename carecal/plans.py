"""What planners return: meal routes, health-check bookings, shift assignments, and the
unserved list, each with a :class:`Status` and the named terms of the objective.

Plans are plain frozen pydantic models: they can be built by hand (a coordinator's edited
plan read back from CSV) and checked with :func:`carecal.verify`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from carecal.clock import format_time
from carecal.model import Community, Role


class Status(StrEnum):
    """How a solve ended.

    ``OPTIMAL``: proven best. ``FEASIBLE``: a plan, not proven best (time limit).
    ``INFEASIBLE``: the hard rules admit no plan at all. ``TIME_LIMIT``: no plan found in
    the time given. ``EMPTY``: there was nothing to plan.
    """

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    TIME_LIMIT = "time_limit"
    EMPTY = "empty"

    @property
    def has_plan(self) -> bool:
        """Whether the solve produced a plan (possibly empty)."""
        return self in (Status.OPTIMAL, Status.FEASIBLE, Status.EMPTY)


class UnservedKind(StrEnum):
    """What could not be served (``kind`` in ``unserved.csv``)."""

    MEAL = "meal"
    HEALTH_CHECK = "health_check"
    HOME_CHECK = "home_check"
    SHIFT = "shift"


class Unserved(BaseModel):
    """One delivery, booking or shift place that could not be filled, in plain words."""

    model_config = ConfigDict(frozen=True)

    kind: UnservedKind
    id: str
    date: dt.date | None = None
    reason: str
    fix: str = ""


class _Plan(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: Status
    unserved: tuple[Unserved, ...] = ()
    objective: dict[str, float] = Field(default_factory=dict)
    """Named objective terms (cost per rule); their sum is what the solver minimised."""
    solve_seconds: float = 0.0

    def _unserved_lines(self) -> list[str]:
        if not self.unserved:
            return ["Everyone was served."]
        lines = [f"Not served ({len(self.unserved)}):"]
        for u in self.unserved:
            when = f" on {u.date}" if u.date else ""
            fix = f" Fix: {u.fix}" if u.fix else ""
            lines.append(f"- {u.kind.value} {u.id}{when}: {u.reason}.{fix}")
        return lines


# --- meals ---------------------------------------------------------------------------------


class Stop(BaseModel):
    """One delivery on a trip: handover at the door from ``arrival`` to ``departure``."""

    model_config = ConfigDict(frozen=True)

    resident_id: str
    arrival: int
    departure: int
    portions: int
    diet: tuple[str, ...] = ()
    food_minutes: int
    """Minutes since this trip left the kitchen, at the start of the handover."""
    travel_minutes: int
    """Travel from the previous stop, or from the kitchen for the first stop."""


class Trip(BaseModel):
    """One carrier's round from the kitchen and back; ``trip`` counts 1, 2, … per day."""

    model_config = ConfigDict(frozen=True)

    volunteer_id: str
    trip: int
    leave: int
    """When the carrier leaves the kitchen with the meals."""
    back: int
    """When the carrier is back at the kitchen."""
    stops: tuple[Stop, ...]

    @property
    def portions(self) -> int:
        """Portions carried on this trip."""
        return sum(s.portions for s in self.stops)


class MealPlan(_Plan):
    """The meal-delivery routes of one date.

    Attributes
    ----------
    date
        The delivery date.
    trips
        Every trip, ordered by carrier and trip number.
    unserved
        Deliveries not on any trip, with reason and fix.
    engine
        The routing engine that made the plan.
    """

    date: dt.date
    trips: tuple[Trip, ...] = ()
    engine: str = "ortools"

    @property
    def carriers(self) -> list[str]:
        """Volunteers with at least one trip, in order."""
        return list(dict.fromkeys(t.volunteer_id for t in self.trips))

    @property
    def served(self) -> list[str]:
        """Residents who get their meals, in route order."""
        return [s.resident_id for t in self.trips for s in t.stops]

    def total_travel_minutes(self) -> int:
        """Minutes of travel on all trips, including the way back to the kitchen."""
        return sum(
            sum(s.travel_minutes for s in t.stops)
            + (t.back - t.stops[-1].departure if t.stops else 0)
            for t in self.trips
        )

    def summary(self) -> str:
        """The plan in a few lines for a coordinator."""
        served = len(self.served)
        total = served + sum(1 for u in self.unserved if u.kind == UnservedKind.MEAL)
        food = [s.food_minutes for t in self.trips for s in t.stops]
        lines = [
            f"Meal deliveries on {self.date} ({self.date:%A}): {served} of {total} served "
            f"by {len(self.carriers)} carriers on {len(self.trips)} trips "
            f"(status {self.status.value}, engine {self.engine}).",
            f"Travel: {self.total_travel_minutes()} minutes in all."
            + (
                f" Food age at the door: at most {max(food)} min, median "
                f"{sorted(food)[len(food) // 2]} min."
                if food
                else ""
            ),
        ]
        for t in self.trips:
            lines.append(
                f"- {t.volunteer_id} trip {t.trip}: leaves {format_time(t.leave)}, "
                f"{len(t.stops)} stops, {t.portions} portions, back {format_time(t.back)}"
            )
        lines += self._unserved_lines()
        return "\n".join(lines)


# --- health checks ---------------------------------------------------------------------------


class Wheelchair(StrEnum):
    """Which wheelchair an escorted resident rides in."""

    POOL = "pool"
    OWN = "own"
    NONE = "none"


class Booking(BaseModel):
    """A resident's health-check booking, with the escort's door-to-door job if any.

    ``pickup`` is when the escort arrives at the door; ``home_again`` when the resident is
    settled back at home. Both are ``None`` for residents who come on their own.
    """

    model_config = ConfigDict(frozen=True)

    resident_id: str
    date: dt.date
    clinic_id: str
    slot_start: int
    check_start: int
    check_end: int
    escort_ids: tuple[str, ...] = ()
    wheelchair: Wheelchair = Wheelchair.NONE
    pickup: int | None = None
    home_again: int | None = None


class CampaignPlan(_Plan):
    """The health-check campaign: bookings on the campaign days, and who was not booked.

    ``bound`` is the solver's proven bound on the objective (``None`` if unknown); with
    ``objective`` it gives the optimality gap.
    """

    dates: tuple[dt.date, ...] = ()
    bookings: tuple[Booking, ...] = ()
    bound: float | None = None

    def summary(self) -> str:
        """The plan in a few lines for a coordinator."""
        escorted = sum(1 for b in self.bookings if b.escort_ids)
        per_day = Counter(b.date for b in self.bookings)
        lines = [
            f"Health-check campaign on {len(self.dates)} day(s): {len(self.bookings)} booked, "
            f"{escorted} of them escorted (status {self.status.value}).",
        ]
        lines += [f"- {d}: {per_day.get(d, 0)} checks" for d in self.dates]
        lines += self._unserved_lines()
        return "\n".join(lines)


# --- shifts --------------------------------------------------------------------------------


class Assignment(BaseModel):
    """One volunteer on one shift on one date."""

    model_config = ConfigDict(frozen=True)

    date: dt.date
    shift_id: str
    role: str
    start: int
    end: int
    volunteer_id: str


class ShiftPlan(_Plan):
    """The volunteers' shift plan for a period.

    ``explain_terms`` maps each objective term to the volunteers and shifts it touched.
    ``demand`` keeps the places the plan was made for where the caller gave them
    (``auto`` shifts), as ``(minimum, wanted maximum or None)``, so that the verifier can
    re-check every cover count.
    """

    start: dt.date
    end: dt.date
    assignments: tuple[Assignment, ...] = ()
    bound: float | None = None
    explain_terms: dict[str, list[str]] = Field(default_factory=dict)
    demand: dict[tuple[dt.date, str], tuple[int, int | None]] = Field(default_factory=dict)

    def summary(self) -> str:
        """The plan in a few lines for a coordinator."""
        people = Counter(a.volunteer_id for a in self.assignments)
        lines = [
            f"Shift plan {self.start} to {self.end}: {len(self.assignments)} places filled by "
            f"{len(people)} volunteers (status {self.status.value}).",
        ]
        lines += self._unserved_lines()
        return "\n".join(lines)

    def explain(self) -> str:
        """How much each soft rule cost, and whom it touched."""
        lines = ["Objective terms:"]
        for name, value in self.objective.items():
            touched = self.explain_terms.get(name, [])
            extra = f" — {', '.join(touched[:10])}" if touched else ""
            more = f" (+{len(touched) - 10} more)" if len(touched) > 10 else ""
            lines.append(f"- {name}: {value:g}{extra}{more}")
        return "\n".join(lines)


# --- the week ------------------------------------------------------------------------------


class WeekPlan(_Plan):
    """Meals, the health-check campaign days and the shift plan of one period together.

    The shift plan's ``auto`` demand comes from the meal routes (carriers per date) and the
    campaign (escorts per date), and the routes and bookings use only volunteers who are
    on duty on a shift of their role that date (where the centre has such shifts).
    ``unserved`` gathers the unserved of all three.
    """

    start: dt.date
    end: dt.date
    meals: tuple[MealPlan, ...] = ()
    campaign: CampaignPlan | None = None
    shifts: ShiftPlan | None = None

    def summary(self) -> str:
        """The week in a page for a coordinator."""
        parts = [f"Week plan {self.start} to {self.end} (status {self.status.value})."]
        parts += [m.summary() for m in self.meals if m.status != Status.EMPTY]
        idle = [f"{m.date:%a %d %b}" for m in self.meals if m.status == Status.EMPTY]
        if idle:
            parts.append("No meal orders on " + ", ".join(idle) + ".")
        if self.campaign is not None:
            parts.append(self.campaign.summary())
        if self.shifts is not None:
            parts.append(self.shifts.summary())
        return "\n\n".join(parts)


def routed_volunteers(
    meals: Iterable[MealPlan], campaign: CampaignPlan | None
) -> dict[tuple[dt.date, Role], set[str]]:
    """Who the meal routes and the campaign's bookings use, by date and role.

    Parameters
    ----------
    meals
        Meal plans, one per date.
    campaign
        The campaign plan, if any.

    Returns
    -------
    dict
        ``(date, Role.MEALS)`` to the carriers of that date, ``(date, Role.ESCORT)`` to the
        escorts booked that date.
    """
    used: dict[tuple[dt.date, Role], set[str]] = defaultdict(set)
    for plan in meals:
        used[(plan.date, Role.MEALS)].update(plan.carriers)
    if campaign is not None:
        for b in campaign.bookings:
            used[(b.date, Role.ESCORT)].update(b.escort_ids)
    return dict(used)


def auto_demand(
    community: Community,
    dates: Iterable[dt.date],
    routed: Mapping[tuple[dt.date, Role], set[str]],
) -> dict[tuple[dt.date, str], tuple[int, int | None]]:
    """Places on the ``auto`` shifts: as many as the routes and bookings used that date.

    That number is the minimum and, unless the shift gives its own ``max_volunteers``,
    also the wanted maximum, so no one is called in whom the plans do not need. When a
    role has several ``auto`` shifts on one date, each asks for the full number (the
    carriers work through the delivery period, whichever shift it is). The week plan
    passes this to the shift planner, and a plan folder read back derives it again from
    its routes and bookings.

    Parameters
    ----------
    community
        The community, for its shifts.
    dates
        The dates to fill.
    routed
        From :func:`routed_volunteers`.

    Returns
    -------
    dict
        ``(date, shift_id)`` to ``(minimum, wanted maximum or None)`` for every ``auto``
        shift; ``None`` keeps the shift's own ``max_volunteers``.
    """
    demand: dict[tuple[dt.date, str], tuple[int, int | None]] = {}
    for d in dates:
        for s in community.shifts:
            if s.applies_to(d) and s.min_volunteers is None:
                n = len(routed.get((d, s.role), set()))
                demand[(d, s.shift_id)] = (n, n if s.max_volunteers is None else None)
    return demand
