"""Tests of carecal.policy: each setting's range and kind, the rules between settings, and
check_policy catching what model_copy(update=...) lets through; each rule once where it
binds and once where it does not."""

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from carecal.errors import CommunityError
from carecal.model import Community, Site, SiteKind
from carecal.plans import MealPlan, Status
from carecal.policy import Policy, check_policy, range_text
from carecal.verify import verify

DOCS = Path(__file__).resolve().parents[1] / "docs"

# Each bad setting of issue 15 item 4 (and its neighbours), with the words the message
# must hold: the key and value as written, and the fix.
BAD: list[tuple[dict[str, Any], list[str]]] = [
    (
        {"default_window_start": "13:00"},
        ['default_window_start = "13:00", default_window_end = "12:30"', "swap"],
    ),
    (
        {"default_window_start": "12:30"},
        ["default delivery window 12:30–12:30 closes before it opens"],
    ),
    ({"meals_ready": 1045}, ['meals_ready = "17:25"', "set meals_ready before default_window_end"]),
    ({"meals_ready": 1441}, ["meals_ready = 1441", "from 0 to 1440", 'meals_ready = "10:45"']),
    ({"meals_ready": "25:00"}, ['meals_ready = "25:00": is not a time of day', '"HH:MM"']),
    ({"meals_ready": True}, ["meals_ready = true: is a true/false value, not a time"]),
    ({"meals_ready": dt.time(10, 45, 30)}, ["is not a whole minute of the day"]),
    ({"speed_kmh": {"walk": 0}}, ["speed_kmh.walk = 0: must be above 0", "speed_kmh.walk = 4.5"]),
    ({"speed_kmh": {"car": -20}}, ["speed_kmh.car = -20: must be above 0"]),
    ({"speed_kmh": {"bike": float("inf")}}, ["speed_kmh.bike = inf: is not a finite number"]),
    ({"speed_kmh": {"horse": 9}}, ["speed_kmh.horse = 9: horse is not a travel mode"]),
    ({"speed_kmh": 4.5}, ["speed_kmh = 4.5: is a float, not one value per mode"]),
    ({"capacity": {"walk": -1}}, ["capacity.walk = -1: is below 1", "capacity.walk = 4"]),
    ({"capacity": {"bike": 0}}, ["capacity.bike = 0: is below 1"]),
    ({"capacity": {"car": 2.5}}, ["capacity.car = 2.5: is not a whole number"]),
    ({"capacity": {"wheelchair": 1}}, ["wheelchair is not a travel mode"]),
    ({"max_food_minutes": True}, ["max_food_minutes = true: is a true/false value, not a number"]),
    ({"max_food_minutes": -5}, ["max_food_minutes = -5: is below 1", "max_food_minutes = 45"]),
    ({"max_food_minutes": 0}, ["max_food_minutes = 0: is below 1"]),
    ({"max_food_minutes": "45"}, ['max_food_minutes = "45": is text, not a whole number']),
    ({"max_food_minutes": 45.5}, ["max_food_minutes = 45.5: is not a whole number"]),
    ({"handover_minutes": -1}, ["handover_minutes = -1: is below 0"]),
    ({"detour_factor": 0.9}, ["detour_factor = 0.9: is below 1", "detour_factor = 1.3"]),
    ({"max_trips_per_day": 0}, ["max_trips_per_day = 0: is below 1"]),
    ({"missed_meal_penalty": 0}, ["missed_meal_penalty = 0: is below 1"]),
    ({"missed_meal_vulnerable_factor": 0.5}, ["missed_meal_vulnerable_factor = 0.5: is below 1"]),
    ({"weight_request": -1}, ["weight_request = -1: is below 0"]),
    ({"weight_fairness": 10**12}, ["weight_fairness = 1000000000000: is above 1000000000"]),
    ({"min_rest_hours": float("nan")}, ["min_rest_hours = nan: is not a finite number"]),
    ({"escort_age": 59}, ["escort_age = 59: is below 60"]),
    ({"max_weekends": -1}, ["max_weekends = -1: is below 0"]),
    ({"max_weekends": False}, ["max_weekends = false: is a true/false value"]),
    (
        {"escort_mobilities": ["flying"]},
        ['escort_mobilities = ["flying"]: flying is not a mobility', "use independent, walker"],
    ),
    ({"escort_mobilities": ["wheelchiar"]}, ["did you mean wheelchair?"]),
    ({"escort_mobilities": "walker"}, ['escort_mobilities = "walker": is text, not a list']),
    (
        {"forbidden_successions": [["late", ""]]},
        ['["late", ""] is not a pair of shift ids', 'forbidden_successions = [["late", "early"]]'],
    ),
    ({"forbidden_successions": [["late"]]}, ['["late"] is not a pair of shift ids']),
    ({"max_food_minuts": 40}, ["max_food_minuts = 40: is not a policy setting", "did you mean"]),
]


