"""End-to-end tests of the command line through ``main([...])``."""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import sys
from pathlib import Path

import pytest

import carecal.solver.week as week_module
from carecal import cli
from carecal.cli import EXIT_INVALID, EXIT_OK, EXIT_VIOLATIONS, _Console, main
from carecal.datasets import make_community, sample_folder
from carecal.io import write_community
from carecal.options import SolveOptions

MONDAY = dt.date(2027, 3, 1)
SAMPLE = sample_folder()


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated community (60 residents, 12 volunteers) written as CSV files."""
    folder = tmp_path_factory.mktemp("data")
    write_community(make_community(60, 12, seed=5, meal_orders=10, escorts=4), folder)
    return folder


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_validate_ok(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(data)]) == EXIT_OK
    assert "The input is valid" in capsys.readouterr().err


def test_meals_writes_routes_and_verifies(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code = main(
        [
            "-q",
            "meals",
            str(data),
            "--date",
            str(MONDAY),
            "--out",
            str(out),
            "--time-limit",
            "2",
            "--deterministic",
        ]
    )
    assert code == EXIT_OK
    routes = _rows(out / "meal_routes.csv")
    unserved = _rows(out / "unserved.csv")
    assert (out / "summary.md").exists()
    # every delivery of the day is on a route or listed as unserved
    orders = make_community(60, 12, seed=5, meal_orders=10, escorts=4).deliveries_on(MONDAY)
    listed = {r["resident_id"] for r in routes} | {u["id"] for u in unserved}
    assert listed == {r.resident_id for r in orders}
    # and the folder passes `carecal verify`
    assert main(["-q", "verify", str(data), str(out)]) == EXIT_OK


def test_verify_catches_a_hand_edit(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    main(
        [
            "-q",
            "meals",
            str(data),
            "--date",
            str(MONDAY),
            "--out",
            str(out),
            "--time-limit",
            "1",
            "--deterministic",
        ]
    )
    rows = _rows(out / "meal_routes.csv")
    assert rows, "the generated day should have at least one route"
    rows[0]["arrival"] = "06:00"  # a coordinator moves a delivery to before the window
    with (out / "meal_routes.csv").open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    capsys.readouterr()
    assert main(["verify", str(data), str(out)]) == EXIT_VIOLATIONS
    loud = capsys.readouterr().err
    assert f"meals {MONDAY}: " in loud and "broken rule" in loud
    # -q hides the chatter, not the broken rules (issue 15 item 10).
    assert main(["-q", "verify", str(data), str(out)]) == EXIT_VIOLATIONS
    quiet = capsys.readouterr().err
    assert "Read " not in quiet
    violations = [line for line in loud.splitlines() if line.startswith("  [")]
    assert violations and all(line in quiet.splitlines() for line in violations)


def test_unreadable_plan_folder_lists_every_bad_cell(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two malformed cells of an edited shift_plan.csv: exit 2, both listed one per line
    under a count (one alone stays on the first line)."""
    out = tmp_path / "plan"
    out.mkdir()
    header = "date,shift_id,role,start,end,volunteer_id\n"
    bad = "2026-13-30,S1,centre,09:00,12:00,V01\n2026-11-30,S1,centre,9am,12:00,V01\n"
    (out / "shift_plan.csv").write_text(header + bad, encoding="utf-8")
    assert main(["-q", "verify", str(data), str(out)]) == EXIT_INVALID
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "carecal: 2 problem(s):"
    assert lines[1].startswith("  - shift_plan.csv row 2, column date:")
    assert lines[2].startswith("  - shift_plan.csv row 3, column start:")
    (out / "shift_plan.csv").write_text(header + bad.splitlines()[0] + "\n", encoding="utf-8")
    assert main(["-q", "verify", str(data), str(out)]) == EXIT_INVALID
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("carecal: shift_plan.csv row 2, column date:")


