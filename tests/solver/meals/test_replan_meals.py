"""replan_meals: each re-plan rule once where it does not bind and once where it does.

The days are tiny hand-checkable Mondays (see ``meal_days.py``): residents on a line,
travel in whole minutes (``|a - b|`` between two residents), meals ready at 10:45,
window 11:00–12:30, handover 2 minutes. A previous plan is either made by ``plan_meals``
or written here by hand (:func:`hand_trip`) and checked by the verifier first. Every
re-plan is checked by ``carecal.verify`` against the changed community.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from meal_days import MONDAY, carrier, meal_day, resident

import carecal
from carecal.clock import parse_time
from carecal.datasets import make_community
from carecal.errors import CommunityError, OptionError
from carecal.model import Community
from carecal.plans import MealPlan, Status, Stop, Trip
from carecal.replan import replan_meals
from carecal.solver.meals import plan_meals
from carecal.solver.meals.disruption import usual_bound

OPENS = parse_time("11:00")


def hand_trip(
    out: dict[str, int], vid: str, number: int, leave: str, rids: Sequence[str], **lock: bool
) -> Trip:
    """A trip of ``vid`` leaving at ``leave`` to ``rids`` in order, as early as windows allow.

    Residents stand ``out[rid]`` minutes from the kitchen on a line (the default windows,
    one portion, a 2-minute handover). ``lock`` marks stops locked: ``R2=True``.
    """
    t = parse_time(leave)
    start = t
    here = 0
    stops = []
    for rid in rids:
        travel = abs(out[rid] - here)
        arrival = max(OPENS, t + travel)
        stops.append(
            Stop(
                resident_id=rid,
                arrival=arrival,
                departure=arrival + 2,
                portions=1,
                food_minutes=arrival - start,
                travel_minutes=travel,
                locked=lock.get(rid, False),
            )
        )
        t, here = arrival + 2, out[rid]
    return Trip(volunteer_id=vid, trip=number, leave=start, back=t + here, stops=tuple(stops))


def hand_plan(community: Community, *trips: Trip) -> MealPlan:
    """A previous plan of these trips, checked valid for ``community``."""
    plan = MealPlan(status=Status.FEASIBLE, date=MONDAY, trips=trips)
    assert carecal.verify(community, plan) == []
    return plan


def replan(community: Community, previous: MealPlan, now: Any = None) -> MealPlan:
    """Re-plan deterministically and insist the verifier agrees."""
    result = replan_meals(community, previous, now, deterministic=True, time_limit=5)
    assert carecal.verify(community, result) == []
    return result


def where(plan: MealPlan) -> dict[str, tuple[str, int]]:
    """Resident -> (carrier, arrival)."""
    return {s.resident_id: (t.volunteer_id, s.arrival) for t in plan.trips for s in t.stops}


def moved(before: MealPlan, after: MealPlan, tolerance: int = 15) -> set[str]:
    """Elders served before and now by another carrier, later or earlier by more than
    ``tolerance`` minutes, or not at all."""
    old, new = where(before), where(after)
    return {
        rid
        for rid, (vid, at) in old.items()
        if rid not in new or new[rid][0] != vid or abs(new[rid][1] - at) > tolerance
    }


def extra_meal(community: Community, rid: str) -> Community:
    return community.with_change(kind="extra_meal", id=rid, start=MONDAY)


# --- no change --------------------------------------------------------------------------------

FIVE = {"R1": 5, "R2": 9, "R3": 14, "R4": 20, "R5": 26}


def test_without_changes_every_elder_keeps_carrier_and_arrival() -> None:
    """Two carriers of 3 portions share five elders; re-planned unchanged, nobody moves."""
    community = meal_day(FIVE, carriers=[carrier("V1", capacity=3), carrier("V2", capacity=3)])
    previous = plan_meals(community, MONDAY, deterministic=True, time_limit=5)
    result = replan(community, previous)
    assert moved(previous, result) == set()
    assert result.served and sorted(result.served) == sorted(previous.served)
    assert result.objective_terms["moved_carrier"] == 0
    assert result.objective_terms["moved_arrival"] == 0
    assert result.objective == pytest.approx(sum(result.objective_terms.values()))
    assert result.to_call == ()  # a re-plan: to_call.csv written, nobody to call


def test_a_hand_made_plan_is_kept_as_it_is_without_changes() -> None:
    """V1 takes R1, R2 and V2 takes R3 (the planner would send one carrier): kept exactly."""
    community = meal_day({"R1": 5, "R2": 7, "R3": 9}, carriers=[carrier("V1"), carrier("V2")])
    previous = hand_plan(
        community,
        hand_trip({"R1": 5, "R2": 7, "R3": 9}, "V1", 1, "10:55", ["R1", "R2"]),
        hand_trip({"R1": 5, "R2": 7, "R3": 9}, "V2", 1, "10:51", ["R3"]),
    )
    result = replan(community, previous)
    assert result.trips == previous.trips


# --- a carrier off ----------------------------------------------------------------------------

LINE = {"R1": 5, "R2": 7, "R3": 20, "R4": 22, "R5": 30}


def three_carriers() -> Community:
    return meal_day(LINE, carriers=[carrier("V1"), carrier("V2"), carrier("V3")])


def three_routes(community: Community) -> MealPlan:
    """V1: R1, R2; V2: R3, R4; V3: R5."""
    return hand_plan(
        community,
        hand_trip(LINE, "V1", 1, "10:55", ["R1", "R2"]),
        hand_trip(LINE, "V2", 1, "10:45", ["R3", "R4"]),
        hand_trip(LINE, "V3", 1, "10:45", ["R5"]),
    )


def test_a_carrier_off_at_9_10_moves_only_their_elders() -> None:
    """V2 calls in sick at 09:10: R3 and R4 go to V1 or V3, everyone else stays, all served."""
    community = three_carriers()
    previous = three_routes(community)
    off = community.with_change(
        kind="volunteer_off", id="V2", start="2026-11-30 09:10", end="2026-11-30 23:00"
    )
    result = replan(off, previous, "09:10")
    assert "V2" not in result.carriers
    assert sorted(result.served) == sorted(LINE)
    assert moved(previous, result) == {"R3", "R4"}
    assert result.objective_terms["moved_carrier"] == 2 * off.policy.move_carrier_weight
    # Whom to call: the carriers who took R3 and R4 over (not V2, who is off), and R3 and
    # R4 only if their arrival moved by more than the tolerance.
    called = {c.person_id for c in result.to_call or ()}
    takers = {t.volunteer_id for t in result.trips for s in t.stops if s.resident_id in "R3 R4"}
    assert takers <= called and "V2" not in called
    assert called - takers <= {"R3", "R4"}


def test_a_carrier_off_whose_elders_no_one_can_take_leaves_them_unserved() -> None:
    """Only V1 and V2 (one trip of 2 portions each): V2's elders cannot all move to V1."""
    community = meal_day(
        {"R1": 5, "R2": 7, "R3": 9},
        carriers=[carrier("V1", capacity=2), carrier("V2", capacity=2)],
        max_trips_per_day=1,
    )
    out = {"R1": 5, "R2": 7, "R3": 9}
    previous = hand_plan(
        community,
        hand_trip(out, "V1", 1, "10:55", ["R1", "R2"]),
        hand_trip(out, "V2", 1, "10:51", ["R3"]),
    )
    off = community.with_change(kind="volunteer_off", id="V2", start=MONDAY, end=MONDAY)
    result = replan(off, previous)
    # Serving comes first, but V1 has room for two: one of the three waits. Giving R3
    # the place of R1 or R2 would serve no one more, so V1 keeps its elders.
    assert [u.id for u in result.unserved] == ["R3"]
    assert where(result)["R1"] == where(previous)["R1"]
    assert where(result)["R2"] == where(previous)["R2"]


