"""Many centres in one run: every centre planned as its own task on Dask distributed.

A city's civil-affairs bureau, or a meal programme running twenty kitchens, keeps one
community folder (or ``.xlsx`` workbook) per centre under one root folder.
:func:`plan_city` plans each of them, the meals of one date or a week, and writes each
centre's plan folder and a roll-up of them all:

- each centre is one task: read its community, plan it (``workers=1`` solver thread unless
  told otherwise, ``time_limit`` per centre), write its folder with
  :func:`carecal.io.write_plan` (atomic, manifest last), read the folder back and verify
  it. Tasks run on a Dask ``LocalCluster`` of worker processes sized to the machine, on a
  cluster the caller points at, or, with ``jobs=1``, one after another in this process
  without Dask;
- a centre that fails (its input is invalid, its solve raises, its worker dies) is
  reported with its error, and the other centres are planned all the same;
- a centre whose folder is complete, covers the same period and was planned from the
  same community (the manifest's fingerprint against the community read now) is not
  planned again, unless ``force``: a run stopped half way is resumed by running it again.

This is the only module that imports Dask (the optional extra ``carecal[dask]``), and only
inside the functions that need it, so the tasks' code imports on any worker and
``jobs=1`` works without Dask. The only network used is the cluster the caller gives:
the workers read the centres' folders and write the plans themselves, so on a cluster
of several machines ROOT and the output folder must be on a file system they all see.

This module is long (about 1,050 lines) because Dask may be imported only here
(DESIGN.md): finding the centres, the task a worker runs (with the heap settings it needs
on a Dask worker), resuming, the cluster and the roll-up stay together; the frames of the
roll-up are already in :mod:`carecal.io.city_frames`.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import importlib.util
import os
import sys
import threading
import time
import uuid
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from carecal.clock import coerce_date, coerce_period
from carecal.errors import CarecalError, ExtraMissingError, OptionError
from carecal.options import solve_options
from carecal.plans import Plan
from carecal.progress import ProgressEvent

if TYPE_CHECKING:
    import pandas as pd

    from carecal.model import Community

__all__ = ["CentreResult", "CityPlan", "find_centres", "plan_city", "write_city_summary"]

MEALS_TIME_LIMIT = 10.0
"""Seconds per centre for a day's meals when ``time_limit`` is not given (as ``carecal meals``)."""
WEEK_TIME_LIMIT = 60.0
"""Seconds per centre for a week when ``time_limit`` is not given (as ``carecal week``)."""
ALLOWED_FAILURES = 1
"""How many times a centre's task may lose its worker before the centre counts as failed:
one retry covers a worker lost for a reason of its own, while a centre that kills every
worker it runs on (out of memory) is not allowed to take the whole cluster down with it."""
SUMMARY = "city_summary"
"""The stem of the roll-up files written beside the centres' folders."""
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
"""A file of ROOT with one of these suffixes is a centre's workbook."""
_ERROR_LINES = 20
"""Problems of one centre kept in its error (a roster can have hundreds)."""

CentreStatus = Literal["planned", "skipped", "failed"]
PlanKind = Literal["meals", "week"]


# --- the centres -----------------------------------------------------------------------------


def find_centres(root: str | Path, *, exclude: str | Path | None = None) -> list[tuple[str, Path]]:
    """The centres under ``root``: each sub-folder and each ``.xlsx`` workbook, by name.

    Parameters
    ----------
    root
        The folder holding one community folder (CSV files) or workbook per centre.
    exclude
        A folder inside ``root`` that is not a centre (the output folder, when it is there).

    Returns
    -------
    list of (str, Path)
        The centre's name (the folder's name or the workbook's stem) and its path, sorted
        by name. Hidden entries (``.name``) and Excel's lock files (``~$name.xlsx``) are
        left out; other files (a README, notes) are ignored.

    Raises
    ------
    OptionError
        ``root`` is not a folder, is itself one centre's folder, holds no centre, or holds
        two centres of one name (a folder ``a`` and a workbook ``a.xlsx``).
    """
    folder = Path(root)
    if not folder.exists():
        raise OptionError(
            f"{folder}: no such folder; give the folder that holds one community folder "
            "(or .xlsx workbook) per centre"
        )
    if not folder.is_dir():
        raise OptionError(
            f"{folder} is not a folder; give the folder that holds one community folder "
            "(or .xlsx workbook) per centre (to plan one workbook, use carecal meals or week)"
        )
    if (folder / "residents.csv").is_file():
        raise OptionError(
            f"{folder} is one centre's folder (it holds residents.csv); give the folder "
            "above it, which holds one folder per centre, or plan this centre alone with "
            "carecal meals or carecal week"
        )
    skip = Path(exclude).resolve() if exclude is not None else None
    centres: list[tuple[str, Path]] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "~$")) or (skip is not None and entry.resolve() == skip):
            continue
        if entry.is_dir():
            centres.append((entry.name, entry))
        elif entry.is_file() and entry.suffix.lower() in WORKBOOK_SUFFIXES:
            centres.append((entry.stem, entry))
    names = Counter(name for name, _ in centres)
    twice = sorted(name for name, count in names.items() if count > 1)
    if twice:
        raise OptionError(
            [
                f"{folder}: two centres are named {name!r} ("
                + ", ".join(p.name for n, p in centres if n == name)
                + "), and both plans would go to the folder of that name; rename one"
                for name in twice
            ]
        )
    if not centres:
        raise OptionError(
            f"{folder} holds no centre: put one community folder (residents.csv, "
            "volunteers.csv, availability.csv, sites.csv) or one .xlsx workbook per centre in it"
        )
    return sorted(centres)


