"""The people's tables: volunteers, residents, availability and requests, one reader each
(the readers' contract is in :mod:`carecal.io.tables`)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from carecal.clock import TimeWindow, format_time, weekday
from carecal.i18n import N_, Message
from carecal.io.csvtext import RawTable
from carecal.io.problems import Problem
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
from carecal.io.schema import INPUT_TABLES
from carecal.model import Availability, Request, Resident, Volunteer

MIN_AGE = 60
"""The roster lists residents aged 60 and over."""

_LIMIT_RE = re.compile(r"^(.+?)\s*[=:]\s*(\d+)$")


def parse_volunteers(ctx: Context, raw: RawTable) -> list[Volunteer]:
    """volunteers.csv: each volunteer's mode, skills, pledges and limits."""
    rows = table_rows(ctx, raw, INPUT_TABLES["volunteers"])
    store_ids(ctx, "volunteer", known_ids(rows, "volunteer_id"))
    duplicate_ids(rows, "volunteer_id", "volunteer")
    out = []
    for r in rows:
        vid = r.value("volunteer_id", required=True)
        name = r.value("name", required=True)
        lat, lon = coordinates(r, required=False)
        mode = r.value("mode", required=True)
        capacity = r.value("capacity", minimum=1)
        skills = r.value("skills") or ()
        if r.text("skills") == "" and "skills" in r.columns:
            r.warn(
                "skills",
                Message(N_("is empty, so this volunteer is never planned; list their skills")),
            )
        v = r.build(
            Volunteer,
            volunteer_id=vid,
            name=name,
            lat=lat,
            lon=lon,
            mode=mode,
            capacity=capacity,
            skills=frozenset(skills),
            max_shifts_per_week=r.value("max_shifts_per_week", minimum=0),
            max_hours_per_week=r.value("max_hours_per_week", minimum=0),
            min_minutes_per_period=r.value("min_minutes_per_period", minimum=0),
            max_minutes_per_period=r.value("max_minutes_per_period", minimum=0),
            max_consecutive_days=r.value("max_consecutive_days", minimum=1),
            min_consecutive_days=r.value("min_consecutive_days", minimum=1),
            min_days_off_in_a_row=r.value("min_days_off_in_a_row", minimum=1),
            max_weekends=r.value("max_weekends", minimum=0),
            max_shifts_by_id=_shift_limits(r),
            phone=r.value("phone") or None,
        )
        if v is not None:
            out.append(v)
    return out


def _shift_limits(r: Row) -> dict[str, int]:
    """``max_shifts_by_id``: items ``shift_id=count`` (``:`` works too).

    The shift ids are checked once shifts.csv is read (:func:`check_shift_limits`).
    """
    limits: dict[str, int] = {}
    for item in r.value("max_shifts_by_id") or ():
        match = _LIMIT_RE.match(item)
        if match is None:
            r.error(
                "max_shifts_by_id",
                Message(
                    N_("'{item}' is not shift_id=count; write for example EVE=2;SAT=1"), item=item
                ),
            )
            continue
        limits[match.group(1)] = int(match.group(2))
        r.ctx.shift_refs.append((r.where("max_shifts_by_id"), match.group(1)))
    return limits


def check_shift_limits(ctx: Context) -> None:
    """Report ``max_shifts_by_id`` limits naming a shift that shifts.csv does not have."""
    known = ctx.ids.get("shift")
    if known is None:
        return
    for where, sid in ctx.shift_refs:
        if sid not in known:
            ctx.problems.append(
                Problem(
                    where,
                    Message(
                        N_(
                            "shift {shift} is not in shifts.csv; correct the shift_id or "
                            "remove the limit"
                        ),
                        shift=sid,
                    ),
                )
            )


def _age_problem(r: Row, birth: dt.date | None, age: int | None, as_of: dt.date) -> None:
    if birth is not None:
        if birth > as_of:
            r.error(
                "birth_date",
                Message(N_("{date} is in the future; correct the date of birth"), date=birth),
            )
            return
        years = as_of.year - birth.year - ((as_of.month, as_of.day) < (birth.month, birth.day))
        if years < MIN_AGE:
            r.error(
                "birth_date",
                Message(
                    N_(
                        "born {birth}, so {years} on {day}, under {minimum}; the roster lists "
                        "residents aged {minimum} and over"
                    ),
                    birth=birth,
                    years=years,
                    day=as_of,
                    minimum=MIN_AGE,
                ),
            )
    elif age is not None and age < MIN_AGE:
        r.error(
            "age",
            Message(
                N_("{age} is under {minimum}; the roster lists residents aged {minimum} and over"),
                age=age,
                minimum=MIN_AGE,
            ),
        )


