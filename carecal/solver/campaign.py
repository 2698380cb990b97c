"""The health-check campaign: clinic slots, wheelchair escorts and the wheelchair pool (CP-SAT).

:func:`plan_health_checks` books every resident who is due a health check into a slot of
the clinic on one of the campaign days. Residents who need an escort (policy: walker,
wheelchair, or aged 85+) are fetched at home by a trained volunteer, pushed to the clinic
in a wheelchair, and brought home again. Bedridden residents who are due are listed for a
home check instead.

The rules, as the centre states them
------------------------------------
- **Slots.** The clinic opens a slot every ``slot_minutes`` from opening time; each slot
  has ``places_per_slot`` places. Every check of a slot starts at the slot start and takes
  ``check_minutes`` (the places are parallel examination rooms). The last slot is the last
  one whose check ends by closing time.
- **The escort's job.** The escort walks from their previous place (home, for their first
  job in an availability window) to the resident's door, takes
  ``escort_handling_minutes`` to get the resident out, pushes them to the clinic at
  wheelchair pace to arrive by the check start, stays through the check, pushes them
  home, and takes ``escort_handling_minutes`` to settle them.
- **Pool chairs.** A resident without a wheelchair of their own rides a pool chair. The
  escort collects it at the pool site nearest the resident's home (the kitchen or centre
  with ``wheelchairs`` > 0 that is the shortest walk away; ties go to the first in
  ``sites.csv``) on the way to the door, and brings it back there after settling the
  resident. The chair is out of the pool from collection to return; the escort's job then
  starts and ends at the pool site, and their next walk starts there.
- **The escort's day.** Every job, from leaving the previous place to being free again,
  lies inside one availability window of the escort on that date; one escort's jobs never
  overlap, counting the walk from the end of one job to the start of the next; at most
  ``max_escort_jobs_per_day`` jobs per escort per date. Escorts walk (mode ``walk``)
  between places; an escort without home coordinates starts at their first job's first
  place.
- **Walk-ins** (everyone else due) come on their own and take the remaining places.
- **Days.** The days of ``campaign.csv`` (one clinic per date, its hours or the day's own
  ``open``/``close``), or the caller's dates (at the first clinic unless campaign.csv
  lists the date). Who is due, and who needs an escort, is judged on the first day.

The objective, in order: book as many due residents as possible, the oldest, those living
alone and those longest without a check first (:func:`priority`); then the least walking
for the escorts; then an even spread of jobs (the most jobs any escort has over the
campaign); then earlier days for the oldest escorted residents (walk-ins: the oldest take
the earliest free places).

How it is solved
----------------
Walk-ins only take places, so they are counted, not scheduled: the model books the best
``n`` of them (by priority) as long as the campaign's places hold everyone booked, and
after the solve they fill the places the escorted residents left, oldest first into the
earliest slots. This split loses nothing.

Escorted residents get a slot (one Boolean per resident, day and slot) and an escort
window (a *tour*: one escort, one date, one availability window); a tour's jobs are
optional intervals in a ``NoOverlap``, pool chairs are optional intervals in a
``Cumulative`` per pool site and day. The walk between two jobs of a tour is modelled in
one of two ways:

- **exact** (up to ``exact_walk_pairs`` pairs of jobs that could share a tour: small
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

Two solves run in turn from the best of a few greedy plans: the first books the most
priority (its bound is the most any plan can book), the second keeps that and minimises
walking, spread and days, with weights that keep those tiers in strict order.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from carecal.clock import TimeWindow, format_time
from carecal.explain import (
    campaign_clinic_full,
    campaign_escorts_busy,
    campaign_home_check,
    campaign_no_escort_skill,
    campaign_no_escort_time,
    campaign_no_pool,
    campaign_pool_busy,
    campaign_reachable_slots_full,
)
from carecal.model import Community, CommunityError, Mobility, Resident, SiteKind, Skill
from carecal.plans import Booking, CampaignPlan, Status, Unserved, UnservedKind, Wheelchair
from carecal.travel import travel_minutes

log = logging.getLogger(__name__)

Progress = Callable[[str], None]

BOOKING_POINTS = 100
"""What one booking is worth in the first objective tier; priority adds up to 30 points."""


# --- the campaign as plain data ------------------------------------------------------------


@dataclass(frozen=True)
class ClinicDay:
    """One campaign date at one clinic: its hours and slot starts (minutes since midnight)."""

    date: dt.date
    clinic_id: str
    open: int
    close: int
    slot_minutes: int
    places_per_slot: int
    check_minutes: int
    slots: tuple[int, ...]

    @property
    def places(self) -> int:
        """Places on this day."""
        return self.places_per_slot * len(self.slots)


def campaign_days(community: Community, dates: Iterable[dt.date] | None = None) -> list[ClinicDay]:
    """The campaign's clinic days, in date order.

    Parameters
    ----------
    community
        Gives ``campaign`` (``campaign.csv``) and the clinics in ``sites``.
    dates
        Campaign dates chosen by the caller: a date listed in ``community.campaign`` runs
        at its clinic and hours there, any other at the first clinic in ``sites`` with
        its own hours. ``None`` takes the days of ``community.campaign``.

    Returns
    -------
    list of ClinicDay
        One per date.

    Raises
    ------
    CommunityError
        When there is no campaign day, no clinic, or a date is listed twice.
    """
    rows: list[tuple[dt.date, str, int | None, int | None]]
    if dates is not None:
        clinics = community.sites_of(SiteKind.CLINIC)
        if not clinics:
            raise CommunityError(
                ["sites has no clinic; add a row with kind clinic where the checks are done"]
            )
        listed = {c.date: c for c in community.campaign}
        rows = [
            (d, listed[d].clinic_id, listed[d].open, listed[d].close)
            if d in listed
            else (d, clinics[0].site_id, None, None)
            for d in dates
        ]
    else:
        rows = [(c.date, c.clinic_id, c.open, c.close) for c in community.campaign]
    if not rows:
        raise CommunityError(
            [
                "there are no campaign days; add campaign.csv (date, clinic_id) or give the "
                "dates to plan"
            ]
        )
    seen: set[dt.date] = set()
    problems = []
    days = []
    for date, clinic_id, open_, close in sorted(rows, key=lambda row: row[0]):
        if date in seen:
            where = "campaign.csv" if dates is None else "the dates to plan"
            problems.append(f"{where} lists {date} twice; keep one clinic per date")
            continue
        seen.add(date)
        clinic = community.site_by_id[clinic_id]
        start = clinic.open if open_ is None else open_
        end = clinic.close if close is None else close
        assert clinic.slot_minutes and clinic.check_minutes and clinic.places_per_slot is not None
        if end <= start:
            problems.append(
                f"campaign day {date}: the clinic closes at {format_time(end)}, before it "
                f"opens at {format_time(start)}; correct open/close in campaign.csv"
            )
            continue
        slots = tuple(range(start, end - clinic.check_minutes + 1, clinic.slot_minutes))
        days.append(
            ClinicDay(
                date=date,
                clinic_id=clinic_id,
                open=start,
                close=end,
                slot_minutes=clinic.slot_minutes,
                places_per_slot=clinic.places_per_slot,
                check_minutes=clinic.check_minutes,
                slots=slots,
            )
        )
    if problems:
        raise CommunityError(problems)
    return days


def priority(community: Community, resident: Resident, first_day: dt.date) -> int:
    """What booking a resident is worth: 100 points, plus up to 30 for priority.

    Up to 15 points for age (one per two years over 60), 5 for living alone, and up to 10
    for the time since the last check (one per month past the year; never checked: 10).
    """
    age = resident.age_on(first_day)
    points = BOOKING_POINTS + min(15, max(0, (age - 60) // 2))
    if resident.lives_alone:
        points += 5
    if resident.last_check is None:
        points += 10
    else:
        months = (first_day - resident.last_check).days // 30 - 12
        points += min(10, max(0, months))
    return points


@dataclass(frozen=True)
class _Job:
    """The fixed parts of one resident's escort job on one day (all minutes)."""

    start_place: str
    """Where the escort's job starts: the pool site (pool chair) or the resident's door."""
    end_place: str
    lead: int
    """From the escort at ``start_place`` to the check start."""
    tail: int
    """From the check start to the escort free at ``end_place``."""
    pickup_lead: int
    """From the pickup at the door to the check start: handling plus the push."""
    home_tail: int
    """From the check start to the resident settled at home."""
    pool_site: str | None


