"""The monthly service report for the funder, from the plan folders of a month.

:func:`report` reads each plan folder (:func:`carecal.io.read_plan`), keeps the dates of
the month, and counts what was done where the ``done`` column of ``meal_routes.csv`` and
``health_checks.csv`` is filled in, and what was only planned where it is not. Where
several folders cover one date, the one whose ``manifest.json`` was written last (its file
modification time: the manifest holds no time stamp, so that the same plan gives the same
bytes) counts for that date and part, and the report says which. A weekday of the month
with meal orders but no folder covering it is *missing*, never zero.

Pandas stays under :mod:`carecal.io`: the report holds plain rows, and
:mod:`carecal.io.report_frames` turns them into frames, CSV files and the printable page.

The report speaks the community's language (``policy.lang``): its summary, notes and
printable page (headings, column heads, and the statuses and ``done`` values in words:
``delivered`` is 已送达 in Chinese). The CSV files keep English column names and values,
as every CSV file of carecal does.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carecal.errors import OptionError
from carecal.i18n import N_, Message, render, translator
from carecal.model import Community, Mobility
from carecal.plans import (
    CampaignPlan,
    MealPlan,
    ShiftPlan,
    UnservedKind,
    plan_parts,
)

if TYPE_CHECKING:
    import pandas as pd

PLANNED = "planned"
"""The word for a count taken from the plan because its ``done`` cells are empty."""
MISSING = "missing"
"""The status of a weekday with meal orders that no folder covers."""

COLUMNS: dict[str, tuple[str, ...]] = {
    "days": ("date", "meals", "meals_folder", "checks_folder", "shifts_folder"),
    "meals_by_day": (
        "date",
        "status",
        "folder",
        "deliveries",
        "delivered",
        "not_home",
        "refused",
        PLANNED,
        "unserved",
    ),
    "meals_by_diet": ("diet", "delivered", "not_home", "refused", PLANNED),
    "people": ("service", "basis", "residents", "living_alone", "wheelchair_users"),
    "checks": (
        "date",
        "folder",
        "booked",
        "done",
        "missed",
        PLANNED,
        "escorted_done",
        "escorted_planned",
    ),
    "home_checks": ("resident_id", "name", "address", "reason", "folder"),
    "volunteer_hours": ("volunteer_id", "name", "role", "hours"),
    "unserved": ("kind", "code", "count"),
}
"""The columns of each table of the report, in order (``report_<name>.csv``)."""

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_span(month: str | dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of ``month`` (``"YYYY-MM"`` or any date in it).

    Raises
    ------
    OptionError
        For anything else, naming the form to use.
    """
    if isinstance(month, dt.date):
        first = month.replace(day=1)
    else:
        found = _MONTH.match(str(month).strip())
        if found is None or not 1 <= int(found.group(2)) <= 12:
            raise OptionError(
                f"month {month!r} is not a month; give it as YYYY-MM, for example 2026-12"
            )
        first = dt.date(int(found.group(1)), int(found.group(2)), 1)
    after = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, after - dt.timedelta(days=1)


@dataclass(frozen=True)
class _Folder:
    path: Path
    written: float
    meals: list[MealPlan]
    campaign: CampaignPlan | None
    shifts: ShiftPlan | None


