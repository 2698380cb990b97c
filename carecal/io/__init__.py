"""Reading communities and writing plans: the only package that imports pandas.

:func:`read_community` reads a folder of CSV files or an ``.xlsx`` workbook,
:func:`community_from_frames` takes DataFrames, :func:`write_plan` writes a plan's
schedules, summary and printable sheets, :func:`read_plan` reads a plan folder back for
the verifier, and :mod:`carecal.io.schema` describes every column of every table.
"""

from carecal.io.read import (
    CarecalWarning,
    community_from_csv_texts,
    community_from_frames,
    parse_policy,
    read_community,
    read_policy,
)
from carecal.io.schema import INPUT_TABLES, OUTPUT_TABLES, tables_markdown
from carecal.io.write import PlanFileError, read_plan, write_community, write_plan

__all__ = [
    "INPUT_TABLES",
    "OUTPUT_TABLES",
    "CarecalWarning",
    "PlanFileError",
    "community_from_csv_texts",
    "community_from_frames",
    "parse_policy",
    "read_community",
    "read_plan",
    "read_policy",
    "tables_markdown",
    "write_community",
    "write_plan",
]