@dataclass(frozen=True)
class _Tour:
    """One escort's jobs on one date inside one availability window."""

    escort_id: str
    day: int
    window: TimeWindow


@dataclass
class _Data:
    """Everything the model needs, precomputed without OR-Tools."""

    community: Community
    days: list[ClinicDay]
    escorted: list[Resident]
    walkins: list[Resident]
    value: dict[str, int]
    age_weight: dict[str, int]
    jobs: dict[tuple[str, int], _Job]
    walk: Callable[[str, str], int]
    home_walk: dict[tuple[str, str], int]
    margin_in: dict[str, int]
    margin_out: dict[str, int]
    exact: bool
    """Whether walks between jobs are modelled pair by pair (else by margins)."""
    tours: list[_Tour]
    escorts: list[str]
    fits: dict[tuple[str, int], tuple[int, int, int]] = field(default_factory=dict)
    """(resident, tour) -> (walk-in margin, first slot index, last slot index) that fit."""
    slot_options: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    """(resident, day) -> indices of the slots some tour could reach."""

    def pad_before(self, rid: str, t: int) -> int:
        """Minutes tour ``t`` keeps free before the job's first place (margin mode)."""
        return 0 if self.exact else self.fits[rid, t][0]

    def pad_after(self, rid: str) -> int:
        """Minutes a tour keeps free after the job (margin mode)."""
        return 0 if self.exact else self.margin_out[rid]


