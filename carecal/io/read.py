"""Read a community from a folder of CSV files, one ``.xlsx`` workbook, or DataFrames.

Validation collects **every** problem across all tables before raising one
:class:`carecal.model.CommunityError`; each problem is a sentence that names the file, the
spreadsheet row (the header is row 1), the column, the entity and the fix. Things that are
not errors but may surprise (an unused column, a volunteer with no free time) are issued as
:class:`~carecal.io.problems.CarecalWarning`.

Opening files is kept apart from parsing text: :func:`community_from_csv_texts` takes
strings, :func:`community_from_frames` takes DataFrames, and :func:`read_community` only
opens files and hands their text over to :func:`carecal.io.tables.community_from_tables`.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from carecal.i18n import N_, Message
from carecal.io.cells import clean_cell
from carecal.io.csvtext import RawTable, decode_csv, frame_to_table, parse_csv_text
from carecal.io.frames import policy_entry
from carecal.io.history_folder import with_history_folder
from carecal.io.policy import policy_from_bytes, policy_from_text
from carecal.io.problems import warn
from carecal.io.schema import INPUT_TABLES
from carecal.io.tables import community_from_tables
from carecal.model import Community, CommunityError
from carecal.policy import Policy


def _table_key(name: str) -> str:
    key = name.strip().lower()
    return key[: -len(".csv")] if key.endswith(".csv") else key


def community_from_csv_texts(
    texts: Mapping[str, str],
    policy_text: str | None = None,
    *,
    as_of: dt.date | None = None,
) -> Community:
    """Build a community from the text of CSV files (for tests and in-memory data).

    Parameters
    ----------
    texts
        CSV text by table name (``residents`` or ``residents.csv``).
    policy_text
        The text of a ``policy.toml``, if any.
    as_of
        The date on which ages from ``birth_date`` are judged (today by default).

    Raises
    ------
    CommunityError
        Listing every problem at once.
    """
    tables = {_table_key(k): parse_csv_text(v, _table_key(k)) for k, v in texts.items()}
    return _with_policy(tables, policy_text, "policy.toml", as_of)


def _with_policy(
    tables: Mapping[str, RawTable], policy_text: str | None, label: str, as_of: dt.date | None
) -> Community:
    policy, problems = (None, []) if policy_text is None else policy_from_text(policy_text, label)
    return community_from_tables(tables, policy, as_of=as_of, policy_problems=problems)


def community_from_frames(
    frames: Mapping[str, Any],
    policy: Policy | None = None,
    as_of: dt.date | None = None,
) -> Community:
    """Build a community from DataFrames (for notebooks), with the same checks as files.

    Parameters
    ----------
    frames
        One DataFrame per table, by table name (``residents``, ``volunteers``,
        ``availability``, ``sites``, and optionally ``shifts``, ``requests``, ``campaign``,
        ``travel``). Cells may be text or already typed (numbers, dates, booleans).
        ``policy`` may be among them, as :meth:`Community.to_frames` puts it: a dict of
        settings, a one-row frame of them or a ``Policy``.
    policy
        The centre's policy; the defaults when ``None`` (and no ``policy`` frame).
    as_of
        The date on which ages from ``birth_date`` are judged (today by default).

    Raises
    ------
    CommunityError
        Listing every problem at once; rows are named by their index label.
    OptionError
        When the policy is given both as a frame and as the argument.
    """
    tables = {}
    problems: list[str] = []
    for key, frame in frames.items():
        if _table_key(key) == "policy":
            policy, problems = policy_entry(frame, policy)
        else:
            tables[_table_key(key)] = frame_to_table(frame, _table_key(key))
    return community_from_tables(tables, policy, as_of=as_of, policy_problems=problems)


def _folder_tables(folder: Path) -> tuple[dict[str, RawTable], list[str]]:
    tables: dict[str, RawTable] = {}
    problems: list[str] = []
    known = {t.file: t.name for t in INPUT_TABLES.values()}
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.suffix.lower() != ".csv":
            continue
        file = path.name.lower()
        if file in known:
            name = known[file]
            try:
                text = decode_csv(path.read_bytes(), path.name)
            except CommunityError as e:
                # Kept as an unreadable table, so that it is not also reported as missing.
                tables[name] = RawTable(name, path.name, [], [], [], list(e.problems))
                continue
            tables[name] = parse_csv_text(text, name, path.name)
            continue
        close = difflib.get_close_matches(file, list(known), n=1, cutoff=0.8)
        if close and not (folder / close[0]).exists():
            problems.append(
                Message(
                    N_("{file} is not a file carecal reads; did you mean {name}? Rename it"),
                    file=path.name,
                    name=close[0],
                )
            )
        else:
            warn(
                Message(
                    N_("{file} is not an input table of carecal; it is not used"), file=path.name
                )
            )
    return tables, problems


def _changes_file(path: Path) -> RawTable:
    """The table of a changes file given apart from the community (``--changes FILE``)."""
    if not path.is_file():
        raise CommunityError(
            [
                Message(
                    N_("{path}: no such file; give the CSV file of changes (kind, id, start, end)"),
                    path=path,
                )
            ]
        )
    try:
        text = decode_csv(path.read_bytes(), path.name)
    except CommunityError as e:
        return RawTable("changes", path.name, [], [], [], list(e.problems))
    return parse_csv_text(text, "changes", path.name)


def _workbook_tables(path: Path) -> dict[str, RawTable]:
    try:
        sheets = pd.read_excel(
            path, sheet_name=None, header=None, dtype=object, keep_default_na=False
        )
    except Exception:
        # An empty, truncated or renamed file fails deep inside pandas, zipfile or openpyxl
        # with whatever that layer raises (ValueError "specify an engine", BadZipFile,
        # KeyError, XML errors, ...); to the coordinator each means the same thing, and
        # pandas' own advice is meant for programmers.
        what = (
            Message(N_("is empty"))
            if path.stat().st_size == 0
            else Message(N_("may be damaged, or be another kind of file"))
        )
        raise CommunityError(
            [
                Message(
                    N_(
                        "{file} is not a readable Excel workbook (it {what}); open it in Excel "
                        "or WPS and save it again as an .xlsx workbook, or give a folder of "
                        "CSV files instead"
                    ),
                    file=path.name,
                    what=what,
                )
            ]
        ) from None
    tables: dict[str, RawTable] = {}
    for sheet, frame in sheets.items():
        name = _table_key(str(sheet))
        if name not in INPUT_TABLES:
            warn(
                Message(
                    N_("{file}: sheet {sheet} is not an input table; not used"),
                    file=path.name,
                    sheet=sheet,
                )
            )
            continue
        source = Message(N_("{file} sheet {sheet}"), file=path.name, sheet=sheet)
        if frame.empty:
            empty = Message(N_("{source} is empty"), source=source)
            tables[name] = RawTable(name, source, [], [], [], [empty])
            continue
        body = frame.iloc[1:].reset_index(drop=True)
        body.columns = pd.Index([clean_cell(h) for h in frame.iloc[0]])
        tables[name] = frame_to_table(body, name, source, excel=True)
    return tables


def read_community(
    source: str | Path, *, as_of: dt.date | None = None, changes: str | Path | None = None
) -> Community:
    """Read and validate a community from a folder of CSV files or one ``.xlsx`` workbook.

    Parameters
    ----------
    source
        A folder holding ``residents.csv``, ``volunteers.csv``, ``availability.csv``,
        ``sites.csv`` and optionally ``shifts.csv``, ``requests.csv``, ``campaign.csv``,
        ``travel.csv``, ``changes.csv``, ``policy.toml`` and ``history/`` (earlier plan
        folders, read into :attr:`Community.history` by
        :func:`carecal.io.history_folder.read_history`); or an ``.xlsx`` file with one
        sheet per table (sheet names are the table names) and an optional ``policy.toml``
        beside it (a workbook has no history). CSV files may be UTF-8 (with or without
        BOM) or GB18030.
    as_of
        The date on which ages from ``birth_date`` are judged (today by default).
    changes
        A CSV file read as the community's ``changes.csv`` instead of the one in
        ``source`` (``carecal replan --changes FILE``), checked the same way, its problems
        named by its own file name.

    Returns
    -------
    Community
        The validated community.

    Raises
    ------
    CommunityError
        Listing every problem in every file at once, each with file, row, column, the
        entity and the fix; the problems of ``history/`` (a folder that holds no plan or
        an incomplete one, a malformed cell) once the tables are valid.

    Warns
    -----
    CarecalWarning
        For columns and files that are not used, data that looks odd but is valid, and
        ids of ``history/`` no longer in the roster (left out of the history).
    """
    path = Path(source)
    if not path.exists():
        raise CommunityError(
            [
                Message(
                    N_("{path} does not exist; give a folder of CSV files or an .xlsx"), path=path
                )
            ]
        )
    if path.is_dir():
        tables, problems = _folder_tables(path)
        policy_file = path / "policy.toml"
        workbook = None
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        tables, problems = _workbook_tables(path), []
        policy_file = path.parent / "policy.toml"
        workbook = path.name
    else:
        raise CommunityError(
            [
                Message(
                    N_(
                        "{file} is neither a folder nor an .xlsx workbook; give the folder that "
                        "holds residents.csv and the other tables"
                    ),
                    file=path.name,
                )
            ]
        )
    if changes is not None:
        tables["changes"] = _changes_file(Path(changes))
    policy: Policy | None = None
    policy_problems: list[str] = []
    if policy_file.is_file():
        policy, policy_problems = policy_from_bytes(policy_file.read_bytes(), policy_file.name)
    community = community_from_tables(
        tables,
        policy,
        as_of=as_of,
        policy_problems=problems + policy_problems,
        workbook=workbook,
    )
    # Earlier plans (history/) only beside CSV tables: a workbook has no folder of its own.
    return with_history_folder(community, path) if workbook is None else community
