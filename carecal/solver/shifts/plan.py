"""The shift planner's public call: a community and a period in, a :class:`ShiftPlan` out.

:func:`plan_shifts` checks what the user gave (options, dates, policy, demand, hint) and
calls :func:`shift_plan`, which ``plan_week`` calls too with plain dates and its share of
the options.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from typing import Any

from carecal.clock import coerce_date, coerce_period
from carecal.errors import OptionError
from carecal.model import Community
from carecal.options import ProgressOption, SolveOptions, solve_options
from carecal.plans import ShiftPlan
from carecal.policy import check_policy
from carecal.solver.shifts.problem import Demand, build_shift_problem, roster_of
from carecal.solver.shifts.search import solve_shift_problem
from carecal.solver.shifts.solution import assignments, explain_terms, unserved

__all__ = ["plan_shifts", "shift_plan"]

# Seconds kept per (shift place, volunteer) pair for writing up the open places (who could
# fill each one), at most a tenth of the time limit: a year of 150 volunteers takes a few
# seconds.
_EXPLAIN_SECONDS_PER_PAIR = 5e-6


def plan_shifts(
    community: Community,
    start: Any,
    end: Any = None,
    *,
    demand: Demand | None = None,
    hint: ShiftPlan | None = None,
    time_limit: float = 30.0,
    workers: int | None = None,
    seed: int = 0,
    deterministic: bool = False,
    progress: ProgressOption = False,
) -> ShiftPlan:
    """Plan who is on which shift from ``start`` to ``end`` (both included).

    Parameters
    ----------
    community
        The community: volunteers, availability, shifts, requests and policy.
    start, end
        The period: dates, ``"YYYY-MM-DD"``, or naive timestamps at midnight. ``end``
        defaults to ``start`` + 6 days (a week).
    demand
        Places for shifts whose ``min_volunteers`` is ``auto``: ``{(date, shift_id): n}``
        (a minimum) or ``{(date, shift_id): (minimum, wanted maximum)}``; also overrides
        the numbers of other shifts on those dates. Default ``None``: no ``auto`` shift
        may run in the period. ``plan_week`` passes the carriers the meal routes need
        and the escorts the campaign needs.
    hint
        An earlier plan to start from, for example last week's plan or a coordinator's
        edit (default ``None``).
    time_limit
        Wall seconds for the whole call, building the problem and writing up the open
        places included (default 30).
    workers
        CP-SAT threads per solve (default ``None``: every core). After column
        generation on many volunteers, two neighbourhoods are solved side by side on one
        thread each. A volunteer whose pledges leave a narrow band of minutes may, as a
        last resort for their first timetable, get a wide portfolio of 8 CP-SAT workers.
    seed
        Seed of every random choice of the search and of CP-SAT (default 0).
    deterministic
        Same input, same plan (default ``False``): every solve stops on CP-SAT's work
        (deterministic time) instead of the clock, and so does the search, so
        ``time_limit`` becomes a budget of work (about as many seconds on an idle
        machine).
    progress
        ``False`` (default), ``True`` for a progress bar, or a callable receiving each
        :class:`carecal.progress.ProgressEvent`: the stages ``"first timetable"``,
        ``"column generation"`` and ``"improving"`` (each better plan, with its objective
        and the proven bound), then ``"done"``.

    Returns
    -------
    ShiftPlan
        Assignments, the shift places left open (``unserved``, kind ``shift``, with the
        reason and who could fill them), the named objective terms and the bound.

    Raises
    ------
    carecal.OptionError
        For an invalid option, period, demand or hint.
    carecal.CommunityError
        For an invalid policy, or an ``auto`` shift in the period without a demand.
    """
    options = solve_options(
        "plan_shifts",
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        deterministic=deterministic,
        progress=progress,
    )
    try:
        first, last = coerce_period(start, end, default_days=7)
        check_policy(community.policy)
        wanted = _checked_demand(community, demand)
        if hint is not None and not isinstance(hint, ShiftPlan):
            raise OptionError(
                f"plan_shifts: hint must be a ShiftPlan (an earlier plan), not "
                f"{type(hint).__name__}"
            )
        return shift_plan(community, first, last, options, demand=wanted, hint=hint)
    finally:
        options.reporter.close()


def shift_plan(
    community: Community,
    first: dt.date,
    last: dt.date,
    options: SolveOptions,
    *,
    demand: Demand | None = None,
    hint: ShiftPlan | None = None,
) -> ShiftPlan:
    """The shift plan of ``first``..``last`` under checked ``options`` (see :func:`plan_shifts`).

    The call ``plan_week`` makes with its share of the time: dates are plain
    ``datetime.date``, the policy is checked and the options started by the caller.

    Raises
    ------
    carecal.OptionError
        When the period ends before it starts.
    carecal.CommunityError
        When an ``auto`` shift in the period has no demand.
    """
    t0 = time.monotonic()
    problem = build_shift_problem(community, first, last, demand)
    warm = None if hint is None else roster_of(problem, hint.assignments)
    budget = None
    if not options.deterministic:
        # The limit is for the whole call: building the problem counts too, and so does
        # writing up the open places afterwards, which grows with shifts x volunteers.
        reserve = min(
            0.1 * options.time_limit,
            _EXPLAIN_SECONDS_PER_PAIR * len(problem.slots) * problem.n_volunteers,
        )
        budget = max(0.05, options.remaining() - reserve)
    solution = solve_shift_problem(problem, options, budget=budget, start=warm)
    if not solution.status.has_plan:
        solution.roster = [set() for _ in problem.volunteer_ids]
    plan = ShiftPlan(
        status=solution.status,
        start=first,
        end=last,
        assignments=tuple(assignments(problem, solution.roster)),
        unserved=tuple(unserved(community, problem, solution)),
        objective_terms={k: float(v) for k, v in solution.terms.items()},
        bound=solution.bound,
        explain_terms=explain_terms(problem, solution),
        demand={
            key: (value, None) if isinstance(value, int) else (value[0], value[1])
            for key, value in (demand or {}).items()
            if first <= key[0] <= last
        },
        solve_seconds=time.monotonic() - t0,
    ).with_people(community)
    options.reporter(
        "done",
        f"shift plan: {plan.status.value}, objective {plan.objective:g}, bound {plan.bound}",
        objective=plan.objective,
        bound=plan.bound,
    )
    return plan


def _checked_demand(community: Community, demand: object) -> Demand | None:
    """The ``demand`` argument checked, with its dates as plain ``datetime.date``."""
    if demand is None:
        return None
    how = (
        "give demand as {(date, shift_id): minimum} or "
        "{(date, shift_id): (minimum, wanted maximum or None)}"
    )
    if not isinstance(demand, Mapping):
        raise OptionError(
            f"plan_shifts: demand must be a mapping, not {type(demand).__name__}; {how}"
        )
    known = {s.shift_id for s in community.shifts}
    out: dict[tuple[dt.date, str], int | tuple[int, int | None]] = {}
    for key, value in demand.items():
        if not (isinstance(key, tuple) and len(key) == 2 and isinstance(key[1], str)):
            raise OptionError(f"plan_shifts: demand key {key!r} is not (date, shift_id); {how}")
        date = coerce_date(key[0], "demand date")
        if key[1] not in known:
            raise OptionError(
                f"plan_shifts: demand names shift {key[1]!r}, which is not in the community's "
                f"shifts ({', '.join(sorted(known)) or 'none'})"
            )
        low, high = value if isinstance(value, tuple) and len(value) == 2 else (value, None)
        if not _count(low) or not (high is None or _count(high)):
            raise OptionError(
                f"plan_shifts: demand for {key[1]} on {date} is {value!r}; places are whole "
                f"numbers of 0 or more; {how}"
            )
        out[(date, key[1])] = value if isinstance(value, tuple) else int(value)
    return out


def _count(value: object) -> bool:
    """Whether ``value`` is a whole number of places (0 or more)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