# --- one centre, as a task -------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    """Everything a worker needs to plan one centre (small and picklable)."""

    name: str
    source: str
    kind: PlanKind
    start: dt.date
    end: dt.date
    folder: str | None
    force: bool
    time_limit: float
    workers: int | None
    seed: int
    deterministic: bool


@dataclass(frozen=True, eq=False)
class CentreResult:
    """One centre of a city run: its plan, or why it has none.

    Attributes
    ----------
    name : str
        The centre's name (its folder's name, or its workbook's stem).
    source : Path
        Its community folder or workbook.
    status : str
        ``planned`` (planned in this run), ``skipped`` (its folder was complete, of the
        same period and community: read back, not planned again) or ``failed``.
    plan : Plan or None
        The MealPlan or WeekPlan; None when the centre failed before it had one.
    errors : tuple of str
        Why the centre failed, one problem a line (its input's problems, the solver's
        error, the lost worker); empty when it did not.
    stage : str
        Where it failed: ``input``, ``plan``, ``write`` or ``worker``; empty otherwise.
    folder : Path or None
        Its plan folder, when the run writes.
    broken_rules : tuple of str or None
        The verifier's findings on the folder as written (empty: every rule holds); None
        when nothing was verified (nothing written, or the centre failed).
    warnings : tuple of str
        What reading and writing warned of (unused columns, foreign files).
    note : str
        Why a folder there was planned again (another period, another community, ...).
    seconds : float
        Wall seconds of the centre's task: reading, planning, writing, verifying.
    numbers : dict
        The roll-up's numbers of its plan (``meals_served``, ``carriers``, ``unserved``,
        ``unserved_by_code``, ``solve_seconds``, ...); empty without a plan.
    """

    name: str
    source: Path
    status: CentreStatus
    plan: Plan | None = None
    errors: tuple[str, ...] = ()
    stage: str = ""
    folder: Path | None = None
    broken_rules: tuple[str, ...] | None = None
    warnings: tuple[str, ...] = ()
    note: str = ""
    seconds: float = 0.0
    numbers: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def error(self) -> str:
        """The errors, one a line ("" when the centre did not fail)."""
        return "\n".join(self.errors)

    def line(self) -> str:
        """The centre in one line, as the run reports it."""
        if self.status == "failed":
            first = self.errors[0] if self.errors else "unknown error"
            more = f" (and {len(self.errors) - 1} more problem(s))" if len(self.errors) > 1 else ""
            return f"{self.name}: FAILED ({self.stage}): {first}{more}"
        facts: list[str] = ["already planned" if self.status == "skipped" else "planned"]
        if self.plan is not None:
            facts.append(self.plan.status.value)
        served = self.numbers.get("meals_served")
        if served is not None:
            facts.append(f"{served} meals served")
        facts.append(f"{self.numbers.get('unserved', 0)} unserved")
        if self.broken_rules:
            facts.append(f"{len(self.broken_rules)} BROKEN RULE(S)")
        facts.append(f"{self.seconds:.1f} s")
        where = f" -> {self.folder}" if self.folder is not None else ""
        return f"{self.name}: {', '.join(facts)}{where}"


def _failed(job: _Job, stage: str, errors: Sequence[str], **more: Any) -> CentreResult:
    lines = list(errors)
    if len(lines) > _ERROR_LINES:
        lines = [*lines[:_ERROR_LINES], f"... and {len(lines) - _ERROR_LINES} more problem(s)"]
    return CentreResult(
        name=job.name,
        source=Path(job.source),
        status="failed",
        errors=tuple(lines),
        stage=stage,
        folder=Path(job.folder) if job.folder else None,
        **more,
    )


