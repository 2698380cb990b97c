"""The health-check campaign, re-checked: bookings, clinic slots, escorts and pool chairs."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from carecal.clock import TimeWindow, format_time
from carecal.model import ClinicDay, Community, Mobility, Resident, SiteKind, Skill
from carecal.plans import CHECK_OUTCOMES, Booking, CampaignPlan, UnservedKind, Wheelchair
from carecal.policy import check_policy
from carecal.travel import travel_minutes
from carecal.verify.violation import Report, Violation


def verify_campaign(community: Community, plan: CampaignPlan) -> list[Violation]:
    """Re-check a health-check campaign plan against every hard rule of the campaign.

    Checked first: the policy (:func:`carecal.policy.check_policy`). Then: each clinic
    day of the plan (``plan.clinic_days``, or, when the plan lists none, each date and
    clinic of its bookings) is one on which that clinic runs, by the one rule of
    :meth:`carecal.model.Community.clinic_day`; each booking at one of the plan's clinic
    days, on that clinic's slot grid, inside its hours and not in a part of the day a
    ``clinic_closed`` change closes; nobody booked on a day they are away
    (:meth:`carecal.model.Community.away_on`); no slot overfilled; everyone
    due listed exactly once (booked, or unserved as ``health_check`` or ``home_check``),
    nobody booked who is not due, bedridden residents not booked; escort and wheelchair
    fields consistent with the resident's needs; pickup and home-again times allowing for
    the push and the handling; each escort trained, every job inside one of their free
    windows counting the walk from home or from the previous job, no two jobs
    overlapping including the walk between them (at any clinic of the date), at most the
    policy's jobs per day; at no moment more pool chairs out than a pool site holds.

    Parameters
    ----------
    community
        The community the plan was made for.
    plan
        The campaign plan.

    Returns
    -------
    list of Violation
        Every violation found, in a stable order.

    Raises
    ------
    CommunityError
        When the community's policy is invalid.
    """
    check_policy(community.policy)
    out: list[Violation] = []

    def bad(rule: str, message: str) -> None:
        out.append(Violation(rule=rule, message=message))

    days = _clinic_days(community, plan, bad)
    dates = set(plan.dates) | {date for date, _ in plan.clinic_days}
    first = min(dates) if dates else min((b.date for b in plan.bookings), default=None)
    residents = community.resident_by_id
    count = Counter(b.resident_id for b in plan.bookings)
    for rid, n in sorted(count.items()):
        if n > 1:
            bad("once", f"resident {rid} is booked {n} times; keep one booking per resident")
    places = _CampaignPlaces(community, plan.bookings)
    escorted: list[tuple[Booking, Resident]] = []
    per_slot: Counter[tuple[dt.date, str, int]] = Counter()
    for b in plan.bookings:
        if b.done is not None and b.done not in CHECK_OUTCOMES:
            # What happened is filled in by hand; a value the report cannot count is said.
            bad(
                "done",
                f"the booking of {b.resident_id} on {b.date} says done {b.done!r}; use "
                f"{', '.join(CHECK_OUTCOMES)}, or leave it empty while only planned",
            )
        r = residents.get(b.resident_id)
        if r is None:
            bad("unknown", f"booking for {b.resident_id}, who is not on the roster")
            continue
        if (b.date, b.clinic_id) not in days:
            _off_the_plans_days(b, dates, days, bad)
            continue
        day = days[b.date, b.clinic_id]
        if day is None:
            continue  # the clinic does not run that day: reported once, by _clinic_days
        per_slot[b.date, b.clinic_id, b.slot_start] += 1
        _check_booking_time(b, day, bad)
        if community.away_on(b.resident_id, b.date):
            bad(
                "away",
                f"resident {b.resident_id} is booked on {b.date}, when they are away "
                "(resident_away in changes.csv); move the booking to a day they are home",
            )
        if first is not None and not community.is_due(r, first):
            bad(
                "not_due",
                f"resident {b.resident_id} is booked but not due: last check {r.last_check}, "
                f"less than {community.policy.check_due_days} days before {first}",
            )
        if r.mobility == Mobility.BEDRIDDEN:
            bad(
                "bedridden",
                f"resident {b.resident_id} is bedridden and booked at the clinic; list them "
                "for a home check instead",
            )
        needs = first is not None and community.needs_escort(r, first)
        if needs:
            if _check_escort_fields(community, b, r, day, places, bad):
                escorted.append((b, r))
        elif (
            b.escort_ids
            or b.wheelchair != Wheelchair.NONE
            or b.pickup is not None
            or b.home_again is not None
        ):
            bad(
                "escort",
                f"resident {b.resident_id} comes on their own (no escort needed) but the "
                "booking has an escort, a wheelchair or pickup times; clear them",
            )
    for (date, clinic_id, start), n in sorted(per_slot.items()):
        day = days[date, clinic_id]
        assert day is not None  # counted only for clinic days that run
        if n > day.places_per_slot:
            bad(
                "slot_capacity",
                f"the {format_time(start)} slot on {date} at clinic {clinic_id} has {n} "
                f"checks and {day.places_per_slot} places; move {n - day.places_per_slot} "
                "to another slot",
            )
    if first is not None:
        _check_everyone_due(community, plan, first, count, bad)
    _check_escort_days(community, escorted, places, bad)
    _check_pool(community, escorted, places, bad)
    return out


def _clinic_days(
    community: Community, plan: CampaignPlan, bad: Report
) -> dict[tuple[dt.date, str], ClinicDay | None]:
    """The plan's clinic days under the community's one rule; ``None`` where a clinic does
    not run on a date (reported here, once)."""
    pairs = list(plan.clinic_days) or sorted(
        {(b.date, b.clinic_id) for b in plan.bookings if not plan.dates or b.date in plan.dates}
    )
    days: dict[tuple[dt.date, str], ClinicDay | None] = {}
    for date, clinic_id in pairs:
        day = community.clinic_day(date, clinic_id)
        days[date, clinic_id] = day
        if day is None:
            bad("clinic", _not_running(community, date, clinic_id))
    return days


def _not_running(community: Community, date: dt.date, clinic_id: str) -> str:
    """Why a clinic does not run on a date, and the fix, in one sentence."""
    clinics = [s.site_id for s in community.sites_of(SiteKind.CLINIC)]
    listed = sorted(c.clinic_id for c in community.campaign if c.date == date)
    if clinic_id not in clinics:
        why = f"{clinic_id} is not a clinic in sites.csv ({', '.join(clinics) or 'none'})"
        fix = "correct the clinic_id"
    elif listed:
        why = f"campaign.csv lists only {', '.join(listed)} that day"
        fix = f"add a row ({date}, {clinic_id}) to campaign.csv or book at {listed[0]}"
    elif date.weekday() >= 5:
        why = "campaign.csv does not list it, and it is a weekend day"
        fix = f"add a row ({date}, {clinic_id}) to campaign.csv or move the booking"
    else:
        why = (
            f"campaign.csv does not list it, and with {len(clinics)} clinics it must say which runs"
        )
        fix = f"add a row ({date}, {clinic_id}) to campaign.csv"
    return f"clinic {clinic_id} does not run on {date} ({why}); {fix}"


def _off_the_plans_days(
    b: Booking,
    dates: set[dt.date],
    days: dict[tuple[dt.date, str], ClinicDay | None],
    bad: Report,
) -> None:
    """Report a booking at none of the plan's clinic days."""
    rid = b.resident_id
    if b.date not in dates:
        shown = ", ".join(str(d) for d in sorted(dates))
        bad(
            "campaign_day",
            f"resident {rid} is booked on {b.date}, which is not a campaign day of this "
            f"plan; move the booking to one of {shown}",
        )
        return
    running = sorted(c for (d, c), day in days.items() if d == b.date and day is not None)
    bad(
        "clinic",
        f"resident {rid} is booked at {b.clinic_id} on {b.date}, but the plan runs the "
        f"campaign at {', '.join(running) or 'no clinic'} that day",
    )