# --- frozen trips -----------------------------------------------------------------------------

FROZEN = {"R1": 5, "R2": 8, "R3": 12, "R4": 15, "R5": 10}


def frozen_day(**policy: Any) -> tuple[Community, MealPlan]:
    """V1 (2 portions, at most 2 trips): R1, R2 leaving 10:55, then R3, R4 at 11:15;
    V2: R5 leaving 11:20."""
    community = meal_day(
        FROZEN,
        carriers=[carrier("V1", capacity=2), carrier("V2", capacity=2)],
        max_trips_per_day=2,
        **policy,
    )
    previous = hand_plan(
        community,
        hand_trip(FROZEN, "V1", 1, "10:55", ["R1", "R2"]),
        hand_trip(FROZEN, "V1", 2, "11:15", ["R3", "R4"]),
        hand_trip(FROZEN, "V2", 1, "11:20", ["R5"]),
    )
    return community, previous


def test_a_trip_that_left_is_kept_and_counts_against_the_trips_of_the_day() -> None:
    """At 11:00 V1's first trip is out; V2 is off from 10:58. V1 may make one more trip
    (2 a day), full with R3 and R4, so R5 waits: the trip already out counts."""
    community, previous = frozen_day()
    off = community.with_change(
        kind="volunteer_off", id="V2", start="2026-11-30 10:58", end="2026-11-30 23:00"
    )
    result = replan(off, previous, "11:00")
    first = previous.trips[0]
    assert first in result.trips  # verbatim: times, stops, numbering
    v1 = [t for t in result.trips if t.volunteer_id == "V1"]
    assert len(v1) == 2
    (second,) = [t for t in v1 if t != first]
    assert second.trip == 2 and second.leave >= max(parse_time("11:00"), first.back)
    assert [u.id for u in result.unserved] == ["R5"]
    assert moved(previous, result) == {"R5"}


