"""The meal router and the history: a familiar carrier preferred (never at the price of a
served meal), and fairness under shortage (``shortage_order``): a resident left unserved
on their previous delivery day is served first, then the most vulnerable by the order.

The days are :mod:`meal_days`'s tiny Mondays; the history is given by hand as records of
earlier Mondays.
"""

from __future__ import annotations

import datetime as dt

import pytest
from meal_days import MONDAY, carrier, meal_day, resident

from carecal.history import History, MealRecord
from carecal.model import Community, Mobility
from carecal.plans import MealPlan
from carecal.solver.meals import plan_meals
from carecal.solver.meals.problem import day_carriers, day_penalties, familiar_savings
from carecal.verify import verify

LAST_MONDAY = MONDAY - dt.timedelta(days=7)


def plan(community: Community) -> MealPlan:
    """Plan the Monday (OR-Tools, deterministic) and check the verifier accepts it."""
    result = plan_meals(community, MONDAY, engine="ortools", time_limit=5.0, deterministic=True)
    assert verify(community, result) == []
    return result


def carrier_of(result: MealPlan) -> dict[str, str]:
    return {s.resident_id: t.volunteer_id for t in result.trips for s in t.stops}


def history(*visits: tuple[str, str], unserved: tuple[str, ...] = (), times: int = 1) -> History:
    """``times`` earlier Mondays on which each (resident, carrier) met, the last of them
    leaving ``unserved`` without their meal."""
    days = [LAST_MONDAY - dt.timedelta(days=7 * k) for k in range(times)]
    meals = [
        MealRecord(date=d, resident_id=r, volunteer_id=v, outcome="delivered")
        for d in days
        for r, v in visits
    ]
    meals += [MealRecord(date=LAST_MONDAY, resident_id=r, outcome="unserved") for r in unserved]
    return History(meals=tuple(meals), meal_dates=tuple(days))


# --- a familiar carrier ----------------------------------------------------------------------


def two_alike() -> Community:
    """R1 10 minutes out; V1 and V2 alike in every way."""
    return meal_day({"R1": 10}, carriers=[carrier("V1"), carrier("V2")])


@pytest.mark.parametrize("known", ["V1", "V2"])
def test_the_familiar_carrier_gets_the_elder(known: str) -> None:
    """With V1 and V2 equally placed, the one who brought R1 their meal before brings it."""
    community = two_alike().with_history(history(("R1", known)))
    result = plan(community)
    assert carrier_of(result) == {"R1": known}
    assert result.objective_terms["unfamiliar"] == 0


def test_without_history_either_may_and_no_term() -> None:
    result = plan(two_alike())
    assert set(carrier_of(result).values()) <= {"V1", "V2"} and result.served == ["R1"]
    assert "unfamiliar" not in result.objective_terms


def test_a_weight_of_zero_prefers_nobody() -> None:
    community = two_alike().with_policy(familiar_carrier_weight=0)
    community = community.with_history(history(("R1", "V2")))
    residents = community.deliveries_on(MONDAY)
    assert familiar_savings(community, MONDAY, residents, day_carriers(community, MONDAY)) == {}
    assert plan(community).objective_terms["unfamiliar"] == 0


def test_four_visits_give_the_whole_weight() -> None:
    community = two_alike().with_history(history(("R1", "V2"), times=4))
    carriers = day_carriers(community, MONDAY)
    residents = community.deliveries_on(MONDAY)
    assert familiar_savings(community, MONDAY, residents, carriers) == {"R1": {"V2": 20}}
    once = two_alike().with_history(history(("R1", "V2")))
    assert familiar_savings(once, MONDAY, residents, carriers) == {"R1": {"V2": 5}}


def test_the_carrier_who_knows_an_elder_best_is_preferred() -> None:
    """V1 met R1 once, V2 three times: V2 brings it; had V2 met them never, V1."""
    community = two_alike().with_history(
        History(
            meals=tuple(
                MealRecord(
                    date=LAST_MONDAY - dt.timedelta(days=7 * k),
                    resident_id="R1",
                    volunteer_id="V2" if k else "V1",
                    outcome="delivered",
                )
                for k in range(4)
            )
        )
    )
    assert carrier_of(plan(community)) == {"R1": "V2"}


