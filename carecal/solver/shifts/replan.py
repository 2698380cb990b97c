"""Re-planning the shift plan after a change, with the fewest assignments changed.

:func:`replan_shift_plan` is the engine under :func:`carecal.replan.replan_shifts`. The
previous plan's rows are read into the problem (:func:`read_previous`): rows that started
before ``now`` are **frozen** and kept exactly, ``locked`` rows are kept, and no new place
starts before ``now``. The whole shift model (:class:`~carecal.solver.shifts.model.
ShiftModel`, every cell free) is then solved lexicographically, in staged CP-SAT solves:

0. **what is left**: the previous rows the changed community still allows, checked as a
   whole timetable by a solve with every variable fixed to it; when it holds it is the
   plan to beat, so the re-plan is never worse than keeping what still works;
1. **serving**: the fewest places short of each shift's minimum (``under_cover``, as
   the planner weighs them);
2. **disruption**: with that cover kept, the fewest assignments added or removed;
3. **the rest**: with both kept, the planner's own objective (over cover, requests,
   weekends, fairness, stability).

Each stage starts from the best timetable of the one before (a whole solution as its
hint), so each only improves. The plan's objective terms are weighted so that their sum
orders timetables in the same way: ``under_cover`` above ``changed_assignments`` above
the rest, which keep the planner's weights.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from carecal.errors import CommunityError
from carecal.model import Community
from carecal.options import SolveOptions
from carecal.plans import Assignment, ShiftPlan, Status
from carecal.solver.cpsat import ProgressCallback, cp_solver, status_of
from carecal.solver.shifts.model import ShiftModel, build_structure
from carecal.solver.shifts.problem import (
    TERMS,
    Roster,
    ShiftProblem,
    build_shift_problem,
    objective_terms,
)
from carecal.solver.shifts.solution import ShiftSolution, assignments, explain_terms, unserved

__all__ = ["PreviousRoster", "read_previous", "replan_shift_plan"]

log = logging.getLogger(__name__)

Cell = tuple[int, int]
"""(volunteer index, slot index)."""

# Seconds kept per (shift place, volunteer) pair for writing up the open places, as the
# planner keeps them (carecal.solver.shifts.plan).
_EXPLAIN_SECONDS_PER_PAIR = 5e-6

_REST = tuple(t for t in TERMS if t != "under_cover")
"""The planner's terms below serving, in the order they are reported."""


def _moment(date: dt.date, minutes: int) -> dt.datetime:
    return dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=minutes)


@dataclass
class PreviousRoster:
    """The previous plan's rows, read into a shift problem for a re-plan."""

    problem: ShiftProblem
    """The problem, where every frozen row's cell may be worked (it was)."""
    rows: dict[Cell, Assignment] = field(default_factory=dict)
    """The previous rows the problem holds, by cell."""
    frozen: set[Cell] = field(default_factory=set)
    """Cells of rows that started before ``now``: kept exactly."""
    locked: set[Cell] = field(default_factory=set)
    """Cells of locked rows that had not started: kept."""
    outside: list[Assignment] = field(default_factory=list)
    """Frozen rows the problem cannot hold (their shift or volunteer gone): kept as they
    are, outside the model."""
    lost: int = 0
    """Previous rows that can be kept nowhere (their volunteer, shift or pledge gone):
    removed, each a change."""

    @property
    def cells(self) -> set[Cell]:
        """Every previous row the problem holds."""
        return set(self.rows)

    def kept_roster(self) -> Roster:
        """What is left of the previous plan: its rows the problem allows."""
        roster: Roster = [set() for _ in self.problem.volunteer_ids]
        for v, i in self.rows:
            if i in self.problem.eligible_set[v]:
                roster[v].add(i)
        return roster