def parse_residents(ctx: Context, raw: RawTable) -> list[Resident]:
    """residents.csv: each resident's home, mobility, meal order and age rule."""
    rows = table_rows(ctx, raw, INPUT_TABLES["residents"])
    if not rows and not raw.problems:
        ctx.warnings.append(
            Message(
                N_("{source} has no rows: nothing to plan for meals or health checks"),
                source=raw.source,
            )
        )
    duplicate_ids(rows, "resident_id", "resident")
    store_ids(ctx, "resident", known_ids(rows, "resident_id"))
    volunteers = ctx.ids.get("volunteer")
    p = ctx.policy
    out = []
    for r in rows:
        rid = r.value("resident_id", required=True)
        name = r.value("name", required=True)
        birth = r.value("birth_date")
        age = r.value("age", minimum=0)
        has_column = "birth_date" in r.columns or "age" in r.columns
        if (
            has_column
            and birth is None
            and age is None
            and not r.text("birth_date") + r.text("age")
        ):
            r.error(
                "age",
                Message(N_("is empty and so is birth_date; give the age or the date of birth")),
            )
        _age_problem(r, birth, age, ctx.as_of)
        lat, lon = coordinates(r, required=True)
        window = None
        start, end = r.value("window_start"), r.value("window_end")
        if start is not None or end is not None:
            start = p.default_window_start if start is None else start
            end = p.default_window_end if end is None else end
            if end <= start:
                r.error(
                    "window_end",
                    Message(
                        N_(
                            "the delivery window {start}–{end} closes before it opens; swap "
                            "window_start and window_end or correct them"
                        ),
                        start=format_time(start),
                        end=format_time(end),
                    ),
                )
            window = TimeWindow(start, end)
        last_check = r.value("last_check")
        if last_check is not None and last_check > ctx.as_of:
            r.error(
                "last_check",
                Message(N_("{date} is in the future; correct the date"), date=last_check),
            )
        preferred = r.value("preferred_volunteers") or ()
        meals_from, meals_until = r.value("meals_from"), r.value("meals_until")
        if meals_from is not None and meals_until is not None and meals_until < meals_from:
            r.error(
                "meals_until",
                Message(
                    N_(
                        "{until} comes before meals_from {since}; swap them or correct one "
                        "(both days are included)"
                    ),
                    until=meals_until,
                    since=meals_from,
                ),
            )
        for v in preferred:
            if unknown(r, "preferred_volunteers", v, volunteers):
                r.error(
                    "preferred_volunteers",
                    Message(
                        N_("volunteer {id} is not in volunteers.csv; correct the id or remove it"),
                        id=v,
                    ),
                )
        resident = r.build(
            Resident,
            resident_id=rid,
            name=name,
            birth_date=birth,
            age=age,
            lat=lat,
            lon=lon,
            address=r.value("address") or "",
            floor=_default(r.value("floor"), 1),
            has_lift=bool(r.value("has_lift")),
            mobility=r.value("mobility", required=True),
            lives_alone=bool(r.value("lives_alone")),
            meal_days=frozenset(r.value("meal_days") or ()),
            portions=r.value("portions", minimum=1) or 1,
            diet=r.value("diet") or (),
            window=window,
            last_check=last_check,
            owns_wheelchair=r.value("owns_wheelchair"),
            preferred_volunteers=preferred,
            meals_from=meals_from,
            meals_until=meals_until,
            phone=r.value("phone") or None,
        )
        if resident is not None:
            out.append(resident)
    return out


def _default(value: Any, default: Any) -> Any:
    return default if value is None else value


def _known_volunteer(r: Row, volunteers: set[str] | None) -> str | None:
    """The row's ``volunteer_id``, with an error when volunteers.csv has no such id."""
    vid = r.value("volunteer_id", required=True)
    if unknown(r, "volunteer_id", vid, volunteers):
        r.error(
            "volunteer_id",
            Message(
                N_("volunteer {id} is not in volunteers.csv; add them there or correct the id"),
                id=vid,
            ),
        )
    return vid


def parse_availability(ctx: Context, raw: RawTable) -> list[Availability]:
    """availability.csv: when each known volunteer is free, or not."""
    rows = table_rows(ctx, raw, INPUT_TABLES["availability"])
    volunteers = ctx.ids.get("volunteer")
    out = []
    for r in rows:
        vid = _known_volunteer(r, volunteers)
        days = day_fields(r, "day", required=True)
        start, end = start_end(r, "start", "end", N_("the free time"))
        available = r.value("available")
        a = r.build(
            Availability,
            volunteer_id=vid,
            start=start,
            end=end,
            available=True if available is None else available,
            **days,
        )
        if a is not None:
            out.append(a)
    return out


def parse_requests(ctx: Context, raw: RawTable) -> list[Request]:
    """requests.csv: volunteers' wishes for or against a shift or a day."""
    rows = table_rows(ctx, raw, INPUT_TABLES["requests"])
    volunteers = ctx.ids.get("volunteer")
    shifts = ctx.ids.get("shift")
    out = []
    for r in rows:
        vid = _known_volunteer(r, volunteers)
        days = day_fields(r, "day", required=False)
        date = r.value("date")
        if date is not None:
            if days["date"] is not None and days["date"] != date:
                r.error(
                    "date",
                    Message(
                        N_("{date} differs from day {day}; give only one of them"),
                        date=date,
                        day=days["date"],
                    ),
                )
            elif days["day"] is not None and days["day"] != weekday(date):
                # Both columns filled and they disagree: neither may be dropped silently.
                r.error(
                    "date",
                    Message(
                        N_("{date} is a {weekday}, but day says {day}; give only one of them"),
                        date=date,
                        weekday=weekday(date),
                        day=days["day"],
                    ),
                )
            days = {"day": None, "date": date}
        if days["day"] is None and days["date"] is None and not r.text("day"):
            r.error("day", Message(N_("is empty and so is date; give a weekday or a date")))
        shift_id = r.value("shift_id")
        if unknown(r, "shift_id", shift_id, shifts):
            r.error(
                "shift_id",
                Message(
                    N_(
                        "shift {shift} is not in shifts.csv; correct the id or leave it empty "
                        "for any shift that day"
                    ),
                    shift=shift_id,
                ),
            )
        want = r.value("want")
        weight = r.value("weight", minimum=0)
        req = r.build(
            Request,
            volunteer_id=vid,
            shift_id=shift_id,
            want=True if want is None else want,
            weight=1 if weight is None else weight,
            **days,
        )
        if req is not None:
            out.append(req)
    return out