def _plan_centre(job: _Job) -> CentreResult:
    """The task: one centre read, planned (or found planned), written and verified.

    Never raises for the centre's own trouble: a failure comes back as a ``failed``
    result, so that one bad centre cannot stop the others.
    """
    began = time.perf_counter()
    # A worker runs one task at a time (threads_per_worker=1), so catching warnings, which
    # is process-wide, catches this centre's only.
    with warnings.catch_warnings(record=True) as caught, _heap_for_solving():
        warnings.simplefilter("always")
        result = _centre_steps(job)
    said = tuple(dict.fromkeys(str(w.message) for w in caught))
    numbers = _numbers_of(result.plan, job.kind) if result.plan is not None else {}
    return replace(result, warnings=said, seconds=time.perf_counter() - began, numbers=numbers)


# --- the worker's heap ------------------------------------------------------------------------
#
# A Dask nanny starts its worker process with MALLOC_TRIM_THRESHOLD_=65536 (the config
# distributed.nanny.pre-spawn-environ), so that freed memory goes back to the system at
# once. Setting it also switches off glibc's sliding thresholds, which in any other process
# soon grow to tens of MB. The routing search of a centre of about 1,000 residents or more
# allocates and frees a block of about 130 KiB over and over, at the top of the heap: with
# a 64 KiB trim threshold every free gives those pages back (brk down) and the next
# allocation takes them again (brk up, ~33 page faults), some 10,000 times a second. A
# 1,500-resident centre took 4.7 times the CPU on a worker that it took in one process
# (benchmarks/README.md, city section). So, for the time of a task, the heap keeps what it
# frees (the limits glibc's own sliding thresholds reach), and afterwards the environment's
# thresholds are set back and the free memory is given back in one malloc_trim, as the
# setting wants.

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
# glibc's fixed defaults (malloc/malloc.c), in force again once the environment sets one.
_GLIBC_TRIM_DEFAULT = 128 * 1024
_GLIBC_MMAP_DEFAULT = 128 * 1024
SOLVING_MMAP_THRESHOLD = 32 * 1024 * 1024
"""Bytes: while a centre is planned, blocks below this come from the heap (glibc's largest
mmap threshold on 64 bits, the most its sliding threshold reaches)."""
SOLVING_TRIM_THRESHOLD = 2 * SOLVING_MMAP_THRESHOLD
"""Bytes: while a centre is planned, the free top of the heap is given back only above this
(twice the mmap threshold, as glibc's sliding rule keeps it)."""
_heap_lock = threading.Lock()
_heap_tasks = 0


def _env_bytes(name: str) -> int | None:
    """The byte count an environment variable sets (as glibc reads it), or None."""
    value = os.environ.get(name)
    if value is None:
        return None
    try:
        return int(value.strip(), 0)
    except ValueError:
        return None