def read_previous(
    problem: ShiftProblem, previous: Iterable[Assignment], now: dt.datetime | None
) -> PreviousRoster:
    """Read the previous plan's rows into ``problem`` (see :class:`PreviousRoster`).

    Raises
    ------
    CommunityError
        When a locked row (not yet started) names a shift that no longer runs, a
        volunteer who is gone, or a place the volunteer may no longer take.
    """
    where = {(s.date, s.shift_id): s.index for s in problem.slots}
    vindex = {vid: v for v, vid in enumerate(problem.volunteer_ids)}
    eligible = [list(e) for e in problem.eligible]
    part = dict(problem.part)
    out = PreviousRoster(problem)
    for a in previous:
        frozen = now is not None and _moment(a.date, a.start) < now
        slot = where.get((a.date, a.shift_id))
        v = vindex.get(a.volunteer_id)
        if slot is None or v is None or (v, slot) in out.rows:
            if frozen:
                out.outside.append(a)
            elif a.locked:
                raise CommunityError([_lock_message(a, "its shift or volunteer is gone")])
            else:
                out.lost += 1
            continue
        cell = (v, slot)
        out.rows[cell] = a
        s = problem.slots[slot]
        if frozen:
            out.frozen.add(cell)
            if slot not in problem.eligible_set[v]:
                # It happened, so the volunteer's rules count it, whatever changed since.
                eligible[v].append(slot)
        elif a.locked:
            if slot not in problem.eligible_set[v]:
                raise CommunityError(
                    [_lock_message(a, "the volunteer may no longer take it (skill or pledge)")]
                )
            out.locked.add(cell)
        if (frozen or a.locked) and (a.start, a.end) != (s.start, s.end):
            part[cell] = (a.start, a.end)  # a part of an auto shift, kept as it was
    out.problem = dataclasses.replace(problem, eligible=eligible, part=part)
    return out


def _lock_message(a: Assignment, why: str) -> str:
    return (
        f"shift_plan.csv: the locked row of volunteer {a.volunteer_id} on shift {a.shift_id} "
        f"on {a.date} cannot be kept: {why}. Unlock the row (clear its locked cell), or "
        "undo the change in changes.csv"
    )


def replan_shift_plan(
    community: Community, previous: ShiftPlan, now: dt.datetime | None, options: SolveOptions
) -> ShiftPlan:
    """Re-plan ``previous`` for the changed ``community``, changing as little as possible.

    Parameters
    ----------
    community
        The changed community (policy already checked).
    previous
        The shift plan made before the change; its period and demand are kept.
    now
        Rows that started before it are frozen, and no new place starts before it;
        ``None``: nothing has happened yet.
    options
        The solving options; the stages share what is left of their time limit.

    Returns
    -------
    ShiftPlan
        As :func:`carecal.replan.replan_shifts` returns it (``to_call`` ``None``).

    Raises
    ------
    CommunityError
        When a locked row cannot be kept, alone or with the other kept rows; or an
        ``auto`` shift has no demand.
    """
    first, last = previous.start, previous.end
    problem = build_shift_problem(community, first, last, _demand(previous))
    prev = read_previous(problem, previous.assignments, now)
    problem = prev.problem
    reserve = min(
        0.1 * options.time_limit,
        _EXPLAIN_SECONDS_PER_PAIR * len(problem.slots) * problem.n_volunteers,
    )
    model = _model(problem, prev, now)
    staged = _solve_in_stages(model, prev, options, reserve, community.policy.move_shift_weight)
    if staged is None:
        if prev.locked and _solve_in_stages(
            _model(problem, prev, now, keep_locks=False), prev, options, reserve, 0
        ):
            raise CommunityError(
                [
                    "shift_plan.csv: the locked rows cannot all be kept together (with the "
                    "shifts that already started); unlock some of them, or undo the change "
                    "in changes.csv"
                ]
            )
        return _no_timetable(community, previous, problem, prev, options.deadline.elapsed())
    return _plan(community, previous, problem, prev, model, staged, options.deadline.elapsed())


# --- the model ----------------------------------------------------------------------------


@dataclass
class _Replan:
    """The whole shift model of a re-plan, with its tiers as expressions."""

    model: ShiftModel
    under: cp_model.LinearExprT
    changed: cp_model.LinearExprT
    changed_constant: int
    under_floor: int
    """Cover no timetable avoids: places nobody may still fill."""


