"""The centre's tables: sites, shifts, campaign days and travel times, one reader each
(the readers' contract is in :mod:`carecal.io.tables`)."""

from __future__ import annotations

import datetime as dt

from carecal.clock import format_time, half_width
from carecal.i18n import N_, Message, Word
from carecal.io.cells import enum_value
from carecal.io.csvtext import RawTable
from carecal.io.problems import one_of
from carecal.io.rows import (
    Context,
    Row,
    coordinates,
    day_fields,
    duplicate_ids,
    known_ids,
    start_end,
    store_ids,
    table_rows,
    unknown,
)
from carecal.io.schema import AUTO_WORDS, INPUT_TABLES, SITES
from carecal.model import CampaignDay, Role, ShiftTemplate, Site, SiteKind, TravelOverride


def parse_sites(ctx: Context, raw: RawTable) -> list[Site]:
    """sites.csv: the kitchen, clinics and centres; remembers which ids are clinics."""
    rows = table_rows(ctx, raw, SITES)
    duplicate_ids(rows, "site_id", "site")
    store_ids(ctx, "site", known_ids(rows, "site_id"))
    clinics: set[str] = set()
    kinds: list[str] = []
    out = []
    for r in rows:
        sid = r.value("site_id", required=True)
        kind = r.value("kind", required=True)
        if kind is not None:
            kinds.append(kind)
        if kind == SiteKind.CLINIC and sid is not None:
            clinics.add(sid)
        lat, lon = coordinates(r, required=True)
        open_, close = start_end(r, "open", "close", N_("the opening time"))
        clinic = {
            name: r.value(name, required=kind == SiteKind.CLINIC, minimum=minimum)
            for name, minimum in (("slot_minutes", 1), ("places_per_slot", 1), ("check_minutes", 1))
        }
        site = r.build(
            Site,
            site_id=sid,
            kind=kind,
            name=r.value("name") or "",
            lat=lat,
            lon=lon,
            open=open_,
            close=close,
            wheelchairs=r.value("wheelchairs", minimum=0) or 0,
            **clinic,
        )
        if site is not None:
            out.append(site)
            ctx.sites.setdefault(site.site_id, site)
            if site.kind == SiteKind.CLINIC:
                _no_slot(r, site, site.open, site.close, N_("in sites.csv"))
    _clinic_columns(rows)
    bad_kind = any(r.text("kind") and _kind(r) is None for r in rows)
    if "site" in ctx.ids and rows and "kind" in rows[0].columns and not bad_kind:
        # A misspelt kind is reported once, not again by every campaign day naming the site.
        ctx.ids["clinic"] = clinics
    if not rows:
        ctx.problems.append(
            Message(
                N_("{source} has no sites; add at least the kitchen where the meals are cooked"),
                source=raw.source,
            )
        )
    elif SiteKind.KITCHEN not in kinds and not bad_kind:
        ctx.problems.append(
            Message(
                N_(
                    "{source} has no kitchen; add a row with kind kitchen where the meals are "
                    "cooked"
                ),
                source=raw.source,
            )
        )
    return out


_CLINIC_COLUMNS = ("slot_minutes", "places_per_slot", "check_minutes")


def _kind(r: Row) -> str | None:
    """The site kind the row's ``kind`` cell names (``clinic``, ``诊所``), if any."""
    return enum_value(r.text("kind"), SITES.column("kind"))


def _clinic_columns(rows: list[Row]) -> None:
    """A clinic row needs the slot columns; when sites.csv lacks them, say so on the row.

    (An empty cell in a present column is reported by the cell check itself.)
    """
    if not rows:
        return
    absent = [c for c in _CLINIC_COLUMNS if c not in rows[0].columns]
    if not absent:
        return
    for r in rows:
        if _kind(r) == SiteKind.CLINIC:
            r.error(
                None,
                Message(
                    N_(
                        "a clinic needs {needed}, and {source} has no {absent} column; add it "
                        "and fill them in for every clinic"
                    )
                    if len(absent) == 1
                    else N_(
                        "a clinic needs {needed}, and {source} has no {absent} column; add "
                        "them and fill them in for every clinic"
                    ),
                    needed=", ".join(_CLINIC_COLUMNS),
                    source=r.raw.source,
                    absent=one_of(tuple(absent)),
                ),
            )


