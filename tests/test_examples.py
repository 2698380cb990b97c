"""The example scripts run as documented (so they cannot rot)."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parent.parent / "examples"


def test_plan_one_day_on_the_sample(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module = runpy.run_path(str(EXAMPLES / "plan_one_day.py"))
    out = tmp_path / "out"
    assert module["main"](_args(out)) == 0
    text = capsys.readouterr().out
    assert "Meal deliveries on 2027-03-01" in text
    assert (out / "meal_routes.csv").exists()


def _args(out: Path) -> list[str]:
    from carecal.datasets import sample_folder

    return [str(sample_folder()), "2027-03-01", str(out)]
