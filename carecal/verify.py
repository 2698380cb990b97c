"""The independent verifier: every hard rule re-checked from the community and a plan alone.

Nothing here imports OR-Tools or shares code with the solvers beyond the domain model
and the travel-time estimate, so a solver bug cannot hide behind the same bug here.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from carecal.clock import TimeWindow, format_time
from carecal.model import Community, Mobility, Resident, SiteKind, Skill
from carecal.plans import (
    Booking,
    CampaignPlan,
    MealPlan,
    ShiftPlan,
    Trip,
    UnservedKind,
    WeekPlan,
    Wheelchair,
)
from carecal.travel import travel_minutes


class Violation(BaseModel):
    """One broken rule, in plain words."""

    model_config = ConfigDict(frozen=True)

    rule: str
    """Short name of the rule, e.g. ``capacity`` or ``window``."""
    message: str
    """What is wrong, naming the resident, volunteer or shift and the numbers."""

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


def verify(
    community: Community, plan: MealPlan | CampaignPlan | ShiftPlan | WeekPlan
) -> list[Violation]:
    """Re-check every hard rule of a plan; an empty list means the plan is valid.

    Parameters
    ----------
    community
        The community the plan was made for.
    plan
        A meal, campaign, shift or week plan.

    Returns
    -------
    list of Violation
        Every violation found, in a stable order.
    """
    if isinstance(plan, MealPlan):
        return verify_meals(community, plan)
    if isinstance(plan, CampaignPlan):
        return verify_campaign(community, plan)
    if isinstance(plan, ShiftPlan):
        return verify_shifts(community, plan)
    if isinstance(plan, WeekPlan):
        return verify_week(community, plan)
    raise TypeError(
        f"verify() takes a MealPlan, CampaignPlan, ShiftPlan or WeekPlan, not {type(plan)}"
    )


# --- the week ------------------------------------------------------------------------------


def verify_week(community: Community, plan: WeekPlan) -> list[Violation]:
    """Check each part of a week plan, and that the parts agree.

    Every carrier on a route and every escort on a booking must be on duty on a shift of
    their role that date, whenever the centre has shifts of that role on that date.
    """
    found: list[Violation] = []
    for meals in plan.meals:
        found += verify_meals(community, meals)
    if plan.campaign is not None:
        found += verify_campaign(community, plan.campaign)
    if plan.shifts is None:
        return found
    found += verify_shifts(community, plan.shifts)
    duty: dict[tuple[dt.date, str], set[str]] = defaultdict(set)
    for a in plan.shifts.assignments:
        duty[(a.date, a.role)].add(a.volunteer_id)
    has_shifts = {
        (d, s.role.value)
        for d in {m.date for m in plan.meals} | {b.date for b in _bookings(plan)}
        for s in community.shifts
        if s.applies_to(d)
    }
    working: set[tuple[dt.date, str, str]] = set()
    for meals in plan.meals:
        working |= {(meals.date, "meals", t.volunteer_id) for t in meals.trips}
    for b in _bookings(plan):
        working |= {(b.date, "escort", e) for e in b.escort_ids}
    for date, role, vid in sorted(working):
        if (date, role) in has_shifts and vid not in duty[(date, role)]:
            found.append(
                Violation(
                    rule="on_duty",
                    message=f"volunteer {vid} works as {role} on {date} but is on no {role} "
                    "shift that date; put them on the shift or take them off the "
                    + ("route" if role == "meals" else "booking"),
                )
            )
    return found


def _bookings(plan: WeekPlan) -> tuple[Booking, ...]:
    return plan.campaign.bookings if plan.campaign is not None else ()


# --- health-check campaign -------------------------------------------------------------------


def verify_campaign(community: Community, plan: CampaignPlan) -> list[Violation]:
    """Re-check a health-check campaign plan against every hard rule of the campaign.

    Checked: bookings on campaign days, on the clinic's slot grid and inside its hours;
    no slot overfilled; everyone due listed exactly once (booked, or unserved as
    ``health_check`` or ``home_check``), nobody booked who is not due, bedridden residents
    not booked; escort and wheelchair fields consistent with the resident's needs; pickup
    and home-again times allowing for the push and the handling; each escort trained,
    every job inside one of their free windows counting the walk from home or from the
    previous job, no two jobs overlapping including the walk between them, at most the
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
    """
    out: list[Violation] = []

    def bad(rule: str, message: str) -> None:
        out.append(Violation(rule=rule, message=message))

    days = _campaign_hours(community, plan.dates, bad)
    first = min(plan.dates) if plan.dates else None
    residents = community.resident_by_id
    count = Counter(b.resident_id for b in plan.bookings)
    for rid, n in sorted(count.items()):
        if n > 1:
            bad("once", f"resident {rid} is booked {n} times; keep one booking per resident")
    places = _CampaignPlaces(community, plan.bookings)
    escorted: list[tuple[Booking, Resident]] = []
    per_slot: Counter[tuple[dt.date, int]] = Counter()
    for b in plan.bookings:
        r = residents.get(b.resident_id)
        if r is None:
            bad("unknown", f"booking for {b.resident_id}, who is not on the roster")
            continue
        day = days.get(b.date)
        if day is None:
            bad(
                "campaign_day",
                f"resident {b.resident_id} is booked on {b.date}, which is not a campaign day "
                f"of this plan; move the booking to one of {', '.join(map(str, plan.dates))}",
            )
            continue
        per_slot[b.date, b.slot_start] += 1
        _check_booking_time(b, day, bad)
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
    for (date, start), n in sorted(per_slot.items()):
        day = days[date]
        if n > day.places_per_slot:
            bad(
                "slot_capacity",
                f"the {format_time(start)} slot on {date} at clinic {day.clinic_id} has {n} "
                f"checks and {day.places_per_slot} places; move {n - day.places_per_slot} "
                "to another slot",
            )
    if first is not None:
        _check_everyone_due(community, plan, first, count, bad)
    _check_escort_days(community, escorted, places, bad)
    _check_pool(community, escorted, places, bad)
    return out


class _CampaignDay(NamedTuple):
    clinic_id: str
    open: int
    close: int
    slot_minutes: int
    places_per_slot: int
    check_minutes: int


def _campaign_hours(
    community: Community,
    dates: Iterable[dt.date],
    bad: Callable[[str, str], None],
) -> dict[dt.date, _CampaignDay]:
    """The clinic and its hours on each date: campaign.csv, else the first clinic."""
    rows = {c.date: c for c in community.campaign}
    clinics = community.sites_of(SiteKind.CLINIC)
    days = {}
    for date in dates:
        row = rows.get(date)
        if row is not None:
            site = community.site_by_id[row.clinic_id]
            open_ = site.open if row.open is None else row.open
            close = site.close if row.close is None else row.close
        elif clinics:
            site, open_, close = clinics[0], clinics[0].open, clinics[0].close
        else:
            bad("clinic", "the plan has campaign dates but sites has no clinic")
            continue
        days[date] = _CampaignDay(
            site.site_id,
            open_,
            close,
            site.slot_minutes or 1,
            site.places_per_slot or 0,
            site.check_minutes or 0,
        )
    return days


def _check_booking_time(b: Booking, day: _CampaignDay, bad: Callable[[str, str], None]) -> None:
    rid = b.resident_id
    if b.clinic_id != day.clinic_id:
        bad(
            "clinic",
            f"resident {rid} is booked at {b.clinic_id} on {b.date}, but the campaign is at "
            f"{day.clinic_id} that day",
        )
    if b.slot_start < day.open or (b.slot_start - day.open) % day.slot_minutes:
        bad(
            "slot",
            f"resident {rid}'s slot on {b.date} starts at {format_time(b.slot_start)}, which is "
            f"not a slot start (every {day.slot_minutes} min from {format_time(day.open)})",
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
    day: _CampaignDay,
    places: _CampaignPlaces,
    bad: Callable[[str, str], None],
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
    bad: Callable[[str, str], None],
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
            window = next((w for w in windows if w.contains(TimeWindow(job.start, job.end))), None)
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
    bad: Callable[[str, str], None],
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
    bad: Callable[[str, str], None],
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


# --- meal routes -----------------------------------------------------------------------------


def verify_meals(community: Community, plan: MealPlan) -> list[Violation]:
    """Re-check a meal plan against every hard rule of meal delivery.

    Checks that each delivery of the date is on exactly one trip or in the unserved list
    (and nobody else is); that carriers are volunteers with the meals skill; and per trip:
    departure after meals are ready, inside one of the carrier's availability blocks of
    the date until the return, stops chained by travel and handover, each handover inside
    the resident's window and long enough, portions within capacity, food age within the
    limit, reported food and travel minutes consistent; and per carrier: trips that do not
    overlap, at most ``max_trips_per_day`` of them. Travel is recomputed with
    :func:`carecal.travel.travel_minutes`.

    Parameters
    ----------
    community
        The community the plan was made for.
    plan
        The meal plan (for example one read back from CSV files a person edited).

    Returns
    -------
    list of Violation
        Every violation found, in plan order.
    """
    out: list[Violation] = []

    def bad(rule: str, message: str) -> None:
        out.append(Violation(rule=rule, message=message))

    _check_meal_coverage(community, plan, bad)
    try:
        kitchen = community.kitchen.site_id
    except ValueError:
        bad("kitchen", "the community has no kitchen, so no trip can be checked; add one to sites")
        return out
    known = [s.resident_id for t in plan.trips for s in t.stops]
    ids = [kitchen, *dict.fromkeys(r for r in known if r in community.resident_by_id)]
    index = {pid: i for i, pid in enumerate(ids)}
    matrices: dict[str, npt.NDArray[np.int64]] = {}
    per_carrier: defaultdict[str, list[Trip]] = defaultdict(list)
    for trip in plan.trips:
        volunteer = community.volunteer_by_id.get(trip.volunteer_id)
        if volunteer is None:
            bad(
                "carrier",
                f"trip {trip.trip} names volunteer {trip.volunteer_id}, who is not in "
                "volunteers; correct the volunteer_id",
            )
            continue
        if not volunteer.has(Skill.MEALS):
            bad(
                "carrier",
                f"{trip.volunteer_id} carries meals on trip {trip.trip} but does not "
                "have the meals skill; add the skill or give the trip to a meals carrier",
            )
        per_carrier[trip.volunteer_id].append(trip)
        if volunteer.mode not in matrices:
            matrices[volunteer.mode] = travel_minutes(community, ids, volunteer.mode)
        _check_meal_trip(community, plan, trip, matrices[volunteer.mode], index, bad)
    for vid, trips in per_carrier.items():
        _check_carrier_day(community, plan, vid, trips, bad)
    return out


def _trip_name(trip: Trip) -> str:
    return f"{trip.volunteer_id} trip {trip.trip}"


def _check_meal_coverage(
    community: Community, plan: MealPlan, bad: Callable[[str, str], None]
) -> None:
    """Each delivery of the date exactly once, routed or unserved; nobody else."""
    ordered = {r.resident_id for r in community.deliveries_on(plan.date)}
    seen = Counter(s.resident_id for t in plan.trips for s in t.stops)
    seen.update(u.id for u in plan.unserved if u.kind == UnservedKind.MEAL)
    for rid, count in seen.items():
        if rid not in community.resident_by_id:
            bad(
                "unknown_resident",
                f"the plan delivers to {rid}, who is not on the roster; correct the resident_id",
            )
        elif rid not in ordered:
            bad(
                "no_order",
                f"{rid} has no meal order on {plan.date:%a} {plan.date}; remove "
                "the delivery or add the weekday to their meal_days",
            )
        if count > 1:
            bad(
                "delivery_once",
                f"{rid} appears {count} times (on trips or as unserved); keep one entry",
            )
    for rid in sorted(ordered - set(seen)):
        bad(
            "delivery_once",
            f"{rid} ordered a meal for {plan.date} but is neither on a trip "
            "nor listed as unserved; route them or list them with a reason",
        )


def _check_meal_trip(
    community: Community,
    plan: MealPlan,
    trip: Trip,
    travel: npt.NDArray[np.int64],
    index: dict[str, int],
    bad: Callable[[str, str], None],
) -> None:
    """The rules of one trip: timing chain, windows, handovers, capacity, food age."""
    policy = community.policy
    name = _trip_name(trip)
    volunteer = community.volunteer_by_id[trip.volunteer_id]
    if trip.leave < policy.meals_ready:
        bad(
            "meals_ready",
            f"{name} leaves the kitchen at {format_time(trip.leave)}, before meals "
            f"are ready at {format_time(policy.meals_ready)}",
        )
    blocks = community.availability_on(trip.volunteer_id, plan.date)
    if not any(b.start <= trip.leave and trip.back <= b.end for b in blocks):
        free = ", ".join(str(b) for b in blocks) or "not at all"
        bad(
            "availability",
            f"{name} runs {format_time(trip.leave)}–{format_time(trip.back)}, "
            f"but {trip.volunteer_id} is free on {plan.date} {free}",
        )
    capacity = community.capacity_of(volunteer)
    if trip.portions > capacity:
        bad(
            "capacity",
            f"{name} carries {trip.portions} portions; {trip.volunteer_id} takes at "
            f"most {capacity} per trip",
        )
    here, ready = 0, trip.leave
    for stop in trip.stops:
        resident = community.resident_by_id.get(stop.resident_id)
        if resident is None:
            continue
        j = index[stop.resident_id]
        minutes = int(travel[here, j])
        where = f"{stop.resident_id} on {name}"
        if stop.arrival < ready + minutes:
            came = "the kitchen" if here == 0 else "the previous stop"
            bad(
                "chain",
                f"{where} is reached at {format_time(stop.arrival)}, but it takes "
                f"{minutes} minutes from {came} (free at {format_time(ready)}), so "
                f"{format_time(ready + minutes)} at the earliest",
            )
        if stop.travel_minutes != minutes:
            bad(
                "travel_minutes",
                f"{where} reports {stop.travel_minutes} travel minutes; the "
                f"travel estimate is {minutes}",
            )
        window = community.window_of(resident)
        if not window.start <= stop.arrival <= window.end:
            bad(
                "window",
                f"{where}: handover at {format_time(stop.arrival)}, outside the window {window}",
            )
        handover = community.handover_minutes(resident)
        if stop.departure - stop.arrival < handover:
            bad(
                "handover",
                f"{where}: {stop.departure - stop.arrival} minutes at the door "
                f"({format_time(stop.arrival)}–{format_time(stop.departure)}); needs {handover}",
            )
        if stop.portions != resident.portions:
            bad(
                "portions", f"{where} gets {stop.portions} portions but ordered {resident.portions}"
            )
        age = stop.arrival - trip.leave
        if age > policy.max_food_minutes:
            bad(
                "food_age",
                f"{where}: the meal is {age} minutes old at the door (left "
                f"{format_time(trip.leave)}, handed over {format_time(stop.arrival)}); the "
                f"limit is {policy.max_food_minutes}",
            )
        if stop.food_minutes != age:
            bad(
                "food_minutes",
                f"{where} reports food age {stop.food_minutes} minutes; it is "
                f"{age} ({format_time(trip.leave)} to {format_time(stop.arrival)})",
            )
        here, ready = j, max(stop.departure, stop.arrival)
    minutes = int(travel[here, 0])
    if trip.back < ready + minutes:
        bad(
            "chain",
            f"{name} is back at the kitchen at {format_time(trip.back)}, but the way "
            f"back takes {minutes} minutes from {format_time(ready)}, so "
            f"{format_time(ready + minutes)} at the earliest",
        )


def _check_carrier_day(
    community: Community,
    plan: MealPlan,
    vid: str,
    trips: list[Trip],
    bad: Callable[[str, str], None],
) -> None:
    """A carrier's trips: no overlap, distinct numbers, at most the policy's count."""
    most = community.policy.max_trips_per_day
    if len(trips) > most:
        bad("max_trips", f"{vid} makes {len(trips)} trips on {plan.date}; at most {most} allowed")
    numbers = Counter(t.trip for t in trips)
    for number, count in sorted(numbers.items()):
        if count > 1:
            bad("trip_number", f"{vid} has {count} trips numbered {number}; number them 1, 2, …")
    ordered = sorted(trips, key=lambda t: (t.leave, t.back))
    for a, b in itertools.pairwise(ordered):
        if b.leave < a.back:
            bad(
                "trip_overlap",
                f"{_trip_name(b)} leaves at {format_time(b.leave)}, before "
                f"{_trip_name(a)} is back at {format_time(a.back)}",
            )


# --- shifts --------------------------------------------------------------------------------


class _ShiftDay(NamedTuple):
    """One shift as it runs on one date, written out again from the shift rows."""

    role: str
    start: int
    end: int
    low: int | None
    high: int | None


def _shifts_on(
    community: Community,
    date: dt.date,
    demand: dict[tuple[dt.date, str], tuple[int, int | None]],
) -> dict[str, _ShiftDay]:
    """The shifts of a date: dated rows, and weekly rows whose id has no dated row."""
    out: dict[str, _ShiftDay] = {}
    weekday = date.strftime("%a")
    for t in community.shifts:
        if t.day is not None and t.day == weekday:
            out[t.shift_id] = _ShiftDay(
                t.role.value, t.start, t.end, t.min_volunteers, t.max_volunteers
            )
    for t in community.shifts:
        if t.date == date:
            out[t.shift_id] = _ShiftDay(
                t.role.value, t.start, t.end, t.min_volunteers, t.max_volunteers
            )
    for (d, sid), (low, high) in demand.items():
        if d == date and sid in out:
            out[sid] = out[sid]._replace(low=low, high=high if high is not None else out[sid].high)
    return out


def verify_shifts(community: Community, plan: ShiftPlan) -> list[Violation]:
    """Re-check a shift plan: every hard rule, and every cover count.

    Hard rules: the shift runs that date with those hours; the role's skill; availability
    covering the whole shift; no two overlapping shifts; rest between shifts on different
    days; forbidden successions; shifts and hours per ISO week; consecutive working days;
    each volunteer's period pledges (minutes, runs of days and days off, weekends, shifts
    per shift id). A run that touches the first or last day of the period is not held to
    a minimum length. Cover: a shift below its minimum must have one ``unserved`` row
    (kind ``shift``, its id and date) per open place. A plan without a timetable
    (status infeasible or time limit) is not checked for cover.
    """
    found: list[Violation] = []

    def bad(rule: str, message: str) -> None:
        found.append(Violation(rule=rule, message=message))

    days = (plan.end - plan.start).days + 1
    dates = [plan.start + dt.timedelta(days=i) for i in range(max(0, days))]
    shifts = {d: _shifts_on(community, d, plan.demand) for d in dates}
    people = community.volunteer_by_id
    seen: set[tuple[str, dt.date, str]] = set()
    mine: dict[str, list[tuple[dt.date, int, int, str]]] = defaultdict(list)
    count: Counter[tuple[dt.date, str]] = Counter()
    for a in plan.assignments:
        what = f"volunteer {a.volunteer_id} on shift {a.shift_id} on {a.date}"
        if a.date not in shifts:
            bad("period", f"{what}: the date is outside the plan {plan.start} to {plan.end}")
            continue
        shift = shifts[a.date].get(a.shift_id)
        if shift is None:
            bad("shift", f"{what}: shift {a.shift_id} does not run on {a.date}")
            continue
        if (shift.start, shift.end, shift.role) != (a.start, a.end, a.role):
            bad(
                "shift",
                f"{what}: the plan says {a.role} {format_time(a.start)}–{format_time(a.end)}, "
                f"the shift is {shift.role} {format_time(shift.start)}–{format_time(shift.end)}",
            )
        key = (a.volunteer_id, a.date, a.shift_id)
        if key in seen:
            bad("duplicate", f"{what} appears twice")
            continue
        seen.add(key)
        count[(a.date, a.shift_id)] += 1
        person = people.get(a.volunteer_id)
        if person is None:
            bad("volunteer", f"{what}: there is no volunteer {a.volunteer_id}")
            continue
        if Skill(shift.role) not in person.skills:
            bad("skill", f"{what}: the shift needs the {shift.role} skill, which they lack")
        free = community.availability_on(a.volunteer_id, a.date)
        if not any(w.start <= shift.start and shift.end <= w.end for w in free):
            hours = ", ".join(str(w) for w in free) or "none"
            bad(
                "availability",
                f"{what}: {format_time(shift.start)}–{format_time(shift.end)} is not inside "
                f"their pledged hours that day ({hours})",
            )
        mine[a.volunteer_id].append((a.date, shift.start, shift.end, a.shift_id))
    if dates and plan.status.has_plan:
        for vid in sorted(people):
            _check_volunteer_shifts(community, vid, sorted(mine.get(vid, [])), dates, bad)
    elif dates:
        for vid in sorted(mine):
            _check_volunteer_shifts(community, vid, sorted(mine.get(vid, [])), dates, bad)
    if not plan.status.has_plan:
        return found
    listed: Counter[tuple[dt.date | None, str]] = Counter(
        (u.date, u.id) for u in plan.unserved if u.kind == UnservedKind.SHIFT
    )
    for d in dates:
        for sid, shift in sorted(shifts[d].items()):
            if shift.low is None:
                bad(
                    "demand",
                    f"shift {sid} on {d} has min_volunteers auto and the plan records no "
                    "demand for it; plan it with demand={(date, shift_id): n}",
                )
                continue
            short = max(0, shift.low - count[(d, sid)])
            if listed[(d, sid)] != short:
                bad(
                    "cover",
                    f"shift {sid} on {d} has {count[(d, sid)]} of the {shift.low} volunteers "
                    f"wanted, so {short} open place(s), but unserved lists {listed[(d, sid)]}",
                )
    return found


def _check_volunteer_shifts(
    community: Community,
    vid: str,
    items: list[tuple[dt.date, int, int, str]],
    dates: list[dt.date],
    bad: Callable[[str, str], None],
) -> None:
    """One volunteer's shifts (sorted by date and start) against their limits."""
    policy = community.policy
    person = community.volunteer_by_id[vid]
    day0 = dates[0]
    # Every pair of shifts: overlap on one date, rest and successions across dates.
    for (d1, s1, e1, id1), (d2, s2, e2, id2) in itertools.combinations(items, 2):
        if d1 == d2:
            if s1 < e2 and s2 < e1:
                bad("overlap", f"volunteer {vid} is on {id1} and {id2} at once on {d1}")
            continue
        gap = (d2 - d1).days * 24 * 60 + s2 - e1
        if gap < policy.min_rest_hours * 60:
            bad(
                "rest",
                f"volunteer {vid} has {gap / 60:g} h between {id1} on {d1} (until "
                f"{format_time(e1)}) and {id2} on {d2}; the policy asks for "
                f"{policy.min_rest_hours:g} h",
            )
        if (d2 - d1).days == 1 and (id1, id2) in set(policy.forbidden_successions):
            bad("succession", f"volunteer {vid} has {id2} on {d2} right after {id1} on {d1}")
    weeks: dict[tuple[int, int], list[tuple[dt.date, int, int, str]]] = defaultdict(list)
    for item in items:
        iso = item[0].isocalendar()
        weeks[(iso[0], iso[1])].append(item)
    most = community.max_shifts_of(person)
    for (year, week), shifts in sorted(weeks.items()):
        if len(shifts) > most:
            bad(
                "shifts_per_week",
                f"volunteer {vid} has {len(shifts)} shifts in week {week} of {year}; they "
                f"pledged at most {most}",
            )
        hours = sum(e - s for _, s, e, _ in shifts) / 60
        if person.max_hours_per_week is not None and hours > person.max_hours_per_week + 1e-9:
            bad(
                "hours_per_week",
                f"volunteer {vid} has {hours:g} h in week {week} of {year}; they pledged at "
                f"most {person.max_hours_per_week:g} h",
            )
    minutes = sum(e - s for _, s, e, _ in items)
    if person.min_minutes_per_period is not None and minutes < person.min_minutes_per_period:
        bad(
            "minutes",
            f"volunteer {vid} has {minutes} minutes of shifts; they pledged at least "
            f"{person.min_minutes_per_period}",
        )
    if person.max_minutes_per_period is not None and minutes > person.max_minutes_per_period:
        bad(
            "minutes",
            f"volunteer {vid} has {minutes} minutes of shifts; they pledged at most "
            f"{person.max_minutes_per_period}",
        )
    for sid, limit in sorted(person.max_shifts_by_id.items()):
        got = sum(1 for *_, i in items if i == sid)
        if got > limit:
            bad("shift_limit", f"volunteer {vid} has {got} shifts {sid}; at most {limit}")
    working = {d for d, *_ in items}
    on = [d in working for d in dates]
    runs: list[list[int]] = []  # [working (0/1), first index, length]
    for i, flag in enumerate(on):
        if runs and runs[-1][0] == int(flag):
            runs[-1][2] += 1
        else:
            runs.append([int(flag), i, 1])
    longest = person.max_consecutive_days or policy.max_consecutive_days
    shortest = person.min_consecutive_days or 1
    rest_days = person.min_days_off_in_a_row or 1
    for kind, first, length in runs:
        start = day0 + dt.timedelta(days=first)
        inside = first > 0 and first + length < len(dates)
        if kind and length > longest:
            bad(
                "consecutive_days",
                f"volunteer {vid} works {length} days in a row from {start}; at most {longest}",
            )
        if kind and inside and length < shortest:
            bad(
                "min_consecutive_days",
                f"volunteer {vid} works only {length} day(s) in a row from {start}; at least "
                f"{shortest}",
            )
        if not kind and inside and length < rest_days:
            bad(
                "days_off",
                f"volunteer {vid} has only {length} day(s) off in a row from {start}; at least "
                f"{rest_days}",
            )
    if person.max_weekends is not None:
        weekends = {d.isocalendar()[:2] for d in working if d.weekday() >= 5}
        if len(weekends) > person.max_weekends:
            bad(
                "weekends",
                f"volunteer {vid} works {len(weekends)} weekends; they pledged at most "
                f"{person.max_weekends}",
            )
