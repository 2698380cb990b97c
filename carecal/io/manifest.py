"""``manifest.json``: what a plan folder holds, written last as the commit record of a write.

A plan folder is one plan: the CSV schedules, ``summary.md``, the printable sheets and,
when asked for, the workbook (``plan.xlsx``) and the pictures (``plots/``) of one call of
:func:`carecal.io.write_plan`. The manifest says which plan (its kind, the
dates it covers, how many deliveries each meal date holds, the community it was made for)
and which files are the plan's. :func:`commit` changes a folder from one plan to another
so that, whenever the run stops (an error, a full disk, ``kill -9``, a power cut), the
folder holds the old plan or the new one, never a mix:

1. every file name and every byte of the new plan is decided in memory first;
2. ``.carecal-writing`` is written, then the old ``manifest.json`` removed: from here the
   folder reads as *incomplete*;
3. each new file is written under a temporary name and renamed over its target;
4. the files only the old plan had are removed (the old manifest lists them; a folder
   written by carecal 0.1, without one, by their names);
5. the new ``manifest.json`` is written (a rename, so it is there whole or not at all) and
   ``.carecal-writing`` removed.

Files carecal did not write are left where they are and named in a
:class:`~carecal.errors.CarecalWarning`; the reader never takes them for part of a plan.
Nothing in the manifest depends on the clock, so a deterministic run writes the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping
from enum import Enum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from carecal.errors import CarecalWarning, PlanFileError
from carecal.i18n import N_, Message
from carecal.io.files import atomic_write, is_temp_name, remove_file, sync_folder
from carecal.io.schema import OUTPUT_TABLES
from carecal.model import Community

MANIFEST = "manifest.json"
"""The commit record's file name."""
WRITING = ".carecal-writing"
"""Present while a write is under way; with no manifest beside it the folder is incomplete."""
FORMAT = 1
"""The manifest format this carecal writes and reads."""
SHEET_FOLDERS = ("routes", "escorts", "timetables")
"""The sub-folders of printable sheets."""
PLOT_FOLDER = "plots"
"""The sub-folder of the pictures (``write_plan(..., plots=True)``)."""
SUBFOLDERS = (*SHEET_FOLDERS, PLOT_FOLDER)
"""Every sub-folder carecal writes into, and so looks into and removes when emptied."""
ROOT_FILES = (*(t.file for t in OUTPUT_TABLES.values()), "summary.md", "packing_list.html")
"""Every table, summary and page carecal writes at the top of a plan folder (besides the
manifest and the workbook): those of carecal 0.1, and ``packing_list.csv`` and its
printable page ``packing_list.html`` since 0.2.
A folder without a manifest is read, and cleaned on a re-write, by these names."""
WORKBOOK = "plan.xlsx"
"""The workbook of every table (``write_plan(..., xlsx=True)``)."""

_SHEET = re.compile(rf"^({'|'.join(SHEET_FOLDERS)})/[^/\\]+\.html$")
# The pictures' names come from dates and fixed words (carecal.plot.render_all).
_PLOT = re.compile(rf"^{PLOT_FOLDER}/[A-Za-z0-9_][A-Za-z0-9_.-]*\.png$")
_WRITING_NOTE = (
    "carecal is writing a plan into this folder, or was stopped while it did. Until "
    "manifest.json is back the folder holds no complete plan: run the planning command "
    "again.\n"
)

Kind = Literal["meals", "campaign", "shifts", "week"]


def is_plan_file(name: str) -> bool:
    """Whether ``name`` (relative, with ``/``) is a file carecal writes into a plan folder:
    a table, the summary, the workbook, a printable sheet or a picture."""
    if ".." in name:
        return False
    return name in ROOT_FILES or name == WORKBOOK or bool(_SHEET.match(name) or _PLOT.match(name))


