"""Why something could not be served, and what would fix it, in the coordinator's words.

Every function returns a :class:`Why`: a stable ``code`` (listed in :data:`CODES`) and a
``reason`` and ``fix`` in plain sentences (without a final full stop, so they read well in
``unserved.csv`` and in ``summary()``), naming the resident and the numbers, times as HH:MM.
The sentences are in the plan's language: each function takes ``lang`` (``en`` or ``zh``;
those given the policy use ``policy.lang``), and the words come from the message catalogs
(:mod:`carecal.i18n`), with named placeholders so that a translation can reorder them.

Meal deliveries (``meal_*``): :func:`meal_obstacle` decides whether one delivery could be
made at all by any carrier of the day, each carrier on a trip of its own, and if not, says
why; :mod:`carecal.solver.meals` uses it to keep such deliveries away from the solver.
:func:`meal_carriers_busy` explains a delivery that could be made on its own but did not
fit in the day's routes.

Health checks (``campaign_*``): the home check of a bedridden resident, a clinic with
fewer places than residents due, and an escorted resident for whom no escort, pool chair
or reachable slot was free; :mod:`carecal.solver.campaign` gathers the facts.

This module is long (about 910 lines) on purpose: every reason and fix carecal writes is
here, one function per reason code, so the codes (:data:`CODES`), the sentences and their
translations (gettext) are reviewed in one place.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from carecal.clock import TimeWindow, format_time
from carecal.i18n import N_, translator
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

# The carrier of each mode, as a fix names them (whole phrases, so each language words
# them its own way).
_A_CARRIER: dict[str, str] = {
    "walk": N_("a walking carrier"),
    "bike": N_("a bike carrier"),
    "ebike": N_("an e-bike carrier"),
    "car": N_("a car carrier"),
}
_MODE_WORDS: dict[str, str] = {
    "walk": N_("walking"),
    "bike": N_("bike"),
    "ebike": N_("e-bike"),
    "car": N_("car"),
}
# Words the planners pass in (weekday abbreviations, roles, parts of the day), translated
# here so that a reason reads in one language.
_WORDS: tuple[str, ...] = (
    N_("Mon"),
    N_("Tue"),
    N_("Wed"),
    N_("Thu"),
    N_("Fri"),
    N_("Sat"),
    N_("Sun"),
    N_("meals"),
    N_("escort"),
    N_("centre"),
    N_("morning"),
    N_("afternoon"),
    N_("evening"),
)


def _a_carrier(mode: str, lang: str) -> str:
    return translator(lang).gettext(_A_CARRIER[mode])


def _word(word: str, lang: str) -> str:
    """A word a planner passes in (``Mon``, ``escort``, ``morning``) in ``lang``."""
    return translator(lang).gettext(word) if word in _WORDS else word


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
        return meal_portions_exceed(delivery, max(c.capacity for c in carriers), policy.lang)
    fastest = min(fitting, key=lambda c: (delivery.out_minutes[c.mode], c.volunteer_id))
    nearest = delivery.out_minutes[fastest.mode]
    if nearest > policy.max_food_minutes:
        return meal_food_age_unreachable(delivery, fastest.mode, policy)
    if policy.meals_ready + nearest > delivery.window.end:
        return meal_window_unreachable(delivery, fastest.mode, policy)
    return meal_hours_do_not_cover(delivery, fitting, day, policy.lang)


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
    _ = translator(policy.lang).gettext
    values = {
        "day": _word(day, policy.lang),
        "resident": delivery.resident_id,
        "ready": format_time(policy.meals_ready),
        "end": format_time(delivery.window.end),
    }
    return Why(
        "no_carrier",
        _("no meals carrier is available on {day}, so nobody can bring {resident}'s meal").format(
            **values
        ),
        _("ask a volunteer with the meals skill to pledge {day} {ready}–{end}").format(**values),
    )


def meal_portions_exceed(delivery: MealDelivery, largest: int, lang: str = "en") -> Why:
    """The order is more portions than any carrier of the day carries on one trip."""
    _ = translator(lang).gettext
    values = {"resident": delivery.resident_id, "portions": delivery.portions, "largest": largest}
    return Why(
        "portions",
        _(
            "{resident}'s order of {portions} portions is more than any carrier of the day "
            "can take on one trip (at most {largest})"
        ).format(**values),
        _(
            "add a carrier who can carry {portions} portions (a car or an e-bike), "
            "or split the order"
        ).format(**values),
    )


def meal_food_age_unreachable(delivery: MealDelivery, fastest_mode: str, policy: Policy) -> Why:
    """The door is further from the kitchen than the hot-meal limit, even for the fastest."""
    _ = translator(policy.lang).gettext
    nearest = delivery.out_minutes[fastest_mode]
    limit = policy.max_food_minutes
    faster = _faster_modes(delivery, nearest, limit)
    # Suggest the lightest mode that would do (walk, bike, e-bike, car in that order).
    options = [
        _("add {carrier} ({minutes} minutes)").format(
            carrier=_a_carrier(m, policy.lang), minutes=delivery.out_minutes[m]
        )
        for m in faster[:1]
    ]
    options.append(_("raise max_food_minutes to {minutes}").format(minutes=nearest))
    return Why(
        "food_age",
        _(
            "{resident}'s door is {minutes} minutes from the kitchen even for the fastest "
            "carrier ({mode}), more than the {limit}-minute hot-meal limit"
        ).format(
            resident=delivery.resident_id,
            minutes=nearest,
            mode=_(_MODE_WORDS[fastest_mode]),
            limit=limit,
        ),
        _(" or ").join(options),
    )


def meal_window_unreachable(delivery: MealDelivery, fastest_mode: str, policy: Policy) -> Why:
    """The window closes before the meal can reach the door from the kitchen."""
    _ = translator(policy.lang).gettext
    nearest = delivery.out_minutes[fastest_mode]
    earliest = policy.meals_ready + nearest
    slack = delivery.window.end - policy.meals_ready
    faster = _faster_modes(delivery, nearest, min(slack, policy.max_food_minutes))
    fix = _("widen the window to at least {time}").format(time=format_time(earliest))
    if faster:
        fix = _("{fix} or add {carrier}").format(
            fix=fix, carrier=_a_carrier(faster[0], policy.lang)
        )
    return Why(
        "window",
        _(
            "{resident}'s window {window} cannot be met: meals are ready at {ready} and the "
            "nearest carrier ({mode}) needs {minutes} minutes from the kitchen"
        ).format(
            resident=delivery.resident_id,
            window=delivery.window,
            ready=format_time(policy.meals_ready),
            mode=_(_MODE_WORDS[fastest_mode]),
            minutes=nearest,
        ),
        fix,
    )


def meal_hours_do_not_cover(
    delivery: MealDelivery, carriers: Sequence[MealCarrier], day: str, lang: str = "en"
) -> Why:
    """Carriers exist, but none is free long enough around this resident's window."""
    _ = translator(lang).gettext
    hours = sorted({(c.leave_from, c.back_by) for c in carriers})
    shown = _(", ").join(f"{format_time(a)}–{format_time(b)}" for a, b in hours[:3])
    if len(hours) > 3:
        shown = _("{shown} and {count} more").format(shown=shown, count=len(hours) - 3)

    def needed(c: MealCarrier) -> int:
        out = delivery.out_minutes[c.mode]
        arrival = max(c.leave_from + out, delivery.window.start)
        return arrival + delivery.handover + delivery.back_minutes[c.mode]

    until = min(needed(c) for c in carriers)
    values = {
        "day": _word(day, lang),
        "resident": delivery.resident_id,
        "window": delivery.window,
        "hours": shown,
        "until": format_time(until),
    }
    return Why(
        "carrier_hours",
        _(
            "no carrier's hours on {day} cover {resident}'s window {window}: carriers are "
            "free {hours}"
        ).format(**values),
        _("ask a meals carrier to stay until at least {until} on {day}, or move the window").format(
            **values
        ),
    )


