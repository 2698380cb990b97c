"""What the notebook tests (frames, reprs, what-if, compare) share: the Valid community
and small plans of each kind built by hand for it, so that every number is known."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

from carecal.io import CarecalWarning, read_community
from carecal.model import Community
from carecal.plans import (
    Assignment,
    Booking,
    CampaignPlan,
    MealPlan,
    ShiftPlan,
    Status,
    Stop,
    Trip,
    Unserved,
    UnservedKind,
    Wheelchair,
)

DATA = Path(__file__).parent / "data"
AS_OF = dt.date(2026, 3, 1)
MONDAY = dt.date(2026, 3, 2)
TUESDAY = dt.date(2026, 3, 3)


def valid() -> Community:
    """tests/data/Valid: residents R001 Wang Fang, R002 Li Ming, R003 Zhao Lan; volunteers
    V01 Chen Jie (bike, meals and escort) and V02 Sun Li (walk); kitchen K1, clinic C1."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CarecalWarning)
        return read_community(DATA / "Valid", as_of=AS_OF)


def stop(rid: str, arrival: int, *, food: int, travel: int = 3, portions: int = 1) -> Stop:
    """A delivery at ``arrival`` (minutes since midnight), two minutes at the door."""
    return Stop(
        resident_id=rid,
        arrival=arrival,
        departure=arrival + 2,
        portions=portions,
        food_minutes=food,
        travel_minutes=travel,
    )


def meal_plan(*trips: Trip, unserved: tuple[Unserved, ...] = ()) -> MealPlan:
    """A Monday meal plan of these trips, optimal, with an objective of 12."""
    return MealPlan(
        status=Status.OPTIMAL,
        date=MONDAY,
        trips=trips,
        unserved=unserved,
        objective_terms={"travel": 10.0, "carriers": 2.0},
    )


def trip(vid: str, number: int, leave: int, *stops: Stop) -> Trip:
    """A trip of ``vid`` leaving at ``leave`` and back five minutes after the last stop."""
    return Trip(
        volunteer_id=vid, trip=number, leave=leave, back=stops[-1].departure + 5, stops=stops
    )


def missed(rid: str, code: str = "carriers_busy") -> Unserved:
    """An unserved Monday meal of ``rid``."""
    return Unserved(kind=UnservedKind.MEAL, id=rid, date=MONDAY, code=code, reason="busy", fix="")


def monday_meals() -> MealPlan:
    """V01 takes R001 (11:00) then R002 (11:10); R003's meal is unserved."""
    return meal_plan(
        trip("V01", 1, 650, stop("R001", 660, food=10), stop("R002", 670, food=20, portions=2)),
        unserved=(missed("R003"),),
    )


def booking(rid: str, slot: int, escorts: tuple[str, ...] = (), date: dt.date = TUESDAY) -> Booking:
    """A check at C1 in the slot starting at ``slot``; escorted ones ride a pool chair."""
    return Booking(
        resident_id=rid,
        date=date,
        clinic_id="C1",
        slot_start=slot,
        check_start=slot,
        check_end=slot + 20,
        escort_ids=escorts,
        wheelchair=Wheelchair.POOL if escorts else Wheelchair.NONE,
        pickup=slot - 25 if escorts else None,
        home_again=slot + 50 if escorts else None,
    )


def campaign(*bookings: Booking, unserved: tuple[Unserved, ...] = ()) -> CampaignPlan:
    """A Tuesday campaign at C1 of these bookings."""
    return CampaignPlan(
        status=Status.FEASIBLE,
        dates=(TUESDAY,),
        clinic_days=((TUESDAY, "C1"),),
        bookings=bookings,
        unserved=unserved,
        objective_terms={"unbooked_value": 5.0},
        bound=4.0,
    )


def on_shift(vid: str, date: dt.date = MONDAY, shift_id: str = "M1") -> Assignment:
    """``vid`` on the meals shift ``shift_id`` (10:30–13:30) on ``date``."""
    return Assignment(
        date=date, shift_id=shift_id, role="meals", start=630, end=810, volunteer_id=vid
    )


def shifts(*assignments: Assignment, short: int = 0) -> ShiftPlan:
    """A shift plan of Monday and Tuesday with these places and ``short`` open ones."""
    why = Unserved(
        kind=UnservedKind.SHIFT,
        id="M1",
        date=TUESDAY,
        code="short_staffed",
        reason="nobody free",
        fix="ask",
    )
    return ShiftPlan(
        status=Status.OPTIMAL,
        start=MONDAY,
        end=TUESDAY,
        assignments=assignments,
        unserved=(why,) * short,
    )
