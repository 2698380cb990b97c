"""The campaign planner: who is due, the model, the two solves, the plan and who was left out."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from carecal.clock import coerce_period
from carecal.errors import CommunityError, OptionError
from carecal.explain import campaign_away, campaign_home_check
from carecal.model import ClinicDay, Community, Mobility, Resident
from carecal.options import ProgressOption, SolveOptions, solve_options
from carecal.plans import CampaignPlan, Status, Unserved, UnservedKind
from carecal.policy import check_policy
from carecal.solver.campaign.model import CampaignModel
from carecal.solver.campaign.problem import prepare
from carecal.solver.campaign.search import solve_in_two_stages
from carecal.solver.campaign.solution import fill_walkins, read_escorted
from carecal.solver.campaign.unserved import explain_unbooked

log = logging.getLogger(__name__)

EXACT_WALK_PAIRS = 2_000
"""Up to this many pairs of jobs that could share an escort's shift, the walks between
jobs are modelled pair by pair; above it, by walk margins (see
:mod:`carecal.solver.campaign.model`), which is sound but may leave an escort less time
than needed."""


def plan_health_checks(
    community: Community,
    start: object = None,
    end: object = None,
    *,
    time_limit: float = 30.0,
    workers: int | None = None,
    seed: int = 0,
    deterministic: bool = False,
    progress: ProgressOption = False,
) -> CampaignPlan:
    """Plan the health-check campaign: slots, escorts and pool wheelchairs.

    Parameters
    ----------
    community
        The community.
    start, end
        The first and last day of the campaign (both included): a ``datetime.date``, a
        ``"YYYY-MM-DD"`` string, or anything naming a day. Give both or neither; default
        ``None``: the days of ``campaign.csv``. The clinic days are those of
        :meth:`carecal.model.Community.clinic_days`: the rows of ``campaign.csv`` in the
        period (several clinics on one date are fine) and, when the community has exactly
        one clinic, that clinic with its own hours on the other Monday-to-Friday dates.
    time_limit
        Total wall-clock seconds for the call (default 30.0), both solves and reading
        the plan back included.
    workers
        CP-SAT threads (default ``None``: every core of the machine).
    seed
        Seed of the solver and of the greedy start's shuffles (default 0).
    deterministic
        Same input, same plan (default ``False``): each solve stops after a fixed amount
        of work instead of the clock (see :mod:`carecal.solver.cpsat`).
    progress
        ``False`` (default), ``True`` for a progress bar, or a callable that receives
        each :class:`carecal.progress.ProgressEvent` (stages ``"booking"`` and
        ``"walking and spread"``, with each better solution's objective and bound).

    Returns
    -------
    CampaignPlan
        Bookings (each at its clinic day), the clinic days and dates planned, the
        unserved (home checks and anyone not booked, with reason and fix), the named
        objective terms (weighted so that their sum is the lexicographic objective), the
        solver's bound and the status.

    Raises
    ------
    OptionError
        When only one of ``start`` and ``end`` is given, either does not name a day,
        ``end`` comes before ``start``, or a solving option is invalid.
    CommunityError
        Before solving, when the policy is invalid, there is no clinic, the period holds
        no campaign day, or the community has several clinics and ``campaign.csv`` does
        not say which runs on a weekday of the period.
    """
    options = solve_options(
        "plan_health_checks",
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        deterministic=deterministic,
        progress=progress,
    )
    try:
        first: dt.date | None = None
        last: dt.date | None = None
        if (start is None) != (end is None):
            raise OptionError(
                "plan_health_checks: give both start and end of the campaign, or neither "
                "to plan the days of campaign.csv"
            )
        if start is not None:
            first, last = coerce_period(start, end)
        check_policy(community.policy)
        days = community.clinic_days(first, last)
        return campaign_plan(community, days, options)
    finally:
        options.reporter.close()


def campaign_plan(
    community: Community,
    days: list[ClinicDay],
    options: SolveOptions,
    *,
    exact_walk_pairs: int = EXACT_WALK_PAIRS,
) -> CampaignPlan:
    """Plan the campaign on the given clinic days (the planner behind every caller).

    Parameters
    ----------
    community
        The community (its policy already checked).
    days
        The clinic days, from :meth:`carecal.model.Community.clinic_days`, in date then
        clinic order; at least one.
    options
        The solving options (:func:`carecal.options.solve_options`); the call fits in
        what is left of their time limit.
    exact_walk_pairs
        See :data:`EXACT_WALK_PAIRS` (default).

    Returns
    -------
    CampaignPlan
        As :func:`plan_health_checks` returns it.

    Raises
    ------
    CommunityError
        When ``days`` is empty.
    """
    if not days:
        raise CommunityError(["there are no clinic days to plan the campaign on"])
    days = sorted(days, key=lambda d: (d.date, d.clinic_id))
    first = days[0].date
    who = due_at_clinic(community, days, first)
    escorted, walkins, clinic_due = who.escorted, who.walkins, who.clinic_due
    home_unserved = list(who.listed)
    dates_out = tuple(sorted({d.date for d in days}))
    clinic_days = tuple((d.date, d.clinic_id) for d in days)
    if not clinic_due:
        return CampaignPlan(
            status=Status.EMPTY,
            dates=dates_out,
            clinic_days=clinic_days,
            unserved=tuple(home_unserved),
            solve_seconds=options.deadline.elapsed(),
        ).with_people(community)

    data = prepare(community, days, escorted, walkins, first, exact_walk_pairs)
    model = CampaignModel(data)
    weights = model.weights()
    terms = model.terms
    log.info(
        "campaign: %d due, %d not at the clinic, %d escorted, %d walk-ins, %d tours, %d variables",
        len(who.due),
        len(who.listed),
        len(escorted),
        len(walkins),
        len(data.tours),
        len(model.m.proto.variables),
    )

    solved = solve_in_two_stages(model, weights, options)
    values = solved.values
    total_value = data.total_value

    bookings = read_escorted(model, values)
    bookings += fill_walkins(data, bookings)
    bookings.sort(key=lambda b: (b.date, b.check_start, b.clinic_id, b.resident_id))
    # The walk-ins filled in afterwards may book more than the solver counted.
    booked_value = sum(data.value[b.resident_id] for b in bookings)
    raw = {name: model.evaluate(name, values) for name in terms}
    objective = {
        "unbooked_value": float(weights["booked_value"] * (total_value - booked_value)),
        "escort_walk_estimate": float(
            weights["escort_walk_estimate"] * raw["escort_walk_estimate"]
        ),
        "most_jobs_per_escort": float(
            weights["most_jobs_per_escort"] * raw["most_jobs_per_escort"]
        ),
        "days_for_oldest": float(raw["days_for_oldest"]),
    }
    if community.history:
        objective["unfamiliar"] = float(weights["unfamiliar"] * raw["unfamiliar"])
    bound = weights["booked_value"] * (total_value - solved.value_bound) + (
        max(0.0, solved.rest_bound) if solved.booking_optimal else 0.0
    )
    booked_ids = {b.resident_id for b in bookings}
    unserved = home_unserved + explain_unbooked(
        data, [r for r in clinic_due if r.resident_id not in booked_ids], bookings
    )
    status = Status.OPTIMAL if solved.booking_optimal and solved.rest_optimal else Status.FEASIBLE
    return CampaignPlan(
        status=status,
        dates=dates_out,
        clinic_days=clinic_days,
        bookings=tuple(bookings),
        unserved=tuple(unserved),
        objective_terms=objective,
        bound=bound,
        solve_seconds=options.deadline.elapsed(),
    ).with_people(community)


@dataclass(frozen=True)
class DueResidents:
    """Who is due a check on a campaign, and who of them comes to the clinic, and how."""

    due: list[Resident]
    """Everyone due (no check in the policy's days before the first day)."""
    escorted: list[Resident]
    """Due, at the clinic, fetched by an escort."""
    walkins: list[Resident]
    """Due, at the clinic, coming on their own."""
    listed: list[Unserved]
    """The due who are not planned at the clinic: bedridden (a home check), or away on
    every campaign date (``changes.csv``), each with the reason."""

    @property
    def clinic_due(self) -> list[Resident]:
        """The due who are planned at the clinic (escorted, then walk-ins)."""
        return self.escorted + self.walkins


def due_at_clinic(community: Community, days: list[ClinicDay], first: dt.date) -> DueResidents:
    """Who is due on a campaign of ``days`` judged on ``first``, and how they come.

    The one rule :func:`campaign_plan` and the re-plan share: bedridden residents get a
    home check; residents away on every campaign date are listed with that reason; the
    others come to the clinic, with an escort when they need one.
    """
    due = [r for r in community.residents if community.is_due(r, first)]
    home = [r for r in due if r.mobility == Mobility.BEDRIDDEN]
    dates = sorted({d.date for d in days})
    # Away on every campaign day (changes.csv): listed with that reason, not planned.
    away = [
        r
        for r in due
        if r.mobility != Mobility.BEDRIDDEN
        and all(community.away_on(r.resident_id, d) for d in dates)
    ]
    away_ids = {r.resident_id for r in away}
    clinic_due = [
        r for r in due if r.mobility != Mobility.BEDRIDDEN and r.resident_id not in away_ids
    ]
    lang = community.policy.lang
    listed = [
        Unserved.because(UnservedKind.HOME_CHECK, r.resident_id, None, campaign_home_check(lang))
        for r in home
    ] + [
        Unserved.because(
            UnservedKind.HEALTH_CHECK,
            r.resident_id,
            None,
            campaign_away(r.resident_id, dates, lang),
        )
        for r in away
    ]
    return DueResidents(
        due=due,
        escorted=[r for r in clinic_due if community.needs_escort(r, first)],
        walkins=[r for r in clinic_due if not community.needs_escort(r, first)],
        listed=listed,
    )