def test_invalid_input_exits_2_with_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "bad"
    write_community(make_community(10, 3, seed=1), folder)
    text = (folder / "residents.csv").read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    lines[1] = lines[1].replace(lines[1].split(",")[0], "R0002", 1)  # duplicate id
    (folder / "residents.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["meals", str(folder), "--date", str(MONDAY), "--out", str(tmp_path / "o")]) == (
        EXIT_INVALID
    )
    err = capsys.readouterr().err
    assert "residents.csv" in err and "R0002" in err
    assert "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_missing_folder_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nowhere")]) == EXIT_INVALID
    assert "no such folder" in capsys.readouterr().err


def test_bad_date_exits_2(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["meals", str(data), "--date", "30/11/2026", "--out", str(tmp_path)]) == (
        EXIT_INVALID
    )
    err = capsys.readouterr().err
    assert "--date" in err and "YYYY-MM-DD" in err


def test_health_checks_end_to_end(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "hc"
    code = main(
        [
            "-q",
            "health-checks",
            str(data),
            "--out",
            str(out),
            "--time-limit",
            "3",
            "--deterministic",
        ]
    )
    assert code == EXIT_OK
    assert (out / "health_checks.csv").exists() and (out / "unserved.csv").exists()
    assert main(["-q", "verify", str(data), str(out)]) == EXIT_OK


def test_shifts_end_to_end(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    community = make_community(40, 15, seed=2)
    # The generated meal and escort shifts are `auto`; without a demand they cannot be
    # planned on their own, so keep the centre shifts only.
    fixed = tuple(s for s in community.shifts if s.min_volunteers is not None)
    write_community(community.with_changes(shifts=fixed), folder)
    out = tmp_path / "out"
    code = main(
        [
            "-q",
            "shifts",
            str(folder),
            "--from",
            "2027-03-01",
            "--to",
            "2027-03-07",
            "--out",
            str(out),
            "--time-limit",
            "3",
            "--deterministic",
        ]
    )
    assert code == EXIT_OK
    assert _rows(out / "shift_plan.csv")
    assert main(["-q", "verify", str(folder), str(out)]) == EXIT_OK


def test_demo_writes_the_schedules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--time-limit", "1"]) == EXIT_OK
    assert (out / "week" / "meal_routes.csv").exists()
    assert (out / "week" / "shift_plan.csv").exists()
    assert any((out / "week" / "routes").glob("*.html"))
    assert (out / "health_checks" / "health_checks.csv").exists()
    assert "The schedules are in" in capsys.readouterr().err
    # Both folders verify as written, the week's auto meal shifts included.
    for folder in ("week", "health_checks"):
        assert main(["-q", "verify", str(SAMPLE), str(out / folder)]) == EXIT_OK, folder


def test_week_plans_meals_and_auto_shifts_and_verifies(tmp_path: Path) -> None:
    """`carecal week` on the sample (whose meal shifts are ``auto``): meals and shifts in
    one folder, verified before writing and again when read back."""
    out = tmp_path / "week"
    args = ["-q", "week", str(SAMPLE), "--from", "2026-11-30", "--days", "1"]
    assert main([*args, "--out", str(out), "--time-limit", "1"]) == EXIT_OK
    assert (out / "meal_routes.csv").exists()
    assert _rows(out / "shift_plan.csv")
    assert main(["-q", "verify", str(SAMPLE), str(out)]) == EXIT_OK


def test_week_needs_a_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["week", str(SAMPLE), "--from", "2026-11-30", "--days", "0"]
    assert main([*args, "--out", str(tmp_path / "w")]) == EXIT_INVALID
    assert "--days" in capsys.readouterr().err
    assert not (tmp_path / "w").exists()


@pytest.mark.parametrize("command", ["shifts", "week"])
def test_days_and_to_together_are_refused(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [command, str(SAMPLE), "--from", "2026-11-30", "--to", "2026-12-06", "--days", "7"]
    assert main([*args, "--out", str(tmp_path / "w")]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "--days" in err and "--to" in err
    assert not (tmp_path / "w").exists()


@pytest.mark.parametrize("command", ["shifts", "week", "health-checks"])
def test_to_before_from_exits_2(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [command, str(SAMPLE), "--from", "2026-12-06", "--to", "2026-11-30"]
    assert main([*args, "--out", str(tmp_path / "w")]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "--to 2026-11-30 comes before --from 2026-12-06" in err
    assert "Traceback" not in err
    assert not (tmp_path / "w").exists()


def test_a_bad_from_date_names_the_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["week", str(SAMPLE), "--from", "2026-02-30", "--out", str(tmp_path / "w")]
    assert main(args) == EXIT_INVALID
    assert "carecal: --from '2026-02-30' is not a date" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--workers", "0"), ("--workers", "two"), ("--time-limit", "0"), ("--seed", "-1")],
)
def test_bad_solve_options_exit_2(
    flag: str, value: str, data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["meals", str(data), "--date", str(MONDAY), "--out", str(tmp_path / "o")]
    assert main([*args, flag, value]) == EXIT_INVALID
    assert f"argument {flag}:" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_days_is_a_shorthand_for_to(tmp_path: Path) -> None:
    """`--days 3` and `--to` two days on plan the same shifts (deterministic solves)."""
    folder = tmp_path / "data"
    community = make_community(40, 15, seed=2)
    fixed = tuple(s for s in community.shifts if s.min_volunteers is not None)
    write_community(community.with_changes(shifts=fixed), folder)
    common = ["-q", "shifts", str(folder), "--from", "2027-03-01"]
    options = ["--time-limit", "2", "--deterministic", "--workers", "1"]
    by_days, by_to = tmp_path / "days", tmp_path / "to"
    assert main([*common, "--days", "3", "--out", str(by_days), *options]) == EXIT_OK
    assert main([*common, "--to", "2027-03-03", "--out", str(by_to), *options]) == EXIT_OK
    rows = _rows(by_days / "shift_plan.csv")
    assert rows and {r["date"] for r in rows} <= {"2027-03-01", "2027-03-02", "2027-03-03"}
    assert rows == _rows(by_to / "shift_plan.csv")


def test_week_parts_share_the_time_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`carecal week --time-limit 4`: the time limits the week hands its parts (meals each
    date, the campaign, the shifts, the re-routes) add up to at most 4 seconds; the folder
    is read back and verified."""
    limits: list[float] = []
    real = week_module._part

    def part(options: SolveOptions, share: float, planner: str) -> SolveOptions:
        given = real(options, share, planner)
        limits.append(given.time_limit)
        return given

    monkeypatch.setattr(week_module, "_part", part)
    out = tmp_path / "week"
    args = ["week", str(SAMPLE), "--from", "2027-03-01", "--days", "2", "--out", str(out)]
    assert main([*args, "--time-limit", "4"]) == EXIT_OK
    assert len(limits) >= 4  # two dates, the campaign, the shifts
    assert sum(limits) <= 4
    assert "Verified" in capsys.readouterr().err


def test_shifts_alone_with_auto_shifts_points_to_week(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sample's meal shifts are ``auto``: planning shifts alone cannot know how many
    carriers they need, and the error says to plan the week instead."""
    args = ["shifts", str(SAMPLE), "--from", "2026-11-30", "--to", "2026-12-06"]
    assert main([*args, "--out", str(tmp_path / "s")]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "min_volunteers auto" in err and "carecal week" in err
    assert not (tmp_path / "s").exists()


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("tty", "quiet", "bar"), [(True, False, True), (False, False, False), (True, True, False)]
)
def test_a_progress_bar_only_in_a_terminal_and_never_with_quiet(
    tty: bool, quiet: bool, bar: bool
) -> None:
    assert _Console(_Stream(tty), quiet=quiet).progress is bar


def test_the_command_line_module_imports_nothing_heavy() -> None:
    """`carecal --help` answers at once: pandas, OR-Tools, the readers and the planners
    are imported by the commands that use them, not when the module loads."""
    tree = ast.parse(Path(cli.__file__).read_text(encoding="utf-8"))
    loaded = set()
    for node in tree.body:  # the module level only; TYPE_CHECKING blocks never run
        if isinstance(node, ast.Import):
            loaded |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            loaded.add(node.module)
    carecal_modules = {name for name in loaded if name.split(".")[0] == "carecal"}
    # carecal.i18n is light too: gettext, and Babel only when a date is written out.
    assert carecal_modules == {"carecal.clock", "carecal.errors", "carecal.i18n"}
    assert {name.split(".")[0] for name in loaded - carecal_modules} <= set(
        sys.stdlib_module_names
    ) | {"__future__"}


def test_meals_with_xlsx_and_plots_on_the_sample(tmp_path: Path) -> None:
    """`--xlsx --plots`: the workbook and the pictures beside the CSVs, in the manifest,
    the folder verified; a later run without the flags takes them away again."""
    pytest.importorskip("matplotlib")
    import json

    import openpyxl

    out = tmp_path / "out"
    args = ["-q", "meals", str(SAMPLE), "--date", str(MONDAY), "--out", str(out)]
    limits = ["--time-limit", "2", "--deterministic"]
    assert main([*args, *limits, "--xlsx", "--plots"]) == EXIT_OK
    listed = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]
    assert "plan.xlsx" in listed and f"plots/route_map_{MONDAY}.png" in listed
    book = openpyxl.load_workbook(out / "plan.xlsx")
    routes = _rows(out / "meal_routes.csv")
    carriers = list(dict.fromkeys(r["volunteer_id"] for r in routes))
    assert book.sheetnames == [
        "summary",
        "meal_routes",
        "unserved",
        *(f"route {v}" for v in carriers),
    ]
    sheet = book["meal_routes"]
    header = [c.value for c in sheet[1]]
    assert sheet.max_row == len(routes) + 1
    names = [
        sheet.cell(row=i, column=header.index("resident_name") + 1).value
        for i in range(2, sheet.max_row + 1)
    ]
    assert names == [r["resident_name"] for r in routes] and all(names)
    assert all(r["volunteer_name"] for r in routes)
    assert main(["-q", "verify", str(SAMPLE), str(out)]) == EXIT_OK
    assert main([*args, *limits]) == EXIT_OK
    assert not (out / "plan.xlsx").exists() and not (out / "plots").exists()


def test_week_with_xlsx_has_a_rota(tmp_path: Path) -> None:
    import openpyxl

    out = tmp_path / "week"
    args = ["-q", "week", str(SAMPLE), "--from", "2026-11-30", "--days", "1", "--xlsx"]
    assert main([*args, "--out", str(out), "--time-limit", "1", "--deterministic"]) == EXIT_OK
    book = openpyxl.load_workbook(out / "plan.xlsx")
    assert {"meal_routes", "shift_plan", "unserved", "rota"} <= set(book.sheetnames)
    rota = book["rota"]
    assert [c.value for c in rota[1]] == ["volunteer_id", "volunteer_name", "2026-11-30 Mon"]
    on_shift = {r["volunteer_id"] for r in _rows(out / "shift_plan.csv")}
    assert {r[0] for r in rota.iter_rows(min_row=2, values_only=True)} == on_shift


@pytest.mark.parametrize("command", ["meals", "health-checks", "shifts", "week", "demo"])
def test_plots_without_the_plot_extra_exits_2_before_planning(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out = tmp_path / "out"
    period = ["--from", "2026-11-30", "--days", "1"] if command in ("shifts", "week") else []
    data = [] if command == "demo" else [str(SAMPLE)]
    assert main([command, *data, *period, "--out", str(out), "--plots"]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "matplotlib" in err and 'pip install "carecal[plot]"' in err
    assert "Planning" not in err and not out.exists()


def test_every_planning_command_takes_xlsx_and_plots() -> None:
    parser = cli._parser()
    for command in ("meals", "health-checks", "shifts", "week", "demo"):
        args = parser.parse_args(
            [command, *([] if command == "demo" else ["d"]), "--out", "o"]
            + (["--from", "2026-11-30"] if command in ("shifts", "week") else [])
            + ["--xlsx", "--plots"]
        )
        assert args.xlsx and args.plots, command
