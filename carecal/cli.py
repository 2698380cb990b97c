"""The batch command line: read -> plan -> write -> read back and verify.

Every planning command takes the same period and solving options: ``--time-limit`` (total
wall-clock seconds of the command's planning), ``--workers``, ``--seed`` and
``--deterministic``. A progress bar shows on stderr when it is a terminal (not with
``-q``). ``--xlsx`` adds ``plan.xlsx`` (every table, a rota, a route sheet per carrier)
and ``--plots`` the pictures (``plots/``, needs the ``carecal[plot]`` extra) to the folder.
After writing, the command reads the folder back and verifies what it finds
there, so "verified" speaks of the files, not of the plan in memory.

Exit status: 0 the plan was made, written and verified (residents who could not be
served are in ``unserved.csv``, not an error); 1 the verifier found broken rules; 2 the
input or an option is invalid (nothing is planned). The problems are printed grouped: the
same problem in many rows once, with the rows and the first few examples; ``--problems
FILE`` writes every one; 3 ``carecal city`` only: some centres failed (each with its error
on stderr and in ``city_summary.csv``), the others were planned and written.

Only light modules are imported here; pandas, OR-Tools and the planners are imported by
the command that needs them, so ``carecal --help`` answers at once.

This module is long (about 900 lines) because it holds the parser and one small function
per command, which share a handful of helpers (reading, writing and verifying, printing
problems); splitting the commands into modules would spread those helpers out. A split
by command group (planning, plan folders, city) is the next step when it grows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from carecal.clock import coerce_date, next_weekday, weekday
from carecal.errors import CarecalError, ExtraMissingError, OptionError

if TYPE_CHECKING:
    from carecal.model import Community
    from carecal.plans import Plan

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_INVALID = 2
EXIT_CENTRES_FAILED = 3

DEMO_WEEK_SHARE = 0.6
"""Of ``carecal demo --time-limit``, the week plan's share; the campaign gets the rest."""
MIN_DEMO_CAMPAIGN_SECONDS = 0.5
"""The demo's campaign never starts with less than this, even when the week ran long."""


class _Console:
    """What the command line prints on stderr.

    ``say`` is chatter ("Read ...", "Wrote ...", summaries), hidden by ``-q``; ``problem``
    is what went wrong (broken rules), always printed.
    """

    def __init__(self, stream: TextIO, quiet: bool = False) -> None:
        self.stream = stream
        self.quiet = quiet

    def say(self, message: str) -> None:
        if not self.quiet:
            print(message, file=self.stream, flush=True)

    def problem(self, message: str) -> None:
        print(message, file=self.stream, flush=True)

    @property
    def progress(self) -> bool:
        """The planners' ``progress`` option: a bar in a terminal, nothing otherwise."""
        return not self.quiet and self.stream.isatty()


# --- shared steps ---------------------------------------------------------------------------


@contextmanager
def _warnings_said(console: _Console) -> Iterator[None]:
    """Say every warning raised inside the block (a foreign file, a folder from 0.1, ...)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        console.say(f"warning: {w.message}")


def _read_plan(folder: Path, community: Community, console: _Console) -> Plan:
    """The plan in a plan folder, with its warnings said."""
    from carecal.io import read_plan

    with _warnings_said(console):
        return read_plan(folder, community)


def _read(
    path: str, console: _Console, as_of: dt.date | None = None, lang: str | None = None
) -> Community:
    """The community in ``path``; ``lang`` (``--lang``) overrides its policy's language."""
    from carecal.io import read_community

    source = Path(path)
    if not source.exists():
        raise OptionError(
            f"{path}: no such folder or file; give the folder of CSV files "
            "(residents.csv, volunteers.csv, availability.csv, sites.csv) or an .xlsx workbook"
        )
    with _warnings_said(console):
        community = read_community(source, as_of=as_of)
    if lang is not None:
        community = community.with_policy(lang=lang)
    console.say(
        f"Read {source}: {len(community.residents)} residents, {len(community.volunteers)} "
        f"volunteers, {len(community.sites)} sites."
    )
    return community


