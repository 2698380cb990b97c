"""Every reader, fuzzed: the only outcomes are a Community or a CarecalError that names a file.

Issue 15, "kept honest from now on": whatever bytes a coordinator's folder holds, the
readers answer with a community or with sentences saying where the problem is; never a
traceback from pandas, openpyxl, pydantic or Python itself, and no warning other than a
:class:`~carecal.errors.CarecalWarning`. Inputs are random bytes and mutations of valid
files (tests/data/Valid and the bundled sample), each table as CSV, ``policy.toml`` and
the ``.xlsx`` workbook.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from io_data import AS_OF, DATA

from carecal.datasets import SAMPLE_AS_OF, sample_folder
from carecal.errors import CarecalError, CarecalWarning
from carecal.io import community_from_csv_texts, community_from_frames, read_community
from carecal.io.schema import INPUT_TABLES
from carecal.model import Community

TABLES = sorted(t.name for t in INPUT_TABLES.values())

# A problem names the file (or workbook sheet) it is about.
_LOCATION = re.compile(r"\w\.(csv|toml|xlsx)\b")

# CARECAL_FUZZ_SCALE=20 runs twenty times the examples, to hunt for new crashes locally.
SCALE = int(os.environ.get("CARECAL_FUZZ_SCALE", "1"))

FUZZ = settings(
    max_examples=40 * SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _texts(folder: Path) -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8-sig") for p in sorted(folder.glob("*.csv"))}


VALID = _texts(DATA / "Valid")
# The optional tables, for the Valid community.
OPTIONAL = {
    "shifts": "shift_id,role,day,start,end,min_volunteers,max_volunteers\n"
    "M1,meals,Mon,10:30,13:30,auto,3\nE1,escort,2026-03-10,08:00,12:00,1,2\n",
    "requests": "volunteer_id,day,date,shift_id,want,weight\n"
    "V01,Mon,,M1,yes,2\nV02,,2026-03-09,,no,\n",
    "campaign": "date,clinic_id,open,close\n2026-03-10,C1,,\n2026-03-11,C1,09:00,11:00\n",
    "travel": "from_id,to_id,mode,minutes\nK1,R001,,7\nK1,R002,bike,4.5\n",
    "changes": "kind,id,start,end,note\nresident_away,R001,2026-03-02,2026-03-04,hospital\n"
    "volunteer_off,V01,2026-03-02 10:00,2026-03-02 12:00,\nextra_meal,R003,2026-03-03,,\n"
    "clinic_closed,C1,2026-03-10 08:00,2026-03-10 10:00,\n",
}
SAMPLE = _texts(sample_folder())
POLICY = (
    'max_food_minutes = 40\nmeals_ready = "10:30"\nescort_age = 80\n'
    "[capacity]\nwalk = 5\nbike = 9\n"
)

# Cells that have broken readers before or sit on the edge of a rule: non-finite and huge
# numbers, impossible dates and times, formulas, separators, quotes and control bytes.
TRICKY = [
    "",
    " ",
    "inf",
    "-inf",
    "nan",
    "NaN",
    "Infinity",
    "1e400",
    "-1",
    "0",
    "1e9",
    "9" * 5000,
    "9" * 400 + ".5",
    "1.5",
    "31,23",
    "２０",
    "2026-02-30",
    "2026-03-10",
    "0001-01-01",
    "9999-12-31",
    "1963年2月14日",
    "24:00",
    "25:61",
    "00:00",
    "23:59",
    "-0:30",
    "Mon",
    "周日",
    "是",
    "auto",
    "=1+1",
    "'=A1",
    "@x",
    "a;b;;c",
    "R001",
    "V01",
    "K1",
    "C1",
    "H1",
    "M1=2",
    "x=99999999999999999999",
    "wheelchair",
    "kitchen",
    "clinic",
    '"',
    "\x00",
    "\ufeff",
    "\r",
    "\u3000",
    # Cells as Excel in Chinese writes them, and their near misses (issue 18).
    "１９６３／２／１４",
    "1963.2.14",
    "02/03/1950",
    "14/02/1950",
    "0000年1月1日",
    "9999/12/31 0:00",
    "23056",
    "3653",
    "0.375",
    "1.0000001",
    "9点30分",
    "下午25点",
    "24点",
    "９：００",
    "星期八",
    "礼拜天",
    "√",
    "×",
    "轮椅",
    "电动车",
    "送餐；陪诊",
    "周一，周三、周五",
    "自动",
    "ｉｎｆ",
    "１ｅ４００",
    "－５",
    "٣١",
    "²",
]

cell_values = st.one_of(st.sampled_from(TRICKY), st.text(max_size=12))


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


@st.composite
def mutated_table(draw: st.DrawFn, text: str, max_edits: int = 4) -> str:
    """``text`` (a valid CSV table) with a few cells, rows or columns changed."""
    rows = _rows(text)
    for _ in range(draw(st.integers(1, max_edits))):
        if not rows:
            break
        what = draw(st.sampled_from(["cell", "cell", "cell", "header", "drop", "copy", "text"]))
        r = draw(st.integers(0, len(rows) - 1))
        if what == "cell" and rows[r]:
            rows[r][draw(st.integers(0, len(rows[r]) - 1))] = draw(cell_values)
        elif what == "header" and rows[0]:
            rows[0][draw(st.integers(0, len(rows[0]) - 1))] = draw(
                st.sampled_from(
                    [
                        "",
                        "phone",
                        "has_lfit",
                        "lat",
                        "day",
                        "姓名",
                        "open",
                        "编号",
                        "出生日",
                        "日期",
                    ]
                )
            )
        elif what == "drop":
            del rows[r]
        elif what == "copy":
            rows.insert(draw(st.integers(0, len(rows))), list(rows[r]))
        elif what == "text":
            line = _csv(rows)
            at = draw(st.integers(0, len(line)))
            return line[:at] + draw(st.text(max_size=6)) + line[at + draw(st.integers(0, 6)) :]
    return _csv(rows)


@st.composite
def mutated_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few bytes flipped, cut out or put in."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(out)))
        what = draw(st.sampled_from(["flip", "cut", "put"]))
        if what == "flip" and at < len(out):
            out[at] = draw(st.integers(0, 255))
        elif what == "cut":
            del out[at : at + draw(st.integers(1, 16))]
        else:
            out[at:at] = draw(st.binary(min_size=1, max_size=8))
    return bytes(out)


def outcome(
    read: Callable[[], Community], location: re.Pattern[str] = _LOCATION
) -> Community | CarecalError:
    """Run a reader: a Community, or the CarecalError it raised after checking its places.

    Any other exception propagates and fails the test; so does any warning that is not a
    CarecalWarning.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result: Community | CarecalError = read()
        except CarecalError as e:
            result = e
    strangers = [w for w in caught if not issubclass(w.category, CarecalWarning)]
    assert not strangers, [f"{w.category.__name__}: {w.message}" for w in strangers]
    if isinstance(result, CarecalError):
        assert result.problems, "a CarecalError without problems"
        for problem in result.problems:
            assert location.search(problem), f"the problem names no file: {problem!r}"
    return result