def _model(
    problem: ShiftProblem, prev: PreviousRoster, now: dt.datetime | None, keep_locks: bool = True
) -> _Replan:
    """The whole model, hinted with what is left of the previous plan, with the frozen,
    locked and started cells fixed, and the tiers as expressions."""
    model = ShiftModel(
        problem,
        build_structure(problem),
        range(problem.n_volunteers),
        None,
        prev.kept_roster(),
        use_flow=False,
    )
    cells = prev.cells
    open_count = [0] * len(problem.slots)
    for (v, i), _ in model.x.items():
        started = now is not None and _moment(problem.slots[i].date, problem.hours(v, i)[0]) < now
        if started:
            # Nothing new starts before now; what started before now happened.
            model.fix(v, i, (v, i) in cells)
        elif keep_locks and (v, i) in prev.locked:
            model.fix(v, i, True)
        if not started or (v, i) in cells:
            open_count[i] += 1
    under_costs = [c for c in model.cost if c.term == "under_cover"]
    under = (
        cp_model.LinearExpr.weighted_sum(
            [c.expr for c in under_costs], [c.weight for c in under_costs]
        )
        + model.offset["under_cover"]
    )
    was = [var for cell, var in model.x.items() if cell in cells]
    new = [var for cell, var in model.x.items() if cell not in cells]
    # Previous rows the model cannot hold are removed whatever it does.
    constant = prev.lost + sum(1 for cell in cells if cell not in model.x)
    changed = constant + len(was) - cp_model.LinearExpr.sum(was) + cp_model.LinearExpr.sum(new)
    floor = sum(
        s.weight_under * max(0, s.min_volunteers - open_count[s.index]) for s in problem.slots
    )
    return _Replan(model, under, changed, constant, floor)


def changes(prev: PreviousRoster, roster: Roster) -> list[tuple[Cell, bool]]:
    """The cells added (``True``) or removed (``False``) against the previous plan."""
    now_cells = {(v, i) for v, slots in enumerate(roster) for i in slots}
    out = [(cell, True) for cell in sorted(now_cells - prev.cells)]
    out += [(cell, False) for cell in sorted(prev.cells - now_cells)]
    return out


def _changed(prev: PreviousRoster, roster: Roster) -> int:
    """Assignments added or removed, the rows kept nowhere included."""
    return prev.lost + len(changes(prev, roster))


def _key(problem: ShiftProblem, prev: PreviousRoster, roster: Roster) -> tuple[int, int, int]:
    """A timetable's tiers in order: under cover, changes, the rest (lower is better)."""
    terms = objective_terms(problem, roster)
    rest = sum(terms[t] for t in _REST)
    return (terms["under_cover"], _changed(prev, roster), rest)


# --- the staged solves --------------------------------------------------------------------


@dataclass(frozen=True)
class _Staged:
    roster: Roster
    bounds: tuple[float, float, float]
    proven: tuple[bool, bool, bool]


def _solve_in_stages(
    rp: _Replan, prev: PreviousRoster, options: SolveOptions, reserve: float, move_weight: int
) -> _Staged | None:
    """Serve, then change the least, then the planner's objective (module docstring).

    ``None`` when the model has no timetable at all (the kept rows break a rule together).
    """
    model, m, problem = rp.model, rp.model.m, rp.model.p

    def budget(share: float) -> float:
        return max(0.0, options.remaining() - reserve) * share

    # Stage 0: is what is left of the previous plan a timetable? (Every cell fixed.)
    solver, code = _solve(model, options, min(1.0, budget(0.1)), "kept", fixed=True)
    baseline = model.read(solver) if status_of(code, has_plan=False).has_plan else None

    # Stage 1: the fewest places short.
    m.minimize(rp.under)
    solver, code = _solve(model, options, budget(0.4), "serving", stop_at=float(rp.under_floor))
    if code == cp_model.INFEASIBLE:
        return None
    if not status_of(code, has_plan=False).has_plan:
        if baseline is None:
            return None
        return _Staged(baseline, (0.0, 0.0, 0.0), (False, False, False))
    best = model.read(solver)
    short = objective_terms(problem, best)["under_cover"]
    bound1 = _bound(solver, code, short, rp.under_floor)
    _hint_solution(m, solver)
    m.add(rp.under <= short)

    # Stage 2: with that cover, the fewest assignments added or removed.
    bound2, proven2 = float(_changed(prev, best)), True
    if move_weight > 0:
        m.minimize(rp.changed)
        solver, code = _solve(
            model, options, budget(0.5), "disruption", stop_at=float(rp.changed_constant)
        )
        if status_of(code, has_plan=False).has_plan:
            best = model.read(solver)
            _hint_solution(m, solver)
        bound2 = _bound(solver, code, _changed(prev, best), rp.changed_constant)
        proven2 = _changed(prev, best) <= bound2
        m.add(rp.changed <= _changed(prev, best))

    # Stage 3: with both, the planner's objective (under cover stays where it is).
    m.minimize(
        cp_model.LinearExpr.weighted_sum(
            [c.expr for c in model.cost], [c.weight for c in model.cost]
        )
        + model.constant
    )
    solver, code = _solve(model, options, budget(1.0), "improving")
    if status_of(code, has_plan=False).has_plan:
        best = model.read(solver)
    rest = sum(objective_terms(problem, best)[t] for t in _REST)
    under_now = objective_terms(problem, best)["under_cover"]
    bound3 = max(0.0, _bound(solver, code, rest + under_now, 0) - under_now)

    if baseline is not None and _key(problem, prev, baseline) < _key(problem, prev, best):
        log.info("shift re-plan: keeping what is left of the previous plan")
        return _Staged(baseline, (0.0, 0.0, 0.0), (False, False, False))
    proven1 = short <= bound1
    return _Staged(best, (bound1, bound2, bound3), (proven1, proven2, rest <= bound3))


