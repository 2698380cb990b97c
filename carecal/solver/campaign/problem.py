"""The campaign as plain data: clinic days, priority and every escort job's fixed times.

Everything here is computed without OR-Tools, from the clinic days that
:meth:`carecal.model.Community.clinic_days` gives (one date at one clinic each; several
clinics may run on one date): what booking each resident is worth (:func:`priority`),
each escorted resident's job on each clinic day (from the pool or the door, to the check
and home again), the escort windows (*tours*, one per clinic day; the tours of one
escort's window on one date form a *shift*, whose jobs never overlap whichever clinic
they go to), which tours could take which job in which slots, and, on large campaigns,
the walk margins that stand in for the walks between jobs (see
:mod:`carecal.solver.campaign.model`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from carecal.clock import TimeWindow
from carecal.model import ClinicDay, Community, Resident, SiteKind, Skill
from carecal.travel import travel_minutes

BOOKING_POINTS = 100
"""What one booking is worth in the first objective tier; priority adds up to 30 points."""


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
class Job:
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
class Tour:
    """One escort's jobs at one clinic day inside one availability window."""

    escort_id: str
    day: int
    """The index of the clinic day in :attr:`CampaignData.days`."""
    window: TimeWindow
    shift: int = 0
    """The escort's window on that date: tours of one shift (the same window, at the
    clinics that run that date) share the escort, so their jobs never overlap."""


@dataclass
class CampaignData:
    """Everything the model needs, precomputed without OR-Tools."""

    community: Community
    days: list[ClinicDay]
    escorted: list[Resident]
    walkins: list[Resident]
    value: dict[str, int]
    age_weight: dict[str, int]
    jobs: dict[tuple[str, int], Job]
    walk: Callable[[str, str], int]
    home_walk: dict[tuple[str, str], int]
    margin_in: dict[str, int]
    margin_out: dict[str, int]
    exact: bool
    """Whether walks between jobs are modelled pair by pair (else by margins)."""
    tours: list[Tour]
    escorts: list[str]
    dates: list[dt.date] = field(default_factory=list)
    """The campaign's dates, sorted, each once (several clinic days may share a date)."""
    fits: dict[tuple[str, int], tuple[int, int, int]] = field(default_factory=dict)
    """(resident, tour) -> (walk-in margin, first slot index, last slot index) that fit."""
    slot_options: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    """(resident, day) -> indices of the slots some tour could reach."""

    def date_rank(self, d: int) -> int:
        """0 for the first campaign date, 1 for the second, ... of clinic day ``d``."""
        return self.dates.index(self.days[d].date)

    @property
    def total_value(self) -> int:
        """What booking every due resident at the clinic would be worth."""
        return sum(self.value.values())

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


def prepare(
    community: Community,
    days: list[ClinicDay],
    escorted: list[Resident],
    walkins: list[Resident],
    first_day: dt.date,
    exact_walk_pairs: int,
) -> CampaignData:
    """The campaign's solver data for the due residents at the clinic.

    Parameters
    ----------
    community
        The community: sites, escorts, their availability and the policy.
    days
        The campaign's clinic days (:meth:`carecal.model.Community.clinic_days`).
    escorted, walkins
        The due residents who need an escort, and those who come on their own.
    first_day
        The day on which ages and priority are judged.
    exact_walk_pairs
        Up to this many pairs of jobs that could share an escort's shift, the walks
        between jobs are modelled pair by pair; above it, by walk margins.

    Returns
    -------
    CampaignData
        Jobs, tours, the slots each tour could reach, and the walks.
    """
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
    jobs: dict[tuple[str, int], Job] = {}
    for r in escorted:
        rid = r.resident_id
        pool = None
        if not r.has_own_wheelchair:
            pool = _nearest_pool_site(community, rid, pool_sites, walk)
            if pool is None:
                continue
        for d, day in enumerate(days):
            if community.away_on(rid, day.date):
                continue  # away that day (changes.csv): no job, so no slot, that day
            pickup_lead = handling + push(rid, day.clinic_id)
            home_tail = day.check_minutes + push(day.clinic_id, rid) + handling
            if pool is not None:
                lead = walk(pool, rid) + pickup_lead
                tail = home_tail + walk(rid, pool)
                jobs[rid, d] = Job(pool, pool, lead, tail, pickup_lead, home_tail, pool)
            else:
                jobs[rid, d] = Job(rid, rid, pickup_lead, home_tail, pickup_lead, home_tail, None)
    starts = sorted({j.start_place for j in jobs.values()})
    home_walk = {
        (v.volunteer_id, p): (walk(v.volunteer_id, p) if v.volunteer_id in index else 0)
        for v in escorts
        for p in starts
    }
    shifts: dict[tuple[str, dt.date, TimeWindow], int] = {}
    tours = [
        Tour(v.volunteer_id, d, w, shifts.setdefault((v.volunteer_id, day.date, w), len(shifts)))
        for d, day in enumerate(days)
        for v in escorts
        for w in community.availability_on(v.volunteer_id, day.date)
    ]
    data = CampaignData(
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
        dates=sorted({day.date for day in days}),
    )
    _fit_jobs_to_tours(data)
    per_shift = Counter(tours[t].shift for _, t in data.fits)
    if sum(n * (n - 1) // 2 for n in per_shift.values()) > exact_walk_pairs:
        data.exact = False
        data.margin_in, data.margin_out = _walk_margins(
            # One job per resident (its places are the same every day); the first day
            # may be one the resident is away.
            list({rid: (rid, j.start_place, j.end_place) for (rid, _), j in jobs.items()}.values()),
            pool_sites,
            clinics,
            walk,
        )
        _fit_jobs_to_tours(data)
    return data


def _fit_jobs_to_tours(data: CampaignData) -> None:
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


def _fitting_slots(day: ClinicDay, job: Job, window: TimeWindow, before: int) -> list[int]:
    if day.places_per_slot <= 0:
        return []
    return [
        k
        for k, s in enumerate(day.slots)
        if s - job.lead - before >= window.start and s + job.tail <= window.end
    ]


def busy_periods(intervals: list[tuple[int, int]], capacity: int) -> list[TimeWindow]:
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
