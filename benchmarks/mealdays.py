"""Meal days: carecal at 10 s and 60 s beside plain OR-Tools and the best-known plans.

Runs every instance of the meal-day set (:mod:`benchmarks.mealday_set`: about 60, 120,
220, 500 and 1,000 deliveries, ordinary and tight) with these columns, one run at a time,
each in a fresh process:

- ``carecal``: :func:`carecal.plan_meals` as a coordinator calls it (default engine and
  workers, ``deterministic=False``);
- ``carecal-det``: the same with ``deterministic=True``;
- ``plain-ortools``: the textbook OR-Tools model, one trip per carrier, the library's
  defaults (:func:`benchmarks.mealday_solvers.plain_plan`), the same time limit.

Per instance it prints served, carriers, trips, travel minutes, median and worst food age,
and the gap to the best-known plan (travel %, carriers +N, served -N), whether the issue's
target is met (carecal at 10 s on 2 cores: the best known's served and carriers up to 250
deliveries with travel within 2 %; at 500, travel within 5 % and at most one carrier more;
at 1,000 the same at 60 s), the wall and CPU seconds each run got, and the load average.
Rows are appended to a CSV in ``benchmarks/results/`` with the machine and versions. Every
plan is checked with :func:`carecal.verify`; a valid plan better than the best known
replaces it (``--no-keep`` to leave the best-known files alone).

``--best-known`` runs the long searches that make the best-known plans: for each instance
(smallest first), each strategy and seed, a run of ``--seconds`` (at least 600 for a plan
to be called best known), whose plan is kept if it is valid and better. Strategies:
``carecal`` (``plan_meals`` as it is), or an OR-Tools strategy for carecal's engine
(:data:`benchmarks.mealday_solvers.STRATEGIES`, or ``ortools:FIRST:META``). Each run's CPU
seconds are recorded beside its wall seconds: run under ``nice`` on a shared machine, a
run gets less CPU than its wall time.

Examples
--------
python benchmarks/mealdays.py                                    # everything, 10 s and 60 s
python benchmarks/mealdays.py --only 60-ordinary --limits 10     # one quick run
python benchmarks/mealdays.py --up-to 220 --limits 10
nice -n 19 python benchmarks/mealdays.py --best-known --up-to 220 --strategies carecal,lci-gls
python benchmarks/mealdays.py --table                            # the best-known plans
python benchmarks/mealdays.py --report benchmarks/results/mealdays.csv    # gaps to today's best
python benchmarks/mealdays.py --make-instances                   # write the set (once)
python benchmarks/mealdays.py --check-instances                  # does the generator drift?
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from benchmarks.mealday_set import (  # noqa: E402
    RECIPE_BY_NAME,
    BestKnown,
    Instance,
    PlanStats,
    Recipe,
    check_instance,
    folder_of,
    load_best,
    machine,
    measure,
    offer,
    plan_from_record,
    plan_record,
    read_instance,
    select,
    violations_of,
    write_instance,
)

COLUMNS = ("carecal", "carecal-det", "plain-ortools")
RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_CSV = RESULTS / "mealdays.csv"
BEST_KNOWN_SECONDS = 600.0


# --- one run, in a fresh process --------------------------------------------------------------


def solve(instance: Instance, column: str, time_limit: float, seed: int) -> Any:
    """Plan the instance's day with one column or strategy (in this process)."""
    from benchmarks.mealday_solvers import carecal_plan, plain_plan, strategy_plan

    community, date = instance.community, instance.date
    if column == "carecal":
        return carecal_plan(community, date, time_limit, seed=seed)
    if column == "carecal-det":
        return carecal_plan(community, date, time_limit, seed=seed, deterministic=True)
    if column == "plain-ortools":
        return plain_plan(community, date, time_limit)
    return strategy_plan(community, date, time_limit, column, seed=seed)


