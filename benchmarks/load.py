"""Load: the command line on a large generated community, its wall time and peak memory.

Issue 15 measured a 3,000-resident community at ``meals`` 11.9 s and 208 MB, and ``week``
3 min 26 s and 754 MB, and asks that it stays under 5 minutes and 1 GB. This script writes
such a community to a temporary folder, runs ``carecal meals`` and ``carecal week`` on it
with their default time limits, each in its own process (so the peak memory, the child's
``ru_maxrss``, is its own), and prints a Markdown table with the machine and versions.
Run from the repository root::

    python benchmarks/load.py                      # 3,000 residents, the issue's case
    python benchmarks/load.py --residents 500      # a smaller smoke test
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

START = dt.date(2027, 3, 1)
"""A Monday, the first day of make_community's campaign."""


def _community(folder: Path, residents: int, seed: int) -> None:
    from carecal import write_community
    from carecal.datasets import make_community

    volunteers = max(12, residents // 12)
    write_community(make_community(residents=residents, volunteers=volunteers, seed=seed), folder)


def _run(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak MB and exit status of one carecal command in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "carecal", "-q", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
    # ru_maxrss of the children is the largest so far; each case runs after a smaller one.
    return seconds, max(peak, before) / 1024, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        _community(data, args.residents, args.seed)
        cases = [
            ("meals", ["meals", str(data), "--date", START.isoformat()]),
            ("week", ["week", str(data), "--from", START.isoformat()]),
        ]
        rows = []
        for name, command in cases:
            out = Path(tmp) / name
            seconds, mb, code = _run([*command, "--out", str(out)])
            rows.append((name, seconds, mb, code))
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()}; "
        f"Python {platform.python_version()}, carecal {metadata.version('carecal')}, "
        f"ortools {metadata.version('ortools')}; {dt.date.today()}; "
        f"{args.residents} residents, seed {args.seed}, default time limits"
    )
    print()
    print("| command | wall time | peak memory | exit |")
    print("| --- | ---: | ---: | ---: |")
    for name, seconds, mb, code in rows:
        print(f"| `carecal {name}` | {seconds:.1f} s | {mb:.0f} MB | {code} |")


if __name__ == "__main__":
    main()
