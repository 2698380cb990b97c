"""Reading the solved model back into bookings: the escorted residents', then the walk-ins'."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from carecal.plans import Booking, Wheelchair
from carecal.solver.campaign.model import CampaignModel
from carecal.solver.campaign.problem import CampaignData


def read_escorted(model: CampaignModel, values: dict[int, int]) -> list[Booking]:
    """The escorted residents' bookings in a solution (variable index -> value)."""
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


def fill_walkins(data: CampaignData, escorted: list[Booking]) -> list[Booking]:
    """Book the best-priority walk-ins into the free places, the oldest into the earliest."""
    # A slot is a clinic's: two clinics running on one date each have their own places.
    used: dict[tuple[dt.date, str, int], int] = defaultdict(int)
    for b in escorted:
        used[b.date, b.clinic_id, b.slot_start] += 1
    free = sorted(
        (
            (day, s)
            for day in data.days
            for s in day.slots
            for _ in range(max(0, day.places_per_slot - used[day.date, day.clinic_id, s]))
        ),
        key=lambda place: (place[0].date, place[1], place[0].clinic_id),
    )
    first = data.days[0].date
    community = data.community
    best = sorted(
        data.walkins,
        key=lambda r: (-data.value[r.resident_id], -r.age_on(first), r.resident_id),
    )[: len(free)]
    best.sort(key=lambda r: (-r.age_on(first), r.resident_id))
    bookings = []
    for r in best:
        # The earliest free place on a day the resident is not away (changes.csv).
        i = next(
            (
                i
                for i, (day, _) in enumerate(free)
                if not community.away_on(r.resident_id, day.date)
            ),
            None,
        )
        if i is None:
            continue
        day, s = free.pop(i)
        bookings.append(
            Booking(
                resident_id=r.resident_id,
                date=day.date,
                clinic_id=day.clinic_id,
                slot_start=s,
                check_start=s,
                check_end=s + day.check_minutes,
            )
        )
    return bookings