def parse_shifts(ctx: Context, raw: RawTable) -> list[ShiftTemplate]:
    """shifts.csv: weekly or dated shift templates, a weekly id used once."""
    rows = table_rows(ctx, raw, INPUT_TABLES["shifts"])
    store_ids(ctx, "shift", known_ids(rows, "shift_id"))
    seen: dict[tuple[str, str | dt.date], str] = {}
    out = []
    for r in rows:
        sid = r.value("shift_id", required=True)
        days = day_fields(r, "day", required=True)
        # A weekly template's id names one shift; a dated shift may reuse an id on other dates.
        key = (sid, days["date"] or "weekly") if sid is not None and r.text("day") else None
        if key is not None and key in seen:
            what = (
                Message(N_("shift {shift} on {date}"), shift=sid, date=days["date"])
                if days["date"]
                else Message(N_("weekly shift {shift}"), shift=sid)
            )
            r.error(
                "shift_id",
                Message(
                    N_("{what} is also on {row}; give each weekly shift its own id"),
                    what=what,
                    row=seen[key],
                ),
            )
        elif key is not None:
            seen[key] = r.label
        start, end = start_end(r, "start", "end", N_("the shift"))
        min_text = r.text("min_volunteers")
        auto = min_text == "" or half_width(min_text).lower() in AUTO_WORDS
        minimum = None if auto else r.value("min_volunteers", minimum=0)
        role = r.value("role", required=True)
        if minimum is None and auto and role == Role.CENTRE:
            # The week plan derives auto from the meal routes and escort bookings; nothing
            # derives a centre shift's, so it would ask for no one.
            r.warn(
                "min_volunteers",
                Message(
                    N_(
                        "{cell} on a centre shift asks for no one: auto counts the carriers "
                        "and escorts the plans use, and a centre shift has neither; give the "
                        "number of volunteers it needs"
                    ),
                    cell=min_text or Message(N_("empty (auto)")),
                ),
            )
        maximum = r.value("max_volunteers", minimum=0)
        if minimum is not None and maximum is not None and minimum > maximum:
            r.error(
                "max_volunteers",
                Message(
                    N_(
                        "{maximum} is below min_volunteers {minimum}; raise max_volunteers or "
                        "lower min_volunteers"
                    ),
                    maximum=maximum,
                    minimum=minimum,
                ),
            )
        s = r.build(
            ShiftTemplate,
            shift_id=sid,
            role=role,
            start=start,
            end=end,
            min_volunteers=minimum,
            max_volunteers=maximum,
            weight_under=r.value("weight_under", minimum=0),
            weight_over=r.value("weight_over", minimum=0),
            **days,
        )
        if s is not None:
            out.append(s)
    return out


def parse_campaign(ctx: Context, raw: RawTable) -> list[CampaignDay]:
    """campaign.csv: the days each clinic runs health checks, one row per date and clinic."""
    rows = table_rows(ctx, raw, INPUT_TABLES["campaign"])
    clinics = ctx.ids.get("clinic")
    seen: dict[tuple[dt.date, str], str] = {}
    out = []
    for r in rows:
        date = r.value("date", required=True)
        clinic_id = r.value("clinic_id", required=True)
        if unknown(r, "clinic_id", clinic_id, clinics):
            r.error(
                "clinic_id",
                Message(
                    N_(
                        "{id} is not a clinic in sites.csv; add it there with kind clinic or "
                        "correct the id"
                    ),
                    id=clinic_id,
                ),
            )
        if date is not None and clinic_id is not None:
            # The key of campaign.csv: several clinics on one date are fine, one clinic
            # twice on a date would give it two sets of hours.
            first = seen.setdefault((date, clinic_id), r.label)
            if first != r.label:
                r.error(
                    "clinic_id",
                    Message(
                        N_(
                            "clinic {id} on {date} is also on {row}; campaign.csv has one row "
                            "per date and clinic: delete one of the two rows, keeping the "
                            "hours you mean"
                        ),
                        id=clinic_id,
                        date=date,
                        row=first,
                    ),
                )
        open_, close = r.value("open"), r.value("close")
        _campaign_hours(r, ctx.sites.get(clinic_id or ""), open_, close)
        day = r.build(CampaignDay, date=date, clinic_id=clinic_id, open=open_, close=close)
        if day is not None:
            out.append(day)
    return out


