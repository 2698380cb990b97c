"""Input problems in the centre's language (issue 18): the readers make each problem as a
record (where, and a message id with its values), English as its text, said in Chinese on
request; the command line says them in --lang, or in policy.toml's lang when that file
reads; file names, rows, columns, ids and cells are never translated."""

from __future__ import annotations

import pickle
import re
import shutil
import warnings
from pathlib import Path

import pytest
from io_data import AS_OF, DATA, csv_texts

from carecal.cli import EXIT_INVALID, main
from carecal.errors import CarecalWarning, CommunityError
from carecal.i18n import N_, Choices, Message, render, translator
from carecal.io import community_from_csv_texts, read_community
from carecal.io.problems import Problem, Where, group_problems, render_problem
from carecal.io.schema import INPUT_TABLES

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u3000-\u303f]")
# What the English may hold in Chinese: the file's own header and cell, and a date written
# as the fix suggests (1950年3月2日).
_OWN = re.compile(r"出生日期|二楼|\d{4}年\d{1,2}月\d{1,2}日")


def _english(text: str) -> bool:
    return not CJK.search(_OWN.sub("", text))


# A roster with one defect of each family in its rows: a date Excel cannot have, a date
# with the year last, a floor that is no number, a mobility misspelt (did-you-mean), a
# resident under 60, and a window that closes before it opens.
_RESIDENTS = (
    "resident_id,name,出生日期,lat,lon,address,floor,has_lift,mobility,meal_days,"
    "window_start,window_end\n"
    "R001,王芳,1963/2/30,31.2301,121.4701,,2,no,independent,Mon,11:00,12:00\n"
    "R002,李明,02/03/1950,31.2302,121.4702,,2,no,independent,Mon,11:00,12:00\n"
    "R003,张伟,1950-01-01,31.2303,121.4703,,二楼,no,independent,Mon,11:00,12:00\n"
    "R004,刘洋,1950-01-01,31.2304,121.4704,,2,no,wheelchiar,Mon,11:00,12:00\n"
    "R005,陈静,1990-01-01,31.2305,121.4705,,2,no,independent,Mon,11:00,12:00\n"
    "R006,杨光,1950-01-01,31.2306,121.4706,,2,no,independent,Mon,12:00,11:00\n"
)


def _problems(**tables: str) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CarecalWarning)
        with pytest.raises(CommunityError) as caught:
            community_from_csv_texts(csv_texts(**tables), as_of=AS_OF)
    return caught.value.problems


def test_the_error_keeps_english_and_each_problem_can_be_said_in_chinese() -> None:
    problems = _problems(residents=_RESIDENTS)
    assert len(problems) == 6
    assert all(isinstance(p, Problem) for p in problems)
    for problem in problems:
        zh = render_problem(problem, "zh")
        assert _english(problem), problem
        assert render_problem(problem, "en") == problem
        assert CJK.search(zh) and zh != problem
        # The place and the cell stay as they are: the file, the row, the resident's id.
        assert zh.startswith("residents.csv 第 ")
        assert problem.where.ident in zh and f"第 {problem.where.label} 行" in zh
    by_row = {p.where.label: render_problem(p, "zh") for p in problems}
    assert "'1963/2/30'" in by_row["2"] and "出生日期（birth_date）" in by_row["2"]
    assert "1950-03-02" in by_row["3"] and "1950-02-03" in by_row["3"] and "年份" in by_row["3"]
    assert "'二楼'" in by_row["4"] and "整数" in by_row["4"]
    assert "wheelchair" in by_row["5"] and "您是不是要写" in by_row["5"]
    assert "independent、walker、wheelchair 或 bedridden" in by_row["5"]
    assert "不满 60 岁" in by_row["6"]
    assert "12:00–11:00" in by_row["7"] and "window_start" in by_row["7"]


def test_a_problem_of_a_whole_file_is_said_in_chinese_too() -> None:
    residents = "resident_id,lat,lon,mobility\nR1,31.23,121.47,independent\n"
    problems = _problems(residents=residents)
    said = [render(p, "zh") for p in problems]
    # name is required: its description is in the catalog, its Chinese header given.
    missing = next(s for s in said if "name 列" in s)
    assert missing.startswith("residents.csv 缺少 name 列") and "姓名" in missing
    assert any("birth_date" in s and "出生日期" in s and "年龄" in s for s in said)