def _date(text: str | None, flag: str) -> dt.date | None:
    """A date from the command line; the OptionError names the flag."""
    return None if text is None else coerce_date(text, flag)


def _period(args: argparse.Namespace) -> tuple[dt.date, dt.date]:
    """``--from`` and ``--to`` (or ``--days``, a shorthand for ``--to``); a week by default."""
    first = coerce_date(args.date_from, "--from")
    if args.days is not None:
        return first, first + dt.timedelta(days=args.days - 1)
    if args.date_to is None:
        return first, first + dt.timedelta(days=6)
    last = coerce_date(args.date_to, "--to")
    if last < first:
        raise OptionError(
            f"--to {last} comes before --from {first}; give --to on or after --from "
            "(both days are planned)"
        )
    return first, last


def _solve_options(args: argparse.Namespace, console: _Console) -> dict[str, Any]:
    """The keyword options every planner takes, from the command's flags."""
    return {
        "time_limit": args.time_limit,
        "workers": args.workers,
        "seed": args.seed,
        "deterministic": args.deterministic,
        "progress": console.progress,
    }


def _label(plan: Plan) -> str:
    from carecal.plans import CampaignPlan, MealPlan, ShiftPlan

    if isinstance(plan, MealPlan):
        return f"meals {plan.date}"
    if isinstance(plan, CampaignPlan) and plan.dates:
        return f"health checks {plan.dates[0]} to {plan.dates[-1]}"
    if isinstance(plan, ShiftPlan):
        return f"shifts {plan.start} to {plan.end}"
    return type(plan).__name__


def _verify_plans(community: Community, plan: Plan, console: _Console, *, each: bool) -> int:
    """Verify a plan part by part (and, when shifts sit beside routes or bookings, that
    they agree).

    Broken rules are always printed, per part; with ``each`` a part without any says so.
    Returns the number of broken rules.
    """
    from carecal.plans import CampaignPlan, MealPlan, ShiftPlan, Status, WeekPlan
    from carecal.verify import verify

    plans: list[Plan] = [plan]
    if isinstance(plan, WeekPlan):
        plans = [*plan.meals, *(p for p in (plan.campaign, plan.shifts) if p is not None)]

    found = 0
    seen: set[tuple[str, str]] = set()

    def report(label: str, violations: Sequence[Any]) -> None:
        nonlocal found
        found += len(violations)
        if violations:
            console.problem(f"{label}: {len(violations)} broken rule(s):")
            for v in violations:
                console.problem(f"  {v}")
        elif each:
            console.say(f"{label}: every rule holds.")

    for plan in plans:
        violations = verify(community, plan)  # type: ignore[arg-type]
        seen |= {(v.rule, v.message) for v in violations}
        report(_label(plan), violations)
    meals = tuple(p for p in plans if isinstance(p, MealPlan))
    campaign = next((p for p in plans if isinstance(p, CampaignPlan)), None)
    shifts = next((p for p in plans if isinstance(p, ShiftPlan)), None)
    if shifts is not None and (meals or campaign is not None):
        # The week's cross-check (carriers and escorts on duty) needs the parts together;
        # verifying them together repeats each part's checks, already reported above.
        week = WeekPlan(
            status=Status.FEASIBLE,
            start=min([shifts.start, *(m.date for m in meals)]),
            end=max([shifts.end, *(m.date for m in meals)]),
            meals=meals,
            campaign=campaign,
            shifts=shifts,
        )
        agreement = [v for v in verify(community, week) if (v.rule, v.message) not in seen]
        report("the week (carriers and escorts on duty)", agreement)
    return found


def _extras_checked(args: argparse.Namespace) -> None:
    """Refuse ``--plots`` without the plot extra before anything is planned."""
    if not getattr(args, "plots", False):
        return
    # Looked up, not imported: matplotlib belongs to carecal.plot alone (DESIGN.md).
    import importlib.util

    blocked = "matplotlib" in sys.modules and sys.modules["matplotlib"] is None
    if blocked or importlib.util.find_spec("matplotlib") is None:
        raise ExtraMissingError("plot", "matplotlib", "carecal --plots")