def cpu_seconds(who: int) -> float:
    """User plus system CPU seconds of this process (all its threads) or its children."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def worker(spec: dict[str, Any]) -> None:
    """The child's side of :func:`run`: read the instance, plan, write the plan as JSON."""
    instance = read_instance(RECIPE_BY_NAME[spec["instance"]])
    cpu, began = cpu_seconds(resource.RUSAGE_SELF), time.perf_counter()
    plan = solve(instance, spec["column"], spec["time_limit"], spec["seed"])
    wall = time.perf_counter() - began
    cpu = cpu_seconds(resource.RUSAGE_SELF) - cpu
    out = {
        "plan": plan_record(plan),
        "status": plan.status.value,
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    Path(spec["out"]).write_text(json.dumps(out), encoding="utf-8")


@dataclass(frozen=True)
class Outcome:
    """What one run in a child process gave."""

    plan: Any  # carecal.MealPlan
    status: str
    wall_seconds: float
    cpu_seconds: float
    process_cpu_seconds: float
    peak_mb: int
    load_before: float
    load_after: float
    note: str


def run(instance: Instance, column: str, time_limit: float, seed: int) -> Outcome:
    """Run one column on one instance in a fresh process and read its plan back.

    ``cpu_seconds`` is what the child's planning call got (its own ``getrusage``, every
    thread, not the helper process of carecal's second search); ``process_cpu_seconds``
    the whole child with its children (that helper included) and reading the instance.
    """
    with tempfile.TemporaryDirectory(prefix="mealdays-") as tmp:
        out = Path(tmp) / "result.json"
        spec = {
            "instance": instance.name,
            "column": column,
            "time_limit": time_limit,
            "seed": seed,
            "out": str(out),
        }
        load_before = os.getloadavg()[0]
        children = cpu_seconds(resource.RUSAGE_CHILDREN)
        # Generous: a child that takes thrice its limit plus two minutes is stuck.
        timeout = 3 * time_limit + 120
        note = ""
        try:
            done = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)],
                capture_output=True,
                text=True,
                timeout=timeout,
            )
            if done.returncode != 0:
                note = f"failed: {done.stderr.strip().splitlines()[-1:]}"
        except subprocess.TimeoutExpired:
            note = f"killed after {timeout:.0f} s"
        process_cpu = cpu_seconds(resource.RUSAGE_CHILDREN) - children
        load_after = os.getloadavg()[0]
        if note or not out.exists():
            return Outcome(
                plan=None,
                status="error",
                wall_seconds=0.0,
                cpu_seconds=0.0,
                process_cpu_seconds=round(process_cpu, 2),
                peak_mb=0,
                load_before=round(load_before, 2),
                load_after=round(load_after, 2),
                note=note or "no result",
            )
        result = json.loads(out.read_text(encoding="utf-8"))
    plan = plan_from_record(result["plan"], instance.community, instance.date)
    return Outcome(
        plan=plan,
        status=result["status"],
        wall_seconds=result["wall_seconds"],
        cpu_seconds=result["cpu_seconds"],
        process_cpu_seconds=round(process_cpu, 2),
        peak_mb=result["peak_mb"],
        load_before=round(load_before, 2),
        load_after=round(load_after, 2),
        note=note,
    )


def how_found(
    outcome: Outcome, strategy: str, seed: int, time_limit: float, info: dict[str, str]
) -> dict[str, Any]:
    """How a plan was found, as stored with a best-known plan."""
    return {
        "strategy": strategy,
        "seed": seed,
        "time_limit": time_limit,
        "deterministic": strategy == "carecal-det",
        "workers": "default",
        "wall_seconds": outcome.wall_seconds,
        "cpu_seconds": outcome.cpu_seconds,
        "process_cpu_seconds": outcome.process_cpu_seconds,
        "niceness": os.nice(0),
        "load_before": outcome.load_before,
        "load_after": outcome.load_after,
        "finished": dt.datetime.now().isoformat(timespec="seconds"),
        **info,
    }


# --- the comparison -------------------------------------------------------------------------


