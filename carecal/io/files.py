"""Files written whole or not at all: a temporary file in the same folder, then a rename.

A whole plan folder changes under one commit record on top of these
(:mod:`carecal.io.manifest`).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from carecal.io.csvtext import table_bytes
from carecal.io.schema import Table

# ``tempfile.mkstemp(prefix=".<name>.", suffix=".tmp")``: eight random characters between.
_TEMP_NAME = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


def is_temp_name(name: str) -> bool:
    """Whether ``name`` is one of :func:`atomic_write`'s temporary files (left by a kill)."""
    return bool(_TEMP_NAME.match(name))


def atomic_write(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    An interrupted run leaves either the old file or the new one, never half of one, and
    no temporary file (unless the process is killed outright, which leaves a temporary
    file that :func:`is_temp_name` recognises).
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


def remove_file(path: Path) -> None:
    """Remove ``path`` if it is there."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def sync_folder(folder: Path) -> None:
    """Flush ``folder``'s entries (the renames into it) to disk, where the system allows.

    Without it a power cut could persist a later rename (the manifest) before an earlier
    one. Windows cannot open a folder for this; there the call does nothing.
    """
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