def _campaign_hours(r: Row, clinic: Site | None, open_: int | None, close: int | None) -> None:
    """Report a campaign day whose hours, its own or the clinic's, close before they open.

    The day's hours are its ``open``/``close``, each taken from the clinic's row of
    sites.csv when empty (:meth:`carecal.model.Community.clinic_days` does the same).
    """
    if open_ is not None and close is not None and close <= open_:
        r.error(
            "close",
            Message(
                N_(
                    "the clinic hours {open}–{close} close before they open; swap open and "
                    "close or correct them"
                ),
                open=format_time(open_),
                close=format_time(close),
            ),
        )
        return
    if clinic is None or clinic.kind != SiteKind.CLINIC or (open_ is None and close is None):
        return
    start = clinic.open if open_ is None else open_
    end = clinic.close if close is None else close
    if end > start:
        _no_slot(r, clinic, start, end, N_("that day"))
    elif open_ is not None:
        r.error(
            "open",
            Message(
                N_(
                    "{open} is not before {clinic}'s closing time {close} in sites.csv, so the "
                    "clinic would close before it opens; give this row a close after {open}, "
                    "or an earlier open"
                ),
                open=format_time(open_),
                clinic=clinic.site_id,
                close=format_time(clinic.close),
            ),
        )
    else:
        r.error(
            "close",
            Message(
                N_(
                    "{close} is not after {clinic}'s opening time {open} in sites.csv, so the "
                    "clinic would close before it opens; give this row an open before "
                    "{close}, or a later close"
                ),
                close=format_time(end),
                clinic=clinic.site_id,
                open=format_time(clinic.open),
            ),
        )


def _no_slot(r: Row, clinic: Site, start: int, end: int, when: str) -> None:
    """Warn when a clinic's hours are shorter than one check: no one can be booked."""
    if clinic.check_minutes is not None and end - start < clinic.check_minutes:
        r.warn(
            None,
            Message(
                N_(
                    "clinic {clinic} is open {start}–{end} {when}, shorter than one check "
                    "({minutes} minutes), so no one can be booked; lengthen the hours or "
                    "shorten check_minutes"
                ),
                clinic=clinic.site_id,
                start=format_time(start),
                end=format_time(end),
                when=Word(when),
                minutes=clinic.check_minutes,
            ),
        )


MAX_TRAVEL_MINUTES = 24 * 60
"""The longest travel time travel.csv may give: a trip of more than a day is a slip."""


def parse_travel(ctx: Context, raw: RawTable) -> list[TravelOverride]:
    """travel.csv: travel minutes between two known places, overriding the estimate."""
    rows = table_rows(ctx, raw, INPUT_TABLES["travel"])
    tables = ("resident", "volunteer", "site")
    places = (
        set().union(*(ctx.ids[t] for t in tables)) if all(t in ctx.ids for t in tables) else None
    )
    out = []
    for r in rows:
        ends = {}
        for column in ("from_id", "to_id"):
            ends[column] = r.value(column, required=True)
            if unknown(r, column, ends[column], places):
                r.error(
                    column,
                    Message(
                        N_("{id} is not a resident, volunteer or site id; correct the id"),
                        id=ends[column],
                    ),
                )
        mode = r.value("mode") or "any"
        minutes = r.value("minutes", required=True, minimum=0)
        if minutes is not None and minutes > MAX_TRAVEL_MINUTES:
            r.error(
                "minutes",
                Message(
                    N_(
                        "{minutes} minutes is more than a day ({most}); write the travel time "
                        "in minutes, for example 12"
                    ),
                    minutes=r.text("minutes"),
                    most=MAX_TRAVEL_MINUTES,
                ),
            )
        t = r.build(
            TravelOverride,
            from_id=ends["from_id"],
            to_id=ends["to_id"],
            mode=mode,
            minutes=minutes,
        )
        if t is not None:
            out.append(t)
    return out
