"""What earlier plans say: who brought whom their meal, who escorted whom, who was left out.

A community's :class:`History` holds plain records, one per resident and meal date
(:class:`MealRecord`) and one per health-check booking (:class:`BookingRecord`), taken
from earlier plans (``community.with_history(plans)``, or the ``history/`` folder beside
the input tables, read by :func:`carecal.io.read_community`). Plans become records here
so that the domain model never holds a plan object: :mod:`carecal.model` imports this
module, and this module imports :mod:`carecal.plans` only inside
:meth:`History.from_plans`.

Two things are read from it:

- **familiarity**: how many times a volunteer met a resident — a meal handed over
  (``done`` ``delivered`` or ``refused``; nobody home does not count) or a health check
  escorted (``done``; ``missed`` does not count), and where the ``done`` column is empty,
  what was planned. The meal router and the campaign prefer a familiar carrier or escort
  (``Policy.familiar_carrier_weight``); :func:`carecal.substitutes` ranks by it.
- **left unserved last time**: whether a resident's latest meal day in the history,
  before the date planned, left them unserved; in a shortage they are served first
  (``Policy.shortage_order``, :mod:`carecal.fairness`).

Where two plans cover the same date, the later one counts for that date (the meals and
the bookings each on their own), as ``carecal report`` does.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Iterable
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from carecal.plans import Plan

MealOutcome = Literal["delivered", "not_home", "refused", "planned", "unserved"]
"""What a meal record says happened: a ``done`` value of ``meal_routes.csv``, ``planned``
(on a trip, ``done`` not filled in) or ``unserved`` (in ``unserved.csv``)."""
BookingOutcome = Literal["done", "missed", "planned"]
"""What a booking record says happened: a ``done`` value of ``health_checks.csv``, or
``planned``."""

MET_MEAL: frozenset[str] = frozenset({"delivered", "refused", "planned"})
"""Meal outcomes at which the carrier met the resident (a refusal is still a visit)."""
MET_BOOKING: frozenset[str] = frozenset({"done", "planned"})
"""Booking outcomes at which the escorts met the resident."""

FAMILIAR_VISITS = 4
"""Visits after which a volunteer counts as fully familiar to a resident: the saving of a
familiar carrier grows by a quarter of ``familiar_carrier_weight`` per visit, up to the
whole weight from the fourth visit on (:func:`familiar_saving`)."""


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MealRecord(_Record):
    """One resident's meal on one date in an earlier plan.

    ``volunteer_id`` is the carrier (``None`` when unserved, or when the carrier is no
    longer in the roster).
    """

    date: dt.date
    resident_id: str
    volunteer_id: str | None = None
    outcome: MealOutcome


class BookingRecord(_Record):
    """One resident's health-check booking in an earlier plan, with its escorts."""

    date: dt.date
    resident_id: str
    escort_ids: tuple[str, ...] = ()
    outcome: BookingOutcome


def meal_outcome(done: str | None) -> MealOutcome:
    """The outcome of a stop on a trip: its ``done`` cell, or ``planned`` when empty."""
    if done in ("delivered", "not_home", "refused"):
        return done  # type: ignore[return-value]
    return "planned"


def booking_outcome(done: str | None) -> BookingOutcome:
    """The outcome of a booking: its ``done`` cell, or ``planned`` when empty."""
    if done in ("done", "missed"):
        return done  # type: ignore[return-value]
    return "planned"


def familiar_saving(weight: int, visits: int) -> int:
    """What a carrier or escort who met a resident ``visits`` times saves, of ``weight``.

    ``weight × min(visits, FAMILIAR_VISITS) / FAMILIAR_VISITS``, rounded down: a quarter
    of the weight per visit, the whole weight from the fourth visit on.
    """
    return weight * min(max(visits, 0), FAMILIAR_VISITS) // FAMILIAR_VISITS


