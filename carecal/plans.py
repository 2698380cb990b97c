"""What planners return: meal routes, health-check bookings, shift assignments, and the
unserved list, each with a :class:`Status` and the named terms of the objective.

Plans are plain frozen pydantic models: they can be built by hand (a coordinator's edited
plan read back from CSV) and checked with :func:`carecal.verify`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from carecal.clock import format_time
from carecal.explain import Why


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
    """One delivery, booking or shift place that could not be filled, in plain words.

    ``code`` is a stable reason code (:data:`carecal.explain.CODES` lists them), so reasons
    can be counted, grouped and translated; ``reason`` and ``fix`` are sentences.
    """

    model_config = ConfigDict(frozen=True)

    kind: UnservedKind
    id: str
    date: dt.date | None = None
    code: str = Field(min_length=1)
    reason: str
    fix: str = ""

    @classmethod
    def because(cls, kind: UnservedKind, id: str, date: dt.date | None, why: Why) -> Unserved:
        """The unserved entry of ``id`` with the code, reason and fix of ``why``."""
        return cls(kind=kind, id=id, date=date, code=why.code, reason=why.reason, fix=why.fix)


class Plan(BaseModel):
    """What every planner returns: the common part of every plan.

    Attributes
    ----------
    status : Status
        How the solve ended.
    unserved : tuple of Unserved
        Everything that could not be served, each with its reason code, reason and fix.
    objective_terms : dict of str to float
        The objective's named terms (the cost of each rule); ``objective`` is their sum.
    bound : float or None
        A proven lower bound on ``objective``, where the planner has one.
    solve_seconds : float
        Wall seconds the call took.
    """

    model_config = ConfigDict(frozen=True)

    status: Status
    unserved: tuple[Unserved, ...] = ()
    objective_terms: dict[str, float] = Field(default_factory=dict)
    bound: float | None = None
    solve_seconds: float = 0.0

    @property
    def objective(self) -> float:
        """The objective the planner minimised: the sum of :attr:`objective_terms`."""
        return float(sum(self.objective_terms.values()))

    @property
    def gap(self) -> float | None:
        """Relative optimality gap, ``(objective - bound) / objective``; ``None`` without
        a bound, 0 when the plan is proven optimal."""
        if self.bound is None:
            return None
        value = self.objective
        if value <= self.bound + 1e-9:
            return 0.0
        return (value - self.bound) / max(abs(value), 1e-9)

    def summary(self) -> str:
        """The plan in a few lines for a coordinator."""
        return "\n".join([f"Plan (status {self.status.value}).", *self._unserved_lines()])

    def explain(self) -> str:
        """What the objective is made of, the bound, and why people were not served."""
        lines = [f"Objective {self.objective:g} (status {self.status.value})."]
        if self.bound is not None:
            gap = self.gap or 0.0
            lines.append(f"Proven bound {self.bound:g}, gap {gap:.1%}.")
        if self.objective_terms:
            lines.append("Objective terms:")
            for name, value in self.objective_terms.items():
                lines.append(f"- {name}: {value:g}{self._touched(name)}")
        if self.unserved:
            lines.append(f"Not served ({len(self.unserved)}), by reason:")
            for code, count in Counter(u.code for u in self.unserved).most_common():
                lines.append(f"- {code}: {count}")
        else:
            lines.append("Everyone was served.")
        return "\n".join(lines)

    def _touched(self, term: str) -> str:
        """Who an objective term touched, where the plan knows (see ShiftPlan)."""
        return ""

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


class MealPlan(Plan):
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


class CampaignPlan(Plan):
    """The health-check campaign: bookings on the campaign days, and who was not booked.

    ``bound`` is the solver's proven bound on the objective (``None`` if unknown); with
    ``objective`` it gives the optimality gap. ``dates`` are the campaign's dates and
    ``clinic_days`` the (date, clinic) pairs it ran, from :meth:`Community.clinic_days`.
    """

    dates: tuple[dt.date, ...] = ()
    clinic_days: tuple[tuple[dt.date, str], ...] = ()
    bookings: tuple[Booking, ...] = ()

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


class ShiftPlan(Plan):
    """The volunteers' shift plan for a period.

    ``explain_terms`` maps each objective term to the volunteers and shifts it touched.
    ``demand`` keeps the places the plan was made for where the caller gave them
    (``auto`` shifts), as ``(minimum, wanted maximum or None)``, so that the verifier can
    re-check every cover count.
    """

    start: dt.date
    end: dt.date
    assignments: tuple[Assignment, ...] = ()
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

    def _touched(self, term: str) -> str:
        touched = self.explain_terms.get(term, [])
        extra = f" — {', '.join(touched[:10])}" if touched else ""
        more = f" (+{len(touched) - 10} more)" if len(touched) > 10 else ""
        return extra + more


# --- the week ------------------------------------------------------------------------------


class WeekPlan(Plan):
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
