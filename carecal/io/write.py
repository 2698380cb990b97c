"""Write plans and communities to files, and read a (hand-edited) plan folder back.

Output CSV files have exactly the columns of DESIGN section 5 (taken from
:mod:`carecal.io.schema`), are UTF-8 with a BOM so that Excel shows Chinese names, and
every cell that a spreadsheet would take for a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) is prefixed with ``'``. Every file is written to a
temporary name in the same folder and renamed over the target, so an interrupted run
never leaves a half-written schedule.

Printable sheets are self-contained HTML pages (no scripts, no external files):
``routes/<volunteer_id>.html`` for each meal carrier, ``escorts/<volunteer_id>.html`` for
each escort, ``timetables/<volunteer_id>.html`` for each volunteer on the shift plan. They
carry what the volunteer needs at the door and nothing medical beyond the diet tags.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import html
import io
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from carecal.clock import WEEKDAYS, date_range, format_time, weekday
from carecal.demand import auto_demand, routed_volunteers
from carecal.io.read import RawTable, decode_csv, parse_cell, parse_csv_text
from carecal.io.schema import (
    INPUT_TABLES,
    OUTPUT_TABLES,
    SKILLS,
    Column,
    Kind,
    Table,
)
from carecal.model import Community, Resident, Volunteer
from carecal.plans import (
    Assignment,
    Booking,
    CampaignPlan,
    MealPlan,
    ShiftPlan,
    Status,
    Stop,
    Trip,
    Unserved,
    UnservedKind,
    Wheelchair,
)
from carecal.policy import Policy
from carecal.travel import travel_minutes

Plan = MealPlan | CampaignPlan | ShiftPlan

_RISKY_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?([eE][+-]?\d+)?$")
_TIME_FIELDS = ("default_window_start", "default_window_end", "meals_ready")


class PlanFileError(ValueError):
    """A plan folder that cannot be read. ``problems`` lists every problem, one sentence each."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: list[str] = list(problems)
        super().__init__("\n".join(self.problems))


# --- low level: safe cells, atomic files ---------------------------------------------------


def spreadsheet_safe(text: str) -> str:
    """Return ``text`` so that a spreadsheet shows it as text, never runs it as a formula.

    A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading ``'``; plain numbers such as ``-33.86`` are left alone.
    """
    if text.startswith(_RISKY_START) and not _NUMBER_RE.match(text):
        return "'" + text
    return text


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


