"""Column generation for the shift plan: whole timetables per volunteer, priced by CP-SAT.

Every hard rule of the shift problem belongs to one volunteer and only the cover couples
them, so a plan is one *column* (a whole timetable that keeps that volunteer's rules) per
volunteer. The linear relaxation over all columns is far tighter than the compact model's:
the compact model may cover a shift with halves of volunteers that no real timetable
allows.

:class:`ColumnGeneration` keeps a pool of columns and alternates

- the restricted master LP (GLOP): choose a mix of each volunteer's columns, with slack for
  places short and volunteers above the wanted maximum, at the least cost;
- pricing: for each volunteer, CP-SAT finds the timetable of least *reduced* cost (its own
  terms minus the LP's prices of the shifts it covers), one single-worker solve per
  volunteer, two at a time on two cores. Negative ones join the pool.

Any prices give a proven lower bound (Lagrangian): the prices times the places wanted plus
each volunteer's least reduced cost, which CP-SAT bounds from below even when it stops
early. At the end, :meth:`ColumnGeneration.rounded` takes each volunteer's most used column
of the LP and :meth:`ColumnGeneration.swap_down` swaps columns of the pool while that
lowers the objective: a first plan near the LP's, for the neighbourhood search to finish.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from carecal.solver.cpsat import cp_solver
from carecal.solver.shifts.model import ShiftModel, Structure
from carecal.solver.shifts.problem import Roster, ShiftProblem, volunteer_terms

if TYPE_CHECKING:
    from carecal.options import SolveOptions

__all__ = ["ColumnGeneration", "ColumnReport"]

# Prices are rounded to 1/_SCALE of a cost unit in the CP-SAT pricing models.
_SCALE = 1000


@dataclass
class ColumnReport:
    """What a round of column generation did."""

    iterations: int = 0
    columns: int = 0
    lp_value: float | None = None
    bound: float | None = None
    converged: bool = False
    seconds: float = 0.0


class _Pricer:
    """One volunteer's pricing model, built once; only its objective changes."""

    def __init__(self, problem: ShiftProblem, structure: Structure, v: int, hint: Roster) -> None:
        self.v = v
        self.model = ShiftModel(
            problem, structure, [v], None, hint, use_flow=True, hints=False, objective=False
        )
        self.slots = sorted(i for (_, i) in self.model.x)
        self.vars = [self.model.x[(v, i)] for i in self.slots]
        self.own = [c.expr for c in self.model.cost]
        self.own_w = [c.weight for c in self.model.cost]

    def solve(
        self, price: dict[int, int], limit: float, options: SolveOptions, seed_offset: int
    ) -> tuple[list[frozenset[int]], float, bool, float]:
        """Timetables found (best last), a bound on the least cost, optimal, work done.

        ``price`` is per slot, in 1/_SCALE units; the returned bound is in those units too
        and excludes the volunteer's convexity price. The solve runs on one worker (the
        volunteers are priced side by side) under the call's ``options``; the work is
        CP-SAT's deterministic time.
        """
        m = self.model.m
        m.clear_objective()
        exprs = self.own + self.vars
        coefs = [_SCALE * c for c in self.own_w] + [-price.get(i, 0) for i in self.slots]
        m.minimize(cp_model.LinearExpr.weighted_sum(exprs, coefs) + _SCALE * self.model.constant)
        solver = cp_solver(options, limit, workers=1, seed_offset=seed_offset)
        # The LP at level 2 proves these small models optimal sooner.
        solver.parameters.linearization_level = 2
        seen = _Collect(self.slots, self.vars)
        status = solver.solve(m, seen)
        work = solver.deterministic_time
        if status == cp_model.INFEASIBLE:
            return [], math.inf, True, work
        return seen.found, solver.best_objective_bound, status == cp_model.OPTIMAL, work


class _Collect(cp_model.CpSolverSolutionCallback):
    """Every timetable CP-SAT finds on its way (each better than the last): more columns."""

    def __init__(self, slots: list[int], xs: list[cp_model.IntVar]) -> None:
        super().__init__()
        self.slots = slots
        self.xs = xs
        self.found: list[frozenset[int]] = []

    def on_solution_callback(self) -> None:
        self.found.append(
            frozenset(i for i, x in zip(self.slots, self.xs, strict=True) if self.value(x))
        )


