"""The shift planner's public call: a community and a period in, a :class:`ShiftPlan` out."""

from __future__ import annotations

import datetime as dt
import time

from carecal.model import Community, coerce_date
from carecal.plans import ShiftPlan
from carecal.solver.shifts.base import Progress
from carecal.solver.shifts.problem import Demand, build_shift_problem, roster_of
from carecal.solver.shifts.search import solve_shift_problem
from carecal.solver.shifts.solution import assignments, explain_terms, unserved

__all__ = ["plan_shifts"]


def plan_shifts(
    community: Community,
    start: dt.date | str,
    end: dt.date | str,
    demand: Demand | None = None,
    *,
    time_limit: float = 30.0,
    deterministic: bool = False,
    progress: Progress | None = None,
    workers: int | None = None,
    hint: ShiftPlan | None = None,
) -> ShiftPlan:
    """Plan who is on which shift from ``start`` to ``end`` (both included).

    Parameters
    ----------
    community
        The community: volunteers, availability, shifts, requests and policy.
    start, end
        The period (dates or ``YYYY-MM-DD``).
    demand
        Places for shifts whose ``min_volunteers`` is ``auto``: ``{(date, shift_id): n}``
        (a minimum) or ``{(date, shift_id): (minimum, wanted maximum)}``; also overrides
        the numbers of other shifts on those dates. The week plan passes the carriers the
        meal routes need and the escorts the campaign needs.
    time_limit
        Seconds to search in all.
    deterministic
        Same input, same plan (one worker; the limit is then in deterministic time units).
    progress
        Called with a line of text whenever the plan improves.
    workers
        CP-SAT workers (``None``: all cores).
    hint
        An earlier plan to start from, for example last week's plan or a coordinator's edit.

    Returns
    -------
    ShiftPlan
        Assignments, the shift places left open (``unserved``, kind ``shift``, with the
        reason and who could fill them), the named objective terms and the bound.

    Raises
    ------
    ValueError
        When the period is empty or an ``auto`` shift has no demand.
    """
    t0 = time.monotonic()
    first, last = coerce_date(start), coerce_date(end)
    problem = build_shift_problem(community, first, last, demand)
    warm = None if hint is None else roster_of(problem, hint.assignments)
    if not deterministic:
        # The limit is for the whole call: building the problem counts too.
        # So is writing up the open places afterwards (who could fill each one), which
        # grows with shifts x volunteers: a year of 150 volunteers takes a few seconds.
        reserve = min(0.1 * time_limit, 5e-6 * len(problem.slots) * problem.n_volunteers)
        time_limit = max(0.1, time_limit - (time.monotonic() - t0) - reserve)
    solution = solve_shift_problem(
        problem,
        time_limit=time_limit,
        deterministic=deterministic,
        workers=workers,
        progress=progress,
        start=warm,
    )
    if not solution.status.has_plan:
        solution.roster = [set() for _ in problem.volunteer_ids]
    return ShiftPlan(
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
    )