def meal_carriers_busy(
    delivery: MealDelivery,
    day: str,
    ordered_portions: int,
    carried_per_round: int,
    carriers: int,
    lang: str = "en",
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
    lang
        The language of the sentences (``en``, default, or ``zh``).
    """
    _ = translator(lang).gettext
    values = {
        "day": _word(day, lang),
        "resident": delivery.resident_id,
        "window": delivery.window,
        "ordered": ordered_portions,
        "carriers": carriers,
        "per_round": carried_per_round,
    }
    return Why(
        "carriers_busy",
        _(
            "all carriers were full or busy during {resident}'s window {window}: {ordered} "
            "portions were ordered for {day} and the {carriers} available carriers take "
            "{per_round} per round"
        ).format(**values),
        _("add a carrier on {day} or widen the delivery windows").format(**values),
    )


# The criteria of policy shortage_order, as a reason names them (carecal.fairness).
_CRITERION_WORDS: dict[str, str] = {
    "skipped_last_time": N_("left unserved on their last delivery day"),
    "bedridden": N_("bedridden"),
    "wheelchair": N_("uses a wheelchair"),
    "lives_alone": N_("lives alone"),
    "diabetic": N_("diabetic diet"),
}


def meal_shortage(
    busy: Why,
    resident_id: str,
    came_first: Sequence[tuple[str, str, dt.date | None]],
    more: int,
    lang: str = "en",
) -> Why:
    """A delivery left out in a shortage while residents ahead of it in the shortage
    order (``policy.shortage_order``) were served: ``busy``, its reason saying who came
    first and why. The code stays ``carriers_busy``: the cause is still too few carriers,
    the order only decided who waits.

    Parameters
    ----------
    busy
        The reason the carriers were full or busy (:func:`meal_carriers_busy`); its
        reason and fix are kept.
    resident_id
        The resident left out.
    came_first
        Up to a few residents served ahead of them: id, the first criterion of the order
        they meet, and for ``skipped_last_time`` the date they were left unserved.
    more
        How many more were served ahead of them.
    lang
        The language of the sentences (``en``, default, or ``zh``).
    """
    _ = translator(lang).gettext
    shown = []
    for rid, criterion, when in came_first:
        if criterion == "skipped_last_time" and when is not None:
            why = _("left unserved on {date}").format(date=when.isoformat())
        else:
            why = _(_CRITERION_WORDS[criterion]) if criterion in _CRITERION_WORDS else criterion
        shown.append(_("{resident} ({why})").format(resident=rid, why=why))
    who = _(", ").join(shown)
    if more:
        who = _("{shown} and {count} more").format(shown=who, count=more)
    return Why(
        busy.code,
        _(
            "{reason}; by the shortage order (policy shortage_order) these came before "
            "{resident}: {who}"
        ).format(reason=busy.reason, resident=resident_id, who=who),
        busy.fix,
    )


def meal_skipped_again(why: Why, resident_id: str, skipped: dt.date, lang: str = "en") -> Why:
    """``why``, saying that the resident was left unserved on their previous delivery day
    (``skipped``) too, so that the coordinator calls them first."""
    _ = translator(lang).gettext
    return Why(
        why.code,
        _("{reason}; {resident} was left unserved on {date} too").format(
            reason=why.reason, resident=resident_id, date=skipped.isoformat()
        ),
        _("{fix}; call {resident} first: it is the second delivery day in a row").format(
            fix=why.fix, resident=resident_id
        )
        if why.fix
        else _("call {resident} first: it is the second delivery day in a row").format(
            resident=resident_id
        ),
    )


# --- shifts --------------------------------------------------------------------------------


def _names(ids: Sequence[str], lang: str) -> str:
    """Up to five ids, and "and others" when there are more."""
    _ = translator(lang).gettext
    names = _(", ").join(ids[:5])
    return _("{names} and others").format(names=names) if len(ids) > 5 else names


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
    lang: str = "en",
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
    lang
        The language of the sentences (``en``, default, or ``zh``).
    """
    tr = translator(lang)
    _ = tr.gettext
    values: dict[str, object] = {
        "shift": shift_id,
        "date": date,
        "hours": hours,
        "role": _word(role, lang),
        "wanted": wanted,
        "filled": filled,
        "qualified": qualified,
    }
    reason = tr.ngettext(
        "shift {shift} on {date} ({hours}, {role}) needs {wanted} volunteer and the plan "
        "has {filled}",
        "shift {shift} on {date} ({hours}, {role}) needs {wanted} volunteers and the plan "
        "has {filled}",
        wanted,
    ).format(**values)
    if could_pledge:
        values["names"] = _names(could_pledge, lang)
        return Why(
            "short_staffed",
            _("{reason}; everyone free then is already at their pledged limit").format(
                reason=reason
            ),
            _("{names} could fill it if they pledged one more shift that week").format(**values),
        )
    if blocked:
        values["names"] = _names(blocked, lang)
        return Why(
            "short_staffed",
            _(
                "{reason}; {names} are free then but on another shift, too short a rest or "
                "too many days in a row"
            ).format(reason=reason, **values),
            _("recruit another {role} volunteer for {hours} on {date} or move the shift").format(
                **values
            ),
        )
    if qualified == 0:
        return Why(
            "short_staffed",
            _("{reason}; no volunteer has the {role} skill").format(reason=reason, **values),
            _("train or recruit volunteers with the {role} skill").format(**values),
        )
    return Why(
        "short_staffed",
        _(
            "{reason}; none of the {qualified} volunteers with the {role} skill has pledged "
            "{hours} on {date}"
        ).format(reason=reason, **values),
        _(
            "ask a {role} volunteer to pledge {hours} on {date}, or move the shift to hours "
            "they have pledged"
        ).format(**values),
    )


def shift_pledges_contradict(volunteer_id: str, detail: str, lang: str = "en") -> Why:
    """A volunteer's own pledges admit no timetable at all (so no plan can be made)."""
    _ = translator(lang).gettext
    return Why(
        "pledges_contradict",
        _("volunteer {volunteer}'s own rules admit no timetable: {detail}").format(
            volunteer=volunteer_id, detail=detail
        ),
        _(
            "correct {volunteer}'s pledges (minimum minutes, availability, limits) in "
            "volunteers.csv and availability.csv"
        ).format(volunteer=volunteer_id),
    )


def shift_no_timetable_in_time(volunteer_id: str, lang: str = "en") -> Why:
    """No timetable that keeps a volunteer's own rules was found in the time given."""
    _ = translator(lang).gettext
    return Why(
        "no_timetable",
        _(
            "no timetable that keeps volunteer {volunteer}'s own rules (minimum minutes, runs "
            "of days, weekends) was found in the time given, so no plan was made"
        ).format(volunteer=volunteer_id),
        _("plan again with a longer time limit, or loosen {volunteer}'s minimum minutes").format(
            volunteer=volunteer_id
        ),
    )


# --- health checks -------------------------------------------------------------------------


def escort_need(mobility: str, age: int, own_chair: bool, lang: str = "en") -> str:
    """Why a resident needs an escort, in a few words: ``wheelchair, own chair``."""
    _ = translator(lang).gettext
    what = {"walker": _("walker"), "wheelchair": _("wheelchair")}.get(mobility)
    if what is None:
        what = _("aged {age}").format(age=age)
    chair = _("own chair") if own_chair else _("no own chair")
    return _("{what}, {chair}").format(what=what, chair=chair)


def _campaign_day_name(date: dt.date, lang: str) -> str:
    tr = translator(lang)
    return tr.gettext("{weekday} {date}").format(weekday=tr.weekday(date), date=date.isoformat())


def _campaign_and(items: Sequence[str], lang: str) -> str:
    _ = translator(lang).gettext
    if len(items) <= 1:
        return "".join(items)
    return _("{items} and {last}").format(items=_(", ").join(items[:-1]), last=items[-1])


def campaign_home_check(lang: str = "en") -> Why:
    """Reason and fix for a bedridden resident who is due: a home check, not a booking."""
    _ = translator(lang).gettext
    return Why(
        "home_check",
        _("bedridden: the check is done at home"),
        _("arrange a home visit by the clinic"),
    )


def campaign_clinic_full(
    days: int, due: int, places: int, slots: int, places_per_day: float, lang: str = "en"
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
    lang
        The language of the sentences (``en``, default, or ``zh``).
    """
    tr = translator(lang)
    short = max(1, due - places)
    more_days = math.ceil(short / places_per_day) if places_per_day > 0 else 1
    per_slot = math.ceil(short / slots) if slots > 0 else short
    if days == 1:
        reason = tr.gettext("the clinic is full on its only day: {due} due, {places} places")
    else:
        reason = tr.gettext("the clinic is full on all {days} days: {due} due, {places} places")
    add_days = tr.ngettext("add {count} day", "add {count} days", more_days).format(count=more_days)
    add_places = tr.ngettext("{count} place per slot", "{count} places per slot", per_slot).format(
        count=per_slot
    )
    fix = tr.gettext("{add_days} or {add_places}").format(add_days=add_days, add_places=add_places)
    return Why("clinic_full", reason.format(days=days, due=due, places=places), fix)


def campaign_no_escort_skill(resident_id: str, need: str, lang: str = "en") -> Why:
    """Reason and fix when nobody has the escort skill."""
    _ = translator(lang).gettext
    return Why(
        "no_escort",
        _("{resident} needs an escort ({need}) and no volunteer has the escort skill").format(
            resident=resident_id, need=need
        ),
        _("add escort to the skills of trained volunteers in volunteers.csv"),
    )


def campaign_no_pool(resident_id: str, need: str, lang: str = "en") -> Why:
    """Reason and fix when a resident needs a pool chair and the centre lends none."""
    _ = translator(lang).gettext
    return Why(
        "no_pool_wheelchair",
        _(
            "{resident} needs a pool wheelchair ({need}) and the centre lends none "
            "(no kitchen or centre in sites.csv has wheelchairs)"
        ).format(resident=resident_id, need=need),
        _(
            "enter the centre's wheelchairs in the wheelchairs column of sites.csv, or set "
            "owns_wheelchair in residents.csv if the resident has one"
        ),
    )


def campaign_no_escort_time(
    resident_id: str,
    need: str,
    job_minutes: int,
    dates: Sequence[dt.date],
    pledged: bool,
    lang: str = "en",
) -> Why:
    """Reason and fix when no escort's free time can hold the resident's job on any day."""
    _ = translator(lang).gettext
    days = _campaign_and([_campaign_day_name(d, lang) for d in dates], lang)
    values = {"resident": resident_id, "need": need, "days": days, "minutes": job_minutes}
    if not pledged:
        return Why(
            "escort_time",
            _(
                "no trained escort has pledged any time on the campaign days ({days}) for "
                "{resident} ({need})"
            ).format(**values),
            _("ask trained escorts to pledge a morning on a campaign day in availability.csv"),
        )
    return Why(
        "escort_time",
        _(
            "no trained escort is free long enough on any campaign day for {resident} "
            "({need}): the job takes {minutes} min from the start of the escort's walk to "
            "being free again, around a check in the clinic's hours"
        ).format(**values),
        _(
            "ask a trained escort to pledge at least {minutes} min around the clinic's hours "
            "on a campaign day in availability.csv"
        ).format(**values),
    )


def campaign_escort_off_duty(
    resident_id: str,
    date: dt.date,
    job: TimeWindow,
    escorts: Sequence[str],
    on_duty: Sequence[str],
    lang: str = "en",
) -> Why:
    """Reason and fix when a resident could be booked with every escort's pledged hours,
    but not with the escorts the shift plan puts on duty (the week plan).

    ``job`` is the job a booking with all pledged escorts had on ``date``, by ``escorts``;
    ``on_duty`` are the escorts on an escort shift that date.
    """
    tr = translator(lang)
    _ = tr.gettext
    who = _campaign_and(list(escorts), lang) or _("an escort")
    duty = (
        tr.ngettext("only {names} is on duty", "only {names} are on duty", len(on_duty)).format(
            names=_campaign_and(list(on_duty), lang)
        )
        if on_duty
        else _("nobody is on duty")
    )
    values = {
        "resident": resident_id,
        "who": who,
        "weekday": tr.weekday(date),
        "date": date.isoformat(),
        "job": job,
        "duty": duty,
    }
    return Why(
        "escort_off_duty",
        _(
            "{resident} could go with {who} on {weekday} {job}, in the hours they pledged, "
            "but the shift plan does not have them on an escort shift then; {duty} that day "
            "and could not take the job"
        ).format(**values),
        _(
            "put {who} on the escort shift of {date} for {job} (the shift's hours must "
            "overlap the hours they pledged), or move the escort shift to the hours escorts "
            "pledged"
        ).format(**values),
    )


def campaign_reachable_slots_full(
    resident_id: str, need: str, dates: Sequence[dt.date], lang: str = "en"
) -> Why:
    """Reason and fix when every slot an escort could reach for the resident is full."""
    _ = translator(lang).gettext
    days = _campaign_and([_campaign_day_name(d, lang) for d in dates], lang)
    return Why(
        "slots_full",
        _(
            "the clinic's slots that a free escort could reach for {resident} ({need}) are "
            "full on {days}"
        ).format(resident=resident_id, need=need, days=days),
        _("add places per slot, or ask escorts to pledge other hours of the clinic's day"),
    )


def _campaign_when(busy: Sequence[tuple[dt.date, str, Sequence[TimeWindow]]], lang: str) -> str:
    tr = translator(lang)
    parts = {part for _, part, _ in busy}
    if len(busy) > 1 and len(parts) == 1:
        return tr.gettext("{weekdays} {part}s").format(
            weekdays=_campaign_and([tr.weekday(d) for d, _, _ in busy], lang),
            part=_word(parts.pop(), lang),
        )
    return _campaign_and([f"{tr.weekday(d)} {_word(part, lang)}" for d, part, _ in busy], lang)


def _campaign_pool_periods(
    busy: Sequence[tuple[dt.date, str, Sequence[TimeWindow]]], lang: str
) -> str:
    tr = translator(lang)
    return "; ".join(
        f"{tr.short_weekday(d)} {_campaign_and([str(w) for w in periods], lang)}"
        for d, _, periods in busy
        if periods
    )


def campaign_escorts_busy(
    resident_id: str,
    need: str,
    busy: Sequence[tuple[dt.date, str, Sequence[TimeWindow]]],
    lang: str = "en",
) -> Why:
    """Reason and fix when the escorts who could take the job are all taken.

    ``busy`` lists, per day the job could fit, the date, the part of the day and the
    periods when every pool chair is out (empty when the pool is not the problem).
    """
    tr = translator(lang)
    _ = tr.gettext
    pool = _campaign_pool_periods(busy, lang)
    detail = _("{need}, pool in use {periods}").format(need=need, periods=pool) if pool else need
    first_date, first_part, _periods = busy[0]
    when = f"{tr.weekday(first_date)} {_word(first_part, lang)}"
    if pool:
        fix = _(
            "add a trained escort free on {when}, or a pool wheelchair, or another campaign day"
        )
    else:
        fix = _("add a trained escort free on {when}, or another campaign day")
    return Why(
        "escorts_busy",
        _("no trained escort is free on {when} for {resident} ({detail})").format(
            when=_campaign_when(busy, lang), resident=resident_id, detail=detail
        ),
        fix.format(when=when),
    )


def campaign_pool_busy(
    resident_id: str,
    need: str,
    busy: Sequence[tuple[dt.date, str, Sequence[TimeWindow]]],
    chairs: int,
    lang: str = "en",
) -> Why:
    """Reason and fix when an escort could go but no pool chair is free long enough.

    ``busy`` as for :func:`campaign_escorts_busy`; ``chairs`` is the size of the pool.
    """
    tr = translator(lang)
    _ = tr.gettext
    out = _("the only chair out") if chairs == 1 else _("all {chairs} out").format(chairs=chairs)
    return Why(
        "pool_busy",
        _(
            "no pool wheelchair is free long enough on {when} for {resident} ({need}; "
            "{out} {periods})"
        ).format(
            when=_campaign_when(busy, lang),
            resident=resident_id,
            need=need,
            out=out,
            periods=_campaign_pool_periods(busy, lang),
        ),
        _("add a pool wheelchair (or borrow one for the campaign), or another campaign day"),
    )


def campaign_away(resident_id: str, dates: Sequence[dt.date], lang: str = "en") -> Why:
    """Reason and fix when a due resident is away on every day of the campaign."""
    _ = translator(lang).gettext
    days = _campaign_and([_campaign_day_name(d, lang) for d in dates], lang)
    return Why(
        "away",
        _("{resident} is away (resident_away in changes.csv) on every campaign day: {days}").format(
            resident=resident_id, days=days
        ),
        _(
            "book them on a later campaign day after they are back, or shorten the absence "
            "in changes.csv if they return earlier"
        ),
    )