def _write_and_verify(
    plan: Any, out: Path, community: Community, console: _Console, args: argparse.Namespace
) -> int:
    """Print the plan's summary, write it (with the workbook and the pictures when
    ``--xlsx`` and ``--plots`` ask for them), read the folder back and verify what is
    there."""
    from carecal.i18n import translator
    from carecal.io import write_plan

    _ = translator(community.policy.lang).gettext
    console.say(plan.summary(community.policy.lang))
    with _warnings_said(console):
        paths = write_plan(
            plan,
            out,
            community,
            xlsx=getattr(args, "xlsx", False),
            plots=getattr(args, "plots", False),
        )
    console.say(
        _("Wrote {count} file(s) to {folder}").format(count=len(paths), folder=out.resolve())
    )
    found = _verify_plans(community, _read_plan(out, community, console), console, each=False)
    if found:
        console.problem(f"{out}: the verifier found {found} broken rule(s) in the plan as written.")
        return EXIT_VIOLATIONS
    console.say(_("Verified {folder}: read back, every rule holds.").format(folder=out.resolve()))
    return EXIT_OK


# --- commands -------------------------------------------------------------------------------


def _cmd_validate(args: argparse.Namespace, console: _Console) -> int:
    community = _read(args.data, console, _date(args.as_of, "--as-of"), args.lang)
    due_from = community.campaign[0].date if community.campaign else dt.date.today()
    orders = sum(1 for r in community.residents if r.meal_days)
    due = sum(1 for r in community.residents if community.is_due(r, due_from))
    console.say(
        f"The input is valid: {orders} standing meal orders, {due} residents due a health check "
        f"on {due_from}, {len(community.shifts)} shift rows, {len(community.campaign)} campaign "
        "day(s)."
    )
    return EXIT_OK


def _cmd_meals(args: argparse.Namespace, console: _Console) -> int:
    from carecal.solver.meals import plan_meals

    date = _date(args.date, "--date") or next_weekday(dt.date.today())
    community = _read(args.data, console, lang=args.lang)
    console.say(f"Planning the meal routes of {date} ({weekday(date)}).")
    plan = plan_meals(community, date, engine=args.engine, **_solve_options(args, console))
    return _write_and_verify(plan, Path(args.out), community, console, args)


def _cmd_health_checks(args: argparse.Namespace, console: _Console) -> int:
    from carecal.solver.campaign import plan_health_checks

    start, end = _date(args.date_from, "--from"), _date(args.date_to, "--to")
    if (start is None) != (end is None):
        raise OptionError("give both --from and --to, or neither to plan the days of campaign.csv")
    if start is not None and end is not None and end < start:
        raise OptionError(
            f"--to {end} comes before --from {start}; give --to on or after --from "
            "(both days are planned)"
        )
    community = _read(args.data, console, lang=args.lang)
    console.say("Planning the health-check campaign.")
    plan = plan_health_checks(community, start, end, **_solve_options(args, console))
    return _write_and_verify(plan, Path(args.out), community, console, args)


def _cmd_shifts(args: argparse.Namespace, console: _Console) -> int:
    from carecal.solver.shifts import plan_shifts

    return _plan_period(args, console, plan_shifts, "the shifts")


def _cmd_week(args: argparse.Namespace, console: _Console) -> int:
    from carecal.solver.week import plan_week

    return _plan_period(args, console, plan_week, "the week (meals, campaign days, shifts)")


def _plan_period(
    args: argparse.Namespace, console: _Console, planner: Callable[..., Any], what: str
) -> int:
    """A planner of a period (``--from``, ``--to``/``--days``): plan, write, verify."""
    first, last = _period(args)
    community = _read(args.data, console, lang=args.lang)
    console.say(f"Planning {what} of {first} to {last}.")
    plan = planner(community, first, last, **_solve_options(args, console))
    return _write_and_verify(plan, Path(args.out), community, console, args)


def _cmd_verify(args: argparse.Namespace, console: _Console) -> int:
    community = _read(args.data, console, lang=args.lang)
    plan = _read_plan(Path(args.plan), community, console)
    found = _verify_plans(community, plan, console, each=True)
    return EXIT_VIOLATIONS if found else EXIT_OK


