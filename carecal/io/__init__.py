"""Reading communities and writing plans: the only package that imports pandas.

:func:`read_community` reads a folder of CSV files or an ``.xlsx`` workbook,
:func:`community_from_frames` takes DataFrames, :func:`write_plan` writes a plan's
schedules, summary and printable sheets, :func:`read_plan` reads a plan folder back for
the verifier, and :mod:`carecal.io.schema` describes every column of every table.

The modules, by job: :mod:`~carecal.io.cells` (one cell's value),
:mod:`~carecal.io.csvtext` (CSV text as raw tables), :mod:`~carecal.io.rows`,
:mod:`~carecal.io.tables_people`, :mod:`~carecal.io.tables_centre` and
:mod:`~carecal.io.tables` (one table's rows, then the whole community),
:mod:`~carecal.io.policy` (``policy.toml``), :mod:`~carecal.io.read` (folder, workbook,
DataFrames), :mod:`~carecal.io.history_folder` (``history/``: earlier plans),
:mod:`~carecal.io.community_folder`, :mod:`~carecal.io.plan_folder` (a plan written and
read back), :mod:`~carecal.io.substitutes` (a ranking of substitutes) and
:mod:`~carecal.io.sheets` (printable pages).

Importing the package itself loads neither pandas nor the readers: each function below is
imported from its module the first time it is touched, so that ``import carecal`` and
``import carecal.io.schema`` stay quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from carecal._lazy import lazy_exports
from carecal.errors import CarecalWarning, PlanFileError

if TYPE_CHECKING:
    from carecal.io.community_folder import write_community
    from carecal.io.plan_folder import read_plan, write_plan
    from carecal.io.policy import parse_policy, read_policy
    from carecal.io.read import community_from_csv_texts, community_from_frames, read_community
    from carecal.io.schema import INPUT_TABLES, OUTPUT_TABLES, tables_markdown
    from carecal.io.substitutes import substitutes_frame, write_substitutes

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
    "substitutes_frame",
    "tables_markdown",
    "write_community",
    "write_plan",
    "write_substitutes",
]

if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "carecal.io.schema": ("INPUT_TABLES", "OUTPUT_TABLES", "tables_markdown"),
            "carecal.io.read": (
                "community_from_csv_texts",
                "community_from_frames",
                "read_community",
            ),
            "carecal.io.policy": ("parse_policy", "read_policy"),
            "carecal.io.community_folder": ("write_community",),
            "carecal.io.plan_folder": ("read_plan", "write_plan"),
            "carecal.io.substitutes": ("substitutes_frame", "write_substitutes"),
        },
        __all__,
    )