@pytest.mark.parametrize(("settings", "words"), BAD, ids=lambda x: repr(x)[:40])
def test_bad_setting_refused_with_key_value_and_fix(
    settings: dict[str, Any], words: list[str]
) -> None:
    with pytest.raises(ValidationError) as made:
        Policy(**settings)
    with pytest.raises(CommunityError) as checked:
        check_policy(settings)
    text = "\n".join(checked.value.problems)
    assert text.startswith("policy: ")
    for word in words:
        assert word in text
        assert word in str(made.value)


# The same settings at the edge of their range, where the rule does not bind.
GOOD: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"default_window_start": "12:29"}, {"default_window_start": 749}),
    ({"meals_ready": 1045 - 320, "default_window_end": "24:00"}, {"meals_ready": 725}),
    ({"meals_ready": dt.time(10, 15)}, {"meals_ready": 615}),
    ({"meals_ready": "00:00"}, {"meals_ready": 0}),
    ({"speed_kmh": {"walk": 0.1}}, {"speed_kmh": {"walk": 0.1, "car": 20.0}}),
    ({"capacity": {"walk": 1}}, {"capacity": {"walk": 1, "bike": 8, "ebike": 12, "car": 24}}),
    ({"max_food_minutes": 1}, {"max_food_minutes": 1}),
    ({"max_food_minutes": 1440}, {"max_food_minutes": 1440}),
    ({"handover_minutes": 0}, {"handover_minutes": 0}),
    ({"detour_factor": 1}, {"detour_factor": 1.0}),
    ({"weight_request": 0}, {"weight_request": 0}),
    ({"weight_request": 10**9}, {"weight_request": 10**9}),
    ({"min_rest_hours": 0}, {"min_rest_hours": 0.0}),
    ({"escort_age": 60}, {"escort_age": 60}),
    ({"max_weekends": 0}, {"max_weekends": 0}),
    ({"max_weekends": None}, {"max_weekends": None}),
    ({"escort_mobilities": ["bedridden"]}, {"escort_mobilities": ("bedridden",)}),
    ({"escort_mobilities": []}, {"escort_mobilities": ()}),
    (
        {"forbidden_successions": [["late", "early"]]},
        {"forbidden_successions": (("late", "early"),)},
    ),
]


@pytest.mark.parametrize(("settings", "expected"), GOOD, ids=lambda x: repr(x)[:40])
def test_setting_at_the_edge_accepted(settings: dict[str, Any], expected: dict[str, Any]) -> None:
    policy = Policy(**settings)
    for key, value in expected.items():
        got = getattr(policy, key)
        assert {k: got[k] for k in value} == value if isinstance(value, dict) else got == value
    assert check_policy(policy) is policy
    assert check_policy(settings) == policy


def test_the_default_policy_is_valid_and_unchanged() -> None:
    policy = Policy()
    assert check_policy(policy) is policy
    assert (policy.meals_ready, policy.default_window_end, policy.max_food_minutes) == (
        645,
        750,
        45,
    )


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(CommunityError) as caught:
        check_policy({"max_food_minutes": -5, "capacity": {"walk": 0}, "meals_ready": "late"})
    assert len(caught.value.problems) == 3


def test_check_policy_names_the_source() -> None:
    with pytest.raises(CommunityError, match=r"^policy\.toml: max_food_minutes = -5: "):
        check_policy({"max_food_minutes": -5}, "policy.toml")