def _nearest_pool_site(
    community: Community, resident_id: str, pool_sites: list[str], walk: Callable[[str, str], int]
) -> str | None:
    if not pool_sites:
        return None
    return min(pool_sites, key=lambda s: (walk(s, resident_id), pool_sites.index(s)))


def _prepare(
    community: Community,
    days: list[ClinicDay],
    escorted: list[Resident],
    walkins: list[Resident],
    first_day: dt.date,
    exact_walk_pairs: int,
) -> _Data:
    policy = community.policy
    escorts = [v for v in community.volunteers if v.has(Skill.ESCORT)]
    pool_sites = [
        s.site_id for s in community.sites if s.kind != SiteKind.CLINIC and s.wheelchairs > 0
    ]
    clinics = sorted({d.clinic_id for d in days})
    homes = [v.volunteer_id for v in escorts if v.lat is not None and v.lon is not None]
    places = [r.resident_id for r in escorted] + pool_sites + clinics + homes
    index = {p: i for i, p in enumerate(places)}
    walk_m = travel_minutes(community, places, "walk")
    push_ids = [r.resident_id for r in escorted] + clinics
    push_index = {p: i for i, p in enumerate(push_ids)}
    push_m = travel_minutes(community, push_ids, "wheelchair")

    def walk(a: str, b: str) -> int:
        return int(walk_m[index[a], index[b]])

    def push(a: str, b: str) -> int:
        return int(push_m[push_index[a], push_index[b]])

    handling = policy.escort_handling_minutes
    jobs: dict[tuple[str, int], _Job] = {}
    for r in escorted:
        rid = r.resident_id
        pool = None
        if not r.has_own_wheelchair:
            pool = _nearest_pool_site(community, rid, pool_sites, walk)
            if pool is None:
                continue
        for d, day in enumerate(days):
            pickup_lead = handling + push(rid, day.clinic_id)
            home_tail = day.check_minutes + push(day.clinic_id, rid) + handling
            if pool is not None:
                lead = walk(pool, rid) + pickup_lead
                tail = home_tail + walk(rid, pool)
                jobs[rid, d] = _Job(pool, pool, lead, tail, pickup_lead, home_tail, pool)
            else:
                jobs[rid, d] = _Job(rid, rid, pickup_lead, home_tail, pickup_lead, home_tail, None)
    starts = sorted({j.start_place for j in jobs.values()})
    home_walk = {
        (v.volunteer_id, p): (walk(v.volunteer_id, p) if v.volunteer_id in index else 0)
        for v in escorts
        for p in starts
    }
    tours = [
        _Tour(v.volunteer_id, d, w)
        for d, day in enumerate(days)
        for v in escorts
        for w in community.availability_on(v.volunteer_id, day.date)
    ]
    data = _Data(
        community=community,
        days=days,
        escorted=escorted,
        walkins=walkins,
        value={r.resident_id: priority(community, r, first_day) for r in escorted + walkins},
        age_weight={r.resident_id: max(0, r.age_on(first_day) - 60) for r in escorted},
        jobs=jobs,
        walk=walk,
        home_walk=home_walk,
        margin_in={rid: 0 for rid, _ in jobs},
        margin_out={rid: 0 for rid, _ in jobs},
        exact=True,
        tours=tours,
        escorts=[v.volunteer_id for v in escorts],
    )
    _fit_jobs_to_tours(data)
    per_tour = Counter(t for _, t in data.fits)
    if sum(n * (n - 1) // 2 for n in per_tour.values()) > exact_walk_pairs:
        data.exact = False
        data.margin_in, data.margin_out = _walk_margins(
            [(rid, j.start_place, j.end_place) for (rid, d), j in jobs.items() if d == 0],
            pool_sites,
            clinics,
            walk,
        )
        _fit_jobs_to_tours(data)
    return data


def _fit_jobs_to_tours(data: _Data) -> None:
    """Which tours could take which jobs, and in which slots (the window, from home)."""
    data.fits.clear()
    data.slot_options.clear()
    for t, tour in enumerate(data.tours):
        day = data.days[tour.day]
        for r in data.escorted:
            rid = r.resident_id
            job = data.jobs.get((rid, tour.day))
            if job is None:
                continue
            before = max(data.margin_in[rid], data.home_walk[tour.escort_id, job.start_place])
            ks = _fitting_slots(day, job, tour.window, before)
            if ks:
                data.fits[rid, t] = (before, ks[0], ks[-1])
                options = data.slot_options.setdefault((rid, tour.day), [])
                options.extend(k for k in ks if k not in options)
    for options in data.slot_options.values():
        options.sort()


def _walk_margins(
    jobs: list[tuple[str, str, str]],
    pool_sites: list[str],
    clinics: list[str],
    walk: Callable[[str, str], int],
) -> tuple[dict[str, int], dict[str, int]]:
    """Split every walk between two jobs into a margin before and a margin after a job.

    ``out[a] + in[b] >= walk(end of a, start of b)`` for every two jobs, so that jobs
    padded with their margins and kept apart also leave the escort time to walk between
    them. ``in`` is the walk from a hub (the first pool site, else the
    first clinic); ``out`` is the least that makes every pair fit. Pool-chair jobs start
    and end at the pool, so between two of them at the hub both margins are zero.
    """
    if not jobs:
        return {}, {}
    hub = pool_sites[0] if pool_sites else clinics[0]
    margin_in = {rid: walk(hub, start) for rid, start, _ in jobs}
    margin_out = {}
    for rid, _, end in jobs:
        need = [walk(end, start) - margin_in[other] for other, start, _ in jobs if other != rid]
        margin_out[rid] = max([0, *need])
    return margin_in, margin_out


def _fitting_slots(day: ClinicDay, job: _Job, window: TimeWindow, before: int) -> list[int]:
    if day.places_per_slot <= 0:
        return []
    return [
        k
        for k, s in enumerate(day.slots)
        if s - job.lead - before >= window.start and s + job.tail <= window.end
    ]


# --- the model -----------------------------------------------------------------------------


class _CampaignModel:
    """The CP-SAT model: variables, one method per care rule, then the objective terms."""

    def __init__(self, data: _Data) -> None:
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
        self.order: dict[tuple[int, str, str], cp_model.IntVar] = {}
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
        per_tour: dict[int, list[cp_model.IntervalVar]] = defaultdict(list)
        jobs_of: dict[int, list[str]] = defaultdict(list)
        for (rid, t), y in self.y.items():
            job = data.jobs[rid, data.tours[t].day]
            before = data.pad_before(rid, t)
            per_tour[t].append(
                self.m.new_optional_fixed_size_interval_var(
                    self.start[rid] - job.lead - before,
                    before + job.lead + job.tail + data.pad_after(rid),
                    y,
                    f"job[{rid},{t}]",
                )
            )
            jobs_of[t].append(rid)
        for intervals in per_tour.values():
            if len(intervals) > 1:
                self.m.add_no_overlap(intervals)
        if not data.exact:
            return
        # Exact walks: whichever of two jobs of a tour comes first, the escort walks from
        # its end place to the other's start place in between.
        for t, rids in jobs_of.items():
            d = data.tours[t].day
            for i, a in enumerate(rids):
                for b in rids[i + 1 :]:
                    ja, jb = data.jobs[a, d], data.jobs[b, d]
                    ab = self.m.new_bool_var(f"order[{t},{a},{b}]")
                    self.m.add_bool_or([ab, self.y[a, t].Not(), self.y[b, t].Not()]).with_name(
                        f"order[{t},{a},{b}]"
                    )
                    w_ab = data.walk(ja.end_place, jb.start_place)
                    w_ba = data.walk(jb.end_place, ja.start_place)
                    self.m.add(
                        self.start[b] - jb.lead >= self.start[a] + ja.tail + w_ab
                    ).only_enforce_if([ab, self.y[a, t], self.y[b, t]])
                    self.m.add(
                        self.start[a] - ja.lead >= self.start[b] + jb.tail + w_ba
                    ).only_enforce_if([ab.Not(), self.y[a, t], self.y[b, t]])
                    self.order[t, a, b] = ab

    def _escort_jobs_per_day_capped(self) -> None:
        """No escort takes more than the policy's jobs per day."""
        cap = self.data.community.policy.max_escort_jobs_per_day
        per_day: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
        for (_, t), v in self.y.items():
            tour = self.data.tours[t]
            per_day[tour.escort_id, tour.day].append(v)
        for vs in per_day.values():
            if len(vs) > cap:
                self.m.add(sum(vs) <= cap)

    def _pool_chairs_never_overdrawn(self) -> None:
        """At no moment are more pool chairs out of a pool site than it holds."""
        data = self.data
        sites = data.community.site_by_id
        groups: dict[tuple[str, int], list[cp_model.IntervalVar]] = defaultdict(list)
        for (rid, d), present in self.on_day.items():
            job = data.jobs[rid, d]
            if job.pool_site is None:
                continue
            groups[job.pool_site, d].append(
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
        chair_jobs: dict[tuple[str, int], list[tuple[cp_model.IntVar, int, int, int]]]
        chair_jobs = defaultdict(list)
        for (rid, d), present in self.on_day.items():
            job = data.jobs[rid, d]
            if job.pool_site is None:
                continue
            ks = data.slot_options[rid, d]
            earliest = days[d].slots[ks[0]] - job.lead
            latest = days[d].slots[ks[-1]] + job.tail
            chair_jobs[job.pool_site, d].append((present, job.lead + job.tail, earliest, latest))
        for (site, _), items in chair_jobs.items():
            span = max(i[3] for i in items) - min(i[2] for i in items)
            capacity = data.community.site_by_id[site].wheelchairs
            if sum(i[1] for i in items) > capacity * span:
                self.m.add(sum(i[0] * i[1] for i in items) <= capacity * span)
        per_tour: dict[int, list[tuple[cp_model.IntVar, int]]] = defaultdict(list)
        for (rid, t), y in self.y.items():
            job = data.jobs[rid, data.tours[t].day]
            per_tour[t].append((y, job.lead + job.tail))
        for t, jobs in per_tour.items():
            window = data.tours[t].window
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
        cap = data.community.policy.max_escort_jobs_per_day * len(data.days)
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
                [self._walk_estimate(rid, t) for rid, t in self.y],
            ),
            "most_jobs_per_escort": ([self.most_jobs], [1]),
            "days_for_oldest": (
                list(self.on_day.values()),
                [data.age_weight[rid] * d for rid, d in self.on_day],
            ),
        }
        return {name: weighted(vs, cs) for name, (vs, cs) in self.term_parts.items()}

    def evaluate(self, name: str, values: dict[int, int]) -> int:
        """The value of an objective term in a solution (variable index -> value)."""
        variables, coefficients = self.term_parts[name]
        return sum(c * values[v.index] for v, c in zip(variables, coefficients, strict=True))

    def _walk_estimate(self, rid: str, t: int) -> int:
        """The walk a job costs its escort: from home to its first place, and the pool legs."""
        data = self.data
        tour = data.tours[t]
        job = data.jobs[rid, tour.day]
        pool_legs = (job.lead - job.pickup_lead) + (job.tail - job.home_tail)
        return data.home_walk[tour.escort_id, job.start_place] + pool_legs

    def weights(self) -> dict[str, int]:
        """Weights that make the lower tiers strictly subordinate (a lexicographic order)."""
        data = self.data
        days_ub = sum(data.age_weight.values()) * max(0, len(data.days) - 1)
        jobs_ub = data.community.policy.max_escort_jobs_per_day * len(data.days)
        most_walk: dict[str, int] = defaultdict(int)
        for rid, t in self.y:
            most_walk[rid] = max(most_walk[rid], self._walk_estimate(rid, t))
        walk_ub = sum(most_walk.values())
        w_jobs = days_ub + 1
        w_walk = w_jobs * jobs_ub + days_ub + 1
        w_book = w_walk * walk_ub + w_jobs * jobs_ub + days_ub + 1
        return {
            "booked_value": w_book,
            "escort_walk_estimate": w_walk,
            "most_jobs_per_escort": w_jobs,
            "days_for_oldest": 1,
        }

    def all_vars(self) -> list[cp_model.IntVar]:
        """Every decision variable, for hints."""
        out: list[cp_model.IntVar] = [*self.x.values(), *self.on_day.values()]
        out += [*self.booked.values(), *self.start.values(), *self.y.values(), *self.u]
        out += [*self.order.values(), self.most_jobs]
        return out

    def _apart(
        self, d: int, one: tuple[int, int, int, str], other: tuple[int, int, int, str]
    ) -> bool:
        """Whether two jobs of one tour (padded span, slot start, resident) fit apart."""
        if not (one[1] <= other[0] or other[1] <= one[0]):
            return False
        if not self.data.exact:
            return True
        first, second = (one, other) if one[2] <= other[2] else (other, one)
        ja, jb = self.data.jobs[first[3], d], self.data.jobs[second[3], d]
        walk = self.data.walk(ja.end_place, jb.start_place)
        return second[2] - jb.lead >= first[2] + ja.tail + walk

    def greedy_hint(self) -> dict[int, int]:
        """A feasible plan to start the search from; CP-SAT then improves on it.

        The best of a few greedy passes (earliest slot, least walk), each taking the
        residents in another order: best priority first, fewest options first, pool
        chairs first, and a few seeded shuffles; each order is tried again with whoever
        was left out first.
        """
        data = self.data
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
        for seed in range(5):
            shuffled = list(by_priority)
            random.Random(seed).shuffle(shuffled)
            orders.append(shuffled)
        best: tuple[int, dict[str, tuple[int, int, int]], dict[tuple[str, int], int]] | None
        best = None
        for order in orders:
            # Squeaky wheel: whoever was left out goes first in the next pass.
            for _ in range(3):
                chosen, per_escort_day = self._greedy(order)
                value = sum(data.value[rid] for rid in chosen)
                if best is None or value > best[0]:
                    best = (value, chosen, per_escort_day)
                left = [r for r in order if r.resident_id not in chosen]
                if not left:
                    break
                order = left + [r for r in order if r.resident_id in chosen]
        assert best is not None
        return self._hint_from(best[1], best[2])

    def _greedy(
        self, order: list[Resident]
    ) -> tuple[dict[str, tuple[int, int, int]], dict[tuple[str, int], int]]:
        """One greedy pass: each resident in turn into the earliest slot and the tour with
        the least walk that still fit every rule."""
        data, days = self.data, self.data.days
        cap = data.community.policy.max_escort_jobs_per_day
        busy: dict[int, list[tuple[int, int, int, str]]] = defaultdict(list)
        per_escort_day: dict[tuple[str, int], int] = defaultdict(int)
        slot_count: dict[tuple[int, int], int] = defaultdict(int)
        chairs: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
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
                if job.pool_site is not None:
                    held = [*chairs[job.pool_site, d], (s - job.lead, s + job.tail)]
                    capacity = data.community.site_by_id[job.pool_site].wheelchairs
                    if _busy_periods(held, capacity + 1):
                        continue
                options = []
                for t in tours_of[rid, d]:
                    _, lo, hi = data.fits[rid, t]
                    before = data.pad_before(rid, t)
                    span = (s - job.lead - before, s + job.tail + data.pad_after(rid), s, rid)
                    if (
                        lo <= k <= hi
                        and per_escort_day[data.tours[t].escort_id, d] < cap
                        and all(self._apart(d, span, other) for other in busy[t])
                    ):
                        options.append((self._walk_estimate(rid, t), t, span))
                if not options:
                    continue
                _, t, span = min(options)
                busy[t].append(span)
                per_escort_day[data.tours[t].escort_id, d] += 1
                slot_count[d, k] += 1
                if job.pool_site is not None:
                    chairs[job.pool_site, d].append((s - job.lead, s + job.tail))
                chosen[rid] = (d, k, t)
                break

        return chosen, per_escort_day

    def _hint_from(
        self, chosen: dict[str, tuple[int, int, int]], per_escort_day: dict[tuple[str, int], int]
    ) -> dict[int, int]:
        """Values of every variable for a greedy plan."""
        days = self.data.days
        total = sum(day.places for day in days)
        hint = {v.index: 0 for v in self.all_vars()}
        for rid, (d, k, t) in chosen.items():
            hint[self.x[rid, d, k].index] = 1
            hint[self.on_day[rid, d].index] = 1
            hint[self.booked[rid].index] = 1
            hint[self.start[rid].index] = days[d].slots[k]
            hint[self.y[rid, t].index] = 1
        for (t, a, b), lit in self.order.items():
            if a in chosen and b in chosen and chosen[a][2] == t == chosen[b][2]:
                sa, sb = (
                    days[chosen[a][0]].slots[chosen[a][1]],
                    days[chosen[b][0]].slots[chosen[b][1]],
                )
                hint[lit.index] = 1 if sa <= sb else 0
            else:
                hint[lit.index] = 1
        room = total - len(chosen)
        for i, u in enumerate(self.u):
            hint[u.index] = 1 if i < room else 0
        jobs: dict[str, int] = defaultdict(int)
        for (escort, _), n in per_escort_day.items():
            jobs[escort] += n
        hint[self.most_jobs.index] = max(jobs.values(), default=0)
        return hint