def test_with_three_trips_a_day_the_frozen_trip_leaves_room_for_two_more() -> None:
    """The same at 3 trips a day: V1 fits R5 on a third trip after the second."""
    community, previous = frozen_day()
    community = community.with_policy(max_trips_per_day=3)
    off = community.with_change(
        kind="volunteer_off", id="V2", start="2026-11-30 10:58", end="2026-11-30 23:00"
    )
    result = replan(off, previous, "11:00")
    assert previous.trips[0] in result.trips
    assert sorted(result.served) == sorted(FROZEN)
    assert where(result)["R5"][0] == "V1"
    assert moved(previous, result) == {"R5"}


def test_no_trip_leaves_before_now() -> None:
    """At 11:10 (no change) V1's first trip is out and V2's 11:20 trip may stay; an extra
    meal for R6 goes on a trip leaving no earlier than 11:10."""
    community, previous = frozen_day()
    out = {**FROZEN, "R6": 3}
    community = meal_day(
        out,
        residents=[resident("R6", meal_days=frozenset())],
        carriers=[carrier("V1", capacity=2), carrier("V2", capacity=2)],
        max_trips_per_day=2,
    )
    result = replan(extra_meal(community, "R6"), previous, "11:10")
    assert previous.trips[0] in result.trips
    assert "R6" in result.served
    for trip in result.trips:
        if trip != previous.trips[0]:
            assert trip.leave >= parse_time("11:10")


def test_now_after_the_day_keeps_every_trip() -> None:
    community, previous = frozen_day()
    result = replan(community, previous, "2026-12-01 08:00")
    assert result.trips == previous.trips


# --- locks ------------------------------------------------------------------------------------

LOCKS = {"R1": 10, "R2": 12, "R3": 14, "R4": 16}


def lock_day() -> Community:
    """V1 carries 8, V2 one portion at a time: the planner sends V1 alone."""
    return meal_day(
        LOCKS,
        residents=[resident("R4", meal_days=frozenset())],
        carriers=[carrier("V1", capacity=8), carrier("V2", capacity=1)],
    )


def locked_r2(community: Community) -> MealPlan:
    """V1: R1, R3; V2: R2, locked."""
    return hand_plan(
        community,
        hand_trip(LOCKS, "V1", 1, "10:50", ["R1", "R3"]),
        hand_trip(LOCKS, "V2", 1, "10:49", ["R2"], R2=True),
    )


def test_a_locked_stop_keeps_its_carrier_and_arrival() -> None:
    """R2 stays with V2 at 11:01 while R4's extra meal is added, though a plan from scratch
    gives R2 to V1; the stop stays locked in the result."""
    community = extra_meal(lock_day(), "R4")
    previous = locked_r2(lock_day())
    fresh = plan_meals(community, MONDAY, deterministic=True, time_limit=5)
    assert where(fresh)["R2"][0] == "V1"
    result = replan(community, previous)
    assert where(result)["R2"] == where(previous)["R2"]
    assert "R4" in result.served
    (stop,) = [s for t in result.trips for s in t.stops if s.resident_id == "R2"]
    assert stop.locked
    assert not any(s.locked for t in result.trips for s in t.stops if s.resident_id != "R2")