def _glibc() -> Any:
    """glibc through ctypes, or None on any other C library (whose heap the variables do
    not tune)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
    except (OSError, AttributeError):
        return None
    return libc


@contextmanager
def _heap_for_solving() -> Iterator[bool]:
    """Keep freed memory in this process's heap while a centre is planned.

    Does something only where the environment fixes glibc's malloc thresholds
    (``MALLOC_TRIM_THRESHOLD_`` or ``MALLOC_MMAP_THRESHOLD_``, as a Dask nanny does for
    its worker): for the time of the block the thresholds are raised to
    :data:`SOLVING_TRIM_THRESHOLD` and :data:`SOLVING_MMAP_THRESHOLD`; at its end they are
    set back to the environment's values and the free memory is given back to the system
    (``malloc_trim``). Tasks running at once in threads of one worker share it: the first
    raises the thresholds, the last sets them back.

    Yields
    ------
    bool
        Whether the thresholds were raised (False in a process whose environment does not
        fix them, such as ``jobs=1``, or without glibc).
    """
    global _heap_tasks
    trim = _env_bytes("MALLOC_TRIM_THRESHOLD_")
    mmap = _env_bytes("MALLOC_MMAP_THRESHOLD_")
    libc = _glibc() if trim is not None or mmap is not None else None
    if libc is None:
        # glibc's sliding thresholds are on (or it is another libc): nothing to undo.
        yield False
        return
    with _heap_lock:
        _heap_tasks += 1
        if _heap_tasks == 1:
            libc.mallopt(_M_MMAP_THRESHOLD, SOLVING_MMAP_THRESHOLD)
            libc.mallopt(_M_TRIM_THRESHOLD, SOLVING_TRIM_THRESHOLD)
    try:
        yield True
    finally:
        with _heap_lock:
            _heap_tasks -= 1
            if _heap_tasks == 0:
                libc.mallopt(_M_MMAP_THRESHOLD, _GLIBC_MMAP_DEFAULT if mmap is None else mmap)
                libc.mallopt(_M_TRIM_THRESHOLD, _GLIBC_TRIM_DEFAULT if trim is None else trim)
                libc.malloc_trim(0)


def _centre_steps(job: _Job) -> CentreResult:
    # Failure isolation: whatever goes wrong inside one centre (its data, a bug, a solver
    # error on odd data, a full disk) is that centre's failure, not the run's; each step
    # catches everything and says where it stopped.
    from carecal.io import read_community

    try:
        community = read_community(job.source)
    except Exception as e:
        return _failed(job, "input", _problems(e))
    folder = Path(job.folder) if job.folder else None
    note = ""
    if folder is not None and not job.force:
        try:
            kept, note = _already_planned(job, folder, community)
            if kept is not None:
                return CentreResult(
                    name=job.name,
                    source=Path(job.source),
                    status="skipped",
                    plan=kept,
                    folder=folder,
                    broken_rules=_verified(community, kept),
                )
        except Exception as e:
            note = "planned again: its folder could not be read back: " + "; ".join(_problems(e))
    try:
        plan = _solve(job, community)
    except Exception as e:
        return _failed(job, "plan", _problems(e))
    if folder is None:
        return CentreResult(name=job.name, source=Path(job.source), status="planned", plan=plan)
    try:
        broken = _write_and_verify(plan, folder, community)
    except Exception as e:
        return _failed(job, "write", _problems(e), plan=plan)
    return CentreResult(
        name=job.name,
        source=Path(job.source),
        status="planned",
        plan=plan,
        folder=folder,
        broken_rules=broken,
        note=note,
    )


def _problems(error: Exception) -> list[str]:
    """What went wrong, in the words the error has: a carecal error's problems, a file
    error's file and reason, else the error's type and message."""
    if isinstance(error, CarecalError):
        return list(error.problems)
    if isinstance(error, OSError):
        return [f"{error.filename or ''}: {error.strerror or error}".lstrip(": ")]
    return [f"unexpected {type(error).__name__}: {error}"]


def _solve(job: _Job, community: Community) -> Plan:
    options: dict[str, Any] = {
        "time_limit": job.time_limit,
        "workers": job.workers,
        "seed": job.seed,
        "deterministic": job.deterministic,
    }
    if job.kind == "meals":
        from carecal.solver.meals import plan_meals

        return plan_meals(community, job.start, **options)
    from carecal.solver.week import plan_week

    return plan_week(community, job.start, job.end, **options)


def _write_and_verify(plan: Plan, folder: Path, community: Community) -> tuple[str, ...]:
    """Write the plan, read the folder back and verify what is there (as the CLI does)."""
    from carecal.io import read_plan, write_plan

    write_plan(plan, folder, community)  # type: ignore[arg-type]
    return _verified(community, read_plan(folder, community))


def _verified(community: Community, plan: Plan) -> tuple[str, ...]:
    from carecal.verify import verify

    return tuple(str(v) for v in verify(community, plan))  # type: ignore[arg-type]


def _already_planned(job: _Job, folder: Path, community: Community) -> tuple[Plan | None, str]:
    """The plan in ``folder`` when it is complete, of the job's period and made from
    ``community``; else None and why it is planned again ("" for an empty folder)."""
    from carecal.errors import PlanFileError
    from carecal.io import read_plan
    from carecal.io.manifest import MANIFEST, read_manifest

    if not folder.is_dir():
        return None, ""
    try:
        manifest = read_manifest(folder, community)
    except PlanFileError as e:
        return None, "planned again: " + "; ".join(e.problems)
    if manifest is None:
        if any(folder.iterdir()):
            return None, f"planned again: the folder has no complete plan ({MANIFEST} is missing)"
        return None, ""
    period = f"{job.start}" if job.kind == "meals" else f"{job.start} to {job.end}"
    covered = manifest.kind == job.kind and (manifest.start, manifest.end) == (job.start, job.end)
    if job.kind == "meals":
        covered = covered and [m.date for m in manifest.meals] == [job.start]
    if not covered:
        had = f"{manifest.kind} {manifest.start} to {manifest.end}"
        return None, f"planned again: the folder held {had}, this run plans {job.kind} {period}"
    try:
        return read_plan(folder, community), ""
    except PlanFileError as e:
        return None, "planned again: " + "; ".join(e.problems)


def _numbers_of(plan: Plan, kind: PlanKind) -> dict[str, Any]:
    """The roll-up's numbers of one plan (computed in the worker: plain Python)."""
    # compare's numbers are the ones a coordinator already reads when comparing two plans;
    # the roll-up uses the same, so a centre's row and its comparison agree.
    from carecal.compare import _numbers

    groups = (True, kind == "week", kind == "week")
    numbers: dict[str, Any] = {
        k: v for k, v in _numbers(plan, groups).items() if k not in _NOT_SUMMED
    }
    numbers["unserved_by_code"] = Counter(u.code for u in plan.unserved)
    numbers["solve_seconds"] = plan.solve_seconds
    return numbers


