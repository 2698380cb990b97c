"""Routing quality on the literature: carecal's engines against plain OR-Tools and PyVRP.

Each Solomon or Gehring & Homberger instance is turned into the day problem that
``plan_meals`` hands its solver (:func:`benchmarks.vrptw.to_day_problem`) and solved, with the
same time limit, one column after the other (never two columns at once):

- ``carecal-ortools``, ``carecal-pyvrp``, ``carecal-auto``: carecal's entry point
  ``carecal.solver.meals.solve_day`` with that engine and every core (carecal's default:
  on two cores, a second search in a helper process, the better plan kept);
- ``carecal-ortools-1core``, ``carecal-pyvrp-1core``: the same with ``workers=1``;
- ``plain-ortools``: the textbook OR-Tools VRPTW model written here (parallel cheapest
  insertion, then guided local search), not through carecal;
- ``pyvrp``: PyVRP called directly on the instance, not through carecal.

Every solution is re-checked by the independent evaluator in :mod:`benchmarks.vrptw`; the
cost reported is the evaluator's (DIMACS convention), compared with the best known
distance-only value (``bks_dimacs.csv``).

Examples
--------
python benchmarks/routing.py --quick
python benchmarks/routing.py --family solomon --time-limit 10 --csv benchmarks/results/solomon.csv
python benchmarks/routing.py --family homberger200 --sample 12 --time-limit 30
python benchmarks/routing.py --report benchmarks/results/a.csv benchmarks/results/b.csv
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from benchmarks.vrptw import (  # noqa: E402
    BestKnown,
    VrptwInstance,
    dimacs_matrix,
    evaluate,
    family_of,
    read_bks,
    read_instance,
    to_day_problem,
)

DATA = Path(os.environ.get("CARECAL_BENCHMARKS", ROOT.parent / "shared" / "benchmarks"))
FAMILIES = {
    "solomon": ("solomon", lambda name: True),
    "homberger200": ("homberger", lambda name: "_2_" in name),
    "homberger1000": ("homberger", lambda name: "_10_" in name),
}
COLUMNS = (
    "carecal-ortools",
    "carecal-pyvrp",
    "carecal-auto",
    "carecal-ortools-1core",
    "carecal-pyvrp-1core",
    "plain-ortools",
    "pyvrp",
)
DEFAULT_COLUMNS = ("carecal-ortools", "carecal-pyvrp", "plain-ortools", "pyvrp")
QUICK_INSTANCES = ("C101", "C201", "R101", "R201", "RC101", "RC201")
SOLOMON_GROUPS = ("C1", "C2", "R1", "R2", "RC1", "RC2")

Routes = list[list[int]]


@dataclass
class Row:
    """One instance solved by one column (a line of the results CSV)."""

    family: str
    instance: str
    group: str
    customers: int
    column: str
    time_limit: float
    seed: int
    feasible: bool
    cost: int | None
    bks: int
    gap_pct: float | None
    routes: int
    seconds: float
    note: str


# -- the columns -----------------------------------------------------------------------


def solve_plain_ortools(inst: VrptwInstance, time_limit: float, seed: int) -> Routes:
    """The textbook OR-Tools VRPTW model, independent of carecal.

    Arc cost = travel time = ``floor(10 * euclid)``; a time dimension whose transit is
    service at the origin plus travel, waiting allowed; windows on every node; a capacity
    dimension; parallel cheapest insertion, then guided local search until the time limit.
    """
    del seed  # OR-Tools routing search is deterministic for a given model
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    began = time.perf_counter()
    matrix = dimacs_matrix(inst)
    n = len(inst.x)
    service = 10 * np.asarray(inst.service, dtype=np.int64)
    horizon = 10 * inst.due[0]
    manager = pywrapcp.RoutingIndexManager(n, inst.num_vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    arc = routing.RegisterTransitMatrix(matrix.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(arc)
    transit = routing.RegisterTransitMatrix((matrix + service[:, None]).tolist())
    routing.AddDimension(transit, horizon, horizon, False, "Time")
    time_dim = routing.GetDimensionOrDie("Time")
    for node in range(1, n):
        index = manager.NodeToIndex(node)
        time_dim.CumulVar(index).SetRange(10 * inst.ready[node], 10 * inst.due[node])
    for v in range(inst.num_vehicles):
        time_dim.CumulVar(routing.Start(v)).SetRange(10 * inst.ready[0], horizon)
        time_dim.CumulVar(routing.End(v)).SetRange(10 * inst.ready[0], horizon)
    demand = routing.RegisterUnaryTransitVector([int(d) for d in inst.demand])
    routing.AddDimensionWithVehicleCapacity(
        demand, 0, [inst.capacity] * inst.num_vehicles, True, "Capacity"
    )
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    remaining = max(time_limit - (time.perf_counter() - began), 0.1)
    params.time_limit.FromMilliseconds(int(remaining * 1000))
    solution = routing.SolveWithParameters(params)
    if solution is None:
        return []
    routes = []
    for v in range(inst.num_vehicles):
        index = solution.Value(routing.NextVar(routing.Start(v)))
        route = []
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        routes.append(route)
    return routes


def solve_pyvrp_direct(inst: VrptwInstance, time_limit: float, seed: int) -> Routes:
    """PyVRP on the instance directly (its ``ProblemData``), independent of carecal."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    began = time.perf_counter()
    matrix = dimacs_matrix(inst)
    n = len(inst.x)
    locations = [pyvrp.Location(x=inst.x[i], y=inst.y[i]) for i in range(n)]
    depot = pyvrp.Depot(location=0, tw_early=10 * inst.ready[0], tw_late=10 * inst.due[0])
    clients = [
        pyvrp.Client(
            location=i,
            delivery=[inst.demand[i]],
            service_duration=10 * inst.service[i],
            tw_early=10 * inst.ready[i],
            tw_late=10 * inst.due[i],
        )
        for i in range(1, n)
    ]
    fleet = pyvrp.VehicleType(
        num_available=inst.num_vehicles,
        capacity=[inst.capacity],
        tw_early=10 * inst.ready[0],
        tw_late=10 * inst.due[0],
    )
    data = pyvrp.ProblemData(locations, clients, [depot], [fleet], [matrix], [matrix])
    remaining = max(time_limit - (time.perf_counter() - began), 0.01)
    result = pyvrp.solve(data, MaxRuntime(remaining), seed=seed, display=False)
    return [[int(a.idx) + 1 for a in route if a.is_client()] for route in result.best.routes()]


