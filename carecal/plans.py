"""What planners return: meal routes, health-check bookings, shift assignments, and the
unserved list, each with a :class:`Status` and the named terms of the objective.

Plans are plain frozen pydantic models: they can be built by hand (a coordinator's edited
plan read back from CSV) and checked with :func:`carecal.verify`.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from carecal.clock import format_time
from carecal.explain import Why
from carecal.i18n import N_, translator

if TYPE_CHECKING:
    import pandas as pd

    from carecal.model import Community


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


class PersonInfo(BaseModel):
    """What a plan's tables print beside a person's id: the name, and a resident's address."""

    model_config = ConfigDict(frozen=True)

    name: str = ""
    address: str = ""


class People(BaseModel):
    """The names (and residents' addresses) of the people a plan speaks of, by id.

    Residents and volunteers are kept apart: nothing stops a centre from giving a
    resident and a volunteer the same id.
    """

    model_config = ConfigDict(frozen=True)

    residents: dict[str, PersonInfo] = Field(default_factory=dict)
    volunteers: dict[str, PersonInfo] = Field(default_factory=dict)

    def resident(self, resident_id: str) -> PersonInfo:
        """The resident's name and address; empty ones when the plan does not know them."""
        return self.residents.get(resident_id, _NOBODY)

    def volunteer(self, volunteer_id: str) -> PersonInfo:
        """The volunteer's name; an empty one when the plan does not know it."""
        return self.volunteers.get(volunteer_id, _NOBODY)

    def __or__(self, other: People) -> People:
        return People(
            residents={**self.residents, **other.residents},
            volunteers={**self.volunteers, **other.volunteers},
        )


_NOBODY = PersonInfo()


def people_of(
    community: Community, resident_ids: Iterable[str], volunteer_ids: Iterable[str]
) -> People:
    """The names and addresses of these residents and volunteers in ``community``.

    Ids the community does not know are left out (a hand-edited plan may name them; the
    verifier says so), so their names show empty.
    """
    residents = community.resident_by_id
    volunteers = community.volunteer_by_id
    return People(
        residents={
            rid: PersonInfo(name=residents[rid].name, address=residents[rid].address)
            for rid in dict.fromkeys(resident_ids)
            if rid in residents
        },
        volunteers={
            vid: PersonInfo(name=volunteers[vid].name)
            for vid in dict.fromkeys(volunteer_ids)
            if vid in volunteers
        },
    )


CALL_ROLES: tuple[str, ...] = ("carrier", "escort", "volunteer", "resident")
"""The ``role`` of a row of ``to_call.csv``: a meal carrier, an escort, a volunteer on the
shift plan, or a resident."""


