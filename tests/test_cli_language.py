"""The command line speaks the command's language (issue 18): its status lines, the
broken-rule counts and the progress bar's stages, in Chinese with --lang zh (or lang in
policy.toml), in English otherwise."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from pathlib import Path

import pytest

from carecal.cli import EXIT_OK, _Bar, _Console, _progress, main
from carecal.datasets import sample_folder
from carecal.progress import ProgressEvent

CJK = re.compile(r"[\u4e00-\u9fff]")
MONDAY = dt.date(2027, 3, 1)


def test_a_planning_command_says_what_it_does_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args = ["meals", str(sample_folder()), "--date", str(MONDAY), "--out", str(out)]
    assert main([*args, "--time-limit", "2", "--deterministic", "--lang", "zh"]) == EXIT_OK
    said = capsys.readouterr().err
    for words in (
        "已读取",
        "位老人",
        "正在安排 2027-03-01（周一）的送餐路线。",
        "已写入",
        "已核验",
    ):
        assert words in said, words
    assert (out / "packing_list.html").is_file()
    # The same command in English says nothing in Chinese but the centre's own names.
    assert main([*args, "--time-limit", "2", "--deterministic"]) == EXIT_OK
    said = capsys.readouterr().err
    assert "Planning the meal routes of 2027-03-01 (Mon)." in said
    status = ("Read ", "Planning ", "Wrote ", "Verified ")
    lines = [line for line in said.splitlines() if line.startswith(status)]
    assert len(lines) == 4 and not any(CJK.search(line) for line in lines)


def test_policy_lang_makes_the_command_speak_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    shutil.copytree(sample_folder(), data)
    (data / "policy.toml").write_text('lang = "zh"\n', encoding="utf-8")
    assert main(["validate", str(data)]) == EXIT_OK
    said = capsys.readouterr().err
    assert said.startswith("已读取 ") and "输入无误" in said


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_says_the_stages_in_the_language(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _progress(_Console(_Tty(), lang="en")) is True
    assert _progress(_Console(io.StringIO(), lang="zh")) is False
    bar = _progress(_Console(_Tty(), lang="zh"))
    assert isinstance(bar, _Bar)
    for stage in ("building", "routing"):
        bar(ProgressEvent("plan_meals", stage, "…", elapsed=1.0, time_limit=4.0))
    bar.close()
    drawn = capsys.readouterr().err
    assert "送餐路线" in drawn and "排路线" in drawn and "routing" not in drawn
