"""A plan folder: write a plan's CSV schedules, summary and sheets, and read them back.

Output CSV files have exactly the columns of DESIGN section 5 (taken from
:mod:`carecal.io.schema`), the names beside the ids among them (informational: never read
back), are UTF-8 with a BOM so that Excel shows Chinese names, and every cell that a
spreadsheet would take for a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) is prefixed with ``'``. The rows are :func:`carecal.io.frames.plan_rows`'s,
the same the frames and the workbook show. The printable sheets come from
:mod:`carecal.io.sheets`, the optional workbook from :mod:`carecal.io.workbook` and the
optional pictures from :func:`carecal.plot.render_all`. Every file is rendered in memory
first, then the folder changes
from the plan it held to the new one under ``manifest.json``, written last
(:mod:`carecal.io.manifest`), so an interrupted run never leaves a mix of two plans.

:func:`read_plan` reads such a folder back, maybe edited by hand, for the verifier, after
checking it against its manifest.

This module is long (about 870 lines) because the writer and the reader of a plan folder
agree on every column and file name, and are kept side by side so that they cannot drift;
the manifest, the sheets, the workbook and the row builders are modules of their own.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carecal import __version__ as carecal_version
from carecal.clock import date_range
from carecal.demand import auto_demand, routed_volunteers
from carecal.errors import CarecalError, OptionError, PlanFileError
from carecal.i18n import N_, Message, translator
from carecal.io.cells import parse_cell
from carecal.io.csvtext import RawTable, decode_csv, parse_csv_text, table_bytes
from carecal.io.frames import call_rows, packing_rows, plan_rows
from carecal.io.manifest import (
    PLOT_FOLDER,
    ROOT_FILES,
    WORKBOOK,
    CampaignCover,
    ClinicDayRef,
    CommunityRef,
    Kind,
    Manifest,
    MealDay,
    ShiftCover,
    commit,
    community_fingerprint,
    coverage_problems,
    read_manifest,
)
from carecal.io.problems import Problem, Where
from carecal.io.schema import OUTPUT_TABLES, Table
from carecal.io.sheets import PACKING_SHEET, escort_sheets, packing_sheet, route_sheets, timetables
from carecal.io.workbook import workbook_bytes
from carecal.model import Community, SiteKind
from carecal.plans import (
    Assignment,
    Booking,
    CampaignPlan,
    MealPlan,
    People,
    ShiftPlan,
    Status,
    Stop,
    Trip,
    Unserved,
    UnservedKind,
    WeekPlan,
    Wheelchair,
    people_of,
    plan_parts,
)
from carecal.travel import travel_minutes

PlanObject = MealPlan | CampaignPlan | ShiftPlan | WeekPlan
"""What :func:`write_plan` takes and :func:`read_plan` gives back."""


# --- writing -------------------------------------------------------------------------------


_KINDS: dict[type, Kind] = {
    MealPlan: "meals",
    CampaignPlan: "campaign",
    ShiftPlan: "shifts",
    WeekPlan: "week",
}


def _kind(plan: object) -> Kind:
    """The manifest's kind of ``plan``; an OptionError for anything that is not a plan."""
    kind = _KINDS.get(type(plan))
    if kind is None:
        raise OptionError(
            f"write_plan() takes a MealPlan, CampaignPlan, ShiftPlan or WeekPlan, not {type(plan)}"
        )
    return kind


def _unserved_rows(
    meals: list[MealPlan], campaign: CampaignPlan | None, shifts: ShiftPlan | None
) -> list[Unserved]:
    found = [u for p in sorted(meals, key=lambda p: p.date) for u in p.unserved]
    found += list(campaign.unserved) if campaign else []
    found += list(shifts.unserved) if shifts else []
    return found