_NOT_SUMMED = frozenset({"median_food_minutes"})
"""compare's numbers that a city total cannot add up, left out of the roll-up."""

METRICS: dict[PlanKind, tuple[str, ...]] = {
    "meals": ("meals_served", "meals_unserved", "carriers", "trips", "travel_minutes"),
    "week": (
        "meals_served",
        "meals_unserved",
        "carriers",
        "trips",
        "travel_minutes",
        "checks_booked",
        "checks_unserved",
        "escorts",
        "shift_places_filled",
        "short_shift_places",
        "volunteers_on_shifts",
    ),
}
"""The roll-up's number columns for each kind of run, after centre, status, plan_status."""


# --- the city --------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CityPlan:
    """A city run: every centre's plan or its error, and the roll-up.

    Attributes
    ----------
    root : Path
        The folder of centres.
    kind : str
        ``meals`` (one date) or ``week``.
    start, end : datetime.date
        The period (the same date twice for meals).
    centres : tuple of CentreResult
        One per centre, sorted by name.
    seconds : float
        Wall seconds of the whole run (the cluster's start included).
    out : Path or None
        Where the centres' folders and the roll-up were written.
    """

    root: Path
    kind: PlanKind
    start: dt.date
    end: dt.date
    centres: tuple[CentreResult, ...]
    seconds: float
    out: Path | None = None

    @property
    def plans(self) -> dict[str, Plan]:
        """Each centre's plan, by centre name (centres that failed are left out)."""
        return {c.name: c.plan for c in self.centres if c.plan is not None and c.status != "failed"}

    @property
    def errors(self) -> dict[str, str]:
        """Each failed centre's error, by centre name."""
        return {c.name: c.error for c in self.centres if c.status == "failed"}

    @property
    def failed(self) -> list[str]:
        """The names of the centres that failed."""
        return [c.name for c in self.centres if c.status == "failed"]

    @property
    def broken_rules(self) -> int:
        """How many broken rules the verifier found, over every centre's folder."""
        return sum(len(c.broken_rules or ()) for c in self.centres)

    def __getitem__(self, name: str) -> CentreResult:
        for centre in self.centres:
            if centre.name == name:
                return centre
        raise KeyError(name)

    def to_frame(self) -> pd.DataFrame:
        """The roll-up as a DataFrame (needs pandas), one row per centre, by ``centre``:
        ``status``, ``plan_status``, the numbers (``meals_served``, ``carriers``,
        ``travel_minutes``, ... and for a week ``short_shift_places``), ``unserved``
        and one ``unserved_<code>`` column per reason code found, ``broken_rules``,
        ``solve_seconds`` (the planner's), ``seconds`` (the whole task), ``folder`` and
        ``error``."""
        from carecal.io.city_frames import rollup_frame

        return rollup_frame([_row(c) for c in self.centres], METRICS[self.kind])

    def totals(self) -> pd.Series:
        """The city's totals (needs pandas): each number summed over the centres with a
        plan, and the centres counted by status."""
        from carecal.io.city_frames import rollup_totals

        return rollup_totals(self.to_frame())

    def headline(self) -> str:
        """The run in one line: the period, the centres by status, meals served."""
        counts = Counter(c.status for c in self.centres)
        kept = [c for c in self.centres if c.status != "failed"]
        served = sum(c.numbers.get("meals_served", 0) for c in kept)
        unserved = sum(c.numbers.get("unserved", 0) for c in kept)
        return (
            f"City {self.kind} {_period_text(self)}: {len(self.centres)} centres, "
            f"{counts['planned']} planned, {counts['skipped']} already planned, "
            f"{counts['failed']} failed; {served} meals served, {unserved} unserved"
        )

    def summary(self) -> str:
        """The run for a coordinator: the headline, a line per centre, the time taken."""
        lines = [self.headline() + f", in {self.seconds:.1f} s."]
        lines += [f"- {c.line()}" for c in self.centres]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<{self.headline()}>"


def _period_text(city: CityPlan) -> str:
    return f"{city.start}" if city.start == city.end else f"{city.start} to {city.end}"


def _row(centre: CentreResult) -> dict[str, Any]:
    """A centre's row of the roll-up (before :mod:`carecal.io.city_frames` shapes it)."""
    row: dict[str, Any] = dict(centre.numbers)
    row |= {
        "centre": centre.name,
        "status": centre.status,
        "plan_status": centre.plan.status.value if centre.plan is not None else None,
        "broken_rules": len(centre.broken_rules) if centre.broken_rules is not None else None,
        "seconds": centre.seconds,
        "folder": str(centre.folder) if centre.folder is not None else None,
        "error": centre.error or None,
    }
    if centre.status == "failed":
        # A plan made but not written is not the centre's plan for the day: no numbers.
        row = {k: v for k, v in row.items() if k in ("centre", "status", "seconds", "folder")}
        row["error"] = f"{centre.stage}: {centre.error}"
    return row