@dataclass
class Row:
    """One instance planned by one column at one time limit (a line of the CSV)."""

    instance: str
    deliveries: int
    variant: str
    column: str
    limit: float
    seed: int
    served: int | None
    unserved: int | None
    carriers: int | None
    trips: int | None
    travel: int | None
    objective: float | None
    food_median: float | None
    food_max: int | None
    bk_served: int | None
    bk_carriers: int | None
    bk_travel: int | None
    gap_travel_pct: float | None
    gap_carriers: int | None
    gap_served: int | None
    target: str
    wall_s: float
    cpu_s: float
    process_cpu_s: float
    peak_mb: int
    load_before: float
    load_after: float
    violations: int
    status: str
    note: str
    when: str


MACHINE_FIELDS = ("host", "nproc", "cpu", "python", "carecal", "ortools", "pyvrp", "numpy")
FIELDS = [f.name for f in fields(Row)] + list(MACHINE_FIELDS)


def target_verdict(recipe: Recipe, column: str, limit: float, row: Row) -> str:
    """Issue 19's target for this row: ``met``, ``missed (...)``, or ``""`` (none applies).

    The targets are for carecal's default call: at 10 s, the best known's served and
    carriers up to 250 deliveries with travel within 2 %; at 10 s on 500 deliveries, and
    at 60 s on 1,000, the same served, at most one carrier more and travel within 5 %.
    """
    if column != "carecal" or row.bk_served is None or row.served is None:
        return ""
    if recipe.deliveries <= 250 and abs(limit - 10) < 1e-9:
        extra_carriers, travel_pct = 0, 2.0
    elif (recipe.deliveries == 500 and abs(limit - 10) < 1e-9) or (
        recipe.deliveries == 1000 and abs(limit - 60) < 1e-9
    ):
        extra_carriers, travel_pct = 1, 5.0
    else:
        return ""
    misses = []
    if row.gap_served is not None and row.gap_served < 0:
        misses.append(f"served {row.gap_served}")
    if row.gap_carriers is not None and row.gap_carriers > extra_carriers:
        misses.append(f"carriers +{row.gap_carriers}")
    if row.gap_travel_pct is not None and row.gap_travel_pct > travel_pct:
        misses.append(f"travel +{row.gap_travel_pct:.1f} %")
    if row.violations:
        misses.append("invalid plan")
    return "met" if not misses else "missed (" + ", ".join(misses) + ")"


def compare_row(
    instance: Instance,
    column: str,
    limit: float,
    seed: int,
    best: BestKnown | None,
    outcome: Outcome,
    problems: list[str],
) -> Row:
    """The CSV row of one run: its plan's score and the gap to the best known."""
    stats: PlanStats | None = (
        measure(instance.community, instance.date, outcome.plan) if outcome.plan else None
    )
    bk = best.stats if best is not None and not best.violations else None
    row = Row(
        instance=instance.name,
        deliveries=instance.recipe.deliveries,
        variant=instance.recipe.variant,
        column=column,
        limit=limit,
        seed=seed,
        served=stats.served if stats else None,
        unserved=stats.unserved if stats else None,
        carriers=stats.carriers if stats else None,
        trips=stats.trips if stats else None,
        travel=stats.travel if stats else None,
        objective=stats.objective if stats else None,
        food_median=stats.food_median if stats else None,
        food_max=stats.food_max if stats else None,
        bk_served=bk.served if bk else None,
        bk_carriers=bk.carriers if bk else None,
        bk_travel=bk.travel if bk else None,
        gap_travel_pct=(
            round(100.0 * (stats.travel - bk.travel) / bk.travel, 2)
            if stats and bk and bk.travel
            else None
        ),
        gap_carriers=stats.carriers - bk.carriers if stats and bk else None,
        gap_served=stats.served - bk.served if stats and bk else None,
        target="",
        wall_s=outcome.wall_seconds,
        cpu_s=outcome.cpu_seconds,
        process_cpu_s=outcome.process_cpu_seconds,
        peak_mb=outcome.peak_mb,
        load_before=outcome.load_before,
        load_after=outcome.load_after,
        violations=len(problems),
        status=outcome.status,
        note=outcome.note or ("; ".join(problems[:2]) if problems else ""),
        when=dt.datetime.now().isoformat(timespec="seconds"),
    )
    row.target = target_verdict(instance.recipe, column, limit, row)
    return row


