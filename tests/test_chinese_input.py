"""A roster as Excel in Chinese writes it reads as its English twin and plans the same.

The twin is built from the bundled sample community's CSV files: every header renamed to a
Chinese alias (some left in English, as real sheets mix them), and every cell rewritten the
way a centre's Excel or WPS writes it: dates `1963/2/14`, `1963年2月14日`, full-width digits,
times `9:00`, `9点30分`, weekdays `周一`/`星期一`, `是`/`否`/`√`/`×`, Chinese words for the
mobility, mode, skills, site kinds and roles, `；`/`，` between list items. Once as a CSV
folder and once as an .xlsx workbook with real date and time cells (and Excel day numbers
and fractions of a day where a cell lost its format). Both must read without a problem
into the very community the English files give, and plan the same meals.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import warnings
from pathlib import Path

import pytest

from carecal.clock import parse_time
from carecal.datasets import SAMPLE_AS_OF, sample_community, sample_folder
from carecal.errors import CarecalWarning, CommunityError
from carecal.io import community_from_csv_texts, read_community
from carecal.io.schema import INPUT_TABLES, Column, Kind
from carecal.model import Community
from carecal.solver.meals import plan_meals

MONDAY = dt.date(2026, 11, 30)
_WEEKDAY_ZH = {"Mon": "一", "Tue": "二", "Wed": "三", "Thu": "四", "Fri": "五", "Sat": "六"}
_WEEKDAY_ZH["Sun"] = "日"


def _full_width(text: str) -> str:
    """Digits, '.', '-', ':' and '/' as a Chinese input method types them (１９６３／２／１４)."""
    return "".join(chr(ord(c) + 0xFEE0) if c in "0123456789.-:/" else c for c in text)


def _date_zh(text: str, i: int) -> str:
    day = dt.date.fromisoformat(text)
    y, m, d = day.year, day.month, day.day
    forms = (
        f"{y}/{m}/{d}",
        f"{y}-{m}-{d}",
        f"{y}.{m}.{d}",
        f"{y}年{m}月{d}日",
        _full_width(f"{y}/{m}/{d}"),
        text,
    )
    return forms[i % len(forms)]


def _time_zh(text: str, i: int) -> str:
    hours, minutes = divmod(parse_time(text), 60)
    forms = (
        f"{hours}:{minutes:02d}",
        f"{hours:02d}:{minutes:02d}:00",
        f"{hours}点{minutes}分" if minutes else f"{hours}点",
        _full_width(f"{hours}:{minutes:02d}"),
    )
    return forms[i % len(forms)]


def _weekday_zh(day: str, i: int) -> str:
    return ("周", "星期")[i % 2] + _WEEKDAY_ZH[day]


def _word(column: Column, value: str) -> str:
    """The first Chinese word the schema gives for ``value``, or the value itself."""
    return next((w for w, v in column.words if v == value), value)


def _cell_zh(column: Column, text: str, i: int) -> str:
    """``text`` of ``column`` as Excel in Chinese writes it (``i`` varies the form)."""
    if not text:
        return text
    if column.name == "min_volunteers" and text == "auto":
        return "自动"
    if column.kind == Kind.DATE:
        return _date_zh(text, i)
    if column.kind == Kind.TIME:
        return _time_zh(text, i)
    if column.kind == Kind.DAY:
        return _weekday_zh(text, i) if text in _WEEKDAY_ZH else _date_zh(text, i)
    if column.kind == Kind.BOOL:
        yes = text.lower() in ("true", "yes", "1")
        return (("是", "√") if yes else ("否", "×"))[i % 2]
    if column.kind == Kind.ENUM:
        return _word(column, text)
    if column.kind == Kind.LIST and column.allowed:
        items = text.split(";")
        words = [
            _weekday_zh(item, i) if column.name == "meal_days" else _word(column, item)
            for item in items
        ]
        return ("；", "，", "、")[i % 3].join(words)
    if column.kind in (Kind.INT, Kind.FLOAT) and i % 2:
        return _full_width(text)
    return text


def _header_zh(column: Column, i: int) -> str:
    """A Chinese header for ``column``; every fifth column stays English, as sheets mix."""
    if not column.aliases or i % 5 == 4:
        return column.name
    return column.aliases[0]


def _sample_rows(table: str) -> tuple[list[str], list[list[str]]]:
    with (sample_folder() / f"{table}.csv").open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


def _zh_texts() -> dict[str, str]:
    """The sample community's CSV texts, as a Chinese centre's Excel writes them."""
    texts = {}
    for path in sorted(sample_folder().glob("*.csv")):
        spec = INPUT_TABLES[path.stem]
        header, rows = _sample_rows(path.stem)
        columns = [spec.column(name) for name in header]
        lines = [[_header_zh(c, j) for j, c in enumerate(columns)]]
        for i, row in enumerate(rows):
            lines.append(
                [
                    _cell_zh(c, text, i + j)
                    for j, (c, text) in enumerate(zip(columns, row, strict=True))
                ]
            )
        buffer = _CsvBuffer()
        csv.writer(buffer, lineterminator="\r\n").writerows(lines)
        texts[path.stem] = buffer.text
    return texts


class _CsvBuffer:
    def __init__(self) -> None:
        self.text = ""

    def write(self, chunk: str) -> None:
        self.text += chunk


def _write_zh_folder(folder: Path) -> None:
    folder.mkdir()
    for name, text in _zh_texts().items():
        # Excel in Chinese saves 'CSV UTF-8' with a BOM, and plain 'CSV' as GB18030.
        encoding = "gb18030" if name == "residents" else "utf-8-sig"
        (folder / f"{name}.csv").write_bytes(text.encode(encoding))


def _excel_cell(column: Column, text: str, i: int) -> object:
    """A workbook cell as Excel keeps it: dates and times typed, numbers as numbers."""
    if not text:
        return None
    if column.kind in (Kind.DATE, Kind.DAY) and text[:1].isdigit():
        day = dt.date.fromisoformat(text)
        if i % 3 == 2:
            # A date cell that lost its date format shows Excel's day number.
            return (day - dt.date(1899, 12, 30)).days
        return dt.datetime(day.year, day.month, day.day)
    if column.kind == Kind.TIME:
        minutes = parse_time(text)
        if i % 3 == 2 or minutes == 24 * 60:
            return minutes / (24 * 60)  # the fraction of a day Excel stores
        return dt.time(minutes // 60, minutes % 60)
    if column.kind in (Kind.INT, Kind.FLOAT) and column.name != "min_volunteers":
        return float(text) if column.kind == Kind.FLOAT else int(text)
    return _cell_zh(column, text, i)


def _write_zh_workbook(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for csv_path in sorted(sample_folder().glob("*.csv")):
        spec = INPUT_TABLES[csv_path.stem]
        header, rows = _sample_rows(csv_path.stem)
        columns = [spec.column(name) for name in header]
        sheet = book.create_sheet(csv_path.stem)
        sheet.append([_header_zh(c, j + 1) for j, c in enumerate(columns)])
        for i, row in enumerate(rows):
            cells = [
                _excel_cell(c, text, i + j)
                for j, (c, text) in enumerate(zip(columns, row, strict=True))
            ]
            sheet.append(cells)
        for excel_row in sheet.iter_rows(min_row=2):
            for cell in excel_row:
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = "yyyy/m/d"  # as Excel in Chinese shows dates
                elif isinstance(cell.value, dt.time):
                    cell.number_format = "h:mm"
    book.save(path)


def _read_quietly(source: Path) -> Community:
    with warnings.catch_warnings():
        warnings.simplefilter("error", CarecalWarning)  # not even a warning
        return read_community(source, as_of=SAMPLE_AS_OF)


@pytest.fixture(scope="module")
def english() -> Community:
    return sample_community()


@pytest.fixture(scope="module")
def english_meals(english: Community):
    return plan_meals(english, MONDAY, deterministic=True, time_limit=10, engine="ortools")


def test_the_twin_is_really_written_in_chinese() -> None:
    texts = _zh_texts()
    residents = texts["residents"]
    assert residents.startswith("居民编号,姓名,出生日期,年龄,lat,经度,地址,")
    for form in (r",\d{4}/\d{1,2}/\d{1,2},", r",\d{4}年\d{1,2}月\d{1,2}日,", r",１９\d\d／"):
        assert re.search(form, residents), form
    for written in ("周一", "星期二", "自理", "轮椅", "否", "√", "３１．"):
        assert written in residents, written
    assert "送餐" in texts["volunteers"] and "电动车" in texts["volunteers"]
    assert "点" in texts["availability"] and "星期一" in texts["availability"]
    assert ",厨房," in texts["sites"] and ",诊所," in texts["sites"]
    assert "自动" in texts["shifts"]


def test_chinese_csv_folder_reads_as_the_english_one_and_plans_the_same(
    tmp_path: Path, english: Community, english_meals
) -> None:
    folder = tmp_path / "中文"
    _write_zh_folder(folder)
    chinese = _read_quietly(folder)
    assert chinese.model_dump() == english.model_dump()
    meals = plan_meals(chinese, MONDAY, deterministic=True, time_limit=10, engine="ortools")
    assert meals.to_frame().equals(english_meals.to_frame())
    assert len(meals.to_frame()) > 0


def test_chinese_workbook_with_date_and_time_cells_reads_and_plans_the_same(
    tmp_path: Path, english: Community, english_meals
) -> None:
    book = tmp_path / "社区.xlsx"
    _write_zh_workbook(book)
    chinese = _read_quietly(book)
    assert chinese.model_dump() == english.model_dump()
    meals = plan_meals(chinese, MONDAY, deterministic=True, time_limit=10, engine="ortools")
    assert meals.to_frame().equals(english_meals.to_frame())


# A small roster written by hand, as a coordinator types it: no schema in the loop.
_RESIDENTS_ZH = (
    "编号,姓名,出生日期,纬度,经度,地址,楼层,有电梯,行动能力,独居,送餐日,份数,饮食,上次体检\n"
    "R1,王芳,1945/3/8,31.2192,121.4943,蓬莱路1号,３,否,轮椅,是,周一；周三；周五,１,软食,2025年11月2日\n"
    'R2,李明,１９５０／２／１４,31.2221,121.4827,光启路2号,1,√,助行器,×,"星期一，星期二",2,,\n'
)
_VOLUNTEERS_ZH = "志愿者编号,姓名,出行方式,技能\nV1,陈杰,电动车,送餐；陪诊\nV2,周丽,步行,中心\n"
_AVAILABILITY_ZH = "志愿者编号,星期,开始,结束\nV1,周一,9点,13点30分\nV2,星期三,９：００,17:00:00\n"
_SITES_ZH = (
    "站点编号,类型,名称,纬度,经度,开门,关门,时段分钟,每时段名额,体检分钟\n"
    "K1,食堂,长者食堂,31.2272,121.492,7:00,19:00,,,\n"
    "H1,社区卫生服务中心,卫生中心,31.2283,121.4980,8点,11点半,15,5,20\n"
)


def test_a_roster_typed_in_chinese() -> None:
    c = community_from_csv_texts(
        {
            "residents": _RESIDENTS_ZH,
            "volunteers": _VOLUNTEERS_ZH,
            "availability": _AVAILABILITY_ZH,
            "sites": _SITES_ZH,
        },
        as_of=dt.date(2026, 3, 1),
    )
    r1, r2 = c.residents
    assert (r1.birth_date, r2.birth_date) == (dt.date(1945, 3, 8), dt.date(1950, 2, 14))
    assert (r1.floor, r1.has_lift, r2.has_lift, r1.lives_alone, r2.lives_alone) == (
        3,
        False,
        True,
        True,
        False,
    )
    assert (r1.mobility, r2.mobility) == ("wheelchair", "walker")
    assert r1.meal_days == {"Mon", "Wed", "Fri"} and r2.meal_days == {"Mon", "Tue"}
    assert r1.last_check == dt.date(2025, 11, 2) and r1.diet == ("软食",)
    v1, v2 = c.volunteers
    assert (v1.mode, v1.skills, v2.mode, v2.skills) == (
        "ebike",
        {"meals", "escort"},
        "walk",
        {"centre"},
    )
    a1, a2 = c.availability
    assert (a1.day, a1.start, a1.end) == ("Mon", 9 * 60, 13 * 60 + 30)
    assert (a2.day, a2.start, a2.end) == ("Wed", 9 * 60, 17 * 60)
    kitchen, clinic = c.sites
    assert (kitchen.kind, clinic.kind, clinic.open, clinic.close) == (
        "kitchen",
        "clinic",
        8 * 60,
        11 * 60 + 30,
    )


@pytest.mark.parametrize(
    ("written", "fix"),
    [
        ("02/03/1950", "could be 1950-03-02 or 1950-02-03"),
        ("14/02/1950", "YYYY-MM-DD (1950-02-14) or as 1950年2月14日"),
        ("2.3.1950", "could be 1950-03-02 or 1950-02-03"),
    ],
)
def test_year_last_dates_are_refused_never_guessed(written: str, fix: str) -> None:
    residents = _RESIDENTS_ZH.replace("1945/3/8", written)
    with pytest.raises(CommunityError) as caught:
        community_from_csv_texts(
            {
                "residents": residents,
                "volunteers": _VOLUNTEERS_ZH,
                "availability": _AVAILABILITY_ZH,
                "sites": _SITES_ZH,
            },
            as_of=dt.date(2026, 3, 1),
        )
    (problem,) = caught.value.problems
    assert problem.startswith("residents.csv row 2 (resident R1), column 出生日期 (birth_date):")
    assert "never guesses" in problem and fix in problem
