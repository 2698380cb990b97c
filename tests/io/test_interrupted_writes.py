"""A write killed at any file operation leaves the old plan, the new plan, or a folder that
reads as incomplete: never a mix taken for a plan (issue 15 item 7).

Each case writes an older plan (a week with meals, a campaign day and shifts; or one day's
meals) of a small generated community, then forks a child that writes the newer plan over it and
SIGKILLs itself just before its N-th file operation (a rename, a removal), for N = 1, 2,
... until a child gets through. After each kill the folder is read back.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from plan_cases import files_of, small_community, small_meals, small_week

from carecal.errors import CarecalWarning, PlanFileError
from carecal.io import read_plan, write_plan
from carecal.io.files import is_temp_name
from carecal.io.manifest import WRITING
from carecal.verify import verify

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or sys.platform == "darwin",
    reason="the interrupted child is forked (Linux)",
)

FOREIGN = {"notes.txt": b"call Mrs Wang at 3"}
"""A file of the coordinator's in the folder: it must survive every run."""


def _write_and_die_at(n: int, plan: Any, folder: Path) -> bool:
    """Write ``plan`` into ``folder`` in a child killed before its ``n``-th file operation.

    Returns whether the child was killed (False: it finished before the n-th operation).
    """
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            count = [0]

            def counted(real: Callable[..., Any]) -> Callable[..., Any]:
                def operation(*args: Any, **kwargs: Any) -> Any:
                    count[0] += 1
                    if count[0] == n:
                        os.kill(os.getpid(), signal.SIGKILL)
                    return real(*args, **kwargs)

                return operation

            for name in ("replace", "rename", "unlink", "remove", "rmdir"):
                setattr(os, name, counted(getattr(os, name)))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                write_plan(plan, folder, small_community())
        except BaseException:
            os._exit(3)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL
        return True
    assert os.WEXITSTATUS(status) == 0, "the child's write failed"
    return False


def _plan_files(folder: Path) -> dict[str, bytes]:
    """The folder's files without carecal's marker and temporary files."""
    return {
        name: data
        for name, data in files_of(folder).items()
        if name != WRITING and not is_temp_name(name.split("/")[-1])
    }


def _reference(plan: Any, folder: Path) -> tuple[dict[str, bytes], Any]:
    write_plan(plan, folder, small_community())
    with warnings.catch_warnings():
        warnings.simplefilter("error", CarecalWarning)
        return files_of(folder), read_plan(folder, small_community())


@pytest.fixture(autouse=True)
def _no_fsync(monkeypatch):
    """Skip flushing to disk: it guards against power cuts, which these tests do not
    make, and costs a few milliseconds per file."""
    monkeypatch.setattr(os, "fsync", lambda fd: None)


@pytest.mark.parametrize(
    ("old", "new"),
    [(small_week, small_meals), (small_meals, small_week)],
    ids=["meals-over-week", "week-over-meals"],
)
def test_every_interrupted_write_leaves_one_plan_or_an_incomplete_folder(tmp_path, old, new):
    old_files, old_plan = _reference(old(), tmp_path / "old")
    new_files, new_plan = _reference(new(), tmp_path / "new")
    assert verify(small_community(), old_plan) == [] and verify(small_community(), new_plan) == []
    start = tmp_path / "start"
    shutil.copytree(tmp_path / "old", start)
    for name, data in FOREIGN.items():
        (start / name).write_bytes(data)

    seen: set[str] = set()
    n = 0
    while True:
        n += 1
        folder = tmp_path / f"run{n}"
        shutil.copytree(start, folder)
        if not _write_and_die_at(n, new(), folder):
            break
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", CarecalWarning)  # never read as a 0.1 folder
                read = read_plan(folder, small_community())
        except PlanFileError as e:
            assert "incomplete" in str(e), f"step {n}: {e}"
            seen.add("incomplete")
        else:
            outcome = "old" if read == old_plan else "new" if read == new_plan else "mixed"
            assert outcome != "mixed", f"step {n}: a plan that is neither the old nor the new"
            expected = old_files if outcome == "old" else new_files
            assert _plan_files(folder) == expected | FOREIGN, f"step {n}: files of two plans"
            seen.add(outcome)
        # The next run finds its way from whatever the kill left to the whole new plan.
        with pytest.warns(CarecalWarning, match="notes.txt"):
            write_plan(new(), folder, small_community())
        assert files_of(folder) == new_files | FOREIGN, f"step {n}: not recovered"
        shutil.rmtree(folder)
    assert seen == {"old", "incomplete", "new"}
    assert n > len(new_files)  # every file of the new plan was a step that could be cut
