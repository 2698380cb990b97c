"""The ``history/`` folder of a community folder: earlier plan folders, read as history.

Each sub-folder of ``history/`` is a plan folder carecal wrote (a meals, campaign, shifts
or week plan, maybe with the ``done`` column filled in from the ticked sheets). Its rows
become :class:`~carecal.history.MealRecord` and :class:`~carecal.history.BookingRecord`
entries, and the community gets them through :meth:`carecal.model.Community.with_history`,
so that every planner sees the history without an option of its own.

The folders are read the way :func:`carecal.io.read_plan` reads a plan folder: against
their ``manifest.json`` (every listed file there, the rows covering every date), with the
same cell parsing and the same sentences for a bad cell (file, row, column, fix). Two
checks are left out, because a history is by nature older than the community it is read
with: the community fingerprint (the roster and changes.csv move on from day to day), and
ids no longer in the roster (a resident who left), which are left out with one
:class:`~carecal.errors.CarecalWarning`. Where two folders cover one date, the one whose
``manifest.json`` was written last counts for that date (meals and health checks apart),
as ``carecal report`` decides; equal times go to the folder named later.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from carecal.errors import CommunityError, PlanFileError
from carecal.history import BookingRecord, History, MealRecord, booking_outcome, meal_outcome
from carecal.io.csvtext import decode_csv, parse_csv_text
from carecal.io.files import is_temp_name
from carecal.io.manifest import (
    MANIFEST,
    ROOT_FILES,
    WRITING,
    Manifest,
    coverage_problems,
    parse_manifest,
)
from carecal.io.plan_folder import _PlanRow
from carecal.io.problems import warn
from carecal.io.schema import OUTPUT_TABLES, Table
from carecal.model import Community
from carecal.plans import UnservedKind

HISTORY_FOLDER = "history"
"""The sub-folder of a community folder that holds earlier plan folders."""


def read_history(folder: Path, community: Community) -> History:
    """The history told by the plan folders inside ``folder`` (``<data>/history``).

    Parameters
    ----------
    folder
        The ``history/`` folder: one sub-folder per earlier plan, as carecal wrote it.
    community
        The community read from the tables beside it (its roster decides which ids are
        kept).

    Returns
    -------
    History
        The records of every folder, a later folder replacing an earlier one on the
        dates both cover, without the residents and volunteers no longer in the roster.

    Raises
    ------
    CommunityError
        Listing every problem of every folder at once: a sub-folder that holds no plan, an
        incomplete one (a listed file missing, a write that was stopped, rows deleted), a
        ``manifest.json`` that is not valid, a malformed cell (file, row, column, fix).

    Warns
    -----
    CarecalWarning
        Once, naming how many ids no longer in the roster were left out, and in which
        folders; once for files lying in ``history/`` itself (not used).
    """
    problems: list[str] = []
    parts: list[tuple[float, str, History]] = []
    stray = []
    for entry in sorted(folder.iterdir()):
        label = f"{folder.name}/{entry.name}"
        if not entry.is_dir():
            stray.append(entry.name)
            continue
        found: list[str] = []
        part = _read_folder(entry, label, found)
        problems += found
        if part is not None:
            parts.append((_written(entry), label, part))
    if stray:
        warn(
            f"{folder.name}/ holds {len(stray)} file(s) that are not plan folders, not used: "
            f"{', '.join(stray[:5])}{' and more' if len(stray) > 5 else ''}; history/ holds "
            "one folder per earlier plan"
        )
    if problems:
        raise CommunityError(problems)
    history = History()
    gone: list[str] = []
    for _, label, part in sorted(parts, key=lambda p: (p[0], p[1])):
        kept, left = part.restricted_to(community.resident_by_id, community.volunteer_by_id)
        if left:
            shown = ", ".join(left[:5]) + (f" and {len(left) - 5} more" if len(left) > 5 else "")
            gone.append(f"{len(left)} in {label} ({shown})")
        history = history.then(kept)
    if gone:
        count = sum(int(g.split(" ", 1)[0]) for g in gone)
        warn(
            f"{folder.name}/: {count} resident or volunteer id(s) of earlier plans are no "
            f"longer in the roster and are left out of the history: {'; '.join(gone)}"
        )
    return history


def _written(folder: Path) -> float:
    """When the folder's plan was written: its manifest's modification time, or the newest
    table's for a folder without one (as ``carecal report`` decides)."""
    manifest = folder / MANIFEST
    if manifest.is_file():
        return manifest.stat().st_mtime
    return max((p.stat().st_mtime for p in folder.glob("*.csv")), default=0.0)


def _manifest_of(folder: Path, label: str, problems: list[str]) -> Manifest | None:
    """The folder's manifest, its listed files checked; ``None`` for a folder of
    carecal 0.1 (plan files by name, no manifest). A problem is added for a folder that
    holds no plan or an incomplete one."""
    path = folder / MANIFEST
    if path.is_file():
        try:
            manifest = parse_manifest(path.read_bytes(), f"{label}/{MANIFEST}")
        except PlanFileError as e:
            problems += e.problems
            return None
        problems += [
            f"{label} is incomplete: {name} listed in {MANIFEST} is missing; restore it, or "
            f"take the folder out of history/"
            for name in manifest.files
            if not (folder / name).is_file()
        ]
        return manifest
    names = [p.name for p in folder.iterdir()]
    if WRITING in names or any(is_temp_name(n) for n in names):
        problems.append(
            f"{label} is incomplete: it has no {MANIFEST} but files left by a write that was "
            "stopped; write that plan again into it, or take the folder out of history/"
        )
    elif not any(n in ROOT_FILES for n in names):
        problems.append(
            f"{label} holds no plan (no {MANIFEST}, meal_routes.csv, health_checks.csv or "
            "shift_plan.csv); history/ holds the plan folders carecal wrote, one per earlier "
            "plan: move this folder out of history/"
        )
    return None