def carecal_column(
    engine: str, workers: int | None = None
) -> Callable[[VrptwInstance, float, int], Routes]:
    """A column that solves the day problem through carecal's ``solve_day``: with every
    core (``workers=None``, carecal's default: a second search in a helper process, the
    better plan kept) or with ``workers`` cores."""

    def run(inst: VrptwInstance, time_limit: float, seed: int) -> Routes:
        from carecal.options import solve_options
        from carecal.solver.meals import solve_day

        problem = to_day_problem(inst)
        options = solve_options("solve_day", time_limit=time_limit, workers=workers, seed=seed)
        solution = solve_day(problem, options, engine=engine)
        _check_shape(problem, solution)
        return [list(r.nodes) for r in solution.routes]

    return run


def _check_shape(problem: object, solution: object) -> None:
    """Each returned route's times are consistent: windows met, travel respected."""
    from carecal.solver.meals import DayProblem, DaySolution

    assert isinstance(problem, DayProblem) and isinstance(solution, DaySolution)
    for r in solution.routes:
        travel = problem.travel_matrix(r.vehicle)
        clock = r.leave
        prev = 0
        for node, start in zip(r.nodes, r.starts, strict=True):
            if start < clock + travel[prev, node] or not (
                problem.tw_start[node] <= start <= problem.tw_end[node]
            ):
                raise RuntimeError(f"{solution.engine}: inconsistent handover time {r}")
            clock = start + problem.service[node]
            prev = node
        if r.back < clock + travel[prev, 0] or r.back > problem.vehicle_end[r.vehicle]:
            raise RuntimeError(f"{solution.engine}: inconsistent return time {r}")


SOLVERS: dict[str, Callable[[VrptwInstance, float, int], Routes]] = {
    "carecal-ortools": carecal_column("ortools"),
    "carecal-pyvrp": carecal_column("pyvrp"),
    "carecal-auto": carecal_column("auto"),
    "carecal-ortools-1core": carecal_column("ortools", workers=1),
    "carecal-pyvrp-1core": carecal_column("pyvrp", workers=1),
    "plain-ortools": solve_plain_ortools,
    "pyvrp": solve_pyvrp_direct,
}


# -- running ---------------------------------------------------------------------------


def instance_paths(family: str, data: Path = DATA) -> list[Path]:
    """The instance files of a family, in natural order (C1_2_2 before C1_2_10)."""
    folder, keep = FAMILIES[family]
    paths = [p for p in (data / folder).glob("*.txt") if keep(p.stem.upper())]

    def natural(p: Path) -> tuple[object, ...]:
        parts = p.stem.upper().replace("_", " ").split()
        return tuple(int(x) if x.isdigit() else x for x in parts)

    return sorted(paths, key=natural)


