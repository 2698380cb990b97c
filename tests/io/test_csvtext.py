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


def test_bytes_marked_utf16_that_are_not_are_a_problem_not_a_crash():
    damaged = "resident_id\nR1\n".encode("utf-16")[:-1]  # cut off inside a character
    with pytest.raises(CommunityError) as caught:
        decode_csv(damaged, "residents.csv")
    assert caught.value.problems == [
        "residents.csv starts as UTF-16 text but is not readable as such (it may be cut off "
        "or damaged); save it from Excel as 'CSV UTF-8 (comma delimited)'"
    ]


def test_unclosed_quote_swallowing_the_file_is_a_problem_of_the_file():
    text = 'resident_id,name\nR1,"A\n' + "x" * 140_000 + "\n"
    table = parse_csv_text(text, "residents")
    assert table.header == [] and table.rows == []
    (problem,) = table.problems
    assert problem.startswith("residents.csv cannot be read as CSV (field larger than field limit")
    assert 'check that every quote (") that opens a cell also closes it' in problem


def test_empty_first_row_is_one_problem_not_one_per_row():
    table = parse_csv_text(",,\nR1,A,70\nR2,B,71\n", "residents")
    assert table.rows == [] and table.problems == [
        "residents.csv has nothing in its first row; the first row must hold the column names "
        "(see docs/tables.md): delete the empty rows above them"
    ]
    with pytest.raises(CommunityError) as caught:
        community_from_csv_texts(csv_texts(residents=",,\nR1,A,70\n"), as_of=AS_OF)
    assert caught.value.problems == table.problems