def _cmd_compare(args: argparse.Namespace, console: _Console) -> int:
    from carecal.compare import compare

    community = _read(args.data, console, lang=args.lang)
    result = compare(
        _read_plan(Path(args.before), community, console),
        _read_plan(Path(args.after), community, console),
    )
    out = sys.stdout
    print(result.summary(), file=out)
    print("\n" + result.table.to_string(), file=out)
    if len(result.people):
        print("\n" + result.people.to_string(index=False), file=out)
    return EXIT_OK


def _cmd_report(args: argparse.Namespace, console: _Console) -> int:
    from carecal.report import month_span, report

    month_span(args.month)  # a bad month is said before anything is read
    community = _read(args.data, console)
    with _warnings_said(console):
        result = report(community, [Path(p) for p in args.plans], args.month)
    for note in result.notes:
        console.say(f"warning: {note}")
    paths = result.write(Path(args.out), plots=True if args.plots else None)
    console.say(result.summary())
    console.say(f"Wrote {len(paths)} files to {args.out}.")
    return EXIT_OK


def _cmd_substitutes(args: argparse.Namespace, console: _Console) -> int:
    from carecal.i18n import translator
    from carecal.substitutes import substitutes, work_of

    date = coerce_date(args.date, "--date")  # a bad date is said before anything is read
    community = _read(args.data, console, lang=args.lang)
    plan = _read_plan(Path(args.plan), community, console) if args.plan else None
    rows = substitutes(community, args.volunteer, date, plan)
    _ = translator(community.policy.lang).gettext
    work = work_of(community, args.volunteer, date, plan)
    print(_("Who could take over {work}:").format(work=work.describe(community.policy.lang)))
    for row in rows:
        who = " ".join(part for part in (row.volunteer_id, row.name, row.phone) if part)
        print(f"{row.rank:>3}. {who}: {row.reason}")
    if args.out:
        from carecal.io.substitutes import write_substitutes

        path = write_substitutes(rows, args.out)
        console.say(_("Wrote {count} file(s) to {folder}").format(count=1, folder=path.resolve()))
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace, console: _Console) -> int:
    from carecal.datasets import sample_community, sample_folder
    from carecal.solver.campaign import plan_health_checks
    from carecal.solver.week import plan_week

    began = time.perf_counter()
    community = sample_community()
    if args.lang is not None:
        community = community.with_policy(lang=args.lang)
    out = Path(args.out)
    date = next_weekday(dt.date.today())
    console.say(
        f"The sample community ({sample_folder()}): {len(community.residents)} residents, "
        f"{len(community.volunteers)} volunteers; planning the week from {date} "
        f"({weekday(date)}) and the health-check campaign, in {args.time_limit:g} s."
    )
    options = _solve_options(args, console)
    options["time_limit"] = args.time_limit * DEMO_WEEK_SHARE
    week = plan_week(community, date, **options)
    status = _write_and_verify(week, out / "week", community, console, args)
    # The campaign has what the week left of the demo's time limit.
    options["time_limit"] = max(
        MIN_DEMO_CAMPAIGN_SECONDS, args.time_limit - (time.perf_counter() - began)
    )
    campaign = plan_health_checks(community, **options)
    status |= _write_and_verify(campaign, out / "health_checks", community, console, args)
    console.say(
        f"\nThe schedules are in {out.resolve()}:\n"
        f"  week/meal_routes.csv, week/shift_plan.csv, week/routes/*.html (route sheets), "
        f"week/timetables/*.html\n"
        f"  health_checks/health_checks.csv, health_checks/escorts/*.html (escort day sheets)\n"
        f"  */unserved.csv and */summary.md"
    )
    return status


