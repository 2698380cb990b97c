"""compare(before, after): the numbers side by side, what changed for whom, the refusal
of plans of different kinds, and the ``carecal compare`` command."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from notebook_data import (
    MONDAY,
    TUESDAY,
    booking,
    campaign,
    meal_plan,
    missed,
    monday_meals,
    on_shift,
    shifts,
    stop,
    trip,
    valid,
)

import carecal
import carecal.io
from carecal.cli import EXIT_INVALID, EXIT_OK, main
from carecal.compare import CHANGES, Comparison, compare
from carecal.errors import CarecalError, OptionError
from carecal.io import write_community, write_plan
from carecal.plans import Status, WeekPlan


def _changes(result: Comparison) -> list[tuple[str, str, str, str]]:
    return [(c["person_id"], c["change"], c["before"], c["after"]) for c in result.changes]


# --- meals -----------------------------------------------------------------------------------


def _after_meals() -> carecal.MealPlan:
    """R001 now by V02, 20 minutes later; R002 by V01, 10 minutes later (not "moved");
    R003 served now."""
    return meal_plan(
        trip("V02", 1, 660, stop("R001", 680, food=20, travel=20)),
        trip("V01", 1, 650, stop("R002", 680, food=30, portions=2), stop("R003", 690, food=40)),
    )


def test_compare_meal_plans_gives_the_numbers_and_their_change() -> None:
    result = compare(monday_meals(), _after_meals())
    table = result.table
    assert list(table.columns) == ["before", "after", "change"]
    assert table.loc["meals_served"].tolist() == [2, 3, 1]
    assert table.loc["carriers"].tolist() == [1, 2, 1]
    assert table.loc["travel_minutes"].tolist() == [6 + 5, 20 + 5 + 3 + 3 + 5, 25]
    assert table.loc["median_food_minutes"].tolist() == [15, 30, 15]
    assert table.loc["unserved"].tolist() == [1, 0, -1]
    assert "short_shift_places" not in table.index  # not a number of a meal plan


def test_compare_meal_plans_lists_what_changed_for_whom() -> None:
    result = compare(monday_meals().with_people(valid()), _after_meals())
    assert _changes(result) == [
        ("R003", "meal added", "not served", "V01 at 11:30"),
        ("R001", "carrier changed", "V01", "V02"),
        ("R001", "time moved", "11:00", "11:20"),
    ]
    people = result.people
    assert list(people.columns) == [
        "date",
        "person_id",
        "name",
        "role",
        "change",
        "before",
        "after",
    ]
    assert list(people["name"]) == ["Zhao Lan", "Wang Fang", "Wang Fang"]
    assert isinstance(people["change"].dtype, pd.CategoricalDtype)
    assert list(people["change"].cat.categories) == list(CHANGES)
    assert people["date"].iloc[0] == pd.Timestamp(MONDAY)


def test_a_dropped_meal_is_listed_and_the_same_plan_changes_nothing() -> None:
    dropped = meal_plan(
        trip("V01", 1, 650, stop("R001", 660, food=10)), unserved=(missed("R002"), missed("R003"))
    )
    result = compare(monday_meals(), dropped)
    assert _changes(result) == [("R002", "meal dropped", "V01 at 11:10", "not served")]
    same = compare(monday_meals(), monday_meals())
    assert same.changes == () and len(same.people) == 0
    assert set(same.table["change"]) == {0}
    assert "Nobody's plan changed." in same.summary()
    assert repr(same) == "<Comparison of MealPlans: no number changed, 0 changes for 0 people>"


def test_summary_and_repr_say_it_in_words() -> None:
    result = compare(monday_meals(), _after_meals())
    text = result.summary()
    assert text.splitlines()[0] == "Comparing two MealPlans (before -> after):"
    assert "- meals served: 2 -> 3 (+1)" in text
    assert "- median food minutes: 15 -> 30 (+15)" in text
    assert "3 change(s) for 2 person(s): 1 meal added, 1 carrier changed, 1 time moved." in text
    assert repr(result) == (
        "<Comparison of MealPlans: meals_served 2 -> 3, meals_unserved 1 -> 0, carriers 1 -> 2, "
        "3 changes for 2 people>"
    )


# --- campaigns, shifts, weeks ----------------------------------------------------------------


def test_compare_campaigns_moves_bookings_and_escorts() -> None:
    before = campaign(booking("R001", 540, ("V01",)), booking("R002", 555))
    after = campaign(booking("R001", 540, ("V02",)), booking("R003", 600), booking("R002", 570))
    result = compare(before, after)
    assert _changes(result) == [
        ("R003", "check booked", "not booked", "2026-03-03 10:00 at C1"),
        ("R002", "booking moved", "2026-03-03 09:15 at C1", "2026-03-03 09:30 at C1"),
        ("R001", "escort changed", "V01", "V02"),
    ]
    assert result.table.loc["checks_booked"].tolist() == [2, 3, 1]
    assert result.table.loc["escorts"].tolist() == [1, 1, 0]


def test_compare_shift_plans_lists_shifts_added_and_removed_and_short_places() -> None:
    before = shifts(on_shift("V01"), on_shift("V01", TUESDAY), short=1)
    after = shifts(on_shift("V01"), on_shift("V02", TUESDAY))
    result = compare(before, after)
    assert _changes(result) == [
        ("V02", "shift added", "", "M1 10:30–13:30"),
        ("V01", "shift removed", "M1 10:30–13:30", ""),
    ]
    assert result.table.loc["short_shift_places"].tolist() == [1, 0, -1]
    assert result.table.loc["volunteers_on_shifts"].tolist() == [1, 2, 1]
    assert {c["role"] for c in result.changes} == {"volunteer"}


def test_compare_weeks_compares_every_part() -> None:
    def week(meals: carecal.MealPlan, camp: carecal.CampaignPlan) -> WeekPlan:
        return WeekPlan(
            status=Status.FEASIBLE, start=MONDAY, end=TUESDAY, meals=(meals,), campaign=camp
        )

    before = week(monday_meals(), campaign(booking("R001", 540)))
    after = week(_after_meals(), campaign())
    result = compare(before, after)
    assert "meals_served" in result.table.index and "checks_booked" in result.table.index
    assert "shift_places_filled" not in result.table.index  # neither week has shifts
    kinds = [c["change"] for c in result.changes]
    assert kinds.count("check dropped") == 1 and kinds.count("meal added") == 1


def test_plans_of_different_kinds_are_refused() -> None:
    with pytest.raises(OptionError, match="before is a MealPlan and after a ShiftPlan"):
        compare(monday_meals(), shifts())
    with pytest.raises(CarecalError, match="not a plan"):
        compare(monday_meals(), "meal_routes.csv")  # type: ignore[arg-type]


def test_compare_is_exported_and_light() -> None:
    assert carecal.compare is compare
    assert "compare" in carecal.__all__ and "Comparison" in carecal.__all__


# --- the command line ------------------------------------------------------------------------


def _before_after(folders: dict[str, Path]) -> list[str]:
    """``carecal compare before after --data data``."""
    return [
        "compare",
        str(folders["before"]),
        str(folders["after"]),
        "--data",
        str(folders["data"]),
    ]


@pytest.fixture()
def folders(tmp_path: Path) -> dict[str, Path]:
    """The Valid community and three plan folders: meals before, meals after, a campaign."""
    community = valid()
    paths = {name: tmp_path / name for name in ("data", "before", "after", "campaign")}
    write_community(community, paths["data"])
    write_plan(monday_meals(), paths["before"], community)
    write_plan(_after_meals(), paths["after"], community)
    write_plan(campaign(booking("R002", 555)), paths["campaign"], community)
    return paths


def test_cli_compare_prints_the_summary_the_numbers_and_the_people(
    folders: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_before_after(folders)) == EXIT_OK
    out = capsys.readouterr().out
    assert "Comparing two MealPlans" in out
    assert "meals_served" in out
    assert "carrier changed" in out and "Wang Fang" in out  # names from the community


def test_cli_compare_refuses_plans_of_different_kinds(
    folders: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["compare", str(folders["before"]), str(folders["campaign"])]
    assert main([*argv, "--data", str(folders["data"])]) == EXIT_INVALID
    assert "before is a MealPlan and after a CampaignPlan" in capsys.readouterr().err


def test_cli_compare_refuses_a_folder_without_a_plan(
    folders: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    argv = ["compare", str(tmp_path / "empty"), str(folders["after"])]
    assert main([*argv, "--data", str(folders["data"])]) == EXIT_INVALID
    assert "no plan here" in capsys.readouterr().err


def test_cli_compare_takes_a_week_folder_as_one_week(
    folders: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    community = valid()
    week = WeekPlan(
        status=Status.FEASIBLE,
        start=MONDAY,
        end=TUESDAY,
        meals=(monday_meals(),),
        campaign=campaign(booking("R002", 555)),
        shifts=shifts(on_shift("V01")),
    )
    write_plan(week, tmp_path / "week", community)
    argv = ["compare", str(tmp_path / "week"), str(tmp_path / "week")]
    assert main([*argv, "--data", str(folders["data"])]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Comparing two WeekPlans" in out and "Nobody's plan changed." in out
