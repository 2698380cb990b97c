"""The kitchen's packing list: packing_list.csv beside every meal plan's routes, counted by
whole diet combination so that the counts add up to the portions on meal_routes.csv."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest

from carecal.io import read_plan, write_plan
from carecal.io.frames import diet_combination, packing_rows
from carecal.io.manifest import is_plan_file
from carecal.plans import People


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_diet_combination_is_the_whole_diet_sorted():
    assert diet_combination(()) == "regular"
    assert diet_combination(("soft",)) == "soft"
    assert diet_combination(("soft", "diabetic")) == "diabetic+soft"
    assert diet_combination(["diabetic", "soft", "diabetic"]) == "diabetic+soft"


def test_the_packing_list_adds_up_to_the_routes(tmp_path, community, meal_plan):
    write_plan(meal_plan, tmp_path, community)
    assert is_plan_file("packing_list.csv")
    packing = _rows(tmp_path / "packing_list.csv")
    routes = _rows(tmp_path / "meal_routes.csv")
    assert list(packing[0]) == [
        "date",
        "volunteer_id",
        "volunteer_name",
        "trip",
        "departure",
        "diet",
        "portions",
    ]
    trips = [r for r in packing if r["volunteer_id"]]
    totals = [r for r in packing if not r["volunteer_id"]]
    # Per trip: the diet rows add up to the trip's portions on meal_routes.csv.
    per_trip: Counter[tuple[str, str]] = Counter()
    for r in routes:
        per_trip[(r["volunteer_id"], r["trip"])] += int(r["portions"])
    packed: Counter[tuple[str, str]] = Counter()
    for r in trips:
        packed[(r["volunteer_id"], r["trip"])] += int(r["portions"])
    assert packed == per_trip
    # The day's totals: per diet as the routes have it, and in all the day's portions.
    by_diet: Counter[str] = Counter()
    for r in routes:
        by_diet[diet_combination(t for t in r["diet"].split(";") if t)] += int(r["portions"])
    assert {r["diet"]: int(r["portions"]) for r in totals} == dict(by_diet)
    assert all(r["trip"] == "" and r["departure"] == "" for r in totals)
    assert sum(int(r["portions"]) for r in totals) == sum(int(r["portions"]) for r in routes)
    # R001 is diabetic;soft: one portion of diabetic+soft, never one of each tag.
    assert "diabetic+soft" in by_diet and "diabetic" not in by_diet
    # Trips in departure order, the total rows last.
    departures = [r["departure"] for r in trips]
    assert departures == sorted(departures)
    assert packing[-len(totals) :] == totals
    # The names beside the ids, and the plan reads back unchanged (never read from it).
    assert trips[0]["volunteer_name"]
    assert read_plan(tmp_path, community) == meal_plan.with_people(community)


def test_a_trip_holding_many_diets_has_one_row_each_in_the_order_the_kitchen_reads(
    community, meal_plan
):
    rows = packing_rows([meal_plan], People())
    first = [r for r in rows if r.get("volunteer_id") == "V01" and r["trip"] == 1]
    assert [r["diet"] for r in first] == sorted(
        (r["diet"] for r in first), key=lambda d: (d != "regular", d)
    )
    assert sum(r["portions"] for r in first) == meal_plan.trips[0].portions


def test_no_packing_list_without_meals(tmp_path, community, campaign_plan):
    names = {p.name for p in write_plan(campaign_plan, tmp_path, community)}
    assert "packing_list.csv" not in names


@pytest.mark.parametrize("value", ["delivered", "not_home", "refused"])
def test_a_done_value_is_kept_and_written_again(tmp_path, community, meal_plan, value):
    write_plan(meal_plan, tmp_path, community)
    path = tmp_path / "meal_routes.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    done = rows[0].index("done")
    rows[1][done] = value
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    plan = read_plan(tmp_path, community)
    assert [s.done for t in plan.trips for s in t.stops].count(value) == 1
    again = tmp_path / "again"
    write_plan(plan, again, community)
    assert read_plan(again, community) == plan


def test_an_unknown_done_value_names_the_row_column_and_the_allowed_values(
    tmp_path, community, meal_plan, campaign_plan
):
    from carecal.errors import PlanFileError

    for plan, file in ((meal_plan, "meal_routes.csv"), (campaign_plan, "health_checks.csv")):
        folder = tmp_path / file
        write_plan(plan, folder, community)
        path = folder / file
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        rows[1][rows[0].index("done")] = "eaten"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(rows)
        with pytest.raises(PlanFileError) as caught:
            read_plan(folder, community)
        message = str(caught.value)
        assert file in message and "row 2" in message and "column done" in message
        allowed = ("delivered", "not_home") if file == "meal_routes.csv" else ("done", "missed")
        assert all(a in message for a in allowed), message


def test_verify_names_an_unknown_done_value_in_a_plan_built_by_hand(community, meal_plan):
    from carecal import verify

    trip = meal_plan.trips[0]
    stop = trip.stops[0].model_copy(update={"done": "eaten"})
    bad = meal_plan.model_copy(
        update={"trips": (trip.model_copy(update={"stops": (stop, *trip.stops[1:])}),)}
    )
    assert any(v.rule == "done" and "eaten" in v.message for v in verify(community, bad))
