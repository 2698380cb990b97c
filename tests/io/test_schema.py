"""The column specs: they cover the domain model, and docs/tables.md shows them."""

from __future__ import annotations

from pathlib import Path

import pytest

from carecal import model
from carecal.io.csvtext import parse_csv_text
from carecal.io.schema import (
    INPUT_TABLES,
    OUTPUT_TABLES,
    Kind,
    aliases_markdown,
    table_markdown,
    tables_markdown,
    values_markdown,
)

TABLES_PAGE = Path(__file__).parents[2] / "docs" / "tables.md"

# Model fields stored in other columns: a window in two time columns, a date in `day`.
_STORED_ELSEWHERE = {"window": ("window_start", "window_end"), "date": ("day",)}


@pytest.mark.parametrize(
    ("table", "cls"),
    [
        ("residents", model.Resident),
        ("volunteers", model.Volunteer),
        ("availability", model.Availability),
        ("sites", model.Site),
        ("shifts", model.ShiftTemplate),
        ("requests", model.Request),
        ("campaign", model.CampaignDay),
        ("travel", model.TravelOverride),
    ],
)
def test_every_model_field_has_a_column(table: str, cls: type) -> None:
    columns = set(INPUT_TABLES[table].column_names)
    for name in cls.model_fields:
        assert name in columns or set(_STORED_ELSEWHERE.get(name, ())) <= columns, (
            f"{cls.__name__}.{name} has no column in {table}.csv; add it to carecal/io/schema.py"
        )


def test_column_names_are_unique_and_enums_list_their_values() -> None:
    for table in (*INPUT_TABLES.values(), *OUTPUT_TABLES.values()):
        assert len(set(table.column_names)) == len(table.column_names)
        for column in table.columns:
            assert (column.kind == Kind.ENUM) <= bool(column.allowed)


def test_markdown_of_one_table() -> None:
    text = table_markdown(INPUT_TABLES["availability"])
    assert text.splitlines()[0] == "#### `availability.csv`"
    assert "| `day` | yes | weekday or date |  | a weekday (`Mon`..`Sun`) or a date |" in text
    assert "| `available` |  | `true`/`false` | true |" in text
    assert "#### `travel.csv` (optional)" in tables_markdown()


def test_tables_page_shows_the_input_tables_as_the_schema_says() -> None:
    page = TABLES_PAGE.read_text(encoding="utf-8") if TABLES_PAGE.exists() else ""
    for table in INPUT_TABLES.values():
        assert table_markdown(table) in page, (
            f"docs/tables.md does not show {table.file} as carecal.io.schema describes it; "
            "paste the output of carecal.io.schema.tables_markdown() into docs/tables.md"
        )


def test_every_input_column_has_a_chinese_header() -> None:
    for table in INPUT_TABLES.values():
        for column in table.columns:
            assert column.aliases, (
                f"{table.file} column {column.name} has no Chinese header; add an alias to "
                "its Column in carecal/io/schema.py"
            )


def test_a_header_names_one_column_of_its_table() -> None:
    for table in INPUT_TABLES.values():
        headers = [h for c in table.columns for h in (c.name, *c.aliases)]
        assert len(headers) == len(set(headers)), f"{table.file}: a header names two columns"


def test_headers_are_as_the_reader_compares_them() -> None:
    """Aliases are written as carecal.io.csvtext folds a header (lower case, no spaces,
    half width), or no header could ever match them."""
    for table in INPUT_TABLES.values():
        for column in table.columns:
            for alias in column.aliases:
                (folded,) = parse_csv_text(alias, table.name).header
                assert folded == alias


def test_words_stand_for_allowed_values() -> None:
    for table in INPUT_TABLES.values():
        for column in table.columns:
            for word, value in column.words:
                assert value in column.allowed, (table.file, column.name, word)
                assert word not in column.allowed
                assert column.value_of(word) == value


def test_tables_page_lists_the_chinese_headers_and_words_as_the_schema_says() -> None:
    page = TABLES_PAGE.read_text(encoding="utf-8") if TABLES_PAGE.exists() else ""
    for text, helper in ((aliases_markdown(), "aliases"), (values_markdown(), "values")):
        assert text in page, (
            f"docs/tables.md does not show the Chinese {helper} as carecal.io.schema says; "
            f"paste the output of carecal.io.schema.{helper}_markdown() into docs/tables.md"
        )
    assert "| `residents.csv` | `birth_date` | `出生日期`, `生日` |" in aliases_markdown()
    assert "| `residents.csv` `mobility` | `wheelchair` | `轮椅` |" in values_markdown()
