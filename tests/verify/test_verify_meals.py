"""verify_meals(): hand-built meal plans, each broken in one way, caught with the right rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from carecal.clock import TimeWindow, parse_time
from carecal.model import (
    Availability,
    Community,
    Resident,
    Site,
    SiteKind,
    Skill,
    TravelOverride,
    Volunteer,
)
from carecal.plans import MealPlan, Status, Stop, Trip, Unserved, UnservedKind
from carecal.policy import Policy
from carecal.verify import verify, verify_meals

MONDAY = dt.date(2026, 11, 30)


def t(text: str) -> int:
    return parse_time(text)


def meal_community(**policy: Any) -> Community:
    """Kitchen K; R1 10 and R2 20 minutes out (10 apart), R3 too; all order on Mondays.

    R4 orders on Tuesdays only. V1 walks, carries 2 portions, is free Mondays
    10:00–13:00; V2 has no meals skill. Windows are the default 11:00–12:30.
    """
    minutes = {("K", "R1"): 10, ("K", "R2"): 20, ("K", "R3"): 5, ("R1", "R2"): 10}
    travel = []
    for (a, b), m in minutes.items():
        travel.append(TravelOverride(from_id=a, to_id=b, mode="any", minutes=m))
        travel.append(TravelOverride(from_id=b, to_id=a, mode="any", minutes=m))

    def person(rid: str, days: set[str]) -> Resident:
        return Resident(resident_id=rid, age=80, lat=31.0, lon=121.0, meal_days=frozenset(days))

    return Community(
        residents=(
            person("R1", {"Mon"}),
            person("R2", {"Mon"}),
            person("R3", {"Mon"}),
            person("R4", {"Tue"}),
        ),
        volunteers=(
            Volunteer(volunteer_id="V1", mode="walk", capacity=2, skills=frozenset({Skill.MEALS})),
            Volunteer(volunteer_id="V2", mode="walk", skills=frozenset({Skill.CENTRE})),
        ),
        availability=(
            Availability(volunteer_id="V1", day="Mon", start="10:00", end="13:00"),
            Availability(volunteer_id="V2", day="Mon", start="10:00", end="13:00"),
        ),
        sites=(Site(site_id="K", kind=SiteKind.KITCHEN, lat=31.0, lon=121.0),),
        travel=tuple(travel),
        policy=Policy(**policy),
    )


def stop(rid: str, arrival: str, food: int, travel: int, handover: int = 2) -> Stop:
    return Stop(
        resident_id=rid,
        arrival=t(arrival),
        departure=t(arrival) + handover,
        portions=1,
        food_minutes=food,
        travel_minutes=travel,
    )


def good_trip() -> Trip:
    """V1 leaves 10:50: R1 at 11:00, R2 at 11:12, back at 11:34."""
    return Trip(
        volunteer_id="V1",
        trip=1,
        leave=t("10:50"),
        back=t("11:34"),
        stops=(stop("R1", "11:00", 10, 10), stop("R2", "11:12", 22, 10)),
    )


def r3_unserved() -> Unserved:
    return Unserved(
        kind=UnservedKind.MEAL,
        id="R3",
        date=MONDAY,
        code="carriers_busy",
        reason="left out",
        fix="",
    )


def meal_plan(trips: list[Trip], unserved: list[Unserved] | None = None) -> MealPlan:
    return MealPlan(
        status=Status.FEASIBLE,
        date=MONDAY,
        trips=tuple(trips),
        unserved=tuple([r3_unserved()] if unserved is None else unserved),
    )


def rules(community: Community, plan: MealPlan) -> list[str]:
    return [v.rule for v in verify_meals(community, plan)]


def test_good_plan_passes() -> None:
    community = meal_community()
    plan = meal_plan([good_trip()])
    assert verify(community, plan) == []
    assert verify_meals(community, plan) == []


def change(trip: Trip, **fields: Any) -> Trip:
    return trip.model_copy(update=fields)


def change_stop(trip: Trip, index: int, **fields: Any) -> Trip:
    stops = list(trip.stops)
    stops[index] = stops[index].model_copy(update=fields)
    return trip.model_copy(update={"stops": tuple(stops)})


def two_trips(second_leave: str) -> list[Trip]:
    """R1 on trip 1 (10:50–11:12); R2 on trip 2 leaving at ``second_leave``."""
    first = Trip(
        volunteer_id="V1",
        trip=1,
        leave=t("10:50"),
        back=t("11:12"),
        stops=(stop("R1", "11:00", 10, 10),),
    )
    leave = t(second_leave)
    second = Trip(
        volunteer_id="V1",
        trip=2,
        leave=leave,
        back=leave + 42,
        stops=(
            Stop(
                resident_id="R2",
                arrival=leave + 20,
                departure=leave + 22,
                portions=1,
                food_minutes=20,
                travel_minutes=20,
            ),
        ),
    )
    return [first, second]


def early_window() -> MealPlan:
    """Leave 10:45, R1 at 10:55: before R1's window opens at 11:00."""
    trip = change_stop(change(good_trip(), leave=t("10:45")), 0, arrival=t("10:55"))
    trip = change_stop(trip, 0, departure=t("10:57"))
    return meal_plan([change_stop(trip, 1, food_minutes=27)])


