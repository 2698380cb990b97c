"""manifest.json: a plan folder that lost a day, a file or its community is never read as a
whole plan; an empty day is not a deleted one; foreign files are neither read nor removed."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import warnings

import pytest
from plan_cases import (
    LAST,
    MEALS_DAY,
    SUNDAY,
    community,
    files_of,
    meals,
    rows,
    week,
    write_rows,
)

from carecal.errors import CarecalWarning, PlanFileError
from carecal.io import read_plan, write_plan
from carecal.io.manifest import WRITING, community_fingerprint, is_plan_file
from carecal.plans import CampaignPlan, MealPlan, Status, WeekPlan
from carecal.verify import verify

MONDAY = "2027-03-01"


@pytest.fixture(autouse=True)
def _no_fsync(monkeypatch):
    """Skip flushing to disk: it guards against power cuts, which these tests do not
    make, and costs a few milliseconds per file."""
    monkeypatch.setattr(os, "fsync", lambda fd: None)


@pytest.fixture
def week_folder(tmp_path):
    """A fresh copy of the week plan's folder."""
    folder = tmp_path / "week"
    write_plan(week(), folder, community())
    return folder


def _read(folder):
    with warnings.catch_warnings():
        warnings.simplefilter("error", CarecalWarning)
        return read_plan(folder, community())