class _Reporter(cp_model.CpSolverSolutionCallback):
    def __init__(self, progress: Progress | None, label: str) -> None:
        super().__init__()
        self.progress = progress
        self.label = label

    def on_solution_callback(self) -> None:
        message = (
            f"{self.label}: solution {self.objective_value:g} (bound {self.best_objective_bound:g})"
            f" at {self.wall_time:.1f} s"
        )
        log.debug(message)
        if self.progress is not None:
            self.progress(message)


def _solver(seconds: float, deterministic: bool, workers: int | None) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.random_seed = 0
    # Probing costs seconds on the route constraints and buys little here.
    p.cp_model_probing_level = 0
    n = workers if workers is not None else min(8, os.cpu_count() or 1)
    p.num_workers = max(1, n)
    seconds = max(0.05, seconds)
    if deterministic:
        p.max_deterministic_time = seconds
        p.max_time_in_seconds = seconds * 20
        if p.num_workers > 1:
            p.interleave_search = True
    else:
        p.max_time_in_seconds = seconds
    return solver


# --- the planner -----------------------------------------------------------------------------


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
        an escort is modelled exactly, pair by pair; above it, by walk margins (see the
        module docstring), which is sound but may leave an escort less time than needed.

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
        Unserved(
            kind=UnservedKind.HOME_CHECK,
            id=r.resident_id,
            date=None,
            reason=campaign_home_check()[0],
            fix=campaign_home_check()[1],
        )
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

    data = _prepare(community, days, escorted, walkins, first, exact_walk_pairs)
    model = _CampaignModel(data)
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

    # Stage 1: the most booking value, from the best greedy plan.
    model.m.maximize(terms["booked_value"])
    values = model.greedy_hint()
    for v in model.all_vars():
        model.m.add_hint(v, values[v.index])
    total_value = sum(data.value.values())
    budget = max(0.1, time_limit - (time.perf_counter() - began))
    solver = _solver(budget * 0.5, deterministic, workers)
    code = solver.solve(model.m, _Reporter(progress, "booking"))
    first_optimal = code == cp_model.OPTIMAL
    value_bound = total_value
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        value_bound = min(total_value, math.floor(solver.best_objective_bound + 1e-6))
        values = {v.index: solver.value(v) for v in model.all_vars()}
    else:
        # Slow machine or tiny budget: the greedy plan (feasible by construction) stands.
        log.info("campaign: no solver plan in %.1f s; keeping the greedy plan", budget * 0.5)
    best_value = model.evaluate("booked_value", values)
    stage = (
        f"booking: value {best_value} of {total_value} (bound {value_bound}, "
        f"{'optimal' if first_optimal else 'not proven'}) in {solver.wall_time:.1f} s"
    )
    log.info("campaign %s", stage)
    if progress is not None:
        progress(stage)

    # Stage 2: keep the booking value, then the least walking, spread and days.
    model.m.clear_hints()
    for v in model.all_vars():
        model.m.add_hint(v, values[v.index])
    model.m.add(terms["booked_value"] >= best_value)
    model.m.minimize(
        weights["escort_walk_estimate"] * terms["escort_walk_estimate"]
        + weights["most_jobs_per_escort"] * terms["most_jobs_per_escort"]
        + terms["days_for_oldest"]
    )
    # Keep a moment for reading the plan back and explaining who was left out.
    reserve = min(1.0, 0.03 * time_limit)
    budget = time_limit - reserve - (time.perf_counter() - began)
    second_optimal = False
    lower_bound = 0.0
    if budget > 0.05:
        solver2 = _solver(budget, deterministic, workers)
        code2 = solver2.solve(model.m, _Reporter(progress, "walking and spread"))
        if code2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            values = {v.index: solver2.value(v) for v in model.all_vars()}
            second_optimal = code2 == cp_model.OPTIMAL
            lower_bound = solver2.best_objective_bound

    bookings = _read_escorted(model, values)
    bookings += _fill_walkins(data, bookings)
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
    bound = weights["booked_value"] * (total_value - value_bound) + (
        max(0.0, lower_bound) if first_optimal else 0.0
    )
    booked_ids = {b.resident_id for b in bookings}
    unserved = home_unserved + _explain_unbooked(
        data, [r for r in clinic_due if r.resident_id not in booked_ids], bookings
    )
    status = Status.OPTIMAL if first_optimal and second_optimal else Status.FEASIBLE
    return CampaignPlan(
        status=status,
        dates=dates_out,
        bookings=tuple(bookings),
        unserved=tuple(unserved),
        objective=objective,
        bound=bound,
        solve_seconds=time.perf_counter() - began,
    )