def _solve(
    model: ShiftModel,
    options: SolveOptions,
    seconds: float,
    stage: str,
    *,
    stop_at: float | None = None,
    fixed: bool = False,
) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
    """One stage's solve under the call's options."""
    solver = cp_solver(options, seconds)
    # With one worker (deterministic mode) CP-SAT's default linearization leaves the
    # cover's LP bound at 0: a week of four volunteers then never proves its cover within
    # seconds, where the full linearization proves it at once.
    solver.parameters.linearization_level = 2
    # Stage 0 asks only whether the hint is a timetable.
    solver.parameters.fix_variables_to_their_hinted_value = fixed
    callback = ProgressCallback(None if fixed else options.reporter, stage, stop_at)
    code = solver.solve(model.m, callback)
    options.spend(solver.deterministic_time)
    log.debug(
        "shift re-plan %s: %s, %.2f s wall, %.2f deterministic (limit %.2f)",
        stage,
        solver.status_name(code),
        solver.wall_time,
        solver.deterministic_time,
        seconds,
    )
    return solver, code


def _hint_solution(m: cp_model.CpModel, solver: cp_model.CpSolver) -> None:
    """Hint every variable with its value in the solver's solution (a whole solution)."""
    m.clear_hints()
    for index, value in enumerate(solver.response_proto.solution):
        m.add_hint(m.get_int_var_from_proto_index(index), value)


def _bound(
    solver: cp_model.CpSolver, code: cp_model.CpSolverStatus, found: float, floor: float
) -> float:
    """The stage's proven lower bound (whole numbers: rounded up); ``found`` when the
    solve proved its plan optimal, ``floor`` when it proved nothing."""
    if code == cp_model.OPTIMAL:
        return found
    if code == cp_model.FEASIBLE:
        return max(floor, float(math.ceil(solver.best_objective_bound - 1e-6)))
    return floor


# --- the plan -----------------------------------------------------------------------------


def rest_ceiling(problem: ShiftProblem) -> int:
    """More than any timetable's terms below serving can cost together (over cover,
    requests, weekends, fairness, stability), for weights that keep the tiers apart."""
    eligible_count = [0] * len(problem.slots)
    for elig in problem.eligible:
        for i in elig:
            eligible_count[i] += 1
    over = sum(
        s.weight_over * max(0, eligible_count[s.index] - s.max_volunteers)
        for s in problem.slots
        if s.max_volunteers is not None
    )
    requests = sum(r.cost for r in problem.requests)
    weekends = 0
    if problem.soft_max_weekends is not None:
        extra = max(0, len(problem.weekends) - problem.soft_max_weekends)
        weekends = problem.weight_weekend * extra * problem.n_volunteers
    fairness = problem.weight_fairness * sum(
        max(low, len(problem.eligible[v]) - high) for v, (low, high) in enumerate(problem.fair_band)
    )
    stability = problem.weight_stability * len(problem.stable_pairs) * problem.n_volunteers
    return over + requests + weekends + fairness + stability + 1