def before_ready() -> MealPlan:
    """Leave 10:40, five minutes before meals are ready."""
    trip = change_stop(change(good_trip(), leave=t("10:40")), 0, food_minutes=20)
    return meal_plan([change_stop(trip, 1, food_minutes=32)])


def too_soon() -> MealPlan:
    """R2 reached at 11:05, but R1 is left at 11:02 and R2 is 10 minutes on."""
    trip = change_stop(good_trip(), 1, arrival=t("11:05"), departure=t("11:07"))
    return meal_plan([change_stop(trip, 1, food_minutes=15)])


def extra(rid: str) -> list[Unserved]:
    return [
        r3_unserved(),
        Unserved(kind=UnservedKind.MEAL, id=rid, code="carriers_busy", reason="x"),
    ]


BROKEN: dict[str, tuple[dict[str, Any], Callable[[], MealPlan]]] = {
    # rule: (policy overrides, the broken plan)
    "delivery_once": ({}, lambda: meal_plan([good_trip()], unserved=[])),
    "unknown_resident": ({}, lambda: meal_plan([good_trip()], unserved=extra("R9"))),
    "no_order": ({}, lambda: meal_plan([good_trip()], unserved=extra("R4"))),
    "carrier": ({}, lambda: meal_plan([change(good_trip(), volunteer_id="V2")])),
    "chain": ({}, too_soon),
    "window": ({}, early_window),
    "handover": ({}, lambda: meal_plan([change_stop(good_trip(), 0, departure=t("11:01"))])),
    "capacity": ({"capacity": {"walk": 1}}, lambda: meal_plan([good_trip()])),
    "food_age": ({"max_food_minutes": 20}, lambda: meal_plan([good_trip()])),
    "food_minutes": ({}, lambda: meal_plan([change_stop(good_trip(), 0, food_minutes=5)])),
    "meals_ready": ({}, before_ready),
    "travel_minutes": ({}, lambda: meal_plan([change_stop(good_trip(), 1, travel_minutes=12)])),
    "portions": ({}, lambda: meal_plan([change_stop(good_trip(), 0, portions=0)])),
    "trip_overlap": ({}, lambda: meal_plan(two_trips("11:10"))),
    "max_trips": ({"max_trips_per_day": 1}, lambda: meal_plan(two_trips("11:12"))),
}


@pytest.mark.parametrize("rule", sorted(BROKEN))
def test_broken_plan_is_caught(rule: str) -> None:
    """Each plan breaks exactly one rule, and the verifier names that rule only."""
    policy, build = BROKEN[rule]
    community = meal_community(**policy)
    if rule == "capacity":
        community = community.with_changes(
            volunteers=(
                Volunteer(volunteer_id="V1", mode="walk", skills=frozenset({Skill.MEALS})),
                community.volunteers[1],
            )
        )
    found = verify_meals(community, build())
    assert {v.rule for v in found} == {rule}, found


def test_two_trips_in_sequence_pass() -> None:
    assert verify_meals(meal_community(), meal_plan(two_trips("11:12"))) == []


def test_availability_end_is_checked() -> None:
    """V1 free until 11:30 only; the good trip is back at 11:34."""
    community = meal_community()
    community = community.with_changes(
        availability=(
            Availability(volunteer_id="V1", day="Mon", start="10:00", end="11:30"),
            community.availability[1],
        )
    )
    found = verify_meals(community, meal_plan([good_trip()]))
    assert [v.rule for v in found] == ["availability"]
    assert "V1 trip 1 runs 10:50–11:34" in found[0].message
    assert "10:00–11:30" in found[0].message


def test_messages_name_the_resident_and_the_times() -> None:
    community = meal_community()
    plan = meal_plan([change_stop(good_trip(), 0, departure=t("11:01"))])
    (violation,) = verify_meals(community, plan)
    assert "R1 on V1 trip 1" in violation.message
    assert "11:00–11:01" in violation.message and "needs 2" in violation.message
    assert str(violation).startswith("[handover] ")


def test_unknown_volunteer_and_duplicate_delivery() -> None:
    community = meal_community()
    stranger = change(good_trip(), volunteer_id="V9")
    doubled = meal_plan([good_trip()], unserved=[r3_unserved(), r3_unserved()])
    assert rules(community, meal_plan([stranger])) == ["carrier"]
    assert rules(community, doubled) == ["delivery_once"]


def test_window_of_resident_is_used() -> None:
    """R1's own window 11:10–11:20: the good trip's 11:00 handover is outside it."""
    community = meal_community()
    people = list(community.residents)
    people[0] = people[0].model_copy(update={"window": TimeWindow(t("11:10"), t("11:20"))})
    community = community.with_changes(residents=tuple(people))
    assert rules(community, meal_plan([good_trip()])) == ["window"]
