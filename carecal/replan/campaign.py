"""Re-plan the health-check campaign after a change: :func:`replan_health_checks`."""

from __future__ import annotations

import datetime as dt

from carecal.clock import coerce_now
from carecal.errors import CommunityError, OptionError
from carecal.model import ClinicDay, Community
from carecal.options import ProgressOption, solve_options
from carecal.plans import Booking, CampaignPlan, Status
from carecal.policy import check_policy
from carecal.replan.calls import who_to_call
from carecal.solver.campaign.previous import PreviousBookings, split_previous
from carecal.solver.campaign.replan import replan_campaign
from carecal.verify.campaign import verify_campaign

__all__ = ["replan_health_checks"]

# The verifier's rules about who is due judge a whole plan; the fixed rows alone are not
# one, so those rules say nothing about whether a locked row can stand.
_WHOLE_PLAN_RULES = frozenset({"everyone_due", "home_check"})


def replan_health_checks(
    community: Community,
    previous: CampaignPlan,
    now: object = None,
    *,
    time_limit: float = 30.0,
    workers: int | None = None,
    seed: int = 0,
    deterministic: bool = False,
    progress: ProgressOption = False,
) -> CampaignPlan:
    """Re-plan the health-check campaign after a change, moving as few bookings as possible.

    The changes come in through ``community`` (its ``changes``: an escort off, a resident
    away, a clinic closed; its availability and roster); ``previous`` is a plan made
    before them (by :func:`carecal.plan_health_checks`, or read back with
    :func:`carecal.read_plan` and maybe edited by hand, with ``locked`` rows). The
    campaign's period is the previous plan's; its clinic days are those that still run.

    - **Frozen**: a booking whose pickup (or check start, for a resident who comes on
      their own) is before ``now`` happened and is kept exactly, even when the change
      makes it impossible (its escort off, say): it is not re-planned, and the verifier
      will then report it. Nothing new starts before ``now``: no new pickup (or walk-in
      check) before it, and nothing on an earlier date.
    - **Locked**: a booking with ``locked=True`` is kept as it is and stays locked. A
      locked booking the changed community makes impossible is an error, never dropped
      in silence.
    - **The objective, in order** (each tier strictly above the next, by staged solves):
      the most booking value, as :func:`carecal.plan_health_checks` weighs it (everyone
      booked first, the oldest, those living alone and longest without a check ahead);
      then the fewest bookings moved (``move_booking_weight`` each; a booking moves when
      its date, slot, clinic, escort or wheelchair changes, or it is dropped); then the
      planner's walking, spread and days for the oldest. So a re-plan without a change
      moves nobody, and a change moves only the bookings it must. The re-plan is never
      worse in that order than keeping what is still valid of ``previous``.

    Parameters
    ----------
    community
        The community as it is now, changes included.
    previous
        The campaign plan made before the changes.
    now
        The moment the re-plan starts from (default ``None``: nothing has happened yet).
        A naive ``datetime``, ``"YYYY-MM-DD HH:MM"``, or ``"HH:MM"`` (or a
        ``datetime.time``) on the campaign's first date.
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
        ``"disruption"`` and ``"walking and spread"``).

    Returns
    -------
    CampaignPlan
        Bookings (the frozen and locked ones as they were), the unserved with reason and
        fix, the objective terms ``unbooked_value``, ``moved_bookings``,
        ``escort_walk_estimate``, ``most_jobs_per_escort`` and ``days_for_oldest``
        (weighted so that their sum is the lexicographic objective), the bound and the
        status; ``to_call``, the people whose day changed
        (:func:`carecal.replan.calls.who_to_call`).

    Raises
    ------
    OptionError
        When ``previous`` is not a campaign plan or has no campaign days, ``now`` is not
        a moment, or a solving option is invalid.
    CommunityError
        Before solving, when the policy is invalid, every clinic day of the previous plan
        is closed, or a locked booking cannot be kept (its resident away or gone, its
        clinic closed, its escort off, or it clashes with another kept booking): the
        message names the resident and the date, and says to unlock the row or undo the
        change.
    """
    options = solve_options(
        "replan_health_checks",
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        deterministic=deterministic,
        progress=progress,
    )
    try:
        if not isinstance(previous, CampaignPlan):
            raise OptionError(
                f"replan_health_checks: previous must be a CampaignPlan (the campaign plan "
                f"to re-plan), not {type(previous).__name__}"
            )
        check_policy(community.policy)
        dates = _period(previous)
        moment = coerce_now(now, dates[0])
        days = _running_days(community, previous)
        split = split_previous(previous.bookings, moment)
        check_locked_bookings(community, split, days, dates)
        plan = replan_campaign(community, days, dates, split, moment, options)
        return plan.model_copy(update={"to_call": who_to_call(community, previous, plan)})
    finally:
        options.reporter.close()


