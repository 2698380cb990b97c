"""CSV text as raw tables: encodings, delimiters, blank rows, rows wider than the header."""

from __future__ import annotations

import pytest
from io_data import AS_OF, csv_texts

from carecal.io import community_from_csv_texts
from carecal.io.csvtext import decode_csv, parse_csv_text
from carecal.model import CommunityError


def test_parse_csv_text_skips_blank_rows_and_keeps_row_numbers():
    table = parse_csv_text("a,b\n1,2\n,\n3,4\n", "residents")
    assert table.rows == [["1", "2"], ["3", "4"]] and table.labels == ["row 2", "row 4"]


def test_decode_utf16_and_reject_bytes_of_no_known_encoding():
    text = "resident_id,name\nR1,王芳\n"
    assert decode_csv(text.encode("utf-16")) == text
    assert decode_csv(text.encode("gb18030")) == text
    with pytest.raises(CommunityError, match="neither UTF-8 nor GB18030"):
        decode_csv(b"resident_id\n\xff\xff\n", "residents.csv")


def test_unquoted_decimal_comma_row_is_reported_with_its_row():
    residents = (
        "resident_id,name,age,lat,lon,mobility\n"
        "R1,A,70,31.2301,121.4705,walker\n"
        "R2,B,70,31,2301,121.4705,walker\n"
    )
    with pytest.raises(CommunityError, match=r"residents\.csv row 3 has 7 cells but the header"):
        community_from_csv_texts(csv_texts(residents=residents), as_of=AS_OF)


def test_semicolon_separated_file_from_a_european_excel():
    residents = (
        "resident_id;name;age;lat;lon;mobility;meal_days\n"
        'R1;A;70;31.2301;121.4705;walker;"Mon;Wed"\n'
    )
    c = community_from_csv_texts(csv_texts(residents=residents), as_of=AS_OF)
    assert c.residents[0].meal_days == {"Mon", "Wed"}
