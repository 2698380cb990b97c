"""A plan folder: write a plan's CSV schedules, summary and sheets, and read them back.

Output CSV files have exactly the columns of DESIGN section 5 (taken from
:mod:`carecal.io.schema`), are UTF-8 with a BOM so that Excel shows Chinese names, and
every cell that a spreadsheet would take for a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) is prefixed with ``'``. Every file is written to a
temporary name in the same folder and renamed over the target, so an interrupted run
never leaves a half-written schedule. The printable sheets come from
:mod:`carecal.io.sheets`.

:func:`read_plan` reads such a folder back, maybe edited by hand, for the verifier.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carecal.clock import date_range
from carecal.demand import auto_demand, routed_volunteers
from carecal.errors import OptionError, PlanFileError
from carecal.io.cells import parse_cell
from carecal.io.csvtext import RawTable, decode_csv, parse_csv_text
from carecal.io.files import atomic_write, write_table
from carecal.io.schema import OUTPUT_TABLES, Table
from carecal.io.sheets import write_escort_sheets, write_route_sheets, write_timetables
from carecal.model import Community, SiteKind
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
from carecal.travel import travel_minutes

Plan = MealPlan | CampaignPlan | ShiftPlan


# --- writing -------------------------------------------------------------------------------


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
    raise OptionError(
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

    Raises
    ------
    OptionError
        When ``plan`` is not a plan.
    """
    out = Path(folder)
    meals, campaign, shifts = _parts(plan)
    paths: list[Path] = []
    if meals:
        paths.append(write_table(out, OUTPUT_TABLES["meal_routes"], _route_rows(meals)))
        paths += write_route_sheets(out / "routes", meals, community)
    if campaign is not None:
        rows = [b.model_dump() for b in campaign.bookings]
        paths.append(write_table(out, OUTPUT_TABLES["health_checks"], rows))
        paths += write_escort_sheets(out / "escorts", campaign, community)
    if shifts is not None:
        rows = [a.model_dump() for a in shifts.assignments]
        paths.append(write_table(out, OUTPUT_TABLES["shift_plan"], rows))
        paths += write_timetables(out / "timetables", shifts, community)
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
        spec = self.table.column(column)
        try:
            return parse_cell(text, spec)
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


def _clinic_of(
    row: _PlanRow, date: dt.date, community: Community, problems: list[str]
) -> str | None:
    """The clinic of a booking: its ``clinic_id`` cell, or, in a folder written before
    carecal wrote that column, the one clinic that runs on the date
    (:meth:`Community.clinic_day`, the rule the planner and the verifier use)."""
    clinic = row.get("clinic_id", required=False)
    clinics = [s.site_id for s in community.sites_of(SiteKind.CLINIC)]
    if clinic is not None:
        if clinic not in clinics:
            problems.append(
                f"{row.where('clinic_id')}: {clinic} is not a clinic in sites.csv "
                f"({', '.join(clinics) or 'none'}); correct the id"
            )
            return None
        return str(clinic)
    running = [c for c in clinics if community.clinic_day(date, c) is not None]
    if len(running) == 1:
        return running[0]
    which = (
        f"{len(running)} clinics run on {date} ({', '.join(running)})"
        if running
        else f"no clinic runs on {date} in campaign.csv"
    )
    problems.append(
        f"{row.where('clinic_id')}: the booking does not say at which clinic it is, and "
        f"{which}; fill in clinic_id with the clinic of the booking (sites.csv: "
        f"{', '.join(clinics) or 'none'})"
    )
    return None


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
        if values["date"] is not None:
            values["clinic_id"] = _clinic_of(row, values["date"], community, problems)
        if len(problems) == before:
            out.append(Booking(**values))
    return out


def _campaign_days_of(
    bookings: list[Booking], unserved: list[Unserved], community: Community
) -> tuple[list[dt.date], list[tuple[dt.date, str]]]:
    """A campaign read back: its dates and its clinic days, from its bookings.

    The clinic days are the bookings' (date, clinic) pairs, which the verifier checks
    against :meth:`Community.clinic_day`. The dates are theirs (and those of the unserved
    entries that have one); with no booking at all, the dates of ``campaign.csv``.
    """
    clinic_days = sorted({(b.date, b.clinic_id) for b in bookings})
    dates = sorted({d for d, _ in clinic_days} | {u.date for u in unserved if u.date})
    return dates or sorted({c.date for c in community.campaign}), clinic_days


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
    (:func:`carecal.travel.travel_minutes`). A booking's clinic is its ``clinic_id``; in a
    folder written by carecal 0.1, without that column, it is the one clinic that runs on
    its date by :meth:`Community.clinic_day` (the planner's and the verifier's rule). A
    campaign's clinic days are its bookings' dates and clinics, and its dates theirs
    (``campaign.csv``'s when nothing is booked); a shift plan spans the first to the
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
        dates, clinic_days = _campaign_days_of(bookings, by_kind["campaign"], community)
        plans.append(
            CampaignPlan(
                status=Status.FEASIBLE,
                dates=tuple(dates),
                clinic_days=tuple(clinic_days),
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
