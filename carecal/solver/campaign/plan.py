"""The campaign planner: who is due, the model, the two solves, the plan and who was left out."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence

from carecal.explain import campaign_home_check
from carecal.model import Community, Mobility
from carecal.plans import CampaignPlan, Status, Unserved, UnservedKind
from carecal.solver.campaign.model import CampaignModel
from carecal.solver.campaign.problem import campaign_days, prepare
from carecal.solver.campaign.search import Progress, solve_in_two_stages
from carecal.solver.campaign.solution import fill_walkins, read_escorted
from carecal.solver.campaign.unserved import explain_unbooked

log = logging.getLogger(__name__)


def plan_health_checks(
    community: Community,
    dates: Sequence[dt.date] | None = None,
    *,
    time_limit: float = 30.0,
    deterministic: bool = False,
    progress: Progress | None = None,
    workers: int | None = None,
    exact_walk_pairs: int = 2_000,
) -> CampaignPlan:
    """Plan the health-check campaign: slots, escorts and pool wheelchairs.

    Parameters
    ----------
    community
        The community; ``community.campaign`` gives the days unless ``dates`` is given.
    dates
        Campaign dates instead of ``campaign.csv`` (see :func:`campaign_days`).
    time_limit
        Seconds for the solver (both solves together).
    deterministic
        Same input, same plan: a deterministic time budget and interleaved search.
    progress
        Called with a short message on each better solution.
    workers
        CP-SAT workers (default: the machine's cores, at most 8).
    exact_walk_pairs
        Up to this many pairs of (escort window, two jobs), the walk between two jobs of
        an escort is modelled exactly, pair by pair; above it, by walk margins (see
        :mod:`carecal.solver.campaign.model`), which is sound but may leave an escort less
        time than needed.

    Returns
    -------
    CampaignPlan
        Bookings, the unserved (home checks and anyone not booked, with reason and fix),
        the named objective terms (weighted so that their sum is the lexicographic
        objective), the solver's bound and the status.

    Raises
    ------
    CommunityError
        When there are no campaign days or no clinic.
    """
    began = time.perf_counter()
    days = campaign_days(community, dates)
    first = days[0].date
    due = [r for r in community.residents if community.is_due(r, first)]
    home = [r for r in due if r.mobility == Mobility.BEDRIDDEN]
    clinic_due = [r for r in due if r.mobility != Mobility.BEDRIDDEN]
    escorted = [r for r in clinic_due if community.needs_escort(r, first)]
    walkins = [r for r in clinic_due if not community.needs_escort(r, first)]
    home_unserved = [
        Unserved.because(UnservedKind.HOME_CHECK, r.resident_id, None, campaign_home_check())
        for r in home
    ]
    dates_out = tuple(d.date for d in days)
    if not clinic_due:
        return CampaignPlan(
            status=Status.EMPTY,
            dates=dates_out,
            unserved=tuple(home_unserved),
            solve_seconds=time.perf_counter() - began,
        )

    data = prepare(community, days, escorted, walkins, first, exact_walk_pairs)
    model = CampaignModel(data)
    weights = model.weights()
    terms = model.terms
    log.info(
        "campaign: %d due, %d home checks, %d escorted, %d walk-ins, %d tours, %d variables",
        len(due),
        len(home),
        len(escorted),
        len(walkins),
        len(data.tours),
        len(model.m.proto.variables),
    )

    solved = solve_in_two_stages(
        model,
        weights,
        began=began,
        time_limit=time_limit,
        deterministic=deterministic,
        workers=workers,
        progress=progress,
    )
    values = solved.values
    total_value = data.total_value

    bookings = read_escorted(model, values)
    bookings += fill_walkins(data, bookings)
    bookings.sort(key=lambda b: (b.date, b.check_start, b.resident_id))
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
        bookings=tuple(bookings),
        unserved=tuple(unserved),
        objective_terms=objective,
        bound=bound,
        solve_seconds=time.perf_counter() - began,
    )