def test_groups_are_the_same_in_both_languages_and_say_their_rows_in_chinese() -> None:
    rows = "".join(f"R{i:03d},N,1963/2/30,31.23,121.47,,1,no,independent\n" for i in range(2, 12))
    header = "resident_id,name,birth_date,lat,lon,address,floor,has_lift,mobility\n"
    problems = _problems(residents=header + rows)
    en, zh = group_problems(problems), group_problems(problems, lang="zh")
    assert len(en) == len(zh) == 1
    head, *examples = zh[0].splitlines()
    assert head.startswith("residents.csv birth_date 列，第 2–11 行（共 10 行）：'1963/2/30' ")
    assert examples[0].startswith("  第 2 行（老人 R002）：'1963/2/30' 在日历上不存在")
    assert en[0].splitlines()[0].startswith("residents.csv column birth_date, rows 2–11 (10 rows)")


def test_a_problem_keeps_its_words_through_pickle() -> None:
    """Problems cross to a Dask worker and back (carecal city)."""
    (problem, *_) = _problems(residents=_RESIDENTS)
    again = pickle.loads(pickle.dumps(problem))
    assert again == problem and isinstance(again, Problem)
    assert render_problem(again, "zh") == render_problem(problem, "zh")
    message = Message(N_("use {choices}"), choices=Choices(["a", "b", "c"]))
    assert pickle.loads(pickle.dumps(message)).render("zh") == "请用 a、b 或 c"


def test_plain_text_and_the_place_alone() -> None:
    """Text no reader made (a model's own sentence) stays as it is in every language."""
    assert render("residents.csv: something", "zh") == "residents.csv: something"
    where = Where("residents.csv", Message(N_("row {number}"), number=9), "resident", "R9", "age")
    assert str(where) == "residents.csv row 9 (resident R9), column age"
    assert where.render("zh") == "residents.csv 第 9 行（老人 R9），age 列"


def test_every_required_input_column_has_its_description_in_chinese() -> None:
    """A missing column's problem quotes the column's description: those of the required
    input columns are in the catalog (schema.py marks them), so they are said in Chinese."""
    zh = translator("zh").gettext
    for table in INPUT_TABLES.values():
        for column in table.columns:
            if column.required:
                assert CJK.search(zh(column.description)), (table.name, column.name)


def _broken_folder(folder: Path, policy: str | None = None) -> Path:
    shutil.copytree(DATA / "Valid", folder)
    (folder / "residents.csv").write_text(_RESIDENTS, encoding="utf-8")
    if policy is not None:
        (folder / "policy.toml").write_text(policy, encoding="utf-8")
    return folder


def _validate(folder: Path, *extra: str) -> list[str]:
    return ["-q", "validate", str(folder), "--as-of", str(AS_OF), *extra]


def test_the_command_line_says_the_problems_in_the_language_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _broken_folder(tmp_path / "data")
    full = tmp_path / "problems.txt"
    assert main(_validate(folder, "--lang", "zh", "--problems", str(full))) == EXIT_INVALID
    printed = capsys.readouterr().err
    assert printed.startswith("carecal: 6 个问题：")
    assert "residents.csv 第 3 行（老人 R002）" in printed
    lines = full.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 6 and all(line.startswith("residents.csv 第 ") for line in lines)
    # English by default: nothing Chinese but the names and header the file has.
    assert main(_validate(folder, "--problems", str(full))) == EXIT_INVALID
    printed = capsys.readouterr().err
    assert printed.startswith("carecal: 6 problem(s):")
    assert _english(printed)
    assert full.read_text(encoding="utf-8").splitlines()[0].startswith("residents.csv row 2")


def test_policy_lang_chooses_the_language_even_when_other_settings_are_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _broken_folder(tmp_path / "data", 'lang = "zh"\nmax_food_minutes = -5\n')
    assert main(_validate(folder)) == EXIT_INVALID
    printed = capsys.readouterr().err
    assert "个问题" in printed and "residents.csv 第 2 行（老人 R001）" in printed
    # --lang wins over policy.toml.
    assert main(_validate(folder, "--lang", "en")) == EXIT_INVALID
    assert "problem(s):" in capsys.readouterr().err
    # A policy.toml that does not read as TOML: English.
    (folder / "policy.toml").write_text('lang = "zh\n', encoding="utf-8")
    assert main(_validate(folder)) == EXIT_INVALID
    assert "problem(s):" in capsys.readouterr().err


def test_the_readers_warnings_are_said_in_the_language_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "data"
    shutil.copytree(DATA / "Valid", folder)
    # A coordinator's own column: not used, a warning (not an error).
    lines = (DATA / "Valid" / "residents.csv").read_text(encoding="utf-8").splitlines()
    lines = [f"{lines[0]},notes", *(f"{line},call first" for line in lines[1:])]
    (folder / "residents.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error", CarecalWarning)
        with pytest.raises(CarecalWarning):
            read_community(folder, as_of=AS_OF)
    assert main(["validate", str(folder), "--as-of", str(AS_OF), "--lang", "zh"]) == 0
    printed = capsys.readouterr().err
    assert "提示：residents.csv：carecal 不使用 notes 列" in printed
    assert "已读取" in printed and "输入无误" in printed