def community_fingerprint(community: Community) -> str:
    """A hash of the community as read: the same data gives the same fingerprint.

    The community model is serialised canonically (JSON, keys sorted), so the fingerprint
    follows what carecal read, not the bytes or the order of the input files, and a
    hand edit of the plan does not change it. The policy's language and the community's
    history (``history/``) are left out.
    """
    text = json.dumps(
        # The language the plan is written in (policy lang, --lang) is not the community.
        # Nor is its history (earlier plans, history/): it grows by a folder every day, and
        # with it in the fingerprint yesterday's plan would read as made for another
        # community the moment it is filed, for verify, report and re-planning alike. The
        # history changes no rule a plan must keep, only the preferences it was made with.
        _canonical(community.model_dump(exclude={"policy": {"lang"}, "history": True})),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canonical(value: Any) -> Any:
    """Plain JSON values in an order that does not depend on the process.

    Sets (skills, meal days, diet tags) are sorted: their iteration order follows string
    hashing, which differs from one Python process to the next, so two runs of carecal on
    the same data would otherwise fingerprint it differently.
    """
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        items = [_canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, Enum):
        return _canonical(value.value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class MealDay(_Frozen):
    """A meal date of the plan and its deliveries (on a trip or unserved); 0: no orders."""

    date: dt.date
    deliveries: int = Field(ge=0)


class ClinicDayRef(_Frozen):
    """One clinic running one campaign day of the plan."""

    date: dt.date
    clinic_id: str


class CampaignCover(_Frozen):
    """The campaign's days, and how many residents it booked or listed as unserved."""

    dates: tuple[dt.date, ...] = ()
    clinic_days: tuple[ClinicDayRef, ...] = ()
    residents: int = Field(ge=0)


class ShiftCover(_Frozen):
    """The shift plan's period and its assignments per date (dates with none left out)."""

    start: dt.date
    end: dt.date
    assignments: dict[dt.date, int] = Field(default_factory=dict)


class CommunityRef(_Frozen):
    """The community the plan was made for: its fingerprint and its size, to name it."""

    fingerprint: str
    residents: int
    volunteers: int


class Manifest(_Frozen):
    """What a plan folder holds (``manifest.json``).

    Attributes
    ----------
    manifest : int
        The format (:data:`FORMAT`).
    kind : str
        ``meals`` (one date), ``campaign``, ``shifts`` or ``week``.
    carecal_version : str
        The carecal that wrote the folder.
    community : CommunityRef
        The community the plan was made for (:func:`community_fingerprint`).
    start, end : datetime.date or None
        The period the plan covers.
    meals : tuple of MealDay
        Each meal date and its number of deliveries; 0 marks a date without orders, so that
        an empty day is not taken for a deleted one.
    campaign : CampaignCover or None
        The campaign's dates, clinic days and residents (booked or unserved).
    shifts : ShiftCover or None
        The shift plan's period and assignments per date.
    files : tuple of str
        Every file of the plan, relative, with ``/``; the manifest itself is not listed.
    """

    manifest: int = FORMAT
    kind: Kind
    carecal_version: str
    community: CommunityRef
    start: dt.date | None = None
    end: dt.date | None = None
    meals: tuple[MealDay, ...] = ()
    campaign: CampaignCover | None = None
    shifts: ShiftCover | None = None
    files: tuple[str, ...] = ()

    @field_validator("files")
    @classmethod
    def _plan_files_only(cls, files: tuple[str, ...]) -> tuple[str, ...]:
        # The writer removes the files an old manifest lists: a manifest naming anything but
        # a plan file (``../x``, an absolute path) must never get that far.
        for name in files:
            if not is_plan_file(name):
                raise ValueError(f"{name!r} is not a file carecal writes into a plan folder")
        return files

    @model_validator(mode="after")
    def _parts_of_the_kind(self) -> Manifest:
        parts = (len(self.meals), self.campaign is not None, self.shifts is not None)
        expected = {"meals": (1, False, False), "campaign": (0, True, False)}
        expected["shifts"] = (0, False, True)
        if self.kind in expected and parts != expected[self.kind]:
            raise ValueError(
                f"a {self.kind} plan lists {parts[0]} meal date(s), "
                f"{'a' if parts[1] else 'no'} campaign and {'a' if parts[2] else 'no'} shift plan"
            )
        return self

    def to_bytes(self) -> bytes:
        """The manifest as UTF-8 JSON, the same bytes for the same plan."""
        return (self.model_dump_json(indent=2) + "\n").encode("utf-8")


def parse_manifest(data: bytes, source: str) -> Manifest:
    """The manifest in ``data`` (the file ``source``).

    Raises
    ------
    PlanFileError
        For a file that is not a carecal manifest, or one of a newer format.
    """
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise PlanFileError(
            Message(
                N_(
                    "{source} is not valid JSON ({error}); it is carecal's record of the plan "
                    "in the folder: write the plan again"
                ),
                source=source,
                error=str(e),
            )
        ) from None
    if isinstance(raw, dict) and isinstance(raw.get("manifest"), int) and raw["manifest"] > FORMAT:
        raise PlanFileError(
            Message(
                N_(
                    "{source} was written by a newer carecal ({version}, manifest format "
                    "{format}); upgrade carecal to read this plan"
                ),
                source=source,
                version=str(raw.get("carecal_version", "?")),
                format=raw["manifest"],
            )
        )
    try:
        return Manifest.model_validate(raw)
    except ValidationError as e:
        where = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'the file'}: {err['msg']}"
            for err in e.errors()
        )
        raise PlanFileError(
            Message(
                N_("{source} is not a carecal manifest ({where}); write the plan again"),
                source=source,
                where=where,
            )
        ) from None