# --- running the tasks -----------------------------------------------------------------------


def _distributed() -> Any:
    """The ``distributed`` package, or ExtraMissingError with what to do instead."""
    try:
        import distributed
    except ImportError:
        raise ExtraMissingError(
            "dask",
            "distributed",
            "carecal city",
            "planning the centres in parallel needs Dask distributed, which is not "
            'installed; install it with: pip install "carecal[dask]" (or plan the '
            "centres one after another, without Dask: jobs=1, on the command line --jobs 1)",
        ) from None
    return distributed


def _dashboard_address() -> str | None:
    """Where the local cluster's dashboard listens: any free port, when bokeh (which draws
    it) is installed; none otherwise, rather than a warning that it cannot start."""
    return ":0" if importlib.util.find_spec("bokeh") is not None else None


@contextmanager
def _local_client(jobs: int) -> Iterator[Any]:
    """A client of a new LocalCluster: ``jobs`` worker processes of one thread each.

    Processes, not threads: each solve holds the GIL in Python parts of the planners, and
    a worker lost (out of memory) takes only its own centre with it.
    """
    distributed = _distributed()
    import dask  # installed with distributed, which needs it

    with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):
        cluster = distributed.LocalCluster(
            n_workers=jobs,
            threads_per_worker=1,
            processes=True,
            dashboard_address=_dashboard_address(),
        )
    try:
        with distributed.Client(cluster) as client:
            yield client
    finally:
        cluster.close()


@contextmanager
def _connected(address: str) -> Iterator[Any]:
    """A client of the running cluster whose scheduler is at ``address``."""
    distributed = _distributed()
    try:
        client = distributed.Client(address, timeout="10s")
    except (OSError, TimeoutError) as e:
        raise OptionError(
            f"no Dask scheduler answers at {address} ({e}); start one with `dask scheduler` "
            "and workers with `dask worker ADDRESS --nthreads 1`, or leave the address out "
            "to plan on this machine"
        ) from None
    with client:
        yield client


def _worker_lost(job: _Job, error: BaseException) -> CentreResult:
    """The result of a centre whose task came back as an error of the cluster's."""
    if type(error).__name__ == "KilledWorker":
        why = (
            f"the worker planning it died {ALLOWED_FAILURES + 1} time(s) (out of memory, or "
            "the solver crashed); give the workers more memory, or plan this centre alone "
            "with carecal meals / carecal week"
        )
    else:
        why = f"the cluster could not run its task: {type(error).__name__}: {error}"
    return _failed(job, "worker", [why])


def _run_here(jobs: Sequence[_Job], done: Callable[[CentreResult], None]) -> list[CentreResult]:
    """The centres one after another in this process (``jobs=1``: no Dask needed)."""
    results = []
    for job in jobs:
        result = _plan_centre(job)
        done(result)
        results.append(result)
    return results


def _run_on(
    client: Any, jobs: Sequence[_Job], done: Callable[[CentreResult], None]
) -> list[CentreResult]:
    """The centres as tasks on ``client``'s cluster, each result taken as it comes."""
    distributed = _distributed()
    futures = {}
    for job in jobs:
        # The biggest centres first: they take longest, and starting them early keeps a
        # small centre from being the last one a whole cluster waits for.
        size = _input_bytes(Path(job.source))
        future = client.submit(
            _plan_centre, job, key=f"carecal-{job.name}-{uuid.uuid4().hex[:12]}", priority=size
        )
        futures[future] = job
    results = []
    for future in distributed.as_completed(list(futures)):
        job = futures[future]
        try:
            result = future.result()
        except Exception as e:
            result = _worker_lost(job, e)
        future.release()
        done(result)
        results.append(result)
    return results


def _input_bytes(source: Path) -> int:
    """The size of a centre's input files: a cheap guess at how long it takes to plan."""
    try:
        if source.is_dir():
            return sum(p.stat().st_size for p in source.iterdir() if p.is_file())
        return source.stat().st_size
    except OSError:
        return 0


def _progress_sink(
    progress: Any, total: int, time_limit: float, began: float
) -> tuple[Callable[[str, str], None], Callable[[], None]]:
    """``(say, close)``: ``say(stage, message)`` reports to the ``progress`` option."""
    if progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, desc="centres", unit="centre", leave=True)

        def to_bar(stage: str, message: str) -> None:
            if stage == "centre":
                bar.update(1)
                bar.set_postfix_str(message.split(":", 1)[0], refresh=True)
            elif stage == "cluster":
                bar.write(message)

        return to_bar, bar.close
    if callable(progress):

        def to_callable(stage: str, message: str) -> None:
            elapsed = time.perf_counter() - began
            progress(ProgressEvent("plan_city", stage, message, elapsed, time_limit))

        return to_callable, lambda: None
    return lambda stage, message: None, lambda: None


