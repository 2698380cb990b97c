"""The history of earlier plans: records, familiarity, who was left out, and the
``history/`` folder of a community folder (its warnings and errors)."""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import pytest
from continuity_cases import (
    LAST_MONDAY,
    MONDAY,
    TWO_MONDAYS_AGO,
    bookings_by_hand,
    meals_by_hand,
    street,
)

from carecal import History
from carecal.cli import main
from carecal.errors import CarecalWarning, CommunityError, OptionError
from carecal.history import BookingRecord, MealRecord, familiar_saving
from carecal.io import read_community, write_community, write_plan
from carecal.io.manifest import community_fingerprint
from carecal.plans import ShiftPlan, Status, WeekPlan

# --- records from plans --------------------------------------------------------------------


def test_a_meal_plan_becomes_one_record_per_resident_with_what_happened() -> None:
    plan = meals_by_hand(
        LAST_MONDAY,
        {"V1": ["R1", "R2"], "V2": ["R3"]},
        unserved=["R4"],
        done={"R1": "delivered", "R2": "not_home"},
    )
    history = History.from_plans([plan])
    outcomes = {(r.resident_id, r.volunteer_id, r.outcome) for r in history.meals}
    assert outcomes == {
        ("R1", "V1", "delivered"),
        ("R2", "V1", "not_home"),
        ("R3", "V2", "planned"),
        ("R4", None, "unserved"),
    }
    assert history.meal_dates == (LAST_MONDAY,)


def test_familiarity_counts_visits_where_they_met() -> None:
    """Delivered, refused and (done empty) planned count; nobody home does not; a missed
    check does not; every escort of a done check does."""
    meals = [
        meals_by_hand(TWO_MONDAYS_AGO, {"V1": ["R1", "R2", "R3"]}, done={"R2": "refused"}),
        meals_by_hand(LAST_MONDAY, {"V1": ["R1", "R2"]}, done={"R1": "not_home"}),
    ]
    checks = bookings_by_hand(
        LAST_MONDAY, {"R1": ["V2", "V3"], "R2": ["V2"]}, done={"R1": "done", "R2": "missed"}
    )
    seen = History.from_plans([*meals, checks]).familiarity()
    assert seen == {
        ("R1", "V1"): 1,
        ("R2", "V1"): 2,
        ("R3", "V1"): 1,
        ("R1", "V2"): 1,
        ("R1", "V3"): 1,
    }


def test_familiarity_before_a_date_leaves_that_date_and_later_out() -> None:
    history = History.from_plans(
        [
            meals_by_hand(TWO_MONDAYS_AGO, {"V1": ["R1"]}),
            meals_by_hand(LAST_MONDAY, {"V1": ["R1"]}),
        ]
    )
    assert history.familiarity()[("R1", "V1")] == 2
    assert history.familiarity(before=LAST_MONDAY)[("R1", "V1")] == 1
    assert history.elders_of("V1", before=TWO_MONDAYS_AGO) == {}


def test_a_later_plan_of_the_same_date_replaces_the_earlier() -> None:
    """The first plan of last Monday had V1 for R1; the re-plan, V2 (and R2 unserved)."""
    first = meals_by_hand(LAST_MONDAY, {"V1": ["R1", "R2"]})
    again = meals_by_hand(LAST_MONDAY, {"V2": ["R1"]}, unserved=["R2"])
    other = meals_by_hand(TWO_MONDAYS_AGO, {"V1": ["R1"]})
    history = History.from_plans([other, first, again])
    assert {(r.date, r.resident_id, r.volunteer_id) for r in history.meals} == {
        (TWO_MONDAYS_AGO, "R1", "V1"),
        (LAST_MONDAY, "R1", "V2"),
        (LAST_MONDAY, "R2", None),
    }
    # The other way round, the first plan counts for last Monday.
    back = History.from_plans([again, first])
    assert {r.volunteer_id for r in back.meals} == {"V1"}


def test_an_empty_day_still_replaces_an_earlier_plan_of_that_date() -> None:
    first = meals_by_hand(LAST_MONDAY, {"V1": ["R1"]})
    nobody = meals_by_hand(LAST_MONDAY, {}).model_copy(update={"status": Status.EMPTY})
    assert History.from_plans([first, nobody]).meals == ()


def test_a_week_gives_its_meals_and_bookings_and_shifts_add_nothing() -> None:
    week = WeekPlan(
        status=Status.FEASIBLE,
        start=LAST_MONDAY,
        end=LAST_MONDAY,
        meals=(meals_by_hand(LAST_MONDAY, {"V1": ["R1"]}),),
        campaign=bookings_by_hand(LAST_MONDAY, {"R2": ["V2"]}),
    )
    shifts = ShiftPlan(status=Status.FEASIBLE, start=LAST_MONDAY, end=LAST_MONDAY)
    history = History.from_plans([week, shifts])
    assert [r.resident_id for r in history.meals] == ["R1"]
    assert history.bookings == (
        BookingRecord(date=LAST_MONDAY, resident_id="R2", escort_ids=("V2",), outcome="planned"),
    )
    assert History.from_plans([shifts]) == History()


