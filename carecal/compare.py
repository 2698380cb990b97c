"""Two plans of the same kind side by side: what the change does to the numbers, and to whom.

``carecal.compare(before, after)`` answers the coordinator's "what if": plan, change the
community (:meth:`carecal.Community.without_volunteer`, ``with_unavailable``,
``with_policy``), plan again, compare. The numbers (served, carriers, travel, food age,
short shift places) come with their change, and every person the change touches is
listed with what changed for them, so the coordinator knows whom to call.

This module is light: the DataFrames are made by :mod:`carecal.io.frames` (pandas) when
:func:`compare` runs, so ``import carecal`` loads neither.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from carecal.clock import format_time
from carecal.errors import OptionError
from carecal.plans import (
    Assignment,
    Booking,
    CampaignPlan,
    MealPlan,
    People,
    Plan,
    ShiftPlan,
    UnservedKind,
    WeekPlan,
    plan_parts,
)

if TYPE_CHECKING:
    import pandas as pd

MOVED_MINUTES = 15
"""A delivery whose arrival moves by more than this many minutes counts as moved."""

CHANGES: tuple[str, ...] = (
    "meal added",
    "meal dropped",
    "carrier changed",
    "time moved",
    "check booked",
    "check dropped",
    "booking moved",
    "escort changed",
    "shift added",
    "shift removed",
)
"""What can change for one person, in the order the ``people`` table sorts them."""

PEOPLE_COLUMNS: tuple[str, ...] = ("date", "person_id", "name", "role", "change", "before", "after")
"""The columns of :attr:`Comparison.people`."""

_KINDS = (MealPlan, CampaignPlan, ShiftPlan, WeekPlan)


@dataclass(frozen=True, eq=False)
class Comparison:
    """What changed from one plan to another of the same kind.

    Attributes
    ----------
    kind
        The plans' kind (``MealPlan``, ``CampaignPlan``, ``ShiftPlan``, ``WeekPlan``).
    metrics
        ``(name, before, after)`` for each number compared, in table order; ``None``
        where a plan has no such number (no deliveries, so no food age).
    changes
        One dict per change to one person, with the keys of :data:`PEOPLE_COLUMNS`.
    table
        The numbers as a DataFrame indexed by ``metric``: ``before``, ``after``,
        ``change`` (after minus before).
    people
        The changes as a DataFrame, one row per change to one person: ``date``,
        ``person_id``, ``name``, ``role`` (``resident``, ``volunteer``), ``change`` (one
        of :data:`CHANGES`, a category), ``before``, ``after`` (in words).
    """

    kind: str
    metrics: tuple[tuple[str, float | None, float | None], ...]
    changes: tuple[dict[str, Any], ...]
    table: pd.DataFrame = field(repr=False)
    people: pd.DataFrame = field(repr=False)

    def summary(self) -> str:
        """The comparison in a few lines: each number before and after, then the changes
        to people counted by kind."""
        lines = [f"Comparing two {self.kind}s (before -> after):"]
        for name, before, after in self.metrics:
            lines.append(f"- {name.replace('_', ' ')}: {_shown(before)} -> {_shown(after)}")
            lines[-1] += _delta(before, after)
        if not self.changes:
            lines.append("Nobody's plan changed.")
            return "\n".join(lines)
        counts = Counter(c["change"] for c in self.changes)
        who = len({(c["role"], c["person_id"]) for c in self.changes})
        lines.append(
            f"{len(self.changes)} change(s) for {who} person(s): "
            + ", ".join(f"{counts[k]} {k}" for k in CHANGES if counts[k])
            + "."
        )
        return "\n".join(lines)

    def __repr__(self) -> str:
        # The numbers that changed, the first three of them: the repr is one line.
        moved = [m for m in self.metrics if _delta(m[1], m[2])]
        shown = [f"{name} {_shown(b)} -> {_shown(a)}" for name, b, a in moved[:3]]
        who = len({(c["role"], c["person_id"]) for c in self.changes})
        return (
            f"<Comparison of {self.kind}s: {', '.join(shown) or 'no number changed'}, "
            f"{len(self.changes)} changes for {who} people>"
        )


def _shown(value: float | None) -> str:
    if value is None:
        return "none"
    return f"{value:g}"


def _delta(before: float | None, after: float | None) -> str:
    if before is None or after is None or math.isclose(before, after):
        return ""
    return f" ({after - before:+g})"


# --- the numbers -----------------------------------------------------------------------------


def _meal_numbers(meals: list[MealPlan]) -> dict[str, float | None]:
    food = [s.food_minutes for m in meals for t in m.trips for s in t.stops]
    median = float(statistics.median(food)) if food else None
    return {
        "meals_served": sum(len(m.served) for m in meals),
        "meals_unserved": sum(1 for m in meals for u in m.unserved if u.kind == UnservedKind.MEAL),
        "carriers": len({v for m in meals for v in m.carriers}),
        "trips": sum(len(m.trips) for m in meals),
        "travel_minutes": sum(m.total_travel_minutes() for m in meals),
        "median_food_minutes": median,
    }


def _campaign_numbers(campaign: CampaignPlan | None) -> dict[str, float | None]:
    bookings = campaign.bookings if campaign else ()
    return {
        "checks_booked": len(bookings),
        "checks_unserved": len(campaign.unserved) if campaign else 0,
        "escorts": len({e for b in bookings for e in b.escort_ids}),
    }


def _shift_numbers(shifts: ShiftPlan | None) -> dict[str, float | None]:
    assignments = shifts.assignments if shifts else ()
    short = sum(1 for u in shifts.unserved if u.kind == UnservedKind.SHIFT) if shifts else 0
    return {
        "shift_places_filled": len(assignments),
        "short_shift_places": short,
        "volunteers_on_shifts": len({a.volunteer_id for a in assignments}),
    }


def _numbers(plan: Plan, groups: tuple[bool, bool, bool]) -> dict[str, float | None]:
    """The plan's numbers, for the groups (meals, campaign, shifts) either plan has."""
    meals, campaign, shifts = plan_parts(plan)
    numbers: dict[str, float | None] = {}
    if groups[0]:
        numbers |= _meal_numbers(meals)
    if groups[1]:
        numbers |= _campaign_numbers(campaign)
    if groups[2]:
        numbers |= _shift_numbers(shifts)
    numbers["unserved"] = len(plan.unserved)
    return numbers