def _check_booking_time(b: Booking, day: ClinicDay, bad: Report) -> None:
    rid = b.resident_id
    if b.slot_start < day.open or (b.slot_start - day.open) % day.slot_minutes:
        bad(
            "slot",
            f"resident {rid}'s slot on {b.date} starts at {format_time(b.slot_start)}, which is "
            f"not a slot start (every {day.slot_minutes} min from {format_time(day.open)})",
        )
    elif b.slot_start not in day.slots:
        bad(
            "clinic_closed",
            f"resident {rid}'s slot on {b.date} at {format_time(b.slot_start)} is in a time "
            f"clinic {day.clinic_id} is closed (clinic_closed in changes.csv); move the booking",
        )
    if b.check_start != b.slot_start or b.check_end - b.check_start != day.check_minutes:
        bad(
            "check_time",
            f"resident {rid}'s check runs {format_time(b.check_start)}–"
            f"{format_time(b.check_end)}; it starts at the slot start "
            f"{format_time(b.slot_start)} and takes {day.check_minutes} min",
        )
    if b.check_start < day.open or b.check_end > day.close:
        bad(
            "clinic_hours",
            f"resident {rid}'s check on {b.date} runs {format_time(b.check_start)}–"
            f"{format_time(b.check_end)}, outside the clinic's hours "
            f"{format_time(day.open)}–{format_time(day.close)}",
        )


