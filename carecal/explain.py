"""Why something could not be served, and what would fix it, in the coordinator's words.

Every function returns a :class:`Why`: a stable ``code`` (listed in :data:`CODES`) and a
``reason`` and ``fix`` in plain sentences (without a final full stop, so they read well in
``unserved.csv`` and in ``summary()``), naming the resident and the numbers, times as HH:MM.

Meal deliveries (``meal_*``): :func:`meal_obstacle` decides whether one delivery could be
made at all by any carrier of the day, each carrier on a trip of its own, and if not, says
why; :mod:`carecal.solver.meals` uses it to keep such deliveries away from the solver.
:func:`meal_carriers_busy` explains a delivery that could be made on its own but did not
fit in the day's routes.

Health checks (``campaign_*``): the home check of a bedridden resident, a clinic with
fewer places than residents due, and an escorted resident for whom no escort, pool chair
or reachable slot was free; :mod:`carecal.solver.campaign` gathers the facts.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from carecal.clock import TimeWindow, format_time
from carecal.policy import MODES, Policy


class Why(NamedTuple):
    """Why something was not served: a stable code, the reason and the fix, in words.

    ``code`` is one of :data:`CODES` (the docs list them with their meaning); it lets
    reasons be counted, grouped and translated. ``reason`` and ``fix`` are sentences
    without a final full stop.
    """

    code: str
    reason: str
    fix: str


CODES: dict[str, str] = {
    "no_carrier": "no meals carrier pledged time that day",
    "portions": "the order is more portions than any carrier takes on one trip",
    "food_age": "the door is too far from the kitchen for the hot-meal limit",
    "window": "the delivery window closes before a meal can arrive",
    "carrier_hours": "no carrier is free long enough around the delivery window",
    "carriers_busy": "every carrier was full or busy in the delivery window",
    "home_check": "bedridden: the check is done at home",
    "clinic_full": "the clinic has fewer places than residents due",
    "no_escort": "no volunteer trained as an escort pledged time on the campaign days",
    "no_pool_wheelchair": "needs a pool wheelchair and the centre lends none",
    "escort_time": "no escort pledged a long enough stretch of time",
    "slots_full": "every slot an escort could reach was taken",
    "escorts_busy": "every escort was busy with other residents",
    "pool_busy": "every pool wheelchair was in use",
    "escort_off_duty": "the escorts free for the job are not on duty on the escort shift then",
    "short_staffed": "a shift place stays open: nobody free and skilled could take it",
    "pledges_contradict": "a volunteer's pledges contradict their limits",
    "no_timetable": "no timetable was found for a volunteer in the time given",
    "away": "the resident is away (changes.csv) on every campaign day",
}
"""Every reason code of ``unserved.csv`` and what it means."""


# --- meals ---------------------------------------------------------------------------------

_MODE_WORDS: dict[str, str] = {"walk": "walking", "bike": "bike", "ebike": "e-bike", "car": "car"}


def _a_carrier(mode: str) -> str:
    word = _MODE_WORDS[mode]
    return f"{'an' if word[0] in 'aeiou' else 'a'} {word} carrier"


@dataclass(frozen=True)
class MealCarrier:
    """A carrier of the day as the meal planner sees them.

    Attributes
    ----------
    volunteer_id
        The volunteer.
    mode
        Travel mode (``walk``, ``bike``, ``ebike``, ``car``).
    capacity
        Portions per trip.
    leave_from
        Earliest departure from the kitchen (meals ready, and the carrier's hours begun).
    back_by
        Latest return to the kitchen (the end of the carrier's hours).
    """

    volunteer_id: str
    mode: str
    capacity: int
    leave_from: int
    back_by: int


@dataclass(frozen=True)
class MealDelivery:
    """One delivery as the explanations need it.

    Attributes
    ----------
    resident_id
        The resident.
    portions
        Portions ordered.
    window
        When the handover may start.
    handover
        Minutes at the door.
    out_minutes, back_minutes
        Travel from the kitchen to the door and back, per mode (every mode of
        :data:`carecal.policy.MODES`, so that fixes can suggest a faster one).
    """

    resident_id: str
    portions: int
    window: TimeWindow
    handover: int
    out_minutes: Mapping[str, int]
    back_minutes: Mapping[str, int]


def meal_single_trip_ok(delivery: MealDelivery, carrier: MealCarrier, policy: Policy) -> bool:
    """Whether ``carrier`` could make this delivery on a trip of its own.

    The carrier leaves as late as helps (no waiting at the door) but not before
    ``leave_from``; the trip must meet the window, the hot-meal limit, the capacity and be
    back by ``back_by``.
    """
    out = delivery.out_minutes[carrier.mode]
    leave = max(carrier.leave_from, delivery.window.start - out)
    arrival = leave + out
    return (
        delivery.portions <= carrier.capacity
        and arrival <= delivery.window.end
        and out <= policy.max_food_minutes
        and arrival + delivery.handover + delivery.back_minutes[carrier.mode] <= carrier.back_by
    )


def meal_obstacle(
    delivery: MealDelivery,
    carriers: Sequence[MealCarrier],
    policy: Policy,
    day: str,
) -> Why | None:
    """Why no carrier of the day could make this delivery, or ``None`` if one could.

    Checked in this order: no carrier at all; portions above every capacity; the hot-meal
    limit; the window out of reach from the kitchen once meals are ready; the carriers'
    hours.

    Parameters
    ----------
    delivery
        The delivery.
    carriers
        The day's carriers.
    policy
        Gives ``meals_ready`` and ``max_food_minutes``.
    day
        The weekday (``"Mon"``), for the fixes.

    Returns
    -------
    tuple of str or None
        ``(reason, fix)``, or ``None`` when some carrier could make the delivery alone.
    """
    if any(meal_single_trip_ok(delivery, c, policy) for c in carriers):
        return None
    if not carriers:
        return meal_no_carrier(delivery, policy, day)
    fitting = [c for c in carriers if c.capacity >= delivery.portions]
    if not fitting:
        return meal_portions_exceed(delivery, max(c.capacity for c in carriers))
    fastest = min(fitting, key=lambda c: (delivery.out_minutes[c.mode], c.volunteer_id))
    nearest = delivery.out_minutes[fastest.mode]
    if nearest > policy.max_food_minutes:
        return meal_food_age_unreachable(delivery, fastest.mode, policy)
    if policy.meals_ready + nearest > delivery.window.end:
        return meal_window_unreachable(delivery, fastest.mode, policy)
    return meal_hours_do_not_cover(delivery, fitting, day)


def _faster_modes(delivery: MealDelivery, than: int, ok: int) -> list[str]:
    """Modes that reach the door in fewer than ``than`` and at most ``ok`` minutes."""
    return [
        m
        for m in MODES
        if m in delivery.out_minutes
        and delivery.out_minutes[m] < than
        and delivery.out_minutes[m] <= ok
    ]


def meal_no_carrier(delivery: MealDelivery, policy: Policy, day: str) -> Why:
    """No meals carrier is available on the day."""
    return Why(
        "no_carrier",
        f"no meals carrier is available on {day}, so nobody can bring "
        f"{delivery.resident_id}'s meal",
        f"ask a volunteer with the meals skill to pledge {day} "
        f"{format_time(policy.meals_ready)}–{format_time(delivery.window.end)}",
    )


def meal_portions_exceed(delivery: MealDelivery, largest: int) -> Why:
    """The order is more portions than any carrier of the day carries on one trip."""
    return Why(
        "portions",
        f"{delivery.resident_id}'s order of {delivery.portions} portions is more than any "
        f"carrier of the day can take on one trip (at most {largest})",
        f"add a carrier who can carry {delivery.portions} portions (a car or an e-bike), "
        "or split the order",
    )


def meal_food_age_unreachable(delivery: MealDelivery, fastest_mode: str, policy: Policy) -> Why:
    """The door is further from the kitchen than the hot-meal limit, even for the fastest."""
    nearest = delivery.out_minutes[fastest_mode]
    limit = policy.max_food_minutes
    faster = _faster_modes(delivery, nearest, limit)
    # Suggest the lightest mode that would do (walk, bike, e-bike, car in that order).
    options = [f"add {_a_carrier(m)} ({delivery.out_minutes[m]} minutes)" for m in faster[:1]]
    options.append(f"raise max_food_minutes to {nearest}")
    return Why(
        "food_age",
        f"{delivery.resident_id}'s door is {nearest} minutes from the kitchen even for the "
        f"fastest carrier ({_MODE_WORDS[fastest_mode]}), more than the {limit}-minute "
        "hot-meal limit",
        " or ".join(options),
    )


def meal_window_unreachable(delivery: MealDelivery, fastest_mode: str, policy: Policy) -> Why:
    """The window closes before the meal can reach the door from the kitchen."""
    nearest = delivery.out_minutes[fastest_mode]
    earliest = policy.meals_ready + nearest
    slack = delivery.window.end - policy.meals_ready
    faster = _faster_modes(delivery, nearest, min(slack, policy.max_food_minutes))
    fix = f"widen the window to at least {format_time(earliest)}"
    if faster:
        fix += f" or add {_a_carrier(faster[0])}"
    return Why(
        "window",
        f"{delivery.resident_id}'s window {delivery.window} cannot be met: meals are ready at "
        f"{format_time(policy.meals_ready)} and the nearest carrier "
        f"({_MODE_WORDS[fastest_mode]}) needs {nearest} minutes from the kitchen",
        fix,
    )


def meal_hours_do_not_cover(
    delivery: MealDelivery, carriers: Sequence[MealCarrier], day: str
) -> Why:
    """Carriers exist, but none is free long enough around this resident's window."""
    hours = sorted({(c.leave_from, c.back_by) for c in carriers})
    shown = ", ".join(f"{format_time(a)}–{format_time(b)}" for a, b in hours[:3])
    more = f" and {len(hours) - 3} more" if len(hours) > 3 else ""

    def needed(c: MealCarrier) -> int:
        out = delivery.out_minutes[c.mode]
        arrival = max(c.leave_from + out, delivery.window.start)
        return arrival + delivery.handover + delivery.back_minutes[c.mode]

    until = min(needed(c) for c in carriers)
    return Why(
        "carrier_hours",
        f"no carrier's hours on {day} cover {delivery.resident_id}'s window "
        f"{delivery.window}: carriers are free {shown}{more}",
        f"ask a meals carrier to stay until at least {format_time(until)} on {day}, "
        "or move the window",
    )


def meal_carriers_busy(
    delivery: MealDelivery,
    day: str,
    ordered_portions: int,
    carried_per_round: int,
    carriers: int,
) -> Why:
    """The delivery could be made alone, but the day's carriers were full or busy.

    Parameters
    ----------
    delivery
        The delivery left out.
    day
        The weekday.
    ordered_portions
        Portions ordered that day in all.
    carried_per_round
        Portions all carriers together take on one trip each.
    carriers
        How many carriers were available.
    """
    return Why(
        "carriers_busy",
        f"all carriers were full or busy during {delivery.resident_id}'s window "
        f"{delivery.window}: {ordered_portions} portions were ordered for {day} and the "
        f"{carriers} available carriers take {carried_per_round} per round",
        f"add a carrier on {day} or widen the delivery windows",
    )


# --- shifts --------------------------------------------------------------------------------


def shift_short(
    shift_id: str,
    date: str,
    hours: str,
    role: str,
    wanted: int,
    filled: int,
    could_pledge: Sequence[str],
    blocked: Sequence[str],
    qualified: int,
) -> Why:
    """A shift left with fewer volunteers than its minimum, and who could fill it.

    Parameters
    ----------
    shift_id, date, hours, role
        The shift (``hours`` as ``HH:MM–HH:MM``).
    wanted, filled
        Its minimum, and how many volunteers the plan puts on it.
    could_pledge
        Volunteers free then and qualified who are at a pledged limit (shifts or hours per
        week or period): they could fill it if they pledged one more shift.
    blocked
        Volunteers free then and qualified but kept off by rest, runs of days or another
        shift at the same time.
    qualified
        How many volunteers have the role's skill at all.
    """
    reason = (
        f"shift {shift_id} on {date} ({hours}, {role}) needs {wanted} "
        f"volunteer{'' if wanted == 1 else 's'} and the plan has {filled}"
    )
    if could_pledge:
        names = ", ".join(could_pledge[:5]) + (" and others" if len(could_pledge) > 5 else "")
        return Why(
            "short_staffed",
            reason + "; everyone free then is already at their pledged limit",
            f"{names} could fill it if they pledged one more shift that week",
        )
    if blocked:
        names = ", ".join(blocked[:5]) + (" and others" if len(blocked) > 5 else "")
        return Why(
            "short_staffed",
            reason + f"; {names} are free then but on another shift, too short a rest or too "
            "many days in a row",
            f"recruit another {role} volunteer for {hours} on {date} or move the shift",
        )
    if qualified == 0:
        return Why(
            "short_staffed",
            reason + f"; no volunteer has the {role} skill",
            f"train or recruit volunteers with the {role} skill",
        )
    return Why(
        "short_staffed",
        reason + f"; none of the {qualified} volunteers with the {role} skill has pledged {hours} "
        f"on {date}",
        f"ask a {role} volunteer to pledge {hours} on {date}, or move the shift to hours "
        "they have pledged",
    )


def shift_pledges_contradict(volunteer_id: str, detail: str) -> Why:
    """A volunteer's own pledges admit no timetable at all (so no plan can be made)."""
    return Why(
        "pledges_contradict",
        f"volunteer {volunteer_id}'s own rules admit no timetable: {detail}",
        f"correct {volunteer_id}'s pledges (minimum minutes, availability, limits) in "
        "volunteers.csv and availability.csv",
    )


def shift_no_timetable_in_time(volunteer_id: str) -> Why:
    """No timetable that keeps a volunteer's own rules was found in the time given."""
    return Why(
        "no_timetable",
        f"no timetable that keeps volunteer {volunteer_id}'s own rules (minimum minutes, runs "
        "of days, weekends) was found in the time given, so no plan was made",
        f"plan again with a longer time limit, or loosen {volunteer_id}'s minimum minutes",
    )


# --- health checks -------------------------------------------------------------------------


def _campaign_day_name(date: dt.date) -> str:
    return f"{date:%A} {date.isoformat()}"


def _campaign_and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def campaign_home_check() -> Why:
    """Reason and fix for a bedridden resident who is due: a home check, not a booking."""
    return Why(
        "home_check", "bedridden: the check is done at home", "arrange a home visit by the clinic"
    )


def campaign_clinic_full(
    days: int, due: int, places: int, slots: int, places_per_day: float
) -> Why:
    """Reason and fix when the clinic has fewer places than residents due.

    Parameters
    ----------
    days, slots
        Campaign days, and slots over all of them.
    due, places
        Residents due for a check at the clinic, and places over all days.
    places_per_day
        Average places per day (to say how many days to add).
    """
    short = max(1, due - places)
    more_days = math.ceil(short / places_per_day) if places_per_day > 0 else 1
    per_slot = math.ceil(short / slots) if slots > 0 else short
    when = "on its only day" if days == 1 else f"on all {days} days"
    reason = f"the clinic is full {when}: {due} due, {places} places"
    fix = (
        f"add {more_days} day{'s' if more_days > 1 else ''} or {per_slot} "
        f"place{'s' if per_slot > 1 else ''} per slot"
    )
    return Why("clinic_full", reason, fix)


def campaign_no_escort_skill(resident_id: str, need: str) -> Why:
    """Reason and fix when nobody has the escort skill."""
    return Why(
        "no_escort",
        f"{resident_id} needs an escort ({need}) and no volunteer has the escort skill",
        "add escort to the skills of trained volunteers in volunteers.csv",
    )


def campaign_no_pool(resident_id: str, need: str) -> Why:
    """Reason and fix when a resident needs a pool chair and the centre lends none."""
    return Why(
        "no_pool_wheelchair",
        f"{resident_id} needs a pool wheelchair ({need}) and the centre lends none "
        "(no kitchen or centre in sites.csv has wheelchairs)",
        "enter the centre's wheelchairs in the wheelchairs column of sites.csv, or set "
        "owns_wheelchair in residents.csv if the resident has one",
    )


def campaign_no_escort_time(
    resident_id: str, need: str, job_minutes: int, dates: Sequence[dt.date], pledged: bool
) -> Why:
    """Reason and fix when no escort's free time can hold the resident's job on any day."""
    days = _campaign_and([_campaign_day_name(d) for d in dates])
    if not pledged:
        return Why(
            "escort_time",
            f"no trained escort has pledged any time on the campaign days ({days}) for "
            f"{resident_id} ({need})",
            "ask trained escorts to pledge a morning on a campaign day in availability.csv",
        )
    return Why(
        "escort_time",
        f"no trained escort is free long enough on any campaign day for {resident_id} "
        f"({need}): the job takes {job_minutes} min from the start of the escort's walk to "
        "being free again, around a check in the clinic's hours",
        f"ask a trained escort to pledge at least {job_minutes} min around the clinic's hours "
        "on a campaign day in availability.csv",
    )


def campaign_escort_off_duty(
    resident_id: str,
    date: dt.date,
    job: TimeWindow,
    escorts: Sequence[str],
    on_duty: Sequence[str],
) -> Why:
    """Reason and fix when a resident could be booked with every escort's pledged hours,
    but not with the escorts the shift plan puts on duty (the week plan).

    ``job`` is the job a booking with all pledged escorts had on ``date``, by ``escorts``;
    ``on_duty`` are the escorts on an escort shift that date.
    """
    who = _campaign_and(list(escorts)) or "an escort"
    duty = (
        f"only {_campaign_and(list(on_duty))} {'is' if len(on_duty) == 1 else 'are'} on duty"
        if on_duty
        else "nobody is on duty"
    )
    return Why(
        "escort_off_duty",
        f"{resident_id} could go with {who} on {date:%A} {job}, in the hours they pledged, "
        f"but the shift plan does not have them on an escort shift then; {duty} that day "
        "and could not take the job",
        f"put {who} on the escort shift of {date} for {job} (the shift's hours must overlap "
        "the hours they pledged), or move the escort shift to the hours escorts pledged",
    )


def campaign_reachable_slots_full(resident_id: str, need: str, dates: Sequence[dt.date]) -> Why:
    """Reason and fix when every slot an escort could reach for the resident is full."""
    return Why(
        "slots_full",
        f"the clinic's slots that a free escort could reach for {resident_id} ({need}) are "
        f"full on {_campaign_and([_campaign_day_name(d) for d in dates])}",
        "add places per slot, or ask escorts to pledge other hours of the clinic's day",
    )


def _campaign_when(busy: Sequence[tuple[dt.date, str, Sequence[TimeWindow]]]) -> str:
    parts = {part for _, part, _ in busy}
    if len(busy) > 1 and len(parts) == 1:
        return _campaign_and([f"{d:%A}" for d, _, _ in busy]) + f" {parts.pop()}s"
    return _campaign_and([f"{d:%A} {part}" for d, part, _ in busy])


def _campaign_pool_periods(busy: Sequence[tuple[dt.date, str, Sequence[TimeWindow]]]) -> str:
    return "; ".join(
        f"{d:%a} {_campaign_and([str(w) for w in periods])}" for d, _, periods in busy if periods
    )


def campaign_escorts_busy(
    resident_id: str, need: str, busy: Sequence[tuple[dt.date, str, Sequence[TimeWindow]]]
) -> Why:
    """Reason and fix when the escorts who could take the job are all taken.

    ``busy`` lists, per day the job could fit, the date, the part of the day and the
    periods when every pool chair is out (empty when the pool is not the problem).
    """
    pool = _campaign_pool_periods(busy)
    detail = need + (f", pool in use {pool}" if pool else "")
    first_date, first_part, _ = busy[0]
    fix = f"add a trained escort free on {first_date:%A} {first_part}"
    if pool:
        fix += ", or a pool wheelchair"
    fix += ", or another campaign day"
    return Why(
        "escorts_busy",
        f"no trained escort is free on {_campaign_when(busy)} for {resident_id} ({detail})",
        fix,
    )


def campaign_pool_busy(
    resident_id: str,
    need: str,
    busy: Sequence[tuple[dt.date, str, Sequence[TimeWindow]]],
    chairs: int,
) -> Why:
    """Reason and fix when an escort could go but no pool chair is free long enough.

    ``busy`` as for :func:`campaign_escorts_busy`; ``chairs`` is the size of the pool.
    """
    out = "the only chair out" if chairs == 1 else f"all {chairs} out"
    return Why(
        "pool_busy",
        f"no pool wheelchair is free long enough on {_campaign_when(busy)} for "
        f"{resident_id} ({need}; {out} {_campaign_pool_periods(busy)})",
        "add a pool wheelchair (or borrow one for the campaign), or another campaign day",
    )


def campaign_away(resident_id: str, dates: Sequence[dt.date]) -> Why:
    """Reason and fix when a due resident is away on every day of the campaign."""
    days = _campaign_and([_campaign_day_name(d) for d in dates])
    return Why(
        "away",
        f"{resident_id} is away (resident_away in changes.csv) on every campaign day: {days}",
        "book them on a later campaign day after they are back, or shorten the absence in "
        "changes.csv if they return earlier",
    )
