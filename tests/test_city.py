"""Many centres in one run (``carecal city``, :func:`carecal.plan_city`).

The city is three small generated centres (40 residents, 8 volunteers each, seeds 0-2),
one of which, ``c2-bad``, has a resident aged 50 on its roster. The Dask tests run a real
``LocalCluster`` of two worker processes on this machine; the solves are deterministic
with a time limit of 2 s per centre, so the whole file takes well under a minute.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import carecal
from carecal.city import CityPlan, find_centres, plan_city
from carecal.cli import main
from carecal.errors import ExtraMissingError, OptionError

distributed = pytest.importorskip("distributed")

DAY = dt.date(2026, 3, 2)
"""A Monday: the generated centres have meal orders that day."""
SOLVE = {"time_limit": 2.0, "deterministic": True}
CLI_SOLVE = ["--time-limit", "2", "--deterministic"]
GOOD = ("c0", "c1")
BAD = "c2-bad"


def _make_city(root: Path) -> Path:
    """Three centres under ``root``; the third's first resident is aged 50."""
    for i, name in enumerate((*GOOD, BAD)):
        carecal.write_community(
            carecal.make_community(residents=40, volunteers=8, seed=i), root / name
        )
    roster = root / BAD / "residents.csv"
    with roster.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    rows[0]["birth_date"], rows[0]["age"] = "", "50"
    with roster.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return root


@pytest.fixture(scope="module")
def city_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three centres (read-only for the tests: copy before changing one)."""
    return _make_city(tmp_path_factory.mktemp("city"))


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    """A client of a LocalCluster of two worker processes, on this machine only."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def _rollup(out: Path) -> dict[str, dict[str, str]]:
    with (out / "city_summary.csv").open(encoding="utf-8-sig", newline="") as f:
        return {row["centre"]: row for row in csv.DictReader(f)}


def _verified(root: Path, out: Path, name: str) -> list[carecal.Violation]:
    community = carecal.read_community(root / name)
    return carecal.verify(community, carecal.read_plan(out / name, community))


# --- on a real local cluster -----------------------------------------------------------------