def test_a_lock_on_a_carrier_who_is_off_is_refused_with_the_fix() -> None:
    community = lock_day().with_change(kind="volunteer_off", id="V2", start=MONDAY, end=MONDAY)
    with pytest.raises(CommunityError, match=r"R2 on 2026-11-30 by V2 .*not free.*unlock"):
        replan_meals(community, locked_r2(lock_day()), deterministic=True, time_limit=5)


def test_a_lock_on_a_resident_away_is_refused_with_the_fix() -> None:
    community = lock_day().with_absence("R2", MONDAY)
    with pytest.raises(CommunityError, match=r"R2 on 2026-11-30 .*away.*undo the change"):
        replan_meals(community, locked_r2(lock_day()), deterministic=True, time_limit=5)


def test_a_lock_out_of_reach_is_refused_with_the_reason() -> None:
    """V2 is off until 11:05 now, so cannot reach R2 (12 minutes out) by the locked 11:01."""
    late = lock_day().with_change(
        kind="volunteer_off", id="V2", start="2026-11-30 10:00", end="2026-11-30 11:05"
    )
    message = r"R2 on 2026-11-30 by V2 at 11:01 cannot be kept: V2 leaves the kitchen at 11:05"
    with pytest.raises(CommunityError, match=message):
        replan_meals(late, locked_r2(lock_day()), deterministic=True, time_limit=5)


def test_locks_that_cannot_all_be_kept_together_are_refused() -> None:
    """V2 carries R2 and R3 on two locked trips; at one trip a day only one can stay."""
    community = lock_day()
    previous = hand_plan(
        community,
        hand_trip(LOCKS, "V1", 1, "10:50", ["R1"]),
        hand_trip(LOCKS, "V2", 1, "10:49", ["R2"], R2=True),
        hand_trip(LOCKS, "V2", 2, "11:20", ["R3"], R3=True),
    )
    one_trip = community.with_policy(max_trips_per_day=1)
    with pytest.raises(CommunityError, match=r"locked delivery to R3 on 2026-11-30 cannot be"):
        replan_meals(one_trip, previous, deterministic=True, time_limit=5)


# --- serving first ----------------------------------------------------------------------------

SHARE = {"A": 5, "B": 6, "C": 7, "D": 8, "E": 10}


def share_day() -> Community:
    """V1 and V2 carry 4 portions on one trip each; E orders 4 portions, as an extra meal."""
    return meal_day(
        SHARE,
        residents=[resident("E", portions=4, meal_days=frozenset())],
        carriers=[carrier("V1"), carrier("V2")],
        max_trips_per_day=1,
    )


def share_routes(community: Community, **lock: bool) -> MealPlan:
    """V1: A, B; V2: C, D."""
    return hand_plan(
        community,
        hand_trip(SHARE, "V1", 1, "10:55", ["A", "B"], **lock),
        hand_trip(SHARE, "V2", 1, "10:53", ["C", "D"], **lock),
    )


def test_serving_one_more_is_worth_moving_several() -> None:
    """E's 4 portions need a carrier of their own: two elders move so that E is served."""
    community = extra_meal(share_day(), "E")
    previous = share_routes(share_day())
    result = replan(community, previous)
    assert sorted(result.served) == sorted(SHARE)
    assert moved(previous, result) in ({"A", "B"}, {"C", "D"})
    assert result.objective_terms["moved_carrier"] == 2 * community.policy.move_carrier_weight


def test_locks_hold_even_against_serving() -> None:
    """With A and C locked, no carrier can be emptied for E: E waits, nobody moves."""
    community = extra_meal(share_day(), "E")
    previous = share_routes(share_day(), A=True, C=True)
    result = replan(community, previous)
    assert [u.id for u in result.unserved] == ["E"]
    assert moved(previous, result) == set()


# --- residents away, extra meals --------------------------------------------------------------


def test_a_resident_away_is_taken_off_and_nobody_else_moves() -> None:
    community = meal_day(FIVE, carriers=[carrier("V1", capacity=3), carrier("V2", capacity=3)])
    previous = plan_meals(community, MONDAY, deterministic=True, time_limit=5)
    away = community.with_absence("R3", MONDAY)
    result = replan(away, previous)
    assert "R3" not in result.served
    assert all(u.id != "R3" for u in result.unserved)  # away is not unserved
    assert moved(previous, result) == {"R3"}
    assert result.objective_terms["moved_carrier"] == 0  # away is no move either