def _what_to_do(unserved: list[Unserved], lang: str) -> list[str]:
    _ = translator(lang).gettext
    ids: dict[str, list[str]] = defaultdict(list)
    for u in unserved:
        if u.fix:
            ids[u.fix].append(u.id)
    if not unserved:
        return [_("Nothing to do: everyone was served.")]
    lines = []
    for fix, who in sorted(ids.items(), key=lambda kv: -len(kv[1])):
        listed = _(", ").join(dict.fromkeys(who))
        lines.append(
            _("- {fix} ({count}: {ids})").format(
                fix=fix[0].upper() + fix[1:], count=len(who), ids=listed
            )
        )
    unexplained = [u.id for u in unserved if not u.fix]
    if unexplained:
        lines.append(
            _("- Look at these by hand, no fix is known: {ids}").format(
                ids=_(", ").join(unexplained)
            )
        )
    return lines


def summary_markdown(
    meals: list[MealPlan],
    campaign: CampaignPlan | None,
    shifts: ShiftPlan | None,
    lang: str = "en",
) -> str:
    """The plan on one page: each plan's summary, then a "what to do" list from the fixes.

    In ``lang`` (``en``, ``zh``): the headings and summaries; the fixes are the plan's own
    sentences, in the language the plan was made in (``policy.lang``).
    """
    tr = translator(lang)
    _ = tr.gettext
    lines = [_("# carecal plan"), ""]
    ordered = sorted(meals, key=lambda p: p.date)
    sections: list[tuple[str, str]] = [
        (_("Meal deliveries on {date}").format(date=p.date), p.summary(lang))
        for p in ordered
        if p.status != Status.EMPTY
    ]
    no_orders = [
        _("{date} ({weekday})").format(date=p.date, weekday=tr.short_weekday(p.date))
        for p in ordered
        if p.status == Status.EMPTY
    ]
    if no_orders:
        sections.append((_("Days without meal orders"), _(", ").join(no_orders)))
    if campaign is not None:
        sections.append((_("Health-check campaign"), campaign.summary(lang)))
    if shifts is not None:
        sections.append((_("Shift plan"), shifts.summary(lang)))
    for title, text in sections:
        lines += [f"## {title}", "", text, ""]
    lines += ["## " + _("What to do"), ""]
    lines += _what_to_do(_unserved_rows(meals, campaign, shifts), lang)
    return "\n".join(lines) + "\n"


def _campaign_dates(campaign: CampaignPlan) -> list[dt.date]:
    return sorted(
        {
            *campaign.dates,
            *(d for d, _ in campaign.clinic_days),
            *(b.date for b in campaign.bookings),
        }
    )


def _period(plan: PlanObject) -> tuple[dt.date | None, dt.date | None]:
    if isinstance(plan, MealPlan):
        return plan.date, plan.date
    if isinstance(plan, CampaignPlan):
        dates = _campaign_dates(plan)
        return (dates[0], dates[-1]) if dates else (None, None)
    return plan.start, plan.end


def _manifest(plan: PlanObject, kind: Kind, community: Community, files: list[str]) -> Manifest:
    """The record of ``plan``: what it covers, the community, the files."""
    meals, campaign, shifts = plan_parts(plan)
    start, end = _period(plan)
    return Manifest(
        kind=kind,
        carecal_version=carecal_version,
        community=CommunityRef(
            fingerprint=community_fingerprint(community),
            residents=len(community.residents),
            volunteers=len(community.volunteers),
        ),
        start=start,
        end=end,
        meals=tuple(
            MealDay(
                date=p.date,
                deliveries=len(p.served)
                + sum(1 for u in p.unserved if u.kind == UnservedKind.MEAL),
            )
            for p in sorted(meals, key=lambda p: p.date)
        ),
        campaign=None
        if campaign is None
        else CampaignCover(
            dates=tuple(_campaign_dates(campaign)),
            clinic_days=tuple(
                ClinicDayRef(date=d, clinic_id=c) for d, c in sorted(campaign.clinic_days)
            ),
            residents=len(campaign.bookings) + len(campaign.unserved),
        ),
        shifts=None
        if shifts is None
        else ShiftCover(
            start=shifts.start,
            end=shifts.end,
            assignments=dict(sorted(Counter(a.date for a in shifts.assignments).items())),
        ),
        files=tuple(sorted(files)),
    )


