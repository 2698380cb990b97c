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

This module is long (about 1,200 lines) because it holds the parser and one small function
per command, which share a handful of helpers (reading, writing and verifying, printing
problems); splitting the commands into modules would spread those helpers out. A split
by command group (planning, re-planning and plan folders, city) is the next step; it
was left for a session that changes no command, so the split can be checked alone.
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
from carecal.i18n import N_, Message

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
    """What the command line prints on stderr, in the command's language.

    ``say`` is chatter ("Read ...", "Wrote ...", summaries), hidden by ``-q``; ``problem``
    is what went wrong (broken rules), always printed. ``lang`` is ``--lang``, else the
    ``lang`` of the data's policy.toml, else English; once the community is read, its
    policy's. ``_`` gives the words of that language.
    """

    def __init__(self, stream: TextIO, quiet: bool = False, lang: str = "en") -> None:
        self.stream = stream
        self.quiet = quiet
        self.lang = lang

    def _(self, message: str) -> str:
        """``message`` in the console's language (from the catalog)."""
        from carecal.i18n import translator

        return translator(self.lang).gettext(message)

    def say(self, message: str) -> None:
        if not self.quiet:
            print(message, file=self.stream, flush=True)

    def problem(self, message: str) -> None:
        print(message, file=self.stream, flush=True)

    @property
    def progress(self) -> bool:
        """Whether the planners show a progress bar: in a terminal, not with ``-q``."""
        return not self.quiet and self.stream.isatty()


# The planners' stages and names as the progress bar shows them, for the catalog: the bar
# speaks the command's language (the planners report these words in English).
_STAGES = (
    N_("routing"),
    N_("booking"),
    N_("walking and spread"),
    N_("building"),
    N_("column generation"),
    N_("first timetable"),
    N_("improving"),
    N_("re-route"),
    N_("meals"),
    N_("campaign"),
    N_("shifts"),
    N_("done"),
)
_PLANNERS = {
    "plan_meals": N_("meal routes"),
    "plan_health_checks": N_("health checks"),
    "plan_shifts": N_("shift plan"),
    "plan_week": N_("week plan"),
}


class _Bar:
    """The progress bar of a planning command in its language: a ``progress`` callable
    that draws :mod:`carecal.progress`'s bar with the stage and planner said in words."""

    def __init__(self, lang: str) -> None:
        from carecal.i18n import translator

        self._ = translator(lang).gettext
        self._bar: Any = None

    def __call__(self, event: Any) -> None:
        from dataclasses import replace

        from carecal.progress import _Bar as Bar

        planner = self._(_PLANNERS.get(event.planner, event.planner))
        if self._bar is None:
            self._bar = Bar(event.time_limit, planner)
        self._bar(replace(event, planner=planner, stage=self._(event.stage)))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


# --- shared steps ---------------------------------------------------------------------------


@contextmanager
def _warnings_said(console: _Console) -> Iterator[None]:
    """Say every warning raised inside the block (a foreign file, a folder from 0.1, ...)."""
    from carecal.i18n import render

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        # A reader's warning holds its sentence as a Message: said in the console's language.
        text = w.message.args[0] if isinstance(w.message, Warning) and w.message.args else ""
        shown = render(text, console.lang) if isinstance(text, str) else str(w.message)
        console.say(console._("warning: {message}").format(message=shown))


def _read_plan(folder: Path, community: Community, console: _Console) -> Plan:
    """The plan in a plan folder, with its warnings said."""
    from carecal.io import read_plan

    with _warnings_said(console):
        return read_plan(folder, community)