def compare(
    recipes: Sequence[Recipe],
    columns: Sequence[str],
    limits: Sequence[float],
    seed: int,
    csv_path: Path | None,
    keep: bool,
) -> list[Row]:
    """Run every column at every limit on every instance, one run at a time."""
    info = machine()
    rows: list[Row] = []
    for recipe in recipes:
        instance = read_instance(recipe)
        best = load_best(instance)
        if best is not None and best.violations:
            print(
                f"{instance.name}: the stored best-known plan fails verify now "
                f"({best.violations[0]}); no gaps for it",
                file=sys.stderr,
            )
        for limit in limits:
            for column in columns:
                outcome = run(instance, column, limit, seed)
                problems = violations_of(instance.community, outcome.plan) if outcome.plan else []
                row = compare_row(instance, column, limit, seed, best, outcome, problems)
                rows.append(row)
                print(_line(row), file=sys.stderr, flush=True)
                if csv_path is not None:
                    _append_csv(csv_path, row, info)
                if keep and outcome.plan is not None and not problems:
                    how = how_found(outcome, column, seed, limit, info)
                    better, _, _ = offer(instance, outcome.plan, how, log_run=False)
                    if better:
                        print(
                            f"{instance.name}: new best known from {column} at {limit:g} s",
                            file=sys.stderr,
                        )
    return rows


def _line(row: Row) -> str:
    gap = _gap(row)
    return (
        f"{row.instance:>14} {row.column:>13} {row.limit:>4g} s  served {row.served} "
        f"carriers {row.carriers} travel {row.travel}  {gap}  {row.target}  "
        f"wall {row.wall_s:.1f} s cpu {row.cpu_s:.1f} s load {row.load_before:.1f} {row.note}"
    )


def _gap(row: Row) -> str:
    if row.gap_travel_pct is None:
        return "-"
    return f"{row.gap_travel_pct:+.1f} %, {row.gap_carriers:+d}, {row.gap_served:+d}"