class History(_Record):
    """Meal and booking records from earlier plans (empty by default).

    Attributes
    ----------
    meals : tuple of MealRecord
        One record per resident and meal date.
    bookings : tuple of BookingRecord
        One record per booking.
    meal_dates, check_dates : tuple of datetime.date
        The dates the plans covered, for meals and for health checks (a date without
        any record is covered too: nobody ordered, or nobody was booked, that day), so
        that a later plan of such a date replaces what an earlier one said.
    sources : tuple of str
        Where the records came from (the folders of ``history/``), for messages.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", ignored_types=(cached_property,))

    meals: tuple[MealRecord, ...] = ()
    bookings: tuple[BookingRecord, ...] = ()
    meal_dates: tuple[dt.date, ...] = ()
    check_dates: tuple[dt.date, ...] = ()
    sources: tuple[str, ...] = ()

    @cached_property
    def _meals_of(self) -> dict[str, tuple[list[dt.date], list[MealRecord]]]:
        # Per resident, their meal records by date: a planner asks for every resident of
        # the day, and a long history holds thousands of records.
        grouped: dict[str, list[MealRecord]] = {}
        for r in self.meals:
            grouped.setdefault(r.resident_id, []).append(r)
        out = {}
        for rid, records in grouped.items():
            records.sort(key=lambda r: r.date)
            out[rid] = ([r.date for r in records], records)
        return out

    def __bool__(self) -> bool:
        return bool(self.meals or self.bookings)

    def __len__(self) -> int:
        return len(self.meals) + len(self.bookings)

    # --- building ------------------------------------------------------------------------

    @classmethod
    def from_plans(cls, plans: Iterable[Plan] | Plan) -> History:
        """The history that ``plans`` tell, in order: a later plan replaces an earlier one
        on each date both cover.

        Parameters
        ----------
        plans
            :class:`~carecal.plans.MealPlan`, :class:`~carecal.plans.CampaignPlan` and
            :class:`~carecal.plans.WeekPlan` objects (a :class:`~carecal.plans.ShiftPlan`
            adds nothing: shifts say nothing about residents), or one of them.

        Raises
        ------
        carecal.OptionError
            For anything that is not a plan.
        """
        from carecal.errors import OptionError
        from carecal.plans import Plan as PlanBase
        from carecal.plans import UnservedKind, plan_parts

        given = [plans] if isinstance(plans, PlanBase) else list(plans)
        history = cls()
        for plan in given:
            if not isinstance(plan, PlanBase):
                raise OptionError(
                    f"with_history() takes plans (MealPlan, CampaignPlan, WeekPlan), not "
                    f"{type(plan).__name__}; read a plan folder with carecal.read_plan"
                )
            meals, campaign, _ = plan_parts(plan)
            part = cls()
            for meal in meals:
                records = [
                    MealRecord(
                        date=meal.date,
                        resident_id=stop.resident_id,
                        volunteer_id=trip.volunteer_id,
                        outcome=meal_outcome(stop.done),
                    )
                    for trip in meal.trips
                    for stop in trip.stops
                ]
                records += [
                    MealRecord(date=meal.date, resident_id=u.id, outcome="unserved")
                    for u in meal.unserved
                    if u.kind == UnservedKind.MEAL
                ]
                part = part.then(cls(meals=tuple(records), meal_dates=(meal.date,)))
            if campaign is not None:
                bookings = tuple(
                    BookingRecord(
                        date=b.date,
                        resident_id=b.resident_id,
                        escort_ids=b.escort_ids,
                        outcome=booking_outcome(b.done),
                    )
                    for b in campaign.bookings
                )
                dates = {*campaign.dates, *(b.date for b in campaign.bookings)}
                part = part.then(cls(bookings=bookings, check_dates=tuple(sorted(dates))))
            history = history.then(part)
        return history

    def then(self, later: History) -> History:
        """This history followed by ``later``: on each date ``later`` covers (meals and
        health checks apart), its records replace these."""
        meal_dates = set(later.meal_dates)
        check_dates = set(later.check_dates)
        return History(
            meals=tuple(r for r in self.meals if r.date not in meal_dates) + later.meals,
            bookings=tuple(b for b in self.bookings if b.date not in check_dates) + later.bookings,
            meal_dates=tuple(sorted(set(self.meal_dates) | meal_dates)),
            check_dates=tuple(sorted(set(self.check_dates) | check_dates)),
            sources=tuple(dict.fromkeys(self.sources + later.sources)),
        )

    def restricted_to(
        self, resident_ids: Iterable[str], volunteer_ids: Iterable[str]
    ) -> tuple[History, list[str]]:
        """This history without the residents and volunteers not among the ids given
        (people who left the roster), and the ids left out, in order of appearance.

        A meal whose carrier left keeps its resident and outcome, without the carrier;
        a booking keeps the escorts still in the roster.
        """
        residents, volunteers = set(resident_ids), set(volunteer_ids)
        gone: dict[str, None] = {}
        meals = []
        for r in self.meals:
            if r.resident_id not in residents:
                gone[r.resident_id] = None
                continue
            if r.volunteer_id is not None and r.volunteer_id not in volunteers:
                gone[r.volunteer_id] = None
                r = r.model_copy(update={"volunteer_id": None})
            meals.append(r)
        bookings = []
        for b in self.bookings:
            if b.resident_id not in residents:
                gone[b.resident_id] = None
                continue
            left = [e for e in b.escort_ids if e not in volunteers]
            if left:
                gone.update(dict.fromkeys(left))
                b = b.model_copy(
                    update={"escort_ids": tuple(e for e in b.escort_ids if e in volunteers)}
                )
            bookings.append(b)
        kept = self.model_copy(update={"meals": tuple(meals), "bookings": tuple(bookings)})
        return kept, list(gone)

    # --- reading -------------------------------------------------------------------------

    def familiarity(self, before: dt.date | None = None) -> Counter[tuple[str, str]]:
        """How many times each volunteer met each resident, by ``(resident_id,
        volunteer_id)``, on the dates before ``before`` (every date when ``None``).

        A meal counts for its carrier when it was delivered, refused or (``done`` empty)
        planned; a booking counts for each escort when the check was done or (``done``
        empty) planned. Nobody home, a missed check and an unserved meal do not count.
        """
        seen: Counter[tuple[str, str]] = Counter()
        for r in self.meals:
            if r.volunteer_id is not None and r.outcome in MET_MEAL and _before(r.date, before):
                seen[r.resident_id, r.volunteer_id] += 1
        for b in self.bookings:
            if b.outcome in MET_BOOKING and _before(b.date, before):
                for e in b.escort_ids:
                    seen[b.resident_id, e] += 1
        return seen

    def elders_of(self, volunteer_id: str, before: dt.date | None = None) -> dict[str, int]:
        """The residents ``volunteer_id`` met before ``before``, with how many times,
        most met first (then by id)."""
        met = {r: n for (r, v), n in self.familiarity(before).items() if v == volunteer_id}
        return dict(sorted(met.items(), key=lambda rn: (-rn[1], rn[0])))

    def previous_meal(self, resident_id: str, before: dt.date) -> MealRecord | None:
        """The resident's latest meal record before ``before``: their previous delivery
        day as far as the history knows, or ``None``."""
        dates, records = self._meals_of.get(resident_id, ([], []))
        k = bisect.bisect_left(dates, before)
        return records[k - 1] if k else None

    def skipped_on(self, resident_id: str, before: dt.date) -> dt.date | None:
        """The date of the resident's previous delivery day before ``before`` when it left
        them unserved, else ``None``."""
        last = self.previous_meal(resident_id, before)
        return last.date if last is not None and last.outcome == "unserved" else None

    def summary(self) -> str:
        """The history in one line: records, dates and sources."""
        dates = sorted({*self.meal_dates, *self.check_dates})
        span = f" from {dates[0]} to {dates[-1]}" if dates else ""
        return f"{len(self.meals)} meal record(s) and {len(self.bookings)} booking record(s){span}"


def _before(date: dt.date, before: dt.date | None) -> bool:
    return before is None or date < before


def as_history(value: Any) -> History:
    """``value`` as a :class:`History`: itself, or the history of the plans it holds."""
    if isinstance(value, History):
        return value
    return History.from_plans(value)