def _read(
    path: str,
    console: _Console,
    as_of: dt.date | None = None,
    lang: str | None = None,
    changes: str | None = None,
) -> Community:
    """The community in ``path``; ``lang`` (``--lang``) overrides its policy's language,
    ``changes`` (``--changes FILE``) replaces its ``changes.csv``."""
    from carecal.io import read_community

    source = Path(path)
    if not source.exists():
        raise OptionError(
            Message(
                N_(
                    "{path}: no such folder or file; give the folder of CSV files "
                    "(residents.csv, volunteers.csv, availability.csv, sites.csv) or an .xlsx "
                    "workbook"
                ),
                path=path,
            )
        )
    with _warnings_said(console):
        community = read_community(source, as_of=as_of, changes=changes)
        if lang is not None:
            community = community.with_policy(lang=lang)
        # From here on the console speaks the community's language (its warnings too).
        console.lang = community.policy.lang
    console.say(
        console._(
            "Read {source}: {residents} residents, {volunteers} volunteers, {sites} sites."
        ).format(
            source=source,
            residents=len(community.residents),
            volunteers=len(community.volunteers),
            sites=len(community.sites),
        )
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
        raise OptionError(_to_before_from(first, last))
    return first, last


def _to_before_from(first: dt.date, last: dt.date) -> Message:
    return Message(
        N_(
            "--to {last} comes before --from {first}; give --to on or after --from (both "
            "days are planned)"
        ),
        first=first,
        last=last,
    )


def _solve_options(args: argparse.Namespace, console: _Console) -> dict[str, Any]:
    """The keyword options every planner takes, from the command's flags."""
    return {
        "time_limit": args.time_limit,
        "workers": args.workers,
        "seed": args.seed,
        "deterministic": args.deterministic,
        "progress": _progress(console),
    }


def _progress(console: _Console) -> bool | _Bar:
    """The planners' ``progress`` option: a bar in a terminal (in the console's language),
    nothing otherwise."""
    if not console.progress:
        return False
    return True if console.lang == "en" else _Bar(console.lang)


def _planned(options: dict[str, Any]) -> None:
    """Close the progress bar of a planner call that drew one in the console's language."""
    if isinstance(options.get("progress"), _Bar):
        options["progress"].close()


def _label(plan: Plan, console: _Console) -> str:
    from carecal.plans import CampaignPlan, MealPlan, ShiftPlan

    _ = console._
    if isinstance(plan, MealPlan):
        return _("meals {date}").format(date=plan.date)
    if isinstance(plan, CampaignPlan) and plan.dates:
        return _("health checks {first} to {last}").format(first=plan.dates[0], last=plan.dates[-1])
    if isinstance(plan, ShiftPlan):
        return _("shifts {first} to {last}").format(first=plan.start, last=plan.end)
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

    _ = console._

    def report(label: str, violations: Sequence[Any]) -> None:
        nonlocal found
        found += len(violations)
        if violations:
            console.problem(
                _("{label}: {count} broken rule(s):").format(label=label, count=len(violations))
            )
            for v in violations:
                console.problem(f"  {v}")
        elif each:
            console.say(_("{label}: every rule holds.").format(label=label))

    for plan in plans:
        violations = verify(community, plan)  # type: ignore[arg-type]
        seen |= {(v.rule, v.message) for v in violations}
        report(_label(plan, console), violations)
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
        report(_("the week (carriers and escorts on duty)"), agreement)
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
    from carecal.io import write_plan

    _ = console._
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
        console.problem(
            _("{folder}: the verifier found {count} broken rule(s) in the plan as written.").format(
                folder=out, count=found
            )
        )
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
        console._(
            "The input is valid: {orders} standing meal orders, {due} residents due a health "
            "check on {day}, {shifts} shift rows, {campaign} campaign day(s)."
        ).format(
            orders=orders,
            due=due,
            day=due_from,
            shifts=len(community.shifts),
            campaign=len(community.campaign),
        )
    )
    return EXIT_OK


def _cmd_meals(args: argparse.Namespace, console: _Console) -> int:
    from carecal.solver.meals import plan_meals

    date = _date(args.date, "--date") or next_weekday(dt.date.today())
    community = _read(args.data, console, lang=args.lang)
    console.say(
        console._("Planning the meal routes of {date} ({weekday}).").format(
            date=date, weekday=_weekday(console, date)
        )
    )
    options = _solve_options(args, console)
    plan = plan_meals(community, date, engine=args.engine, **options)
    _planned(options)
    return _write_and_verify(plan, Path(args.out), community, console, args)


def _weekday(console: _Console, date: dt.date) -> str:
    """The weekday of ``date`` in the console's language (``Mon``, ``周一``)."""
    from carecal.i18n import translator

    return translator(console.lang).short_weekday(date) if console.lang != "en" else weekday(date)