def read_manifest(
    folder: Path, community: Community, *, same_community: bool = True
) -> Manifest | None:
    """The manifest of a plan folder, checked against the folder and the community.

    With ``same_community=False`` the community's fingerprint is not compared: the plan
    was made before changes to it (the previous plan of a re-plan).

    Returns ``None`` for a folder written by carecal 0.1 (no manifest, nothing half
    written), with a :class:`~carecal.errors.CarecalWarning` that its coverage cannot be
    checked, and for a folder holding no plan file at all.

    Raises
    ------
    PlanFileError
        For an incomplete folder (a file the manifest lists is missing; a write was
        stopped: no manifest but ``.carecal-writing`` or a temporary file), for a manifest
        that is not valid, or for a plan made for another community.
    """
    path = folder / MANIFEST
    if not path.is_file():
        leftovers = [n for n in _listing(folder) if n == WRITING or is_temp_name(n.split("/")[-1])]
        if leftovers:
            raise PlanFileError(
                Message(
                    N_(
                        "{folder} is incomplete: it has no {manifest} but {files} left by a "
                        "write that was stopped, so its files may mix two plans; run the "
                        "planning command again to write a whole plan"
                    ),
                    folder=str(folder),
                    manifest=MANIFEST,
                    files=", ".join(leftovers[:3]),
                )
            )
        if any((folder / name).is_file() for name in ROOT_FILES):
            warnings.warn(
                CarecalWarning(
                    Message(
                        N_(
                            "{folder} has no {manifest} (carecal 0.1 wrote it without one): "
                            "whether the plan covers every date it was made for cannot be "
                            "checked; write the plan again with this carecal to have it checked"
                        ),
                        folder=str(folder),
                        manifest=MANIFEST,
                    )
                ),
                stacklevel=3,
            )
        return None
    manifest = parse_manifest(path.read_bytes(), f"{folder / MANIFEST}")
    problems: list[str] = [
        Message(
            N_(
                "{folder} is incomplete: {file} listed in {manifest} is missing; restore it or "
                "write the plan again"
            ),
            folder=str(folder),
            file=name,
            manifest=MANIFEST,
        )
        for name in manifest.files
        if not (folder / name).is_file()
    ]
    given = community_fingerprint(community)
    made_for = manifest.community
    if same_community and made_for.fingerprint != given:
        problems.append(
            Message(
                N_(
                    "{folder}: the plan was made for another community (one of {residents} "
                    "residents and {volunteers} volunteers, fingerprint {fingerprint}), not "
                    "the one given ({given_residents} residents, {given_volunteers} "
                    "volunteers, fingerprint {given}): residents, volunteers, sites, shifts, "
                    "requests, the campaign or the policy differ. Give the data the plan was "
                    "made from, or plan again with this data"
                ),
                folder=str(folder),
                residents=made_for.residents,
                volunteers=made_for.volunteers,
                fingerprint=made_for.fingerprint[:19],
                given_residents=len(community.residents),
                given_volunteers=len(community.volunteers),
                given=given[:19],
            )
        )
    if problems:
        raise PlanFileError(problems)
    return manifest


def coverage_problems(
    manifest: Manifest,
    meal_rows: Mapping[dt.date | None, int],
    campaign_rows: int,
    shift_rows: Mapping[dt.date, int],
) -> list[str]:
    """What the folder's rows miss of what the manifest says the plan covers.

    Parameters
    ----------
    manifest
        The folder's manifest.
    meal_rows
        Rows of ``meal_routes.csv`` plus meal rows of ``unserved.csv``, per date (``None``:
        unserved meals without a date).
    campaign_rows
        Rows of ``health_checks.csv`` plus health-check and home-check rows of
        ``unserved.csv``.
    shift_rows
        Rows of ``shift_plan.csv`` per date.

    Returns
    -------
    list of str
        One sentence per date (or part) whose rows do not match, naming the fix.
    """
    problems: list[str] = []
    counts = Counter({d: n for d, n in meal_rows.items() if d is not None})
    if len(manifest.meals) == 1:
        counts[manifest.meals[0].date] += meal_rows.get(None, 0)
    listed = {m.date for m in manifest.meals}
    for day in manifest.meals:
        found = counts.get(day.date, 0)
        if found == day.deliveries:
            continue
        if found == 0:
            problems.append(
                Message(
                    N_(
                        "no delivery of {date} is in meal_routes.csv or unserved.csv, but "
                        "{manifest} lists {listed} (on a trip or unserved) that day: its rows "
                        "were deleted; restore them or plan the day again"
                    ),
                    date=str(day.date),
                    manifest=MANIFEST,
                    listed=day.deliveries,
                )
            )
        else:
            problems.append(
                Message(
                    N_(
                        "meal_routes.csv and unserved.csv hold {found} deliveries of {date}, "
                        "{manifest} lists {listed} (on a trip or unserved): rows were deleted "
                        "or added by hand; restore them or plan the day again"
                    ),
                    found=found,
                    date=str(day.date),
                    manifest=MANIFEST,
                    listed=day.deliveries,
                )
            )
    for extra in sorted(set(counts) - listed):
        problems.append(
            Message(
                N_(
                    "meal_routes.csv or unserved.csv has deliveries of {date}, a date this plan "
                    "does not cover ({manifest}: {dates}); take those rows out or plan that day "
                    "in a folder of its own"
                ),
                date=str(extra),
                manifest=MANIFEST,
                dates=", ".join(str(d) for d in sorted(listed)) or Message(N_("none")),
            )
        )
    if manifest.campaign is not None and campaign_rows != manifest.campaign.residents:
        problems.append(
            Message(
                N_(
                    "health_checks.csv and unserved.csv hold {found} residents of the "
                    "campaign, {manifest} lists {listed} (booked or unserved): rows were "
                    "deleted or added by hand; restore them or plan the campaign again"
                ),
                found=campaign_rows,
                manifest=MANIFEST,
                listed=manifest.campaign.residents,
            )
        )
    if manifest.shifts is not None:
        for date, planned in sorted(manifest.shifts.assignments.items()):
            if planned and not shift_rows.get(date):
                problems.append(
                    Message(
                        N_(
                            "shift_plan.csv has no assignment on {date}, {manifest} lists "
                            "{listed}: the rows of that date were deleted; restore them or "
                            "plan the shifts again"
                        ),
                        date=str(date),
                        manifest=MANIFEST,
                        listed=planned,
                    )
                )
    return problems