def _groups(before: Plan, after: Plan) -> tuple[bool, bool, bool]:
    if isinstance(before, WeekPlan) and isinstance(after, WeekPlan):
        return (
            bool(before.meals or after.meals),
            before.campaign is not None or after.campaign is not None,
            before.shifts is not None or after.shifts is not None,
        )
    return (
        isinstance(before, MealPlan),
        isinstance(before, CampaignPlan),
        isinstance(before, ShiftPlan),
    )


# --- what changed for whom -------------------------------------------------------------------


def _deliveries(meals: list[MealPlan]) -> dict[tuple[dt.date, str], tuple[str, int]]:
    """(date, resident) -> (carrier, arrival) of every delivery on a route."""
    return {
        (m.date, s.resident_id): (t.volunteer_id, s.arrival)
        for m in meals
        for t in m.trips
        for s in t.stops
    }


def _meal_changes(before: list[MealPlan], after: list[MealPlan]) -> Iterator[dict[str, Any]]:
    old, new = _deliveries(before), _deliveries(after)
    for date, rid in sorted(old.keys() | new.keys()):
        was, now = old.get((date, rid)), new.get((date, rid))
        if was is None and now is not None:
            yield _row(date, rid, "resident", "meal added", "not served", _by(now))
        elif was is not None and now is None:
            yield _row(date, rid, "resident", "meal dropped", _by(was), "not served")
        elif was is not None and now is not None:
            if was[0] != now[0]:
                yield _row(date, rid, "resident", "carrier changed", was[0], now[0])
            if abs(now[1] - was[1]) > MOVED_MINUTES:
                moved = (format_time(was[1]), format_time(now[1]))
                yield _row(date, rid, "resident", "time moved", *moved)


def _by(delivery: tuple[str, int]) -> str:
    return f"{delivery[0]} at {format_time(delivery[1])}"


def _booking_text(b: Booking) -> str:
    return f"{b.date} {format_time(b.slot_start)} at {b.clinic_id}"


def _campaign_changes(
    before: CampaignPlan | None, after: CampaignPlan | None
) -> Iterator[dict[str, Any]]:
    old = {b.resident_id: b for b in before.bookings} if before else {}
    new = {b.resident_id: b for b in after.bookings} if after else {}
    for rid in sorted(old.keys() | new.keys()):
        was, now = old.get(rid), new.get(rid)
        if was is None and now is not None:
            yield _row(now.date, rid, "resident", "check booked", "not booked", _booking_text(now))
        elif was is not None and now is None:
            yield _row(was.date, rid, "resident", "check dropped", _booking_text(was), "not booked")
        elif was is not None and now is not None:
            if (was.date, was.clinic_id, was.slot_start) != (
                now.date,
                now.clinic_id,
                now.slot_start,
            ):
                texts = (_booking_text(was), _booking_text(now))
                yield _row(now.date, rid, "resident", "booking moved", *texts)
            if was.escort_ids != now.escort_ids:
                escorts = (";".join(was.escort_ids) or "none", ";".join(now.escort_ids) or "none")
                yield _row(now.date, rid, "resident", "escort changed", *escorts)