def _demand(previous: ShiftPlan) -> dict[tuple[dt.date, str], tuple[int, int | None]]:
    """The previous plan's demand in its period: the places the re-plan was made for."""
    return {
        key: value
        for key, value in previous.demand.items()
        if previous.start <= key[0] <= previous.end
    }


def _plan(
    community: Community,
    previous: ShiftPlan,
    problem: ShiftProblem,
    prev: PreviousRoster,
    rp: _Replan,
    staged: _Staged,
    solve_seconds: float,
) -> ShiftPlan:
    roster = staged.roster
    raw = objective_terms(problem, roster)
    changed = _changed(prev, roster)
    move_weight = community.policy.move_shift_weight
    w_change = rest_ceiling(problem)
    most_changed = rp.changed_constant + len(rp.model.x)
    w_under = w_change * move_weight * most_changed + w_change
    terms = {
        "under_cover": float(w_under * raw["under_cover"]),
        "changed_assignments": float(w_change * move_weight * changed),
        **{t: float(raw[t]) for t in _REST},
    }
    value = sum(terms.values())
    b1, b2, b3 = staged.bounds
    bound = w_under * b1
    if staged.proven[0]:
        bound = w_under * raw["under_cover"] + w_change * move_weight * b2
        if staged.proven[1]:
            bound = w_under * raw["under_cover"] + w_change * move_weight * changed + b3
    bound = min(bound, value)
    status = Status.OPTIMAL if value <= bound + 1e-6 else Status.FEASIBLE
    solution = ShiftSolution(roster, raw, bound, status, [])
    vindex = {vid: v for v, vid in enumerate(problem.volunteer_ids)}
    where = {(s.date, s.shift_id): s.index for s in problem.slots}
    rows = []
    for a in assignments(problem, roster):
        cell = (vindex[a.volunteer_id], where[a.date, a.shift_id])
        # Frozen and locked rows are kept exactly as they were (their locked flag too).
        rows.append(prev.rows[cell] if cell in prev.frozen or cell in prev.locked else a)
    rows += prev.outside
    rows.sort(key=lambda a: (a.date, a.start, a.shift_id, a.volunteer_id))
    touched = explain_terms(problem, solution)
    moved = [
        f"{problem.volunteer_ids[v]} {problem.slots[i].date} {problem.slots[i].shift_id} "
        f"{'added' if added else 'removed'}"
        for (v, i), added in changes(prev, roster)
    ]
    if moved:
        touched = {
            "under_cover": touched.pop("under_cover", []),
            "changed_assignments": moved,
            **touched,
        }
        touched = {k: v for k, v in touched.items() if v}
    return ShiftPlan(
        status=status,
        start=previous.start,
        end=previous.end,
        assignments=tuple(rows),
        unserved=tuple(unserved(community, problem, solution)),
        objective_terms=terms,
        bound=float(bound),
        explain_terms=touched,
        demand=_demand(previous),
        solve_seconds=solve_seconds,
    ).with_people(community)


def _no_timetable(
    community: Community,
    previous: ShiftPlan,
    problem: ShiftProblem,
    prev: PreviousRoster,
    solve_seconds: float,
) -> ShiftPlan:
    """The plan when no timetable keeps every rule in time: the frozen and locked rows."""
    roster: Roster = [set() for _ in problem.volunteer_ids]
    for v, i in prev.frozen | prev.locked:
        roster[v].add(i)
    solution = ShiftSolution(roster, objective_terms(problem, roster), None, Status.TIME_LIMIT, [])
    return ShiftPlan(
        status=Status.TIME_LIMIT,
        start=previous.start,
        end=previous.end,
        assignments=tuple(
            sorted(
                [prev.rows[cell] for cell in prev.frozen | prev.locked] + prev.outside,
                key=lambda a: (a.date, a.start, a.shift_id, a.volunteer_id),
            )
        ),
        unserved=tuple(unserved(community, problem, solution)),
        demand=_demand(previous),
        solve_seconds=solve_seconds,
    ).with_people(community)
