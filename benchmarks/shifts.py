"""Benchmark the shift planner on the Curtois & Qu instances.

Each instance is mapped onto carecal's public model (:func:`to_community`), planned with
:func:`carecal.solver.shifts.plan_shifts`, and the plan is priced by the benchmark's own
rules in :mod:`benchmarks.curtois` (independent of the solver). Prints one row per
instance (our objective, the proven bound, the best known, the gap, seconds), the machine
and versions, and writes ``benchmarks/results/shifts.csv``.

Usage::

    PYTHONPATH=. python -m benchmarks.shifts                       # all 24, 60 s each
    PYTHONPATH=. python -m benchmarks.shifts --instances 1-7 --time-limit 10
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

from benchmarks.curtois import MONDAY, SHIFT_START, Instance, evaluate, read_instance
from carecal.model import Availability, Community, Request, Role, ShiftTemplate, Skill, Volunteer
from carecal.plans import ShiftPlan
from carecal.policy import Policy
from carecal.solver.shifts import plan_shifts

# The instances live in ../shared/benchmarks beside the project (never copied into it).
_SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
DATA = Path(os.environ.get("CARECAL_BENCH", _SHARED)) / "shift"
RESULTS = Path(__file__).parent / "results" / "shifts.csv"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def to_community(inst: Instance) -> Community:
    """Map an instance onto carecal's model through the public API.

    Staff become volunteers with the ``centre`` skill and their limits as period pledges;
    every shift type becomes a dated ``centre`` shift from 06:00 lasting its length on every
    day (so two on one day overlap: one shift a day); cover becomes each shift's minimum
    and wanted maximum with its under and over weights; days off become dated availability
    exceptions; requests become requests with their weights; shift types that may not
    follow become the policy's forbidden successions. The policy's own soft rules
    (fairness, stability, weekends) are switched off and a request costs its weight.
    """
    horizon = inst.days
    volunteers = [
        Volunteer(
            volunteer_id=st.staff_id,
            skills=frozenset({Skill.CENTRE}),
            max_shifts_per_week=7,
            min_minutes_per_period=st.min_minutes,
            max_minutes_per_period=st.max_minutes,
            max_consecutive_days=max(1, st.max_consecutive),
            min_consecutive_days=max(1, st.min_consecutive),
            min_days_off_in_a_row=max(1, st.min_days_off),
            max_weekends=st.max_weekends,
            max_shifts_by_id={k: v for k, v in st.max_shifts.items() if v < horizon},
        )
        for st in inst.staff
    ]
    availability = [
        Availability(volunteer_id=st.staff_id, day=day, start=0, end=24 * 60)
        for st in inst.staff
        for day in WEEKDAYS
    ]
    for sid, days in inst.days_off.items():
        for d in sorted(days):
            availability.append(
                Availability(
                    volunteer_id=sid,
                    date=MONDAY + dt.timedelta(days=d),
                    start=0,
                    end=24 * 60,
                    available=False,
                )
            )
    cover = {(c.day, c.shift_id): c for c in inst.cover}
    shifts = []
    for d in range(horizon):
        for sid, length in inst.lengths.items():
            c = cover.get((d, sid))
            shifts.append(
                ShiftTemplate(
                    shift_id=sid,
                    role=Role.CENTRE,
                    date=MONDAY + dt.timedelta(days=d),
                    start=SHIFT_START,
                    end=SHIFT_START + length,
                    min_volunteers=c.requirement if c else 0,
                    max_volunteers=c.requirement if c else None,
                    weight_under=c.weight_under if c else 0,
                    weight_over=c.weight_over if c else 0,
                )
            )
    requests = [
        Request(
            volunteer_id=sid,
            date=MONDAY + dt.timedelta(days=d),
            shift_id=shift,
            want=True,
            weight=w,
        )
        for sid, d, shift, w in inst.on_requests
    ] + [
        Request(
            volunteer_id=sid,
            date=MONDAY + dt.timedelta(days=d),
            shift_id=shift,
            want=False,
            weight=w,
        )
        for sid, d, shift, w in inst.off_requests
    ]
    policy = Policy(
        max_shifts_per_week=7,
        max_consecutive_days=horizon,
        min_rest_hours=0,
        forbidden_successions=tuple(
            (a, b) for a, follow in inst.forbidden_next.items() for b in sorted(follow)
        ),
        max_weekends=None,
        weight_request=1,
        weight_fairness=0,
        weight_stability=0,
    )
    return Community(
        volunteers=tuple(volunteers),
        availability=tuple(availability),
        shifts=tuple(shifts),
        requests=tuple(requests),
        policy=policy,
    )


def to_roster(plan: ShiftPlan) -> tuple[dict[tuple[str, int], str], list[str]]:
    """The plan as the benchmark's roster (staff, day) -> shift; a second shift on a day is
    reported as a broken rule."""
    roster: dict[tuple[str, int], str] = {}
    broken = []
    for a in plan.assignments:
        key = (a.volunteer_id, (a.date - MONDAY).days)
        if key in roster:
            broken.append(f"{a.volunteer_id} has two shifts on day {key[1]}")
        roster[key] = a.shift_id
    return roster, broken


def best_known() -> dict[str, tuple[int, bool]]:
    """Best-known objective and whether it is proven optimal, per instance name."""
    with open(DATA / "bks.csv", newline="") as f:
        return {
            row["instance"]: (int(row["best_known_objective"]), row["optimal_known"] == "yes")
            for row in csv.DictReader(f)
        }


def parse_range(text: str) -> list[int]:
    """``"1-7,9"`` -> ``[1, 2, 3, 4, 5, 6, 7, 9]``."""
    out: list[int] = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            out += range(int(a), int(b) + 1)
        elif part:
            out.append(int(part))
    return out


def run(numbers: list[int], time_limit: float, workers: int | None, out: Path) -> list[dict]:
    """Solve and evaluate the instances; print a table and write the CSV."""
    bks = best_known()
    rows = []
    print(
        f"machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} cores, "
        f"python {platform.python_version()}, ortools {metadata.version('ortools')}, "
        f"time limit {time_limit:g} s, workers {workers or 'default'}"
    )
    header = f"{'instance':<11}{'ours':>9}{'bound':>9}{'best':>9}{'gap %':>8}{'seconds':>9}  valid"
    print(header)
    for n in numbers:
        name = f"Instance{n}"
        inst = read_instance(DATA / f"{name}.txt")
        t0 = time.monotonic()
        community = to_community(inst)
        plan = plan_shifts(
            community,
            MONDAY,
            MONDAY + dt.timedelta(days=inst.days - 1),
            time_limit=time_limit,
            workers=workers,
        )
        seconds = time.monotonic() - t0
        roster, broken = to_roster(plan)
        penalty, more = evaluate(inst, roster)
        broken += more
        carecal_value = plan.objective
        best, optimal = bks.get(name, (None, False))
        has_plan = plan.status.has_plan and not broken
        gap = 100.0 * (penalty - best) / best if best and has_plan else None
        row = {
            "instance": name,
            "days": inst.days,
            "staff": len(inst.staff),
            "objective": penalty if has_plan else "",
            "carecal_objective": carecal_value,
            "bound": "" if plan.bound is None else round(plan.bound, 1),
            "best_known": best,
            "best_known_optimal": optimal,
            "gap_percent": "" if gap is None else round(gap, 2),
            "status": plan.status.value,
            "seconds": round(seconds, 1),
            "broken_rules": len(broken),
        }
        rows.append(row)
        print(
            f"{name:<11}{row['objective']!s:>9}{row['bound']!s:>9}{best!s:>9}"
            f"{'' if gap is None else f'{gap:.2f}':>8}{seconds:>9.1f}  "
            f"{'yes' if not broken else 'NO: ' + '; '.join(broken[:3])}",
            flush=True,
        )
        if penalty != carecal_value and has_plan:
            print(f"  note: carecal's own objective {carecal_value} differs", flush=True)
        _write(rows, out)
    print(f"wrote {out}")
    return rows


def _write(rows: list[dict], out: Path) -> None:
    """Write the rows so far (after every instance, so a stopped run keeps its results)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", default="1-24", help="e.g. 1-7 or 1,3,20-24")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    run(parse_range(args.instances), args.time_limit, args.workers, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