def _cmd_health_checks(args: argparse.Namespace, console: _Console) -> int:
    from carecal.solver.campaign import plan_health_checks

    start, end = _date(args.date_from, "--from"), _date(args.date_to, "--to")
    if (start is None) != (end is None):
        raise OptionError(
            Message(N_("give both --from and --to, or neither to plan the days of campaign.csv"))
        )
    if start is not None and end is not None and end < start:
        raise OptionError(_to_before_from(start, end))
    community = _read(args.data, console, lang=args.lang)
    console.say(console._("Planning the health-check campaign."))
    options = _solve_options(args, console)
    plan = plan_health_checks(community, start, end, **options)
    _planned(options)
    return _write_and_verify(plan, Path(args.out), community, console, args)


def _cmd_shifts(args: argparse.Namespace, console: _Console) -> int:
    from carecal.solver.shifts import plan_shifts

    return _plan_period(args, console, plan_shifts, N_("the shifts"))


def _cmd_week(args: argparse.Namespace, console: _Console) -> int:
    from carecal.solver.week import plan_week

    return _plan_period(args, console, plan_week, N_("the week (meals, campaign days, shifts)"))


def _plan_period(
    args: argparse.Namespace, console: _Console, planner: Callable[..., Any], what: str
) -> int:
    """A planner of a period (``--from``, ``--to``/``--days``): plan, write, verify."""
    first, last = _period(args)
    community = _read(args.data, console, lang=args.lang)
    console.say(
        console._("Planning {what} of {first} to {last}.").format(
            what=console._(what), first=first, last=last
        )
    )
    options = _solve_options(args, console)
    plan = planner(community, first, last, **options)
    _planned(options)
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
    from carecal.i18n import render
    from carecal.report import month_span, report

    month_span(args.month)  # a bad month is said before anything is read
    community = _read(args.data, console, lang=args.lang)
    with _warnings_said(console):
        result = report(community, [Path(p) for p in args.plans], args.month)
    for note in result.notes:
        console.say(console._("warning: {message}").format(message=render(note, console.lang)))
    paths = result.write(Path(args.out), plots=True if args.plots else None)
    console.say(result.summary())
    console.say(
        console._("Wrote {count} file(s) to {folder}").format(
            count=len(paths), folder=Path(args.out).resolve()
        )
    )
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


def _cmd_replan(args: argparse.Namespace, console: _Console) -> int:
    from carecal.clock import coerce_now
    from carecal.io import read_plan
    from carecal.replan.dispatch import default_time_limit, first_date, replan_plan

    community = _read(args.data, console, lang=args.lang, changes=args.changes)
    with _warnings_said(console):
        # Made before the changes: its community's fingerprint is not this one's.
        previous = read_plan(Path(args.plan), community, before_changes=True)
    now = coerce_now(args.now, first_date(previous), "--now")
    _ = console._
    console.say(
        _("Re-planning {plan} with the changes, from {now}.").format(
            plan=args.plan, now=now.strftime("%Y-%m-%d %H:%M") if now else _("the start")
        )
    )
    options = _solve_options(args, console)
    if options["time_limit"] is None:
        options["time_limit"] = default_time_limit(previous)
    plan = replan_plan(community, previous, now, **options)
    _planned(options)
    code = _write_and_verify(plan, Path(args.out), community, console, args)
    calls = plan.to_call or ()
    if not calls:
        console.say(_("Nobody's day changed: nobody to call."))
    else:
        console.say(
            _("To call ({count}), also in {file}:").format(
                count=len(calls), file=Path(args.out) / "to_call.csv"
            )
        )
        for call in calls:
            who = " ".join(part for part in (call.person_id, call.name, call.phone) if part)
            console.say(f"  {who}: {call.what_changed}")
    return code


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
    console.lang = community.policy.lang
    _ = console._
    console.say(
        _(
            "The sample community ({folder}): {residents} residents, {volunteers} volunteers; "
            "planning the week from {date} ({weekday}) and the health-check campaign, in "
            "{seconds:g} s."
        ).format(
            folder=sample_folder(),
            residents=len(community.residents),
            volunteers=len(community.volunteers),
            date=date,
            weekday=_weekday(console, date),
            seconds=args.time_limit,
        )
    )
    options = _solve_options(args, console)
    options["time_limit"] = args.time_limit * DEMO_WEEK_SHARE
    week = plan_week(community, date, **options)
    _planned(options)
    status = _write_and_verify(week, out / "week", community, console, args)
    # The campaign has what the week left of the demo's time limit.
    options = _solve_options(args, console)
    options["time_limit"] = max(
        MIN_DEMO_CAMPAIGN_SECONDS, args.time_limit - (time.perf_counter() - began)
    )
    campaign = plan_health_checks(community, **options)
    _planned(options)
    status |= _write_and_verify(campaign, out / "health_checks", community, console, args)
    console.say(
        "\n"
        + _(
            "The schedules are in {folder}:\n"
            "  week/meal_routes.csv, week/shift_plan.csv, week/packing_list.html (the "
            "kitchen's packing list), week/routes/*.html (route sheets), "
            "week/timetables/*.html\n"
            "  health_checks/health_checks.csv, health_checks/escorts/*.html (escort day "
            "sheets)\n"
            "  */unserved.csv and */summary.md"
        ).format(folder=out.resolve())
    )
    return status