def _read_escorted(model: _CampaignModel, values: dict[int, int]) -> list[Booking]:
    data = model.data
    bookings = []
    for (rid, t), y in model.y.items():
        if not values[y.index]:
            continue
        tour = data.tours[t]
        day = data.days[tour.day]
        job = data.jobs[rid, tour.day]
        start = values[model.start[rid].index]
        bookings.append(
            Booking(
                resident_id=rid,
                date=day.date,
                clinic_id=day.clinic_id,
                slot_start=start,
                check_start=start,
                check_end=start + day.check_minutes,
                escort_ids=(tour.escort_id,),
                wheelchair=Wheelchair.OWN if job.pool_site is None else Wheelchair.POOL,
                pickup=start - job.pickup_lead,
                home_again=start + job.home_tail,
            )
        )
    return bookings


def _fill_walkins(data: _Data, escorted: list[Booking]) -> list[Booking]:
    """Book the best-priority walk-ins into the free places, the oldest into the earliest."""
    used: dict[tuple[dt.date, int], int] = defaultdict(int)
    for b in escorted:
        used[b.date, b.slot_start] += 1
    free = [
        (day, s)
        for day in data.days
        for s in day.slots
        for _ in range(max(0, day.places_per_slot - used[day.date, s]))
    ]
    first = data.days[0].date
    best = sorted(
        data.walkins,
        key=lambda r: (-data.value[r.resident_id], -r.age_on(first), r.resident_id),
    )[: len(free)]
    best.sort(key=lambda r: (-r.age_on(first), r.resident_id))
    return [
        Booking(
            resident_id=r.resident_id,
            date=day.date,
            clinic_id=day.clinic_id,
            slot_start=s,
            check_start=s,
            check_end=s + day.check_minutes,
        )
        for r, (day, s) in zip(best, free, strict=False)
    ]


