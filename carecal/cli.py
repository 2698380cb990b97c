"""The batch command line: read -> plan -> verify -> write, with progress on stderr.

Exit status: 0 the plan was made and verified (residents who could not be served are in
``unserved.csv``, not an error); 1 the verifier found broken rules; 2 the input is invalid
(every problem is listed, with file, row and column).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from carecal.clock import date_range, next_weekday, parse_date, weekday
from carecal.model import Community, CommunityError

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_INVALID = 2


class _InputError(Exception):
    """A problem with what the user gave: printed as sentences, exit status 2."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# --- progress -----------------------------------------------------------------------------


class _Progress:
    """Prints what is running to stderr, with elapsed seconds once a step takes over 1 s."""

    def __init__(self, stream: TextIO, quiet: bool = False) -> None:
        self.stream = stream
        self.quiet = quiet
        self.tty = stream.isatty()

    def say(self, message: str) -> None:
        if not self.quiet:
            print(message, file=self.stream, flush=True)

    @contextmanager
    def step(self, label: str) -> Iterator[Callable[[str], None]]:
        """Run a step; after a second show a ticking clock (TTY) or a line every 10 s."""
        start = time.perf_counter()
        done = threading.Event()
        detail = [""]

        def tick() -> None:
            last_line = 0.0
            while not done.wait(1.0):
                elapsed = time.perf_counter() - start
                extra = f" — {detail[0]}" if detail[0] else ""
                if self.tty:
                    print(
                        f"\r{label}… {elapsed:4.0f} s{extra}\033[K",
                        end="",
                        file=self.stream,
                        flush=True,
                    )
                elif elapsed - last_line >= 10:
                    last_line = elapsed
                    print(f"{label}… {elapsed:.0f} s{extra}", file=self.stream, flush=True)

        def update(text: str) -> None:
            detail[0] = text

        thread = None
        if not self.quiet:
            thread = threading.Thread(target=tick, daemon=True)
            thread.start()
        try:
            yield update
        finally:
            done.set()
            if thread is not None:
                thread.join()
            elapsed = time.perf_counter() - start
            if not self.quiet:
                prefix = "\r" if self.tty and elapsed >= 1 else ""
                print(
                    f"{prefix}{label}: done in {elapsed:.1f} s\033[K"
                    if self.tty
                    else f"{label}: done in {elapsed:.1f} s",
                    file=self.stream,
                    flush=True,
                )


# --- shared steps ---------------------------------------------------------------------------