class _CampaignPlaces:
    """Walking and pushing minutes among the places of a plan's escort jobs."""

    def __init__(self, community: Community, bookings: Iterable[Booking]) -> None:
        self.pool_sites = [
            s.site_id for s in community.sites if s.kind != SiteKind.CLINIC and s.wheelchairs > 0
        ]
        escorts = {e for b in bookings for e in b.escort_ids}
        ids = list(
            dict.fromkeys(
                [b.resident_id for b in bookings if b.escort_ids or b.pickup is not None]
                + [b.clinic_id for b in bookings]
                + self.pool_sites
                + [
                    e
                    for e in sorted(escorts)
                    if e in community.volunteer_by_id
                    and community.volunteer_by_id[e].lat is not None
                    and community.volunteer_by_id[e].lon is not None
                ]
            )
        )
        ids = [
            i
            for i in ids
            if i in community.resident_by_id
            or i in community.site_by_id
            or i in community.volunteer_by_id
        ]
        self.index = {p: i for i, p in enumerate(ids)}
        self.walk_m = travel_minutes(community, ids, "walk")
        self.push_m = travel_minutes(community, ids, "wheelchair")

    def walk(self, a: str, b: str) -> int:
        """Walking minutes from ``a`` to ``b``; 0 from a place without coordinates."""
        if a not in self.index or b not in self.index:
            return 0
        return int(self.walk_m[self.index[a], self.index[b]])

    def push(self, a: str, b: str) -> int:
        """Minutes pushing a wheelchair from ``a`` to ``b``; 0 from an unknown place."""
        if a not in self.index or b not in self.index:
            return 0
        return int(self.push_m[self.index[a], self.index[b]])

    def pool_site(self, resident_id: str) -> str | None:
        """The pool site a resident's chair comes from: the nearest walk, first on ties."""
        if not self.pool_sites:
            return None
        return min(
            self.pool_sites,
            key=lambda s: (self.walk(s, resident_id), self.pool_sites.index(s)),
        )


def _check_escort_fields(
    community: Community,
    b: Booking,
    r: Resident,
    day: ClinicDay,
    places: _CampaignPlaces,
    bad: Report,
) -> bool:
    """Escort, wheelchair and times of an escorted booking; True when fit for the day checks."""
    rid = b.resident_id
    ok = True
    if not b.escort_ids:
        bad("escort", f"resident {rid} needs an escort to the clinic and the booking has none")
        ok = False
    for e in b.escort_ids:
        v = community.volunteer_by_id.get(e)
        if v is None:
            bad("escort", f"resident {rid}'s escort {e} is not in volunteers")
            ok = False
        elif not v.has(Skill.ESCORT):
            bad(
                "escort_skill",
                f"volunteer {e} escorts resident {rid} but does not have the escort skill",
            )
    want = Wheelchair.OWN if r.has_own_wheelchair else Wheelchair.POOL
    if b.wheelchair != want:
        bad(
            "wheelchair",
            f"resident {rid} rides {'their own' if want == Wheelchair.OWN else 'a pool'} "
            f"wheelchair, but the booking says {b.wheelchair.value}",
        )
        ok = False
    if want == Wheelchair.POOL and places.pool_site(rid) is None:
        bad("pool", f"resident {rid} needs a pool wheelchair and the centre lends none")
        ok = False
    if b.pickup is None or b.home_again is None:
        bad("pickup", f"resident {rid} is escorted but the booking has no pickup or home time")
        return False
    handling = community.policy.escort_handling_minutes
    there = places.push(rid, b.clinic_id)
    back = places.push(b.clinic_id, rid)
    if b.pickup + handling + there > b.check_start:
        bad(
            "pickup",
            f"resident {rid} is picked up at {format_time(b.pickup)}; with {handling} min to "
            f"get out and {there} min pushing, they reach the clinic at "
            f"{format_time(b.pickup + handling + there)}, after the check starts at "
            f"{format_time(b.check_start)}",
        )
    if b.home_again < b.check_end + back + handling:
        bad(
            "home_again",
            f"resident {rid} is home again at {format_time(b.home_again)}, but the check ends "
            f"at {format_time(b.check_end)} and the way home takes {back} min plus "
            f"{handling} min to settle",
        )
    return ok


class _EscortJob(NamedTuple):
    start: int
    end: int
    start_place: str
    end_place: str
    resident_id: str


def _escort_job(b: Booking, places: _CampaignPlaces) -> _EscortJob:
    """When the escort starts and ends the job, and where (the pool site for a pool chair)."""
    assert b.pickup is not None and b.home_again is not None
    rid = b.resident_id
    pool = places.pool_site(rid) if b.wheelchair == Wheelchair.POOL else None
    if pool is None:
        return _EscortJob(b.pickup, b.home_again, rid, rid, rid)
    return _EscortJob(
        b.pickup - places.walk(pool, rid), b.home_again + places.walk(rid, pool), pool, pool, rid
    )