@dataclass
class MonthlyReport:
    """What a centre did in a month, table by table, as plain rows.

    Attributes
    ----------
    month
        ``YYYY-MM``.
    days
        Per date of the month with a plan or a missing meal day: the meal status
        (``done``, ``partly done``, ``planned``, ``no orders`` or ``missing``) and the
        folder each part was taken from.
    meals_by_day, meals_by_diet, people, checks, home_checks, volunteer_hours, unserved
        The report's tables (see :func:`report`).
    notes
        What the reader should know: folders or plans ignored, and why (each a
        :class:`~carecal.i18n.Message`: English as text, said in ``lang`` by
        :meth:`summary`).
    lang
        The language of the summary and the printable page (``en``, ``zh``): the
        community's by default.
    """

    month: str
    days: list[dict[str, Any]] = field(default_factory=list)
    meals_by_day: list[dict[str, Any]] = field(default_factory=list)
    meals_by_diet: list[dict[str, Any]] = field(default_factory=list)
    people: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    home_checks: list[dict[str, Any]] = field(default_factory=list)
    volunteer_hours: list[dict[str, Any]] = field(default_factory=list)
    unserved: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    lang: str = "en"

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        """Every table by name (the CSV file is ``report_<name>.csv``)."""
        return {
            "days": self.days,
            "meals_by_day": self.meals_by_day,
            "meals_by_diet": self.meals_by_diet,
            "people": self.people,
            "checks": self.checks,
            "home_checks": self.home_checks,
            "volunteer_hours": self.volunteer_hours,
            "unserved": self.unserved,
        }

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """Every table as a DataFrame, by name (needs pandas)."""
        from carecal.io.report_frames import report_frames

        return report_frames(self)

    def write(self, folder: str | Path, *, plots: bool | None = None) -> list[Path]:
        """Write the CSV tables, ``report.html`` and (with matplotlib) ``report.png``.

        Every file is rendered in memory first, then each is written through a temporary
        file and a rename. ``plots=None`` (the default) draws the picture when
        ``carecal[plot]`` is installed; ``True`` insists (ExtraMissingError without it).
        """
        from carecal.io.report_frames import write_report

        return write_report(self, Path(folder), plots=plots)

    def summary(self, lang: str | None = None) -> str:
        """The report in a few lines, in ``lang`` (the report's own by default)."""
        lang = lang or self.lang
        _ = translator(lang).gettext
        delivered = sum(r["delivered"] or 0 for r in self.meals_by_day)
        planned = sum(r["planned"] or 0 for r in self.meals_by_day)
        missing = [r["date"] for r in self.meals_by_day if r["status"] == MISSING]
        lines = [
            _(
                "Service report {month}: {delivered} portions delivered, {planned} planned "
                "(done not filled in), on {days} days."
            ).format(
                month=self.month,
                delivered=delivered,
                planned=planned,
                days=len(self.meals_by_day) - len(missing),
            ),
        ]
        if missing:
            lines.append(
                _("Missing days (meal orders, no plan): {days}").format(
                    days=_(", ").join(map(str, missing))
                )
            )
        lines += [_("Note: {note}").format(note=render(n, lang)) for n in self.notes]
        return "\n".join(lines)


def _written(folder: Path) -> float:
    """When the folder's plan was written: ``manifest.json``'s modification time (the
    manifest has no time stamp), or the newest table's for a carecal 0.1 folder."""
    manifest = folder / "manifest.json"
    if manifest.is_file():
        return manifest.stat().st_mtime
    times = [p.stat().st_mtime for p in folder.glob("*.csv")]
    return max(times, default=0.0)


def _read_folders(community: Community, folders: Sequence[str | Path]) -> list[_Folder]:
    from carecal.io.plan_folder import read_plan

    if isinstance(folders, str | Path):
        folders = [folders]
    if not folders:
        raise OptionError("report() needs at least one plan folder; give --plans DIR [DIR ...]")
    out = []
    for given in folders:
        path = Path(given)
        if not path.is_dir():
            raise OptionError(f"{path}: no such plan folder; give a folder a plan was written to")
        plan = read_plan(path, community)
        meals, campaign, shifts = plan_parts(plan)
        out.append(_Folder(path, _written(path), meals, campaign, shifts))
    return out


def _latest(candidates: Iterable[tuple[_Folder, Any]]) -> tuple[_Folder, Any] | None:
    # The latest written wins; equal times go to the folder named later (a stable rule).
    ordered = sorted(candidates, key=lambda fc: (fc[0].written, str(fc[0].path)))
    return ordered[-1] if ordered else None