def test_familiarity_never_costs_a_served_meal() -> None:
    """R1..R3 met V1 four times each; R4, on the other side of the kitchen, only V1 can
    reach (V2's hours end too soon), on V1's only trip. Serving R4 sends R1..R3 with V2.

    At familiar_carrier_weight 4000 the three unfamiliar deliveries would weigh 12,000,
    more than R4's missed meal (10,000); familiarity together is kept below half a missed
    meal, so R4 is served and the others go with V2.
    """
    out = {"R1": 5, "R2": 5, "R3": 5, "R4": 30}
    between = {(r, "R4"): 45 for r in ("R1", "R2", "R3")}
    community = meal_day(
        out,
        between=between,
        carriers=[carrier("V1"), carrier("V2", ("10:00", "11:30"))],
        max_trips_per_day=1,
        familiar_carrier_weight=4000,
    ).with_history(history(("R1", "V1"), ("R2", "V1"), ("R3", "V1"), times=4))
    result = plan(community)
    assert sorted(result.served) == ["R1", "R2", "R3", "R4"]
    assert carrier_of(result) == {"R1": "V2", "R2": "V2", "R3": "V2", "R4": "V1"}
    # Each saving is scaled from 4000 so that the three stay below 5000 together.
    assert result.objective_terms["unfamiliar"] == 3 * (4000 * 4999 // 12000)


def test_familiar_savings_stay_below_half_a_missed_meal() -> None:
    out = {f"R{i}": 5 for i in range(1, 31)}
    community = meal_day(out, carriers=[carrier("V1")], familiar_carrier_weight=900)
    community = community.with_history(history(*((r, "V1") for r in out), times=4))
    savings = familiar_savings(
        community, MONDAY, community.deliveries_on(MONDAY), day_carriers(community, MONDAY)
    )
    assert sum(max(s.values()) for s in savings.values()) < 10_000 // 2
    assert len(savings) == 30  # scaled down, not dropped


# --- fairness under shortage -------------------------------------------------------------------


def one_portion(*residents: object, **policy: object) -> Community:
    """R1 (5 min) and R2 (6 min); one carrier with room for one portion on one trip."""
    return meal_day(
        {"R1": 5, "R2": 6},
        residents=list(residents),  # type: ignore[arg-type]
        carriers=[carrier("V1", capacity=1)],
        max_trips_per_day=1,
        **policy,
    )


def test_the_vulnerable_are_served_first_without_history() -> None:
    result = plan(one_portion(resident("R1", lives_alone=True)))
    assert result.served == ["R1"]
    (missed,) = result.unserved
    assert (missed.id, missed.code) == ("R2", "carriers_busy")
    assert "R1 (lives alone)" in missed.reason


def test_a_resident_left_out_last_time_is_served_first() -> None:
    """R2 was left unserved last Monday: this time R2 is served, not R1 who lives alone."""
    community = one_portion(resident("R1", lives_alone=True)).with_history(
        history(("R1", "V1"), unserved=("R2",))
    )
    result = plan(community)
    assert result.served == ["R2"]
    (missed,) = result.unserved
    assert missed.id == "R1" and missed.code == "carriers_busy"
    assert f"R2 (left unserved on {LAST_MONDAY})" in missed.reason


def test_served_last_time_gives_no_precedence() -> None:
    """Inactive: R2 was served last Monday, so the order decides (R1 lives alone)."""
    community = one_portion(resident("R1", lives_alone=True)).with_history(
        history(("R1", "V1"), ("R2", "V1"))
    )
    assert plan(community).served == ["R1"]


def test_left_out_last_time_outranks_any_number_of_others() -> None:
    """R9 was left out last Monday; R1..R3, bedridden, live on the other side. V1 has one
    trip: R9 alone, or R1..R3 together. R9 is served, and R1..R3 wait this time."""
    out = {"R1": 5, "R2": 5, "R3": 5, "R9": 6}
    community = meal_day(
        out,
        residents=[resident(r, mobility=Mobility.BEDRIDDEN) for r in ("R1", "R2", "R3")],
        between={(r, "R9"): 60 for r in ("R1", "R2", "R3")},
        carriers=[carrier("V1")],
        max_trips_per_day=1,
    ).with_history(history(unserved=("R9",)))
    penalties = day_penalties(community, MONDAY, community.deliveries_on(MONDAY))
    assert penalties[3] > sum(penalties[:3])
    result = plan(community)
    assert result.served == ["R9"]
    for u in result.unserved:
        assert u.code == "carriers_busy" and f"R9 (left unserved on {LAST_MONDAY})" in u.reason
    assert sorted(u.id for u in result.unserved) == ["R1", "R2", "R3"]


def test_the_order_decides_among_the_rest() -> None:
    """Bedridden comes before living alone and diabetic together (the default order);
    with living alone put first, R2 is served instead."""
    r1 = resident("R1", mobility=Mobility.BEDRIDDEN)
    r2 = resident("R2", lives_alone=True, diet=("diabetic",))
    assert plan(one_portion(r1, r2)).served == ["R1"]
    changed = one_portion(r1, r2, shortage_order=("lives_alone", "bedridden"))
    assert plan(changed).served == ["R2"]


def test_with_room_for_everyone_the_order_does_not_bind() -> None:
    community = meal_day(
        {"R1": 5, "R2": 6}, residents=[resident("R1", lives_alone=True)]
    ).with_history(history(unserved=("R2",)))
    result = plan(community)
    assert sorted(result.served) == ["R1", "R2"] and result.unserved == ()


def test_a_resident_left_out_twice_is_said_so() -> None:
    """R1's window closes before any meal can arrive: unserved again, and the reason says
    it is the second time."""
    community = meal_day({"R1": 30}, residents=[resident("R1", ("10:00", "11:00"))]).with_history(
        history(unserved=("R1",))
    )
    (missed,) = plan(community).unserved
    assert missed.code == "window"
    assert f"R1 was left unserved on {LAST_MONDAY} too" in missed.reason
    assert "call R1 first" in missed.fix


def test_the_reasons_in_chinese() -> None:
    community = one_portion(resident("R1", lives_alone=True), lang="zh").with_history(
        history(unserved=("R2",))
    )
    (missed,) = plan(community).unserved
    assert missed.code == "carriers_busy"
    assert "R2" in missed.reason and "came before" not in missed.reason


# --- the policy -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"shortage_order": ["bedriden"]}, "did you mean bedridden?"),
        ({"shortage_order": ["diabetic", "diabetic"]}, "diabetic is listed twice"),
        ({"shortage_order": ["bedridden", "skipped_last_time"]}, "move it to the front"),
        ({"shortage_order": "bedridden"}, "is text, not a list"),
        ({"familiar_carrier_weight": 10_000}, "would weigh as much as a missed meal"),
        ({"missed_meal_vulnerable_factor": 10}, r"10000 × 10\^7 = 1e\+11"),
    ],
)
def test_the_policy_refuses_what_the_order_cannot_be(
    settings: dict[str, object], message: str
) -> None:
    from carecal.errors import CommunityError
    from carecal.policy import check_policy

    with pytest.raises(CommunityError, match=message):
        check_policy(settings)


