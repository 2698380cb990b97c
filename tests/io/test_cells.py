"""One cell's value: cleaning what a CSV file, a workbook or a DataFrame holds."""

from __future__ import annotations

import datetime as dt

import pytest

from carecal.errors import CommunityError
from carecal.io.cells import clean_cell, parse_cell
from carecal.io.schema import Column, Kind


def test_clean_cell():
    assert clean_cell(60.0) == "60" and clean_cell(float("nan")) == "" and clean_cell(None) == ""
    assert clean_cell(" 'Wheelchair\u3000") == "'Wheelchair"
    assert clean_cell("'=SUM(A1)") == "=SUM(A1)" and clean_cell("'-5") == "-5"
    assert clean_cell(dt.datetime(2026, 3, 2)) == "2026-03-02"
    assert clean_cell(dt.time(9, 30)) == "09:30" and clean_cell(True) == "true"


def test_clean_cell_of_a_whole_number_too_long_to_write_out():
    assert clean_cell(10**5000) == "1e4999" and clean_cell(-(2**70)) == "-1e21"
    assert clean_cell(2**63) == "9223372036854775808"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("9" * 100_000, Kind.INT),
        ("9" * 16, Kind.INT),
        ("1e300", Kind.INT),
        ("9" * 400 + ".5", Kind.FLOAT),
        ("1e400", Kind.FLOAT),
        ("inf", Kind.FLOAT),
        ("-Infinity", Kind.FLOAT),
        ("NaN", Kind.FLOAT),
    ],
)
def test_numbers_carecal_cannot_use_are_cell_errors(text: str, kind: Kind):
    with pytest.raises(CommunityError) as caught:
        parse_cell(text, Column("n", kind, False, "", "a number"))
    message = str(caught.value)
    assert "is not a number carecal can use; write an ordinary number" in message
    assert "set_int_max_str_digits" not in message and len(message) < 200


def test_long_cells_are_cut_in_messages():
    with pytest.raises(CommunityError, match=r"'xxxxxxxxxxxx… \(5,000 characters\)' is not a"):
        parse_cell("x" * 5000, Column("start", Kind.TIME, False, "", "a time"))
    assert parse_cell("９９", Column("n", Kind.INT, False, "", "a number")) == 99
    assert parse_cell(str(10**14), Column("n", Kind.INT, False, "", "a number")) == 10**14
