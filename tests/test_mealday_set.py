"""The meal-day benchmark set: its generator, its stored days, the plain OR-Tools model and
the best-known store. No timing: the one solve is a 12-delivery day whose first solution
takes milliseconds, and only its validity is checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import mealday_set
from benchmarks.mealday_set import (
    DATE,
    FAR_KM,
    RECIPE_BY_NAME,
    RECIPES,
    SHORT_MINUTES,
    Instance,
    files_hash,
    fingerprint,
    folder_of,
    generate,
    load_best,
    measure,
    offer,
    plan_from_record,
    plan_record,
    read_instance,
    select,
)
from benchmarks.mealday_solvers import plain_plan
from carecal import MealPlan, verify
from carecal.model import Community
from carecal.travel import great_circle_km


def test_the_generator_makes_the_same_day_from_the_same_recipe() -> None:
    recipe = RECIPE_BY_NAME["60-tight"]
    first, second = generate(recipe), generate(recipe)
    assert fingerprint(first) == fingerprint(second)
    assert len(first.deliveries_on(DATE)) == recipe.deliveries
    assert len(first.volunteers) == recipe.carriers


def _km_from_kitchen(community: Community) -> list[float]:
    kitchen = community.kitchen
    residents = community.deliveries_on(DATE)
    km = great_circle_km(
        [kitchen.lat], [kitchen.lon], [r.lat for r in residents], [r.lon for r in residents]
    )
    return [float(x) for x in km[0]]


def test_the_tight_day_has_short_windows_and_residents_far_out() -> None:
    community = generate(RECIPE_BY_NAME["120-tight"])
    residents = community.deliveries_on(DATE)
    short = [r for r in residents if r.window and r.window.end - r.window.start == SHORT_MINUTES]
    far = [km for km in _km_from_kitchen(community) if km >= FAR_KM[0] - 0.01]
    # Three in four and one in twelve of 120, give or take the draws.
    assert 70 <= len(short) <= 110
    assert 3 <= len(far) <= 20
    assert max(_km_from_kitchen(generate(RECIPE_BY_NAME["120-ordinary"]))) <= 1.51


@pytest.mark.parametrize("name", [r.name for r in RECIPES])
def test_every_stored_day_is_the_one_its_instance_file_records(name: str) -> None:
    info = json.loads((folder_of(name) / "instance.json").read_text(encoding="utf-8"))
    assert files_hash(folder_of(name)) == info["fingerprint"]
    assert info["recipe"]["name"] == name


@pytest.mark.parametrize("name", [r.name for r in RECIPES])
def test_every_best_known_plan_keeps_every_rule_of_its_day(name: str) -> None:
    instance = read_instance(RECIPE_BY_NAME[name])
    best = load_best(instance)
    if best is None:
        pytest.skip(f"no best-known plan stored for {name}")
    # load_best checks the plan with carecal.verify against the stored day.
    assert best.violations == []
    assert best.stats.served + best.stats.unserved == instance.recipe.deliveries


def test_instances_are_picked_by_name_size_or_variant() -> None:
    assert [r.name for r in select("60-ordinary")] == ["60-ordinary"]
    assert [r.name for r in select("120")] == ["120-ordinary", "120-tight"]
    assert [r.deliveries for r in select("tight", up_to=220)] == [60, 120, 220]
    with pytest.raises(ValueError, match="no meal-day instance 61"):
        select("61")


@pytest.fixture
def small_day() -> Instance:
    """The stored 60-tight day cut to its first 12 deliveries (short windows, hot food)."""
    instance = read_instance(RECIPE_BY_NAME["60-tight"])
    community = instance.community
    small = community.with_changes(residents=community.deliveries_on(DATE)[:12])
    return Instance(instance.recipe, small, "sha256:small-test-day")


def test_plain_ortools_makes_a_valid_plan_waiting_at_doors_included(
    small_day: Instance,
) -> None:
    plan = plain_plan(small_day.community, DATE, time_limit=20.0)
    assert verify(small_day.community, plan) == []
    stats = measure(small_day.community, DATE, plan)
    assert stats.served + stats.unserved == 12 and stats.served > 0
    assert (
        stats.food_max is not None and stats.food_max <= small_day.community.policy.max_food_minutes
    )
    # One trip per carrier: the plain model has no way back through the kitchen.
    assert len({t.volunteer_id for t in plan.trips}) == len(plan.trips)
    # Two independent sums of the same travel agree.
    assert stats.travel == plan.total_travel_minutes()


def test_a_plan_survives_its_json_record(small_day: Instance) -> None:
    plan = plain_plan(small_day.community, DATE, time_limit=20.0)
    back = plan_from_record(json.loads(json.dumps(plan_record(plan))), small_day.community, DATE)
    assert back.trips == plan.trips
    assert [u.id for u in back.unserved] == [u.id for u in plan.unserved]
    assert verify(small_day.community, back) == []


def test_the_store_keeps_only_valid_better_plans(
    small_day: Instance, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mealday_set, "BEST", tmp_path)
    community = small_day.community
    plan = plain_plan(community, DATE, time_limit=20.0)
    kept, stats, problems = offer(small_day, plan, {"strategy": "plain-ortools"})
    assert kept and problems == []

    # The same plan again is not better; one trip fewer misses meals (and lists nobody
    # unserved, which the verifier finds too), so is worse.
    assert not offer(small_day, plan, {"strategy": "again"})[0]
    worse = MealPlan(status=plan.status, date=DATE, trips=plan.trips[1:], unserved=())
    kept, worse_stats, problems = offer(small_day, worse, {"strategy": "worse"})
    assert not kept and worse_stats.objective > stats.objective

    # A plan that breaks a rule is never kept, however good it looks.
    first = plan.trips[0]
    late = first.model_copy(update={"leave": first.leave - 60})
    broken = plan.model_copy(update={"trips": (late, *plan.trips[1:])})
    kept, _, problems = offer(small_day, broken, {"strategy": "broken"})
    assert not kept and problems

    best = load_best(small_day)
    assert best is not None and best.violations == []
    assert best.found == {"strategy": "plain-ortools"}
    assert best.stats == stats
    assert [r["strategy"] for r in best.runs] == ["plain-ortools", "again", "worse", "broken"]
    assert [r["improved"] for r in best.runs] == [True, False, False, False]