def plan_people(plan: PlanObject, community: Community) -> People:
    """The names and addresses beside the ids: the plan's own (:attr:`Plan.people`), and
    for anyone the plan does not know, the community's."""
    known = people_of(community, community.resident_by_id, community.volunteer_by_id)
    return known | plan.all_people()


def render_plan(
    plan: PlanObject, community: Community, *, xlsx: bool = False, plots: bool = False
) -> tuple[dict[str, bytes], Manifest]:
    """Every file of ``plan``'s folder, by relative name, and its manifest, in memory.

    Every name (the sheets' from the volunteer ids) and every byte, the workbook's and the
    pictures' too, is decided here, before anything is written, so that no id, however
    long or strange, and no missing extra can stop a write half way.
    """
    kind = _kind(plan)
    meals, campaign, shifts = plan_parts(plan)
    people = plan_people(plan, community)
    tables = plan_rows(meals, campaign, shifts, _unserved_rows(meals, campaign, shifts), people)
    files: dict[str, bytes] = {
        OUTPUT_TABLES[name].file: table_bytes(OUTPUT_TABLES[name], rows)
        for name, rows in tables.items()
    }

    def sheets(folder: str, pages: dict[str, bytes]) -> None:
        files.update({f"{folder}/{name}": data for name, data in pages.items()})

    if meals:
        # The kitchen's packing list is derived from the routes: written, never read back.
        packing = OUTPUT_TABLES["packing_list"]
        files[packing.file] = table_bytes(packing, packing_rows(meals, people))
        files[PACKING_SHEET] = packing_sheet(meals, community, people)
        sheets("routes", route_sheets(meals, community))
    if plan.to_call is not None:
        # A re-plan's list of whom to call (empty when nobody's day changed): never read back.
        calls = OUTPUT_TABLES["to_call"]
        files[calls.file] = table_bytes(calls, call_rows(plan.to_call))
    if campaign is not None:
        sheets("escorts", escort_sheets(campaign, community))
    if shifts is not None:
        sheets("timetables", timetables(shifts, community))
    lang = community.policy.lang
    files["summary.md"] = summary_markdown(meals, campaign, shifts, lang).encode("utf-8")
    if xlsx:
        summary = files["summary.md"].decode("utf-8")
        files[WORKBOOK] = workbook_bytes(tables, meals, shifts, community, people, summary=summary)
    if plots:
        # Imported here: matplotlib is an extra, and render_all says how to install it.
        from carecal.plot import render_all

        sheets(PLOT_FOLDER, render_all(plan, community))
    return files, _manifest(plan, kind, community, list(files))


