"""The shift search: who is on duty when, fairly, within what each pledged (CP-SAT).

Every hard rule belongs to one volunteer (skill, availability, one shift at a time, weekly
limits, rest, successions, runs of days, weekends, period pledges); the cover of a shift is
soft. So an empty timetable breaks no rule except a minimum of minutes, and the planner
works in three steps that each keep every hard rule:

1. a first timetable, volunteer by volunteer: feasibility first, on a short list of the
   shifts with most places still open (a volunteer with tight pledges gets every shift they
   may work and a wide CP-SAT portfolio) (:mod:`.construction`);
2. on problems of up to a few thousand (volunteer, shift) pairs, column generation
   (:mod:`.columns`): the LP over whole timetables per volunteer, priced by CP-SAT, gives a
   proven bound far tighter than the compact model's, and its most used timetables,
   swapped while that helps, a plan near the LP's; on larger problems up to a limit,
   CP-SAT on the whole model from the first timetable instead;
3. large neighbourhood search (:mod:`.neighbourhoods`): free a few volunteers over the
   whole period, or everyone over a few days, or a block of both, and re-plan that part
   with CP-SAT. After column generation on 30 volunteers or more over at most four weeks,
   each step re-plans two neighbourhoods side by side, one CP-SAT worker each, and keeps
   the better plan.

The model itself is in :mod:`.model`, one small method per care rule, over the *free*
cells of a timetable; the rest stays as it is. :class:`Search` runs the steps in turn.
Every CP-SAT solve goes through :mod:`carecal.solver.cpsat` under the call's options; in
deterministic mode the search's own clock counts CP-SAT's work, not wall time, so the
same input gives the same plan.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from carecal.plans import Status
from carecal.solver.shifts.base import meets
from carecal.solver.shifts.columns import ColumnGeneration, ColumnReport
from carecal.solver.shifts.construction import Construction
from carecal.solver.shifts.model import ShiftModel
from carecal.solver.shifts.neighbourhoods import Neighbourhoods
from carecal.solver.shifts.problem import TERMS, Roster, ShiftProblem, objective_terms, roster_cost
from carecal.solver.shifts.solution import ShiftSolution

if TYPE_CHECKING:
    from carecal.options import SolveOptions

__all__ = ["Search", "solve_shift_problem"]

logger = logging.getLogger(__name__)

# Problems with at most this many (volunteer, shift) pairs and days get column generation
# first; others up to the second limit get a whole-model solve instead. (On 84 days the
# pricing of whole timetables is too slow for the LP to settle within a minute: no bound,
# and on one of the two such Curtois instances a worse plan.)
_COLUMN_LIMIT = 15_000
_COLUMN_DAYS = 56
_FULL_MODEL_LIMIT = 40_000
# Up to this many pairs the whole model also runs after column generation, when the LP's
# bound does not already prove the plan optimal: CP-SAT's branching often can.
_PROOF_LIMIT = 1_000


class Search(Construction, Neighbourhoods):
    """The three steps on one problem: first timetable, column generation or the whole
    model, large neighbourhood search (:meth:`run`)."""

    whole_share = 0.15  # share of the time given to the whole-model solve on small problems
    column_share = 0.6  # most of the time column generation may take
    near_lp_share = 0.4  # share of the time left after column generation for near_lp
    lp_settled = 0.01  # an LP value this close to 0 or 1 fixes the cell in near_lp
    whole_flow = False

    def whole(
        self, roster: Roster | None, limit: float, bound: float | None = None
    ) -> tuple[Roster | None, float | None, str]:
        """The whole model (``roster`` as hint): a roster or ``None``, a bound, the status.

        With a ``bound`` proven elsewhere (the column LP's), CP-SAT stops as soon as its
        plan meets it instead of searching on for a proof of its own.
        """
        current = roster if roster is not None else [set() for _ in range(self.p.n_volunteers)]
        model = ShiftModel(
            self.p,
            self.st,
            range(self.p.n_volunteers),
            None,
            current,
            hints=roster is not None,
            use_flow=self.whole_flow,
        )
        solver, status = self._solve(model, limit, stop_at=bound)
        name = solver.status_name(status)
        if status == cp_model.OPTIMAL:
            return model.read(solver), solver.objective_value, name
        if status == cp_model.FEASIBLE:
            return model.read(solver), solver.best_objective_bound, name
        bound = solver.best_objective_bound if status == cp_model.UNKNOWN else None
        return roster, bound, name

    def columns(self, roster: Roster) -> tuple[Roster, float | None]:
        """Column generation from ``roster``: a plan near the LP's, and a proven bound.

        Runs until the LP is optimal over all timetables or ``column_share`` of the time
        is spent; the plan is the better of the LP's rounded one and ``roster``, each
        improved by swapping in the pool's columns.
        """
        p = self.p
        cg = ColumnGeneration(
            p, self.st, roster, self.options, self.charge if self.deterministic else None
        )

        def each_round(report: ColumnReport) -> None:
            self.reporter(
                "column generation",
                f"column generation: round {report.iterations}, LP {report.lp_value or 0:.1f}, "
                f"bound {report.bound}, {report.columns} timetables",
                bound=report.bound,
            )

        # The volunteers are priced side by side, one CP-SAT worker each; with the work
        # of each pricing limited, that is deterministic too.
        report = cg.run(
            lambda: self.column_share * self.time_limit - self.elapsed(),
            workers=self.workers,
            seed_offset=self.next_seed_offset() * 100_003,
            on_round=each_round,
        )
        logger.debug(
            "shifts: %d rounds of column generation, %d timetables, LP %.1f, bound %s%s after %.1f",
            report.iterations,
            report.columns,
            report.lp_value or 0.0,
            report.bound,
            " (LP optimal)" if report.converged else "",
            self.elapsed(),
        )
        self.lp = cg if cg.duals is not None else None
        best = cg.swap_down(roster)
        if cg.lp_mix:
            near = cg.swap_down(cg.rounded())
            if roster_cost(p, near) < roster_cost(p, best):
                best = near
        return best, report.bound

    def near_lp(self, roster: Roster, limit: float, bound: float | None = None) -> Roster:
        """The whole model with every cell the LP has settled fixed to the LP's value.

        A relaxation-induced neighbourhood: where the column LP puts (nearly) all or none
        of a volunteer's weight on a shift, that cell is fixed; CP-SAT plans the cells the
        LP is split on, from ``roster``, and stops early if its plan meets the proven
        ``bound``. Returns the better of its plan and ``roster``.
        """
        assert self.lp is not None
        p = self.p
        values = self.lp.cell_values()
        model = ShiftModel(
            p, self.st, range(p.n_volunteers), None, roster, use_flow=self.whole_flow
        )
        settled = 0
        for v, i in model.x:
            x = values.get((v, i), 0.0)
            if x >= 1.0 - self.lp_settled:
                model.fix(v, i, True)
            elif x <= self.lp_settled:
                model.fix(v, i, False)
            else:
                continue
            settled += 1
        solver, status = self._solve(model, limit, stop_at=bound)
        logger.debug(
            "near the LP: %d of %d cells fixed, %s in %.1f s",
            settled,
            len(model.x),
            solver.status_name(status),
            solver.wall_time,
        )
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return roster
        candidate = model.read(solver)
        if roster_cost(p, candidate) < roster_cost(p, roster):
            return candidate
        return roster

    def run(self, start: Roster | None) -> ShiftSolution:
        """All three steps from ``start`` (or nothing): the best timetable found."""
        p = self.p
        bound: float | None = trivial_bound(p)
        optimal = False
        self.reporter(
            "first timetable", f"first timetable: planning {p.n_volunteers} volunteers one by one"
        )
        roster, infeasible, unknown = self.construct(start)
        if infeasible or unknown:
            return ShiftSolution(
                roster,
                objective_terms(p, roster),
                None,
                Status.INFEASIBLE if infeasible else Status.TIME_LIMIT,
                infeasible,
                unknown,
            )
        first = roster_cost(p, roster)
        self.reporter("first timetable", f"first timetable: objective {first}", first, bound)
        if p.n_volunteers == 0:
            # Nobody to plan: the empty timetable is the only one (and the bound its cost).
            return ShiftSolution(roster, objective_terms(p, roster), bound, Status.OPTIMAL, [])
        cells = sum(len(e) for e in p.eligible)
        use_columns = cells <= _COLUMN_LIMIT and p.n_days <= _COLUMN_DAYS
        if use_columns:
            roster, bound_c = self.columns(roster)
            if bound_c is not None:
                bound = max(bound or 0.0, bound_c)
        whole_too = cells <= _PROOF_LIMIT and (not meets(roster_cost(p, roster), bound))
        if whole_too or (not use_columns and cells <= _FULL_MODEL_LIMIT):
            # Small enough for CP-SAT on the whole model, from the plan so far: its own
            # search improves it, and its bound comes from the exact relaxation of the
            # runs. On the smallest problems it often proves what the LP cannot.
            whole, bound_w, status = self.whole(roster, self.whole_share * self.remaining(), bound)
            optimal = status == "OPTIMAL"
            if bound_w is not None:
                bound = max(bound or 0.0, bound_w)
            if whole is not None and roster_cost(p, whole) <= roster_cost(p, roster):
                roster = whole
        best = roster_cost(p, roster)
        if (
            self.lp is not None
            and self.near_lp_share > 0
            and not optimal
            and not meets(best, bound)
        ):
            roster = self.near_lp(roster, self.near_lp_share * self.remaining(), bound)
            best = roster_cost(p, roster)
        self.reporter("improving", f"improving: objective {best}, bound {bound}", best, bound)
        if not optimal and self.remaining() > 0.2 and not meets(best, bound):
            roster, best, bound = self.improve(roster, best, self.time_limit, bound)
        if meets(best, bound):
            optimal = True
        terms = objective_terms(p, roster)
        return ShiftSolution(
            roster, terms, bound, Status.OPTIMAL if optimal else Status.FEASIBLE, []
        )


def trivial_bound(problem: ShiftProblem) -> float:
    """Costs no timetable avoids: places nobody may fill, requests nobody can honour."""
    eligible_count = [0] * len(problem.slots)
    for elig in problem.eligible:
        for i in elig:
            eligible_count[i] += 1
    bound = 0
    for s in problem.slots:
        bound += s.weight_under * max(0, s.min_volunteers - eligible_count[s.index])
    for r in problem.requests:
        if r.want:
            elig = problem.eligible_on_day[r.volunteer].get(r.day, [])
            possible = elig if r.slots is None else [i for i in r.slots if i in elig]
            if not possible:
                bound += r.cost
    return float(bound)


def solve_shift_problem(
    problem: ShiftProblem,
    options: SolveOptions,
    *,
    budget: float | None = None,
    start: Roster | None = None,
) -> ShiftSolution:
    """Solve a :class:`ShiftProblem`: the engine under :func:`.plan.shift_plan`.

    Parameters
    ----------
    problem
        The problem, from :func:`carecal.solver.shifts.problem.build_shift_problem`.
    options
        The call's solving options (workers, seed, determinism, progress).
    budget
        What the search may spend (wall seconds, or deterministic time units when
        ``options.deterministic``); default what is left of the call's time limit.
    start
        A timetable to start from (cells a volunteer may not work are dropped).

    Returns
    -------
    ShiftSolution
        The best timetable found, its terms and bound.
    """
    if not problem.slots:
        return ShiftSolution(
            [set() for _ in problem.volunteer_ids], dict.fromkeys(TERMS, 0), 0.0, Status.EMPTY, []
        )
    return Search(problem, options, budget).run(start)