def test_anything_but_a_plan_is_refused() -> None:
    with pytest.raises(OptionError, match="takes plans"):
        History.from_plans(["2026-11-23"])  # type: ignore[list-item]


def test_skipped_on_is_the_previous_delivery_day_only() -> None:
    """R1 was left out two Mondays ago and served last Monday: not skipped last time.
    R2 the other way round: skipped last time."""
    history = History.from_plans(
        [
            meals_by_hand(TWO_MONDAYS_AGO, {"V1": ["R2"]}, unserved=["R1"]),
            meals_by_hand(LAST_MONDAY, {"V1": ["R1"]}, unserved=["R2"]),
        ]
    )
    assert history.skipped_on("R1", MONDAY) is None
    assert history.skipped_on("R2", MONDAY) == LAST_MONDAY
    # Seen from last Monday, the previous delivery day is two Mondays ago.
    assert history.skipped_on("R1", LAST_MONDAY) == TWO_MONDAYS_AGO
    assert history.skipped_on("R3", MONDAY) is None


def test_familiar_saving_grows_a_quarter_per_visit() -> None:
    assert [familiar_saving(20, n) for n in range(6)] == [0, 5, 10, 15, 20, 20]


# --- the community -------------------------------------------------------------------------


def test_with_history_adds_to_the_community_and_keeps_the_fingerprint() -> None:
    community = street({"R1": 5, "R2": 6})
    assert not community.history
    remembered = community.with_history([meals_by_hand(LAST_MONDAY, {"V1": ["R1", "R2"]})])
    assert remembered.history.familiarity() == {("R1", "V1"): 1, ("R2", "V1"): 1}
    # The history is not the community a plan is made for (it grows every day).
    assert community_fingerprint(remembered) == community_fingerprint(community)
    # Adding more keeps what was there, a later plan of a date replacing an earlier one.
    more = remembered.with_history(meals_by_hand(TWO_MONDAYS_AGO, {"V2": ["R1"]}))
    assert more.history.familiarity() == {("R1", "V1"): 1, ("R2", "V1"): 1, ("R1", "V2"): 1}


def test_with_history_leaves_out_people_no_longer_in_the_roster() -> None:
    community = street({"R1": 5})
    plan = meals_by_hand(LAST_MONDAY, {"V1": ["R1", "R9"], "V7": ["R1"]})
    with pytest.warns(CarecalWarning, match=r"2 resident\(s\) or volunteer\(s\).*R9, V7"):
        kept = community.with_history(plan)
    assert {(r.resident_id, r.volunteer_id) for r in kept.history.meals} == {
        ("R1", "V1"),
        ("R1", None),
    }


def test_with_history_takes_a_history_too() -> None:
    record = MealRecord(date=LAST_MONDAY, resident_id="R1", volunteer_id="V2", outcome="refused")
    community = street({"R1": 5}).with_history(History(meals=(record,), meal_dates=(LAST_MONDAY,)))
    assert community.history.familiarity() == {("R1", "V2"): 1}