def report(
    community: Community, plan_folders: Sequence[str | Path], month: str | dt.date
) -> MonthlyReport:
    """The monthly service report of ``month`` from plan folders.

    Parameters
    ----------
    community
        The community the plans were made for (a folder of another community is a
        PlanFileError).
    plan_folders
        Plan folders written by :func:`carecal.io.write_plan` (any kind), maybe with the
        ``done`` column filled in. Plans of other months in them are ignored, with a note.
    month
        ``"YYYY-MM"`` (or a date in the month).

    Returns
    -------
    MonthlyReport
        Meals by day (``delivered``, ``not_home``, ``refused`` where ``done`` is filled,
        ``planned`` where not; a weekday with orders and no plan is ``missing``, its counts
        empty), meals by diet combination, residents served (and of them living alone and
        wheelchair users), health checks (done, missed, planned, escorted) by day, the home
        checks listed, volunteer hours per volunteer and per role from the shift plans
        (planned: shift plans have no ``done`` column), and the unserved by reason code.

    Raises
    ------
    OptionError
        For a month not written ``YYYY-MM``, no folder, or a folder that is not there.
    PlanFileError
        For a folder :func:`carecal.io.read_plan` cannot read, or of another community.
    """
    first, last = month_span(month)
    label = f"{first:%Y-%m}"
    folders = _read_folders(community, plan_folders)
    result = MonthlyReport(month=label, lang=community.policy.lang)
    inside = lambda d: d is not None and first <= d <= last  # noqa: E731

    for f in folders:
        dates = [m.date for m in f.meals]
        dates += list(f.campaign.dates) if f.campaign else []
        dates += _days(f.shifts.start, f.shifts.end) if f.shifts else []
        outside = sorted({d for d in dates if not inside(d)})
        if outside:
            result.notes.append(
                Message(
                    N_("{folder}: plans of {first}..{last} are not in {month}; ignored"),
                    folder=f.path,
                    first=outside[0],
                    last=outside[-1],
                    month=label,
                )
            )

    meal_of: dict[dt.date, tuple[_Folder, MealPlan]] = {}
    for day in sorted({m.date for f in folders for m in f.meals if inside(m.date)}):
        chosen = _latest((f, m) for f in folders for m in f.meals if m.date == day)
        assert chosen is not None
        meal_of[day] = chosen
    campaign_of: dict[dt.date, tuple[_Folder, CampaignPlan]] = {}
    for f in folders:
        if f.campaign is None:
            continue
        for day in {*f.campaign.dates, *(b.date for b in f.campaign.bookings)}:
            if inside(day) and (day not in campaign_of or _newer(f, campaign_of[day][0])):
                campaign_of[day] = (f, f.campaign)
    shifts_of: dict[dt.date, tuple[_Folder, ShiftPlan]] = {}
    for f in folders:
        if f.shifts is None:
            continue
        for day in _days(f.shifts.start, f.shifts.end):
            if inside(day) and (day not in shifts_of or _newer(f, shifts_of[day][0])):
                shifts_of[day] = (f, f.shifts)

    _meals(result, community, meal_of, first, last)
    _checks(result, community, campaign_of)
    _hours(result, community, shifts_of)
    _unserved(result, meal_of, campaign_of, shifts_of)
    covered = sorted(set(meal_of) | set(campaign_of) | set(shifts_of))
    status = {r["date"]: r["status"] for r in result.meals_by_day}
    for day in sorted(set(covered) | set(status)):
        result.days.append(
            {
                "date": day,
                "meals": status.get(day, ""),
                "meals_folder": str(meal_of[day][0].path) if day in meal_of else "",
                "checks_folder": str(campaign_of[day][0].path) if day in campaign_of else "",
                "shifts_folder": str(shifts_of[day][0].path) if day in shifts_of else "",
            }
        )
    if not covered:
        result.notes.append(Message(N_("no folder holds a plan of {month}"), month=label))
    return result


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _newer(a: _Folder, b: _Folder) -> bool:
    return (a.written, str(a.path)) > (b.written, str(b.path))


def _meals(
    result: MonthlyReport,
    community: Community,
    meal_of: dict[dt.date, tuple[_Folder, MealPlan]],
    first: dt.date,
    last: dt.date,
) -> None:
    from carecal.io.frames import diet_combination

    diets: dict[str, Counter[str]] = {}
    served: dict[str, str] = {}  # resident -> "done" (a delivery ticked) or PLANNED
    day = first
    while day <= last:
        if day not in meal_of:
            if day.weekday() < 5 and community.deliveries_on(day):
                result.meals_by_day.append(
                    {"date": day, "status": MISSING, "folder": "", **dict.fromkeys(_MEAL_COUNTS)}
                )
            day += dt.timedelta(days=1)
            continue
        folder, plan = meal_of[day]
        counts: Counter[str] = Counter()
        for trip in plan.trips:
            for stop in trip.stops:
                outcome = stop.done or PLANNED
                counts[outcome] += stop.portions
                counts["deliveries"] += 1
                counts["filled"] += stop.done is not None
                diets.setdefault(diet_combination(stop.diet), Counter())[outcome] += stop.portions
                if outcome == "delivered":
                    served[stop.resident_id] = "done"
                elif outcome == PLANNED:
                    served.setdefault(stop.resident_id, PLANNED)
        unserved = sum(1 for u in plan.unserved if u.kind == UnservedKind.MEAL)
        if not counts["deliveries"]:
            status = "no orders" if not unserved else PLANNED
        elif counts["filled"] == counts["deliveries"]:
            status = "done"
        else:
            status = "partly done" if counts["filled"] else PLANNED
        result.meals_by_day.append(
            {
                "date": day,
                "status": status,
                "folder": str(folder.path),
                "deliveries": counts["deliveries"],
                **{k: counts[k] for k in ("delivered", "not_home", "refused", PLANNED)},
                "unserved": unserved,
            }
        )
        day += dt.timedelta(days=1)
    for diet in sorted(diets, key=lambda d: (d != "regular", d)):
        c = diets[diet]
        result.meals_by_diet.append(
            {"diet": diet, **{k: c[k] for k in ("delivered", "not_home", "refused", PLANNED)}}
        )
    result.people += _people_rows("meals", served, community)