def test_an_extra_meal_is_inserted_without_moving_anyone() -> None:
    out = {**FIVE, "R6": 11}
    community = meal_day(
        out,
        residents=[resident("R6", meal_days=frozenset())],
        carriers=[carrier("V1", capacity=4), carrier("V2", capacity=4)],
    )
    previous = plan_meals(community, MONDAY, deterministic=True, time_limit=5)
    assert "R6" not in previous.served
    result = replan(extra_meal(community, "R6"), previous)
    assert "R6" in result.served
    assert moved(previous, result) == set()


def test_a_standing_order_starting_today_is_added() -> None:
    """R6 joined with meals from Monday after the plan was made: R6 is served, nobody moves."""
    out = {**FIVE, "R6": 11}
    crew = [carrier("V1", capacity=4), carrier("V2", capacity=4)]
    before = meal_day(FIVE, carriers=crew)
    previous = plan_meals(before, MONDAY, deterministic=True, time_limit=5)
    joined = meal_day(out, residents=[resident("R6", meals_from=MONDAY)], carriers=crew)
    result = replan(joined, previous)
    assert "R6" in result.served
    assert moved(previous, result) == set()


def test_a_plan_read_back_with_a_row_locked_by_hand_is_re_planned(tmp_path: Path) -> None:
    """The coordinator writes locked=true on R2's row of meal_routes.csv; R4's extra meal
    is added, R2's stop stays as it was, and nobody moves."""
    community = lock_day()
    previous = plan_meals(community, MONDAY, deterministic=True, time_limit=5)
    carecal.write_plan(previous, tmp_path, community)
    routes = tmp_path / "meal_routes.csv"
    with routes.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["locked"] = "true" if row["resident_id"] == "R2" else ""
    with routes.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    edited = carecal.read_plan(tmp_path, community)
    assert isinstance(edited, MealPlan)
    assert [s.resident_id for t in edited.trips for s in t.stops if s.locked] == ["R2"]
    result = replan(extra_meal(community, "R4"), edited)
    assert "R4" in result.served
    assert where(result)["R2"] == where(previous)["R2"]
    assert moved(previous, result) == set()


# --- the call ---------------------------------------------------------------------------------


def test_the_public_name_and_its_checks() -> None:
    assert carecal.replan_meals is replan_meals
    community = meal_day({"R1": 10})
    with pytest.raises(OptionError, match="re-plans a MealPlan"):
        replan_meals(community, "plan.csv")  # type: ignore[arg-type]
    previous = plan_meals(community, MONDAY, deterministic=True, time_limit=5)
    with pytest.raises(OptionError, match="now 'soon' is not a time"):
        replan_meals(community, previous, "soon")


def test_nothing_ordered_and_nothing_out_is_an_empty_plan() -> None:
    community = meal_day({"R1": 10}, residents=[resident("R1", meal_days=frozenset({"Tue"}))])
    result = replan_meals(community, MealPlan(status=Status.EMPTY, date=MONDAY))
    assert result.status == Status.EMPTY and result.trips == ()


def test_the_usual_bound_exceeds_the_usual_cost_of_the_plan() -> None:
    """The scaling rests on it: no plan's carriers, travel and preferences reach it."""
    community = meal_day(FIVE, carriers=[carrier("V1", capacity=3), carrier("V2", capacity=3)])
    result = plan_meals(community, MONDAY, deterministic=True, time_limit=5)
    from carecal.solver.meals.problem import build_day_problem, day_carriers, delivery
    from carecal.travel import travel_minutes

    residents = community.deliveries_on(MONDAY)
    ids = ["K"] + [r.resident_id for r in residents]
    travel = {m: travel_minutes(community, ids, m) for m in ("walk",)}
    deliveries = [delivery(community, r, i + 1, travel) for i, r in enumerate(residents)]
    problem = build_day_problem(
        community,
        residents,
        deliveries,
        [1] * len(residents),
        list(range(len(residents))),
        day_carriers(community, MONDAY),
        travel,
    )
    usual = sum(v for k, v in result.objective_terms.items() if k != "missed_deliveries")
    assert usual < usual_bound(problem)


