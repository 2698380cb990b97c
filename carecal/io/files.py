"""Files written whole or not at all: a temporary file in the same folder, then a rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from carecal.io.csvtext import table_bytes
from carecal.io.schema import Table


def atomic_write(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    An interrupted run leaves either the old file or the new one, never half of one, and
    no temporary file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def write_table(folder: Path, table: Table, rows: Iterable[Mapping[str, Any]]) -> Path:
    """Write one table to ``folder/<name>.csv`` atomically; return the path."""
    return atomic_write(folder / table.file, table_bytes(table, rows))
