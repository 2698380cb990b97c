"""``carecal replan``: a plan folder re-planned after changes, with whom to call."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import pytest

from carecal.cli import EXIT_INVALID, EXIT_OK, main
from carecal.datasets import make_community
from carecal.io import read_community, read_plan, write_community

MONDAY = dt.date(2027, 3, 1)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small community and its Monday's meal plan, written by ``carecal meals``."""
    root = tmp_path_factory.mktemp("replan")
    data = root / "data"
    write_community(make_community(60, 12, seed=5, meal_orders=10, escorts=4), data)
    plan = root / "plan"
    args = ["-q", "meals", str(data), "--date", str(MONDAY), "--out", str(plan)]
    assert main([*args, "--time-limit", "2", "--deterministic"]) == EXIT_OK
    return data, plan


def _busiest(plan: Path) -> str:
    routes = _rows(plan / "meal_routes.csv")
    counts: dict[str, int] = {}
    for row in routes:
        counts[row["volunteer_id"]] = counts.get(row["volunteer_id"], 0) + 1
    return max(sorted(counts), key=lambda v: counts[v])


def _with_changes(data: Path, folder: Path, rows: list[str]) -> Path:
    shutil.copytree(data, folder)
    (folder / "changes.csv").write_text(
        "kind,id,start,end,note\n" + "".join(r + "\n" for r in rows), encoding="utf-8"
    )
    return folder


def _replan(data: Path, plan: Path, out: Path, *extra: str) -> int:
    args = ["replan", str(data), "--plan", str(plan), "--out", str(out)]
    return main([*args, "--time-limit", "3", "--deterministic", *extra])


def test_without_changes_nobody_moves_and_nobody_is_called(
    planned: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, plan = planned
    assert _replan(data, plan, tmp_path / "out") == EXIT_OK
    before = {(r["resident_id"], r["volunteer_id"]) for r in _rows(plan / "meal_routes.csv")}
    after = {
        (r["resident_id"], r["volunteer_id"]) for r in _rows(tmp_path / "out" / "meal_routes.csv")
    }
    assert after == before
    assert _rows(tmp_path / "out" / "to_call.csv") == []
    assert "nobody to call" in capsys.readouterr().err


def test_a_carrier_off_at_9_10_moves_their_elders_and_lists_whom_to_call(
    planned: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, plan = planned
    sick = _busiest(plan)
    changed = _with_changes(
        data, tmp_path / "data", [f"volunteer_off,{sick},{MONDAY} 09:10,{MONDAY} 23:59,sick"]
    )
    out = tmp_path / "out"
    assert _replan(changed, plan, out, "--now", "09:10") == EXIT_OK
    routes = _rows(out / "meal_routes.csv")
    assert sick not in {r["volunteer_id"] for r in routes}
    theirs = {
        r["resident_id"] for r in _rows(plan / "meal_routes.csv") if r["volunteer_id"] == sick
    }
    community = read_community(changed)
    new = read_plan(out, community)
    served_or_listed = set(new.served) | {u.id for u in new.unserved}
    assert theirs <= served_or_listed
    calls = _rows(out / "to_call.csv")
    assert list(calls[0]) == ["person_id", "name", "role", "phone", "what_changed"]
    assert sick not in {c["person_id"] for c in calls}  # off today: not called about it
    takers = {r["volunteer_id"] for r in routes if r["resident_id"] in theirs}
    assert takers <= {c["person_id"] for c in calls}
    assert "To call" in capsys.readouterr().err


def test_changes_given_apart_are_read_in_place_of_changes_csv(
    planned: tuple[Path, Path], tmp_path: Path
) -> None:
    data, plan = planned
    resident = _rows(plan / "meal_routes.csv")[0]["resident_id"]
    changes = tmp_path / "today.csv"
    changes.write_text(
        f"kind,id,start,end\nresident_away,{resident},{MONDAY},{MONDAY}\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    assert _replan(data, plan, out, "--changes", str(changes)) == EXIT_OK
    assert resident not in {r["resident_id"] for r in _rows(out / "meal_routes.csv")}


def test_bad_changes_exit_2_with_row_and_column_and_write_nothing(
    planned: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, plan = planned
    changes = tmp_path / "today.csv"
    changes.write_text("kind,id,start,end\nvolunter_off,V001,2027-03-01,2027-02-01\n", "utf-8")
    out = tmp_path / "out"
    assert _replan(data, plan, out, "--changes", str(changes)) == EXIT_INVALID
    said = capsys.readouterr().err
    assert "today.csv" in said and "kind" in said and "row 2" in said
    assert not out.exists()


def test_a_missing_changes_file_and_a_bad_now_are_exit_2(
    planned: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, plan = planned
    out = tmp_path / "out"
    assert _replan(data, plan, out, "--changes", str(tmp_path / "none.csv")) == EXIT_INVALID
    assert "none.csv" in capsys.readouterr().err
    assert _replan(data, plan, out, "--now", "half past nine") == EXIT_INVALID
    assert "--now" in capsys.readouterr().err
    assert not out.exists()


def test_a_locked_row_edited_by_hand_is_kept(planned: tuple[Path, Path], tmp_path: Path) -> None:
    data, plan = planned
    edited = tmp_path / "plan"
    shutil.copytree(plan, edited)
    path = edited / "meal_routes.csv"
    rows = _rows(path)
    rows[0]["locked"] = "是"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "out"
    assert _replan(data, edited, out) == EXIT_OK
    kept = [r for r in _rows(out / "meal_routes.csv") if r["resident_id"] == rows[0]["resident_id"]]
    assert len(kept) == 1
    assert (kept[0]["volunteer_id"], kept[0]["arrival"], kept[0]["locked"]) == (
        rows[0]["volunteer_id"],
        rows[0]["arrival"],
        "true",
    )
