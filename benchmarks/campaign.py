"""Benchmark the health-check campaign planner on a large generated community.

The issue's figures: 1,500 residents, about 600 of them due, about 80 escorted, 5 campaign
days and 25 trained escorts; a plan within 60 s on 2 cores that books everyone the clinic
and the escorts can serve. The community comes from :func:`carecal.datasets.make_community`
(the clinic opens 08:00–11:00 for checks, 15-minute slots, 20-minute checks). The plan is
re-checked by :func:`carecal.verify.verify_campaign`. Prints the instance, booked against
due, how the booking stage ended (its bound is the most booking value any plan can reach),
the total CP-SAT gap, seconds, the machine and the versions, and appends a row to
``benchmarks/results/campaign.csv``.

Usage::

    PYTHONPATH=. python -m benchmarks.campaign                 # the issue's instance, 60 s
    PYTHONPATH=. python -m benchmarks.campaign --seeds 0 1 2 --time-limit 30
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from carecal.datasets import make_community
from carecal.model import Community, Mobility
from carecal.plans import CampaignPlan
from carecal.progress import ProgressEvent
from carecal.solver.campaign import plan_health_checks
from carecal.verify import verify_campaign

RESULTS = Path(__file__).parent / "results" / "campaign.csv"


def instance(args: argparse.Namespace, seed: int) -> Community:
    """The generated community of the benchmark."""
    return make_community(
        residents=args.residents,
        volunteers=args.volunteers,
        escorts=args.escorts,
        seed=seed,
        due_share=args.due_share,
        campaign_days=args.days,
        places_per_slot=args.places,
        wheelchairs=args.wheelchairs,
    )


def describe(community: Community) -> dict[str, int]:
    """Counts that say what the instance is."""
    first = min(c.date for c in community.campaign)
    due = [r for r in community.residents if community.is_due(r, first)]
    clinic = [r for r in due if r.mobility != Mobility.BEDRIDDEN]
    escorted = [r for r in clinic if community.needs_escort(r, first)]
    return {
        "residents": len(community.residents),
        "due": len(due),
        "home_checks": len(due) - len(clinic),
        "clinic_due": len(clinic),
        "escorted": len(escorted),
        "pool_chair": sum(1 for r in escorted if not r.has_own_wheelchair),
        "escorts": sum(1 for v in community.volunteers if v.has("escort")),
    }


def run(args: argparse.Namespace, seed: int) -> dict[str, Any]:
    """Plan one seed and return its row."""
    community = instance(args, seed)
    facts = describe(community)
    stages: list[str] = []

    def progress(event: ProgressEvent) -> None:
        # The booking stage ends with one event that says how it ended (value and bound).
        if event.stage == "booking" and event.message.startswith("booking: value"):
            stages.append(event.message)

    start = time.perf_counter()
    plan: CampaignPlan = plan_health_checks(
        community, time_limit=args.time_limit, workers=args.workers, progress=progress
    )
    seconds = time.perf_counter() - start
    violations = verify_campaign(community, plan)
    gap = plan.gap or 0.0
    escorted = sum(1 for b in plan.bookings if b.escort_ids)
    return {
        "seed": seed,
        **facts,
        "booked": len(plan.bookings),
        "escorted_booked": escorted,
        "unserved_health_check": sum(1 for u in plan.unserved if u.kind == "health_check"),
        "status": plan.status.value,
        "booking_stage": stages[-1] if stages else "",
        "gap": round(gap, 4),
        "seconds": round(seconds, 1),
        "violations": len(violations),
    }


def machine() -> str:
    """The machine and the versions, one line."""
    versions = []
    for package in ("ortools", "pydantic", "numpy"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} ?")
    return (
        f"{platform.platform()}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores; Python {sys.version.split()[0]}, {', '.join(versions)}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; the exit status is 1 when a plan breaks a rule."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--residents", type=int, default=1500)
    parser.add_argument("--volunteers", type=int, default=70)
    parser.add_argument("--escorts", type=int, default=25)
    parser.add_argument("--due-share", type=float, default=0.32)
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--places", type=int, default=10, help="places per 15-minute slot")
    parser.add_argument("--wheelchairs", type=int, default=8, help="the centre's pool")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-save", action="store_true", help="do not append to the CSV")
    args = parser.parse_args(argv)

    print(machine())
    rows = []
    for seed in args.seeds:
        row = run(args, seed)
        rows.append(row)
        print(
            f"seed {row['seed']}: {row['residents']} residents, {row['due']} due "
            f"({row['home_checks']} home checks, {row['escorted']} escorted, "
            f"{row['pool_chair']} of them in pool chairs), {row['escorts']} escorts, "
            f"{args.days} days"
        )
        print(
            f"  booked {row['booked']} of {row['clinic_due']} due at the clinic "
            f"({row['escorted_booked']} of {row['escorted']} escorted); {row['status']}, "
            f"total gap {float(row['gap']):.2%}, {row['seconds']} s, "
            f"{row['violations']} rule violations"
        )
        print(f"  {row['booking_stage']}")
    if not args.no_save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        new = not RESULTS.exists()
        with RESULTS.open("a", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=[*rows[0].keys(), "time_limit", "machine"])
            if new:
                writer.writeheader()
            for row in rows:
                writer.writerow({**row, "time_limit": args.time_limit, "machine": machine()})
    return 1 if any(row["violations"] for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