def sample(paths: Sequence[Path], count: int) -> list[Path]:
    """``count`` instances spread evenly over the Solomon groups (C1, C2, R1, ...)."""
    by_group: dict[str, list[Path]] = {}
    for p in paths:
        by_group.setdefault(family_of(p.stem), []).append(p)
    groups = list(by_group.values())
    picked: list[Path] = []
    per_group = [
        count // len(groups) + (1 if i < count % len(groups) else 0) for i in range(len(groups))
    ]
    for members, k in zip(groups, per_group, strict=True):
        k = min(k, len(members))
        picked += [members[(j * len(members)) // k] for j in range(k)] if k else []
    return picked


def run_one(
    family: str, inst: VrptwInstance, bks: BestKnown, column: str, time_limit: float, seed: int
) -> Row:
    """Solve one instance with one column and evaluate the result independently."""
    began = time.perf_counter()
    note = ""
    try:
        routes = SOLVERS[column](inst, time_limit, seed)
    except Exception as exc:  # a failing column is a result, not a crash of the run
        routes = []
        note = f"error: {type(exc).__name__}: {exc}"[:300]
    seconds = time.perf_counter() - began
    verdict = evaluate(inst, routes) if routes else None
    feasible = verdict is not None and verdict.feasible
    if verdict is not None and not verdict.feasible:
        note = "infeasible: " + " ".join(verdict.violations[:3])
    elif verdict is None and not note:
        note = "no solution"
    cost = verdict.cost if feasible and verdict is not None else None
    gap = 100.0 * (cost - bks.cost) / bks.cost if cost is not None else None
    return Row(
        family=family,
        instance=inst.name,
        group=inst.family,
        customers=inst.num_customers,
        column=column,
        time_limit=time_limit,
        seed=seed,
        feasible=feasible,
        cost=cost,
        bks=bks.cost,
        gap_pct=None if gap is None else round(gap, 3),
        routes=verdict.routes if verdict is not None else 0,
        seconds=round(seconds, 2),
        note=note,
    )


def machine() -> dict[str, str]:
    """Machine and versions, written into every CSV row and printed."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    carecal = version("carecal")
    if carecal == "not installed":
        try:
            sha = subprocess.run(
                ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            carecal = f"checkout {sha}"
        except (OSError, subprocess.CalledProcessError):
            carecal = "checkout"
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "ortools": version("ortools"),
        "pyvrp": version("pyvrp"),
        "carecal": carecal,
    }


FIELDS = [*Row.__dataclass_fields__, "nproc", "cpu", "python", "ortools", "pyvrp", "carecal"]


def run(
    family: str,
    paths: Sequence[Path],
    columns: Sequence[str],
    time_limit: float,
    seed: int,
    csv_path: Path | None,
    data: Path = DATA,
) -> list[Row]:
    """Solve every instance with every column (sequentially), appending to the CSV."""
    folder, _ = FAMILIES[family]
    bks = read_bks(data / folder / "bks_dimacs.csv")
    info = machine()
    rows: list[Row] = []
    writer = None
    handle = None
    if csv_path is not None:
        csv_path.parent.mkdir(parents=True, exist_ok=True)
        fresh = not csv_path.exists() or csv_path.stat().st_size == 0
        handle = csv_path.open("a", newline="", encoding="utf-8")
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        if fresh:
            writer.writeheader()
    try:
        for path in paths:
            inst = read_instance(path)
            for column in columns:
                row = run_one(family, inst, bks[inst.name], column, time_limit, seed)
                rows.append(row)
                gap = "-" if row.gap_pct is None else f"{row.gap_pct:.2f} %"
                print(
                    f"{inst.name:>10} {column:>16} {gap:>9} {row.seconds:6.1f} s {row.note}",
                    file=sys.stderr,
                    flush=True,
                )
                if writer is not None and handle is not None:
                    writer.writerow({**asdict(row), **info})
                    handle.flush()
    finally:
        if handle is not None:
            handle.close()
    return rows


# -- reporting -------------------------------------------------------------------------


def load_rows(paths: Iterable[Path]) -> list[Row]:
    """Rows from results CSVs (later files win for the same instance and column)."""
    keyed: dict[tuple[str, str, str], Row] = {}
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            for rec in csv.DictReader(handle):
                row = Row(
                    family=rec["family"],
                    instance=rec["instance"],
                    group=rec["group"],
                    customers=int(rec["customers"]),
                    column=rec["column"],
                    time_limit=float(rec["time_limit"]),
                    seed=int(rec["seed"]),
                    feasible=rec["feasible"] == "True",
                    cost=int(rec["cost"]) if rec["cost"] else None,
                    bks=int(rec["bks"]),
                    gap_pct=float(rec["gap_pct"]) if rec["gap_pct"] else None,
                    routes=int(rec["routes"]),
                    seconds=float(rec["seconds"]),
                    note=rec["note"],
                )
                keyed[(row.family, row.instance, row.column)] = row
    return list(keyed.values())


def _fmt_gap(gaps: list[float]) -> tuple[str, str, str]:
    if not gaps:
        return ("-", "-", "-")
    return (
        f"{statistics.fmean(gaps):.2f}",
        f"{statistics.median(gaps):.2f}",
        f"{max(gaps):.2f}",
    )


def report(rows: Sequence[Row]) -> str:
    """Markdown tables: one per family, then the summary per column and per group."""
    out: list[str] = []
    for family in dict.fromkeys(r.family for r in rows):
        frows = [r for r in rows if r.family == family]
        columns = [c for c in COLUMNS if any(r.column == c for r in frows)]
        limits = sorted({r.time_limit for r in frows})
        out.append(f"### {family} ({', '.join(f'{t:g} s' for t in limits)} per instance)\n")
        head = ["instance", "BKS"] + [f"{c} (gap %, s)" for c in columns]
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "---|" * len(head))
        by_key = {(r.instance, r.column): r for r in frows}
        for name in dict.fromkeys(r.instance for r in frows):
            bks = next(r.bks for r in frows if r.instance == name)
            cells = [name, f"{bks / 10:.1f}"]
            for c in columns:
                r = by_key.get((name, c))
                if r is None:
                    cells.append("")
                elif r.cost is None:
                    cells.append(f"**failed** ({r.note[:40]})")
                else:
                    cells.append(f"{r.cost / 10:.1f} ({r.gap_pct:+.2f}, {r.seconds:.0f})")
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
        out.append(f"Summary, {family}: gap to best known in % (failed = no feasible solution)\n")
        groups = [g for g in SOLOMON_GROUPS if any(r.group == g for r in frows)]
        head = ["column", "solved", "mean", "median", "worst", *groups]
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "---|" * len(head))
        for c in columns:
            crows = [r for r in frows if r.column == c]
            gaps = [r.gap_pct for r in crows if r.gap_pct is not None]
            mean, median, worst = _fmt_gap(gaps)
            per_group = []
            for g in groups:
                gg = [r.gap_pct for r in crows if r.group == g and r.gap_pct is not None]
                per_group.append(f"{statistics.fmean(gg):.2f}" if gg else "-")
            solved = f"{len(gaps)}/{len(crows)}"
            out.append("| " + " | ".join([c, solved, mean, median, worst, *per_group]) + " |")
        out.append("")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--family", choices=sorted(FAMILIES), default="solomon")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per column")
    parser.add_argument("--instances", help="comma-separated names, e.g. C101,R101")
    parser.add_argument("--sample", type=int, help="N instances spread over the groups")
    parser.add_argument("--engines", "--columns", dest="columns", help=", ".join(COLUMNS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--csv", type=Path, help="append results to this CSV")
    parser.add_argument("--quick", action="store_true", help="6 Solomon instances, 5 s each")
    parser.add_argument("--report", type=Path, nargs="+", help="print tables from CSVs only")
    parser.add_argument(
        "--data",
        type=Path,
        default=DATA,
        help="folder with solomon/ and homberger/ (default $CARECAL_BENCHMARKS or %(default)s)",
    )
    args = parser.parse_args(argv)

    info = machine()
    print(
        "machine: {nproc} cores, {cpu}; python {python}, ortools {ortools}, "
        "pyvrp {pyvrp}, carecal {carecal}\n".format(**info)
    )
    if args.report:
        print(report(load_rows(args.report)))
        return 0
    if args.quick:
        args.family, args.time_limit = "solomon", 5.0
        args.instances = args.instances or ",".join(QUICK_INSTANCES)
    columns = args.columns.split(",") if args.columns else list(DEFAULT_COLUMNS)
    unknown = [c for c in columns if c not in SOLVERS]
    if unknown:
        parser.error(f"unknown column(s) {', '.join(unknown)}; choose from {', '.join(COLUMNS)}")
    if not (args.data / FAMILIES[args.family][0]).is_dir():
        parser.error(f"no {FAMILIES[args.family][0]}/ folder in {args.data}; pass --data DIR")
    paths = instance_paths(args.family, args.data)
    if args.instances:
        wanted = [w.strip().upper() for w in args.instances.split(",") if w.strip()]
        by_name = {p.stem.upper(): p for p in paths}
        missing = [w for w in wanted if w not in by_name]
        if missing:
            parser.error(f"no {args.family} instance named {', '.join(missing)} in {args.data}")
        paths = [by_name[w] for w in wanted]
    elif args.sample:
        paths = sample(paths, args.sample)
    rows = run(args.family, paths, columns, args.time_limit, args.seed, args.csv, args.data)
    print(report(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
