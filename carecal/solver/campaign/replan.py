"""Re-planning the campaign after a change, with the fewest bookings moved.

:func:`replan_campaign` is the engine under :func:`carecal.replan.replan_health_checks`.
It plans the residents still to plan around the fixed bookings
(:mod:`~carecal.solver.campaign.previous`) with :class:`~carecal.solver.campaign.
replan_model.ReplanModel`, and solves it lexicographically, in staged CP-SAT solves:

0. **what is left**: the previous plan less what the change made impossible (its
   residents, days, slots, escorts and chairs still there), checked as a whole plan by
   a solve with every variable fixed to it. When it holds, it is the plan to beat, so the
   re-plan is never worse than keeping what still works;
1. **serving**: the most booking value (as the planner weighs it, :func:`~carecal.solver.
   campaign.problem.priority`), from the best plan so far;
2. **disruption**: with that value kept, the fewest bookings moved (a booking moves when
   its date, slot, clinic, escort or wheelchair changes, or it is dropped);
3. **the rest**: with both kept, the planner's own lower tiers (walking, spread, days
   for the oldest), weighted as the planner weighs them.

Each stage starts from the best plan of the one before, so each only improves. The plan's
objective terms are weighted so that their sum orders plans in the same way:
``unbooked_value`` above ``moved_bookings`` above the rest.

The serving stage's objective says nothing about moves, so the plan it finds gives days,
slots and escorts of its own choosing even to those it did not need to move: re-planning
the bundled sample's week campaign without a change, every one of its 165 bookings had
moved after it. Undoing that is the disruption stage's work, and CP-SAT's default search
does it badly: each solution it finds is a move or two better than the last. With
several workers CP-SAT also runs its neighbourhood searches (LNS), which put back many
bookings at a time; on one worker (every deterministic solve, :mod:`carecal.solver.
cpsat`) it does not, and that stage ended with 151 bookings moved (the sample's week with
its escorts free only on duty, as :func:`carecal.replan_week` re-plans it). So on one
worker the disruption stage first runs the neighbourhood searches alone, interleaved on
that worker (still deterministic), then the default search from their plan, which
proves the fewest moves on small campaigns (:func:`fewest_moves`); there, 7 moved.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from carecal.model import ClinicDay, Community
from carecal.options import SolveOptions
from carecal.plans import Booking, CampaignPlan, Status
from carecal.solver.campaign.plan import EXACT_WALK_PAIRS, due_at_clinic
from carecal.solver.campaign.previous import (
    PreviousBookings,
    day_cutoffs,
    drop_slots_before,
    fixed_part,
)
from carecal.solver.campaign.problem import prepare
from carecal.solver.campaign.replan_model import ReplanModel
from carecal.solver.campaign.solution import read_escorted
from carecal.solver.campaign.unserved import explain_unbooked
from carecal.solver.cpsat import ProgressCallback, cp_solver, status_of

__all__ = ["place_walkins", "replan_campaign", "same_booking"]

log = logging.getLogger(__name__)

Values = dict[int, int]
"""A solution: variable index -> value."""


def same_booking(a: Booking, b: Booking) -> bool:
    """Whether two bookings are the same for the resident and their escort (not a move)."""
    return (
        a.resident_id == b.resident_id
        and a.date == b.date
        and a.clinic_id == b.clinic_id
        and a.slot_start == b.slot_start
        and a.check_start == b.check_start
        and tuple(sorted(a.escort_ids)) == tuple(sorted(b.escort_ids))
        and a.wheelchair == b.wheelchair
    )


def replan_campaign(
    community: Community,
    days: list[ClinicDay],
    dates: Sequence[dt.date],
    previous: PreviousBookings,
    now: dt.datetime | None,
    options: SolveOptions,
    *,
    exact_walk_pairs: int = EXACT_WALK_PAIRS,
) -> CampaignPlan:
    """Re-plan a campaign around its fixed bookings, moving as few others as possible.

    Parameters
    ----------
    community
        The changed community (policy already checked).
    days
        The clinic days of the previous plan that still run, in date then clinic order;
        at least one.
    dates
        The previous plan's campaign dates; who is due is judged on the first.
    previous
        The previous plan's bookings, split (:func:`~carecal.solver.campaign.previous.
        split_previous`); locked bookings already checked.
    now
        Nothing new starts before it; ``None``: nothing has happened yet.
    options
        The solving options; the stages share what is left of their time limit.
    exact_walk_pairs
        See :data:`carecal.solver.campaign.plan.EXACT_WALK_PAIRS` (default).

    Returns
    -------
    CampaignPlan
        Bookings (the fixed ones as they were), the unserved, the objective terms
        (``unbooked_value``, ``moved_bookings``, then the planner's lower tiers, weighted
        so that their sum is the lexicographic objective), the bound and the status;
        ``to_call`` is left ``None``.
    """
    first = min(dates)
    who = due_at_clinic(community, days, first)
    fixed_ids = {b.resident_id for b in previous.fixed}
    escorted = [r for r in who.escorted if r.resident_id not in fixed_ids]
    walkins = [r for r in who.walkins if r.resident_id not in fixed_ids]
    listed = [u for u in who.listed if u.id not in fixed_ids]
    dates_out = tuple(sorted(dates))
    clinic_days = tuple((d.date, d.clinic_id) for d in days)
    move_weight = community.policy.move_booking_weight

    if not escorted and not walkins:
        # Nobody left to plan: the fixed bookings stand, every other one is dropped.
        moves = len(previous.movable) + previous.extra
        fixed_only = sorted(previous.fixed, key=lambda b: (b.date, b.check_start, b.resident_id))
        return CampaignPlan(
            status=Status.OPTIMAL if fixed_only else Status.EMPTY,
            dates=dates_out,
            clinic_days=clinic_days,
            bookings=tuple(fixed_only),
            unserved=tuple(listed),
            objective_terms={
                "unbooked_value": 0.0,
                "moved_bookings": float(move_weight * moves),
            },
            bound=float(move_weight * moves),
            solve_seconds=options.deadline.elapsed(),
        ).with_people(community)

    data = prepare(community, days, escorted, walkins, first, exact_walk_pairs)
    cutoffs = day_cutoffs(days, now)
    drop_slots_before(data, cutoffs)
    fixed = fixed_part(community, data, previous.fixed)
    model = ReplanModel(data, fixed, previous.movable, cutoffs, previous.extra)
    log.info(
        "campaign re-plan: %d fixed, %d movable, %d escorted and %d walk-ins to plan, %d variables",
        len(previous.fixed),
        len(previous.movable),
        len(escorted),
        len(walkins),
        len(model.m.proto.variables),
    )
    staged = solve_in_stages(model, options, use_moves=move_weight > 0)
    values = staged.values
    log.info(
        "campaign re-plan: %d of %d booking value left unbooked, %d bookings moved",
        data.total_value - model.evaluate("booked_value", values),
        data.total_value,
        model.moved(values),
    )

    bookings = read_escorted(model, values) + place_walkins(model, values)
    bookings = [_as_before(b, previous.movable.get(b.resident_id)) for b in bookings]
    bookings += previous.fixed
    bookings.sort(key=lambda b: (b.date, b.check_start, b.clinic_id, b.resident_id))

    weights = model.weights()
    w_rest = weights["booked_value"]  # above any sum of the lower tiers (CampaignModel)
    most_moved = model.moved_constant + len(model.kept)
    w_move = w_rest * move_weight
    w_value = w_move * most_moved + w_rest
    unbooked = data.total_value - model.evaluate("booked_value", values)
    objective = {
        "unbooked_value": float(w_value * unbooked),
        "moved_bookings": float(w_move * model.moved(values)),
    }
    for name in model.terms:
        if name != "booked_value":
            objective[name] = float(weights[name] * model.evaluate(name, values))
    bound = w_value * staged.bounds[0]
    if staged.proven[0]:
        bound = w_value * unbooked + w_move * staged.bounds[1]
        if staged.proven[1]:
            bound = w_value * unbooked + w_move * model.moved(values) + staged.bounds[2]
    value = sum(objective.values())
    status = Status.OPTIMAL if value <= bound + 1e-6 else Status.FEASIBLE

    booked_ids = {b.resident_id for b in bookings}
    unbooked_residents = [r for r in escorted + walkins if r.resident_id not in booked_ids]
    unserved = listed + explain_unbooked(data, unbooked_residents, bookings)
    return CampaignPlan(
        status=status,
        dates=dates_out,
        clinic_days=clinic_days,
        bookings=tuple(bookings),
        unserved=tuple(unserved),
        objective_terms=objective,
        bound=float(min(bound, value)),
        solve_seconds=options.deadline.elapsed(),
    ).with_people(community)


def _as_before(b: Booking, before: Booking | None) -> Booking:
    """``b``, with what was filled in on the previous booking when it is the same one."""
    if before is None or not same_booking(b, before):
        return b
    return b.model_copy(update={"done": before.done})


# --- the staged solves -------------------------------------------------------------------------


@dataclass(frozen=True)
class Staged:
    """What the staged solves found and proved."""

    values: Values
    """The best plan found (variable index -> value)."""
    bounds: tuple[float, float, float]
    """Proven lower bounds of the three tiers: unbooked value, moves, the rest (each
    given the tiers above at their values in :attr:`values`)."""
    proven: tuple[bool, bool, bool]
    """Whether each tier's value in :attr:`values` is proven the least possible."""


def solve_in_stages(model: ReplanModel, options: SolveOptions, *, use_moves: bool) -> Staged:
    """Serve the most, then move the fewest, then the planner's lower tiers (see the
    module docstring); ``use_moves=False`` (moves cost nothing) skips the second stage.

    The stages share what is left of the call's time limit, less a moment kept for
    reading the plan back; each better solution is reported through the options'
    reporter (stages ``"serving"``, ``"disruption"`` and ``"walking and spread"``).
    """
    m, terms = model.m, model.terms
    total = model.data.total_value
    unbooked = total - terms["booked_value"]
    moved = model.moved_expr()
    weights = model.weights()
    lower = [name for name in terms if name != "booked_value"]
    rest = cp_model.LinearExpr.weighted_sum(
        [terms[name] for name in lower], [weights[name] for name in lower]
    )
    reserve = min(1.0, 0.03 * options.time_limit)

    def budget(share: float) -> float:
        return max(0.0, options.remaining() - reserve) * share

    # Stage 0: is what is left of the previous plan a plan? (Every variable fixed.)
    kept = kept_hint(model)
    _hint(model, kept)
    m.minimize(unbooked)
    solver, code = _solve(model, options, min(1.0, budget(0.1)), "kept", fixed=True)
    baseline = _values(model, solver) if status_of(code, has_plan=False).has_plan else None
    if baseline is None:
        log.info("campaign re-plan: what is left of the previous plan breaks a rule; re-planning")
    best = baseline if baseline is not None else nobody_booked(model)

    # Stage 1: the most booking value.
    _hint(model, best)
    solver, code = _solve(model, options, budget(0.4), "serving", stop_at=0.0)
    best = _better(model, best, solver, code)
    lacking = model.evaluate("booked_value", best)
    bound1 = _bound(solver, code, total - lacking)
    proven1 = total - lacking <= bound1
    m.add(unbooked <= total - lacking)

    # Stage 2: with that value, the fewest moves (nothing to do when none can be undone).
    bound2, proven2 = float(model.moved(best)), True
    if use_moves and model.moved(best) > model.moved_constant:
        best, bound2 = fewest_moves(model, options, best, budget(0.6))
        proven2 = model.moved(best) <= bound2
    if model.kept:
        m.add(moved <= model.moved(best))

    # Stage 3: with both, walking, spread and days as the planner weighs them.
    _hint(model, best)
    m.minimize(rest)
    solver, code = _solve(model, options, budget(1.0), "walking and spread")
    best = _better(model, best, solver, code)
    rest_value = sum(
        weights[name] * model.evaluate(name, best) for name in terms if name != "booked_value"
    )
    bound3 = _bound(solver, code, rest_value)
    proven3 = rest_value <= bound3

    # Never worse than what was left of the previous plan (a solve may miss it in time).
    if baseline is not None and _key(model, baseline, weights) < _key(model, best, weights):
        log.info("campaign re-plan: keeping what is left of the previous plan")
        return Staged(baseline, (0.0, 0.0, 0.0), (False, False, False))
    return Staged(best, (bound1, bound2, bound3), (proven1, proven2, proven3))


def fewest_moves(
    model: ReplanModel, options: SolveOptions, best: Values, seconds: float
) -> tuple[Values, float]:
    """The disruption stage: from ``best``, the fewest moves within ``seconds``.

    The model must already hold the serving stage's value as a constraint (``best`` meets
    it). On one worker, three quarters of ``seconds`` go to CP-SAT's neighbourhood
    searches alone (see the module docstring), the last quarter to its default search
    from their plan, which stops early once it proves that plan's moves the fewest (what
    a stage leaves goes to the next); with several workers one solve runs them all side
    by side.

    Returns
    -------
    tuple[Values, float]
        The best plan found, and the proven lower bound on its moves.
    """
    floor = float(model.moved_constant)
    model.m.minimize(model.moved_expr())
    if one_worker(options):
        _hint(model, best)
        solver, code = _solve(
            model, options, 0.75 * seconds, "disruption", stop_at=floor, neighbourhoods=True
        )
        best = _better(model, best, solver, code)
        if model.moved(best) <= floor:
            return best, floor
        seconds *= 0.25
    _hint(model, best)
    solver, code = _solve(model, options, seconds, "disruption", stop_at=floor)
    best = _better(model, best, solver, code)
    return best, _bound(solver, code, model.moved(best), floor=floor)


def one_worker(options: SolveOptions) -> bool:
    """Whether the call's CP-SAT solves run on one worker (see :func:`cp_solver`)."""
    return options.deterministic or options.workers == 1


def _key(model: ReplanModel, values: Values, weights: dict[str, int]) -> tuple[int, int, int]:
    """A solution's tiers in order: unbooked value, moves, the rest (lower is better)."""
    rest = sum(
        weights[name] * model.evaluate(name, values)
        for name in model.terms
        if name != "booked_value"
    )
    lacking = model.data.total_value - model.evaluate("booked_value", values)
    return (lacking, model.moved(values), rest)


def _solve(
    model: ReplanModel,
    options: SolveOptions,
    seconds: float,
    stage: str,
    *,
    stop_at: float | None = None,
    fixed: bool = False,
    neighbourhoods: bool = False,
) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
    """One stage's solve under the call's options (the campaign's tuning).

    ``fixed``: every variable is fixed to its hint. ``neighbourhoods`` (one worker
    only): only CP-SAT's neighbourhood searches run, interleaved on that worker, from
    the hint, which must be a plan.
    """
    solver = cp_solver(options, seconds)
    # Probing costs seconds on the escort and pool constraints and buys little here.
    solver.parameters.cp_model_probing_level = 0
    # Stage 0 asks only whether the hint is a plan.
    solver.parameters.fix_variables_to_their_hinted_value = fixed
    if neighbourhoods:
        assert solver.parameters.num_workers == 1, "neighbourhoods alone are for one worker"
        # Interleaved, the searches take turns in fixed batches: still deterministic.
        solver.parameters.interleave_search = True
        solver.parameters.use_lns_only = True
    callback = ProgressCallback(None if fixed else options.reporter, stage, stop_at)
    code = solver.solve(model.m, callback)
    options.spend(solver.deterministic_time)
    log.debug(
        "campaign re-plan %s: %s, %.2f s wall, %.2f deterministic (limit %.2f)",
        stage,
        solver.status_name(code),
        solver.wall_time,
        solver.deterministic_time,
        seconds,
    )
    return solver, code


def _values(model: ReplanModel, solver: cp_model.CpSolver) -> Values:
    return {v.index: int(solver.value(v)) for v in model.all_vars()}


def _better(
    model: ReplanModel, best: Values, solver: cp_model.CpSolver, code: cp_model.CpSolverStatus
) -> Values:
    """The solver's plan when it found one (it started from ``best``, under constraints
    ``best`` meets, so its plan is no worse in the stage's tier), else ``best``."""
    if status_of(code, has_plan=False).has_plan:
        return _values(model, solver)
    return best


def _bound(
    solver: cp_model.CpSolver, code: cp_model.CpSolverStatus, found: float, floor: float = 0.0
) -> float:
    """The stage's proven lower bound (whole numbers: rounded up); ``found`` when the
    solve proved its plan optimal, ``floor`` when it proved nothing."""
    if code == cp_model.OPTIMAL:
        return found
    if code == cp_model.FEASIBLE:
        return max(floor, float(math.ceil(solver.best_objective_bound - 1e-6)))
    return floor


def _hint(model: ReplanModel, values: Values) -> None:
    model.m.clear_hints()
    for v in model.all_vars():
        model.m.add_hint(v, values[v.index])


def nobody_booked(model: ReplanModel) -> Values:
    """The plan that books nobody new: every decision off (it keeps every rule)."""
    values = dict.fromkeys((v.index for v in model.all_vars()), 0)
    for lit in model.order.values():
        values[lit.index] = 1
    return values


def kept_hint(model: ReplanModel) -> Values:
    """Every variable's value in what is left of the previous plan.

    Each movable booking that the model can still keep stays as it was; the others are
    dropped. The values satisfy every rule when that is a plan (stage 0 checks it).
    """
    data, days = model.data, model.data.days
    values = nobody_booked(model)
    walkin_index = {r.resident_id: i for i, r in enumerate(model.walkin_order)}
    on: dict[str, tuple[int, int, int]] = {}  # escorted resident -> day, slot, tour
    for rid, kept in model.kept.items():
        b = model.previous[rid]
        d = model.day_index(b.date, b.clinic_id)
        assert d is not None
        k = days[d].slots.index(b.slot_start)
        values[kept.index] = 1
        if rid in model.booked:
            t = model.tours_for(rid, d, k, b.escort_ids[0])[0]
            on[rid] = (d, k, t)
            values[model.x[rid, d, k].index] = 1
            values[model.on_day[rid, d].index] = 1
            values[model.booked[rid].index] = 1
            values[model.start[rid].index] = days[d].slots[k]
            values[model.y[rid, t].index] = 1
        else:
            values[model.z[rid, d].index] = 1
            values[model.u[walkin_index[rid]].index] = 1
    for (ra, ta, rb, tb), lit in model.order.items():
        if ra in on and rb in on and on[ra][2] == ta and on[rb][2] == tb:
            sa = days[on[ra][0]].slots[on[ra][1]]
            sb = days[on[rb][0]].slots[on[rb][1]]
            values[lit.index] = 1 if sa <= sb else 0
    for (rid, t, i), lit in model.before_fixed.items():
        if rid in on and on[rid][2] == t:
            tour = data.tours[t]
            held = model.fixed.jobs[tour.escort_id, days[tour.day].date][i]
            values[lit.index] = 1 if days[on[rid][0]].slots[on[rid][1]] < held.start else 0
    jobs: dict[str, int] = defaultdict(int)
    for _, _, t in on.values():
        jobs[data.tours[t].escort_id] += 1
    values[model.most_jobs.index] = max(jobs.values(), default=0)
    return values


def place_walkins(model: ReplanModel, values: Values) -> list[Booking]:
    """The walk-ins' bookings in a solution: the kept ones in their slots, the others of
    each day into the places left at or after ``now``, the oldest into the earliest."""
    data, days = model.data, model.data.days
    used: dict[tuple[int, int], int] = defaultdict(int)
    for (_, d, k), x in model.x.items():
        used[d, k] += values[x.index]
    out: list[Booking] = []
    kept = set()
    for (rid, d, k), keep in model.keep.items():
        if values[keep.index]:
            used[d, k] += 1
            kept.add(rid)
            out.append(_walkin_booking(rid, days[d], days[d].slots[k]))
    first = data.dates[0]
    by_day: dict[int, list[str]] = defaultdict(list)
    ages = {r.resident_id: r.age_on(first) for r in model.walkin_order}
    for (rid, d), z in model.z.items():
        if values[z.index] and rid not in kept:
            by_day[d].append(rid)
    for d, rids in sorted(by_day.items()):
        free = [
            k for k in model.open_slots(d) for _ in range(max(0, model.room(d, k) - used[d, k]))
        ]
        rids.sort(key=lambda rid: (-ages[rid], rid))
        # The model keeps each day within its open places, so there is a place for each.
        assert len(free) >= len(rids), "a day holds more walk-ins than places"
        for rid, k in zip(rids, free, strict=False):
            out.append(_walkin_booking(rid, days[d], days[d].slots[k]))
    return out


def _walkin_booking(rid: str, day: ClinicDay, slot: int) -> Booking:
    return Booking(
        resident_id=rid,
        date=day.date,
        clinic_id=day.clinic_id,
        slot_start=slot,
        check_start=slot,
        check_end=slot + day.check_minutes,
    )