def _number(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def format_cell(value: Any, column: Column) -> str:
    """Format one value for a cell of ``column`` (times ``HH:MM``, lists ``;``-joined).

    ``None`` is an empty cell. The result is not yet made spreadsheet-safe.
    """
    if value is None:
        return ""
    kind = column.kind
    if kind == Kind.TIME:
        return format_time(value)
    if kind == Kind.LIST:
        return ";".join(_plain(v) for v in value)
    if kind == Kind.BOOL:
        return "true" if value else "false"
    if isinstance(value, float | int) and not isinstance(value, bool):
        return _number(value)
    return _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def table_bytes(table: Table, rows: Iterable[Mapping[str, Any]]) -> bytes:
    """CSV bytes (UTF-8 with BOM) of ``rows`` with exactly the columns of ``table``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.column_names)
    for row in rows:
        writer.writerow([spreadsheet_safe(format_cell(row.get(c.name), c)) for c in table.columns])
    return buffer.getvalue().encode("utf-8-sig")


def write_table(folder: Path, table: Table, rows: Iterable[Mapping[str, Any]]) -> Path:
    """Write one table to ``folder/<name>.csv`` atomically; return the path."""
    return atomic_write(folder / table.file, table_bytes(table, rows))


# --- communities ---------------------------------------------------------------------------


def _ordered(values: Iterable[str], order: Sequence[str]) -> list[str]:
    return sorted(values, key=lambda v: order.index(v) if v in order else len(order))


def _community_rows(community: Community) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {}
    rows["residents"] = [
        {
            **r.model_dump(exclude={"window", "meal_days"}),
            "meal_days": _ordered(r.meal_days, WEEKDAYS),
            "window_start": r.window.start if r.window else None,
            "window_end": r.window.end if r.window else None,
        }
        for r in community.residents
    ]
    rows["volunteers"] = [
        {
            **v.model_dump(exclude={"skills", "max_shifts_by_id"}),
            "skills": _ordered([s.value for s in v.skills], SKILLS),
            "max_shifts_by_id": [f"{k}={n}" for k, n in v.max_shifts_by_id.items()],
        }
        for v in community.volunteers
    ]
    rows["availability"] = [
        {**a.model_dump(), "day": a.day or a.date} for a in community.availability
    ]
    rows["sites"] = [s.model_dump() for s in community.sites]
    rows["shifts"] = [
        {
            **s.model_dump(),
            "day": s.day or s.date,
            "min_volunteers": "auto" if s.min_volunteers is None else s.min_volunteers,
        }
        for s in community.shifts
    ]
    rows["requests"] = [q.model_dump() for q in community.requests]
    rows["campaign"] = [c.model_dump() for c in community.campaign]
    rows["travel"] = [t.model_dump() for t in community.travel]
    return rows


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return "[" + ", ".join(_toml_value(v) for v in value) + "]"


def policy_toml(policy: Policy) -> str:
    """The ``policy.toml`` text overriding exactly the settings that differ from the defaults."""
    default = Policy.model_validate({})
    lines = ["# carecal policy: only the settings that differ from the defaults"]
    for name in type(policy).model_fields:
        value, base = getattr(policy, name), getattr(default, name)
        if value == base or value is None:
            continue
        if name in _TIME_FIELDS:
            value = format_time(value)
        lines.append(f"{name} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def write_community(community: Community, folder: str | Path) -> list[Path]:
    """Write a community as the input tables of DESIGN section 4 (CSV, UTF-8 with BOM).

    The optional tables (shifts, requests, campaign, travel) are written only when they
    have rows, and ``policy.toml`` only when the policy differs from the defaults. Reading
    the folder back with :func:`carecal.io.read_community` gives an equal community.

    Parameters
    ----------
    community
        The community to write.
    folder
        The folder to write into (created if needed).

    Returns
    -------
    list of Path
        The files written.
    """
    out = Path(folder)
    paths = []
    for name, rows in _community_rows(community).items():
        table = INPUT_TABLES[name]
        if rows or table.required:
            paths.append(write_table(out, table, rows))
    if community.policy != Policy.model_validate({}):
        text = policy_toml(community.policy)
        paths.append(atomic_write(out / "policy.toml", text.encode("utf-8")))
    return paths


# --- plans: tables -------------------------------------------------------------------------


def _parts(plan: Any) -> tuple[list[MealPlan], CampaignPlan | None, ShiftPlan | None]:
    if isinstance(plan, MealPlan):
        return [plan], None, None
    if isinstance(plan, CampaignPlan):
        return [], plan, None
    if isinstance(plan, ShiftPlan):
        return [], None, plan
    if hasattr(plan, "meals") or hasattr(plan, "campaign") or hasattr(plan, "shifts"):
        meals = list(getattr(plan, "meals", None) or [])
        return meals, getattr(plan, "campaign", None), getattr(plan, "shifts", None)
    raise TypeError(
        f"write_plan() takes a MealPlan, CampaignPlan, ShiftPlan or a week plan, not {type(plan)}"
    )


def _route_rows(meals: list[MealPlan]) -> list[dict[str, Any]]:
    rows = []
    for plan in sorted(meals, key=lambda p: p.date):
        for trip in plan.trips:
            for number, stop in enumerate(trip.stops, start=1):
                rows.append(
                    {
                        **stop.model_dump(),
                        "date": plan.date,
                        "volunteer_id": trip.volunteer_id,
                        "trip": trip.trip,
                        "stop": number,
                    }
                )
    return rows


def _unserved_rows(
    meals: list[MealPlan], campaign: CampaignPlan | None, shifts: ShiftPlan | None
) -> list[Unserved]:
    found = [u for p in sorted(meals, key=lambda p: p.date) for u in p.unserved]
    found += list(campaign.unserved) if campaign else []
    found += list(shifts.unserved) if shifts else []
    return found


def _what_to_do(unserved: list[Unserved]) -> list[str]:
    ids: dict[str, list[str]] = defaultdict(list)
    for u in unserved:
        if u.fix:
            ids[u.fix].append(u.id)
    if not unserved:
        return ["Nothing to do: everyone was served."]
    lines = []
    for fix, who in sorted(ids.items(), key=lambda kv: -len(kv[1])):
        listed = ", ".join(dict.fromkeys(who))
        lines.append(f"- {fix[0].upper()}{fix[1:]} ({len(who)}: {listed})")
    unexplained = [u.id for u in unserved if not u.fix]
    if unexplained:
        lines.append(f"- Look at these by hand, no fix is known: {', '.join(unexplained)}")
    return lines


def summary_markdown(
    meals: list[MealPlan], campaign: CampaignPlan | None, shifts: ShiftPlan | None
) -> str:
    """The plan on one page: each plan's summary, then a "what to do" list from the fixes."""
    lines = ["# carecal plan", ""]
    ordered = sorted(meals, key=lambda p: p.date)
    sections: list[tuple[str, str]] = [
        (f"Meal deliveries on {p.date}", p.summary()) for p in ordered if p.status != Status.EMPTY
    ]
    no_orders = [f"{p.date} ({p.date:%a})" for p in ordered if p.status == Status.EMPTY]
    if no_orders:
        sections.append(("Days without meal orders", ", ".join(no_orders)))
    if campaign is not None:
        sections.append(("Health-check campaign", campaign.summary()))
    if shifts is not None:
        sections.append(("Shift plan", shifts.summary()))
    for title, text in sections:
        lines += [f"## {title}", "", text, ""]
    lines += ["## What to do", ""]
    lines += _what_to_do(_unserved_rows(meals, campaign, shifts))
    return "\n".join(lines) + "\n"


# --- plans: printable sheets ---------------------------------------------------------------

_CSS = """
body { font-family: "Noto Sans", "PingFang SC", "Microsoft YaHei", Arial, sans-serif;
       font-size: 12pt; margin: 1.5cm; }
h1 { font-size: 18pt; margin-bottom: 0.2em; } h2 { font-size: 15pt; margin-top: 1.2em; }
h3 { font-size: 13pt; margin-bottom: 0.3em; }
table { border-collapse: collapse; width: 100%; margin-bottom: 0.8em; }
th, td { border: 1px solid #444; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #eee; } .time { white-space: nowrap; font-weight: bold; }
.note { color: #333; } @media print { h2 { page-break-before: auto; } }
"""


def _page(title: str, body: list[str]) -> bytes:
    head = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
    )
    return (head + "\n".join(body) + "\n</body>\n</html>\n").encode("utf-8")