@pytest.mark.parametrize(
    ("update", "words"),
    [
        ({"max_food_minutes": -5}, "max_food_minutes = -5: is below 1"),
        ({"max_food_minutes": "45"}, 'max_food_minutes = "45": is text'),
        ({"speed_kmh": {"walk": 0}}, "speed_kmh.walk = 0: must be above 0"),
        ({"escort_mobilities": ("flying",)}, "flying is not a mobility"),
        ({"meals_ready": "10:45"}, 'meals_ready = "10:45": was set with model_copy'),
        ({"capacity": {"walk": 5}}, "capacity = { walk = 5 }: was set with model_copy"),
        ({"default_window_end": 600}, '"11:00", default_window_end = "10:00"'),
        ({"max_food_minuts": 40}, "max_food_minuts = 40: is not a policy setting"),
    ],
)
def test_model_copy_update_is_caught_by_check_policy(update: dict[str, Any], words: str) -> None:
    changed = Policy().model_copy(update=update)
    with pytest.raises(CommunityError) as caught:
        check_policy(changed)
    assert words in str(caught.value)


def test_model_copy_of_valid_values_passes() -> None:
    changed = Policy().model_copy(update={"max_food_minutes": 30, "escort_mobilities": ["walker"]})
    assert check_policy(changed) is changed


def test_check_policy_refuses_what_is_no_policy() -> None:
    with pytest.raises(CommunityError, match=r"policy is an int, not a carecal\.Policy"):
        check_policy(3)


def community(**policy: Any) -> Community:
    return Community(
        sites=(Site(site_id="K", kind=SiteKind.KITCHEN, lat=31.0, lon=121.0),),
        policy=Policy(**policy),
    )


def test_with_policy_merges_into_the_current_policy() -> None:
    base = community(max_food_minutes=40, capacity={"walk": 5})
    changed = base.with_policy(meals_ready="10:30", capacity={"bike": 6})
    assert changed.policy.meals_ready == 630
    assert changed.policy.max_food_minutes == 40  # kept, not reset to the default 45
    assert changed.policy.capacity == {"walk": 5, "bike": 6, "ebike": 12, "car": 24}
    assert base.policy.meals_ready == 645  # the original is untouched
    assert base.with_policy() == base


def test_with_policy_validates() -> None:
    with pytest.raises(CommunityError, match=r"policy: max_food_minutes = -5: is below 1"):
        community().with_policy(max_food_minutes=-5)
    with pytest.raises(CommunityError, match="meals_ready before default_window_end"):
        community(default_window_end="13:00").with_policy(meals_ready="13:00")


def test_with_changes_merges_a_dict_and_replaces_a_policy() -> None:
    base = community(max_food_minutes=40)
    merged = base.with_changes(policy={"meals_ready": "10:00"})
    assert (merged.policy.meals_ready, merged.policy.max_food_minutes) == (600, 40)
    replaced = base.with_changes(policy=Policy(meals_ready="10:00"))
    assert replaced.policy.max_food_minutes == 45
    with pytest.raises(CommunityError, match=r"capacity\.walk = 0"):
        base.with_changes(policy={"capacity": {"walk": 0}})
    with pytest.raises(CommunityError, match="max_food_minutes = -5"):
        base.with_changes(policy=Policy().model_copy(update={"max_food_minutes": -5}))


def test_verify_checks_the_policy_first() -> None:
    """A policy that makes "optimal, nobody served" look right must not pass verify."""
    good = community()
    plan = MealPlan(status=Status.EMPTY, date=dt.date(2026, 11, 30))
    assert verify(good, plan) == []
    bad = good.model_copy(
        update={"policy": good.policy.model_copy(update={"max_food_minutes": -5})}
    )
    with pytest.raises(CommunityError, match="max_food_minutes = -5"):
        verify(bad, plan)


def test_docs_give_the_range_of_every_setting() -> None:
    page = (DOCS / "policy.md").read_text(encoding="utf-8")
    for name in Policy.model_fields:
        row = re.search(rf"^\| `{name}` \|.*$", page, re.M)
        assert row is not None, f"{name} not in docs/policy.md"
        assert f"| {range_text(name)} |" in row.group(0), f"{name}: range not in its row"
