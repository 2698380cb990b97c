"""Solving the campaign model: a greedy start, then two CP-SAT solves.

Two solves run in turn from the best of a few greedy plans: the first books the most
priority (its bound is the most any plan can book), the second keeps that and minimises
walking, spread and days, with weights that keep those tiers in strict order.

The greedy start is the best of a few greedy passes (earliest slot, least walk) over the
escorted residents in different orders; it is feasible by construction, so a plan stands
even when the solver finds none in time.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from carecal.model import Resident
from carecal.options import SolveOptions
from carecal.plans import Status
from carecal.solver.campaign.model import CampaignModel
from carecal.solver.campaign.problem import busy_periods
from carecal.solver.cpsat import ProgressCallback, cp_solver, status_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Solved:
    """What the two solves found and proved."""

    values: dict[int, int]
    """Every variable's value in the best plan found (variable index -> value)."""
    value_bound: int
    """The most booking value any plan can have, as far as the first solve proved."""
    booking_optimal: bool
    """Whether the first solve proved the booking value the most possible."""
    rest_optimal: bool
    """Whether the second solve proved its walking, spread and days the least possible."""
    rest_bound: float
    """The second solve's lower bound on its objective (0 when it did not run)."""


def solve_in_two_stages(
    model: CampaignModel, weights: dict[str, int], options: SolveOptions
) -> Solved:
    """Book the most priority, then keep it and walk, spread and delay the least.

    Parameters
    ----------
    model
        The campaign model; the second stage adds its booking value as a constraint.
    weights
        The objective terms' weights (:meth:`CampaignModel.weights`).
    options
        The call's solving options: the two solves share what is left of its time limit
        (``options.remaining()``), less a moment kept for reading the plan back; each
        better solution is reported through ``options.reporter`` (stages ``"booking"``
        and ``"walking and spread"``).

    Returns
    -------
    Solved
        The best plan's values (the greedy plan when the solver found none in time) and
        what the solver proved.
    """
    terms = model.terms
    # Stage 1: the most booking value, from the best greedy plan.
    model.m.maximize(terms["booked_value"])
    values = greedy_hint(model, options.seed)
    for v in model.all_vars():
        model.m.add_hint(v, values[v.index])
    total_value = model.data.total_value
    # Keep a moment for reading the plan back and explaining who was left out.
    reserve = min(1.0, 0.03 * options.time_limit)
    budget = max(0.0, options.remaining() - reserve) * 0.5
    solver, code = _solve(model.m, options, budget, "booking")
    first = status_of(code, has_plan=False)
    first_optimal = first == Status.OPTIMAL
    value_bound = total_value
    if first.has_plan:
        value_bound = min(total_value, math.floor(solver.best_objective_bound + 1e-6))
        values = {v.index: solver.value(v) for v in model.all_vars()}
    else:
        # Slow machine or tiny budget: the greedy plan (feasible by construction) stands.
        log.info("campaign: no solver plan in %.1f s; keeping the greedy plan", budget)
    best_value = model.evaluate("booked_value", values)
    options.reporter(
        "booking",
        f"booking: value {best_value} of {total_value} (bound {value_bound}, "
        f"{'optimal' if first_optimal else 'not proven'}) in {solver.wall_time:.1f} s",
    )

    # Stage 2: keep the booking value, then the least walking, spread and days.
    model.m.clear_hints()
    for v in model.all_vars():
        model.m.add_hint(v, values[v.index])
    model.m.add(terms["booked_value"] >= best_value)
    model.m.minimize(
        weights["escort_walk_estimate"] * terms["escort_walk_estimate"]
        + weights["most_jobs_per_escort"] * terms["most_jobs_per_escort"]
        + terms["days_for_oldest"]
        + weights["unfamiliar"] * terms["unfamiliar"]
    )
    budget = options.remaining() - reserve
    second_optimal = False
    lower_bound = 0.0
    if budget > 0.05:
        solver2, code2 = _solve(model.m, options, budget, "walking and spread")
        second = status_of(code2, has_plan=False)
        if second.has_plan:
            values = {v.index: solver2.value(v) for v in model.all_vars()}
            second_optimal = second == Status.OPTIMAL
            lower_bound = solver2.best_objective_bound

    return Solved(
        values=values,
        value_bound=value_bound,
        booking_optimal=first_optimal,
        rest_optimal=second_optimal,
        rest_bound=lower_bound,
    )


def _solve(
    m: cp_model.CpModel, options: SolveOptions, seconds: float, stage: str
) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
    """One stage's solve under the call's options, with the campaign's one tuning."""
    solver = cp_solver(options, seconds)
    # Probing costs seconds on the escort and pool constraints and buys little here.
    solver.parameters.cp_model_probing_level = 0
    callback = ProgressCallback(options.reporter, stage)
    code = solver.solve(m, callback)
    options.spend(solver.deterministic_time)
    log.debug(
        "campaign %s: %.2f s wall, %.2f deterministic (limit %.2f)",
        stage,
        solver.wall_time,
        solver.deterministic_time,
        seconds,
    )
    return solver, code


Span = tuple[int, int, int, str, int]
"""A job in a greedy shift: padded start and end, slot start, resident, clinic day."""


def _apart(model: CampaignModel, one: Span, other: Span) -> bool:
    """Whether two jobs of one escort's shift fit apart, the walk between them included."""
    if not (one[1] <= other[0] or other[1] <= one[0]):
        return False
    if not model.data.exact:
        return True
    # Apart, the job with the earlier slot is the earlier job.
    first, second = (one, other) if one[2] <= other[2] else (other, one)
    ja, jb = model.data.jobs[first[3], first[4]], model.data.jobs[second[3], second[4]]
    walk = model.data.walk(ja.end_place, jb.start_place)
    return second[2] - jb.lead >= first[2] + ja.tail + walk


