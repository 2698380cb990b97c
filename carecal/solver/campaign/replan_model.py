"""The campaign's CP-SAT model for a re-plan: the planner's model, around what is fixed.

:class:`ReplanModel` is :class:`~carecal.solver.campaign.model.CampaignModel` with the
rules a re-plan changes, each in a method of its own:

- **fixed bookings** (frozen or locked, :mod:`~carecal.solver.campaign.previous`) are not
  decided, but they take their slot places, count against their escorts' jobs per day,
  keep their escorts busy (a new job of the same escort that date is before or after
  each fixed job, with the walk between them) and hold their pool chairs;
- **walk-ins are decided per day** (``z[w, d]``): the planner only counts them, which
  loses nothing when any free place will do, but a re-plan must know who keeps their
  slot. A walk-in kept in their previous slot (``keep``) takes a place of that slot;
  the others of a day take any place left that day, so the count per day is exact
  (:meth:`ReplanModel.walkins_fill_the_days`);
- **a kept booking** (``kept[r]``) is one on the same clinic day, slot, escort and
  wheelchair as before; a moved booking is any other, or one dropped. The moves are
  counted by :meth:`ReplanModel.moved` for the disruption tier of the objective.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from ortools.sat.python import cp_model

from carecal.plans import Booking, Wheelchair
from carecal.solver.campaign.model import CampaignModel
from carecal.solver.campaign.previous import FixedPart
from carecal.solver.campaign.problem import CampaignData

__all__ = ["ReplanModel"]


class ReplanModel(CampaignModel):
    """The campaign model of a re-plan (see the module docstring).

    Parameters
    ----------
    data
        The campaign data of the residents still to plan, with the slots before ``now``
        already dropped (:func:`~carecal.solver.campaign.previous.drop_slots_before`).
    fixed
        What the fixed bookings take.
    previous
        The movable bookings of the previous plan, by resident.
    cutoffs
        Per clinic day, the first minute at which a new check may start.
    extra_moves
        Moves no plan avoids (previous rows that can be kept nowhere).
    """

    def __init__(
        self,
        data: CampaignData,
        fixed: FixedPart,
        previous: dict[str, Booking],
        cutoffs: list[int],
        extra_moves: int = 0,
    ) -> None:
        self.fixed = fixed
        self.previous = previous
        self.cutoffs = cutoffs
        # z[w, d]: walk-in w is booked on clinic day d; keep[w, d, k]: in their old slot k.
        self.z: dict[tuple[str, int], cp_model.IntVar] = {}
        self.keep: dict[tuple[str, int, int], cp_model.IntVar] = {}
        # kept[r]: resident r's booking is the one they had.
        self.kept: dict[str, cp_model.IntVar] = {}
        # before_fixed[r, t, i]: r's job on tour t comes before the i-th fixed job of its
        # escort that date.
        self.before_fixed: dict[tuple[str, int, int], cp_model.IntVar] = {}
        self.moved_constant = extra_moves
        self._walkins_made = False
        self._tours_of: dict[tuple[str, int, str], list[tuple[int, int, int]]] | None = None
        super().__init__(data)
        self._escort_jobs_clear_of_fixed_jobs()
        self._kept_bookings_are_the_same_booking()

    # --- where things are -----------------------------------------------------------------
    def day_index(self, date: dt.date, clinic_id: str) -> int | None:
        """The index of the clinic day at ``clinic_id`` on ``date``, if it runs."""
        for d, day in enumerate(self.data.days):
            if day.date == date and day.clinic_id == clinic_id:
                return d
        return None

    def room(self, d: int, k: int) -> int:
        """Places of slot ``k`` of day ``d`` left by the fixed bookings."""
        day = self.data.days[d]
        return max(0, day.places_per_slot - self.fixed.taken(day, day.slots[k]))

    def open_slots(self, d: int) -> list[int]:
        """The slots of day ``d`` at or after its cutoff (``now``)."""
        day = self.data.days[d]
        return [k for k, s in enumerate(day.slots) if s >= self.cutoffs[d]]

    # --- rules changed by a re-plan ---------------------------------------------------------
    def _no_slot_overfilled(self) -> None:
        """No clinic slot takes more than its places, the fixed and kept walk-ins counted."""
        self._walkin_variables()
        by_slot: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
        for (_, d, k), v in self.x.items():
            by_slot[d, k].append(v)
        for (_, d, k), v in self.keep.items():
            by_slot[d, k].append(v)
        for (d, k), vs in by_slot.items():
            if len(vs) > self.room(d, k):
                self.m.add(sum(vs) <= self.room(d, k))

    def _walkins_take_remaining_places(self) -> None:
        """Walk-ins come on a day they are home, into the places that day leaves."""
        self.walkins_fill_the_days()

    def walkins_fill_the_days(self) -> None:
        """Each walk-in booked on at most one day; no day takes more than its open places.

        The escorted and walk-ins booked on a day fit its places at or after ``now`` less
        the fixed bookings'; the kept walk-ins are in their slots, so the others find a
        free place that day (:func:`~carecal.solver.campaign.replan.place_walkins`).
        """
        days_of: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        per_day: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for (rid, d), z in self.z.items():
            days_of[rid].append(z)
            per_day[d].append(z)
        for i, r in enumerate(self.walkin_order):
            self.m.add(sum(days_of[r.resident_id]) == self.u[i])
        for (rid, d, _), keep in self.keep.items():
            self.m.add_implication(keep, self.z[rid, d])
        for (_, d), present in self.on_day.items():
            per_day[d].append(present)
        for d, vs in per_day.items():
            places = sum(self.room(d, k) for k in self.open_slots(d))
            if len(vs) > places:
                self.m.add(sum(vs) <= places)

    def _escort_jobs_per_day_capped(self) -> None:
        """No escort takes more than the policy's jobs per day, their fixed jobs counted."""
        data = self.data
        cap = data.community.policy.max_escort_jobs_per_day
        per_day: dict[tuple[str, dt.date], list[cp_model.IntVar]] = defaultdict(list)
        for (_, t), v in self.y.items():
            tour = data.tours[t]
            per_day[tour.escort_id, data.days[tour.day].date].append(v)
        for key, vs in per_day.items():
            left = max(0, cap - len(self.fixed.jobs.get(key, [])))
            if len(vs) > left:
                self.m.add(sum(vs) <= left)

    def _pool_chairs_never_overdrawn(self) -> None:
        """At no moment are more pool chairs out of a site than it holds, fixed ones too."""
        data = self.data
        sites = data.community.site_by_id
        groups: dict[tuple[str, dt.date], list[cp_model.IntervalVar]] = defaultdict(list)
        for (rid, d), present in self.on_day.items():
            job = data.jobs[rid, d]
            if job.pool_site is None:
                continue
            groups[job.pool_site, data.days[d].date].append(
                self.m.new_optional_fixed_size_interval_var(
                    self.start[rid] - job.lead, job.lead + job.tail, present, f"chair[{rid},{d}]"
                )
            )
        for (site, date), intervals in groups.items():
            held = self.fixed.chairs.get((site, date), [])
            capacity = sites[site].wheelchairs
            # Frozen chairs are kept even when they overdraw the pool (it happened); the
            # new ones then fit under the highest count they reach, not under none at all.
            capacity = max(capacity, _most_at_once(held))
            intervals = intervals + [
                self.m.new_fixed_size_interval_var(a, b - a, f"held[{site},{date},{a}]")
                for a, b in held
            ]
            if len(intervals) > capacity:
                self.m.add_cumulative(intervals, [1] * len(intervals), capacity)

    # --- rules a re-plan adds ---------------------------------------------------------------
    def _escort_jobs_clear_of_fixed_jobs(self) -> None:
        """An escort's new job lies before or after each of their fixed jobs that date,
        with the walk from one to the other in between."""
        data, fixed = self.data, self.fixed
        for (rid, t), y in self.y.items():
            tour = data.tours[t]
            day = data.days[tour.day]
            held = fixed.jobs.get((tour.escort_id, day.date), [])
            if not held:
                continue
            job = data.jobs[rid, tour.day]
            _, first, last = data.fits[rid, t]
            earliest, latest = day.slots[first], day.slots[last]
            for i, f in enumerate(held):
                after_walk = fixed.walk(job.end_place, f.start_place)
                before_walk = fixed.walk(f.end_place, job.start_place)
                can_precede = earliest + job.tail + after_walk <= f.start
                can_follow = latest - job.lead >= f.end + before_walk
                if not can_precede and not can_follow:
                    self.m.add(y == 0)
                    break
                if latest + job.tail + after_walk <= f.start:
                    continue  # every slot the tour could take ends in time
                if earliest - job.lead >= f.end + before_walk:
                    continue  # every slot starts late enough
                precedes = self.m.new_bool_var(f"before_fixed[{rid},{t},{i}]")
                self.m.add(self.start[rid] + job.tail + after_walk <= f.start).only_enforce_if(
                    [precedes, y]
                )
                self.m.add(self.start[rid] - job.lead >= f.end + before_walk).only_enforce_if(
                    [precedes.Not(), y]
                )
                self.before_fixed[rid, t, i] = precedes

    def _kept_bookings_are_the_same_booking(self) -> None:
        """A booking is kept when it is on the same day, slot, escort and wheelchair."""
        for rid, b in self.previous.items():
            literal = self._kept_literal(rid, b)
            if literal is None:
                self.moved_constant += 1  # kept nowhere: its resident, day or slot is gone
            else:
                self.kept[rid] = literal

    def _kept_literal(self, rid: str, b: Booking) -> cp_model.IntVar | None:
        """The literal "``rid`` keeps ``b``", or ``None`` when no plan can keep it."""
        d = self.day_index(b.date, b.clinic_id)
        if d is None:
            return None
        day = self.data.days[d]
        if b.slot_start not in day.slots:
            return None
        k = day.slots.index(b.slot_start)
        if rid not in self.booked:
            # A walk-in (or no longer due): kept only as a walk-in in the same slot.
            return self.keep.get((rid, d, k))
        x = self.x.get((rid, d, k))
        job = self.data.jobs.get((rid, d))
        if x is None or job is None or len(b.escort_ids) != 1:
            return None
        own = Wheelchair.OWN if job.pool_site is None else Wheelchair.POOL
        if b.wheelchair != own:
            return None
        tours = self.tours_for(rid, d, k, b.escort_ids[0])
        if not tours:
            return None
        kept = self.m.new_bool_var(f"kept[{rid}]")
        self.m.add_implication(kept, x)
        self.m.add(kept <= sum(self.y[rid, t] for t in tours))
        return kept

    def tours_for(self, rid: str, d: int, k: int, escort_id: str) -> list[int]:
        """The tours of ``escort_id`` on day ``d`` that could take ``rid`` in slot ``k``."""
        if self._tours_of is None:
            self._tours_of = defaultdict(list)
            for (r, t), (_, first, last) in self.data.fits.items():
                tour = self.data.tours[t]
                self._tours_of[r, tour.day, tour.escort_id].append((t, first, last))
        return [t for t, first, last in self._tours_of[rid, d, escort_id] if first <= k <= last]

    # --- variables --------------------------------------------------------------------------
    def _walkin_variables(self) -> None:
        """``z`` for each walk-in and day they are home with places left after ``now``;
        ``keep`` where their previous booking could stay."""
        if self._walkins_made:
            return
        self._walkins_made = True
        community, days = self.data.community, self.data.days
        open_days = [
            d for d in range(len(days)) if any(self.room(d, k) for k in self.open_slots(d))
        ]
        for r in self.walkin_order:
            rid = r.resident_id
            for d in open_days:
                if not community.away_on(rid, days[d].date):
                    self.z[rid, d] = self.m.new_bool_var(f"z[{rid},{d}]")
            b = self.previous.get(rid)
            if b is None or b.escort_ids or b.wheelchair != Wheelchair.NONE:
                continue
            if b.pickup is not None or b.home_again is not None:
                continue
            d_prev = self.day_index(b.date, b.clinic_id)
            if d_prev is None or (rid, d_prev) not in self.z:
                continue
            slots = days[d_prev].slots
            if b.slot_start in slots and slots.index(b.slot_start) in self.open_slots(d_prev):
                k = slots.index(b.slot_start)
                if self.room(d_prev, k) > 0:
                    self.keep[rid, d_prev, k] = self.m.new_bool_var(f"keep[{rid}]")

    # --- disruption -------------------------------------------------------------------------
    def moved_expr(self) -> cp_model.LinearExpr:
        """How many previous bookings move (or are dropped), as a model expression."""
        kept = list(self.kept.values())
        return self.moved_constant + len(kept) - cp_model.LinearExpr.sum(kept)

    def moved(self, values: dict[int, int]) -> int:
        """How many previous bookings move in a solution (variable index -> value)."""
        return self.moved_constant + sum(1 - values[v.index] for v in self.kept.values())

    def all_vars(self) -> list[cp_model.IntVar]:
        """Every decision variable, for hints."""
        out = super().all_vars()
        out += [*self.z.values(), *self.keep.values()]
        keeps = {v.index for v in self.keep.values()}
        out += [v for v in self.kept.values() if v.index not in keeps]
        out += list(self.before_fixed.values())
        return out


def _most_at_once(spans: list[tuple[int, int]]) -> int:
    """The most of ``spans`` (from, to) under way at one moment."""
    events = sorted([(a, 1) for a, _ in spans] + [(b, -1) for _, b in spans])
    most = held = 0
    for _, step in events:
        held += step
        most = max(most, held)
    return most