# --- why someone was not booked ---------------------------------------------------------------


def _need(community: Community, resident: Resident, first_day: dt.date) -> str:
    if resident.mobility in (Mobility.WALKER, Mobility.WHEELCHAIR):
        what = resident.mobility.value
    else:
        what = f"aged {resident.age_on(first_day)}"
    chair = "own chair" if resident.has_own_wheelchair else "no own chair"
    return f"{what}, {chair}"


def _part_of_day(minutes: int) -> str:
    if minutes < 12 * 60:
        return "morning"
    if minutes < 17 * 60:
        return "afternoon"
    return "evening"


def _busy_periods(intervals: list[tuple[int, int]], capacity: int) -> list[TimeWindow]:
    """Periods when at least ``capacity`` of the intervals are under way at once."""
    events = sorted([(a, 1) for a, _ in intervals] + [(b, -1) for _, b in intervals])
    out: list[TimeWindow] = []
    count, since = 0, 0
    for t, step in events:
        before = count
        count += step
        if before < capacity <= count:
            since = t
        elif count < capacity <= before and t > since:
            if out and out[-1].end == since:
                out[-1] = TimeWindow(out[-1].start, t)
            else:
                out.append(TimeWindow(since, t))
    return out


def _close_gaps(periods: list[TimeWindow], shorter_than: int) -> list[TimeWindow]:
    out: list[TimeWindow] = []
    for w in periods:
        if out and w.start - out[-1].end < shorter_than:
            out[-1] = TimeWindow(out[-1].start, w.end)
        else:
            out.append(w)
    return out