def greedy_hint(model: CampaignModel, seed: int = 0) -> dict[int, int]:
    """A feasible plan to start the search from; CP-SAT then improves on it.

    The best of a few greedy passes (earliest slot, least walk), each taking the
    residents in another order: best priority first, fewest options first, pool
    chairs first, and a few shuffles seeded from ``seed``; each order is tried again
    with whoever was left out first.
    """
    data = model.data
    first = data.days[0].date
    by_priority = sorted(
        data.escorted,
        key=lambda r: (-data.value[r.resident_id], -r.age_on(first), r.resident_id),
    )
    options = Counter(rid for rid, _ in data.fits)
    orders = [
        by_priority,
        sorted(by_priority, key=lambda r: options[r.resident_id]),
        sorted(by_priority, key=lambda r: r.has_own_wheelchair),
    ]
    for offset in range(5):
        shuffled = list(by_priority)
        random.Random(seed * 5 + offset).shuffle(shuffled)
        orders.append(shuffled)
    best: tuple[int, dict[str, tuple[int, int, int]], dict[tuple[str, dt.date], int]] | None
    best = None
    for order in orders:
        # Squeaky wheel: whoever was left out goes first in the next pass.
        for _ in range(3):
            chosen, per_escort_day = _greedy(model, order)
            value = sum(data.value[rid] for rid in chosen)
            if best is None or value > best[0]:
                best = (value, chosen, per_escort_day)
            left = [r for r in order if r.resident_id not in chosen]
            if not left:
                break
            order = left + [r for r in order if r.resident_id in chosen]
    assert best is not None
    return _hint_from(model, best[1], best[2])


def _greedy(
    model: CampaignModel, order: list[Resident]
) -> tuple[dict[str, tuple[int, int, int]], dict[tuple[str, dt.date], int]]:
    """One greedy pass: each resident in turn into the earliest slot and the tour with
    the least walk that still fit every rule."""
    data, days = model.data, model.data.days
    cap = data.community.policy.max_escort_jobs_per_day
    # Keyed by shift and by date: an escort's window, and a pool's chairs, serve every
    # clinic that runs on the date.
    busy: dict[int, list[Span]] = defaultdict(list)
    per_escort_day: dict[tuple[str, dt.date], int] = defaultdict(int)
    slot_count: dict[tuple[int, int], int] = defaultdict(int)
    chairs: dict[tuple[str, dt.date], list[tuple[int, int]]] = defaultdict(list)
    tours_of: dict[tuple[str, int], list[int]] = defaultdict(list)
    for rid, t in data.fits:
        tours_of[rid, data.tours[t].day].append(t)
    chosen: dict[str, tuple[int, int, int]] = {}
    total = sum(day.places for day in days)
    for r in order:
        rid = r.resident_id
        if len(chosen) >= total:
            break
        tries = [(d, k) for d in range(len(days)) for k in data.slot_options.get((rid, d), [])]
        for d, k in tries:
            s = days[d].slots[k]
            job = data.jobs[rid, d]
            if slot_count[d, k] >= days[d].places_per_slot:
                continue
            date = days[d].date
            if job.pool_site is not None:
                held = [*chairs[job.pool_site, date], (s - job.lead, s + job.tail)]
                capacity = data.community.site_by_id[job.pool_site].wheelchairs
                if busy_periods(held, capacity + 1):
                    continue
            options = []
            for t in tours_of[rid, d]:
                _, lo, hi = data.fits[rid, t]
                before = data.pad_before(rid, t)
                span = (s - job.lead - before, s + job.tail + data.pad_after(rid), s, rid, d)
                tour = data.tours[t]
                if (
                    lo <= k <= hi
                    and per_escort_day[tour.escort_id, date] < cap
                    and all(_apart(model, span, other) for other in busy[tour.shift])
                ):
                    options.append((model.walk_estimate(rid, t), t, span))
            if not options:
                continue
            _, t, span = min(options)
            busy[data.tours[t].shift].append(span)
            per_escort_day[data.tours[t].escort_id, date] += 1
            slot_count[d, k] += 1
            if job.pool_site is not None:
                chairs[job.pool_site, date].append((s - job.lead, s + job.tail))
            chosen[rid] = (d, k, t)
            break

    return chosen, per_escort_day


def _hint_from(
    model: CampaignModel,
    chosen: dict[str, tuple[int, int, int]],
    per_escort_day: dict[tuple[str, dt.date], int],
) -> dict[int, int]:
    """Values of every variable for a greedy plan."""
    days = model.data.days
    total = sum(day.places for day in days)
    hint = {v.index: 0 for v in model.all_vars()}
    for rid, (d, k, t) in chosen.items():
        hint[model.x[rid, d, k].index] = 1
        hint[model.on_day[rid, d].index] = 1
        hint[model.booked[rid].index] = 1
        hint[model.start[rid].index] = days[d].slots[k]
        hint[model.y[rid, t].index] = 1
    for (a, ta, b, tb), lit in model.order.items():
        if a in chosen and b in chosen and chosen[a][2] == ta and chosen[b][2] == tb:
            sa, sb = (
                days[chosen[a][0]].slots[chosen[a][1]],
                days[chosen[b][0]].slots[chosen[b][1]],
            )
            hint[lit.index] = 1 if sa <= sb else 0
        else:
            hint[lit.index] = 1
    room = total - len(chosen)
    for i, u in enumerate(model.u):
        hint[u.index] = 1 if i < room else 0
    jobs: dict[str, int] = defaultdict(int)
    for (escort, _), n in per_escort_day.items():
        jobs[escort] += n
    hint[model.most_jobs.index] = max(jobs.values(), default=0)
    return hint
