"""Reading a community: folders in every encoding, workbooks, DataFrames, the policy file
beside the tables, and warnings that point at the caller."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from io_data import AS_OF, DATA, read_folder

from carecal.io import CarecalWarning, community_from_frames, read_community, write_community
from carecal.model import CommunityError


def test_gb18030_file_with_chinese_names():
    raw = (DATA / "ChineseGB18030" / "residents.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    c = read_folder("ChineseGB18030")
    assert [r.name for r in c.residents] == ["王芳", "李明", "赵兰"]
    assert c.residents[0].address == "复兴中路5弄12号"
    assert [r.has_lift for r in c.residents] == [False, False, True]
    assert c.volunteers[0].name == "陈杰"


def test_utf8_with_bom():
    assert (DATA / "ChineseUtf8Bom" / "residents.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    c = read_folder("ChineseUtf8Bom")
    assert c.residents[0].resident_id == "R001" and c.residents[0].name == "王芳"


def _workbook(path: Path, folder: Path) -> None:
    """Write the CSV tables of ``folder`` as sheets, with typed cells as Excel keeps them."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for csv_path in sorted(folder.glob("*.csv")):
        sheet = book.create_sheet(csv_path.stem)
        frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            cells: list[object] = []
            for column, text in zip(frame.columns, row, strict=True):
                if column in ("lat", "lon", "age", "floor", "capacity"):
                    cells.append(float(text) if "." in text else int(text) if text else None)
                elif column in ("birth_date", "last_check") and text:
                    cells.append(dt.datetime.fromisoformat(text))
                elif column in ("start", "end", "open", "close") and text:
                    cells.append(dt.time.fromisoformat(text if text != "24:00" else "23:59"))
                else:
                    cells.append(text or None)
            sheet.append(cells)
    book.save(path)


def test_xlsx_workbook_reads_like_the_csv_folder(tmp_path: Path, valid):
    book = tmp_path / "community.xlsx"
    _workbook(book, DATA / "Valid")
    from_book = read_community(book, as_of=AS_OF)
    holiday = valid.availability[-1].model_copy(update={"end": 23 * 60 + 59})
    expected = valid.with_changes(availability=(*valid.availability[:-1], holiday))
    assert from_book.model_dump() == expected.model_dump()


def test_xlsx_errors_name_the_workbook_and_sheet(tmp_path: Path):
    book = tmp_path / "community.xlsx"
    _workbook(book, DATA / "AgeUnder60")
    with pytest.raises(
        CommunityError,
        match=r"community.xlsx sheet residents row 3 \(resident "
        "R002\\), column age: 57 is under 60",
    ):
        read_community(book, as_of=AS_OF)


def test_dataframes_with_typed_columns(valid):
    frames = {
        p.stem: pd.read_csv(p, dtype={"resident_id": str, "volunteer_id": str})
        for p in (DATA / "Valid").glob("*.csv")
    }
    assert frames["residents"]["age"].dtype == float  # NaN where a birth_date is given
    c = community_from_frames(frames, as_of=AS_OF)
    assert c.model_dump() == valid.model_dump()


def test_dataframe_errors_name_the_index_label():
    frame = pd.read_csv(DATA / "AgeUnder60" / "residents.csv", dtype=str).set_index(
        pd.Index(["a", "b", "c"])
    )
    frames = {p.stem: pd.read_csv(p, dtype=str) for p in (DATA / "Valid").glob("*.csv")}
    frames["residents"] = frame
    with pytest.raises(CommunityError, match=r"residents table index b \(resident R002\)"):
        community_from_frames(frames, as_of=AS_OF)


def test_policy_toml_in_the_folder_is_used(tmp_path: Path):
    write_community(read_folder("Valid"), tmp_path)
    (tmp_path / "policy.toml").write_text("max_food_minutes = 30\n", encoding="utf-8")
    assert read_community(tmp_path, as_of=AS_OF).policy.max_food_minutes == 30


def test_missing_source_is_an_input_error(tmp_path: Path):
    with pytest.raises(CommunityError, match="does not exist"):
        read_community(tmp_path / "nowhere")


def test_warnings_point_at_the_callers_line():
    with pytest.warns(CarecalWarning) as record:
        read_community(DATA / "MessyButValid", as_of=AS_OF)
    assert {Path(w.filename).name for w in record} == {"test_read.py"}


def test_workbook_without_a_sheet_names_the_workbook_and_the_sheet(tmp_path: Path):
    folder = tmp_path / "tables"
    folder.mkdir()
    for path in (DATA / "Valid").glob("*.csv"):
        if path.stem != "sites":
            (folder / path.name).write_bytes(path.read_bytes())
    book = tmp_path / "community.xlsx"
    _workbook(book, folder)
    with pytest.raises(CommunityError) as caught:
        read_community(book, as_of=AS_OF)
    assert caught.value.problems == [
        "community.xlsx has no sheet sites; every community needs residents, volunteers, "
        "availability and sites sheets"
    ]


def test_a_table_that_cannot_be_decoded_is_not_also_missing(tmp_path: Path):
    write_community(read_folder("Valid"), tmp_path)
    (tmp_path / "volunteers.csv").write_bytes(b"volunteer_id,name\nV01,Zo\xeb,walk\n")
    with pytest.raises(CommunityError) as caught:
        read_community(tmp_path, as_of=AS_OF)
    # Nor do the availability rows naming V01 and V02 say they are unknown volunteers.
    assert caught.value.problems == [
        "volunteers.csv is neither UTF-8 nor GB18030 text; save it from Excel as "
        "'CSV UTF-8 (comma delimited)'"
    ]
