"""``--deterministic`` gives the same folder, byte for byte, in separate processes.

Each process hashes strings differently (``PYTHONHASHSEED``), so sets iterate in another
order; and the clock must decide nothing. Both once made two runs of the same week differ.
"""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys
from pathlib import Path

from carecal.datasets import sample_folder


def _week(out: Path, hash_seed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    args = ["week", str(sample_folder()), "--from", "2027-03-01", "--days", "2"]
    args += ["--deterministic", "--time-limit", "3", "--out", str(out)]
    subprocess.run([sys.executable, "-m", "carecal", "-q", *args], env=env, check=True)


def _same_tree(a: Path, b: Path) -> bool:
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    return files_a == files_b and all(filecmp.cmp(a / f, b / f, shallow=False) for f in files_a)


def test_a_deterministic_week_is_the_same_in_two_processes(tmp_path: Path) -> None:
    _week(tmp_path / "one", "1")
    _week(tmp_path / "two", "2")
    assert _same_tree(tmp_path / "one", tmp_path / "two")