def test_the_weights_of_the_default_order() -> None:
    """Diabetic ×2, living alone ×4, bedridden ×16, and their products; a wheelchair
    counts only when listed."""
    from carecal.solver.meals import missed_meal_penalty

    community = meal_day({"R1": 5})
    cost = lambda **fields: missed_meal_penalty(community, resident("R1", **fields))  # noqa: E731
    assert cost() == 10_000
    assert cost(diet=("diabetic", "soft")) == 20_000
    assert cost(lives_alone=True) == 40_000
    assert cost(mobility=Mobility.BEDRIDDEN) == 160_000
    assert cost(mobility=Mobility.BEDRIDDEN, lives_alone=True) == 640_000
    assert cost(mobility=Mobility.WHEELCHAIR) == 10_000
    listed = community.with_policy(shortage_order=["wheelchair"])
    assert missed_meal_penalty(listed, resident("R1", mobility=Mobility.WHEELCHAIR)) == 20_000
    assert (
        missed_meal_penalty(
            community.with_policy(shortage_order=[]), resident("R1", mobility=Mobility.BEDRIDDEN)
        )
        == 10_000
    )


def test_a_day_whose_costs_would_overflow_the_router_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The guard behind the policy's limit: tens of thousands of deliveries at the
    largest costs would pass what 64-bit integers hold; here the limit is lowered."""
    from carecal import fairness
    from carecal.errors import CommunityError

    monkeypatch.setattr(fairness, "MAX_DAY_COST", 40_000)
    community = one_portion().with_history(history(unserved=("R2",)))
    with pytest.raises(CommunityError, match="more than the routers can add up"):
        day_penalties(community, MONDAY, community.deliveries_on(MONDAY))
