"""Re-planning after one change against planning again from scratch (issue 17).

On generated communities (:func:`carecal.make_community`, a fixed seed per size; 500 and
1,500 residents by default) a plan is made, one thing changes, and the changed community
is planned twice in the same run: re-planned from the plan (``carecal.replan_*``) and
planned from scratch (``carecal.plan_*``). The changes, one at a time:

``meals: carrier off at 09:10``
    The carrier with the most deliveries on Monday 2027-03-01 is off from 09:10 that day
    (``volunteer_off``); ``replan_meals(..., now="09:10")``. Touched: that carrier's
    elders on trips not yet gone at 09:10.
``meals: resident away a week``
    A resident served on Monday (one with a health-check booking that week where there is
    one) is away Monday to Sunday (``resident_away``); ``replan_meals`` of Monday.
    Touched: that one elder.
``campaign: resident away a week``
    The same change, ``replan_health_checks``, when that resident had a booking.
    Touched: that one booking.
``campaign: escort off a day``
    The escort with the most jobs on a campaign day is off that day;
    ``replan_health_checks``. Touched: their bookings that day.
``shifts: meal volunteer off a week``
    The volunteer with the most meal-shift places in the shift plan of the week (made by
    ``plan_week``, so the ``auto`` shifts have their places) is off all week;
    ``replan_shifts``; from scratch: ``plan_shifts`` with the same places. Touched: their
    places, each counted twice (the place they leave and whoever fills it).

For each: served (meals on routes, bookings, shift places filled), people moved against
the plan before the change (:func:`carecal.replan.calls.plan_moves`: elders with another
carrier, an arrival moved by more than 15 minutes or no meal now; bookings moved or
dropped; shift places added or removed), travel minutes (meals), seconds, and whether
``carecal.verify`` passes with the changed community — for the re-plan and for the plan
from scratch. The targets, as a yes/no column: the re-plan serves as many as the plan from
scratch (or more, when that one ran out of time), and moves at most those the change
touches plus 10 % of the rest (the rest: the plan's other elders, bookings or places).

Prints a Markdown table and appends the rows to ``benchmarks/results/replan.csv`` with the
machine, the versions and the date. Needs the re-planners (``carecal.replan_meals``,
``replan_health_checks``, ``replan_shifts``); without them it stops with a message. Run
from the repository root::

    python benchmarks/replan.py                            # 500 and 1,500 residents
    python benchmarks/replan.py --sizes 200 --time-limit 5 --no-save   # a quick look
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import os
import platform
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from carecal.model import Community
    from carecal.plans import CampaignPlan, MealPlan, Plan, ShiftPlan

DAY = dt.date(2027, 3, 1)
"""A Monday, the first day of make_community's campaign: the meal date and the week's start."""
WEEK_END = DAY + dt.timedelta(days=6)
NOW = "09:10"
RESULTS = Path(__file__).parent / "results" / "replan.csv"
REPLANNERS = ("replan_meals", "replan_health_checks", "replan_shifts")

COLUMNS = (
    "residents",
    "change",
    "what",
    "touched",
    "rest",
    "served_replan",
    "served_scratch",
    "moved_replan",
    "moved_scratch",
    "travel_replan",
    "travel_scratch",
    "seconds_replan",
    "seconds_scratch",
    "verify_replan",
    "verify_scratch",
    "served_target",
    "moved_target",
    "targets_met",
)


def replanners() -> dict[str, Callable[..., Any]]:
    """``carecal.replan_meals`` and its siblings; exits with a message when missing."""
    import carecal

    missing = [name for name in REPLANNERS if not hasattr(carecal, name)]
    if missing:
        raise SystemExit(
            f"benchmarks/replan.py: this carecal ({carecal.__file__}) has no "
            f"{', '.join('carecal.' + m for m in missing)}: the re-planners of issue 17 are "
            "not in it yet. Run the benchmark on a tree where they are merged."
        )
    return {name: getattr(carecal, name) for name in REPLANNERS}


@dataclass(frozen=True)
class Case:
    """One change to measure: the plan before it, the changed community, and how to plan
    it both ways."""

    change: str
    what: str
    previous: MealPlan | CampaignPlan | ShiftPlan
    changed: Community
    replan: Callable[[], MealPlan | CampaignPlan | ShiftPlan]
    scratch: Callable[[], MealPlan | CampaignPlan | ShiftPlan]
    touched: int
    base: int
    """The plan's elders served, bookings or places before the change."""


