"""The previous plan of a campaign re-plan, as plain data: what is fixed, what may move.

A re-plan (:mod:`carecal.solver.campaign.replan`) starts from a plan made before the
community changed. Its bookings fall in three groups (:func:`split_previous`):

- **fixed**: frozen (the pickup, or the check start of a resident who comes alone, is
  before ``now``: it happened) or locked by a coordinator. They are kept exactly as they
  are, outside the model, and take what they use: their places in the slots, their
  escorts' time (with the walks to and from the jobs around them), their pool chairs
  (:class:`FixedPart`);
- **movable**: the rest, one per resident; each may stay or move, and a move costs;
- **extra**: further rows of a resident booked more than once (a hand-edited plan): each
  is dropped, and counts as a move.

Nothing new starts before ``now``: on the date of ``now`` only the slots whose pickup (or,
for a walk-in, whose check) is at ``now`` or later are offered, and nothing on an earlier
date (:func:`day_cutoffs`, :func:`drop_slots_before`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from carecal.clock import DAY_MINUTES
from carecal.model import ClinicDay, Community, SiteKind
from carecal.plans import Booking, Wheelchair
from carecal.solver.campaign.problem import CampaignData
from carecal.travel import travel_minutes

__all__ = [
    "FixedJob",
    "FixedPart",
    "PreviousBookings",
    "day_cutoffs",
    "drop_slots_before",
    "fixed_part",
    "is_frozen",
    "split_previous",
]

NOTHING_LEFT = DAY_MINUTES + 1
"""A cutoff past every slot: the day is over (before ``now``)."""


def booking_moment(b: Booking) -> dt.datetime:
    """When a booking starts for the resident: the pickup, or the check when unescorted."""
    minutes = b.pickup if b.pickup is not None else b.check_start
    return dt.datetime.combine(b.date, dt.time()) + dt.timedelta(minutes=minutes)


def is_frozen(b: Booking, now: dt.datetime | None) -> bool:
    """Whether a booking had started before ``now`` (so it happened and is kept)."""
    return now is not None and booking_moment(b) < now


@dataclass(frozen=True)
class PreviousBookings:
    """The previous plan's bookings, split for a re-plan (see the module docstring)."""

    fixed: tuple[Booking, ...]
    """Frozen or locked: kept exactly as they are."""
    movable: dict[str, Booking]
    """The rest, by resident: the booking a move is counted from."""
    extra: int = 0
    """Further rows of residents booked more than once: dropped, each a move."""
    frozen: tuple[Booking, ...] = ()
    """The fixed bookings that are frozen (the others are locked, not yet started)."""

    @property
    def locked(self) -> tuple[Booking, ...]:
        """The fixed bookings kept because they are locked (and not yet started)."""
        frozen = {id(b) for b in self.frozen}
        return tuple(b for b in self.fixed if id(b) not in frozen)


def split_previous(bookings: Iterable[Booking], now: dt.datetime | None) -> PreviousBookings:
    """Split the previous plan's bookings into fixed, movable and extra rows."""
    rows = list(bookings)
    frozen = [b for b in rows if is_frozen(b, now)]
    frozen_ids = {id(b) for b in frozen}
    fixed = frozen + [b for b in rows if b.locked and id(b) not in frozen_ids]
    fixed_ids = {id(b) for b in fixed}
    held = {b.resident_id for b in fixed}
    movable: dict[str, Booking] = {}
    extra = 0
    for b in rows:
        if id(b) in fixed_ids:
            continue
        if b.resident_id in held or b.resident_id in movable:
            extra += 1
            continue
        movable[b.resident_id] = b
    return PreviousBookings(fixed=tuple(fixed), movable=movable, extra=extra, frozen=tuple(frozen))


def day_cutoffs(days: Sequence[ClinicDay], now: dt.datetime | None) -> list[int]:
    """Per clinic day, the first minute at which something new may start.

    0 on a date after ``now`` (or without ``now``), ``now``'s minutes on its date, and
    :data:`NOTHING_LEFT` on an earlier date.
    """
    out = []
    for day in days:
        if now is None or day.date > now.date():
            out.append(0)
        elif day.date == now.date():
            out.append(now.hour * 60 + now.minute)
        else:
            out.append(NOTHING_LEFT)
    return out


