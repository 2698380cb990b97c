"""The ranking of :func:`carecal.substitutes` as a DataFrame and as ``substitutes.csv``.

The columns are :data:`carecal.io.schema.SUBSTITUTES`'s; the CSV is written like every
table carecal writes (UTF-8 with a BOM, spreadsheet-safe cells, through a temporary file
and a rename).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from carecal.io.csvtext import table_bytes
from carecal.io.files import atomic_write
from carecal.io.schema import SUBSTITUTES
from carecal.substitutes import Substitute


def substitutes_frame(rows: Sequence[Substitute]) -> pd.DataFrame:
    """The rows as a DataFrame with the columns of ``substitutes.csv``, best first.

    ``rank``, ``knows`` and ``visits`` are whole numbers, ``free`` and ``skilled``
    booleans.
    """
    columns = list(SUBSTITUTES.column_names)
    frame = pd.DataFrame([r.model_dump() for r in rows], columns=columns)
    return frame.astype(
        {"rank": "int64", "knows": "int64", "visits": "int64", "free": bool, "skilled": bool}
    )


def write_substitutes(rows: Sequence[Substitute], path: str | Path) -> Path:
    """Write the rows as a CSV file (UTF-8 with BOM, spreadsheet-safe) at ``path``."""
    return atomic_write(Path(path), table_bytes(SUBSTITUTES, [r.model_dump() for r in rows]))