def _read_folder(files: dict[str, bytes], as_of: dt.date = AS_OF) -> Community | CarecalError:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        return outcome(lambda: read_community(folder, as_of=as_of))


def _valid_files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (DATA / "Valid").glob("*.csv")}


def test_the_starting_points_are_valid():
    """The mutations start from communities that read without error."""
    assert isinstance(outcome(lambda: community_from_csv_texts(VALID, as_of=AS_OF)), Community)
    full = outcome(lambda: community_from_csv_texts({**VALID, **OPTIONAL}, as_of=AS_OF))
    assert isinstance(full, Community) and len(full.travel) == 2
    sample = outcome(lambda: community_from_csv_texts(SAMPLE, as_of=SAMPLE_AS_OF))
    assert isinstance(sample, Community)
    policy = outcome(lambda: community_from_csv_texts(VALID, POLICY, as_of=AS_OF))
    assert isinstance(policy, Community) and policy.policy.max_food_minutes == 40


@FUZZ
@given(table=st.sampled_from(TABLES), data=st.binary(max_size=300))
def test_any_bytes_as_a_table_file(table: str, data: bytes):
    files = _valid_files()
    files[f"{table}.csv"] = data
    _read_folder(files)


@FUZZ
@given(table=st.sampled_from(TABLES), data=st.data())
def test_bytes_of_a_valid_table_mutated(table: str, data: st.DataObject):
    files = _valid_files()
    start = files.get(f"{table}.csv") or OPTIONAL[table].encode()
    files[f"{table}.csv"] = data.draw(mutated_bytes(start))
    _read_folder(files)


@settings(FUZZ, max_examples=80 * SCALE)
@given(table=st.sampled_from(TABLES), data=st.data())
def test_cells_of_the_valid_tables_mutated(table: str, data: st.DataObject):
    texts = {**VALID, **OPTIONAL}
    texts[table] = data.draw(mutated_table(texts[table]))
    outcome(lambda: community_from_csv_texts(texts, as_of=AS_OF))


@FUZZ
@given(table=st.sampled_from(sorted(SAMPLE)), data=st.data())
def test_cells_of_the_sample_mutated(table: str, data: st.DataObject):
    texts = dict(SAMPLE)
    texts[table] = data.draw(mutated_table(texts[table], max_edits=6))
    outcome(lambda: community_from_csv_texts(texts, as_of=SAMPLE_AS_OF))


def _columns(table: str) -> list[str]:
    return [c.name for c in INPUT_TABLES[table].columns]


@st.composite
def table_texts(draw: st.DrawFn, table: str) -> str:
    """A table with the right header (some columns left out) and random rows."""
    columns = [c for c in _columns(table) if draw(st.booleans()) or c in _required(table)]
    rows = draw(st.lists(st.lists(cell_values, min_size=len(columns)), max_size=4))
    return _csv([columns, *[r[: len(columns)] for r in rows]])


