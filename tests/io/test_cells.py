"""One cell's value: cleaning what a CSV file, a workbook or a DataFrame holds."""

from __future__ import annotations

import datetime as dt

from carecal.io.cells import clean_cell


def test_clean_cell():
    assert clean_cell(60.0) == "60" and clean_cell(float("nan")) == "" and clean_cell(None) == ""
    assert clean_cell(" 'Wheelchair\u3000") == "'Wheelchair"
    assert clean_cell("'=SUM(A1)") == "=SUM(A1)" and clean_cell("'-5") == "-5"
    assert clean_cell(dt.datetime(2026, 3, 2)) == "2026-03-02"
    assert clean_cell(dt.time(9, 30)) == "09:30" and clean_cell(True) == "true"