def _cmd_city(args: argparse.Namespace, console: _Console) -> int:
    from carecal.city import plan_city
    from carecal.progress import ProgressEvent

    _ = console._
    if args.date is not None and (args.date_to is not None or args.days is not None):
        raise OptionError(
            Message(
                N_(
                    "--to and --days go with --from (a week plan per centre); --date plans one "
                    "day's meals per centre"
                )
            )
        )
    if args.date is not None:
        first, last = coerce_date(args.date, "--date"), None
        console.say(
            _("Planning each centre's meal routes of {date} ({weekday}).").format(
                date=first, weekday=_weekday(console, first)
            )
        )
    else:
        first, last = _period(args)
        console.say(
            _(
                "Planning each centre's week (meals, campaign days, shifts), {first} to {last}."
            ).format(first=first, last=last)
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
    console.say(
        _("Wrote the roll-up to {csv} and city_summary.html.").format(csv=out / "city_summary.csv")
    )
    status = EXIT_OK
    for centre in city.centres:
        if centre.broken_rules:
            console.problem(
                _("{centre}: the verifier found {count} broken rule(s) in {folder}:").format(
                    centre=centre.name, count=len(centre.broken_rules), folder=centre.folder
                )
            )
            for rule in centre.broken_rules:
                console.problem(f"  {rule}")
            status = EXIT_VIOLATIONS
        if centre.note:
            console.say(f"{centre.name}: {centre.note}")
        for warning in centre.warnings:
            console.say(
                _("{centre}: warning: {message}").format(centre=centre.name, message=warning)
            )
    if city.failed:
        console.problem(
            _("{failed} of {count} centre(s) were not planned:").format(
                failed=len(city.failed), count=len(city.centres)
            )
        )
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


def _add_solve_options(p: argparse.ArgumentParser, limit: float | None, what: str) -> None:
    """``--time-limit`` (default ``limit``; ``None``: ``what`` says the default),
    ``--workers``, ``--seed`` and ``--deterministic``."""
    p.add_argument(
        "--time-limit",
        type=_seconds,
        default=limit,
        metavar="SECONDS",
        help=f"total wall-clock seconds for {what}"
        + ("" if limit is None else f" (default {limit:g})"),
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
        "replan",
        help="re-plan a plan folder after changes, moving as little as possible",
        description="Re-plan the meals, campaign, shift or week plan in PLAN with the "
        "changes in DATA (changes.csv, or --changes FILE; availability and roster edits): "
        "what happened before --now and the rows marked in a locked column are kept, "
        "everything else moves only where it must (serving first), and to_call.csv lists "
        "whom to call.",
    )
    p.add_argument("data", help=data_help)
    p.add_argument("--plan", required=True, help="the plan folder to re-plan")
    p.add_argument("--out", required=True, help=out_help + " (may be --plan itself)")
    p.add_argument(
        "--now",
        metavar="TIME",
        help="HH:MM on the plan's (first) date, or 'YYYY-MM-DD HH:MM': what began before "
        "is kept as it was (default: nothing has happened yet)",
    )
    p.add_argument(
        "--changes",
        metavar="FILE",
        help="a CSV file of changes to use instead of DATA's changes.csv",
    )
    _add_solve_options(
        p,
        None,
        "the re-plan (default: as the plan's own command: meals 10, health checks 30, "
        "shifts 30, week 60)",
    )
    _add_outputs(p)
    p.set_defaults(func=_cmd_replan)

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
    "replan",
)
"""The commands that read DATA, and so take ``--problems FILE``."""
MAX_GROUPS_SHOWN = 15
"""Kinds of problem printed on the screen at most; ``--problems FILE`` has every one."""