_MEAL_COUNTS = ("deliveries", "delivered", "not_home", "refused", PLANNED, "unserved")


def _checks(
    result: MonthlyReport,
    community: Community,
    campaign_of: dict[dt.date, tuple[_Folder, CampaignPlan]],
) -> None:
    checked: dict[str, str] = {}
    campaigns: dict[int, tuple[_Folder, CampaignPlan]] = {}
    for day in sorted(campaign_of):
        folder, campaign = campaign_of[day]
        campaigns[id(campaign)] = (folder, campaign)
        counts: Counter[str] = Counter()
        for b in campaign.bookings:
            if b.date != day:
                continue
            outcome = b.done or PLANNED
            counts["booked"] += 1
            counts[outcome] += 1
            if b.escort_ids:
                counts[f"escorted_{'done' if outcome == 'done' else outcome}"] += 1
            if outcome == "done":
                checked[b.resident_id] = "done"
            elif outcome == PLANNED:
                checked.setdefault(b.resident_id, PLANNED)
        result.checks.append(
            {
                "date": day,
                "folder": str(folder.path),
                "booked": counts["booked"],
                "done": counts["done"],
                "missed": counts["missed"],
                PLANNED: counts[PLANNED],
                "escorted_done": counts["escorted_done"],
                "escorted_planned": counts[f"escorted_{PLANNED}"],
            }
        )
    for folder, campaign in campaigns.values():
        for u in campaign.unserved:
            if u.kind == UnservedKind.HOME_CHECK:
                r = community.resident_by_id.get(u.id)
                result.home_checks.append(
                    {
                        "resident_id": u.id,
                        "name": r.name if r else "",
                        "address": r.address if r else "",
                        "reason": u.reason,
                        "folder": str(folder.path),
                    }
                )
    result.people += _people_rows("health_checks", checked, community)


def _people_rows(service: str, basis_of: dict[str, str], community: Community) -> list[dict]:
    """The residents served (done, then planned), with those living alone and those in a
    wheelchair, for one service."""
    residents = community.resident_by_id
    rows = []
    for basis in ("done", PLANNED):
        who = [residents[r] for r, b in basis_of.items() if b == basis and r in residents]
        rows.append(
            {
                "service": service,
                "basis": basis,
                "residents": len(who),
                "living_alone": sum(1 for r in who if r.lives_alone),
                "wheelchair_users": sum(1 for r in who if r.mobility == Mobility.WHEELCHAIR),
            }
        )
    return rows


def _hours(
    result: MonthlyReport,
    community: Community,
    shifts_of: dict[dt.date, tuple[_Folder, ShiftPlan]],
) -> None:
    minutes: Counter[tuple[str, str]] = Counter()
    for day, (_, plan) in shifts_of.items():
        for a in plan.assignments:
            if a.date == day:
                minutes[(a.volunteer_id, a.role)] += a.end - a.start
    by_role: Counter[str] = Counter()
    for (vid, role), m in sorted(minutes.items()):
        v = community.volunteer_by_id.get(vid)
        by_role[role] += m
        result.volunteer_hours.append(
            {"volunteer_id": vid, "name": v.name if v else "", "role": role, "hours": m / 60}
        )
    for role, m in sorted(by_role.items()):
        result.volunteer_hours.append(
            {"volunteer_id": "", "name": "", "role": role, "hours": m / 60}
        )


def _unserved(
    result: MonthlyReport,
    meal_of: dict[dt.date, tuple[_Folder, MealPlan]],
    campaign_of: dict[dt.date, tuple[_Folder, CampaignPlan]],
    shifts_of: dict[dt.date, tuple[_Folder, ShiftPlan]],
) -> None:
    counts: Counter[tuple[str, str]] = Counter()
    for _, plan in meal_of.values():
        counts.update((u.kind.value, u.code) for u in plan.unserved if u.kind == UnservedKind.MEAL)
    # A campaign's unserved have no date: each campaign taken for a day of the month counts
    # its own once.
    for campaign in {id(c): c for _, c in campaign_of.values()}.values():
        counts.update((u.kind.value, u.code) for u in campaign.unserved)
    for day, (_, shifts) in shifts_of.items():
        counts.update((u.kind.value, u.code) for u in shifts.unserved if u.date == day)
    result.unserved += [
        {"kind": kind, "code": code, "count": n} for (kind, code), n in sorted(counts.items())
    ]