def drop_slots_before(data: CampaignData, cutoffs: Sequence[int]) -> None:
    """Offer an escorted resident only the slots whose pickup is at the cutoff or later.

    Narrows each (resident, tour) fit to its first slot that is late enough (the fits are
    ranges of slots, and the pickup moves with the slot, so the late enough slots are the
    end of the range), drops fits left empty, and lists the slots offered again.
    """
    for (rid, t), (before, first, last) in list(data.fits.items()):
        d = data.tours[t].day
        day, job = data.days[d], data.jobs[rid, d]
        k = first
        while k <= last and day.slots[k] - job.pickup_lead < cutoffs[d]:
            k += 1
        if k > last:
            del data.fits[rid, t]
        elif k != first:
            data.fits[rid, t] = (before, k, last)
    data.slot_options.clear()
    for (rid, t), (_, first, last) in data.fits.items():
        options = data.slot_options.setdefault((rid, data.tours[t].day), [])
        options.extend(k for k in range(first, last + 1) if k not in options)
    for options in data.slot_options.values():
        options.sort()


@dataclass(frozen=True)
class FixedJob:
    """A fixed booking's escort job: from the escort's first place to free again."""

    escort_id: str
    date: dt.date
    start: int
    end: int
    start_place: str
    end_place: str
    resident_id: str


@dataclass
class FixedPart:
    """What the fixed bookings take: slot places, escorts' time, pool chairs."""

    per_slot: Counter[tuple[dt.date, str, int]] = field(default_factory=Counter)
    """Fixed bookings per (date, clinic, slot start)."""
    jobs: dict[tuple[str, dt.date], list[FixedJob]] = field(default_factory=dict)
    """Fixed escort jobs per (escort, date)."""
    chairs: dict[tuple[str, dt.date], list[tuple[int, int]]] = field(default_factory=dict)
    """Pool chairs out for fixed bookings per (pool site, date): (from, to)."""
    walk: Callable[[str, str], int] = lambda a, b: 0
    """Walking minutes between the fixed jobs' places and the new jobs' places."""

    def taken(self, day: ClinicDay, slot: int) -> int:
        """Places of ``slot`` on ``day`` the fixed bookings take."""
        return self.per_slot[day.date, day.clinic_id, slot]


def fixed_part(community: Community, data: CampaignData, fixed: Sequence[Booking]) -> FixedPart:
    """What the fixed bookings take from the campaign, and the walks around their jobs.

    An escort's job is reckoned as the verifier reckons it: from the pickup (less the walk
    from the pool site, for a pool chair) to home again (plus the walk back to the pool),
    the chair out of the pool site nearest the resident's door for that time.
    """
    pool_sites = [
        s.site_id for s in community.sites if s.kind != SiteKind.CLINIC and s.wheelchairs > 0
    ]
    escorted = [b for b in fixed if b.escort_ids and b.pickup is not None]
    ids = list(
        dict.fromkeys(
            [b.resident_id for b in escorted] + [r.resident_id for r in data.escorted] + pool_sites
        )
    )
    # A hand-edited plan may name a resident no longer on the roster: no walk to them.
    ids = [i for i in ids if i in community.resident_by_id or i in community.site_by_id]
    index = {p: i for i, p in enumerate(ids)}
    matrix = travel_minutes(community, ids, "walk")

    def walk(a: str, b: str) -> int:
        if a not in index or b not in index:
            return 0
        return int(matrix[index[a], index[b]])

    part = FixedPart(walk=walk)
    part.per_slot.update((b.date, b.clinic_id, b.slot_start) for b in fixed)
    jobs: dict[tuple[str, dt.date], list[FixedJob]] = defaultdict(list)
    chairs: dict[tuple[str, dt.date], list[tuple[int, int]]] = defaultdict(list)
    for b in escorted:
        assert b.pickup is not None and b.home_again is not None
        rid = b.resident_id
        pool = None
        if b.wheelchair == Wheelchair.POOL and pool_sites:
            pool = min(pool_sites, key=lambda s: (walk(s, rid), pool_sites.index(s)))
        if pool is None:
            start, end, first, last = b.pickup, b.home_again, rid, rid
        else:
            start = b.pickup - walk(pool, rid)
            end = b.home_again + walk(rid, pool)
            first = last = pool
            chairs[pool, b.date].append((start, end))
        for e in b.escort_ids:
            jobs[e, b.date].append(FixedJob(e, b.date, start, end, first, last, rid))
    part.jobs = dict(jobs)
    part.chairs = dict(chairs)
    return part
