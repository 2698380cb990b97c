"""The column specs: they cover the domain model, and docs/tables.md shows them."""

from __future__ import annotations

from pathlib import Path

import pytest

from carecal import model
from carecal.io.schema import INPUT_TABLES, OUTPUT_TABLES, Kind, table_markdown, tables_markdown

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
