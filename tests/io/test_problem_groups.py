"""Grouped problems: the same problem in many rows said once with the rows, what the
command line prints bounded, and `--problems FILE` holding every single one."""

from __future__ import annotations

import random
import shutil
import warnings
from pathlib import Path

import pytest
from io_data import AS_OF, DATA, csv_texts

from carecal.cli import EXIT_INVALID, EXIT_OK, main
from carecal.errors import CarecalWarning, CommunityError
from carecal.io import community_from_csv_texts, read_community
from carecal.io.problems import group_problems


def _birth_dates(n: int) -> list[str]:
    return [
        f"residents.csv row {i} (resident R{i:04d}), column birth_date: '1963/2/{i % 28 + 1}x' "
        "is not a date; write it as YYYY-MM-DD, for example 2026-03-02"
        for i in range(2, n + 2)
    ]


def test_same_problem_in_many_rows_is_one_group_with_the_rows_and_examples() -> None:
    (group,) = group_problems(_birth_dates(525))
    head, *examples = group.splitlines()
    assert head == (
        "residents.csv column birth_date, rows 2–526 (525 rows): '1963/2/3x' is not a date; "
        "write it as YYYY-MM-DD, for example 2026-03-02"
    )
    assert examples == [
        "  row 2 (resident R0002): '1963/2/3x' is not a date; write it as YYYY-MM-DD, for "
        "example 2026-03-02",
        "  row 3 (resident R0003): '1963/2/4x' is not a date; write it as YYYY-MM-DD, for "
        "example 2026-03-02",
        "  row 4 (resident R0004): '1963/2/5x' is not a date; write it as YYYY-MM-DD, for "
        "example 2026-03-02",
    ]


def test_groups_keep_file_row_column_order_and_single_problems_stay_as_they_are() -> None:
    problems = [
        "policy.toml is not valid TOML",
        "residents.csv row 2 (resident A), column age: 'x' is not a whole number",
        "residents.csv row 2 (resident A), column lat: 'y' is not a number",
        "residents.csv row 3 (resident B), column age: 'z' is not a whole number",
        "residents.csv row 9 (resident C), column age: 'w' is not a whole number",
        "residents.csv row 9 (resident C), column floor: 'v' is not a whole number",
        "sites.csv has no kitchen; add a row with kind kitchen",
    ]
    groups = group_problems(problems)
    assert [g.splitlines()[0] for g in groups] == [
        "policy.toml is not valid TOML",
        "residents.csv column age, rows 2–3, 9 (3 rows): 'x' is not a whole number",
        "residents.csv row 2 (resident A), column lat: 'y' is not a number",
        "residents.csv row 9 (resident C), column floor: 'v' is not a whole number",
        "sites.csv has no kitchen; add a row with kind kitchen",
    ]


def test_a_different_problem_in_the_same_column_is_another_group() -> None:
    problems = [
        "residents.csv row 2, column portions: 'two' is not a whole number; write digits",
        "residents.csv row 3, column portions: 0 is below 1; write 1 or more",
        "residents.csv row 4, column portions: 'three' is not a whole number; write digits",
        "residents.csv row 5, column portions: 0 is below 1; write 1 or more",
    ]
    heads = [g.splitlines()[0] for g in group_problems(problems)]
    assert heads == [
        "residents.csv column portions, rows 2, 4 (2 rows): 'two' is not a whole number; "
        "write digits",
        "residents.csv column portions, rows 3, 5 (2 rows): 0 is below 1; write 1 or more",
    ]


def test_rows_a_csv_reader_could_not_split_are_grouped_too() -> None:
    problems = [
        f"sites.csv row {i} has 12 cells but the header has 11 columns; quote it"
        for i in (2, 3, 4, 8)
    ]
    (group,) = group_problems(problems)
    assert group.splitlines()[0] == (
        "sites.csv, rows 2–4, 8 (4 rows): row 2 has 12 cells but the header has 11 columns; "
        "quote it"
    )


def test_long_runs_of_rows_are_cut() -> None:
    problems = [
        f"residents.csv row {i}, column age: 'x' is not a whole number" for i in range(2, 60, 2)
    ]
    head = group_problems(problems)[0].splitlines()[0]
    assert head.startswith("residents.csv column age, rows 2, 4, 6, 8, 10, 12, 14, 16, … (29 rows)")


def test_dataframe_rows_named_by_index_label() -> None:
    problems = [
        f"residents table index {label}, column age: 'x' is not a whole number"
        for label in ("a", "b")
    ]
    head = group_problems(problems)[0].splitlines()[0]
    assert head == "residents table column age, index a, b (2 rows): 'x' is not a whole number"


def test_community_error_keeps_the_full_list(tmp_path: Path) -> None:
    rows = "".join(f"R{i},N,1963/2/30,,31.23,121.47,,1,no,independent\n" for i in range(40))
    residents = "resident_id,name,birth_date,age,lat,lon,address,floor,has_lift,mobility\n"
    with pytest.raises(CommunityError) as caught:
        community_from_csv_texts(csv_texts(residents=residents + rows), as_of=AS_OF)
    assert len(caught.value.problems) == 40
    assert len(group_problems(caught.value.problems)) == 1


_GARBAGE = ("x", "??", "n/a", "1e400", "-", "abc", "31,2", "周八", "25:99", "2026-13-01", "#REF!")


def _garbage_folder(folder: Path, rows: int) -> None:
    """tests/data/Valid with a residents.csv of ``rows`` rows of junk in every column."""
    shutil.copytree(DATA / "Valid", folder)
    path = folder / "residents.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0]
    width = len(header.split(","))
    rng = random.Random(7)
    lines = [header]
    for i in range(rows):
        cells = [f"G{i}", *(rng.choice(_GARBAGE) for _ in range(width - 1))]
        lines.append(",".join(f'"{c}"' for c in cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_twenty_thousand_garbage_rows_print_a_short_list_and_the_file_has_every_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "garbage"
    _garbage_folder(folder, 20_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CarecalWarning)
        with pytest.raises(CommunityError) as caught:
            read_community(folder, as_of=AS_OF)
    problems = caught.value.problems
    assert len(problems) > 100_000

    full = tmp_path / "problems.txt"
    status = main(["-q", "validate", str(folder), "--as-of", str(AS_OF), "--problems", str(full)])
    assert status == EXIT_INVALID
    printed = capsys.readouterr().err.splitlines()
    assert len(printed) < 100
    assert printed[0] == f"carecal: {len(problems):,} problem(s):"
    assert any("rows 2–20001 (20,000 rows)" in line for line in printed)
    assert printed[-1] == f"  (every problem, one per line: {full})"
    assert full.read_text(encoding="utf-8").splitlines() == problems


def test_problems_file_on_a_planning_command_and_emptied_by_a_valid_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "bad"
    _garbage_folder(folder, 30)
    full = tmp_path / "问题.txt"
    out = tmp_path / "out"
    argv = ["-q", "meals", str(folder), "--date", "2026-03-02", "--out", str(out)]
    assert main([*argv, "--problems", str(full)]) == EXIT_INVALID
    lines = full.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 30 and all(line.startswith("residents.csv") for line in lines)
    assert not out.exists()
    capsys.readouterr()
    good = ["-q", "validate", str(DATA / "Valid"), "--as-of", str(AS_OF), "--problems", str(full)]
    assert main(good) == EXIT_OK
    assert full.read_text(encoding="utf-8") == ""