def test_a_bad_centre_fails_alone_and_the_others_are_written(
    city_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command's own LocalCluster (--jobs 2): exit 3, two folders written and verified,
    the bad roster in the roll-up and on stderr."""
    out = tmp_path / "out"
    status = main(
        ["city", str(city_root), "--date", str(DAY), "--out", str(out), "--jobs", "2", *CLI_SOLVE]
    )
    err = capsys.readouterr().err
    assert status == 3
    for name in GOOD:
        assert (out / name / "manifest.json").is_file()
        assert _verified(city_root, out, name) == []
    assert not (out / BAD).exists()
    assert "local Dask cluster of 2 worker(s)" in err
    assert f"{BAD} (input" in err and "age: 50 is under 60" in err
    rows = _rollup(out)
    assert [rows[n]["status"] for n in (*GOOD, BAD)] == ["planned", "planned", "failed"]
    assert "age: 50 is under 60" in rows[BAD]["error"]
    assert rows[BAD]["meals_served"] == ""
    total = rows["(city)"]
    assert int(total["meals_served"]) == sum(int(rows[n]["meals_served"]) for n in GOOD) > 0
    assert total["status"] == "2 planned, 0 skipped, 1 failed"
    page = (out / "city_summary.html").read_text(encoding="utf-8")
    assert "age: 50 is under 60" in page and "<script" not in page.lower()


def test_a_rerun_skips_complete_centres_and_force_plans_them_again(
    city_root: Path, tmp_path: Path, client: object
) -> None:
    out = tmp_path / "out"
    first = plan_city(city_root, DAY, client=client, out=out, **SOLVE)
    assert [c.status for c in first.centres] == ["planned", "planned", "failed"]
    written = {n: (out / n / "manifest.json").stat().st_mtime_ns for n in GOOD}

    again = plan_city(city_root, DAY, client=client, out=out, **SOLVE)
    assert [c.status for c in again.centres] == ["skipped", "skipped", "failed"]
    assert {n: (out / n / "manifest.json").stat().st_mtime_ns for n in GOOD} == written
    # A skipped centre is read back: the roll-up still has its numbers, verified.
    for name in GOOD:
        assert again[name].numbers["meals_served"] == first[name].numbers["meals_served"]
        assert again[name].broken_rules == ()
    assert _rollup(out)["c0"]["status"] == "skipped"

    forced = plan_city(city_root, DAY, client=client, out=out, force=True, **SOLVE)
    assert [c.status for c in forced.centres] == ["planned", "planned", "failed"]
    assert all((out / n / "manifest.json").stat().st_mtime_ns > written[n] for n in GOOD)


def test_a_week_per_centre_on_a_running_cluster(
    city_root: Path, tmp_path: Path, client: object
) -> None:
    out = tmp_path / "out"
    events: list[carecal.ProgressEvent] = []
    city = plan_city(
        city_root,
        DAY,
        DAY + dt.timedelta(days=1),
        client=client,
        out=out,
        progress=events.append,
        **SOLVE,
    )
    assert city.kind == "week" and city.failed == [BAD]
    assert all(isinstance(p, carecal.WeekPlan) for p in city.plans.values())
    assert [e.stage for e in events] == ["cluster", "centre", "centre", "centre"]
    assert "the Dask cluster given" in events[0].message
    frame = city.to_frame()
    assert {"short_shift_places", "checks_booked", "solve_seconds"} <= set(frame.columns)
    assert frame.loc[BAD, "status"] == "failed" and "age: 50" in frame.loc[BAD, "error"]
    for name in GOOD:
        assert _verified(city_root, out, name) == []


def test_dask_workers_fix_the_heap_thresholds_and_a_task_lifts_them(client: object) -> None:
    """A Dask nanny starts its workers with MALLOC_TRIM_THRESHOLD_ set (the cause of
    issue 20's 4.7 times slower solves); the task's heap guard sees it there and acts."""

    def guard_in_a_worker() -> tuple[str | None, bool]:
        # Defined here so that the cluster pickles it by value (workers cannot import tests).
        import os

        from carecal.city import _heap_for_solving

        with _heap_for_solving() as raised:
            return os.environ.get("MALLOC_TRIM_THRESHOLD_"), raised

    seen = client.run(guard_in_a_worker)  # type: ignore[attr-defined]
    assert len(seen) == 2
    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    for trim, raised in seen.values():
        assert trim is not None, "Dask no longer fixes the trim threshold: see issue 20"
        assert raised is glibc


# The task in a process whose environment fixes glibc's trim threshold as a Dask nanny does:
# 64 blocks of 120,000 bytes (under the 128 KiB mmap threshold: from the heap) allocated,
# written and freed, three rounds; the minor page faults of each round. Outside a task every
# round faults its ~1,900 pages again (the freed top of the heap went back to the system);
# inside the task (the first thing its steps do) only the first round does; after the task
# Dask's setting is back.
_HEAP_SCRIPT = """
import ctypes, datetime as dt, json, resource, sys
import carecal.city as city

libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]

def rounds():
    faults = []
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        blocks = [libc.malloc(120_000) for _ in range(64)]
        for block in blocks:
            ctypes.memset(block, 1, 120_000)
        for block in reversed(blocks):
            libc.free(block)
        faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    return faults

outside, inside = rounds(), []
steps = city._centre_steps

def churn_then_steps(job):
    inside.extend(rounds())
    return steps(job)

city._centre_steps = churn_then_steps
planned = city.plan_city(sys.argv[1], dt.date(2026, 3, 2), jobs=1, time_limit=2, deterministic=True)
after = rounds()
print(json.dumps({"outside": outside, "inside": inside, "after": after,
                  "status": planned["c0"].status}))
"""


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="the MALLOC_ variables tune glibc's heap only",
)
def test_a_centre_is_planned_with_the_heap_keeping_what_it_frees(
    city_root: Path, tmp_path: Path
) -> None:
    """Issue 20: not a timing but the page faults a fixed trim threshold costs, counted."""
    root = tmp_path / "root"
    shutil.copytree(city_root / "c0", root / "c0")
    env = {
        **os.environ,
        "MALLOC_TRIM_THRESHOLD_": "65536",
        "PYTHONPATH": str(Path(carecal.__file__).parents[1]),
    }
    done = subprocess.run(
        [sys.executable, "-c", _HEAP_SCRIPT, str(root)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["status"] == "planned"
    pages = 64 * 120_000 // 4096
    assert all(f > pages // 2 for f in seen["outside"] + seen["after"]), seen
    assert all(f < pages // 20 for f in seen["inside"][1:]), seen


# --- without Dask, one after another ---------------------------------------------------------


@pytest.fixture
def no_dask(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dask as if not installed: importing it raises ImportError."""
    monkeypatch.setitem(sys.modules, "distributed", None)
    monkeypatch.setitem(sys.modules, "dask", None)


@pytest.mark.usefixtures("no_dask")
def test_without_dask_the_command_says_how_to_install_it(
    city_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["city", str(city_root), "--date", str(DAY), "--out", str(out), *CLI_SOLVE]) == 2
    err = capsys.readouterr().err
    assert 'pip install "carecal[dask]"' in err and "--jobs 1" in err
    assert not out.exists()
    with pytest.raises(ExtraMissingError, match="carecal"):
        plan_city(city_root, DAY, **SOLVE)


@pytest.mark.usefixtures("no_dask")
def test_jobs_1_plans_one_after_another_without_dask(
    city_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args = ["city", str(city_root), "--date", str(DAY), "--out", str(out), "--jobs", "1"]
    assert main([*args, *CLI_SOLVE]) == 3
    err = capsys.readouterr().err
    assert "one after another" in err
    for name in GOOD:
        assert _verified(city_root, out, name) == []
    assert _rollup(out)[BAD]["status"] == "failed"


def test_a_changed_community_or_period_is_planned_again(city_root: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(city_root, root)
    shutil.rmtree(root / BAD)
    out = tmp_path / "out"
    plan_city(root, DAY, jobs=1, out=out, **SOLVE)

    # Another volunteer's name: another community, so c1 is planned again; c0 is kept.
    roster = root / "c1" / "volunteers.csv"
    text = roster.read_text(encoding="utf-8-sig")
    roster.write_text(text.replace("V001,", "V001,x", 1), encoding="utf-8")
    city = plan_city(root, DAY, jobs=1, out=out, **SOLVE)
    assert [c.status for c in city.centres] == ["skipped", "planned"]
    assert "another community" in city["c1"].note

    # Another date: every centre planned again.
    later = plan_city(root, DAY + dt.timedelta(days=2), jobs=1, out=out, **SOLVE)
    assert [c.status for c in later.centres] == ["planned", "planned"]
    assert "this run plans meals" in later["c0"].note


def test_an_interrupted_write_is_planned_again(city_root: Path, tmp_path: Path) -> None:
    """A folder left without its manifest (a run stopped mid-write) is not taken as done."""
    root = tmp_path / "root"
    shutil.copytree(city_root / "c0", root / "c0")
    out = tmp_path / "out"
    plan_city(root, DAY, jobs=1, out=out, **SOLVE)
    (out / "c0" / "manifest.json").unlink()
    (out / "c0" / ".carecal-writing").write_text("stopped", encoding="utf-8")
    city = plan_city(root, DAY, jobs=1, out=out, **SOLVE)
    assert city["c0"].status == "planned" and "incomplete" in city["c0"].note
    assert (out / "c0" / "manifest.json").is_file()


def test_the_rollup_is_escaped_and_spreadsheet_safe(city_root: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    odd = "=HYPERLINK(1)<b>x"
    shutil.copytree(city_root / "c0", root / odd)
    out = tmp_path / "out"
    city = plan_city(root, DAY, jobs=1, out=out, plots=True, **SOLVE)
    assert city.failed == []
    raw = (out / "city_summary.csv").read_text(encoding="utf-8-sig")
    assert f"'{odd}" in raw
    page = (out / "city_summary.html").read_text(encoding="utf-8")
    assert "<b>x" not in page and "&lt;b&gt;x" in page
    assert (out / "city_summary.png").read_bytes().startswith(b"\x89PNG")


def test_city_bars_draws_a_bar_per_centre(city_root: Path) -> None:
    pytest.importorskip("matplotlib")
    from carecal.plot import city_bars

    city = plan_city(city_root, DAY, jobs=1, **SOLVE)
    ax = city_bars(city)
    gids = {a.get_gid() for a in [*ax.patches, *ax.texts]}
    assert {"centre:c0:served", "centre:c1:served", f"centre:{BAD}:failed"} <= gids
    served = next(p for p in ax.patches if p.get_gid() == "centre:c0:served")
    assert served.get_width() == city["c0"].numbers["meals_served"]
    import matplotlib.pyplot as plt

    plt.close(ax.get_figure(root=True))  # type: ignore[arg-type]


# --- the API and the refusals ----------------------------------------------------------------


def test_plan_city_is_exported_lazily_and_plans_without_writing(city_root: Path) -> None:
    assert carecal.plan_city is plan_city and carecal.CityPlan is CityPlan
    city = plan_city(city_root, DAY, jobs=1, **SOLVE)
    assert set(city.plans) == set(GOOD) and set(city.errors) == {BAD}
    assert all(c.folder is None and c.broken_rules is None for c in city.centres)
    assert "2 planned" in repr(city) and "1 failed" in city.summary()


def test_an_unusable_root_exits_2(
    city_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = ["--date", str(DAY), "--out", str(tmp_path / "out")]
    assert main(["city", str(tmp_path / "nowhere"), *out]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert main(["city", str(city_root / "c0"), *out]) == 2
    assert "one centre's folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["city", str(tmp_path / "empty"), *out]) == 2
    assert "holds no centre" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_find_centres_takes_folders_and_workbooks_and_refuses_a_name_twice(
    tmp_path: Path,
) -> None:
    for name in ("b", "a"):
        (tmp_path / name).mkdir()
    (tmp_path / "z.xlsx").write_bytes(b"")
    (tmp_path / "~$z.xlsx").write_bytes(b"")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "notes.txt").write_text("", encoding="utf-8")
    assert [n for n, _ in find_centres(tmp_path, exclude=tmp_path / "b")] == ["a", "z"]
    (tmp_path / "a.xlsx").write_bytes(b"")
    with pytest.raises(OptionError, match="two centres are named 'a'"):
        find_centres(tmp_path)


def test_a_broken_workbook_is_a_failed_centre(city_root: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(city_root / "c0", root / "c0")
    (root / "broken.xlsx").write_bytes(b"not a workbook")
    city = plan_city(root, DAY, jobs=1, **SOLVE)
    assert city["c0"].status == "planned"
    assert city["broken"].status == "failed" and city["broken"].stage == "input"


def test_options_are_checked_before_any_centre_is_planned(city_root: Path) -> None:
    with pytest.raises(OptionError, match="time_limit"):
        plan_city(city_root, DAY, jobs=1, time_limit=0)
    with pytest.raises(OptionError, match="jobs"):
        plan_city(city_root, DAY, jobs=0)
    with pytest.raises(OptionError, match="not both"):
        plan_city(city_root, DAY, jobs=2, client="tcp://127.0.0.1:1")
    with pytest.raises(OptionError, match="end"):
        plan_city(city_root, DAY, DAY - dt.timedelta(days=1), jobs=1)
    with pytest.raises(OptionError, match="give out"):
        plan_city(city_root, DAY, jobs=1, plots=True)


def test_date_with_to_is_refused(
    city_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["city", str(city_root), "--date", str(DAY), "--to", str(DAY), "--out", str(tmp_path)]
    assert main(args) == 2
    assert "--to and --days go with --from" in capsys.readouterr().err


def test_a_lost_worker_is_the_centre_s_failure() -> None:
    """What a task lost with its worker (Dask's KilledWorker) reports."""
    from carecal.city import _Job, _worker_lost

    job = _Job("c9", "/x/c9", "meals", DAY, DAY, None, False, 2.0, 1, 0, True)
    lost = _worker_lost(job, distributed.KilledWorker("task", "worker", 1))
    assert lost.status == "failed" and lost.stage == "worker"
    assert "died" in lost.error and "memory" in lost.error