def plan_city(
    root: str | Path,
    start: object,
    end: object = None,
    *,
    client: Any = None,
    jobs: int | None = None,
    out: str | Path | None = None,
    force: bool = False,
    plots: bool = False,
    time_limit: float | None = None,
    workers: int | None = 1,
    seed: int = 0,
    deterministic: bool = False,
    progress: Any = False,
) -> CityPlan:
    """Plan every centre under ``root``, each as its own task, and roll the plans up.

    Parameters
    ----------
    root
        A folder holding one community folder (CSV files) or ``.xlsx`` workbook per
        centre; the centre's name is the folder's name or the workbook's stem.
    start, end
        ``end`` None (the default): each centre's meals of the date ``start``. ``end``
        given: each centre's week plan (meals, campaign days, shifts) from ``start`` to
        ``end``, both included. Dates as every planner takes them.
    client
        Where the tasks run: a ``distributed.Client``, or the address of a running Dask
        scheduler (``"tcp://host:8786"``). Default None: a new ``LocalCluster`` on this
        machine (or no Dask at all with ``jobs=1``).
    jobs
        How many centres are planned at once on the new local cluster: its worker
        processes, one thread each. Default None: one per core (at most one per centre).
        ``1`` plans the centres one after another in this process, without Dask. Not
        given together with ``client``.
    out
        The folder to write into: each centre's plan folder as ``out/<centre>`` (written
        as :func:`carecal.io.write_plan` writes, then read back and verified), and the
        roll-up ``city_summary.csv`` and ``city_summary.html``. Default None: nothing is
        written, and nothing is verified.
    force
        Plan every centre again, even those whose folder in ``out`` is complete, of the
        same period and made from the same community (default False: those are read back,
        not planned again).
    plots
        Also draw ``city_summary.png``, a bar per centre (needs ``carecal[plot]``; only
        with ``out``). Default False.
    time_limit
        Wall seconds per centre (default 10 for meals, 60 for a week, as the single
        centre's commands).
    workers
        Solver threads of each centre's solve (default 1: the parallelism is across
        centres; None uses every core of the worker's machine, for few big centres).
    seed, deterministic
        As for every planner (defaults 0 and False); ``deterministic=True`` gives the same
        plans for the same input, wherever the tasks run.
    progress
        False (default): nothing; True: a progress bar over the centres on stderr; a
        callable: a :class:`~carecal.ProgressEvent` (planner ``plan_city``) for the
        cluster (stage ``cluster``: its workers and dashboard) and for each centre done
        (stage ``centre``, the centre's line).

    Returns
    -------
    CityPlan
        Every centre's plan or error, and the roll-up (:meth:`CityPlan.to_frame`).

    Raises
    ------
    OptionError
        ``root`` is not a folder of centres, a date or an option is invalid, or no
        scheduler answers at ``client``.
    ExtraMissingError
        Dask distributed is not installed and the run needs it (not with ``jobs=1``), or
        ``plots`` without matplotlib.

    Notes
    -----
    A centre that fails (invalid input, a solve that raises, a worker that dies) does not
    stop the others: it is in :attr:`CityPlan.centres` with its error (and, with ``out``,
    in the roll-up), and no folder of its is touched. Each centre's folder is written as
    soon as its plan is made, so a run that is stopped keeps every folder it finished;
    running it again plans only the rest.
    """
    began = time.perf_counter()
    first = coerce_date(start, "start")
    kind: PlanKind = "meals" if end is None else "week"
    last = first if end is None else coerce_period(first, end)[1]
    limit = time_limit if time_limit is not None else _default_limit(kind)
    # The options are checked as every planner checks them, before any centre is read.
    solve_options(
        "plan_city", time_limit=limit, workers=workers, seed=seed, deterministic=deterministic
    )
    if progress is not None and not isinstance(progress, bool) and not callable(progress):
        raise OptionError(
            "plan_city: progress must be True (a progress bar), False, or a callable that "
            f"receives progress events, not {progress!r}"
        )
    _check_run(client, jobs, force, plots, out)
    folder = Path(out) if out is not None else None
    centres = find_centres(root, exclude=folder)
    if plots and importlib.util.find_spec("matplotlib") is None:
        raise ExtraMissingError("plot", "matplotlib", "plan_city(plots=True)")
    tasks = [
        _Job(
            name=name,
            source=str(source),
            kind=kind,
            start=first,
            end=last,
            folder=str(folder / name) if folder is not None else None,
            force=force,
            time_limit=limit,
            workers=workers,
            seed=seed,
            deterministic=deterministic,
        )
        for name, source in centres
    ]
    say, close = _progress_sink(progress, len(tasks), limit, began)
    count = 0

    def done(result: CentreResult) -> None:
        nonlocal count
        count += 1
        say("centre", f"[{count}/{len(tasks)}] {result.line()}")

    try:
        results = _run(tasks, client, jobs, say, done)
    finally:
        close()
    city = CityPlan(
        root=Path(root),
        kind=kind,
        start=first,
        end=last,
        centres=tuple(sorted(results, key=lambda r: r.name)),
        seconds=time.perf_counter() - began,
        out=folder,
    )
    if folder is not None:
        write_city_summary(city, folder, plots=plots)
    return city