def _cmd_city(args: argparse.Namespace, console: _Console) -> int:
    from carecal.city import plan_city
    from carecal.progress import ProgressEvent

    if args.date is not None and (args.date_to is not None or args.days is not None):
        raise OptionError(
            "--to and --days go with --from (a week plan per centre); --date plans one "
            "day's meals per centre"
        )
    if args.date is not None:
        first, last = coerce_date(args.date, "--date"), None
        console.say(f"Planning each centre's meal routes of {first} ({weekday(first)}).")
    else:
        first, last = _period(args)
        console.say(
            f"Planning each centre's week (meals, campaign days, shifts), {first} to {last}."
        )

    def progress(event: ProgressEvent) -> None:
        console.say(event.message)

    city = plan_city(
        args.root,
        first,
        last,
        client=args.scheduler,
        jobs=args.jobs,
        out=args.out,
        force=args.force,
        plots=args.plots,
        time_limit=args.time_limit,
        workers=args.workers,
        seed=args.seed,
        deterministic=args.deterministic,
        progress=progress,
    )
    out = Path(args.out).resolve()
    console.say(f"{city.headline()}, in {city.seconds:.1f} s.")
    console.say(f"Wrote the roll-up to {out / 'city_summary.csv'} and city_summary.html.")
    status = EXIT_OK
    for centre in city.centres:
        if centre.broken_rules:
            console.problem(
                f"{centre.name}: the verifier found {len(centre.broken_rules)} broken rule(s) "
                f"in {centre.folder}:"
            )
            for rule in centre.broken_rules:
                console.problem(f"  {rule}")
            status = EXIT_VIOLATIONS
        if centre.note:
            console.say(f"{centre.name}: {centre.note}")
        for warning in centre.warnings:
            console.say(f"{centre.name}: warning: {warning}")
    if city.failed:
        console.problem(f"{len(city.failed)} of {len(city.centres)} centre(s) were not planned:")
        for centre in city.centres:
            if centre.status == "failed":
                console.problem(f"  {centre.name} ({centre.stage}, {centre.source}):")
                for line in centre.errors:
                    console.problem(f"    - {line}")
        status = EXIT_CENTRES_FAILED
    return status


# --- parser ---------------------------------------------------------------------------------


def _whole(least: int) -> Callable[[str], int]:
    """An argparse type: a whole number of ``least`` or more."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = least - 1
        if value < least:
            raise argparse.ArgumentTypeError(
                f"give a whole number of {least} or more, not {text!r}"
            )
        return value

    return parse


def _seconds(text: str) -> float:
    """An argparse type: a positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(
            f"give a positive number of seconds, for example 30, not {text!r}"
        )
    return value


def _add_solve_options(p: argparse.ArgumentParser, limit: float, what: str) -> None:
    p.add_argument(
        "--time-limit",
        type=_seconds,
        default=limit,
        metavar="SECONDS",
        help=f"total wall-clock seconds for {what} (default {limit:g})",
    )
    p.add_argument(
        "--workers",
        type=_whole(1),
        default=None,
        metavar="N",
        help="solver threads (default: every core; the meal routing search uses one)",
    )
    _add_seed_options(p)


def _add_seed_options(p: argparse.ArgumentParser) -> None:
    """``--seed`` and ``--deterministic``, the same on every planning command."""
    p.add_argument(
        "--seed",
        type=_whole(0),
        default=0,
        metavar="N",
        help="seed of the solvers' random choices (default 0)",
    )
    p.add_argument(
        "--deterministic",
        action="store_true",
        help="same input, same plan: each solve stops on work, not on the clock "
        "(for tests and audits)",
    )


def _add_outputs(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--xlsx",
        action="store_true",
        help="also write plan.xlsx: every table, a rota and a route sheet per carrier in one "
        "Excel workbook",
    )
    p.add_argument(
        "--plots",
        action="store_true",
        help='also write the pictures into plots/ (needs: pip install "carecal[plot]")',
    )


def _add_period(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--from", dest="date_from", required=True, metavar="DATE", help="first date YYYY-MM-DD"
    )
    last = p.add_mutually_exclusive_group()
    last.add_argument(
        "--to",
        dest="date_to",
        metavar="DATE",
        help="last date YYYY-MM-DD, included (default: a week, --from + 6 days)",
    )
    last.add_argument(
        "--days",
        type=_whole(1),
        metavar="N",
        help="how many days from --from, a shorthand for --to (7 is a week)",
    )