def _shift_text(a: Assignment) -> str:
    return f"{a.shift_id} {format_time(a.start)}–{format_time(a.end)}"


def _shift_changes(before: ShiftPlan | None, after: ShiftPlan | None) -> Iterator[dict[str, Any]]:
    def keyed(plan: ShiftPlan | None) -> dict[tuple[dt.date, str, str], Assignment]:
        found = plan.assignments if plan else ()
        return {(a.date, a.volunteer_id, a.shift_id): a for a in found}

    old, new = keyed(before), keyed(after)
    for key in sorted(old.keys() - new.keys()):
        yield _row(key[0], key[1], "volunteer", "shift removed", _shift_text(old[key]), "")
    for key in sorted(new.keys() - old.keys()):
        yield _row(key[0], key[1], "volunteer", "shift added", "", _shift_text(new[key]))


def _row(
    date: dt.date, person: str, role: str, change: str, before: str, after: str
) -> dict[str, Any]:
    return {
        "date": date,
        "person_id": person,
        "role": role,
        "change": change,
        "before": before,
        "after": after,
    }


def _named(rows: list[dict[str, Any]], people: People) -> list[dict[str, Any]]:
    for row in rows:
        info = (
            people.resident(row["person_id"])
            if row["role"] == "resident"
            else people.volunteer(row["person_id"])
        )
        row["name"] = info.name
    return sorted(
        rows, key=lambda r: (r["date"], CHANGES.index(r["change"]), r["role"], r["person_id"])
    )


# --- the entry point ---------------------------------------------------------------------------


def _checked(before: Any, after: Any) -> None:
    for name, plan in (("before", before), ("after", after)):
        if not isinstance(plan, _KINDS):
            raise OptionError(
                f"compare(): {name} is a {type(plan).__name__}, not a plan; give two plans "
                "of the same kind (MealPlan, CampaignPlan, ShiftPlan or WeekPlan)"
            )
    if type(before) is not type(after):
        raise OptionError(
            f"compare(): before is a {type(before).__name__} and after a "
            f"{type(after).__name__}; compare two plans of the same kind (a meal plan with a "
            "meal plan, a week with a week)"
        )


def compare(before: Plan, after: Plan) -> Comparison:
    """Compare two plans of the same kind: the numbers, and what changed for whom.

    Parameters
    ----------
    before, after
        Two :class:`~carecal.plans.MealPlan`, :class:`~carecal.plans.CampaignPlan`,
        :class:`~carecal.plans.ShiftPlan` or :class:`~carecal.plans.WeekPlan` (both of
        one kind), for example a plan and the plan of the same days made again after
        ``community.without_volunteer("V07")``. Deliveries are matched by date and
        resident, bookings by resident, shift places by date, volunteer and shift.

    Returns
    -------
    Comparison
        ``table`` (each number before and after, with the change), ``people`` (one row
        per change to one person: a meal added or dropped, the carrier changed, the
        arrival moved by more than :data:`MOVED_MINUTES` minutes, a check booked,
        dropped or moved, the escort changed, a shift added or removed), ``summary()``.

    Raises
    ------
    OptionError
        When either is not a plan, or the two are plans of different kinds.

    Examples
    --------
    >>> before = carecal.plan_meals(community, "2027-03-01")            # doctest: +SKIP
    >>> after = carecal.plan_meals(community.without_volunteer("V07"), "2027-03-01")
    >>> print(carecal.compare(before, after).summary())                  # doctest: +SKIP
    """
    _checked(before, after)
    from carecal.io.frames import records_frame

    groups = _groups(before, after)
    old, new = _numbers(before, groups), _numbers(after, groups)
    metrics = tuple((name, old[name], new[name]) for name in old)
    old_meals, old_campaign, old_shifts = plan_parts(before)
    new_meals, new_campaign, new_shifts = plan_parts(after)
    rows = [
        *_meal_changes(old_meals, new_meals),
        *_campaign_changes(old_campaign, new_campaign),
        *_shift_changes(old_shifts, new_shifts),
    ]
    changes = _named(rows, before.all_people() | after.all_people())
    table = records_frame(
        [
            {
                "metric": name,
                "before": b,
                "after": a,
                "change": None if a is None or b is None else a - b,
            }
            for name, b, a in metrics
        ],
        ("metric", "before", "after", "change"),
        index="metric",
        floats=("before", "after", "change"),
    )
    people = records_frame(
        changes,
        PEOPLE_COLUMNS,
        categories={"change": CHANGES, "role": ("resident", "volunteer")},
        dates=("date",),
    )
    return Comparison(
        kind=type(before).__name__,
        metrics=metrics,
        changes=tuple(changes),
        table=table,
        people=people,
    )
