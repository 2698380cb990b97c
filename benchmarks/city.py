"""How a city run scales: centres planned one after another, and on a Dask LocalCluster.

Generates up to 64 centres (``make_community``, residents cycling through ``--sizes``,
one seed each), then plans the meals of one Monday for the first 1, 4, 16 and 64 of them
(``plan_city(..., out=..., force=True)``: read, plan, write, read back, verify) in three
ways, each in a fresh process so that its peak memory is its own:

- ``sequential``: ``jobs=1``, one after another in one process, no Dask;
- ``dask-1``: a LocalCluster of one worker process (one thread), passed as ``client``;
- ``dask-2``: a LocalCluster of two worker processes.

The solves are deterministic (``deterministic=True``: each search stops after a number of
iterations that grows with the day, not on the clock; the time limit is only a safety
net), so every mode does the same work and makes the same plans (``served`` must agree),
and wall time measures throughput. The cluster's start (``start s``) is reported apart,
as a run pays it once. ``CPU s`` is the CPU time of every process doing the run (for Dask
the workers', the client's and the scheduler's; the nannies' few are left out), and ``CPU
overhead`` a Dask mode's CPU less the sequential one's, per centre: on a shared machine
wall time also counts the waits for a core other work took, CPU time does not. ``peak
MB`` is the largest ``ru_maxrss`` of the process doing the planning (for Dask, the
largest worker's); ``load`` the 1-minute load average at the end. Run from the
repository root::

    PYTHONPATH=. python benchmarks/city.py                  # 1, 4, 16, 64 centres
    PYTHONPATH=. python benchmarks/city.py --counts 1 4     # a smoke test
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

DAY = dt.date(2026, 3, 2)
"""A Monday: the generated centres have meal orders."""
MODES = ("sequential", "dask-1", "dask-2")
SAFETY_LIMIT = 600.0
"""Seconds per centre: far above what the deterministic searches take, never reached."""
RESULTS = Path(__file__).parent / "results" / "city.csv"


def _make_centres(folder: Path, count: int, sizes: list[int]) -> list[Path]:
    import carecal

    centres = []
    for i in range(count):
        residents = sizes[i % len(sizes)]
        path = folder / f"centre-{i:03d}"
        community = carecal.make_community(
            residents=residents, volunteers=max(8, residents // 12), seed=100 + i
        )
        carecal.write_community(community, path)
        centres.append(path)
    return centres


def _root_of(first: list[Path], folder: Path) -> Path:
    """A folder of centres holding (links to) ``first``."""
    folder.mkdir(parents=True, exist_ok=True)
    for centre in first:
        (folder / centre.name).symlink_to(centre, target_is_directory=True)
    return folder


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    """User and system CPU seconds of this process so far: unlike wall time, it does not
    grow when other work on a shared machine takes the cores."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_one(mode: str, root: Path, out: Path) -> dict[str, object]:
    """Plan every centre of ``root`` in ``mode``; what it measured (in this process)."""
    from carecal.city import plan_city

    options = {"time_limit": SAFETY_LIMIT, "deterministic": True, "force": True, "out": out}
    start_seconds = 0.0
    if mode == "sequential":
        began = time.perf_counter()
        city = plan_city(root, DAY, jobs=1, **options)  # type: ignore[arg-type]
        wall = time.perf_counter() - began
        peak = _peak_mb()
        cpu = _cpu_seconds()
    else:
        import distributed

        workers = int(mode.split("-")[1])
        began = time.perf_counter()
        with (
            distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            start_seconds = time.perf_counter() - began
            began = time.perf_counter()
            city = plan_city(root, DAY, client=client, **options)  # type: ignore[arg-type]
            wall = time.perf_counter() - began
            peaks = client.run(_peak_mb)
            # The workers' CPU, and this process's: the client and the scheduler run here.
            cpu = sum(client.run(_cpu_seconds).values()) + _cpu_seconds()
        peak = max(peaks.values())
    assert not city.failed, city.errors
    assert city.broken_rules == 0
    return {
        "mode": mode,
        "centres": len(city.centres),
        "wall_s": round(wall, 2),
        "start_s": round(start_seconds, 2),
        "task_s": round(sum(c.seconds for c in city.centres), 2),
        "solve_s": round(sum(c.numbers["solve_seconds"] for c in city.centres), 2),
        "served": sum(c.numbers["meals_served"] for c in city.centres),
        "unserved": sum(c.numbers["unserved"] for c in city.centres),
        "cpu_s": round(cpu, 2),
        "peak_mb": round(peak),
        "load": round(os.getloadavg()[0], 1),
    }


def _in_fresh_process(mode: str, root: Path, out: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--one", mode, str(root), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _table(rows: list[dict[str, object]]) -> str:
    sequential = {r["centres"]: r for r in rows if r["mode"] == "sequential"}
    lines = [
        "| centres | mode | wall s | per centre s | speed-up | start s | CPU s | "
        "CPU overhead/centre s | CPU overhead % | served | peak MB | load |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        n = int(r["centres"])  # type: ignore[call-overload]
        wall = float(r["wall_s"])  # type: ignore[arg-type]
        base = sequential.get(n)
        per = wall / n
        cpu = float(r["cpu_s"])  # type: ignore[arg-type]
        if base is None or r["mode"] == "sequential":
            over = pct = speed = "–"
        else:
            base_wall = float(base["wall_s"])  # type: ignore[arg-type]
            base_cpu = float(base["cpu_s"])  # type: ignore[arg-type]
            over = f"{(cpu - base_cpu) / n:+.2f}"
            pct = f"{(cpu - base_cpu) / base_cpu:+.0%}"
            speed = f"{base_wall / wall:.2f}x"
        lines.append(
            f"| {n} | {r['mode']} | {wall:.1f} | {per:.2f} | {speed} | "
            f"{float(r['start_s']):.1f} | {cpu:.1f} | {over} | {pct} | {r['served']} | "  # type: ignore[arg-type]
            f"{r['peak_mb']} | {r['load']} |"
        )
    return "\n".join(lines)


def _machine() -> str:
    versions = ", ".join(
        f"{p} {metadata.version(p)}" for p in ("carecal", "ortools", "pyvrp", "dask", "distributed")
    )
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}; Python "
        f"{platform.python_version()}; {versions}; {dt.date.today()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 4, 16, 64])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 300, 400, 600])
    parser.add_argument("--one", nargs=3, metavar=("MODE", "ROOT", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        mode, root, out = args.one
        print(json.dumps(run_one(mode, Path(root), Path(out))))
        return
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="carecal-city-") as tmp:
        folder = Path(tmp)
        began = time.perf_counter()
        centres = _make_centres(folder / "all", max(args.counts), args.sizes)
        print(
            f"{len(centres)} centres generated in {time.perf_counter() - began:.0f} s", flush=True
        )
        for count in args.counts:
            root = _root_of(centres[:count], folder / f"root-{count}")
            for mode in MODES:
                row = _in_fresh_process(mode, root, folder / f"out-{count}-{mode}")
                print(json.dumps(row), flush=True)
                rows.append(row)
    print(f"\nMachine: {_machine()}\nCentres of {args.sizes} residents (cycling).\n")
    print(_table(rows))
    RESULTS.parent.mkdir(exist_ok=True)
    with RESULTS.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
