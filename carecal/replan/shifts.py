"""Re-plan the volunteers' shift plan after a change: :func:`replan_shifts`."""

from __future__ import annotations

import datetime as dt

from carecal.clock import coerce_now
from carecal.errors import CommunityError, OptionError
from carecal.model import Community
from carecal.options import ProgressOption, solve_options
from carecal.plans import Assignment, ShiftPlan, Status
from carecal.policy import check_policy
from carecal.replan.calls import who_to_call
from carecal.solver.shifts.replan import replan_shift_plan
from carecal.verify.shifts import verify_shifts

__all__ = ["replan_shifts"]

# What the verifier can say of some rows alone that more rows could mend (a minimum of
# minutes, a run of days too short) or that judges the whole plan (cover, demand): such
# findings do not mean a locked row cannot stand.
_NOT_CONCLUSIVE = frozenset({"cover", "demand", "minutes", "min_consecutive_days", "days_off"})


def replan_shifts(
    community: Community,
    previous: ShiftPlan,
    now: object = None,
    *,
    time_limit: float = 30.0,
    workers: int | None = None,
    seed: int = 0,
    deterministic: bool = False,
    progress: ProgressOption = False,
) -> ShiftPlan:
    """Re-plan the volunteers' shifts after a change, adding and removing as few
    assignments as possible.

    The changes come in through ``community`` (a ``volunteer_off`` in its ``changes``,
    its availability, roster and shifts); ``previous`` is a shift plan made before them
    (by :func:`carecal.plan_shifts` or :func:`carecal.plan_week`, or read back with
    :func:`carecal.read_plan` and maybe edited by hand, with ``locked`` rows). The period
    and the places of ``auto`` shifts (``previous.demand``) are the previous plan's.

    - **Frozen**: an assignment whose start is before ``now`` happened and is kept
      exactly, even when the change makes it impossible (its volunteer off): it is not
      re-planned, and the verifier will then report it. No place that starts before
      ``now`` gets a new volunteer.
    - **Locked**: an assignment with ``locked=True`` is kept and stays locked. A locked
      assignment the changed community makes impossible is an error, never dropped in
      silence.
    - **The objective, in order** (each tier strictly above the next, by staged solves):
      the fewest places short of each shift's minimum (as :func:`carecal.plan_shifts`
      weighs them); then the fewest assignments added or removed
      (``move_shift_weight`` each); then the planner's own objective (over cover,
      requests, weekends, fairness, stability). So a re-plan without a change changes
      nothing, and a volunteer off changes their assignments and only what the cover
      then needs. The re-plan is never worse in that order than keeping what is still
      valid of ``previous``.

    Parameters
    ----------
    community
        The community as it is now, changes included.
    previous
        The shift plan made before the changes.
    now
        The moment the re-plan starts from (default ``None``: nothing has happened yet).
        A naive ``datetime``, ``"YYYY-MM-DD HH:MM"``, or ``"HH:MM"`` (or a
        ``datetime.time``) on the plan's first date.
    time_limit
        Total wall-clock seconds for the call (default 30.0).
    workers
        CP-SAT threads (default ``None``: every core of the machine).
    seed
        Seed of the solver (default 0).
    deterministic
        Same input, same plan (default ``False``): each solve stops after a fixed amount
        of work instead of the clock (see :mod:`carecal.solver.cpsat`).
    progress
        ``False`` (default), ``True`` for a progress bar, or a callable that receives
        each :class:`carecal.progress.ProgressEvent` (stages ``"serving"``,
        ``"disruption"`` and ``"improving"``).

    Returns
    -------
    ShiftPlan
        Assignments (the frozen and locked ones as they were), the places left open
        (``unserved``), the objective terms ``under_cover``, ``changed_assignments``,
        ``over_cover``, ``requests``, ``weekends``, ``fairness`` and ``stability``
        (weighted so that their sum is the lexicographic objective; the last five as
        :func:`carecal.plan_shifts` weighs them), ``explain_terms`` (with the
        assignments added and removed under ``changed_assignments``), the bound and the
        status; ``to_call``, the people whose day changed
        (:func:`carecal.replan.calls.who_to_call`).

    Raises
    ------
    OptionError
        When ``previous`` is not a shift plan, ``now`` is not a moment, or a solving
        option is invalid.
    CommunityError
        Before solving, when the policy is invalid, an ``auto`` shift of the period has
        no demand in ``previous``, or a locked assignment cannot be kept (its volunteer
        off or gone, its shift gone, or it clashes with another kept assignment): the
        message names the volunteer, the shift and the date, and says to unlock the row
        or undo the change.
    """
    options = solve_options(
        "replan_shifts",
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        deterministic=deterministic,
        progress=progress,
    )
    try:
        if not isinstance(previous, ShiftPlan):
            raise OptionError(
                f"replan_shifts: previous must be a ShiftPlan (the shift plan to re-plan), "
                f"not {type(previous).__name__}"
            )
        check_policy(community.policy)
        moment = coerce_now(now, previous.start)
        check_locked_assignments(community, previous, moment)
        plan = replan_shift_plan(community, previous, moment, options)
        return plan.model_copy(update={"to_call": who_to_call(community, previous, plan)})
    finally:
        options.reporter.close()


def check_locked_assignments(
    community: Community, previous: ShiftPlan, now: dt.datetime | None
) -> None:
    """Refuse a locked assignment that the changed community makes impossible.

    Each locked row (not yet started) is checked by the verifier together with the rows
    that started before ``now`` and the locked rows before it: any rule it breaks that
    they did not is its fault (rules that more rows could mend aside).

    Raises
    ------
    CommunityError
        Naming the volunteer, the shift, the date, what is broken and the fix.
    """

    def started(a: Assignment) -> bool:
        moment = dt.datetime.combine(a.date, dt.time()) + dt.timedelta(minutes=a.start)
        return now is not None and moment < now

    locked = [a for a in previous.assignments if a.locked and not started(a)]
    if not locked:
        return
    accepted = [a for a in previous.assignments if started(a)]
    known = _violations(community, previous, accepted)
    if _violations(community, previous, accepted + locked) <= known:
        return
    for a in locked:
        found = _violations(community, previous, [*accepted, a])
        new = sorted(found - known)
        if new:
            raise CommunityError(
                [
                    f"shift_plan.csv: the locked row of volunteer {a.volunteer_id} on shift "
                    f"{a.shift_id} on {a.date} cannot be kept: {'; '.join(new)}. Unlock the "
                    "row (clear its locked cell), or undo the change in changes.csv"
                ]
            )
        accepted.append(a)
        known = found


def _violations(community: Community, previous: ShiftPlan, rows: list[Assignment]) -> set[str]:
    """What the verifier finds conclusively wrong with ``rows`` alone."""
    plan = ShiftPlan(
        # No timetable as a whole: the verifier then checks only the volunteers in it.
        status=Status.TIME_LIMIT,
        start=previous.start,
        end=previous.end,
        assignments=tuple(rows),
        demand=previous.demand,
    )
    return {v.message for v in verify_shifts(community, plan) if v.rule not in _NOT_CONCLUSIVE}