# --- generated communities --------------------------------------------------------------------


def generated(seed: int, orders: int, volunteers: int) -> tuple[Community, MealPlan]:
    community = make_community(
        residents=orders + 4, volunteers=volunteers, meal_orders=orders, seed=seed
    )
    return community, plan_meals(community, MONDAY, deterministic=True, time_limit=2)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), orders=st.integers(1, 10), volunteers=st.integers(1, 6))
def test_generated_replans_without_changes_move_nobody(
    seed: int, orders: int, volunteers: int
) -> None:
    """Unless it serves better (serving comes first), a re-plan without changes moves nobody.

    "Better" is by the day's missed-delivery costs, which follow the shortage order: a plan
    that serves four residents who rank higher (bedridden, living alone) beats one that
    serves six who do not, so the count alone may fall (hypothesis found seed 47)."""
    community, previous = generated(seed, orders, volunteers)
    result = replan_meals(community, previous, deterministic=True, time_limit=2)
    assert carecal.verify(community, result) == []
    if previous.status is Status.EMPTY:
        # Nobody ordered for that date (hypothesis found seed 1337): nothing to re-plan.
        assert result.status is Status.EMPTY and not result.trips
        return
    missed_before = previous.objective_terms["missed_deliveries"]
    missed_after = result.objective_terms["missed_deliveries"]
    assert missed_after <= missed_before
    if missed_after == missed_before:
        assert moved(previous, result) == set()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    orders=st.integers(1, 10),
    volunteers=st.integers(1, 6),
    kind=st.sampled_from(["volunteer_off", "resident_away", "extra_meal"]),
    pick=st.integers(0, 1_000),
    now=st.sampled_from([None, "10:40", "11:05", "11:30"]),
    lock=st.integers(0, 1_000) | st.none(),
)
def test_generated_replans_after_one_change_pass_the_verifier(
    seed: int, orders: int, volunteers: int, kind: str, pick: int, now: str | None, lock: int | None
) -> None:
    """A carrier off from now on, a resident not yet served away, or an extra meal; maybe
    with one stop locked, which is kept, or refused by name when the change forbids it."""
    community, previous = generated(seed, orders, volunteers)
    minute = parse_time(now) if now else 0
    stops = [(k, i) for k, t in enumerate(previous.trips) for i in range(len(t.stops))]
    locked = None
    if lock is not None and stops:
        k, i = stops[lock % len(stops)]
        trip = previous.trips[k]
        stop = trip.stops[i].model_copy(update={"locked": True})
        trip = trip.model_copy(update={"stops": (*trip.stops[:i], stop, *trip.stops[i + 1 :])})
        previous = previous.model_copy(
            update={"trips": (*previous.trips[:k], trip, *previous.trips[k + 1 :])}
        )
        locked = (stop.resident_id, trip.volunteer_id, stop.arrival)
    out = [t for t in previous.trips if t.leave < minute]
    if kind == "volunteer_off":
        ids = [v.volunteer_id for v in community.volunteers]
        vid = ids[pick % len(ids)]
        # The call comes at now, or once their trip still out is back (it happened).
        start = max([minute, parse_time("09:10"), *(t.back for t in out if t.volunteer_id == vid)])
        moment = dt.datetime.combine(MONDAY, dt.time()) + dt.timedelta(minutes=start)
        changed = community.with_change(kind=kind, id=vid, start=moment, end=MONDAY)
    else:
        made = {s.resident_id for t in out for s in t.stops}
        ordered = {r.resident_id for r in community.deliveries_on(MONDAY)}
        pool = [
            r.resident_id
            for r in community.residents
            if r.resident_id not in made
            and ((r.resident_id in ordered) == (kind == "resident_away"))
        ]
        if not pool:
            return
        changed = community.with_change(
            kind=kind, id=pool[pick % len(pool)], start=MONDAY, end=MONDAY
        )
    try:
        result = replan_meals(changed, previous, now, deterministic=True, time_limit=2)
    except CommunityError as e:
        assert locked is not None and f"locked delivery to {locked[0]} " in str(e)
        return
    assert carecal.verify(changed, result) == []
    for trip in result.trips:
        if trip not in out:
            assert trip.leave >= minute
    if locked is not None:
        assert where(result)[locked[0]] == locked[1:]