def _explain_unbooked(
    data: _Data, unbooked: list[Resident], bookings: list[Booking]
) -> list[Unserved]:
    days = data.days
    first = days[0].date
    clinic_due = len(data.escorted) + len(data.walkins)
    places = sum(day.places for day in days)
    total_slots = sum(len(day.slots) for day in days)
    escorted_ids = {r.resident_id for r in data.escorted}
    used: dict[tuple[dt.date, int], int] = defaultdict(int)
    used_escorted: dict[tuple[dt.date, int], int] = defaultdict(int)
    for b in bookings:
        used[b.date, b.slot_start] += 1
        if b.resident_id in escorted_ids:
            used_escorted[b.date, b.slot_start] += 1
    pool_use: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    day_index = {day.date: d for d, day in enumerate(days)}
    for b in bookings:
        if b.resident_id in escorted_ids:
            job = data.jobs[b.resident_id, day_index[b.date]]
            if job.pool_site is not None:
                pool_use[job.pool_site, day_index[b.date]].append(
                    (b.check_start - job.lead, b.check_start + job.tail)
                )
    full = campaign_clinic_full(
        len(days), clinic_due, places, total_slots, places / max(1, len(days))
    )
    out = []
    for r in sorted(unbooked, key=lambda r: r.resident_id):
        rid = r.resident_id
        if rid not in escorted_ids:
            reason, fix = full
        else:
            reason, fix = _explain_escorted(data, r, first, (used, used_escorted), pool_use, full)
        out.append(
            Unserved(kind=UnservedKind.HEALTH_CHECK, id=rid, date=None, reason=reason, fix=fix)
        )
    return out


