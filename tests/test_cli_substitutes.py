"""``carecal substitutes DATA --volunteer V --date D [--plan PLAN] [--lang] [--out FILE]``."""

from __future__ import annotations

from pathlib import Path

import pytest
from continuity_cases import LAST_MONDAY, MONDAY, TWO_MONDAYS_AGO, meals_by_hand, street

from carecal.cli import main
from carecal.io import write_community, write_plan
from carecal.model import Skill


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """V1..V3 carry meals on Mondays; V1 brought R1 and R2 their meals last Monday, V3 the
    Monday before (both in history/); V4 only escorts."""
    community = street(
        {"R1": 5, "R2": 6},
        ("V1", "V2", "V3", "V4"),
        skills={"V4": frozenset({Skill.ESCORT})},
        phones={"V3": "13900000003"},
    )
    folder = tmp_path / "data"
    write_community(community, folder)
    write_plan(
        meals_by_hand(LAST_MONDAY, {"V1": ["R1", "R2"]}), folder / "history" / "w47", community
    )
    write_plan(
        meals_by_hand(TWO_MONDAYS_AGO, {"V3": ["R1", "R2"]}), folder / "history" / "w46", community
    )
    return folder


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_prints_the_ranking_with_the_reasons(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        ["substitutes", str(data), "--volunteer", "V1", "--date", str(MONDAY)], capsys
    )
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith("Who could take over V1 on 2026-11-30: 10:45–12:30 (meals)")
    assert lines[1].startswith("  1. V3 volunteer V3 13900000003: free for all of V1's work")
    assert "knows 2 of V1's 2 elders (R1, R2)" in lines[1]
    assert lines[-1].startswith("  3. V4") and "lacks the meals skill" in lines[-1]


def test_out_writes_the_csv(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "subs.csv"
    argv = ["substitutes", str(data), "--volunteer", "V1", "--date", str(MONDAY)]
    status, _, err = run([*argv, "--out", str(target)], capsys)
    assert status == 0 and "Wrote 1 file(s)" in err
    rows = target.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].startswith("rank,volunteer_id,name,phone,free,skilled,knows")
    assert [r.split(",")[1] for r in rows[1:]] == ["V3", "V2", "V4"]


def test_with_a_plan_the_work_is_the_trips(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from carecal.io import read_community

    plan = tmp_path / "monday"
    write_plan(meals_by_hand(MONDAY, {"V1": ["R2"], "V2": ["R1"]}), plan, read_community(data))
    argv = ["substitutes", str(data), "--volunteer", "V1", "--date", str(MONDAY)]
    status, out, _ = run([*argv, "--plan", str(plan)], capsys)
    assert status == 0
    assert "1 elder(s)" in out.splitlines()[0]
    v2 = next(line for line in out.splitlines() if " V2 " in line)
    assert "busy with their own work in the plan" in v2


def test_an_unknown_volunteer_exits_2_with_did_you_mean(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "subs.csv"
    argv = ["substitutes", str(data), "--volunteer", "V01", "--date", str(MONDAY)]
    status, out, err = run([*argv, "--out", str(target)], capsys)
    assert status == 2 and out == ""
    assert "volunteer V01 is not in volunteers; did you mean V1" in err
    assert not target.exists()


def test_a_bad_date_exits_2_with_the_fix(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(
        ["substitutes", str(data), "--volunteer", "V1", "--date", "30/11/2026"], capsys
    )
    assert status == 2
    assert "--date" in err and "YYYY-MM-DD" in err


def test_a_day_without_work_exits_2(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(
        ["substitutes", str(data), "--volunteer", "V1", "--date", "2026-12-01"], capsys
    )
    assert status == 2 and "V1 pledged no time on 2026-12-01" in err


def test_in_chinese(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["substitutes", str(data), "--volunteer", "V1", "--date", str(MONDAY), "--lang", "zh"]
    status, out, _ = run(argv, capsys)
    assert status == 0
    assert "Who could take over" not in out and "knows" not in out