def _append_csv(path: Path, row: Row, info: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = not path.exists() or path.stat().st_size == 0
    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        if fresh:
            writer.writeheader()
        writer.writerow({**asdict(row), **{k: info[k] for k in MACHINE_FIELDS}})


def load_rows(paths: Iterable[Path]) -> list[Row]:
    """Rows from results CSVs, in file order."""
    kinds = {f.name: f.type for f in fields(Row)}
    rows = []
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            for rec in csv.DictReader(handle):
                values: dict[str, Any] = {}
                for name, kind in kinds.items():
                    text = rec.get(name, "")
                    if "int" in str(kind) and "None" in str(kind):
                        values[name] = int(text) if text else None
                    elif "float" in str(kind) and "None" in str(kind):
                        values[name] = float(text) if text else None
                    elif str(kind) == "int":
                        values[name] = int(text or 0)
                    elif str(kind) == "float":
                        values[name] = float(text or 0)
                    else:
                        values[name] = text
                rows.append(Row(**values))
    return rows


def regap(rows: Sequence[Row]) -> list[Row]:
    """The rows with their gaps and targets against today's best-known plans.

    A run's gap is written to the CSV against the best known *at that moment*; a long run
    made later (or a better plan from another column) moves the yardstick, so a report
    measures every row again against the stored best-known files. A row whose instance
    has no valid best-known plan keeps no gap.
    """
    best_of: dict[str, PlanStats | None] = {}
    out: list[Row] = []
    for row in rows:
        if row.instance not in best_of:
            recipe = RECIPE_BY_NAME.get(row.instance)
            best = load_best(read_instance(recipe)) if recipe is not None else None
            best_of[row.instance] = best.stats if best is not None and not best.violations else None
        bk = best_of[row.instance]
        new = replace(
            row,
            bk_served=bk.served if bk else None,
            bk_carriers=bk.carriers if bk else None,
            bk_travel=bk.travel if bk else None,
            gap_travel_pct=(
                round(100.0 * (row.travel - bk.travel) / bk.travel, 2)
                if bk and bk.travel and row.travel is not None
                else None
            ),
            gap_carriers=row.carriers - bk.carriers if bk and row.carriers is not None else None,
            gap_served=row.served - bk.served if bk and row.served is not None else None,
        )
        recipe = RECIPE_BY_NAME.get(row.instance)
        if recipe is not None:
            new = replace(new, target=target_verdict(recipe, row.column, row.limit, new))
        out.append(new)
    return out


def table(rows: Sequence[Row]) -> str:
    """The comparison as Markdown: per limit, a best-known line then each column's."""
    out = []
    head = (
        "| instance | column | served | carriers | trips | travel min | food median / max "
        "| gap: travel %, carriers, served | target | wall s | CPU s | load |"
    )
    # CPU s is the whole run's process with its children (the helper process of a second
    # search included), reading the instance too; wall s is the planning call alone.
    for limit in sorted({r.limit for r in rows}):
        out.append(f"\n**{limit:g} s**\n")
        out.append(head)
        out.append("|" + "---|" * 12)
        for name in dict.fromkeys(r.instance for r in rows if r.limit == limit):
            these = [r for r in rows if r.limit == limit and r.instance == name]
            first = these[0]
            if first.bk_served is not None:
                out.append(
                    f"| {name} | *best known* | {first.bk_served} | {first.bk_carriers} | | "
                    f"{first.bk_travel} | | | | | | |"
                )
            for r in these:
                food = f"{r.food_median:g} / {r.food_max}" if r.food_median is not None else "-"
                out.append(
                    f"| {name} | {r.column} | {_dash(r.served)} | {_dash(r.carriers)} | "
                    f"{_dash(r.trips)} | {_dash(r.travel)} | {food} | {_gap(r)} | "
                    f"{r.target or ''} | {r.wall_s:.1f} | {r.process_cpu_s:.1f} | "
                    f"{r.load_before:.1f} |" + (f" {r.note}" if r.note else "")
                )
    return "\n".join(out)


def _dash(value: object) -> str:
    return "-" if value is None else str(value)


# --- the best-known runs -------------------------------------------------------------------------


def best_known(
    recipes: Sequence[Recipe],
    strategies: Sequence[str],
    seeds: Sequence[int],
    seconds: float,
) -> None:
    """Long runs, one at a time, smallest instance first; each valid better plan is kept."""
    info = machine()
    for recipe in recipes:
        instance = read_instance(recipe)
        for strategy in strategies:
            for seed in seeds:
                print(
                    f"{dt.datetime.now():%H:%M:%S} {instance.name} {strategy} seed {seed}: "
                    f"{seconds:g} s ...",
                    flush=True,
                )
                outcome = run(instance, strategy, seconds, seed)
                if outcome.plan is None:
                    print(f"  {outcome.note}", flush=True)
                    continue
                how = how_found(outcome, strategy, seed, seconds, info)
                better, stats, problems = offer(instance, outcome.plan, how)
                print(
                    f"  served {stats.served}, carriers {stats.carriers}, travel {stats.travel}, "
                    f"objective {stats.objective:g}; wall {outcome.wall_seconds:.0f} s, "
                    f"CPU {outcome.cpu_seconds:.0f} s, load {outcome.load_before:.1f}"
                    f"-{outcome.load_after:.1f}; "
                    + ("new best known" if better else "not better")
                    + (f"; INVALID: {problems[0]}" if problems else ""),
                    flush=True,
                )


def best_table(recipes: Sequence[Recipe]) -> str:
    """The best-known plans as Markdown: scores and how each was found."""
    out = [
        "| instance | deliveries | carriers available | served | carriers | trips | travel min "
        "| food median / max | found by | wall s | CPU s | runs |",
        "|" + "---|" * 12,
    ]
    for recipe in recipes:
        instance = read_instance(recipe)
        best = load_best(instance)
        if best is None:
            out.append(
                f"| {recipe.name} | {recipe.deliveries} | {recipe.carriers} | "
                "| | | | | none yet | | | |"
            )
            continue
        s, f = best.stats, best.found
        flag = " (fails verify now)" if best.violations else ""
        out.append(
            f"| {recipe.name} | {recipe.deliveries} | {recipe.carriers} | {s.served} | "
            f"{s.carriers} | {s.trips} | {s.travel} | {s.food_median:g} / {s.food_max} | "
            f"{f['strategy']} seed {f['seed']}, {f['time_limit']:g} s{flag} | "
            f"{f['wall_seconds']:.0f} | {f['cpu_seconds']:.0f} | {len(best.runs)} |"
        )
    return "\n".join(out)


# --- the command line ----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="instances: names (60-ordinary), sizes (60), variants")
    parser.add_argument("--up-to", type=int, help="instances of at most this many deliveries")
    parser.add_argument("--limits", default="10,60", help="time limits in s (default 10,60)")
    parser.add_argument("--columns", default=",".join(COLUMNS), help=", ".join(COLUMNS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV, help="append rows here")
    parser.add_argument("--no-csv", action="store_true", help="write no CSV")
    parser.add_argument(
        "--no-keep", action="store_true", help="do not replace best-known plans by better ones"
    )
    parser.add_argument("--best-known", action="store_true", help="long runs for best known")
    parser.add_argument("--seconds", type=float, default=BEST_KNOWN_SECONDS)
    parser.add_argument("--strategies", default="carecal", help="for --best-known")
    parser.add_argument("--seeds", default="0", help="for --best-known, e.g. 0,1")
    parser.add_argument("--table", action="store_true", help="print the best-known plans")
    parser.add_argument("--report", type=Path, nargs="+", help="tables from CSVs only")
    parser.add_argument(
        "--as-run",
        action="store_true",
        help="with --report: the gaps as written at run time, not against today's best known",
    )
    parser.add_argument("--make-instances", action="store_true", help="generate and store")
    parser.add_argument("--force", action="store_true", help="overwrite stored instances")
    parser.add_argument("--check-instances", action="store_true", help="detect drift")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        worker(json.loads(args.worker))
        return 0
    if args.report:
        rows = load_rows(args.report)
        print(table(rows if args.as_run else regap(rows)))
        return 0
    try:
        recipes = select(args.only, args.up_to)
    except ValueError as exc:
        parser.error(str(exc))
    info = machine()
    print(
        "machine: {host}, {nproc} cores, {cpu}; python {python}, carecal {carecal}, "
        "ortools {ortools}, pyvrp {pyvrp}, numpy {numpy}".format(**info)
    )
    print(f"date: {dt.datetime.now():%Y-%m-%d %H:%M}, load average {os.getloadavg()[0]:.2f}")

    if args.make_instances:
        for recipe in recipes:
            if (folder_of(recipe.name) / "instance.json").exists() and not args.force:
                print(f"{recipe.name}: stored already (--force to regenerate)")
                continue
            instance = write_instance(recipe)
            print(f"{recipe.name}: written, {instance.fingerprint[:19]}")
        return 0
    if args.check_instances:
        drift = 0
        for recipe in recipes:
            problem = check_instance(recipe)
            drift += problem is not None
            print(f"{recipe.name}: {problem or 'the generator still makes it'}")
        return 1 if drift else 0
    if args.table:
        print(best_table(recipes))
        return 0
    if args.best_known:
        strategies = [s.strip() for s in args.strategies.split(",") if s.strip()]
        seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
        best_known(recipes, strategies, seeds, args.seconds)
        print(best_table(recipes))
        return 0

    limits = [float(x) for x in args.limits.split(",") if x.strip()]
    columns = [c.strip() for c in args.columns.split(",") if c.strip()]
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        parser.error(f"unknown column(s) {', '.join(unknown)}; choose from {', '.join(COLUMNS)}")
    rows = compare(
        recipes,
        columns,
        limits,
        args.seed,
        None if args.no_csv else args.csv,
        keep=not args.no_keep,
    )
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