def _read(path: str, progress: _Progress, as_of: dt.date | None = None) -> Community:
    from carecal.io import read_community

    source = Path(path)
    if not source.exists():
        raise _InputError(
            [
                f"{path}: no such folder or file; give the folder of CSV files "
                "(residents.csv, volunteers.csv, availability.csv, sites.csv) or "
                "an .xlsx workbook"
            ]
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        community = read_community(source, as_of=as_of)
    for w in caught:
        progress.say(f"warning: {w.message}")
    progress.say(
        f"Read {source}: {len(community.residents)} residents, {len(community.volunteers)} "
        f"volunteers, {len(community.sites)} sites."
    )
    return community


def _date(text: str | None, what: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return parse_date(text)
    except ValueError as err:
        raise _InputError([f"{what}: {err}"]) from None


def _verify_and_report(community: Community, plan: Any, progress: _Progress) -> int:
    from carecal.verify import verify

    violations = verify(community, plan)
    if violations:
        progress.say(f"The verifier found {len(violations)} broken rule(s):")
        for v in violations:
            progress.say(f"  {v}")
        return EXIT_VIOLATIONS
    return EXIT_OK


def _write(plan: Any, out: str, community: Community, progress: _Progress) -> None:
    from carecal.io import write_plan

    paths = write_plan(plan, Path(out), community)
    progress.say(f"Wrote {len(paths)} file(s) to {Path(out).resolve()}")


def _plan_verify_write(
    label: str,
    make: Callable[[Callable[[str], None]], Any],
    community: Community,
    out: str | Path,
    progress: _Progress,
) -> int:
    """Run one planner under a progress step, print its summary, verify it, write it."""
    with progress.step(label) as update:
        plan = make(update)
    progress.say(plan.summary())
    status = _verify_and_report(community, plan, progress)
    _write(plan, str(out), community, progress)
    return status


# --- commands -------------------------------------------------------------------------------


def _cmd_validate(args: argparse.Namespace, progress: _Progress) -> int:
    community = _read(args.data, progress, _date(args.as_of, "--as-of"))
    due_from = community.campaign[0].date if community.campaign else dt.date.today()
    orders = sum(1 for r in community.residents if r.meal_days)
    due = sum(1 for r in community.residents if community.is_due(r, due_from))
    progress.say(
        f"The input is valid: {orders} standing meal orders, {due} residents due a health check "
        f"on {due_from}, {len(community.shifts)} shift rows, {len(community.campaign)} campaign "
        "day(s)."
    )
    return EXIT_OK


def _cmd_meals(args: argparse.Namespace, progress: _Progress) -> int:
    from carecal.solver.meals import plan_meals

    community = _read(args.data, progress)
    date = _date(args.date, "--date") or next_weekday(dt.date.today())
    return _plan_verify_write(
        f"Planning meal routes for {date} ({weekday(date)})",
        lambda update: plan_meals(
            community,
            date,
            time_limit=args.time_limit,
            deterministic=args.deterministic,
            engine=args.engine,
            progress=update,
        ),
        community,
        args.out,
        progress,
    )


def _cmd_health_checks(args: argparse.Namespace, progress: _Progress) -> int:
    from carecal.solver.campaign import plan_health_checks

    community = _read(args.data, progress)
    start, end = _date(args.date_from, "--from"), _date(args.date_to, "--to")
    dates = None
    if start is not None or end is not None:
        if start is None or end is None:
            raise _InputError(["give both --from and --to, or neither to use campaign.csv"])
        if end < start:
            raise _InputError([f"--to {end} is before --from {start}; swap them"])
        dates = [d for d in date_range(start, end) if d.weekday() < 5]
    return _plan_verify_write(
        "Planning the health-check campaign",
        lambda update: plan_health_checks(
            community,
            dates,
            time_limit=args.time_limit,
            deterministic=args.deterministic,
            progress=update,
        ),
        community,
        args.out,
        progress,
    )


def _cmd_shifts(args: argparse.Namespace, progress: _Progress) -> int:
    from carecal.solver.shifts import plan_shifts

    community = _read(args.data, progress)
    start, end = _date(args.date_from, "--from"), _date(args.date_to, "--to")
    assert start is not None and end is not None
    if end < start:
        raise _InputError([f"--to {end} is before --from {start}; swap them"])
    return _plan_verify_write(
        f"Planning shifts {start} to {end}",
        lambda update: plan_shifts(
            community,
            start,
            end,
            time_limit=args.time_limit,
            deterministic=args.deterministic,
            progress=update,
        ),
        community,
        args.out,
        progress,
    )


def _cmd_verify(args: argparse.Namespace, progress: _Progress) -> int:
    from carecal.io import read_plan
    from carecal.verify import verify

    community = _read(args.data, progress)
    plans = read_plan(Path(args.plan), community)
    if not plans:
        raise _InputError(
            [
                f"{args.plan}: no meal_routes.csv, health_checks.csv or "
                "shift_plan.csv found; give the folder a plan was written to"
            ]
        )
    found = 0
    for plan in plans:
        violations = verify(community, plan)
        found += len(violations)
        label = type(plan).__name__
        if violations:
            progress.say(f"{label}: {len(violations)} broken rule(s):")
            for v in violations:
                progress.say(f"  {v}")
        else:
            progress.say(f"{label}: every rule holds.")
    return EXIT_VIOLATIONS if found else EXIT_OK


def _cmd_week(args: argparse.Namespace, progress: _Progress) -> int:
    from carecal.solver.week import plan_week

    community = _read(args.data, progress)
    start = _date(args.date_from, "--from")
    assert start is not None
    if args.days < 1:
        raise _InputError([f"--days {args.days}: a week plan needs 1 day or more"])
    return _plan_verify_write(
        f"Planning the week from {start}",
        lambda update: plan_week(
            community,
            start,
            days=args.days,
            meal_time_limit=args.time_limit,
            campaign_time_limit=args.time_limit * 3,
            shift_time_limit=args.time_limit * 3,
            deterministic=args.deterministic,
            progress=update,
        ),
        community,
        args.out,
        progress,
    )


def _cmd_demo(args: argparse.Namespace, progress: _Progress) -> int:
    from carecal.datasets import sample_community, sample_folder
    from carecal.solver.campaign import plan_health_checks
    from carecal.solver.week import plan_week

    community = sample_community()
    out = Path(args.out)
    date = next_weekday(dt.date.today())
    progress.say(
        f"The sample community ({sample_folder()}): {len(community.residents)} residents, "
        f"{len(community.volunteers)} volunteers; planning from {date} ({weekday(date)})."
    )
    with progress.step(f"Planning the week from {date}: meals each day, then shifts") as update:
        week = plan_week(
            community,
            date,
            meal_time_limit=args.time_limit,
            shift_time_limit=args.time_limit * 2,
            campaign_time_limit=args.time_limit * 2,
            progress=update,
        )
    progress.say(week.meals[0].summary())
    if week.shifts is not None:
        progress.say(week.shifts.summary())
    status = _verify_and_report(community, week, progress)
    _write(week, str(out / "week"), community, progress)

    status |= _plan_verify_write(
        "Planning the health-check campaign",
        lambda update: plan_health_checks(
            community, time_limit=args.time_limit * 2, progress=update
        ),
        community,
        out / "health_checks",
        progress,
    )
    progress.say(
        f"\nThe schedules are in {out.resolve()}:\n"
        f"  week/meal_routes.csv, week/shift_plan.csv, week/routes/*.html (route sheets), "
        f"week/timetables/*.html\n"
        f"  health_checks/health_checks.csv, health_checks/escorts/*.html (escort day sheets)\n"
        f"  */unserved.csv and */summary.md"
    )
    return status


# --- parser ---------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="carecal",
        description="Plan a community elderly-care service: meal delivery routes, the "
        "health-check campaign with wheelchair escorts, and volunteer shifts.",
        epilog="Exit status: 0 planned and verified, 1 the verifier found broken rules, "
        "2 invalid input.",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def solve_options(p: argparse.ArgumentParser, limit: float) -> None:
        p.add_argument(
            "--time-limit",
            type=float,
            default=limit,
            metavar="SECONDS",
            help=f"solver time limit (default {limit:g})",
        )
        p.add_argument(
            "--deterministic",
            action="store_true",
            help="same input, same plan (slower; for tests and audits)",
        )

    p = sub.add_parser(
        "validate",
        help="check an input folder and list every problem",
        description="Read DATA and report every problem at once.",
    )
    p.add_argument("data", help="folder of CSV files or an .xlsx workbook")
    p.add_argument("--as-of", help="judge ages on this date (default today)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser(
        "meals",
        help="plan one day's meal delivery routes",
        description="Plan the meal deliveries of one date and write "
        "meal_routes.csv, unserved.csv, summary.md and a route sheet per carrier.",
    )
    p.add_argument("data", help="folder of CSV files or an .xlsx workbook")
    p.add_argument("--date", help="delivery date YYYY-MM-DD (default: next weekday)")
    p.add_argument("--out", required=True, help="folder to write the schedules to")
    p.add_argument(
        "--engine",
        default="auto",
        choices=("ortools", "pyvrp", "auto"),
        help="routing engine: auto (the default: PyVRP when installed and able to express "
        "the day, else OR-Tools), ortools or pyvrp",
    )
    solve_options(p, 10.0)
    p.set_defaults(func=_cmd_meals)

    p = sub.add_parser(
        "health-checks",
        help="plan the health-check campaign",
        description="Book every due resident into a clinic slot, with escorts "
        "and pool wheelchairs for those who need them.",
    )
    p.add_argument("data", help="folder of CSV files or an .xlsx workbook")
    p.add_argument("--out", required=True, help="folder to write the schedules to")
    p.add_argument("--from", dest="date_from", help="first campaign date (default campaign.csv)")
    p.add_argument("--to", dest="date_to", help="last campaign date")
    solve_options(p, 30.0)
    p.set_defaults(func=_cmd_health_checks)

    p = sub.add_parser(
        "shifts",
        help="plan the volunteers' shifts",
        description="Put volunteers on the shifts of shifts.csv between two "
        "dates, within what each pledged, fairly.",
    )
    p.add_argument("data", help="folder of CSV files or an .xlsx workbook")
    p.add_argument("--from", dest="date_from", required=True, help="first date YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", required=True, help="last date YYYY-MM-DD")
    p.add_argument("--out", required=True, help="folder to write the schedules to")
    solve_options(p, 30.0)
    p.set_defaults(func=_cmd_shifts)

    p = sub.add_parser(
        "week",
        help="plan a week: meals, campaign days and shifts, made to agree",
        description="Plan the meals of each date, the campaign days among them and the "
        "volunteers' shifts, with the auto shifts asking for the carriers and escorts the "
        "routes and bookings use, and write it all into one folder.",
    )
    p.add_argument("data", help="folder of CSV files or an .xlsx workbook")
    p.add_argument("--from", dest="date_from", required=True, help="first date YYYY-MM-DD")
    p.add_argument("--days", type=int, default=7, help="how many days (default 7)")
    p.add_argument("--out", required=True, help="folder to write the schedules to")
    solve_options(p, 10.0)
    p.set_defaults(func=_cmd_week)

    p = sub.add_parser(
        "verify",
        help="check a plan folder (e.g. edited by hand)",
        description="Re-check every rule of the plan in PLAN against DATA and list each violation.",
    )
    p.add_argument("data", help="folder of CSV files or an .xlsx workbook")
    p.add_argument(
        "plan", help="folder holding meal_routes.csv / health_checks.csv / shift_plan.csv"
    )
    p.set_defaults(func=_cmd_verify)

    p = sub.add_parser(
        "demo",
        help="plan the bundled sample community",
        description="Plan the sample community's next weekday of meals and its "
        "health-check campaign, and write the schedules.",
    )
    p.add_argument("--out", default="carecal-demo", help="output folder (default ./carecal-demo)")
    p.add_argument(
        "--time-limit",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="solver time limit per plan (default 5)",
    )
    p.set_defaults(func=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (see the module docstring)."""
    args = _parser().parse_args(argv)
    progress = _Progress(sys.stderr, quiet=args.quiet)
    try:
        return int(args.func(args, progress))
    except (CommunityError, _InputError) as err:
        problems = err.problems
        print(f"carecal: the input has {len(problems)} problem(s):", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_INVALID
    except ValueError as err:
        # A plan folder that cannot be read lists every bad cell; other errors are one line.
        problems = getattr(err, "problems", None) or [str(err)]
        if len(problems) == 1:
            print(f"carecal: {problems[0]}", file=sys.stderr)
        else:
            print(f"carecal: {len(problems)} problem(s):", file=sys.stderr)
            for problem in problems:
                print(f"  - {problem}", file=sys.stderr)
        return EXIT_INVALID
    except OSError as err:
        print(f"carecal: {err.strerror or err}: {err.filename or ''}", file=sys.stderr)
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