def _parser() -> argparse.ArgumentParser:
    from carecal.i18n import LANGS  # light: the catalogs load when a language is asked for

    parser = argparse.ArgumentParser(
        prog="carecal",
        description="Plan a community elderly-care service: meal delivery routes, the "
        "health-check campaign with wheelchair escorts, and volunteer shifts.",
        epilog="Exit status: 0 planned and verified, 1 the verifier found broken rules, "
        "2 invalid input or option, 3 (carecal city) some centres failed, the others were "
        "planned.",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress bar and no chatter; errors and broken rules are still printed",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    data_help = "folder of CSV files or an .xlsx workbook"
    out_help = "folder to write the schedules to"

    p = sub.add_parser(
        "validate",
        help="check an input folder and list every problem",
        description="Read DATA and report every problem at once.",
    )
    p.add_argument("data", help=data_help)
    p.add_argument("--as-of", metavar="DATE", help="judge ages on this date (default today)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser(
        "meals",
        help="plan one day's meal delivery routes",
        description="Plan the meal deliveries of one date and write "
        "meal_routes.csv, unserved.csv, summary.md and a route sheet per carrier.",
    )
    p.add_argument("data", help=data_help)
    p.add_argument(
        "--date", metavar="DATE", help="delivery date YYYY-MM-DD (default: next weekday)"
    )
    p.add_argument("--out", required=True, help=out_help)
    p.add_argument(
        "--engine",
        default="auto",
        choices=("ortools", "pyvrp", "auto"),
        help="routing engine: auto (the default: PyVRP when installed and able to express "
        "the day, else OR-Tools), ortools or pyvrp",
    )
    _add_solve_options(p, 10.0, "the routing")
    _add_outputs(p)
    p.set_defaults(func=_cmd_meals)

    p = sub.add_parser(
        "health-checks",
        help="plan the health-check campaign",
        description="Book every due resident into a clinic slot, with escorts "
        "and pool wheelchairs for those who need them.",
    )
    p.add_argument("data", help=data_help)
    p.add_argument("--out", required=True, help=out_help)
    p.add_argument(
        "--from",
        dest="date_from",
        metavar="DATE",
        help="first campaign date YYYY-MM-DD (default: the days of campaign.csv)",
    )
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last campaign date, included")
    _add_solve_options(p, 30.0, "the campaign")
    _add_outputs(p)
    p.set_defaults(func=_cmd_health_checks)

    p = sub.add_parser(
        "shifts",
        help="plan the volunteers' shifts",
        description="Put volunteers on the shifts of shifts.csv from --from to --to, "
        "within what each pledged, fairly.",
    )
    p.add_argument("data", help=data_help)
    _add_period(p)
    p.add_argument("--out", required=True, help=out_help)
    _add_solve_options(p, 30.0, "the shift plan")
    _add_outputs(p)
    p.set_defaults(func=_cmd_shifts)

    p = sub.add_parser(
        "week",
        help="plan a week: meals, campaign days and shifts, made to agree",
        description="Plan the meals of each date, the campaign days among them and the "
        "volunteers' shifts, with the auto shifts asking for the carriers and escorts the "
        "routes and bookings use, and write it all into one folder. The time limit is "
        "shared among the parts.",
    )
    p.add_argument("data", help=data_help)
    _add_period(p)
    p.add_argument("--out", required=True, help=out_help)
    _add_solve_options(p, 60.0, "the whole week")
    _add_outputs(p)
    p.set_defaults(func=_cmd_week)

    p = sub.add_parser(
        "verify",
        help="check a plan folder (e.g. edited by hand)",
        description="Re-check every rule of the plan in PLAN against DATA and list each "
        "violation, per plan.",
    )
    p.add_argument("data", help=data_help)
    p.add_argument(
        "plan", help="folder holding meal_routes.csv / health_checks.csv / shift_plan.csv"
    )
    p.set_defaults(func=_cmd_verify)

    p = sub.add_parser(
        "compare",
        help="compare two plan folders of the same kind",
        description="Read two plan folders written for DATA (before and after a change) "
        "and print the numbers side by side (served, carriers, travel, food age, short "
        "shift places) and, per person, what changed (carrier, time, booking, shifts).",
    )
    p.add_argument("before", metavar="PLAN_A", help="the first plan folder (before)")
    p.add_argument("after", metavar="PLAN_B", help="the second plan folder (after)")
    p.add_argument("--data", required=True, help=data_help + " the plans were made for")
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser(
        "report",
        help="write the monthly service report from the plan folders of a month",
        description="Read the plan folders of MONTH (written for DATA, maybe with the done "
        "column filled in) and write the funder's report: meals by day and by diet, "
        "residents served, health checks, home checks, volunteer hours, unserved by reason "
        "(report_*.csv, report.html, report.png with carecal[plot]). Where several folders "
        "cover a date, the one whose manifest.json was written last counts.",
    )
    p.add_argument("data", help=data_help + " the plans were made for")
    p.add_argument("--plans", nargs="+", required=True, metavar="DIR", help="plan folders")
    p.add_argument("--month", required=True, help="the month, YYYY-MM (e.g. 2026-12)")
    p.add_argument("--out", required=True, help="folder to write the report to")
    p.add_argument(
        "--plots", action="store_true", help="insist on report.png (needs carecal[plot])"
    )
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser(
        "substitutes",
        help="rank who could take over a volunteer's work on a day",
        description="Rank the volunteers who could take over V's work on DATE: free then "
        "and skilled for it first, then by how many of V's elders they know (the history/ "
        "folder of DATA). The work is V's trips, escort jobs and shifts in PLAN when given, "
        "else V's pledged hours that day. Prints the ranking with the reasons; --out also "
        "writes it as a CSV file.",
    )
    p.add_argument("data", help=data_help)
    p.add_argument("--volunteer", required=True, metavar="V", help="the volunteer's id")
    p.add_argument("--date", required=True, metavar="DATE", help="the day, YYYY-MM-DD")
    p.add_argument("--plan", metavar="PLAN", help="a plan folder of that day (optional)")
    p.add_argument("--out", metavar="FILE.csv", help="also write the ranking to this CSV file")
    p.set_defaults(func=_cmd_substitutes)

    p = sub.add_parser(
        "demo",
        help="plan the bundled sample community",
        description="Plan the sample community's week from the next weekday (meals, "
        "campaign days, shifts) and its health-check campaign, and write the schedules.",
    )
    p.add_argument("--out", default="carecal-demo", help="output folder (default ./carecal-demo)")
    _add_solve_options(p, 30.0, "the whole demo (the week, then the campaign)")
    _add_outputs(p)
    p.set_defaults(func=_cmd_demo)
    for command in sub.choices.values():
        command.add_argument(
            "--lang",
            choices=LANGS,
            help="language of the summary, sheets and reasons: en (English) or zh (Chinese); "
            "default: lang in policy.toml, else en",
        )
    for name in _READS_DATA:
        sub.choices[name].add_argument(
            "--problems",
            metavar="FILE",
            help="write every input problem to FILE, one per line, UTF-8 (the screen shows "
            "them grouped: the same problem in many rows once, with the rows)",
        )
    _add_city(sub)
    return parser


def _add_city(sub: Any) -> None:
    """``carecal city``: every centre of a folder planned as its own task on Dask."""
    p = sub.add_parser(
        "city",
        help="plan many centres at once (one folder or workbook each), on Dask",
        description="Plan every centre under ROOT (one community folder or .xlsx workbook "
        "per centre), each as its own task on a Dask cluster: the meals of --date, or the "
        "week from --from. Each centre's plan goes to OUT/<centre>, with the roll-up in "
        "OUT/city_summary.csv and city_summary.html. A centre that fails is reported and "
        "the others are planned (exit 3); a centre whose folder is complete, of the same "
        "period and community, is not planned again unless --force.",
    )
    p.add_argument("root", metavar="ROOT", help="folder holding one folder or workbook per centre")
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--date", metavar="DATE", help="plan each centre's meal routes of DATE")
    when.add_argument(
        "--from",
        dest="date_from",
        metavar="DATE",
        help="plan each centre's week (meals, campaign days, shifts) from DATE",
    )
    last = p.add_mutually_exclusive_group()
    last.add_argument(
        "--to",
        dest="date_to",
        metavar="DATE",
        help="with --from: last date, included (default --from + 6 days)",
    )
    last.add_argument("--days", type=_whole(1), metavar="N", help="with --from: how many days")
    p.add_argument(
        "--out", required=True, help="folder for the centres' plan folders and the roll-up"
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--jobs",
        type=_whole(1),
        metavar="N",
        help="centres planned at once on a local Dask cluster (default: one per core); "
        "1 plans them one after another without Dask",
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="plan on a running Dask cluster, e.g. tcp://10.0.0.5:8786 (its workers need "
        "carecal installed and must see ROOT and OUT)",
    )
    p.add_argument(
        "--force", action="store_true", help="plan every centre again, even those already planned"
    )
    p.add_argument(
        "--plots", action="store_true", help="also draw city_summary.png (needs carecal[plot])"
    )
    p.add_argument(
        "--time-limit",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="wall-clock seconds per centre (default 10 with --date, 60 with --from)",
    )
    p.add_argument(
        "--workers",
        type=_whole(1),
        default=1,
        metavar="N",
        help="solver threads of each centre's solve (default 1: the centres run in parallel)",
    )
    _add_seed_options(p)
    p.set_defaults(func=_cmd_city)


_READS_DATA = (
    "validate",
    "meals",
    "health-checks",
    "shifts",
    "week",
    "verify",
    "compare",
    "report",
    "substitutes",
)
"""The commands that read DATA, and so take ``--problems FILE``."""
MAX_GROUPS_SHOWN = 15
"""Kinds of problem printed on the screen at most; ``--problems FILE`` has every one."""


def _print_problems(problems: Sequence[str], stream: TextIO, full_list: str | None) -> None:
    """Print the problems grouped (bounded, however many rows are bad) and write every one
    to ``full_list`` when given."""
    from carecal.io.problems import group_problems

    if full_list is not None:
        _write_problems(problems, full_list, stream)
    if len(problems) == 1:
        print(f"carecal: {problems[0]}", file=stream)
        return
    groups = group_problems(problems)
    print(f"carecal: {len(problems):,} problem(s):", file=stream)
    for group in groups[:MAX_GROUPS_SHOWN]:
        first, *examples = group.splitlines()
        print(f"  - {first}", file=stream)
        for line in examples:
            print(f"    {line}", file=stream)
    left = groups[MAX_GROUPS_SHOWN:]
    if left:
        print(f"  … and {len(left)} more kind(s) of problem", file=stream)
    if len(groups) < len(problems) and full_list is not None:
        print(f"  (every problem, one per line: {full_list})", file=stream)
    elif len(groups) < len(problems):
        print("  (give --problems FILE to write every problem, one per line)", file=stream)


def _write_problems(problems: Sequence[str], path: str, stream: TextIO) -> None:
    """Write the full list of problems, one per line; a file that cannot be written is said."""
    try:
        Path(path).write_text("".join(f"{p}\n" for p in problems), encoding="utf-8")
    except OSError as err:
        print(
            f"carecal: could not write the problems to {path}: {err.strerror or err}", file=stream
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (see the module docstring)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as stop:
        # argparse has printed the usage and the problem (or the help); keep its status.
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or EXIT_OK
        return EXIT_INVALID
    console = _Console(sys.stderr, quiet=args.quiet)
    full_list = getattr(args, "problems", None)
    try:
        _extras_checked(args)
        status = int(args.func(args, console))
    except CarecalError as err:
        _print_problems(err.problems, sys.stderr, full_list)
        return EXIT_INVALID
    except OSError as err:
        print(f"carecal: {err.strerror or err}: {err.filename or ''}", file=sys.stderr)
        return EXIT_INVALID
    if full_list is not None:
        # No problem this time: an empty list, not the problems of an earlier run.
        _write_problems([], full_list, sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