class ColumnGeneration:
    """A pool of whole timetables per volunteer, its LP, pricing and rounding.

    Parameters
    ----------
    problem, structure
        The shift problem and its precomputed structure.
    roster
        A timetable that keeps every hard rule: its columns start the pool, so the LP
        always has a plan.
    options
        The call's solving options: with ``deterministic``, each pricing solve is limited
        by CP-SAT's deterministic time instead of the clock (with one worker per solve,
        the columns are then the same on every run); ``seed`` seeds them.
    charge
        Called with the work of each pricing solve (its deterministic time), for callers
        that keep time in work rather than on the clock.
    """

    def __init__(
        self,
        problem: ShiftProblem,
        structure: Structure,
        roster: Roster,
        options: SolveOptions,
        charge: Callable[[float], None] | None = None,
    ) -> None:
        self.p = problem
        self.options = options
        self.charge = charge
        self.st = structure
        self.pool: list[dict[frozenset[int], int]] = [{} for _ in range(problem.n_volunteers)]
        self.pricers: dict[int, _Pricer] = {}
        self.lp_mix: list[list[tuple[frozenset[int], float]]] = []
        self.duals: tuple[dict[int, float], dict[int, float], list[float]] | None = None
        """The last LP's prices: of each slot's minimum, its maximum, each volunteer."""
        self.roster = roster
        self.add_roster(roster)
        p = problem
        self.under = [s.index for s in p.slots if s.min_volunteers > 0 and s.weight_under > 0]
        self.over = [s.index for s in p.slots if s.max_volunteers is not None and s.weight_over > 0]

    def reduced_cost(self, v: int, slots: set[int] | frozenset[int]) -> float:
        """How much dearer ``slots`` is for volunteer ``v`` than the last LP's best mix."""
        if self.duals is None:
            return 0.0
        lo, hi, mu = self.duals
        cost = sum(volunteer_terms(self.p, v, slots).values())
        return cost - sum(lo.get(i, 0.0) + hi.get(i, 0.0) for i in slots) - mu[v]

    def cell_values(self) -> dict[tuple[int, int], float]:
        """The last LP's value of every (volunteer, slot) cell its mix uses (others are 0)."""
        out: dict[tuple[int, int], float] = {}
        for v, mix in enumerate(self.lp_mix):
            for slots, weight in mix:
                if weight > 0:
                    for i in slots:
                        out[(v, i)] = out.get((v, i), 0.0) + weight
        return out

    def rounded(self) -> Roster:
        """Per volunteer, the column the last LP used most: a plan near the LP's."""
        return [set(max(m, key=lambda c: c[1])[0]) for m in self.lp_mix]

    def swap_down(self, roster: Roster) -> Roster:
        """Swap volunteers' timetables for pool columns while that lowers the objective.

        A coordinate descent: each volunteer in turn takes the column of the pool that is
        cheapest given everyone else's (own terms plus the change in cover), until no
        swap helps. Every column keeps its volunteer's rules, so the plan stays valid.
        """
        p = self.p
        self.add_roster(roster)
        out = [frozenset(s) for s in roster]
        count = [0] * len(p.slots)
        for slots in out:
            for i in slots:
                count[i] += 1
        under = [(s.weight_under, s.min_volunteers) for s in p.slots]
        # A slot without a wanted maximum costs nothing above it (weight 0).
        over = [
            (s.weight_over if s.max_volunteers is not None else 0, s.max_volunteers or 0)
            for s in p.slots
        ]

        def price(slots: frozenset[int], cost: int) -> int:
            """Own ``cost`` plus the change in cover cost if ``slots`` join the counts."""
            total = cost
            for i in slots:
                c = count[i]
                wu, lo = under[i]
                wo, hi = over[i]
                total += wu * (max(0, lo - c - 1) - max(0, lo - c))
                total += wo * (max(0, c + 1 - hi) - max(0, c - hi))
            return total

        improved = True
        while improved:
            improved = False
            for v in range(p.n_volunteers):
                mine = out[v]
                for i in mine:
                    count[i] -= 1
                best, best_cost = mine, price(mine, self.pool[v][mine])
                for slots, cost in self.pool[v].items():
                    total = price(slots, cost)
                    if total < best_cost:
                        best, best_cost = slots, total
                if best != mine:
                    improved = True
                out[v] = best
                for i in best:
                    count[i] += 1
        return [set(s) for s in out]

    def add(self, v: int, slots: frozenset[int]) -> bool:
        """Add volunteer ``v``'s timetable ``slots`` to the pool; whether it was new."""
        if slots in self.pool[v]:
            return False
        self.pool[v][slots] = sum(volunteer_terms(self.p, v, slots).values())
        return True

    def add_roster(self, roster: Roster) -> int:
        """Add every volunteer's timetable in ``roster``; how many were new."""
        return sum(self.add(v, frozenset(s)) for v, s in enumerate(roster))

    @property
    def size(self) -> int:
        """Columns in the pool."""
        return sum(len(c) for c in self.pool)

    # --- the LP ---------------------------------------------------------------------------
    def _lp(
        self, fixed: dict[int, frozenset[int]] | None = None
    ) -> tuple[float, dict[int, float], dict[int, float], list[float]] | None:
        """Solve the restricted master LP: value, prices of minimum and maximum, per volunteer.

        A volunteer in ``fixed`` keeps that one column.
        """
        p = self.p
        fixed = fixed or {}
        lp = pywraplp.Solver.CreateSolver("GLOP")
        if lp is None:  # pragma: no cover - GLOP ships with OR-Tools
            return None
        objective = lp.Objective()
        lo = {}
        for i in self.under:
            s = p.slots[i]
            c = lp.Constraint(float(s.min_volunteers), lp.infinity())
            u = lp.NumVar(0.0, lp.infinity(), "")
            c.SetCoefficient(u, 1.0)
            objective.SetCoefficient(u, float(s.weight_under))
            lo[i] = c
        hi = {}
        for i in self.over:
            s = p.slots[i]
            assert s.max_volunteers is not None
            c = lp.Constraint(-lp.infinity(), float(s.max_volunteers))
            o = lp.NumVar(0.0, lp.infinity(), "")
            c.SetCoefficient(o, -1.0)
            objective.SetCoefficient(o, float(s.weight_over))
            hi[i] = c
        conv = []
        mix: list[list[tuple[frozenset[int], Any]]] = []
        for v in range(p.n_volunteers):
            c = lp.Constraint(1.0, 1.0)
            conv.append(c)
            mix.append([])
            for slots, cost in self.pool[v].items():
                if v in fixed and slots != fixed[v]:
                    continue
                x = lp.NumVar(0.0, lp.infinity(), "")
                mix[v].append((slots, x))
                c.SetCoefficient(x, 1.0)
                objective.SetCoefficient(x, float(cost))
                for i in slots:
                    if i in lo:
                        lo[i].SetCoefficient(x, 1.0)
                    if i in hi:
                        hi[i].SetCoefficient(x, 1.0)
        objective.SetMinimization()
        if lp.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        self.lp_mix = [[(slots, x.solution_value()) for slots, x in m] for m in mix]
        return (
            objective.Value(),
            {i: c.dual_value() for i, c in lo.items()},
            {i: c.dual_value() for i, c in hi.items()},
            [c.dual_value() for c in conv],
        )

    def _price_table(
        self, lo: dict[int, float], hi: dict[int, float]
    ) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
        """Prices rounded to 1/_SCALE and clipped to the ranges that keep the bound valid."""
        p = self.p
        lo_r = {
            i: min(_SCALE * p.slots[i].weight_under, max(0, round(_SCALE * d)))
            for i, d in lo.items()
        }
        hi_r = {
            i: max(-_SCALE * p.slots[i].weight_over, min(0, round(_SCALE * d)))
            for i, d in hi.items()
        }
        price: dict[int, int] = {}
        for i, d in lo_r.items():
            if d:
                price[i] = d
        for i, d in hi_r.items():
            if d:
                price[i] = price.get(i, 0) + d
        return price, lo_r, hi_r

    # --- the loop -------------------------------------------------------------------------
    def _price(
        self,
        executor: ThreadPoolExecutor,
        volunteers: list[int],
        duals: tuple[dict[int, float], dict[int, float], list[float]],
        smoothed: tuple[dict[int, float], dict[int, float]],
        limit: float,
        seed_offset: int,
    ) -> tuple[int, float, bool]:
        """Price ``volunteers`` at the ``smoothed`` prices; add the columns that the LP's
        own ``duals`` price below zero. Returns how many were added, the Lagrangian bound
        of the smoothed prices (meaningful when every volunteer was priced) and whether
        every pricing was solved to optimality."""
        p = self.p
        lo, hi, mu = duals
        price, lo_r, hi_r = self._price_table(*smoothed)
        lagrange = float(sum(d * p.slots[i].min_volunteers for i, d in lo_r.items()))
        lagrange += sum(d * (p.slots[i].max_volunteers or 0) for i, d in hi_r.items())
        for v in volunteers:
            if v not in self.pricers:
                self.pricers[v] = _Pricer(p, self.st, v, self.roster)
        futures = [
            executor.submit(
                self.pricers[v].solve, price, limit, self.options, seed_offset + 7919 * v
            )
            for v in volunteers
        ]
        added = 0
        complete = True
        for v, future in zip(volunteers, futures, strict=True):
            found, lb, optimal, work = future.result()
            if self.charge is not None:
                self.charge(work)
            complete = complete and optimal
            lagrange += lb
            for slots in found:
                if slots in self.pool[v]:
                    continue
                cost = sum(volunteer_terms(p, v, slots).values())
                rc = cost - sum(lo.get(i, 0.0) + hi.get(i, 0.0) for i in slots) - mu[v]
                if rc < -1e-6:
                    self.pool[v][slots] = cost
                    added += 1
        return added, lagrange / _SCALE, complete

    def run(
        self,
        deadline: Callable[[], float],
        workers: int = 2,
        price_limit: float = 2.0,
        seed_offset: int = 0,
        on_round: Callable[[ColumnReport], None] | None = None,
        smoothing: float = 0.5,
    ) -> ColumnReport:
        """Generate columns until the LP is optimal over all columns or the time is up.

        ``deadline()`` returns the time left (seconds, or deterministic units when
        deterministic); ``workers`` volunteers are priced side by side; ``seed_offset`` is
        added to the call's seed in every pricing solve; ``on_round`` receives the report
        after every round. Returns what was done, with the best Lagrangian bound found
        (rounded up: costs are integers).
        """
        p = self.p
        t0 = time.monotonic()
        report = ColumnReport()
        best_bound = -math.inf
        centre: tuple[dict[int, float], dict[int, float]] | None = None
        alpha = smoothing
        everyone = list(range(p.n_volunteers))
        executor = ThreadPoolExecutor(max_workers=max(1, workers))
        try:
            while deadline() > 0.05:
                solved = self._lp()
                if solved is None:
                    break
                value, lo, hi, mu = solved
                self.duals = (lo, hi, mu)
                report.lp_value = value
                # Prices between the LP's and those of the best bound so far (Wentges):
                # the LP's prices swing from one iteration to the next.
                a = alpha if centre is not None else 0.0
                if centre is not None and a > 0:
                    smoothed = (
                        {i: a * centre[0][i] + (1 - a) * d for i, d in lo.items()},
                        {i: a * centre[1][i] + (1 - a) * d for i, d in hi.items()},
                    )
                else:
                    smoothed = (lo, hi)
                limit = min(price_limit, max(0.05, deadline()))
                added, lagrange, complete = self._price(
                    executor, everyone, (lo, hi, mu), smoothed, limit, seed_offset
                )
                if lagrange > best_bound:
                    best_bound = lagrange
                    centre = smoothed
                report.iterations += 1
                report.columns = self.size
                report.bound = math.ceil(best_bound - 1e-6) if best_bound > -math.inf else None
                if on_round is not None:
                    on_round(report)
                if added == 0:
                    if a > 0:
                        alpha = 0.0  # the smoothed prices found nothing: try the LP's own
                        continue
                    report.converged = complete
                    break
                alpha = smoothing
        finally:
            executor.shutdown(wait=True)
        report.columns = self.size
        report.bound = math.ceil(best_bound - 1e-6) if best_bound > -math.inf else None
        report.seconds = time.monotonic() - t0
        return report
