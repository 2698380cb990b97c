"""Plans and communities as pandas DataFrames, for notebooks.

A plan's frames are the tables of its CSV folder (:data:`carecal.io.schema.OUTPUT_TABLES`)
made for analysis rather than for a spreadsheet: every time of day is a ``datetime64``
(the date plus the minutes), ``food_minutes`` and ``travel_minutes`` stay minutes, the
columns with a fixed set of values (``role``, ``wheelchair``, the unserved ``kind`` and
``code``) are categories, and the names the plan knows (:attr:`carecal.plans.Plan.people`)
stand beside the ids.

A community's frames are its input tables as :func:`carecal.io.write_community` writes
them (the same rows, :func:`carecal.io.community_folder.community_rows`), with numbers,
booleans and dates typed and ``mobility``, ``mode``, ``kind`` and ``role`` as categories,
plus the policy as a dict of every setting; :func:`carecal.io.community_from_frames`
reads them back into an equal community.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from carecal.clock import format_time
from carecal.errors import CommunityError, OptionError
from carecal.explain import CODES
from carecal.io.cells import format_cell
from carecal.io.community_folder import community_rows
from carecal.io.schema import INPUT_TABLES, OUTPUT_TABLES, Column, Kind, Table
from carecal.model import Community
from carecal.plans import (
    Call,
    CampaignPlan,
    MealPlan,
    People,
    PersonInfo,
    Plan,
    ShiftPlan,
    Unserved,
    UnservedKind,
    WeekPlan,
    plan_parts,
)
from carecal.policy import TIME_FIELDS, Policy, check_policy

MAIN_TABLE: dict[type[Plan], str] = {
    MealPlan: "meal_routes",
    CampaignPlan: "health_checks",
    ShiftPlan: "shift_plan",
    WeekPlan: "meal_routes",
}
"""The table :meth:`Plan.to_frame` gives for each kind of plan."""

# --- one column ------------------------------------------------------------------------------


def _categories(column: Column, values: Sequence[Any]) -> list[str]:
    # The known values first, in their order, so that counts show the zeros too; a value
    # outside them (a hand-edited code) is kept rather than turned into a missing one.
    known = list(CODES) if column.name == "code" else list(column.allowed)
    extra = sorted({str(v) for v in values if v is not None} - set(known))
    return known + extra


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


def _dates(values: list[Any]) -> pd.Series:
    """Dates (``None`` as ``NaT``) as a ``datetime64`` column, each at midnight."""
    return pd.Series(pd.to_datetime(pd.Series(values, dtype=object)), dtype="datetime64[ns]")


def _column(
    column: Column, values: list[Any], dates: pd.Series | None, *, clock_text: bool
) -> pd.Series | pd.Categorical:
    """One column of a frame, typed by its kind.

    ``dates`` (the row's date) turns a time of day into a ``datetime64``; with
    ``clock_text`` (a community's tables) a time stays ``HH:MM`` text, as in the file.
    """
    kind = column.kind
    # An enumeration (mobility, mode, kind, role, wheelchair) or the reason codes.
    if kind == Kind.ENUM or column.name == "code":
        plain = [None if v is None else str(_plain(v)) for v in values]
        return pd.Categorical(plain, categories=_categories(column, plain))
    if kind == Kind.TIME:
        if clock_text or dates is None:
            return pd.Series([format_cell(v, column) or None for v in values], dtype=object)
        minutes = pd.to_timedelta(pd.Series(values, dtype="float64"), unit="min")
        return dates + minutes
    if kind == Kind.DATE:
        return _dates(values)
    if kind in (Kind.LIST, Kind.DAY):
        return pd.Series([format_cell(v, column) for v in values], dtype=object)
    if any(isinstance(v, str) for v in values) and kind in (Kind.INT, Kind.FLOAT):
        # ``auto`` among the numbers of ``min_volunteers``: kept as written in the file.
        return pd.Series(values, dtype=object)
    if kind == Kind.INT:
        return pd.Series(values, dtype="Int64" if None in values else "int64")
    if kind == Kind.FLOAT:
        return pd.Series(values, dtype="float64")
    if kind == Kind.BOOL:
        if column.name == "locked":
            # The rows leave a row that is not locked empty, so that the CSV shows only the
            # locks; in a frame that is False.
            return pd.Series([bool(v) for v in values], dtype="bool")
        return pd.Series(values, dtype="boolean" if None in values else "bool")
    return pd.Series([None if v is None else str(_plain(v)) for v in values], dtype=object)


def _typed_frame(
    table: Table, rows: Sequence[Mapping[str, Any]], *, clock_text: bool = False
) -> pd.DataFrame:
    """The rows of ``table`` as a typed frame with exactly its columns, in order."""
    dates = None
    if not clock_text and "date" in table.column_names:
        dates = _dates([r.get("date") for r in rows])
    data = {
        column.name: _column(
            column, [r.get(column.name) for r in rows], dates, clock_text=clock_text
        )
        for column in table.columns
    }
    return pd.DataFrame(data, index=pd.RangeIndex(len(rows)))


# --- plans -----------------------------------------------------------------------------------


def _kind_checked(plan: Plan) -> None:
    if not isinstance(plan, MealPlan | CampaignPlan | ShiftPlan | WeekPlan):
        raise OptionError(
            f"a MealPlan, CampaignPlan, ShiftPlan or WeekPlan has frames, not {type(plan).__name__}"
        )


def route_rows(meals: Iterable[MealPlan], people: People) -> list[dict[str, Any]]:
    """One row per delivery, the columns of ``meal_routes.csv`` with the carrier's and the
    resident's names, by date, carrier and trip."""
    rows = []
    for plan in sorted(meals, key=lambda p: p.date):
        for trip in plan.trips:
            carrier = people.volunteer(trip.volunteer_id)
            for number, stop in enumerate(trip.stops, start=1):
                resident = people.resident(stop.resident_id)
                rows.append(
                    {
                        **stop.model_dump(),
                        "date": plan.date,
                        "volunteer_id": trip.volunteer_id,
                        "volunteer_name": carrier.name,
                        "trip": trip.trip,
                        "stop": number,
                        "resident_name": resident.name,
                        "address": resident.address,
                        "locked": stop.locked or None,
                    }
                )
    return rows


REGULAR_DIET = "regular"
"""The kitchen's word for a portion without diet tags (``packing_list.csv``)."""


def diet_combination(diet: Iterable[str]) -> str:
    """A resident's whole diet as the kitchen cooks it: ``regular`` without tags, else the
    tags sorted and joined by ``+`` (``diabetic+soft``), so each portion has one diet."""
    tags = sorted({str(t) for t in diet})
    return "+".join(tags) if tags else REGULAR_DIET


def _diet_order(diet: str) -> tuple[bool, str]:
    return diet != REGULAR_DIET, diet  # regular first, then the combinations by name


def packing_rows(meals: Iterable[MealPlan], people: People) -> list[dict[str, Any]]:
    """The kitchen's packing list, the columns of ``packing_list.csv``.

    Per date, each trip in departure order (then carrier and trip number) with one row per
    diet combination (:func:`diet_combination`) and its portions, so that a trip's rows
    add up to the portions it carries; then the day's totals per diet, on rows without a
    carrier, trip or departure.
    """
    rows: list[dict[str, Any]] = []
    for plan in sorted(meals, key=lambda p: p.date):
        day: dict[str, int] = {}
        for trip in sorted(plan.trips, key=lambda t: (t.leave, t.volunteer_id, t.trip)):
            counts: dict[str, int] = {}
            for stop in trip.stops:
                diet = diet_combination(stop.diet)
                counts[diet] = counts.get(diet, 0) + stop.portions
            carrier = people.volunteer(trip.volunteer_id)
            for diet in sorted(counts, key=_diet_order):
                day[diet] = day.get(diet, 0) + counts[diet]
                rows.append(
                    {
                        "date": plan.date,
                        "volunteer_id": trip.volunteer_id,
                        "volunteer_name": carrier.name,
                        "trip": trip.trip,
                        "departure": trip.leave,
                        "diet": diet,
                        "portions": counts[diet],
                    }
                )
        rows += [
            {"date": plan.date, "diet": diet, "portions": day[diet]}
            for diet in sorted(day, key=_diet_order)
        ]
    return rows


def check_rows(campaign: CampaignPlan, people: People) -> list[dict[str, Any]]:
    """One row per booking, the columns of ``health_checks.csv`` with the resident's and
    the escorts' names."""
    rows = []
    for booking in campaign.bookings:
        resident = people.resident(booking.resident_id)
        rows.append(
            {
                **booking.model_dump(),
                "resident_name": resident.name,
                "address": resident.address,
                "escort_names": [people.volunteer(e).name for e in booking.escort_ids],
                "locked": booking.locked or None,
            }
        )
    return rows


def shift_rows(shifts: ShiftPlan, people: People) -> list[dict[str, Any]]:
    """One row per volunteer on a shift, the columns of ``shift_plan.csv`` with the name."""
    return [
        {
            **a.model_dump(),
            "volunteer_name": people.volunteer(a.volunteer_id).name,
            "locked": a.locked or None,
        }
        for a in shifts.assignments
    ]


def unserved_rows(unserved: Iterable[Unserved], people: People) -> list[dict[str, Any]]:
    """One row per unserved entry, the columns of ``unserved.csv`` with the name (and a
    resident's address) of the person its id names."""
    rows = []
    for u in unserved:
        if u.kind == UnservedKind.SHIFT:
            # A dated shift entry names a shift place; an undated one names the volunteer
            # whose pledges left no timetable (carecal.solver.shifts.solution).
            who = people.volunteer(u.id) if u.date is None else PersonInfo()
        else:
            who = people.resident(u.id)
        rows.append({**u.model_dump(), "name": who.name, "address": who.address})
    return rows


def call_rows(calls: Iterable[Call]) -> list[dict[str, Any]]:
    """One row per person to call after a re-plan, the columns of ``to_call.csv``."""
    return [c.model_dump() for c in calls]


def plan_rows(
    meals: Sequence[MealPlan],
    campaign: CampaignPlan | None,
    shifts: ShiftPlan | None,
    unserved: Iterable[Unserved],
    people: People,
) -> dict[str, list[dict[str, Any]]]:
    """The rows of each output table of these parts, by table name, names beside the ids.

    ``meal_routes`` when there are meal plans, ``health_checks`` with a campaign,
    ``shift_plan`` with a shift plan, ``unserved`` always: what the CSV folder, the
    workbook and the frames hold.
    """
    tables: dict[str, list[dict[str, Any]]] = {}
    if meals:
        tables["meal_routes"] = route_rows(meals, people)
    if campaign is not None:
        tables["health_checks"] = check_rows(campaign, people)
    if shifts is not None:
        tables["shift_plan"] = shift_rows(shifts, people)
    tables["unserved"] = unserved_rows(unserved, people)
    return tables


def routes_frame(meals: Iterable[MealPlan], people: People) -> pd.DataFrame:
    """The meal routes: one row per delivery, with the carrier's and resident's names."""
    return _typed_frame(OUTPUT_TABLES["meal_routes"], route_rows(meals, people))


def checks_frame(campaign: CampaignPlan, people: People) -> pd.DataFrame:
    """The health-check bookings, with the resident's and the escorts' names."""
    return _typed_frame(OUTPUT_TABLES["health_checks"], check_rows(campaign, people))


def shifts_frame(shifts: ShiftPlan, people: People) -> pd.DataFrame:
    """The shift plan: one row per volunteer on a shift, with the volunteer's name."""
    return _typed_frame(OUTPUT_TABLES["shift_plan"], shift_rows(shifts, people))


def unserved_frame(unserved: Iterable[Unserved], people: People) -> pd.DataFrame:
    """Everything not served, with ``kind`` and ``code`` as categories and the names."""
    return _typed_frame(OUTPUT_TABLES["unserved"], unserved_rows(unserved, people))


def plan_frames(plan: Plan) -> dict[str, pd.DataFrame]:
    """Every table of ``plan``'s CSV folder as a frame, by file stem.

    Parameters
    ----------
    plan
        A :class:`~carecal.plans.MealPlan`, :class:`~carecal.plans.CampaignPlan`,
        :class:`~carecal.plans.ShiftPlan` or :class:`~carecal.plans.WeekPlan`.

    Returns
    -------
    dict of str to DataFrame
        ``meal_routes`` (meal and week plans), ``health_checks`` (a campaign),
        ``shift_plan`` (a shift plan) and ``unserved`` (always).

    Raises
    ------
    OptionError
        When ``plan`` is none of these.
    """
    _kind_checked(plan)
    meals, campaign, shifts = plan_parts(plan)
    people = plan.all_people()
    frames: dict[str, pd.DataFrame] = {}
    if MAIN_TABLE[type(plan)] == "meal_routes":
        frames["meal_routes"] = routes_frame(meals, people)
    if campaign is not None:
        frames["health_checks"] = checks_frame(campaign, people)
    if shifts is not None:
        frames["shift_plan"] = shifts_frame(shifts, people)
    frames["unserved"] = unserved_frame(plan.unserved, people)
    return frames


def plan_frame(plan: Plan) -> pd.DataFrame:
    """The main table of ``plan`` (see :data:`MAIN_TABLE`); an empty frame with the
    table's columns when the plan has none of it (a week without shifts)."""
    _kind_checked(plan)
    meals, campaign, shifts = plan_parts(plan)
    people = plan.all_people()
    main = MAIN_TABLE[type(plan)]
    if main == "meal_routes":
        return routes_frame(meals, people)
    if main == "health_checks":
        assert campaign is not None
        return checks_frame(campaign, people)
    assert shifts is not None
    return shifts_frame(shifts, people)


def records_frame(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    index: str | None = None,
    categories: Mapping[str, Sequence[str]] | None = None,
    floats: Sequence[str] = (),
    dates: Sequence[str] = (),
) -> pd.DataFrame:
    """A plain frame of ``rows`` with ``columns`` in order (for :mod:`carecal.compare`).

    ``categories`` makes those columns categorical with the values given, in order;
    ``floats`` makes those columns numbers (``None`` as ``NaN``), ``dates`` makes them
    ``datetime64``; ``index`` names the column to use as the index.
    """
    frame = pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=list(columns))
    for name, values in (categories or {}).items():
        frame[name] = pd.Categorical(frame[name], categories=list(values))
    for name in floats:
        frame[name] = frame[name].astype("float64")
    for name in dates:
        frame[name] = pd.to_datetime(frame[name])
    return frame.set_index(index) if index else frame


# --- the community ---------------------------------------------------------------------------


def policy_settings(policy: Policy) -> dict[str, Any]:
    """Every setting of ``policy`` by name, times as ``"HH:MM"``: what
    :meth:`carecal.Community.with_policy` and ``policy.toml`` take."""
    settings = policy.model_dump()
    for name in TIME_FIELDS:
        settings[name] = format_time(settings[name])
    return settings


def community_frames(community: Community) -> dict[str, Any]:
    """A community as one frame per input table, shaped like its CSV files, and its policy.

    Parameters
    ----------
    community
        The community.

    Returns
    -------
    dict
        A DataFrame per input table (``residents``, ``volunteers``, ``availability``,
        ``sites``, ``shifts``, ``requests``, ``campaign``, ``travel``, ``changes``; an
        optional table without rows is an empty frame with its columns), with the columns
        of the CSV file: times as ``HH:MM`` text, a change's ``start``/``end`` as text
        (``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM``), lists ``;``-separated, a
        weekday-or-date ``day`` as text, dates as ``datetime64``, and ``mobility``,
        ``mode``, ``kind`` and ``role`` as categories; and under ``policy`` a dict of
        every policy setting (times as ``"HH:MM"``).
        :func:`carecal.io.community_from_frames` reads it back.
    """
    frames: dict[str, Any] = {
        name: _typed_frame(INPUT_TABLES[name], rows, clock_text=True)
        for name, rows in community_rows(community).items()
    }
    frames["policy"] = policy_settings(community.policy)
    return frames


def policy_entry(value: Any, given: Policy | None) -> tuple[Policy | None, list[str]]:
    """The policy of a ``policy`` entry among the frames, and the problems found.

    ``value`` is a :class:`~carecal.policy.Policy`, a dict of settings (missing ones take
    the defaults) or a one-row DataFrame of them. ``given`` is the ``policy`` argument
    of :func:`carecal.io.community_from_frames`: both at once is an error.

    Raises
    ------
    OptionError
        When the policy is given both ways.
    """
    if given is not None:
        raise OptionError(
            "community_from_frames: the policy is given twice, as frames['policy'] and as "
            "the policy argument; give it one way"
        )
    if isinstance(value, pd.DataFrame):
        if len(value) != 1:
            return None, [
                f"the policy frame has {len(value)} rows; give one row of settings, or a "
                "dict such as {'max_food_minutes': 40}"
            ]
        value = {k: v for k, v in value.iloc[0].items() if not _missing(v)}
    try:
        return check_policy(value, "policy"), []
    except CommunityError as e:
        return None, list(e.problems)


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False  # a list or dict cell is a value, not a missing one
