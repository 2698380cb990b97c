"""How fast plan_meals is on generated communities, and how much memory it takes.

Targets (issue 2): 200 deliveries with 30 carriers in at most 10 s of solver time with
every servable delivery served; 1,000 deliveries in at most 60 s; peak memory under 1 GB.

Each case runs in a fresh process so its peak memory (``ru_maxrss``) is its own. The
plan is checked with the verifier. ``time_limit`` is the whole ``plan_meals`` call
(building the problem, the search and re-timing fit in it); it is set a little under the
target all the same, as headroom on a busy machine. ``seconds`` is all of ``plan_meals``.
Run from the repository root::

    PYTHONPATH=. python benchmarks/meals_speed.py            # the two target cases
    PYTHONPATH=. python benchmarks/meals_speed.py --quick    # a small case, a smoke test
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import platform
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from importlib import metadata

DATE = dt.date(2026, 11, 30)
"""A Monday."""


@dataclass(frozen=True)
class Case:
    """One benchmark case: about ``deliveries`` orders that day and ``carriers`` carriers."""

    deliveries: int
    carriers: int
    time_limit: float
    seed: int = 1


@dataclass(frozen=True)
class Row:
    """What one case measured."""

    deliveries: int
    carriers: int
    served: int
    unserved: int
    unservable: int
    busy: int
    trips: int
    seconds: float
    limit: float
    peak_mb: float
    violations: int
    status: str


def run_case(case: Case) -> Row:
    """Generate the community, plan the Monday, verify; in the current process."""
    from carecal.datasets import make_community
    from carecal.solver.meals import day_carriers, plan_meals
    from carecal.verify import verify_meals

    # Most standing orders include Monday (about 85 %); generate a few more to get there.
    orders = round(case.deliveries / 0.85)
    volunteers = round(case.carriers / 0.6)
    community = make_community(
        residents=orders * 2,
        volunteers=volunteers,
        meal_orders=orders,
        carriers=volunteers,
        seed=case.seed,
    )
    deliveries = community.deliveries_on(DATE)[: case.deliveries]
    keep = {r.resident_id for r in deliveries}
    # Residents beyond the wanted count keep no order on Mondays.
    community = community.with_changes(
        residents=tuple(
            r
            if r.resident_id in keep or "Mon" not in r.meal_days
            else r.model_copy(update={"meal_days": r.meal_days - {"Mon"}})
            for r in community.residents
        )
    )
    fleet = [c.volunteer_id for c in day_carriers(community, DATE)][: case.carriers]
    began = time.perf_counter()
    plan = plan_meals(community, DATE, carriers=fleet, time_limit=case.time_limit)
    seconds = time.perf_counter() - began
    violations = verify_meals(community, plan)
    busy = sum(1 for u in plan.unserved if "full or busy" in u.reason)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return Row(
        deliveries=len(deliveries),
        carriers=len(fleet),
        served=len(plan.served),
        unserved=len(plan.unserved),
        unservable=len(plan.unserved) - busy,
        busy=busy,
        trips=len(plan.trips),
        seconds=round(seconds, 1),
        limit=case.time_limit,
        peak_mb=round(peak_kb / 1024, 0),
        violations=len(violations),
        status=plan.status.value,
    )


def run_isolated(case: Case) -> Row:
    """Run one case in a fresh process (its own peak memory)."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(run_case, case).result()


def machine() -> str:
    """The machine and the versions measured on."""

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "?"

    return (
        f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"ortools {version('ortools')}, numpy {version('numpy')}, "
        f"pydantic {version('pydantic')}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the cases and print a table; exit status 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one small case only")
    args = parser.parse_args(argv)
    cases = [Case(40, 8, 3.0)] if args.quick else [Case(200, 30, 9.0), Case(1000, 150, 50.0)]
    print(machine())
    header = list(Row.__dataclass_fields__)
    print(" | ".join(header))
    ok = True
    for case in cases:
        row = run_isolated(case)
        print(" | ".join(str(v) for v in asdict(row).values()), flush=True)
        target = 10.0 if case.deliveries <= 200 else 60.0
        ok &= row.violations == 0 and row.busy == 0 and row.peak_mb < 1024
        ok &= row.seconds <= target
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