def write_plan(
    plan: PlanObject,
    folder: str | Path,
    community: Community,
    *,
    xlsx: bool = False,
    plots: bool = False,
) -> list[Path]:
    """Write a plan's CSV schedules, summary, printable sheets and manifest into ``folder``.

    The folder then holds this plan and nothing of an earlier one: the files of the plan
    it held before are replaced or removed, through ``manifest.json`` written last (see
    :mod:`carecal.io.manifest`), so that a run stopped at any point leaves the old plan or
    the new one, or a folder that :func:`read_plan` reports incomplete, never a mix. A
    workbook or pictures of an earlier run are removed when this one asks for none.

    Parameters
    ----------
    plan
        A :class:`~carecal.plans.MealPlan`, :class:`~carecal.plans.CampaignPlan`,
        :class:`~carecal.plans.ShiftPlan` or :class:`~carecal.plans.WeekPlan`.
    folder
        The output folder (created if needed).
    community
        The community the plan was made for (names, addresses and floors for the tables
        and sheets, where the plan does not know them; its fingerprint goes into the
        manifest).
    xlsx
        Also write ``plan.xlsx``, one workbook of every table, a rota and a route sheet per
        carrier (:mod:`carecal.io.workbook`). Default ``False``.
    plots
        Also write the pictures of :func:`carecal.plot.render_all` into ``plots/`` (needs
        the ``carecal[plot]`` extra). Default ``False``.

    Returns
    -------
    list of Path
        Every file written: ``meal_routes.csv`` (meal plans), ``health_checks.csv``
        (campaign), ``shift_plan.csv`` (shifts), ``unserved.csv`` and ``summary.md``
        (always), ``routes/<volunteer>.html``, ``escorts/<volunteer>.html``,
        ``timetables/<volunteer>.html`` (names from the volunteer ids, bounded and
        portable, see :func:`carecal.io.sheets.page.file_stem`), ``plan.xlsx`` (with
        ``xlsx``), ``plots/<picture>.png`` (with ``plots``), and ``manifest.json``.

    Raises
    ------
    OptionError
        When ``plan`` is not a plan.
    ExtraMissingError
        With ``plots`` when matplotlib is not installed (nothing is written).

    Warns
    -----
    CarecalWarning
        Naming files in the folder that carecal did not write (they are left alone).
    """
    files, manifest = render_plan(plan, community, xlsx=xlsx, plots=plots)
    return commit(Path(folder), files, manifest)


# --- reading a plan folder back ------------------------------------------------------------


