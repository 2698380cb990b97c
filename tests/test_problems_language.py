"""The problems carecal finds outside the tables' cells are said in the command's language
too (issue 18 item 3): a bad policy.toml, the model's own sentences (a change that ends
before it starts, a broken cross-reference), a plan folder read back with an unknown id.
In Chinese with --lang zh (or lang in policy.toml); the file, key, row, column, id and
value as written are put in untouched; in English, word for word as before, by default."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from carecal.cli import EXIT_INVALID, EXIT_OK, main
from carecal.datasets import sample_community, sample_folder
from carecal.errors import CommunityError
from carecal.i18n import render
from carecal.io.problems import group_problems
from carecal.model import Availability, Community, Resident, Volunteer

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
MONDAY = "2027-03-01"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the sample community's tables, to break."""
    folder = tmp_path / "data"
    shutil.copytree(sample_folder(), folder)
    return folder


def _printed(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["-q", *args]) == EXIT_INVALID
    return capsys.readouterr().err


# --- policy.toml ------------------------------------------------------------------------------

BAD_POLICY = (
    "max_food_minutes = -5\n"
    'meals_redy = "10:45"\n'
    "capacity = { walk = 4, bke = 3 }\n"
    'shortage_order = ["bedriden"]\n'
    "meals_ready = 1045\n"
)