def _listing(folder: Path, extra_folders: Iterable[str] = ()) -> list[str]:
    """The entries carecal looks at: the folder's own, and the files of its sub-folders.

    Relative names with ``/``; a sub-folder that is not a sheet folder appears as
    ``name/`` (carecal never looks inside a folder it does not write into).
    """
    if not folder.is_dir():
        return []
    found: list[str] = []
    subfolders = {*SUBFOLDERS, *extra_folders}
    for entry in sorted(folder.iterdir()):
        if entry.is_dir():
            if entry.name in subfolders:
                found += [f"{entry.name}/{p.name}" for p in sorted(entry.iterdir())]
            else:
                found.append(f"{entry.name}/")
        else:
            found.append(entry.name)
    return found


def _old_plan_files(folder: Path, listing: list[str]) -> set[str]:
    """The files of the plan in the folder now: its manifest's, or those carecal 0.1 wrote."""
    path = folder / MANIFEST
    if path.is_file():
        try:
            return set(parse_manifest(path.read_bytes(), str(path)).files)
        except PlanFileError:
            pass  # a broken record: fall back on the names carecal writes
    return {n for n in listing if n in ROOT_FILES or _SHEET.match(n)}


def commit(folder: Path, files: Mapping[str, bytes], manifest: Manifest) -> list[Path]:
    """Replace the plan in ``folder`` by ``files`` under ``manifest`` (the module's steps).

    Parameters
    ----------
    folder
        The plan folder (created if needed).
    files
        Every file of the new plan by relative name, rendered (by
        :func:`carecal.io.plan_folder.render_plan`, whose manifest lists exactly these).
    manifest
        The new plan's manifest, written last.

    Returns
    -------
    list of Path
        The files written, the manifest last.

    Warns
    -----
    CarecalWarning
        Naming the files in the folder that carecal did not write (left in place).
    """
    folder.mkdir(parents=True, exist_ok=True)
    before = _listing(folder)
    old = _old_plan_files(folder, before)
    ours = {MANIFEST, WRITING} | set(files) | old
    leftovers = [n for n in before if is_temp_name(n.split("/")[-1])]
    foreign = [n for n in before if n not in ours and n not in leftovers]

    atomic_write(folder / WRITING, _WRITING_NOTE.encode("utf-8"))
    remove_file(folder / MANIFEST)
    written = [atomic_write(folder / name, data) for name, data in sorted(files.items())]
    for name in sorted((old - set(files)) | set(leftovers)):
        remove_file(folder / name)
    for sub in SUBFOLDERS:
        path = folder / sub
        if path.is_dir() and not any(path.iterdir()):
            os.rmdir(path)
    for sub in sorted({str(Path(n).parent) for n in files}):
        sync_folder(folder / sub)
    written.append(atomic_write(folder / MANIFEST, manifest.to_bytes()))
    sync_folder(folder)
    remove_file(folder / WRITING)
    if foreign:
        shown = ", ".join(foreign[:10]) + (
            f" and {len(foreign) - 10} more" if len(foreign) > 10 else ""
        )
        warnings.warn(
            f"{folder} holds {len(foreign)} file(s) carecal did not write, left as they are "
            f"and not part of the plan: {shown}",
            CarecalWarning,
            stacklevel=3,
        )
    return written