@dataclass
class _PlanRow:
    table: Table
    raw: RawTable
    index: int
    columns: dict[str, int]
    problems: list[str]

    def where(self, column: str) -> Where:
        """``meal_routes.csv row 5, column volunteer_id``, said in any language."""
        return Where(self.raw.source, self.raw.labels[self.index], column=column)

    def problem(self, column: str, what: str) -> None:
        """Record what is wrong in ``column`` of this row (best a Message)."""
        self.problems.append(Problem(self.where(column), what))

    def get(self, column: str, *, required: bool = True) -> Any:
        i = self.columns.get(column)
        text = self.raw.rows[self.index][i] if i is not None else ""
        if not text:
            if required:
                self.problem(column, Message(N_("is empty; fill it in")))
            return None
        spec = self.table.column(column)
        try:
            return parse_cell(text, spec)
        except ValueError as e:
            # The cell parser's sentence is a Message (said in any language) when it can be.
            one = isinstance(e, CarecalError) and len(e.problems) == 1
            self.problem(column, e.problems[0] if isinstance(e, CarecalError) and one else str(e))
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
            Message(
                N_("{source} has no column {columns}; carecal writes {written}"),
                source=path.name,
                columns=", ".join(missing),
                written=", ".join(table.column_names),
            )
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
        values["done"] = row.get("done", required=False)
        values["locked"] = bool(row.get("locked", required=False))
        if vid is not None and vid not in community.volunteer_by_id:
            row.problem(
                "volunteer_id",
                Message(N_("volunteer {id} is not in volunteers.csv; correct the id"), id=vid),
            )
        if rid is not None and rid not in community.resident_by_id:
            row.problem("resident_id", _unknown_resident(rid))
        key = (date, vid, trip, number)
        if None not in key and key in seen:
            row.problem(
                "stop",
                Message(
                    N_(
                        "stop {stop} of trip {trip} of {id} on {date} is also on {other}; "
                        "number the stops 1, 2, … within each trip"
                    ),
                    stop=number,
                    trip=trip,
                    id=vid,
                    date=str(date),
                    other=seen[key],
                ),
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


def _unknown_resident(rid: str) -> Message:
    return Message(N_("resident {id} is not in residents.csv; correct the id"), id=rid)


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
            row.problem(
                "clinic_id",
                Message(
                    N_("{id} is not a clinic in sites.csv ({clinics}); correct the id"),
                    id=clinic,
                    clinics=", ".join(clinics) or Message(N_("none")),
                ),
            )
            return None
        return str(clinic)
    running = [c for c in clinics if community.clinic_day(date, c) is not None]
    if len(running) == 1:
        return running[0]
    which = (
        Message(
            N_("{count} clinics run on {date} ({clinics})"),
            count=len(running),
            date=str(date),
            clinics=", ".join(running),
        )
        if running
        else Message(N_("no clinic runs on {date} in campaign.csv"), date=str(date))
    )
    row.problem(
        "clinic_id",
        Message(
            N_(
                "the booking does not say at which clinic it is, and {which}; fill in "
                "clinic_id with the clinic of the booking (sites.csv: {clinics})"
            ),
            which=which,
            clinics=", ".join(clinics) or Message(N_("none")),
        ),
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
        values["done"] = row.get("done", required=False)
        values["locked"] = bool(row.get("locked", required=False))
        rid = values["resident_id"]
        if rid is not None and rid not in community.resident_by_id:
            row.problem("resident_id", _unknown_resident(rid))
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
        values["locked"] = bool(row.get("locked", required=False))
        if len(problems) == before:
            out.append(Assignment(**values))
    return out


def read_plan(
    folder: str | Path, community: Community, *, before_changes: bool = False
) -> PlanObject:
    """Read a plan folder (written by :func:`write_plan`, maybe edited by hand) back.

        Gives the object the planner returned: a :class:`~carecal.plans.MealPlan` for one
        date's meals, a :class:`~carecal.plans.CampaignPlan`, a :class:`~carecal.plans.ShiftPlan`,
        or a :class:`~carecal.plans.WeekPlan`, ready for :func:`carecal.verify`. The kind is the
        manifest's; in a folder without one (carecal 0.1) it follows from the files: meals of
        one date, only bookings, only shifts, or else a week.

        The folder is first checked against its ``manifest.json``: every file it lists must be
        there, the plan must have been made for ``community`` (the fingerprint of the community
        as read), and the rows must cover every date the manifest lists: on each meal date as
        many deliveries (on a trip or unserved) as were planned, zero only on a date without
        orders; the campaign's residents, booked or unserved; on each date of the shift plan
        that had assignments, at least one. Files the manifest does not list are not read.

        What the CSV files do not hold is derived: a trip leaves the kitchen at its first
        stop's ``arrival`` minus that stop's ``food_minutes``, and is back at the last stop's
        ``departure`` plus the travel time from there to the kitchen in the carrier's mode
        (:func:`carecal.travel.travel_minutes`). A booking's clinic is its ``clinic_id``; in a
        folder written by carecal 0.1, without that column, it is the one clinic that runs on
        its date by :meth:`Community.clinic_day`. The dates, clinic days and period of each
        part are the manifest's (without one: those of the rows, ``campaign.csv``'s dates for a
        campaign without bookings). The ``auto`` shifts of a shift plan ask for as many
        volunteers as the folder's meal routes (carriers) and bookings (escorts) use on each
        date, as :func:`carecal.demand.auto_demand` gave them when the week was planned; a shift
    plan written alone, as many as are on them plus the open places ``unserved.csv`` lists. Plans
        read back have status ``feasible`` (``empty`` for a meal date without orders).

        Parameters
        ----------
        folder
            The plan folder.
        community
            The community the plan was made for.
        before_changes
            ``True`` for the previous plan of a re-plan (:func:`carecal.replan_meals` and the
            others): it was made for ``community`` as it was before its changes (``changes.csv``,
            a new resident, an edited roster), so the community's fingerprint is not compared;
            every id in it must still be in ``community``, and the rest is checked as always.

        Returns
        -------
        MealPlan, CampaignPlan, ShiftPlan or WeekPlan
            The plan in the folder.

        Raises
        ------
        PlanFileError
            Listing every malformed cell with file, row and column; or saying that the folder
            is incomplete (a listed file missing, a write that was stopped, dates without
            their rows), that the plan was made for another community, or that the folder
            holds no plan.

        Warns
        -----
        CarecalWarning
            For a folder without ``manifest.json`` (carecal 0.1): its coverage is not checked.
    """
    path = Path(folder)
    manifest = read_manifest(path, community, same_community=not before_changes)
    names = set(manifest.files) if manifest is not None else set(ROOT_FILES)
    problems: list[str] = []

    def rows_of(table: str) -> list[_PlanRow] | None:
        if OUTPUT_TABLES[table].file not in names:
            return None  # not this plan's file, whatever lies in the folder by that name
        return _plan_rows(path, OUTPUT_TABLES[table], problems)

    routes, checks = rows_of("meal_routes"), rows_of("health_checks")
    shift_rows, unserved_rows = rows_of("shift_plan"), rows_of("unserved")
    trips = _read_routes(routes, community, problems) if routes else {}
    bookings = _read_bookings(checks, community, problems) if checks else []
    assignments = _read_assignments(shift_rows, problems) if shift_rows else []
    unserved = _read_unserved(unserved_rows, problems) if unserved_rows else []
    by_kind: dict[str, list[Unserved]] = defaultdict(list)
    for u in unserved:
        group = {UnservedKind.MEAL: "meal", UnservedKind.SHIFT: "shift"}.get(u.kind, "campaign")
        by_kind[group].append(u)
    if problems:
        raise PlanFileError(problems)
    if manifest is not None:
        meal_rows: Counter[dt.date | None] = Counter(u.date for u in by_kind["meal"])
        for date, day_trips in trips.items():
            meal_rows[date] += sum(len(t.stops) for t in day_trips)
        problems = coverage_problems(
            manifest,
            meal_rows,
            len(bookings) + len(by_kind["campaign"]),
            Counter(a.date for a in assignments),
        )
        if problems:
            raise PlanFileError(
                [
                    Message(N_("{folder} is incomplete: {problem}"), folder=str(path), problem=p)
                    for p in problems
                ]
            )
        meal_dates = [m.date for m in manifest.meals]
    else:
        meal_dates = sorted(set(trips) | {u.date for u in by_kind["meal"] if u.date is not None})
    for u in by_kind["meal"]:
        if u.date is None and len(meal_dates) != 1:
            problems.append(
                Message(
                    N_("unserved.csv: the meal of {id} has no date; fill in the date column"),
                    id=u.id,
                )
            )
    if problems:
        raise PlanFileError(problems)
    meals = [_meals_back(date, trips.get(date, []), by_kind["meal"]) for date in meal_dates]
    campaign = _campaign_back(
        manifest, checks is not None, bookings, by_kind["campaign"], community
    )
    shifts = _shifts_back(
        manifest, shift_rows is not None, assignments, by_kind["shift"], meals, campaign, community
    )
    return _whole(path, manifest, meals, campaign, shifts).with_people(community)


def _meals_back(date: dt.date, trips: list[Trip], unserved: list[Unserved]) -> MealPlan:
    """The meal plan of ``date`` read back; ``empty`` when nothing was ordered that day."""
    mine = tuple(u for u in unserved if u.date in (date, None))
    return MealPlan(
        status=Status.FEASIBLE if trips or mine else Status.EMPTY,
        date=date,
        trips=tuple(sorted(trips, key=lambda t: (t.volunteer_id, t.trip))),
        unserved=mine,
        engine="file",
    )


def _campaign_back(
    manifest: Manifest | None,
    has_file: bool,
    bookings: list[Booking],
    unserved: list[Unserved],
    community: Community,
) -> CampaignPlan | None:
    """The campaign read back, its days from the manifest (or, without one, the rows)."""
    if manifest is not None:
        if manifest.campaign is None:
            return None
        dates = list(manifest.campaign.dates)
        clinic_days = [(c.date, c.clinic_id) for c in manifest.campaign.clinic_days]
    elif has_file or unserved:
        dates, clinic_days = _campaign_days_of(bookings, unserved, community)
    else:
        return None
    return CampaignPlan(
        status=Status.FEASIBLE,
        dates=tuple(dates),
        clinic_days=tuple(clinic_days),
        bookings=tuple(bookings),
        unserved=tuple(unserved),
    )


def _shifts_back(
    manifest: Manifest | None,
    has_file: bool,
    assignments: list[Assignment],
    unserved: list[Unserved],
    meals: list[MealPlan],
    campaign: CampaignPlan | None,
    community: Community,
) -> ShiftPlan | None:
    """The shift plan read back over the manifest's period (without one: the rows')."""
    if manifest is not None:
        if manifest.shifts is None:
            return None
        start, end = manifest.shifts.start, manifest.shifts.end
    else:
        days = [a.date for a in assignments] + [u.date for u in unserved if u.date is not None]
        if not (has_file or unserved) or not days:
            return None
        start, end = min(days), max(days)
    # The places on ``auto`` shifts are those the routes and bookings beside the shift plan
    # use, as when the week was planned. A shift plan alone (carecal shifts, planned with
    # the caller's demand) has no routes or bookings beside it: its places are then the
    # volunteers on each auto shift and the open places unserved.csv lists for it.
    dates = date_range(start, end)
    if meals or campaign is not None:
        demand = auto_demand(community, dates, routed_volunteers(meals, campaign))
    else:
        demand = _places_as_written(community, dates, assignments, unserved)
    return ShiftPlan(
        status=Status.FEASIBLE,
        start=start,
        end=end,
        assignments=tuple(assignments),
        unserved=tuple(unserved),
        demand=demand,
    )


def _places_as_written(
    community: Community,
    dates: list[dt.date],
    assignments: list[Assignment],
    unserved: list[Unserved],
) -> dict[tuple[dt.date, str], tuple[int, int | None]]:
    """The places of each ``auto`` shift of a shift plan written alone: its volunteers
    plus its open places in ``unserved.csv`` (the shift's own maximum kept)."""
    places = Counter((a.date, a.shift_id) for a in assignments)
    places.update(
        (u.date, u.id) for u in unserved if u.kind == UnservedKind.SHIFT and u.date is not None
    )
    return {
        (d, s.shift_id): (places[(d, s.shift_id)], None)
        for d in dates
        for s in community.shifts
        if s.applies_to(d) and s.min_volunteers is None
    }


def _whole(
    folder: Path,
    manifest: Manifest | None,
    meals: list[MealPlan],
    campaign: CampaignPlan | None,
    shifts: ShiftPlan | None,
) -> PlanObject:
    """The parts as the object the planner returned: the manifest's kind, or the files'."""
    if manifest is not None:
        kind: Kind = manifest.kind
    elif not meals and campaign is None and shifts is None:
        raise PlanFileError(
            Message(
                N_(
                    "{folder}: no plan here (no manifest.json, meal_routes.csv, "
                    "health_checks.csv or shift_plan.csv); give the folder a plan was "
                    "written to"
                ),
                folder=str(folder),
            )
        )
    elif campaign is None and shifts is None and len(meals) == 1:
        kind = "meals"
    elif not meals and shifts is None:
        kind = "campaign"
    elif not meals and campaign is None:
        kind = "shifts"
    else:
        kind = "week"
    if kind == "meals":
        return meals[0]
    if kind == "campaign" and campaign is not None:
        return campaign
    if kind == "shifts" and shifts is not None:
        return shifts
    dates = [m.date for m in meals]
    if campaign is not None:
        dates += _campaign_dates(campaign)
    if shifts is not None:
        dates += [shifts.start, shifts.end]
    start = manifest.start if manifest is not None and manifest.start else min(dates)
    end = manifest.end if manifest is not None and manifest.end else max(dates)
    parts: list[MealPlan | CampaignPlan | ShiftPlan] = [*meals]
    parts += [p for p in (campaign, shifts) if p is not None]
    return WeekPlan(
        status=Status.FEASIBLE,
        start=start,
        end=end,
        meals=tuple(meals),
        campaign=campaign,
        shifts=shifts,
        unserved=tuple(u for p in parts for u in p.unserved),
    )