def _table(headers: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>\n" for row in rows)
    return f"<table>\n<tr>{th}</tr>\n{body}</table>"


def _e(value: object) -> str:
    return html.escape(str(value))


def _time_cell(minutes: int | None) -> str:
    return f'<span class="time">{format_time(minutes)}</span>' if minutes is not None else ""


def _floor(resident: Resident | None) -> str:
    if resident is None:
        return ""
    if resident.floor <= 1:
        return "ground floor"
    return f"floor {resident.floor}, {'lift' if resident.has_lift else 'no lift, stairs'}"


def _who(volunteer: Volunteer | None, vid: str) -> str:
    return f"{volunteer.name} ({vid})" if volunteer is not None and volunteer.name else vid


def _safe_name(vid: str) -> str:
    return re.sub(r"[^\w.-]", "_", vid).strip(".") or "volunteer"


def _sheet_paths(ids: Iterable[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    used: set[str] = set()
    for vid in ids:
        base = name = _safe_name(vid)
        n = 2
        while name.lower() in used:
            name, n = f"{base}_{n}", n + 1
        used.add(name.lower())
        names[vid] = f"{name}.html"
    return names


def _route_sheet(vid: str, meals: list[MealPlan], community: Community) -> bytes:
    volunteer = community.volunteer_by_id.get(vid)
    kitchen = community.kitchen
    title = f"Meal round: {_who(volunteer, vid)}"
    body = [
        f"<h1>{_e(title)}</h1>",
        f'<p class="note">Start and finish at the kitchen: '
        f"{_e(kitchen.name or kitchen.site_id)}.</p>",
    ]
    for plan in sorted(meals, key=lambda p: p.date):
        trips = [t for t in plan.trips if t.volunteer_id == vid]
        if not trips:
            continue
        body.append(f"<h2>{_e(plan.date)} ({_e(weekday(plan.date))})</h2>")
        for trip in trips:
            body.append(
                f"<h3>Trip {trip.trip}: leave the kitchen at {_time_cell(trip.leave)} with "
                f"{trip.portions} portions; back at about {_time_cell(trip.back)}</h3>"
            )
            rows = []
            for number, stop in enumerate(trip.stops, start=1):
                r = community.resident_by_id.get(stop.resident_id)
                window = community.window_of(r) if r is not None else None
                rows.append(
                    [
                        str(number),
                        _time_cell(stop.arrival),
                        _e(r.name if r else stop.resident_id),
                        _e(r.address if r else ""),
                        _e(_floor(r)),
                        str(stop.portions),
                        _e(", ".join(stop.diet)),
                        _e(window) if window is not None else "",
                    ]
                )
            body.append(
                _table(
                    ["#", "arrive", "name", "address", "floor", "portions", "diet", "window"],
                    rows,
                )
            )
    return _page(title, body)


def _escort_sheet(vid: str, campaign: CampaignPlan, community: Community) -> bytes:
    volunteer = community.volunteer_by_id.get(vid)
    title = f"Health-check escort: {_who(volunteer, vid)}"
    body = [f"<h1>{_e(title)}</h1>"]
    jobs = sorted(
        (b for b in campaign.bookings if vid in b.escort_ids),
        key=lambda b: (b.date, b.pickup if b.pickup is not None else b.check_start),
    )
    for date in dict.fromkeys(b.date for b in jobs):
        body.append(f"<h2>{_e(date)} ({_e(weekday(date))})</h2>")
        rows = []
        for b in (j for j in jobs if j.date == date):
            r = community.resident_by_id.get(b.resident_id)
            clinic = community.site_by_id.get(b.clinic_id)
            chair = {
                Wheelchair.POOL: "bring a wheelchair from the centre's pool",
                Wheelchair.OWN: "the resident's own wheelchair",
                Wheelchair.NONE: "none",
            }[b.wheelchair]
            others = [e for e in b.escort_ids if e != vid]
            with_whom = f" (with {', '.join(others)})" if others else ""
            rows.append(
                [
                    _time_cell(b.pickup),
                    _e(r.name if r else b.resident_id) + _e(with_whom),
                    _e(r.address if r else ""),
                    _e(_floor(r)),
                    _e(chair),
                    _e(clinic.name or clinic.site_id if clinic else b.clinic_id),
                    f"{_time_cell(b.check_start)}–{_time_cell(b.check_end)}",
                    _time_cell(b.home_again),
                ]
            )
        body.append(
            _table(
                [
                    "pick up",
                    "name",
                    "address",
                    "floor",
                    "wheelchair",
                    "clinic",
                    "check",
                    "home again",
                ],
                rows,
            )
        )
    return _page(title, body)


def _timetable(vid: str, shifts: ShiftPlan, community: Community) -> bytes:
    volunteer = community.volunteer_by_id.get(vid)
    title = f"Timetable: {_who(volunteer, vid)}"
    mine = sorted(
        (a for a in shifts.assignments if a.volunteer_id == vid), key=lambda a: (a.date, a.start)
    )
    rows = [
        [
            _e(a.date),
            _e(weekday(a.date)),
            _e(a.role),
            _e(a.shift_id),
            f"{_time_cell(a.start)}–{_time_cell(a.end)}",
        ]
        for a in mine
    ]
    body = [
        f"<h1>{_e(title)}</h1>",
        f'<p class="note">{_e(shifts.start)} to {_e(shifts.end)}: {len(mine)} shift(s).</p>',
        _table(["date", "day", "role", "shift", "time"], rows),
    ]
    return _page(title, body)


def _write_sheets(folder: Path, sheets: Mapping[str, bytes]) -> list[Path]:
    """Write ``name -> page`` into ``folder`` and remove older sheets that are not among them.

    The folder belongs to carecal (``routes/``, ``escorts/``, ``timetables/``): a sheet left
    from an earlier run for a volunteer who is no longer on the plan would send them out.
    """
    paths = [atomic_write(folder / name, page) for name, page in sheets.items()]
    if folder.is_dir():
        for old in folder.glob("*.html"):
            if old.name not in sheets:
                old.unlink()
    return paths


def write_plan(plan: Any, folder: str | Path, community: Community) -> list[Path]:
    """Write a plan's CSV schedules, summary and printable sheets into ``folder``.

    Parameters
    ----------
    plan
        A :class:`~carecal.plans.MealPlan`, :class:`~carecal.plans.CampaignPlan`,
        :class:`~carecal.plans.ShiftPlan`, or anything with attributes ``meals`` (a list
        of meal plans), ``campaign`` and ``shifts`` (such as a week plan).
    folder
        The output folder (created if needed).
    community
        The community the plan was made for (names, addresses and floors for the sheets).

    Returns
    -------
    list of Path
        Every file written: ``meal_routes.csv`` (meal plans), ``health_checks.csv``
        (campaign), ``shift_plan.csv`` (shifts), ``unserved.csv`` and ``summary.md``
        (always), and ``routes/<volunteer_id>.html``, ``escorts/<volunteer_id>.html``,
        ``timetables/<volunteer_id>.html``.
    """
    out = Path(folder)
    meals, campaign, shifts = _parts(plan)
    paths: list[Path] = []
    if meals:
        paths.append(write_table(out, OUTPUT_TABLES["meal_routes"], _route_rows(meals)))
        carriers = list(dict.fromkeys(t.volunteer_id for p in meals for t in p.trips))
        names = _sheet_paths(carriers)
        paths += _write_sheets(
            out / "routes", {names[v]: _route_sheet(v, meals, community) for v in carriers}
        )
    if campaign is not None:
        rows = [b.model_dump() for b in campaign.bookings]
        paths.append(write_table(out, OUTPUT_TABLES["health_checks"], rows))
        escorts = list(dict.fromkeys(e for b in campaign.bookings for e in b.escort_ids))
        names = _sheet_paths(escorts)
        paths += _write_sheets(
            out / "escorts", {names[v]: _escort_sheet(v, campaign, community) for v in escorts}
        )
    if shifts is not None:
        rows = [a.model_dump() for a in shifts.assignments]
        paths.append(write_table(out, OUTPUT_TABLES["shift_plan"], rows))
        people = list(dict.fromkeys(a.volunteer_id for a in shifts.assignments))
        names = _sheet_paths(people)
        paths += _write_sheets(
            out / "timetables", {names[v]: _timetable(v, shifts, community) for v in people}
        )
    unserved = [u.model_dump() for u in _unserved_rows(meals, campaign, shifts)]
    paths.append(write_table(out, OUTPUT_TABLES["unserved"], unserved))
    text = summary_markdown(meals, campaign, shifts)
    paths.append(atomic_write(out / "summary.md", text.encode("utf-8")))
    return paths


# --- reading a plan folder back ------------------------------------------------------------


@dataclass
class _PlanRow:
    table: Table
    raw: RawTable
    index: int
    columns: dict[str, int]
    problems: list[str]

    def where(self, column: str) -> str:
        return f"{self.raw.source} {self.raw.labels[self.index]}, column {column}"

    def get(self, column: str, *, required: bool = True) -> Any:
        i = self.columns.get(column)
        text = self.raw.rows[self.index][i] if i is not None else ""
        if not text:
            if required:
                self.problems.append(f"{self.where(column)}: is empty; fill it in")
            return None
        try:
            return parse_cell(text, self.table.column(column))
        except ValueError as e:
            self.problems.append(f"{self.where(column)}: {e}")
            return None


def _plan_rows(folder: Path, table: Table, problems: list[str]) -> list[_PlanRow] | None:
    path = folder / table.file
    if not path.is_file():
        return None
    try:
        raw = parse_csv_text(decode_csv(path.read_bytes(), path.name), table.name, path.name)
    except ValueError as e:
        problems.extend(getattr(e, "problems", [str(e)]))
        return []
    problems.extend(raw.problems)
    columns = {name: i for i, name in enumerate(raw.header) if name}
    missing = [c.name for c in table.columns if c.required and c.name not in columns]
    if missing:
        problems.append(
            f"{path.name} has no column {', '.join(missing)}; carecal writes "
            f"{', '.join(table.column_names)}"
        )
        return []
    return [_PlanRow(table, raw, i, columns, problems) for i in range(len(raw.rows))]


def _trip_back(trip_stops: list[Stop], vid: str, community: Community) -> int:
    volunteer = community.volunteer_by_id[vid]
    last = trip_stops[-1]
    minutes = travel_minutes(
        community, [last.resident_id, community.kitchen.site_id], volunteer.mode
    )
    return last.departure + int(minutes[0, 1])


def _read_routes(
    rows: list[_PlanRow], community: Community, problems: list[str]
) -> dict[dt.date, list[Trip]]:
    stops: dict[tuple[dt.date, str, int], list[tuple[int, Stop]]] = defaultdict(list)
    seen: dict[tuple[dt.date, str, int, int], str] = {}
    for row in rows:
        before = len(problems)
        date, vid = row.get("date"), row.get("volunteer_id")
        trip, number = row.get("trip"), row.get("stop")
        rid = row.get("resident_id")
        values = {c: row.get(c) for c in ("arrival", "departure", "portions")}
        values["diet"] = row.get("diet", required=False) or ()
        values["food_minutes"] = row.get("food_minutes")
        values["travel_minutes"] = row.get("travel_minutes")
        if vid is not None and vid not in community.volunteer_by_id:
            problems.append(
                f"{row.where('volunteer_id')}: volunteer {vid} is not in volunteers.csv; "
                "correct the id"
            )
        if rid is not None and rid not in community.resident_by_id:
            problems.append(
                f"{row.where('resident_id')}: resident {rid} is not in residents.csv; "
                "correct the id"
            )
        key = (date, vid, trip, number)
        if None not in key and key in seen:
            problems.append(
                f"{row.where('stop')}: stop {number} of trip {trip} of {vid} on {date} is also "
                f"on {seen[key]}; number the stops 1, 2, … within each trip"
            )
        if len(problems) > before:
            continue
        seen[key] = row.raw.labels[row.index]
        stops[(date, vid, trip)].append((number, Stop(resident_id=rid, **values)))
    trips: dict[dt.date, list[Trip]] = defaultdict(list)
    for (date, vid, trip), numbered in sorted(stops.items(), key=lambda kv: kv[0]):
        ordered = [s for _, s in sorted(numbered, key=lambda ns: ns[0])]
        first = ordered[0]
        trips[date].append(
            Trip(
                volunteer_id=vid,
                trip=trip,
                leave=first.arrival - first.food_minutes,
                back=_trip_back(ordered, vid, community),
                stops=tuple(ordered),
            )
        )
    return trips


def _clinic_on(date: dt.date, community: Community) -> str | None:
    clinics = [d.clinic_id for d in community.campaign if d.date == date]
    if clinics:
        return clinics[0]
    every = [s.site_id for s in community.sites_of("clinic")]
    return every[0] if len(every) == 1 else None


def _read_bookings(
    rows: list[_PlanRow], community: Community, problems: list[str]
) -> list[Booking]:
    out = []
    for row in rows:
        before = len(problems)
        values = {
            c: row.get(c) for c in ("resident_id", "date", "slot_start", "check_start", "check_end")
        }
        values["escort_ids"] = row.get("escort_ids", required=False) or ()
        values["wheelchair"] = row.get("wheelchair", required=False) or Wheelchair.NONE
        values["pickup"] = row.get("pickup", required=False)
        values["home_again"] = row.get("home_again", required=False)
        rid = values["resident_id"]
        if rid is not None and rid not in community.resident_by_id:
            problems.append(
                f"{row.where('resident_id')}: resident {rid} is not in residents.csv; "
                "correct the id"
            )
        clinic = None
        if values["date"] is not None:
            clinic = _clinic_on(values["date"], community)
            if clinic is None:
                problems.append(
                    f"{row.where('date')}: no clinic runs on {values['date']} in campaign.csv; "
                    "add the day to campaign.csv or correct the date"
                )
        if len(problems) == before and clinic is not None:
            out.append(Booking(clinic_id=clinic, **values))
    return out


def _read_unserved(rows: list[_PlanRow], problems: list[str]) -> list[Unserved]:
    out = []
    for row in rows:
        before = len(problems)
        kind, uid = row.get("kind"), row.get("id")
        date = row.get("date", required=False)
        reason = row.get("reason")
        fix = row.get("fix", required=False) or ""
        if len(problems) == before:
            code = row.get("code", required=False) or "unknown"
            out.append(Unserved(kind=kind, id=uid, date=date, code=code, reason=reason, fix=fix))
    return out


def _read_assignments(rows: list[_PlanRow], problems: list[str]) -> list[Assignment]:
    out = []
    for row in rows:
        before = len(problems)
        values = {c: row.get(c) for c in ("date", "shift_id", "role", "start", "end")}
        values["volunteer_id"] = row.get("volunteer_id")
        if len(problems) == before:
            out.append(Assignment(**values))
    return out


def read_plan(folder: str | Path, community: Community) -> list[Plan]:
    """Read a plan folder (written by :func:`write_plan`, maybe edited by hand) back.

    Reads ``meal_routes.csv``, ``health_checks.csv``, ``shift_plan.csv`` and
    ``unserved.csv``, whichever exist, for :func:`carecal.verify`. Plans read back have
    status ``feasible``.

    What the CSV files do not hold is derived: a trip leaves the kitchen at its first
    stop's ``arrival`` minus that stop's ``food_minutes``, and is back at the last stop's
    ``departure`` plus the travel time from there to the kitchen in the carrier's mode
    (:func:`carecal.travel.travel_minutes`). A booking's clinic is the clinic of
    ``campaign.csv`` on its date (or the only clinic). A campaign's dates are those of
    ``campaign.csv``, or else the dates in the files; a shift plan spans the first to the
    last date in the files, and its ``auto`` shifts ask for as many volunteers as the
    folder's meal routes (carriers) and bookings (escorts) use on each date, as
    :func:`carecal.plans.auto_demand` gave them when the week was planned.

    Parameters
    ----------
    folder
        The plan folder.
    community
        The community the plan was made for.

    Returns
    -------
    list
        One :class:`~carecal.plans.MealPlan` per date, then the
        :class:`~carecal.plans.CampaignPlan` and the :class:`~carecal.plans.ShiftPlan`, each
        only when the folder holds something for it. Empty when the folder holds no plan.

    Raises
    ------
    PlanFileError
        Listing every malformed cell, with file, row and column.
    """
    path = Path(folder)
    problems: list[str] = []
    routes = _plan_rows(path, OUTPUT_TABLES["meal_routes"], problems)
    checks = _plan_rows(path, OUTPUT_TABLES["health_checks"], problems)
    shift_rows = _plan_rows(path, OUTPUT_TABLES["shift_plan"], problems)
    unserved_rows = _plan_rows(path, OUTPUT_TABLES["unserved"], problems)
    trips = _read_routes(routes, community, problems) if routes else {}
    bookings = _read_bookings(checks, community, problems) if checks else []
    assignments = _read_assignments(shift_rows, problems) if shift_rows else []
    unserved = _read_unserved(unserved_rows, problems) if unserved_rows else []
    by_kind: dict[str, list[Unserved]] = defaultdict(list)
    for u in unserved:
        group = {UnservedKind.MEAL: "meal", UnservedKind.SHIFT: "shift"}.get(u.kind, "campaign")
        by_kind[group].append(u)
    meal_dates = sorted(set(trips) | {u.date for u in by_kind["meal"] if u.date is not None})
    for u in by_kind["meal"]:
        if u.date is None and len(meal_dates) != 1:
            problems.append(
                f"unserved.csv: the meal of {u.id} has no date; fill in the date column"
            )
    if problems:
        raise PlanFileError(problems)
    plans: list[Plan] = []
    for date in meal_dates:
        plans.append(
            MealPlan(
                status=Status.FEASIBLE,
                date=date,
                trips=tuple(sorted(trips.get(date, []), key=lambda t: (t.volunteer_id, t.trip))),
                unserved=tuple(u for u in by_kind["meal"] if u.date in (date, None)),
                engine="file",
            )
        )
    if checks is not None or by_kind["campaign"]:
        dates = sorted({d.date for d in community.campaign}) or sorted(
            {b.date for b in bookings} | {u.date for u in by_kind["campaign"] if u.date is not None}
        )
        plans.append(
            CampaignPlan(
                status=Status.FEASIBLE,
                dates=tuple(dates),
                bookings=tuple(bookings),
                unserved=tuple(by_kind["campaign"]),
            )
        )
    if shift_rows is not None or by_kind["shift"]:
        days = [a.date for a in assignments] + [
            u.date for u in by_kind["shift"] if u.date is not None
        ]
        if days:
            start, end = min(days), max(days)
            # The places on ``auto`` shifts are those the routes and bookings beside the
            # shift plan use, as when the week was planned.
            campaign = next((p for p in plans if isinstance(p, CampaignPlan)), None)
            meal_plans = [p for p in plans if isinstance(p, MealPlan)]
            routed = routed_volunteers(meal_plans, campaign)
            plans.append(
                ShiftPlan(
                    status=Status.FEASIBLE,
                    start=start,
                    end=end,
                    assignments=tuple(assignments),
                    unserved=tuple(by_kind["shift"]),
                    demand=auto_demand(community, date_range(start, end), routed),
                )
            )
    return plans