def _period(previous: CampaignPlan) -> list[dt.date]:
    """The previous plan's campaign dates, sorted."""
    dates = sorted(
        set(previous.dates)
        | {date for date, _ in previous.clinic_days}
        | {b.date for b in previous.bookings}
    )
    if not dates:
        raise OptionError(
            "replan_health_checks: the previous plan has no campaign dates, clinic days or "
            "bookings; plan the campaign with plan_health_checks instead"
        )
    return dates


def _running_days(community: Community, previous: CampaignPlan) -> list[ClinicDay]:
    """The previous plan's clinic days that still run in the changed community."""
    pairs = list(previous.clinic_days) or sorted({(b.date, b.clinic_id) for b in previous.bookings})
    if not pairs:
        first, last = min(previous.dates), max(previous.dates)
        wanted = set(previous.dates)
        return [d for d in community.clinic_days(first, last) if d.date in wanted]
    days = [day for date, clinic in pairs if (day := community.clinic_day(date, clinic))]
    if not days:
        shown = ", ".join(f"{date} at {clinic}" for date, clinic in pairs[:10])
        raise CommunityError(
            [
                f"every clinic day of the previous plan is closed now ({shown}); undo the "
                "clinic_closed change in changes.csv, or plan a new campaign with "
                "plan_health_checks"
            ]
        )
    return sorted(days, key=lambda d: (d.date, d.clinic_id))


def check_locked_bookings(
    community: Community,
    previous: PreviousBookings,
    days: list[ClinicDay],
    dates: list[dt.date],
) -> None:
    """Refuse a locked booking that the changed community makes impossible.

    Each locked booking (not yet started) is checked by the verifier together with the
    frozen ones and the locked ones before it: any rule it breaks that they did not is
    its fault.

    Raises
    ------
    CommunityError
        Naming the resident, the date, what is broken and the fix.
    """
    locked = sorted(previous.locked, key=lambda b: (b.date, b.check_start, b.resident_id))
    if not locked:
        return
    accepted = list(previous.frozen)
    known = _violations(community, accepted, days, dates)
    if _violations(community, accepted + locked, days, dates) <= known:
        return
    for b in locked:
        found = _violations(community, [*accepted, b], days, dates)
        new = sorted(found - known)
        if new:
            raise CommunityError(
                [
                    f"health_checks.csv: the locked booking of resident {b.resident_id} on "
                    f"{b.date} cannot be kept: {'; '.join(new)}. Unlock the row (clear its "
                    "locked cell), or undo the change in changes.csv"
                ]
            )
        accepted.append(b)
        known = found


def _violations(
    community: Community, bookings: list[Booking], days: list[ClinicDay], dates: list[dt.date]
) -> set[str]:
    """What the verifier finds in a plan of ``bookings`` alone (whole-plan rules aside)."""
    plan = CampaignPlan(
        status=Status.FEASIBLE,
        dates=tuple(dates),
        clinic_days=tuple((d.date, d.clinic_id) for d in days),
        bookings=tuple(bookings),
    )
    return {v.message for v in verify_campaign(community, plan) if v.rule not in _WHOLE_PLAN_RULES}