def _explain_escorted(
    data: _Data,
    r: Resident,
    first: dt.date,
    used: tuple[dict[tuple[dt.date, int], int], dict[tuple[dt.date, int], int]],
    pool_use: dict[tuple[str, int], list[tuple[int, int]]],
    full: tuple[str, str],
) -> tuple[str, str]:
    """Why an escorted resident was not booked; ``used`` counts every booking per slot,
    then the escorted ones only (a walk-in's place could have gone to the resident)."""
    community, days, rid = data.community, data.days, r.resident_id
    everyone, escorted = used
    need = _need(community, r, first)
    if not data.escorts:
        return campaign_no_escort_skill(rid, need)
    if not any((rid, d) in data.jobs for d in range(len(days))):
        return campaign_no_pool(rid, need)
    options = {d: ks for (q, d), ks in data.slot_options.items() if q == rid}
    if not options:
        pledged = bool(data.tours)
        job = data.jobs[rid, 0]
        return campaign_no_escort_time(
            rid, need, job.lead + job.tail, [day.date for day in days], pledged
        )

    def has_room(d: int, ks: list[int], count: dict[tuple[dt.date, int], int]) -> bool:
        return any(count[days[d].date, days[d].slots[k]] < days[d].places_per_slot for k in ks)

    open_days = {d: ks for d, ks in options.items() if has_room(d, ks, escorted)}
    if not open_days:
        return campaign_reachable_slots_full(rid, need, [days[d].date for d in sorted(options)])
    oversubscribed = len(data.escorted) + len(data.walkins) > sum(day.places for day in days)
    if oversubscribed and not any(has_room(d, ks, everyone) for d, ks in options.items()):
        return full
    busy = []
    chairs = 0
    pool_blocks = True
    for d, ks in sorted(open_days.items()):
        day = days[d]
        job = data.jobs[rid, d]
        pool_busy: list[TimeWindow] = []
        if job.pool_site is not None:
            chairs = community.site_by_id[job.pool_site].wheelchairs
            capacity = community.site_by_id[job.pool_site].wheelchairs
            # A gap shorter than the job's chair time is no use to it.
            pool_busy = _close_gaps(
                _busy_periods(pool_use.get((job.pool_site, d), []), capacity),
                job.lead + job.tail,
            )
        for k in ks:
            s = day.slots[k]
            chair = TimeWindow(s - job.lead, s + job.tail)
            if not any(chair.overlaps(w) for w in pool_busy):
                pool_blocks = False
        middle = day.slots[ks[len(ks) // 2]]
        busy.append((day.date, _part_of_day(middle), pool_busy))
    if pool_blocks:
        return campaign_pool_busy(rid, need, busy, chairs)
    return campaign_escorts_busy(rid, need, busy)