def _default_limit(kind: PlanKind) -> float:
    return MEALS_TIME_LIMIT if kind == "meals" else WEEK_TIME_LIMIT


def _check_run(client: Any, jobs: Any, force: Any, plots: Any, out: Any) -> None:
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise OptionError(f"plan_city: jobs must be a whole number of 1 or more, not {jobs!r}")
    if jobs is not None and client is not None:
        raise OptionError(
            "plan_city: give jobs (the size of a new local cluster) or client (a running "
            "cluster), not both; a running cluster's size is its workers'"
        )
    for name, value in (("force", force), ("plots", plots)):
        if not isinstance(value, bool):
            raise OptionError(f"plan_city: {name} must be True or False, not {value!r}")
    if plots and out is None:
        raise OptionError("plan_city: plots=True draws city_summary.png into out; give out")


def _run(
    tasks: Sequence[_Job],
    client: Any,
    jobs: int | None,
    say: Callable[[str, str], None],
    done: Callable[[CentreResult], None],
) -> list[CentreResult]:
    """Run the tasks where the caller asked: here, a new local cluster, or a running one."""
    if client is None and jobs == 1:
        say("cluster", f"Planning {len(tasks)} centre(s) one after another, in this process.")
        return _run_here(tasks, done)
    if client is None:
        size = min(jobs or os.cpu_count() or 1, len(tasks))
        with _local_client(size) as local:
            say("cluster", _cluster_text(local, f"a local Dask cluster of {size} worker(s)"))
            return _run_on(local, tasks, done)
    if isinstance(client, str):
        with _connected(client) as remote:
            say("cluster", _cluster_text(remote, f"the Dask cluster at {client}"))
            return _run_on(remote, tasks, done)
    say("cluster", _cluster_text(client, "the Dask cluster given"))
    return _run_on(client, tasks, done)


def _cluster_text(client: Any, what: str) -> str:
    link = getattr(client, "dashboard_link", None) if _has_dashboard(client) else None
    return f"Planning on {what}" + (f"; dashboard: {link}" if link else "") + "."


def _has_dashboard(client: Any) -> bool:
    """Whether the cluster's scheduler serves a dashboard (the link exists regardless)."""
    try:
        info = client.scheduler_info()
    except Exception:
        return False
    return bool(info.get("services", {}).get("dashboard"))


# --- the roll-up on disk ---------------------------------------------------------------------


def write_city_summary(city: CityPlan, out: str | Path, *, plots: bool = False) -> list[Path]:
    """Write the roll-up of ``city`` into ``out``: ``city_summary.csv``,
    ``city_summary.html`` and, with ``plots``, ``city_summary.png``.

    Each file is written whole or not at all (a temporary name, then a rename).

    Parameters
    ----------
    city
        The city run.
    out
        The folder (created if needed).
    plots
        Also draw the bar chart (needs ``carecal[plot]``). Default False.

    Returns
    -------
    list of Path
        The files written.
    """
    from carecal.io.city_frames import rollup_csv, rollup_html
    from carecal.io.files import atomic_write

    folder = Path(out)
    frame = city.to_frame()
    totals = city.totals()
    title = f"City {city.kind} plan, {_period_text(city)}"
    facts = [
        city.headline() + ".",
        f"Centres from {city.root}; planned in {city.seconds:.1f} s.",
        "Each centre's plan is in the folder of its name beside this page; "
        "a failed centre's folder was left as it was.",
    ]
    written = [
        atomic_write(folder / f"{SUMMARY}.csv", rollup_csv(frame, totals)),
        atomic_write(folder / f"{SUMMARY}.html", rollup_html(title, facts, frame, totals)),
    ]
    if plots:
        from carecal.plot import _png, city_bars

        size = (8.0, 1.6 + 0.35 * max(len(city.centres), 1))
        png = _png(size, lambda figure: city_bars(city, figure.add_subplot()))
        written.append(atomic_write(folder / f"{SUMMARY}.png", png))
    return written