def test_the_manifest_says_what_the_folder_holds(week_folder):
    manifest = json.loads((week_folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "week"
    assert (manifest["start"], manifest["end"]) == (str(SUNDAY), str(LAST))
    assert manifest["community"]["fingerprint"] == community_fingerprint(community())
    planned = {str(m.date): len(m.served) + len(m.unserved) for m in week().meals}
    assert {m["date"]: m["deliveries"] for m in manifest["meals"]} == planned
    assert planned[str(SUNDAY)] == 0  # no orders on Sundays: recorded, not left out
    assert [d["date"] for d in manifest["campaign"]["clinic_days"]] == [MONDAY, str(LAST)]
    on_disk = sorted(n for n in files_of(week_folder) if n != "manifest.json")
    assert manifest["files"] == on_disk
    assert "escorts/" in " ".join(on_disk) and "timetables/" in " ".join(on_disk)


def test_a_week_reads_back_whole_with_its_empty_day(week_folder):
    read = _read(week_folder)
    assert isinstance(read, WeekPlan) and (read.start, read.end) == (SUNDAY, LAST)
    assert [m.date for m in read.meals] == [m.date for m in week().meals]
    assert read.meals[0].status == Status.EMPTY
    assert [m.trips for m in read.meals] == [m.trips for m in week().meals]
    assert verify(community(), read) == []


def test_a_deleted_day_of_meal_routes_is_caught(week_folder):
    """Defect (issue 15 item 6): deleting every row of one date of a week's meal_routes.csv
    passed `carecal verify` (exit 0): the date was simply not in the plan read back."""
    path = week_folder / "meal_routes.csv"
    table = rows(path)
    kept = [table[0], *(r for r in table[1:] if r[0] != MONDAY)]
    assert len(kept) < len(table)
    write_rows(path, kept)
    with pytest.raises(PlanFileError, match=f"no delivery of {MONDAY} is in meal_routes.csv"):
        _read(week_folder)


@pytest.mark.parametrize("how", ["header only", "zero bytes"])
def test_an_emptied_meal_routes_is_caught(week_folder, how):
    path = week_folder / "meal_routes.csv"
    path.write_bytes(
        path.read_bytes().splitlines(keepends=True)[0] if how == "header only" else b""
    )
    with pytest.raises(PlanFileError, match=r"meal_routes\.csv"):
        _read(week_folder)


def test_a_deleted_meal_routes_is_caught(week_folder):
    (week_folder / "meal_routes.csv").unlink()
    with pytest.raises(
        PlanFileError, match=r"incomplete: meal_routes\.csv listed in manifest\.json is missing"
    ):
        _read(week_folder)


def test_one_deleted_row_is_caught_and_a_moved_one_is_not(week_folder):
    """The count per date holds through a hand edit that moves a delivery between trips,
    and not through one that drops it."""
    path = week_folder / "meal_routes.csv"
    table = rows(path)
    monday = [i for i, r in enumerate(table) if r[0] == MONDAY]
    write_rows(path, [r for i, r in enumerate(table) if i != monday[-1]])
    with pytest.raises(PlanFileError, match=f"deliveries of {MONDAY}, manifest.json lists"):
        _read(week_folder)
    moved = [list(r) for r in table]
    vid, trip, stop = (table[0].index(c) for c in ("volunteer_id", "trip", "stop"))
    other = next(table[i][vid] for i in monday if table[i][vid] != table[monday[0]][vid])
    # A trip of its own for another carrier (its name cell left as it was: never read).
    moved[monday[0]][vid], moved[monday[0]][trip], moved[monday[0]][stop] = other, "9", "1"
    write_rows(path, moved)
    assert isinstance(_read(week_folder), WeekPlan)  # the verifier judges the new trip


def test_a_deleted_day_of_bookings_and_of_shifts_is_caught(week_folder):
    for name in ("health_checks.csv", "shift_plan.csv"):
        path = week_folder / name
        saved = path.read_bytes()
        table = rows(path)
        column = table[0].index("date")
        write_rows(path, [table[0], *(r for r in table[1:] if r[column] != MONDAY)])
        with pytest.raises(PlanFileError, match=re.escape(name)):
            _read(week_folder)
        path.write_bytes(saved)
    assert isinstance(_read(week_folder), WeekPlan)


def test_a_hand_edited_cell_keeps_the_plan_readable(week_folder):
    """The fingerprint is the community's, not the files': editing the plan is allowed."""
    path = week_folder / "meal_routes.csv"
    table = rows(path)
    table[1][table[0].index("arrival")] = "10:59"
    write_rows(path, table)
    read = _read(week_folder)
    assert isinstance(read, WeekPlan)
    assert any(v.rule for v in verify(community(), read))  # the verifier judges the edit


def test_a_plan_made_for_another_community_is_refused(week_folder):
    other = community().with_changes(residents=community().residents[:-1])
    with pytest.raises(PlanFileError, match="made for another community") as caught:
        read_plan(week_folder, other)
    assert "320 residents" in str(caught.value) and "319 residents" in str(caught.value)


def test_files_the_manifest_does_not_list_are_not_read(tmp_path):
    """A meals folder with a stray health_checks.csv (and garbage beside it) is a meal plan."""
    write_plan(meals(), tmp_path, community())
    (tmp_path / "health_checks.csv").write_text("not,a,plan\n1,2,3\n", encoding="utf-8")
    read = _read(tmp_path)
    assert isinstance(read, MealPlan) and read.date == MEALS_DAY
    assert read.trips == meals().trips


def test_a_meals_run_over_a_week_folder_leaves_only_the_meal_plan(week_folder):
    """Defect (issue 15 item 7): a meals run into a week's folder left the week's
    health_checks.csv, shift_plan.csv, escorts/ and timetables/ beside the new routes."""
    (week_folder / "notes.txt").write_text("call Mrs Wang", encoding="utf-8")
    (week_folder / "routes" / "map.png").write_bytes(b"\x89PNG")
    with pytest.warns(CarecalWarning, match=r"2 file\(s\) carecal did not write") as caught:
        write_plan(meals(), week_folder, community())
    assert "notes.txt" in str(caught[0].message) and "routes/map.png" in str(caught[0].message)
    fresh = week_folder.parent / "fresh"
    write_plan(meals(), fresh, community())
    expected = files_of(fresh) | {
        "notes.txt": b"call Mrs Wang",
        "routes/map.png": b"\x89PNG",
    }
    assert files_of(week_folder) == expected
    assert not (week_folder / "escorts").exists() and not (week_folder / "timetables").exists()
    assert _read(week_folder) == _read(fresh)


def test_a_deterministic_run_writes_the_same_bytes(tmp_path):
    write_plan(week(), tmp_path / "a", community())
    write_plan(week(), tmp_path / "b", community())
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")


def test_a_folder_without_a_manifest_is_read_with_a_warning(week_folder):
    """A folder written by carecal 0.1: read from its files, coverage unchecked."""
    (week_folder / "manifest.json").unlink()
    with pytest.warns(CarecalWarning, match="cannot be checked"):
        read = read_plan(week_folder, community())
    assert isinstance(read, WeekPlan)
    # Without the manifest the Sunday without orders is not known to be part of the plan.
    assert [m.date for m in read.meals] == [m.date for m in week().meals[1:]]


@pytest.mark.parametrize("leftover", [WRITING, "routes/.V001.html.ab12cd_9.tmp"])
def test_a_stopped_write_without_a_manifest_is_incomplete(week_folder, leftover):
    (week_folder / "manifest.json").unlink()
    (week_folder / leftover).write_bytes(b"")
    with pytest.raises(PlanFileError, match=r"is incomplete: it has no manifest\.json"):
        read_plan(week_folder, community())


def test_a_manifest_naming_files_outside_the_folder_is_refused_and_never_obeyed(tmp_path):
    """The writer removes what the old manifest lists: only plan file names are taken."""
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me")
    folder = tmp_path / "plan"
    write_plan(meals(), folder, community())
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"].append("../precious.txt")
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(PlanFileError, match="is not a file carecal writes"):
        read_plan(folder, community())
    write_plan(week(), folder, community())
    assert outside.read_text() == "keep me"
    assert isinstance(_read(folder), WeekPlan)


def test_a_campaign_alone_reads_back_as_a_campaign(tmp_path):
    campaign = week().campaign
    assert campaign is not None
    write_plan(campaign, tmp_path, community())
    read = _read(tmp_path)
    assert isinstance(read, CampaignPlan) and read.clinic_days == campaign.clinic_days
    shutil.rmtree(tmp_path / "escorts")
    with pytest.raises(PlanFileError, match="incomplete: escorts/"):
        _read(tmp_path)


def test_the_fingerprint_is_the_same_in_every_process():
    """Sets (skills, meal days, diet) iterate in an order that follows string hashing,
    which differs between processes: `carecal verify` in a new process refused the folder
    `carecal week` had just written as "made for another community"."""
    import os
    import subprocess
    import sys

    code = (
        "from carecal.datasets import sample_community\n"
        "from carecal.io.manifest import community_fingerprint\n"
        "print(community_fingerprint(sample_community()))\n"
    )
    prints = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        prints.add(done.stdout.strip())
    assert len(prints) == 1


def test_a_run_without_xlsx_or_plots_removes_the_old_workbook_and_pictures(tmp_path):
    """The workbook and the pictures are files of the plan (listed in the manifest): a
    later run that asks for neither leaves no stale copy of them beside its tables."""
    pytest.importorskip("matplotlib")
    folder = tmp_path / "plan"
    write_plan(meals(), folder, community(), xlsx=True, plots=True)
    listed = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["files"]
    assert "plan.xlsx" in listed and f"plots/route_map_{MEALS_DAY}.png" in listed
    assert _read(folder).trips == meals().trips  # the reader passes the workbook by
    with warnings.catch_warnings():
        warnings.simplefilter("error", CarecalWarning)  # nothing left as a foreign file
        write_plan(meals(), folder, community())
    assert not (folder / "plan.xlsx").exists() and not (folder / "plots").exists()
    fresh = tmp_path / "fresh"
    write_plan(meals(), fresh, community())
    assert files_of(folder) == files_of(fresh)


def test_a_write_stopped_at_the_workbook_leaves_no_half_workbook(tmp_path, monkeypatch):
    """Stopped while the workbook is written (a full disk): the old workbook stays whole
    or the folder reads as incomplete; never a half file under the workbook's name."""
    import carecal.io.manifest as manifest_module

    folder = tmp_path / "plan"
    write_plan(meals(), folder, community(), xlsx=True)
    old = (folder / "plan.xlsx").read_bytes()
    real = manifest_module.atomic_write

    def full_disk(path, data):
        if path.name == "plan.xlsx":
            raise OSError("disk full")
        return real(path, data)

    monkeypatch.setattr(manifest_module, "atomic_write", full_disk)
    with pytest.raises(OSError, match="disk full"):
        write_plan(week(), folder, community(), xlsx=True)
    assert (folder / "plan.xlsx").read_bytes() == old
    with pytest.raises(PlanFileError, match="incomplete"):
        read_plan(folder, community())
    monkeypatch.setattr(manifest_module, "atomic_write", real)
    write_plan(week(), folder, community(), xlsx=True)
    assert isinstance(_read(folder), WeekPlan)


def test_a_missing_plot_extra_writes_nothing(tmp_path, monkeypatch):
    """The pictures are rendered before anything is written: without matplotlib the old
    plan stays as it was."""
    from carecal.errors import ExtraMissingError

    folder = tmp_path / "plan"
    write_plan(meals(), folder, community())
    before = files_of(folder)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ExtraMissingError, match=r'pip install "carecal\[plot\]"'):
        write_plan(week(), folder, community(), plots=True)
    assert files_of(folder) == before


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("plan.xlsx", True),
        ("plots/rota.png", True),
        (f"plots/route_map_{MEALS_DAY}.png", True),
        ("plots/../precious.png", False),
        ("plots/rota.exe", False),
        ("plots/sub/rota.png", False),
        ("other.xlsx", False),
        ("routes/plan.xlsx", False),
    ],
)
def test_the_manifest_takes_the_workbook_and_pictures_and_nothing_else(name, allowed):
    assert is_plan_file(name) is allowed