def _print_problems(
    problems: Sequence[str], stream: TextIO, full_list: str | None, lang: str = "en"
) -> None:
    """Print the problems grouped (bounded, however many rows are bad) and write every one
    to ``full_list`` when given, both in ``lang``."""
    from carecal.i18n import render, translator
    from carecal.io.problems import group_problems

    _ = translator(lang).gettext
    if full_list is not None:
        _write_problems([render(p, lang) for p in problems], full_list, stream, lang)
    if len(problems) == 1:
        print(f"carecal: {render(problems[0], lang)}", file=stream)
        return
    groups = group_problems(problems, lang=lang)
    print("carecal: " + _("{count:,} problem(s):").format(count=len(problems)), file=stream)
    for group in groups[:MAX_GROUPS_SHOWN]:
        first, *examples = group.splitlines()
        print(f"  - {first}", file=stream)
        for line in examples:
            print(f"    {line}", file=stream)
    left = groups[MAX_GROUPS_SHOWN:]
    if left:
        print(
            "  " + _("… and {count} more kind(s) of problem").format(count=len(left)), file=stream
        )
    if len(groups) < len(problems) and full_list is not None:
        print("  " + _("(every problem, one per line: {file})").format(file=full_list), file=stream)
    elif len(groups) < len(problems):
        print("  " + _("(give --problems FILE to write every problem, one per line)"), file=stream)


def _write_problems(problems: Sequence[str], path: str, stream: TextIO, lang: str = "en") -> None:
    """Write the full list of problems, one per line; a file that cannot be written is said."""
    from carecal.i18n import translator

    try:
        Path(path).write_text("".join(f"{p}\n" for p in problems), encoding="utf-8")
    except OSError as err:
        print(
            "carecal: "
            + translator(lang)
            .gettext("could not write the problems to {file}: {error}")
            .format(file=path, error=err.strerror or err),
            file=stream,
        )


def _lang_of(args: argparse.Namespace) -> str:
    """The language the command speaks before its data is read: ``--lang``, else the
    ``lang`` of the data's ``policy.toml`` when that file reads as TOML (even if other
    settings in it are wrong, so that its problems are said in the centre's language),
    else English."""
    import tomllib

    from carecal.i18n import LANGS

    if getattr(args, "lang", None):
        return str(args.lang)
    data = getattr(args, "data", None)
    if not data:
        return "en"
    source = Path(data)
    policy = source / "policy.toml" if source.is_dir() else source.parent / "policy.toml"
    try:
        lang = tomllib.loads(policy.read_text(encoding="utf-8-sig")).get("lang")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return "en"
    return lang if lang in LANGS else "en"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (see the module docstring)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as stop:
        # argparse has printed the usage and the problem (or the help); keep its status.
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or EXIT_OK
        return EXIT_INVALID
    console = _Console(sys.stderr, quiet=args.quiet, lang=_lang_of(args))
    full_list = getattr(args, "problems", None)
    try:
        _extras_checked(args)
        status = int(args.func(args, console))
    except CarecalError as err:
        _print_problems(err.problems, sys.stderr, full_list, console.lang)
        return EXIT_INVALID
    except OSError as err:
        print(f"carecal: {err.strerror or err}: {err.filename or ''}", file=sys.stderr)
        return EXIT_INVALID
    if full_list is not None:
        # No problem this time: an empty list, not the problems of an earlier run.
        _write_problems([], full_list, sys.stderr, console.lang)
    return status


if __name__ == "__main__":
    sys.exit(main())