def _check_escort_days(
    community: Community,
    escorted: list[tuple[Booking, Resident]],
    places: _CampaignPlaces,
    bad: Report,
) -> None:
    cap = community.policy.max_escort_jobs_per_day
    days: dict[tuple[str, dt.date], list[_EscortJob]] = defaultdict(list)
    for b, _ in escorted:
        for e in b.escort_ids:
            days[e, b.date].append(_escort_job(b, places))
    for (e, date), jobs in sorted(days.items()):
        jobs.sort()
        if len(jobs) > cap:
            bad(
                "jobs_per_day",
                f"escort {e} has {len(jobs)} jobs on {date}; the policy allows {cap} a day",
            )
        windows = community.availability_on(e, date)
        prev: _EscortJob | None = None
        prev_window: TimeWindow | None = None
        for job in jobs:
            window = community.free_window(e, date, job.start, job.end)
            free = ", ".join(str(w) for w in windows) or "none"
            if window is None:
                bad(
                    "availability",
                    f"escort {e}'s job for resident {job.resident_id} on {date} runs "
                    f"{format_time(job.start)}–{format_time(job.end)}, outside their free time "
                    f"that day ({free})",
                )
            elif prev is not None and prev_window == window:
                w = places.walk(prev.end_place, job.start_place)
                if prev.end + w > job.start:
                    bad(
                        "escort_overlap",
                        f"escort {e} on {date} is free at {format_time(prev.end)} after "
                        f"resident {prev.resident_id}'s job and needs {w} min to walk on, too "
                        f"late for resident {job.resident_id}'s job at {format_time(job.start)}",
                    )
            else:
                w = places.walk(e, job.start_place)
                if job.start - w < window.start:
                    bad(
                        "availability",
                        f"escort {e} must leave home at {format_time(job.start - w)} on {date} "
                        f"for resident {job.resident_id}, before their free time starts at "
                        f"{format_time(window.start)}",
                    )
            if prev is not None and prev.end > job.start:
                bad(
                    "escort_overlap",
                    f"escort {e}'s jobs for residents {prev.resident_id} and "
                    f"{job.resident_id} on {date} overlap",
                )
            prev, prev_window = job, window


def _check_pool(
    community: Community,
    escorted: list[tuple[Booking, Resident]],
    places: _CampaignPlaces,
    bad: Report,
) -> None:
    out: dict[tuple[str, dt.date], list[tuple[int, int]]] = defaultdict(list)
    for b, _ in escorted:
        if b.wheelchair != Wheelchair.POOL or b.pickup is None or b.home_again is None:
            continue
        site = places.pool_site(b.resident_id)
        if site is not None:
            job = _escort_job(b, places)
            out[site, b.date].append((job.start, job.end))
    for (site, date), spans in sorted(out.items()):
        capacity = community.site_by_id[site].wheelchairs
        events = sorted([(a, 1) for a, _ in spans] + [(z, -1) for _, z in spans])
        held = 0
        for t, step in events:
            held += step
            if held > capacity:
                bad(
                    "pool",
                    f"on {date} at {format_time(t)}, {held} pool wheelchairs of site {site} are "
                    f"out and it holds {capacity}; move a pool-chair booking to another time",
                )
                break


def _check_everyone_due(
    community: Community,
    plan: CampaignPlan,
    first: dt.date,
    booked: Counter[str],
    bad: Report,
) -> None:
    kinds = (UnservedKind.HEALTH_CHECK, UnservedKind.HOME_CHECK)
    listed = Counter(u.id for u in plan.unserved if u.kind in kinds)
    home = {u.id for u in plan.unserved if u.kind == UnservedKind.HOME_CHECK}
    due = set()
    for r in community.residents:
        if not community.is_due(r, first):
            continue
        rid = r.resident_id
        due.add(rid)
        n = booked[rid] + listed[rid]
        if n == 0:
            bad(
                "everyone_due",
                f"resident {rid} is due a check but is neither booked nor listed as unserved",
            )
        elif listed[rid] and n > 1:
            bad("everyone_due", f"resident {rid} is listed {n} times (booked and unserved)")
        if r.mobility == Mobility.BEDRIDDEN and rid not in home:
            bad("home_check", f"resident {rid} is bedridden and due; list them for a home check")
        elif r.mobility != Mobility.BEDRIDDEN and rid in home:
            bad("home_check", f"resident {rid} is listed for a home check but is not bedridden")
    for rid in sorted(set(listed) - due):
        bad("everyone_due", f"{rid} is listed as an unserved check but is not a resident due one")