class Call(BaseModel):
    """One person to call after a re-plan (a row of ``to_call.csv``).

    Attributes
    ----------
    person_id : str
        The resident's or volunteer's id.
    name : str
        Their name, from the roster.
    role : str
        Why they are on the list: ``carrier``, ``escort``, ``volunteer`` (shifts) or
        ``resident``.
    phone : str
        Their phone number where the roster has one, else empty.
    what_changed : str
        What changed for them, in the community's language (several changes joined by
        ``; ``).
    """

    model_config = ConfigDict(frozen=True)

    person_id: str
    name: str = ""
    role: Literal["carrier", "escort", "volunteer", "resident"]
    phone: str = ""
    what_changed: str


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
    people : People
        The names (and residents' addresses) of everyone in the plan, so that its tables
        show them beside the ids; filled by the planners, empty in a plan built by hand
        (see :meth:`with_people`).
    to_call : tuple of Call or None
        After a re-plan (``carecal.replan_*``), the people whose day changed and what
        changed for them, empty when nobody's did; ``None`` for a plan made from scratch.
    """

    model_config = ConfigDict(frozen=True)

    status: Status
    unserved: tuple[Unserved, ...] = ()
    objective_terms: dict[str, float] = Field(default_factory=dict)
    bound: float | None = None
    solve_seconds: float = 0.0
    people: People = Field(default_factory=People)
    to_call: tuple[Call, ...] | None = None

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

    def summary(self, lang: str = "en") -> str:
        """The plan in a few lines for a coordinator, in ``lang`` (``en`` or ``zh``)."""
        _ = translator(lang).gettext
        head = _("Plan (status {status}).").format(status=_status(self.status, lang))
        return "\n".join([head, *self._unserved_lines(lang)])

    # --- who is in the plan, and the plan as tables --------------------------------------

    def person_ids(self) -> tuple[list[str], list[str]]:
        """The ids of the residents and of the volunteers the plan speaks of, in order."""
        return [], []

    def all_people(self) -> People:
        """Everyone whose name the plan knows (a week: its own and its parts')."""
        return self.people

    def with_people(self, community: Community) -> Self:
        """A copy that knows the names (and addresses) of its people in ``community``.

        The planners return plans that know them already; a plan built by hand or read
        from a folder gets them this way, for :meth:`to_frame` and the notebook card.
        """
        residents, volunteers = self.person_ids()
        return self.model_copy(update={"people": people_of(community, residents, volunteers)})

    def to_frame(self) -> pd.DataFrame:
        """The plan's main table as a DataFrame (needs pandas).

        Meal routes for a :class:`MealPlan` and a :class:`WeekPlan`, health checks for a
        :class:`CampaignPlan`, the shift plan for a :class:`ShiftPlan`: the columns of
        the CSV file, with times as ``datetime64`` (the date plus the time of day),
        ``food_minutes`` and ``travel_minutes`` in minutes, ``role``, ``wheelchair`` and
        the like as categories, and ``resident_name``, ``address`` and
        ``volunteer_name`` (``escort_names``) beside the ids.
        """
        from carecal.io.frames import plan_frame

        return plan_frame(self)

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """Every table the plan's CSV folder holds, by file stem (needs pandas).

        Keys among ``meal_routes``, ``health_checks``, ``shift_plan`` and ``unserved``
        (always there); the columns as in :meth:`to_frame`, and the unserved ``kind``
        and ``code`` as categories.
        """
        from carecal.io.frames import plan_frames

        return plan_frames(self)

    def headline(self) -> str:
        """The plan in one line: kind, period, status, counts and objective.

        For example ``MealPlan 2027-03-01: optimal, 42 served, 2 unserved, 5 carriers,
        objective 1234``; ``repr()`` is this line in angle brackets.
        """
        return f"{type(self).__name__}{self._repr_period()}: {', '.join(self._repr_facts())}"

    def __repr__(self) -> str:
        return f"<{self.headline()}>"

    def _repr_period(self) -> str:
        return ""

    def _repr_facts(self) -> list[str]:
        """The one-line repr's facts: status, counts, then the objective."""
        return [self.status.value, f"{len(self.unserved)} unserved", self._repr_objective()]

    def _repr_objective(self) -> str:
        return f"objective {self.objective:.10g}"

    def _repr_html_(self) -> str:
        """A compact card for Jupyter: counts, status, objective, the unserved by reason
        and the first rows of the main table."""
        from carecal.io.cards import plan_card

        return plan_card(self)

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

    def _unserved_lines(self, lang: str = "en") -> list[str]:
        _ = translator(lang).gettext
        if not self.unserved:
            return [_("Everyone was served.")]
        lines = [_("Not served ({count}):").format(count=len(self.unserved))]
        for u in self.unserved:
            kind = _(_KIND_WORDS[u.kind])
            line = (
                _("- {kind} {id} on {date}: {reason}.") if u.date else _("- {kind} {id}: {reason}.")
            ).format(kind=kind, id=u.id, date=u.date, reason=u.reason)
            if u.fix:
                line += _(" Fix: {fix}").format(fix=u.fix)
            lines.append(line)
        return lines


# --- meals ---------------------------------------------------------------------------------


MEAL_OUTCOMES: tuple[str, ...] = ("delivered", "not_home", "refused")
"""What the ``done`` column of ``meal_routes.csv`` may say happened at a door."""
CHECK_OUTCOMES: tuple[str, ...] = ("done", "missed")
"""What the ``done`` column of ``health_checks.csv`` may say happened to a booking."""


class Stop(BaseModel):
    """One delivery on a trip: handover at the door from ``arrival`` to ``departure``.

    ``done`` is what actually happened (one of :data:`MEAL_OUTCOMES`), filled in by hand
    from the ticked route sheet in ``meal_routes.csv``; ``None`` while it is only planned.
    """

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
    done: str | None = None
    """What happened at the door (:data:`MEAL_OUTCOMES`); ``None``: not filled in."""
    locked: bool = False
    """A coordinator marked the row in the ``locked`` column: a re-plan keeps it as it is."""


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

    def median_food_minutes(self) -> float | None:
        """The median food age at the door, in minutes; ``None`` without deliveries."""
        food = [s.food_minutes for t in self.trips for s in t.stops]
        return float(statistics.median(food)) if food else None

    def person_ids(self) -> tuple[list[str], list[str]]:
        """The residents on the routes and those left unserved, and the carriers."""
        missed = [u.id for u in self.unserved if u.kind == UnservedKind.MEAL]
        return self.served + missed, self.carriers

    def _repr_period(self) -> str:
        return f" {self.date}"

    def _repr_facts(self) -> list[str]:
        return [
            self.status.value,
            f"{len(self.served)} served",
            f"{len(self.unserved)} unserved",
            f"{len(self.carriers)} carriers",
            self._repr_objective(),
        ]

    def total_travel_minutes(self) -> int:
        """Minutes of travel on all trips, including the way back to the kitchen."""
        return sum(
            sum(s.travel_minutes for s in t.stops)
            + (t.back - t.stops[-1].departure if t.stops else 0)
            for t in self.trips
        )

    def summary(self, lang: str = "en") -> str:
        """The plan in a few lines for a coordinator, in ``lang`` (``en`` or ``zh``)."""
        tr = translator(lang)
        _ = tr.gettext
        served = len(self.served)
        total = served + sum(1 for u in self.unserved if u.kind == UnservedKind.MEAL)
        food = [s.food_minutes for t in self.trips for s in t.stops]
        travel = _("Travel: {minutes} minutes in all.").format(minutes=self.total_travel_minutes())
        if food:
            travel += _(" Food age at the door: at most {most} min, median {median} min.").format(
                most=max(food), median=sorted(food)[len(food) // 2]
            )
        lines = [
            _(
                "Meal deliveries on {date} ({weekday}): {served} of {total} served by "
                "{carriers} carriers on {trips} trips (status {status}, engine {engine})."
            ).format(
                date=self.date,
                weekday=tr.weekday(self.date),
                served=served,
                total=total,
                carriers=len(self.carriers),
                trips=len(self.trips),
                status=_status(self.status, lang),
                engine=self.engine,
            ),
            travel,
        ]
        for t in self.trips:
            lines.append(
                _(
                    "- {volunteer} trip {trip}: leaves {leave}, {stops} stops, {portions} "
                    "portions, back {back}"
                ).format(
                    volunteer=t.volunteer_id,
                    trip=t.trip,
                    leave=format_time(t.leave),
                    stops=len(t.stops),
                    portions=t.portions,
                    back=format_time(t.back),
                )
            )
        lines += self._unserved_lines(lang)
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
    ``done`` is what actually happened (one of :data:`CHECK_OUTCOMES`), filled in by hand
    in ``health_checks.csv``; ``None`` while it is only planned.
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
    done: str | None = None
    locked: bool = False
    """A coordinator marked the row in the ``locked`` column: a re-plan keeps it as it is."""


class CampaignPlan(Plan):
    """The health-check campaign: bookings on the campaign days, and who was not booked.

    ``bound`` is the solver's proven bound on the objective (``None`` if unknown); with
    ``objective`` it gives the optimality gap. ``dates`` are the campaign's dates and
    ``clinic_days`` the (date, clinic) pairs it ran, from :meth:`Community.clinic_days`.
    """

    dates: tuple[dt.date, ...] = ()
    clinic_days: tuple[tuple[dt.date, str], ...] = ()
    bookings: tuple[Booking, ...] = ()

    def person_ids(self) -> tuple[list[str], list[str]]:
        """The residents booked or not, and the escorts."""
        residents = [b.resident_id for b in self.bookings] + [u.id for u in self.unserved]
        return residents, [e for b in self.bookings for e in b.escort_ids]

    def _repr_period(self) -> str:
        return _period_text(self.dates[0], self.dates[-1]) if self.dates else ""

    def _repr_facts(self) -> list[str]:
        escorts = {e for b in self.bookings for e in b.escort_ids}
        return [
            self.status.value,
            f"{len(self.bookings)} booked",
            f"{len(self.unserved)} unserved",
            f"{len(escorts)} escorts",
            self._repr_objective(),
        ]

    def summary(self, lang: str = "en") -> str:
        """The plan in a few lines for a coordinator, in ``lang`` (``en`` or ``zh``)."""
        tr = translator(lang)
        escorted = sum(1 for b in self.bookings if b.escort_ids)
        per_day = Counter(b.date for b in self.bookings)
        lines = [
            tr.ngettext(
                "Health-check campaign on {days} day: {booked} booked, {escorted} of them "
                "escorted (status {status}).",
                "Health-check campaign on {days} days: {booked} booked, {escorted} of them "
                "escorted (status {status}).",
                len(self.dates),
            ).format(
                days=len(self.dates),
                booked=len(self.bookings),
                escorted=escorted,
                status=_status(self.status, lang),
            ),
        ]
        lines += [
            tr.gettext("- {date}: {count} checks").format(date=d, count=per_day.get(d, 0))
            for d in self.dates
        ]
        lines += self._unserved_lines(lang)
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
    locked: bool = False
    """A coordinator marked the row in the ``locked`` column: a re-plan keeps it as it is."""


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

    def summary(self, lang: str = "en") -> str:
        """The plan in a few lines for a coordinator, in ``lang`` (``en`` or ``zh``)."""
        _ = translator(lang).gettext
        people = Counter(a.volunteer_id for a in self.assignments)
        lines = [
            _(
                "Shift plan {start} to {end}: {places} places filled by {people} volunteers "
                "(status {status})."
            ).format(
                start=self.start,
                end=self.end,
                places=len(self.assignments),
                people=len(people),
                status=_status(self.status, lang),
            ),
        ]
        lines += self._unserved_lines(lang)
        return "\n".join(lines)

    def person_ids(self) -> tuple[list[str], list[str]]:
        """No residents; the volunteers on shifts."""
        return [], [a.volunteer_id for a in self.assignments]

    def _repr_period(self) -> str:
        return _period_text(self.start, self.end)

    def _repr_facts(self) -> list[str]:
        people = {a.volunteer_id for a in self.assignments}
        return [
            self.status.value,
            f"{len(self.assignments)} places filled by {len(people)} volunteers",
            f"{len(self.unserved)} unserved",
            self._repr_objective(),
        ]

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

    @property
    def parts(self) -> list[MealPlan | CampaignPlan | ShiftPlan]:
        """The meal plans, the campaign and the shift plan, those the week has."""
        found: list[MealPlan | CampaignPlan | ShiftPlan] = [*self.meals]
        found += [p for p in (self.campaign, self.shifts) if p is not None]
        return found

    def all_people(self) -> People:
        """Everyone whose name the week or one of its parts knows (a part built by hand
        may know names the week does not)."""
        found = People()
        for part in self.parts:
            found = found | part.people
        return found | self.people

    def person_ids(self) -> tuple[list[str], list[str]]:
        """Everyone in any part of the week."""
        residents: list[str] = []
        volunteers: list[str] = []
        for part in self.parts:
            r, v = part.person_ids()
            residents += r
            volunteers += v
        return residents, volunteers

    def _repr_period(self) -> str:
        return _period_text(self.start, self.end)

    def _repr_facts(self) -> list[str]:
        served = sum(len(m.served) for m in self.meals)
        facts = [self.status.value, f"{served} meals served"]
        if self.campaign is not None:
            facts.append(f"{len(self.campaign.bookings)} booked")
        if self.shifts is not None:
            facts.append(f"{len(self.shifts.assignments)} shift places filled")
        return [*facts, f"{len(self.unserved)} unserved", self._repr_objective()]

    def summary(self, lang: str = "en") -> str:
        """The week in a page for a coordinator, in ``lang`` (``en`` or ``zh``)."""
        tr = translator(lang)
        _ = tr.gettext
        parts = [
            _("Week plan {start} to {end} (status {status}).").format(
                start=self.start, end=self.end, status=_status(self.status, lang)
            )
        ]
        parts += [m.summary(lang) for m in self.meals if m.status != Status.EMPTY]
        idle = [tr.date(m.date) for m in self.meals if m.status == Status.EMPTY]
        if idle:
            parts.append(_("No meal orders on {days}.").format(days=_(", ").join(idle)))
        if self.campaign is not None:
            parts.append(self.campaign.summary(lang))
        if self.shifts is not None:
            parts.append(self.shifts.summary(lang))
        return "\n\n".join(parts)


_KIND_WORDS: dict[UnservedKind, str] = {
    UnservedKind.MEAL: N_("meal"),
    UnservedKind.HEALTH_CHECK: N_("health check"),
    UnservedKind.HOME_CHECK: N_("home check"),
    UnservedKind.SHIFT: N_("shift"),
}
_STATUS_WORDS: dict[str, str] = {
    "optimal": N_("optimal"),
    "feasible": N_("feasible"),
    "infeasible": N_("infeasible"),
    "time_limit": N_("time limit, no plan"),
    "empty": N_("empty"),
}


def _status(status: Status, lang: str) -> str:
    """The status in words of ``lang`` (its value when the catalog does not know it)."""
    word = _STATUS_WORDS.get(status.value)
    return translator(lang).gettext(word) if word else status.value


def _period_text(first: dt.date, last: dt.date) -> str:
    return f" {first}" if first == last else f" {first}..{last}"


def plan_parts(plan: Plan) -> tuple[list[MealPlan], CampaignPlan | None, ShiftPlan | None]:
    """The meal plans, the campaign and the shift plan in ``plan`` (a plan of one kind is
    its own part; a week holds any of them)."""
    if isinstance(plan, MealPlan):
        return [plan], None, None
    if isinstance(plan, CampaignPlan):
        return [], plan, None
    if isinstance(plan, ShiftPlan):
        return [], None, plan
    if isinstance(plan, WeekPlan):
        return list(plan.meals), plan.campaign, plan.shifts
    return [], None, None