def test_a_bad_policy_toml_in_chinese(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (data / "policy.toml").write_text(BAD_POLICY, encoding="utf-8")
    said = _printed(capsys, "validate", str(data), "--lang", "zh")
    lines = [line.strip() for line in said.splitlines()[1:]]
    assert lines == [
        "- policy.toml：meals_ready = 1045：这里不能用数字表示时间；请写成带引号的 "
        '"HH:MM"，例如 meals_ready = "10:45"',
        "- policy.toml：max_food_minutes = -5：小于 1；请写 1 到 1440 之间的整数，例如 "
        "max_food_minutes = 45",
        '- policy.toml：meals_redy = "10:45"：不是规则设置项；您是不是要写 meals_ready？'
        "所有设置项见 docs/policy.md",
        "- policy.toml：capacity.bke = 3：bke 不是出行方式；您是不是要写 bike？"
        "请用 walk、bike、ebike 或 car",
        '- policy.toml：shortage_order = ["bedriden"]：bedriden 不是 carecal 认识的条件；'
        "您是不是要写 bedridden？请用 skipped_last_time、bedridden、wheelchair、lives_alone "
        '或 diabetic，例如 shortage_order = ["skipped_last_time", "bedridden", '
        '"lives_alone", "diabetic"]',
    ]


def test_a_bad_policy_toml_in_english_by_default(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (data / "policy.toml").write_text(BAD_POLICY, encoding="utf-8")
    said = _printed(capsys, "validate", str(data))
    assert not CJK.search(said)
    assert (
        "policy.toml: max_food_minutes = -5: is below 1; write a whole number from 1 to "
        "1440, for example max_food_minutes = 45" in said
    )
    assert (
        "policy.toml: capacity.bke = 3: bke is not a travel mode; did you mean bike? Use "
        "walk, bike, ebike or car" in said
    )


def test_lang_in_the_bad_policy_toml_itself_says_its_problems_in_chinese(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (data / "policy.toml").write_text(
        'lang = "zh"\ndefault_window_start = "13:00"\nescort_mobilities = "walker"\n',
        encoding="utf-8",
    )
    said = _printed(capsys, "validate", str(data))
    assert (
        'policy.toml：default_window_start = "13:00", default_window_end = "12:30"：默认送餐'
        "时段 13:00–12:30 结束早于开始" in said
    )
    assert 'escort_mobilities = "walker"：是文字，不是列表；请写成列表，例如 ' in said
    # A language carecal does not write is itself a problem, said in English (lang unknown).
    (data / "policy.toml").write_text('lang = "ZH"\n', encoding="utf-8")
    said = _printed(capsys, "validate", str(data))
    assert said.strip() == (
        'carecal: policy.toml: lang = "ZH": is not a language carecal writes; did you mean '
        'zh? Use en or zh, for example lang = "zh"'
    )


# --- the model's own sentences ----------------------------------------------------------------


def test_a_change_ending_before_it_starts_in_chinese(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (data / "changes.csv").write_text(
        "kind,id,start,end\nvolunteer_off,V001,2027-03-05,2027-03-02\n", encoding="utf-8"
    )
    said = _printed(capsys, "validate", str(data), "--lang", "zh")
    assert said.strip() == (
        "carecal: changes.csv 第 2 行（变动 V001）：volunteer_off V001：结束 2027-03-02 早于"
        "开始 2027-03-05；请对调二者或改正其中一个；请改正这个值"
    )
    said = _printed(capsys, "validate", str(data))
    assert said.strip() == (
        "carecal: changes.csv row 2 (change V001): volunteer_off V001: end 2027-03-02 comes "
        "before start 2027-03-05; swap them or correct one; correct the value"
    )


def _resident(rid: str, **values: object) -> Resident:
    return Resident(resident_id=rid, name="x", age=80, lat=31.2, lon=121.4, **values)  # type: ignore[arg-type]


def test_cross_references_of_a_community_in_either_language() -> None:
    """A community built in Python: its broken references are records, said in Chinese by
    render and group_problems, and read in English as they always have."""
    sample = sample_community()
    volunteer = Volunteer(volunteer_id="V1", name="y", lat=31.2, lon=121.4, mode="walk")
    with pytest.raises(CommunityError) as caught:
        Community(
            residents=(_resident("R1", preferred_volunteers=("V9",)), _resident("R1")),
            volunteers=(volunteer,),
            availability=(Availability(volunteer_id="V7", day="Mon"),),
            sites=sample.sites,
        )
    problems = caught.value.problems
    assert problems == [
        "resident id R1 appears more than once; each resident needs its own id",
        "availability names volunteer V7, who is not in volunteers; add them to volunteers "
        "or correct the id",
        "resident R1 prefers volunteer V9, who is not in volunteers; correct the id or remove it",
    ]
    assert [render(p, "zh") for p in problems] == [
        "老人编号 R1 出现了不止一次；每个老人都要有自己的编号",
        "availability 中写了志愿者 V7，但 volunteers 中没有此人；请把此人加到 volunteers "
        "中，或改正编号",
        "老人 R1 希望由志愿者 V9 送餐，但 volunteers 中没有此人；请改正编号或删去",
    ]
    assert (
        group_problems(problems, lang="zh")[0]
        == "老人编号 R1 出现了不止一次；每个老人都要有自己的编号"
    )
    assert [render(p, "en") for p in problems] == problems


def test_a_change_naming_an_unknown_id_says_the_nearest_in_chinese() -> None:
    community = sample_community()
    with pytest.raises(CommunityError) as caught:
        community.with_change(
            kind="resident_away", id="R00001", start="2027-03-02", end="2027-03-03"
        )
    (problem,) = caught.value.problems
    assert problem == (
        "change resident_away from 2027-03-02 names resident R00001, who is not in residents; "
        "did you mean R0001? correct the id"
    )
    assert render(problem, "zh") == (
        "2027-03-02 起的 resident_away 变动写了老人 R00001，但 residents 中没有；"
        "您是不是要写 R0001？请改正编号"
    )


# --- a plan folder read back ------------------------------------------------------------------


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One day's meal plan of the sample, written once for the tests below."""
    out = tmp_path_factory.mktemp("plan") / "meals"
    args = ["-q", "meals", str(sample_folder()), "--date", MONDAY, "--out", str(out)]
    assert main([*args, "--time-limit", "2", "--deterministic"]) == EXIT_OK
    return out


def test_a_plan_folder_with_an_unknown_id_in_either_language(
    plan: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edited = tmp_path / "edited"
    shutil.copytree(plan, edited)
    routes = edited / "meal_routes.csv"
    with routes.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    rows[1][rows[0].index("resident_id")] = "R9999"
    with routes.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    said = _printed(capsys, "verify", str(sample_folder()), str(edited), "--lang", "zh")
    assert said.strip() == (
        "carecal: meal_routes.csv 第 2 行，resident_id 列：老人 R9999 不在 residents.csv 中；"
        "请改正编号"
    )
    said = _printed(capsys, "verify", str(sample_folder()), str(edited))
    assert said.strip() == (
        "carecal: meal_routes.csv row 2, column resident_id: resident R9999 is not in "
        "residents.csv; correct the id"
    )


def test_an_incomplete_plan_folder_in_chinese(
    plan: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edited = tmp_path / "edited"
    shutil.copytree(plan, edited)
    (edited / "unserved.csv").unlink()
    said = _printed(capsys, "verify", str(sample_folder()), str(edited), "--lang", "zh")
    assert said.strip() == (
        f"carecal: {edited} 不完整：manifest.json 中列出的 unserved.csv 不见了；请恢复该文件，"
        "或重新写出计划"
    )
    said = _printed(capsys, "verify", str(sample_folder()), str(edited))
    assert said.strip() == (
        f"carecal: {edited} is incomplete: unserved.csv listed in manifest.json is missing; "
        "restore it or write the plan again"
    )
