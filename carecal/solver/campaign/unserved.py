"""Why a due resident was not booked, in words a coordinator can act on.

The reasons and fixes are worded in :mod:`carecal.explain`; this module gathers the facts
behind them from the campaign data and the bookings: whether anyone can escort, whether a
pool chair or an escort window could reach a slot, and whether those slots, the chairs or
the escorts were taken.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from carecal.clock import TimeWindow
from carecal.explain import (
    Why,
    campaign_clinic_full,
    campaign_escorts_busy,
    campaign_no_escort_skill,
    campaign_no_escort_time,
    campaign_no_pool,
    campaign_pool_busy,
    campaign_reachable_slots_full,
    escort_need,
)
from carecal.model import Community, Resident
from carecal.plans import Booking, Unserved, UnservedKind
from carecal.solver.campaign.problem import CampaignData, busy_periods

SlotCount = dict[tuple[dt.date, str, int], int]
"""Bookings per slot: (date, clinic, slot start) -> count."""


def _need(community: Community, resident: Resident, first_day: dt.date) -> str:
    return escort_need(
        resident.mobility.value,
        resident.age_on(first_day),
        resident.has_own_wheelchair,
        community.policy.lang,
    )


def _part_of_day(minutes: int) -> str:
    if minutes < 12 * 60:
        return "morning"
    if minutes < 17 * 60:
        return "afternoon"
    return "evening"


def _close_gaps(periods: list[TimeWindow], shorter_than: int) -> list[TimeWindow]:
    out: list[TimeWindow] = []
    for w in periods:
        if out and w.start - out[-1].end < shorter_than:
            out[-1] = TimeWindow(out[-1].start, w.end)
        else:
            out.append(w)
    return out


def explain_unbooked(
    data: CampaignData, unbooked: list[Resident], bookings: list[Booking]
) -> list[Unserved]:
    """One unserved entry, with reason and fix, for each resident not booked."""
    days = data.days
    first = days[0].date
    clinic_due = len(data.escorted) + len(data.walkins)
    places = sum(day.places for day in days)
    total_slots = sum(len(day.slots) for day in days)
    escorted_ids = {r.resident_id for r in data.escorted}
    used: SlotCount = defaultdict(int)
    used_escorted: SlotCount = defaultdict(int)
    for b in bookings:
        used[b.date, b.clinic_id, b.slot_start] += 1
        if b.resident_id in escorted_ids:
            used_escorted[b.date, b.clinic_id, b.slot_start] += 1
    # A pool's chairs serve every clinic of a date.
    pool_use: dict[tuple[str, dt.date], list[tuple[int, int]]] = defaultdict(list)
    day_index = {(day.date, day.clinic_id): d for d, day in enumerate(days)}
    for b in bookings:
        if b.resident_id in escorted_ids:
            job = data.jobs[b.resident_id, day_index[b.date, b.clinic_id]]
            if job.pool_site is not None:
                pool_use[job.pool_site, b.date].append(
                    (b.check_start - job.lead, b.check_start + job.tail)
                )
    full = campaign_clinic_full(
        len(data.dates),
        clinic_due,
        places,
        total_slots,
        places / max(1, len(data.dates)),
        data.community.policy.lang,
    )
    out = []
    for r in sorted(unbooked, key=lambda r: r.resident_id):
        rid = r.resident_id
        why = (
            full
            if rid not in escorted_ids
            else _explain_escorted(data, r, first, (used, used_escorted), pool_use, full)
        )
        out.append(Unserved.because(UnservedKind.HEALTH_CHECK, rid, None, why))
    return out


def _explain_escorted(
    data: CampaignData,
    r: Resident,
    first: dt.date,
    used: tuple[SlotCount, SlotCount],
    pool_use: dict[tuple[str, dt.date], list[tuple[int, int]]],
    full: Why,
) -> Why:
    """Why an escorted resident was not booked; ``used`` counts every booking per slot,
    then the escorted ones only (a walk-in's place could have gone to the resident)."""
    community, days, rid = data.community, data.days, r.resident_id
    everyone, escorted = used
    need = _need(community, r, first)
    lang = community.policy.lang
    if not data.escorts:
        return campaign_no_escort_skill(rid, need, lang)
    if not any((rid, d) in data.jobs for d in range(len(days))):
        return campaign_no_pool(rid, need, lang)
    options = {d: ks for (q, d), ks in data.slot_options.items() if q == rid}
    if not options:
        pledged = bool(data.tours)
        # The first day with a job: a day the resident is away (changes.csv) has none.
        job = next(j for (q, _), j in sorted(data.jobs.items()) if q == rid)
        return campaign_no_escort_time(rid, need, job.lead + job.tail, data.dates, pledged, lang)

    def has_room(d: int, ks: list[int], count: SlotCount) -> bool:
        day = days[d]
        return any(count[day.date, day.clinic_id, day.slots[k]] < day.places_per_slot for k in ks)

    open_days = {d: ks for d, ks in options.items() if has_room(d, ks, escorted)}
    if not open_days:
        reachable = sorted({days[d].date for d in options})
        return campaign_reachable_slots_full(rid, need, reachable, lang)
    oversubscribed = len(data.escorted) + len(data.walkins) > sum(day.places for day in days)
    if oversubscribed and not any(has_room(d, ks, everyone) for d, ks in options.items()):
        return full
    busy: list[tuple[dt.date, str, list[TimeWindow]]] = []
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
                busy_periods(pool_use.get((job.pool_site, day.date), []), capacity),
                job.lead + job.tail,
            )
        for k in ks:
            s = day.slots[k]
            chair = TimeWindow(s - job.lead, s + job.tail)
            if not any(chair.overlaps(w) for w in pool_busy):
                pool_blocks = False
        middle = day.slots[ks[len(ks) // 2]]
        # One entry a date: the pool, and the escorts, serve every clinic of the date.
        if not busy or busy[-1][0] != day.date:
            busy.append((day.date, _part_of_day(middle), pool_busy))
    if pool_blocks:
        return campaign_pool_busy(rid, need, busy, chairs, lang)
    return campaign_escorts_busy(rid, need, busy, lang)