# --- the history/ folder -------------------------------------------------------------------


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A community folder (R1..R3, V1 and V2) with two earlier meal plans in history/."""
    community = street({"R1": 5, "R2": 6, "R3": 7})
    folder = tmp_path / "data"
    write_community(community, folder)
    write_plan(
        meals_by_hand(TWO_MONDAYS_AGO, {"V1": ["R1", "R2", "R3"]}),
        folder / "history" / "two-mondays-ago",
        community,
    )
    write_plan(
        meals_by_hand(LAST_MONDAY, {"V2": ["R1", "R2"]}, unserved=["R3"]),
        folder / "history" / "last-monday",
        community,
    )
    return folder


def test_the_history_folder_is_read_into_the_community(data: Path) -> None:
    community = read_community(data)
    assert community.history.familiarity() == {
        ("R1", "V1"): 1,
        ("R2", "V1"): 1,
        ("R3", "V1"): 1,
        ("R1", "V2"): 1,
        ("R2", "V2"): 1,
    }
    assert community.history.skipped_on("R3", MONDAY) == LAST_MONDAY
    assert sorted(community.history.sources) == ["history/last-monday", "history/two-mondays-ago"]


def test_the_done_column_of_a_history_folder_counts(data: Path) -> None:
    routes = data / "history" / "last-monday" / "meal_routes.csv"
    text = routes.read_text(encoding="utf-8-sig").splitlines()
    done = text[0].split(",").index("done")
    rows = [line.split(",") for line in text]
    for row, outcome in zip(rows[1:], ("not_home", "delivered"), strict=True):
        row[done] = outcome
    routes.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8-sig")
    seen = read_community(data).history.familiarity()
    assert ("R1", "V2") not in seen and seen[("R2", "V2")] == 1


def test_a_later_written_folder_counts_for_its_dates(data: Path) -> None:
    """A re-plan of last Monday in a folder written later replaces the first one."""
    community = read_community(data)
    again = data / "history" / "last-monday-again"
    write_plan(meals_by_hand(LAST_MONDAY, {"V1": ["R3"]}, unserved=["R1", "R2"]), again, community)
    first = data / "history" / "last-monday" / "manifest.json"
    os.utime(first, (1_000_000_000, 1_000_000_000))
    history = read_community(data).history
    assert history.skipped_on("R3", MONDAY) is None
    assert history.skipped_on("R1", MONDAY) == LAST_MONDAY
    # Written the other way round, the first folder counts.
    os.utime(again / "manifest.json", (900_000_000, 900_000_000))
    assert read_community(data).history.skipped_on("R3", MONDAY) == LAST_MONDAY


def test_a_resident_who_left_is_left_out_with_one_warning(data: Path) -> None:
    for table in ("residents.csv", "travel.csv"):
        lines = (data / table).read_text(encoding="utf-8-sig").splitlines()
        (data / table).write_text(
            "\n".join(line for line in lines if "R3" not in line) + "\n", encoding="utf-8-sig"
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        community = read_community(data)
    said = [str(w.message) for w in caught if issubclass(w.category, CarecalWarning)]
    assert len(said) == 1
    assert "2 resident or volunteer id(s)" in said[0]
    assert "history/last-monday (R3)" in said[0] and "history/two-mondays-ago (R3)" in said[0]
    assert all(r.resident_id != "R3" for r in community.history.meals)


def test_a_folder_that_holds_no_plan_is_an_error_with_the_fix(data: Path) -> None:
    (data / "history" / "notes").mkdir()
    (data / "history" / "notes" / "todo.txt").write_text("call R2", encoding="utf-8")
    with pytest.raises(CommunityError, match=r"history/notes holds no plan.*move this folder"):
        read_community(data)


def test_an_incomplete_history_folder_is_an_error(data: Path) -> None:
    (data / "history" / "last-monday" / "unserved.csv").unlink()
    with pytest.raises(CommunityError, match=r"history/last-monday is incomplete: unserved\.csv"):
        read_community(data)


def test_rows_deleted_by_hand_are_an_error(data: Path) -> None:
    routes = data / "history" / "two-mondays-ago" / "meal_routes.csv"
    lines = routes.read_text(encoding="utf-8-sig").splitlines()
    routes.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8-sig")
    with pytest.raises(CommunityError, match="history/two-mondays-ago is incomplete"):
        read_community(data)


def test_a_bad_done_cell_names_file_row_and_column(data: Path) -> None:
    routes = data / "history" / "last-monday" / "meal_routes.csv"
    text = routes.read_text(encoding="utf-8-sig").splitlines()
    done = text[0].split(",").index("done")
    row = text[1].split(",")
    row[done] = "eaten"
    routes.write_text("\n".join([text[0], ",".join(row), *text[2:]]) + "\n", encoding="utf-8-sig")
    with pytest.raises(CommunityError) as caught:
        read_community(data)
    (problem,) = caught.value.problems
    assert problem.startswith("history/last-monday/meal_routes.csv row 2, column done:")


def test_the_cli_says_a_bad_history_folder_and_exits_2(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (data / "history" / "empty").mkdir()
    assert main(["validate", str(data)]) == 2
    assert "history/empty holds no plan" in capsys.readouterr().err


def test_a_file_in_history_itself_is_a_warning(data: Path) -> None:
    (data / "history" / "README.txt").write_text("plans of last weeks", encoding="utf-8")
    with pytest.warns(CarecalWarning, match=r"history/ holds 1 file\(s\).*README\.txt"):
        read_community(data)


def test_a_copied_folder_is_read_as_it_is(data: Path, tmp_path: Path) -> None:
    """The history is the folder's own: a copy elsewhere reads the same."""
    copy = tmp_path / "copy"
    shutil.copytree(data, copy)
    assert read_community(copy).history.familiarity() == read_community(data).history.familiarity()


def test_no_history_folder_no_history(tmp_path: Path) -> None:
    community = street({"R1": 5})
    write_community(community, tmp_path / "plain")
    assert read_community(tmp_path / "plain").history == History()


def test_a_bad_history_folder_plans_nothing(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (data / "history" / "empty").mkdir()
    out = tmp_path / "plan"
    assert main(["-q", "meals", str(data), "--date", str(MONDAY), "--out", str(out)]) == 2
    assert "history/empty holds no plan" in capsys.readouterr().err
    assert not out.exists()