def _required(table: str) -> set[str]:
    return {c.name for c in INPUT_TABLES[table].columns if c.required}


@FUZZ
@given(table=st.sampled_from(TABLES), data=st.data())
def test_random_rows_under_a_right_header(table: str, data: st.DataObject):
    texts = dict(VALID)
    texts[table] = data.draw(table_texts(table))
    outcome(lambda: community_from_csv_texts(texts, as_of=AS_OF))


toml_values = st.one_of(
    st.sampled_from(
        ["-5", "0", "1e9", "inf", "nan", "-inf", '"10:45"', '"25:00"', '"x"', "true", "[]", "{}"]
    ),
    st.sampled_from(["1045", '"wheelchair"', "{ walk = 0 }", "{ car = 1e400 }", '"" ']),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(lambda f: repr(f).lower()),
)


@st.composite
def policy_texts(draw: st.DrawFn) -> str:
    """``policy.toml`` with some settings set to odd values, or with text put in."""
    from carecal.policy import Policy

    names = sorted(Policy.model_fields)
    lines = POLICY.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        key = draw(st.sampled_from([*names, "max_food_minuts", "capacity.walk"]))
        lines.insert(0, f"{key} = {draw(toml_values)}")
    text = "\n".join(lines)
    if draw(st.booleans()):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.text(max_size=4)) + text[at:]
    return text


@FUZZ
@given(text=policy_texts())
def test_policy_toml_mutated(text: str):
    outcome(lambda: community_from_csv_texts(VALID, text, as_of=AS_OF))


@FUZZ
@given(data=st.one_of(st.binary(max_size=200), st.text(max_size=80).map(str.encode)))
def test_any_bytes_as_policy_toml(data: bytes):
    files = _valid_files()
    files["policy.toml"] = data
    _read_folder(files)


# --- DataFrames ---------------------------------------------------------------------------

# Cells of a notebook's DataFrame: typed values as pandas and Python hold them.
typed_values = st.one_of(
    cell_values,
    st.integers(),
    st.just(10**5000),
    st.floats(),
    st.booleans(),
    st.none(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.sampled_from([np.nan, pd.NaT, np.int64(-1), np.float32("inf"), pd.Timestamp("2026-03-02")]),
)


@FUZZ
@given(table=st.sampled_from(sorted(VALID)), data=st.data())
def test_cells_of_valid_dataframes_changed(table: str, data: st.DataObject):
    frames = {
        name: pd.read_csv(io.StringIO(text), dtype=object, keep_default_na=False)
        for name, text in VALID.items()
    }
    frame = frames[table]
    for _ in range(data.draw(st.integers(1, 4))):
        row = data.draw(st.integers(0, len(frame) - 1))
        column = data.draw(st.sampled_from(list(frame.columns)))
        frame.loc[row, column] = data.draw(typed_values)
    outcome(lambda: community_from_frames(frames, as_of=AS_OF), re.compile(r"\w table\b"))


# --- the workbook ---------------------------------------------------------------------------


def _typed(text: str) -> object:
    """A cell as Excel may keep it: a number, a date, a time, or text."""
    try:
        return int(text) if re.fullmatch(r"-?\d{1,15}", text) else float(text)
    except ValueError:
        pass
    for parse in (dt.datetime.fromisoformat, dt.time.fromisoformat):
        try:
            return parse(text)
        except ValueError:
            pass
    return text


def _workbook(texts: dict[str, str]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, text in texts.items():
        sheet = book.create_sheet(name)
        for row in _rows(text):
            # openpyxl refuses control characters in cells; Excel cannot hold them either.
            sheet.append([_typed(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", c)) for c in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


VALID_BOOK = _workbook(VALID)


def _read_book(data: bytes) -> Community | CarecalError:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "community.xlsx"
        path.write_bytes(data)
        return outcome(lambda: read_community(path, as_of=AS_OF))


def test_the_valid_workbook_reads():
    assert isinstance(_read_book(VALID_BOOK), Community)


@settings(FUZZ, max_examples=20 * SCALE)
@given(data=st.one_of(st.binary(max_size=200), st.just(b""), st.just(b"PK\x03\x04")))
def test_any_bytes_as_a_workbook(data: bytes):
    _read_book(data)


@settings(FUZZ, max_examples=20 * SCALE)
@given(data=st.data())
def test_bytes_of_a_valid_workbook_mutated(data: st.DataObject):
    _read_book(data.draw(mutated_bytes(VALID_BOOK)))


@settings(FUZZ, max_examples=20 * SCALE)
@given(table=st.sampled_from(sorted(VALID)), data=st.data())
def test_cells_of_a_valid_workbook_mutated(table: str, data: st.DataObject):
    texts = dict(VALID)
    texts[table] = data.draw(mutated_table(texts[table]))
    _read_book(_workbook(texts))