def community_of(residents: int, seed: int) -> Community:
    """The generated community of one size: about one volunteer per ten residents."""
    from carecal.datasets import make_community

    return make_community(residents=residents, volunteers=max(40, residents // 10), seed=seed)


def served(plan: Plan) -> int:
    """Meals on routes, bookings, or shift places filled."""
    from carecal.plans import CampaignPlan, MealPlan, ShiftPlan

    if isinstance(plan, MealPlan):
        return len(plan.served)
    if isinstance(plan, CampaignPlan):
        return len(plan.bookings)
    if isinstance(plan, ShiftPlan):
        return len(plan.assignments)
    raise TypeError(f"no count of served for a {type(plan).__name__}")


def off(community: Community, volunteer_id: str, start: str, end: str) -> Community:
    """The community with a ``volunteer_off`` change."""
    return community.with_change(kind="volunteer_off", id=volunteer_id, start=start, end=end)


def meal_cases(
    community: Community, meals: MealPlan, campaign: CampaignPlan, options: dict[str, Any]
) -> list[Case]:
    """The carrier off at 09:10 and the resident away a week, on Monday's meals."""
    import carecal
    from carecal.clock import parse_time

    replan = replanners()
    cases = []
    stops = Counter(t.volunteer_id for t in meals.trips for _ in t.stops)
    if stops:
        carrier = stops.most_common(1)[0][0]
        changed = off(community, carrier, f"{DAY} {NOW}", str(DAY))
        # Trips gone before now are frozen: their elders are not the change's to move.
        touched = sum(
            len(t.stops)
            for t in meals.trips
            if t.volunteer_id == carrier and t.leave >= parse_time(NOW)
        )
        cases.append(
            Case(
                "meals: carrier off at 09:10",
                f"{carrier} ({stops[carrier]} deliveries) off from {NOW}",
                meals,
                changed,
                lambda: replan["replan_meals"](changed, meals, now=NOW, **options),
                lambda: carecal.plan_meals(changed, DAY, **options),
                touched,
                len(meals.served),
            )
        )
    resident = away_resident(meals, campaign)
    if resident is not None:
        away = community.with_absence(resident, DAY, WEEK_END)
        cases.append(
            Case(
                "meals: resident away a week",
                f"{resident} away {DAY}..{WEEK_END}",
                meals,
                away,
                lambda: replan["replan_meals"](away, meals, **options),
                lambda: carecal.plan_meals(away, DAY, **options),
                1,
                len(meals.served),
            )
        )
    return cases


def away_resident(meals: MealPlan, campaign: CampaignPlan) -> str | None:
    """A resident served on Monday, one with a booking in the week where there is one."""
    booked = {b.resident_id for b in campaign.bookings if DAY <= b.date <= WEEK_END}
    candidates = [r for r in meals.served if r in booked] or meals.served
    return candidates[0] if candidates else None


def campaign_cases(
    community: Community, meals: MealPlan, campaign: CampaignPlan, options: dict[str, Any]
) -> list[Case]:
    """The resident away a week (if booked) and the busiest escort of a day off that day."""
    import carecal

    replan = replanners()
    cases = []
    resident = away_resident(meals, campaign)
    if resident is not None and any(b.resident_id == resident for b in campaign.bookings):
        away = community.with_absence(resident, DAY, WEEK_END)
        cases.append(
            Case(
                "campaign: resident away a week",
                f"{resident} away {DAY}..{WEEK_END}",
                campaign,
                away,
                lambda: replan["replan_health_checks"](away, campaign, **options),
                lambda: carecal.plan_health_checks(away, **options),
                1,
                len(campaign.bookings),
            )
        )
    jobs = Counter((b.date, e) for b in campaign.bookings for e in b.escort_ids)
    if jobs:
        (date, escort), count = jobs.most_common(1)[0]
        changed = off(community, escort, str(date), str(date))
        cases.append(
            Case(
                "campaign: escort off a day",
                f"{escort} ({count} jobs) off on {date}",
                campaign,
                changed,
                lambda: replan["replan_health_checks"](changed, campaign, **options),
                lambda: carecal.plan_health_checks(changed, **options),
                count,
                len(campaign.bookings),
            )
        )
    return cases


def shift_cases(community: Community, shifts: ShiftPlan, options: dict[str, Any]) -> list[Case]:
    """The meal volunteer with the most places off for the whole week."""
    import carecal

    replan = replanners()
    places = Counter(a.volunteer_id for a in shifts.assignments if a.role == "meals")
    if not places:
        return []
    volunteer, count = places.most_common(1)[0]
    changed = off(community, volunteer, str(shifts.start), str(shifts.end))
    demand = dict(shifts.demand)
    return [
        Case(
            "shifts: meal volunteer off a week",
            f"{volunteer} ({count} meal shifts) off {shifts.start}..{shifts.end}",
            shifts,
            changed,
            lambda: replan["replan_shifts"](changed, shifts, **options),
            lambda: carecal.plan_shifts(
                changed, shifts.start, shifts.end, demand=demand, **options
            ),
            # Each place they leave is one change, and whoever fills it another.
            2 * sum(1 for a in shifts.assignments if a.volunteer_id == volunteer),
            len(shifts.assignments),
        )
    ]


def measure(case: Case, residents: int) -> dict[str, Any]:
    """Plan the case both ways and return its row."""
    import carecal
    from carecal.plans import MealPlan
    from carecal.replan.calls import plan_moves

    row: dict[str, Any] = {"residents": residents, "change": case.change, "what": case.what}
    for way, make in (("replan", case.replan), ("scratch", case.scratch)):
        began = time.perf_counter()
        plan = make()
        row[f"seconds_{way}"] = round(time.perf_counter() - began, 1)
        row[f"served_{way}"] = served(plan)
        row[f"moved_{way}"] = plan_moves(case.previous, plan, case.changed).moved
        row[f"travel_{way}"] = plan.total_travel_minutes() if isinstance(plan, MealPlan) else ""
        broken = carecal.verify(case.changed, plan)
        row[f"verify_{way}"] = "pass" if not broken else f"fail ({len(broken)})"
    rest = max(case.base - case.touched, 0)
    row["touched"], row["rest"] = case.touched, rest
    # A plan from scratch that ran out of time may serve fewer; the re-plan may not.
    served_ok = row["served_replan"] >= row["served_scratch"]
    moved_ok = row["moved_replan"] <= case.touched + math.floor(0.1 * rest)
    row["served_target"] = "yes" if served_ok else "no"
    row["moved_target"] = "yes" if moved_ok else "no"
    met = served_ok and moved_ok and row["verify_replan"] == "pass"
    row["targets_met"] = "yes" if met else "no"
    return row


def versions() -> str:
    """Python and the versions of the packages that plan."""
    found = [f"Python {sys.version.split()[0]}"]
    for package in ("carecal", "ortools", "pyvrp", "pydantic"):
        try:
            found.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            found.append(f"{package} ?")
    return ", ".join(found)


def machine() -> str:
    """The machine, one line."""
    return (
        f"{platform.platform()}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores"
    )


def markdown(rows: list[dict[str, Any]]) -> str:
    """The rows as a Markdown table, each measure as re-plan / from scratch."""
    head = (
        "| residents | change | touched | rest | served | moved | travel min | seconds "
        "| verify | targets met |"
    )
    lines = [head, "|" + "---|" * 10]

    def pair(row: dict[str, Any], name: str) -> str:
        return f"{row[f'{name}_replan']} / {row[f'{name}_scratch']}"

    for r in rows:
        travel = pair(r, "travel") if r["travel_replan"] != "" else ""
        lines.append(
            f"| {r['residents']} | {r['change']} ({r['what']}) | {r['touched']} | {r['rest']} "
            f"| {pair(r, 'served')} | {pair(r, 'moved')} | {travel} | {pair(r, 'seconds')} "
            f"| {pair(r, 'verify')} | {r['targets_met']} |"
        )
    return "\n".join(lines)


def save(rows: list[dict[str, Any]], path: Path, time_limit: float) -> None:
    """Append the rows to the CSV file, with the header when it is new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    extra = {
        "time_limit": time_limit,
        "machine": machine(),
        "versions": versions(),
        "date": dt.date.today().isoformat(),
    }
    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*COLUMNS, *extra])
        if new:
            writer.writeheader()
        for row in rows:
            writer.writerow({**row, **extra})


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 1 when a re-plan breaks a rule or misses a target."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 1500], help="residents")
    parser.add_argument("--seed", type=int, default=1, help="of make_community")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=20.0,
        help="seconds for each planning call (the plans before, the re-plans, from scratch)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--csv", type=Path, default=RESULTS)
    parser.add_argument("--no-save", action="store_true", help="do not append to the CSV")
    args = parser.parse_args(argv)

    replanners()  # before an hour of planning, not after
    import carecal

    options: dict[str, Any] = {"time_limit": args.time_limit, "workers": args.workers}
    print(f"{machine()}; {versions()}; {dt.date.today()}", file=sys.stderr)
    rows = []
    for residents in args.sizes:
        community = community_of(residents, args.seed)
        print(f"{residents} residents: the plans before the changes", file=sys.stderr)
        meals = carecal.plan_meals(community, DAY, **options)
        campaign = carecal.plan_health_checks(community, **options)
        week = carecal.plan_week(community, DAY, WEEK_END, **options)
        cases = [
            *meal_cases(community, meals, campaign, options),
            *campaign_cases(community, meals, campaign, options),
            *(shift_cases(community, week.shifts, options) if week.shifts else []),
        ]
        for case in cases:
            print(f"{residents} residents: {case.change}: {case.what}", file=sys.stderr)
            rows.append(measure(case, residents))
    print(markdown(rows))
    if not args.no_save and rows:
        save(rows, args.csv, args.time_limit)
        print(f"appended {len(rows)} rows to {args.csv}", file=sys.stderr)
    return 0 if all(r["targets_met"] == "yes" for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
