"""The campaign's CP-SAT model: the variables, one method per care rule, the objective terms.

How it is modelled
------------------
Walk-ins only take places, so they are counted, not scheduled: the model books the best
``n`` of them (by priority) as long as the campaign's places hold everyone booked, and
after the solve they fill the places the escorted residents left, oldest first into the
earliest slots. This split loses nothing.

Escorted residents get a slot (one Boolean per resident, clinic day and slot) and an
escort window (a *tour*: one escort, one clinic day, one availability window). The tours
of one escort's window on one date (one per clinic running that date) form a *shift*:
its jobs are optional intervals in a ``NoOverlap``, whichever clinic they go to; pool
chairs are optional intervals in a ``Cumulative`` per pool site and date. The walk
between two jobs of a shift is modelled in one of two ways:

- **exact** (up to ``exact_walk_pairs`` pairs of jobs that could share a shift: small
  campaigns): for each such pair an order literal, and the later job starts no earlier
  than the earlier one ends plus the walk between them;
- **margins** (larger campaigns): each job is padded before by the walk from a hub (the
  first pool site, else the clinic) and after by the least margin that covers the walk
  to any other job's start (``out[a] + in[b] >= walk(a, b)`` for every pair). This is
  sound: a plan that fits with margins fits with the real walks. It is exact between
  two pool-chair jobs at the hub (both margins zero), and costs time between two jobs
  with the residents' own chairs, where the escort is given the walk via the hub (for
  two neighbours 1 km from the hub, about 30 minutes more than the walk next door). On
  a tight escort day that can cost a third job.

A job's window check counts the walk from the escort's home (an escort without home
coordinates is taken to start at the job), for every job of the window, which the
first job needs and later ones satisfy in practice. The walking term of the objective
is an estimate: each job's walk from its escort's home to its first place plus the
pool legs; the verifier checks the real walks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from ortools.sat.python import cp_model

from carecal.clock import TimeWindow
from carecal.history import familiar_saving
from carecal.solver.campaign.problem import CampaignData


class CampaignModel:
    """The CP-SAT model: variables, one method per care rule, then the objective terms."""

    def __init__(self, data: CampaignData) -> None:
        self.data = data
        self.m = cp_model.CpModel()
        m = self.m
        days = data.days
        # x[r, d, k]: resident r's check is in slot k of day d.
        self.x: dict[tuple[str, int, int], cp_model.IntVar] = {}
        for (rid, d), ks in sorted(data.slot_options.items()):
            for k in ks:
                self.x[rid, d, k] = m.new_bool_var(f"x[{rid},{d},{k}]")
        self.on_day: dict[tuple[str, int], cp_model.IntVar] = {}
        self.booked: dict[str, cp_model.IntVar] = {}
        self.start: dict[str, cp_model.IntVar] = {}
        for r in data.escorted:
            rid = r.resident_id
            self.booked[rid] = m.new_bool_var(f"booked[{rid}]")
            slot_values = {0}
            for d in range(len(days)):
                ks = data.slot_options.get((rid, d), [])
                slot_values |= {days[d].slots[k] for k in ks}
                if ks:
                    self.on_day[rid, d] = m.new_bool_var(f"on_day[{rid},{d}]")
            self.start[rid] = m.new_int_var_from_domain(
                cp_model.Domain.from_values(sorted(slot_values)), f"start[{rid}]"
            )
        # y[r, t]: tour t (an escort's window on a date) takes resident r.
        self.y: dict[tuple[str, int], cp_model.IntVar] = {
            (rid, t): m.new_bool_var(f"y[{rid},{t}]") for rid, t in data.fits
        }
        # order[a, ta, b, tb]: of two jobs of one shift, a's (tour ta) comes before b's.
        self.order: dict[tuple[str, int, str, int], cp_model.IntVar] = {}
        # Walk-ins, best priority first: u[i] books the i-th.
        self.walkin_order = sorted(
            data.walkins,
            key=lambda r: (-data.value[r.resident_id], -r.age_on(days[0].date), r.resident_id),
        )
        self.u = [m.new_bool_var(f"walkin[{r.resident_id}]") for r in self.walkin_order]

        self._booking_is_one_slot_on_one_day()
        self._no_slot_overfilled()
        self._walkins_take_remaining_places()
        self._escorted_resident_has_one_escort()
        self._escort_job_inside_free_time()
        self._escort_jobs_never_overlap_walks_included()
        self._escort_jobs_per_day_capped()
        self._pool_chairs_never_overdrawn()
        self._time_budgets_redundant()

        self.terms = self._objective_terms()

    # --- rules -------------------------------------------------------------------------
    def _booking_is_one_slot_on_one_day(self) -> None:
        """A due resident gets at most one check: one slot on one day."""
        m, days = self.m, self.data.days
        slots_of: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
        start_terms: dict[str, list[cp_model.LinearExpr]] = defaultdict(list)
        for (rid, d, k), v in self.x.items():
            slots_of[rid, d].append(v)
            start_terms[rid].append(days[d].slots[k] * v)
        days_of: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        for (rid, d), v in self.on_day.items():
            m.add(sum(slots_of[rid, d]) == v)
            days_of[rid].append(v)
        for rid, booked in self.booked.items():
            m.add(sum(days_of[rid]) == booked)
            m.add(self.start[rid] == sum(start_terms[rid]))

    def _no_slot_overfilled(self) -> None:
        """No clinic slot takes more escorted residents than it has places."""
        by_slot: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
        for (_, d, k), v in self.x.items():
            by_slot[d, k].append(v)
        for (d, _), vs in by_slot.items():
            if len(vs) > self.data.days[d].places_per_slot:
                self.m.add(sum(vs) <= self.data.days[d].places_per_slot)

    def _walkins_take_remaining_places(self) -> None:
        """Walk-ins fill the places left; the best-priority walk-ins are booked first."""
        total = sum(day.places for day in self.data.days)
        for a, b in zip(self.u, self.u[1:], strict=False):
            self.m.add_implication(b, a)
        if len(self.u) + len(self.booked) > total:
            self.m.add(sum(self.u) + sum(self.booked.values()) <= total)

    def _escorted_resident_has_one_escort(self) -> None:
        """An escorted resident booked on a day has exactly one trained escort that day."""
        by_day: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
        for (rid, t), v in self.y.items():
            by_day[rid, self.data.tours[t].day].append(v)
        for (rid, d), v in self.on_day.items():
            self.m.add(sum(by_day[rid, d]) == v)

    def _escort_job_inside_free_time(self) -> None:
        """The whole job, from leaving home, lies inside the escort's window."""
        days = self.data.days
        for (rid, t), y in self.y.items():
            _, first, last = self.data.fits[rid, t]
            day = days[self.data.tours[t].day]
            self.m.add(self.start[rid] >= day.slots[first]).only_enforce_if(y)
            self.m.add(self.start[rid] <= day.slots[last]).only_enforce_if(y)

    def _escort_jobs_never_overlap_walks_included(self) -> None:
        """One escort's jobs never overlap, counting the walk from one job to the next."""
        data = self.data
        per_shift: dict[int, list[cp_model.IntervalVar]] = defaultdict(list)
        jobs_of: dict[int, list[tuple[str, int]]] = defaultdict(list)
        for (rid, t), y in self.y.items():
            job = data.jobs[rid, data.tours[t].day]
            before = data.pad_before(rid, t)
            shift = data.tours[t].shift
            per_shift[shift].append(
                self.m.new_optional_fixed_size_interval_var(
                    self.start[rid] - job.lead - before,
                    before + job.lead + job.tail + data.pad_after(rid),
                    y,
                    f"job[{rid},{t}]",
                )
            )
            jobs_of[shift].append((rid, t))
        for intervals in per_shift.values():
            if len(intervals) > 1:
                self.m.add_no_overlap(intervals)
        if not data.exact:
            return
        # Exact walks: whichever of two jobs of a shift comes first (at the same clinic or
        # two clinics of that date), the escort walks from its end place to the other's
        # start place in between.
        for jobs in jobs_of.values():
            for i, (a, ta) in enumerate(jobs):
                for b, tb in jobs[i + 1 :]:
                    if a == b:
                        continue  # one resident is booked at one clinic day at most
                    ja, jb = data.jobs[a, data.tours[ta].day], data.jobs[b, data.tours[tb].day]
                    ya, yb = self.y[a, ta], self.y[b, tb]
                    ab = self.m.new_bool_var(f"order[{a},{ta},{b},{tb}]")
                    self.m.add_bool_or([ab, ya.Not(), yb.Not()])
                    w_ab = data.walk(ja.end_place, jb.start_place)
                    w_ba = data.walk(jb.end_place, ja.start_place)
                    self.m.add(
                        self.start[b] - jb.lead >= self.start[a] + ja.tail + w_ab
                    ).only_enforce_if([ab, ya, yb])
                    self.m.add(
                        self.start[a] - ja.lead >= self.start[b] + jb.tail + w_ba
                    ).only_enforce_if([ab.Not(), ya, yb])
                    self.order[a, ta, b, tb] = ab

    def _escort_jobs_per_day_capped(self) -> None:
        """No escort takes more than the policy's jobs per day (at all clinics that day)."""
        data = self.data
        cap = data.community.policy.max_escort_jobs_per_day
        per_day: dict[tuple[str, dt.date], list[cp_model.IntVar]] = defaultdict(list)
        for (_, t), v in self.y.items():
            tour = data.tours[t]
            per_day[tour.escort_id, data.days[tour.day].date].append(v)
        for vs in per_day.values():
            if len(vs) > cap:
                self.m.add(sum(vs) <= cap)

    def _pool_chairs_never_overdrawn(self) -> None:
        """At no moment are more pool chairs out of a pool site than it holds."""
        data = self.data
        sites = data.community.site_by_id
        # Keyed by date: the chairs of a pool serve every clinic running that date.
        groups: dict[tuple[str, dt.date], list[cp_model.IntervalVar]] = defaultdict(list)
        for (rid, d), present in self.on_day.items():
            job = data.jobs[rid, d]
            if job.pool_site is None:
                continue
            groups[job.pool_site, data.days[d].date].append(
                self.m.new_optional_fixed_size_interval_var(
                    self.start[rid] - job.lead,
                    job.lead + job.tail,
                    present,
                    f"chair[{rid},{d}]",
                )
            )
        for (site, _), intervals in groups.items():
            capacity = sites[site].wheelchairs
            if len(intervals) > capacity:
                self.m.add_cumulative(intervals, [1] * len(intervals), capacity)

    def _time_budgets_redundant(self) -> None:
        """Redundant: a pool's chairs, and an escort's window, have only so many minutes.

        Implied by the rules above; stated as sums so that the solver's bound on how many
        can be booked is tighter.
        """
        data, days = self.data, self.data.days
        chair_jobs: dict[tuple[str, dt.date], list[tuple[cp_model.IntVar, int, int, int]]]
        chair_jobs = defaultdict(list)
        for (rid, d), present in self.on_day.items():
            job = data.jobs[rid, d]
            if job.pool_site is None:
                continue
            ks = data.slot_options[rid, d]
            earliest = days[d].slots[ks[0]] - job.lead
            latest = days[d].slots[ks[-1]] + job.tail
            chair_jobs[job.pool_site, days[d].date].append(
                (present, job.lead + job.tail, earliest, latest)
            )
        for (site, _), items in chair_jobs.items():
            span = max(i[3] for i in items) - min(i[2] for i in items)
            capacity = data.community.site_by_id[site].wheelchairs
            if sum(i[1] for i in items) > capacity * span:
                self.m.add(sum(i[0] * i[1] for i in items) <= capacity * span)
        per_shift: dict[int, list[tuple[cp_model.IntVar, int]]] = defaultdict(list)
        window_of: dict[int, TimeWindow] = {}
        for (rid, t), y in self.y.items():
            job = data.jobs[rid, data.tours[t].day]
            per_shift[data.tours[t].shift].append((y, job.lead + job.tail))
            window_of[data.tours[t].shift] = data.tours[t].window
        for shift, jobs in per_shift.items():
            window = window_of[shift]
            length = window.end - window.start
            if sum(n for _, n in jobs) > length:
                self.m.add(sum(y * n for y, n in jobs) <= length)

    # --- objective ---------------------------------------------------------------------
    def _objective_terms(self) -> dict[str, cp_model.LinearExpr]:
        data, m = self.data, self.m
        weighted = cp_model.LinearExpr.weighted_sum
        per_escort: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        for (_, t), v in self.y.items():
            per_escort[data.tours[t].escort_id].append(v)
        cap = data.community.policy.max_escort_jobs_per_day * len(data.dates)
        self.most_jobs = m.new_int_var(0, cap, "most_jobs")
        for vs in per_escort.values():
            m.add(self.most_jobs >= sum(vs))
        self.term_parts: dict[str, tuple[list[cp_model.IntVar], list[int]]] = {
            "booked_value": (
                [*self.booked.values(), *self.u],
                [data.value[rid] for rid in self.booked]
                + [data.value[r.resident_id] for r in self.walkin_order],
            ),
            "escort_walk_estimate": (
                list(self.y.values()),
                [self.walk_estimate(rid, t) for rid, t in self.y],
            ),
            "most_jobs_per_escort": ([self.most_jobs], [1]),
            "days_for_oldest": (
                list(self.on_day.values()),
                [data.age_weight[rid] * data.date_rank(d) for rid, d in self.on_day],
            ),
            "unfamiliar": self._familiar_escort_preferred(),
        }
        return {name: weighted(vs, cs) for name, (vs, cs) in self.term_parts.items()}

    def _familiar_escort_preferred(self) -> tuple[list[cp_model.IntVar], list[int]]:
        """Soft: an escorted resident goes with an escort who knows them (the history).

        Per job, what the resident's most familiar escort who could take it saves over
        the one who does (:func:`carecal.history.familiar_saving` of the visits before the
        campaign's first day, ``familiar_carrier_weight``); it weighs in the walking tier
        (:meth:`weights`), so it never costs a booking. Sets ``unfamiliar_bound``, the most
        the term can be.
        """
        data = self.data
        weight = data.community.policy.familiar_carrier_weight
        history = data.community.history
        self.unfamiliar_bound = 0
        if weight <= 0 or not history or not data.dates:
            return [], []
        seen = history.familiarity(before=data.dates[0])
        saving = {
            (rid, t): familiar_saving(weight, seen[rid, data.tours[t].escort_id])
            for rid, t in self.y
        }
        best: dict[str, int] = defaultdict(int)
        for (rid, _), s in saving.items():
            best[rid] = max(best[rid], s)
        self.unfamiliar_bound = sum(best.values())
        chosen = [(y, best[rid] - saving[rid, t]) for (rid, t), y in self.y.items()]
        return [y for y, c in chosen if c > 0], [c for _, c in chosen if c > 0]

    def evaluate(self, name: str, values: dict[int, int]) -> int:
        """The value of an objective term in a solution (variable index -> value)."""
        variables, coefficients = self.term_parts[name]
        return sum(c * values[v.index] for v, c in zip(variables, coefficients, strict=True))

    def walk_estimate(self, rid: str, t: int) -> int:
        """The walk a job costs its escort: from home to its first place, and the pool legs."""
        data = self.data
        tour = data.tours[t]
        job = data.jobs[rid, tour.day]
        pool_legs = (job.lead - job.pickup_lead) + (job.tail - job.home_tail)
        return data.home_walk[tour.escort_id, job.start_place] + pool_legs

    def weights(self) -> dict[str, int]:
        """Weights that make the lower tiers strictly subordinate (a lexicographic order)."""
        data = self.data
        days_ub = sum(data.age_weight.values()) * max(0, len(data.dates) - 1)
        jobs_ub = data.community.policy.max_escort_jobs_per_day * len(data.dates)
        most_walk: dict[str, int] = defaultdict(int)
        for rid, t in self.y:
            most_walk[rid] = max(most_walk[rid], self.walk_estimate(rid, t))
        # A familiar escort weighs in the walking tier (_familiar_escort_preferred).
        walk_ub = sum(most_walk.values()) + self.unfamiliar_bound
        w_jobs = days_ub + 1
        w_walk = w_jobs * jobs_ub + days_ub + 1
        w_book = w_walk * walk_ub + w_jobs * jobs_ub + days_ub + 1
        return {
            "booked_value": w_book,
            "escort_walk_estimate": w_walk,
            "most_jobs_per_escort": w_jobs,
            "days_for_oldest": 1,
            "unfamiliar": w_walk,
        }

    def all_vars(self) -> list[cp_model.IntVar]:
        """Every decision variable, for hints."""
        out: list[cp_model.IntVar] = [*self.x.values(), *self.on_day.values()]
        out += [*self.booked.values(), *self.start.values(), *self.y.values(), *self.u]
        out += [*self.order.values(), self.most_jobs]
        return out