def _rows(
    folder: Path, label: str, table: Table, names: set[str], problems: list[str]
) -> list[_PlanRow]:
    """The rows of one table of the folder (none when the plan has no such file)."""
    path = folder / table.file
    if table.file not in names or not path.is_file():
        return []
    source = f"{label}/{table.file}"
    try:
        raw = parse_csv_text(decode_csv(path.read_bytes(), source), table.name, source)
    except CommunityError as e:
        problems += e.problems
        return []
    problems += raw.problems
    columns = {name: i for i, name in enumerate(raw.header) if name}
    missing = [c.name for c in table.columns if c.required and c.name not in columns]
    if missing:
        problems.append(
            f"{source} has no column {', '.join(missing)}; carecal writes "
            f"{', '.join(table.column_names)}: write that plan again, or take the folder out "
            "of history/"
        )
        return []
    return [_PlanRow(table, raw, i, columns, problems) for i in range(len(raw.rows))]


def _read_folder(folder: Path, label: str, problems: list[str]) -> History | None:
    """The records of one plan folder of ``history/``; ``None`` when it has problems."""
    before = len(problems)
    manifest = _manifest_of(folder, label, problems)
    if len(problems) > before:
        return None
    names = set(manifest.files) if manifest is not None else set(ROOT_FILES)
    meals: list[MealRecord] = []
    bookings: list[BookingRecord] = []
    meal_counts: Counter[dt.date | None] = Counter()
    campaign_rows = 0
    for row in _rows(folder, label, OUTPUT_TABLES["meal_routes"], names, problems):
        start = len(problems)
        values = {c: row.get(c) for c in ("date", "volunteer_id", "resident_id")}
        done = row.get("done", required=False)
        if len(problems) > start:
            continue
        meal_counts[values["date"]] += 1
        meals.append(
            MealRecord(
                date=values["date"],
                resident_id=values["resident_id"],
                volunteer_id=values["volunteer_id"],
                outcome=meal_outcome(done),
            )
        )
    for row in _rows(folder, label, OUTPUT_TABLES["health_checks"], names, problems):
        start = len(problems)
        values = {c: row.get(c) for c in ("resident_id", "date")}
        escorts = row.get("escort_ids", required=False) or ()
        done = row.get("done", required=False)
        if len(problems) > start:
            continue
        campaign_rows += 1
        bookings.append(
            BookingRecord(
                date=values["date"],
                resident_id=values["resident_id"],
                escort_ids=tuple(escorts),
                outcome=booking_outcome(done),
            )
        )
    unserved_meals: list[tuple[str, dt.date | None]] = []
    for row in _rows(folder, label, OUTPUT_TABLES["unserved"], names, problems):
        start = len(problems)
        kind, uid = row.get("kind"), row.get("id")
        date = row.get("date", required=False)
        if len(problems) > start:
            continue
        if kind == UnservedKind.MEAL:
            meal_counts[date] += 1
            unserved_meals.append((uid, date))
        elif kind in (UnservedKind.HEALTH_CHECK, UnservedKind.HOME_CHECK):
            campaign_rows += 1
    if len(problems) > before:
        return None
    if manifest is not None:
        shifts = dict(manifest.shifts.assignments) if manifest.shifts is not None else {}
        problems += [
            f"{label} is incomplete: {p}"
            for p in coverage_problems(manifest, meal_counts, campaign_rows, shifts)
        ]
        meal_dates = [m.date for m in manifest.meals]
        check_dates = list(manifest.campaign.dates) if manifest.campaign is not None else []
    else:
        meal_dates = sorted({r.date for r in meals} | {d for _, d in unserved_meals if d})
        check_dates = []
    check_dates = sorted({*check_dates, *(b.date for b in bookings)})
    for uid, date in unserved_meals:
        if date is None and len(meal_dates) != 1:
            problems.append(
                f"{label}/unserved.csv: the meal of {uid} has no date; fill in the date column"
            )
            continue
        meals.append(MealRecord(date=date or meal_dates[0], resident_id=uid, outcome="unserved"))
    if len(problems) > before:
        return None
    return History(
        meals=tuple(meals),
        bookings=tuple(bookings),
        meal_dates=tuple(meal_dates),
        check_dates=tuple(check_dates),
        sources=(label,),
    )


def with_history_folder(community: Community, data: Path) -> Community:
    """``community`` with the history of ``data/history/`` when there is one (else as it
    is): :func:`read_history` handed to :meth:`Community.with_history`."""
    folder = data / HISTORY_FOLDER
    if not folder.is_dir():
        return community
    return community.with_history(read_history(folder, community))
