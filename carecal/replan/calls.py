"""Who moved between a plan and its re-plan, and whom the coordinator calls about it.

A re-plan (``carecal.replan_meals`` and its siblings, issue 17) changes as little as it
can; what it does change is somebody's day. :func:`plan_moves` lists those changes as
data, by the one definition of "moved" that the re-planners' objective, the tests and
``benchmarks/replan.py`` share:

- an **elder** moved: served by another carrier than before, or their arrival moved by
  more than ``policy.move_arrival_minutes``, or served before and not now (an elder
  served now and not before is listed too, but is not a move);
- a **booking** moved: its date, slot or check time, clinic, escorts or wheelchair
  changed, or it was dropped (a booking added is listed, not a move);
- a **shift assignment** changed: added or removed.

:func:`who_to_call` turns the same comparison into ``to_call.csv``: one row per person
whose day changed, with what changed in the community's language.

This module imports neither pandas nor OR-Tools: it compares plans, it plans nothing. It
is long (about 800 lines) because each kind of change has its words for each person it
touches beside the comparison that finds it; the two halves share that comparison, so
they stay together.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from carecal.clock import format_time
from carecal.errors import OptionError
from carecal.i18n import translator
from carecal.model import ChangeKind, Community
from carecal.plans import (
    Assignment,
    Booking,
    Call,
    CampaignPlan,
    MealPlan,
    People,
    Plan,
    ShiftPlan,
    Trip,
    Unserved,
    UnservedKind,
    WeekPlan,
    Wheelchair,
    plan_parts,
)

__all__ = [
    "AssignmentMove",
    "BookingMove",
    "Delivery",
    "ElderMove",
    "Moves",
    "plan_moves",
    "who_to_call",
]

BOOKING_CHANGES: tuple[str, ...] = ("date", "time", "clinic", "escorts", "wheelchair")
"""What may change about a booking (:attr:`BookingMove.changed`), in this order."""

CallRole = Literal["carrier", "escort", "volunteer", "resident"]

_VOLUNTEER_ROLES: tuple[CallRole, ...] = ("carrier", "escort", "volunteer")
_PLAN_KINDS = (MealPlan, CampaignPlan, ShiftPlan, WeekPlan)
_CHECK_KINDS = (UnservedKind.HEALTH_CHECK, UnservedKind.HOME_CHECK)


# --- what moved, as data -----------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """Where one elder's meal of one date is in a plan: the carrier, the trip, the arrival
    (minutes since midnight)."""

    volunteer_id: str
    trip: int
    arrival: int


@dataclass(frozen=True)
class ElderMove:
    """What changed about one elder's meal on one date.

    Attributes
    ----------
    resident_id, date
        The elder and the delivery date.
    before, after
        The delivery in the previous and in the new plan; ``None`` where the elder was
        not served (on no route) in that plan.
    carrier_changed
        Served in both, by another carrier now.
    arrival_moved
        Served in both, the arrival moved by more than ``policy.move_arrival_minutes``.
    """

    resident_id: str
    date: dt.date
    before: Delivery | None
    after: Delivery | None
    carrier_changed: bool = False
    arrival_moved: bool = False

    @property
    def unserved_now(self) -> bool:
        """Served in the previous plan, not in the new one."""
        return self.before is not None and self.after is None

    @property
    def served_now(self) -> bool:
        """Served in the new plan, not in the previous one (not a move)."""
        return self.before is None and self.after is not None

    @property
    def moved(self) -> bool:
        """Whether this counts as a move: another carrier, an arrival moved, or dropped."""
        return self.carrier_changed or self.arrival_moved or self.unserved_now


@dataclass(frozen=True)
class BookingMove:
    """What changed about one resident's health-check booking.

    Attributes
    ----------
    resident_id
        The resident (a campaign books each resident at most once).
    before, after
        The booking in the previous and in the new plan; ``None`` where there is none.
    changed
        Where both have one: which of :data:`BOOKING_CHANGES` differ (``time`` is the slot
        or the check's start).
    """

    resident_id: str
    before: Booking | None
    after: Booking | None
    changed: tuple[str, ...] = ()

    @property
    def dropped(self) -> bool:
        """Booked in the previous plan, not in the new one."""
        return self.before is not None and self.after is None

    @property
    def added(self) -> bool:
        """Booked in the new plan, not in the previous one (not a move)."""
        return self.before is None and self.after is not None

    @property
    def moved(self) -> bool:
        """Whether this counts as a move: something of :data:`BOOKING_CHANGES`, or dropped."""
        return self.dropped or bool(self.changed)


@dataclass(frozen=True)
class AssignmentMove:
    """One shift assignment added to the plan (``added``) or removed from it."""

    assignment: Assignment
    added: bool


@dataclass(frozen=True)
class Moves:
    """Everything that changed from a previous plan to a new one, per person.

    Made by :func:`plan_moves`. For a week plan, the sum of its parts.

    Attributes
    ----------
    elders
        One entry per elder and date whose meal changed (moved, or served now), by date
        and resident id.
    bookings
        One entry per resident whose booking changed, was dropped or added, by id.
    assignments
        Every shift assignment removed or added, removed ones first, by date, shift and
        volunteer.
    """

    elders: tuple[ElderMove, ...] = ()
    bookings: tuple[BookingMove, ...] = ()
    assignments: tuple[AssignmentMove, ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        """The changes counted by kind.

        ``moved_carrier``, ``moved_arrival`` (elders served in both plans),
        ``unserved_now`` and ``served_now`` (elders), ``moved_elders`` (elders moved in
        any of the first three ways, each elder and date once), ``moved_bookings``
        (changed or dropped), ``dropped_bookings``, ``added_bookings``,
        ``added_assignments``, ``removed_assignments``, ``changed_assignments`` (the two
        together), and ``moved``: ``moved_elders + moved_bookings + changed_assignments``.
        """
        added = sum(1 for a in self.assignments if a.added)
        counts = {
            "moved_carrier": sum(1 for e in self.elders if e.carrier_changed),
            "moved_arrival": sum(1 for e in self.elders if e.arrival_moved),
            "unserved_now": sum(1 for e in self.elders if e.unserved_now),
            "served_now": sum(1 for e in self.elders if e.served_now),
            "moved_elders": sum(1 for e in self.elders if e.moved),
            "moved_bookings": sum(1 for b in self.bookings if b.moved),
            "dropped_bookings": sum(1 for b in self.bookings if b.dropped),
            "added_bookings": sum(1 for b in self.bookings if b.added),
            "added_assignments": added,
            "removed_assignments": len(self.assignments) - added,
            "changed_assignments": len(self.assignments),
        }
        counts["moved"] = (
            counts["moved_elders"] + counts["moved_bookings"] + counts["changed_assignments"]
        )
        return counts

    @property
    def moved(self) -> int:
        """How many moves: elders moved, bookings moved, assignments added or removed."""
        return self.counts["moved"]

    def __bool__(self) -> bool:
        return bool(self.elders or self.bookings or self.assignments)


def plan_moves(previous: Plan, new: Plan, community: Community) -> Moves:
    """Who moved from ``previous`` to ``new``: elders, bookings and shift assignments.

    Parameters
    ----------
    previous
        The plan before the change: a :class:`~carecal.plans.MealPlan`,
        :class:`~carecal.plans.CampaignPlan`, :class:`~carecal.plans.ShiftPlan` or
        :class:`~carecal.plans.WeekPlan` (a week: the sum of its parts).
    new
        The plan after it (a re-plan, or a plan from scratch to compare with), of the
        same kind; a meal plan of the same date.
    community
        The community; its ``policy.move_arrival_minutes`` (default 15) says how far an
        arrival may move before it counts as moved.

    Returns
    -------
    Moves
        The changes per person, and :attr:`Moves.counts`. Deliveries are matched by
        date and resident, bookings by resident, assignments by date, shift, times and
        volunteer.

    Raises
    ------
    OptionError
        When either is not a plan, the two are of different kinds, or two meal plans are
        of different dates.
    """
    _check_pair(previous, new, "plan_moves")
    old_meals, old_campaign, old_shifts = plan_parts(previous)
    new_meals, new_campaign, new_shifts = plan_parts(new)
    return Moves(
        elders=tuple(_elder_moves(old_meals, new_meals, community.policy.move_arrival_minutes)),
        bookings=tuple(_booking_moves(old_campaign, new_campaign)),
        assignments=tuple(_assignment_moves(old_shifts, new_shifts)),
    )


def _check_pair(previous: object, new: object, caller: str) -> None:
    for name, plan in (("previous", previous), ("new", new)):
        if not isinstance(plan, _PLAN_KINDS):
            raise OptionError(
                f"{caller}(): {name} is a {type(plan).__name__}, not a plan; give two plans "
                "of the same kind (MealPlan, CampaignPlan, ShiftPlan or WeekPlan)"
            )
    if type(previous) is not type(new):
        raise OptionError(
            f"{caller}(): previous is a {type(previous).__name__} and new a "
            f"{type(new).__name__}; give the re-plan of the same kind as the plan it changes"
        )
    if isinstance(previous, MealPlan) and isinstance(new, MealPlan) and previous.date != new.date:
        raise OptionError(
            f"{caller}(): previous is the meal plan of {previous.date} and new that of "
            f"{new.date}; compare two plans of the same date"
        )


def _deliveries(meals: Iterable[MealPlan]) -> dict[tuple[dt.date, str], Delivery]:
    """(date, resident) -> the delivery, for every stop on a route (the first if twice)."""
    found: dict[tuple[dt.date, str], Delivery] = {}
    for plan in meals:
        for trip in plan.trips:
            for stop in trip.stops:
                found.setdefault(
                    (plan.date, stop.resident_id),
                    Delivery(trip.volunteer_id, trip.trip, stop.arrival),
                )
    return found


def _elder_moves(
    before: list[MealPlan], after: list[MealPlan], tolerance: int
) -> Iterable[ElderMove]:
    old, new = _deliveries(before), _deliveries(after)
    for date, rid in sorted(old.keys() | new.keys()):
        was, now = old.get((date, rid)), new.get((date, rid))
        if was is None or now is None:
            yield ElderMove(rid, date, was, now)
            continue
        carrier = was.volunteer_id != now.volunteer_id
        arrival = abs(now.arrival - was.arrival) > tolerance
        if carrier or arrival:
            yield ElderMove(rid, date, was, now, carrier_changed=carrier, arrival_moved=arrival)


def _bookings(campaign: CampaignPlan | None) -> dict[str, Booking]:
    # One booking per resident is a rule the verifier checks; a second is ignored here.
    found: dict[str, Booking] = {}
    for b in campaign.bookings if campaign is not None else ():
        found.setdefault(b.resident_id, b)
    return found


def _booking_changes(was: Booking, now: Booking) -> tuple[str, ...]:
    differs = {
        "date": was.date != now.date,
        "time": (was.slot_start, was.check_start) != (now.slot_start, now.check_start),
        "clinic": was.clinic_id != now.clinic_id,
        # Who escorts matters, not in which order the plan lists them.
        "escorts": sorted(was.escort_ids) != sorted(now.escort_ids),
        "wheelchair": was.wheelchair != now.wheelchair,
    }
    return tuple(name for name in BOOKING_CHANGES if differs[name])


def _booking_moves(
    before: CampaignPlan | None, after: CampaignPlan | None
) -> Iterable[BookingMove]:
    old, new = _bookings(before), _bookings(after)
    for rid in sorted(old.keys() | new.keys()):
        was, now = old.get(rid), new.get(rid)
        if was is None or now is None:
            yield BookingMove(rid, was, now)
            continue
        changed = _booking_changes(was, now)
        if changed:
            yield BookingMove(rid, was, now, changed)


def _assignment_key(a: Assignment) -> tuple[dt.date, str, int, int, str]:
    return (a.date, a.shift_id, a.start, a.end, a.volunteer_id)


def _assignment_moves(
    before: ShiftPlan | None, after: ShiftPlan | None
) -> Iterable[AssignmentMove]:
    def counted(plan: ShiftPlan | None) -> tuple[Counter[tuple], dict[tuple, Assignment]]:
        found = plan.assignments if plan is not None else ()
        return Counter(_assignment_key(a) for a in found), {_assignment_key(a): a for a in found}

    (old, old_rows), (new, new_rows) = counted(before), counted(after)
    # Counters, so that a duplicated row (which the verifier reports) still counts once
    # for each copy that comes or goes.
    for key in sorted((old - new).elements()):
        yield AssignmentMove(old_rows[key], added=False)
    for key in sorted((new - old).elements()):
        yield AssignmentMove(new_rows[key], added=True)


# --- whom to call --------------------------------------------------------------------------


def who_to_call(community: Community, previous: Plan, new: Plan) -> tuple[Call, ...]:
    """The people whose day changed from ``previous`` to ``new``, for ``to_call.csv``.

    One :class:`~carecal.plans.Call` per person, what changed for them in words of the
    community's language (``community.policy.lang``), several changes joined by ``"; "``:

    - a **carrier** whose route changed: new stops (with the arrival), stops no longer
      theirs, stops whose arrival moved by more than ``policy.move_arrival_minutes``,
      the first leaving time moved by more than that, trips added or removed;
    - an **escort** with an escort job added, moved (date or time, old -> new) or removed;
    - a **volunteer** with a shift added or removed;
    - a **resident** whose meal now arrives more than ``move_arrival_minutes`` earlier or
      later (the new time), who will not be served (with the reason of the new plan's
      ``unserved``), who is served now and was not, or whose booking moved (old -> new),
      was dropped (with the reason) or was made.

    People away or off that date (``resident_away`` or ``volunteer_off`` in
    ``changes.csv``) are not called about the meal, work or booking they lose that date:
    the change came from them. Nor is a resident whose meal is gone because the standing
    order ended (``meals_until``); the new plan does not list them as unserved.

    Parameters
    ----------
    community
        The community the new plan was made for (with the changes): the names, the
        phones (``phone`` in ``residents.csv``/``volunteers.csv``, empty where the roster
        has none), the language and the tolerance.
    previous, new
        The plan before the change and its re-plan, of the same kind (see
        :func:`plan_moves`).

    Returns
    -------
    tuple of Call
        Volunteers first (role ``carrier``, ``escort`` or ``volunteer``: the first of
        these that applies), then residents, each group by id; empty when nobody's day
        changed.

    Raises
    ------
    OptionError
        When the two are not plans of the same kind (and date, for meal plans).
    """
    _check_pair(previous, new, "who_to_call")
    words = _Words(community, previous.all_people() | new.all_people())
    notes = _Notes()
    old_meals, new_meals = plan_parts(previous)[0], plan_parts(new)[0]
    moves = plan_moves(previous, new, community)
    _carrier_notes(notes, words, community, old_meals, new_meals)
    _meal_resident_notes(notes, words, community, moves.elders, old_meals, new_meals)
    _booking_notes(notes, words, community, moves.bookings, plan_parts(new)[1])
    _shift_notes(notes, words, community, moves.assignments)
    return notes.calls(community, words)


class _Notes:
    """What changed per person, gathered in order: (kind, id) -> role and phrases."""

    def __init__(self) -> None:
        self.roles: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.phrases: dict[tuple[str, str], list[str]] = defaultdict(list)

    def add(self, kind: str, person_id: str, role: str, phrase: str) -> None:
        key = (kind, person_id)
        self.roles[key].add(role)
        self.phrases[key].append(phrase)

    def calls(self, community: Community, words: _Words) -> tuple[Call, ...]:
        calls = []
        # Volunteers before residents: the coordinator settles who does the work first.
        for kind, pid in sorted(self.phrases, key=lambda k: (k[0] == "resident", k[1])):
            roles = self.roles[kind, pid]
            role: CallRole
            if kind == "resident":
                role = "resident"
                person = community.resident_by_id.get(pid)
                phone = person.phone if person is not None else None
            else:
                # A carrier who also escorts is called as the carrier: the route is the
                # bigger part of their day.
                role = next(r for r in _VOLUNTEER_ROLES if r in roles)
                helper = community.volunteer_by_id.get(pid)
                phone = helper.phone if helper is not None else None
            calls.append(
                Call(
                    person_id=pid,
                    name=words.name(kind, pid),
                    role=role,
                    phone=phone or "",
                    what_changed="; ".join(self.phrases[kind, pid]),
                )
            )
        return tuple(calls)


class _Words:
    """The community's language, and how people and times are written in it."""

    def __init__(self, community: Community, people: People) -> None:
        tr = translator(community.policy.lang)
        self._: Callable[[str], str] = tr.gettext
        # Called by these names, so that Babel finds the messages (docs/languages.md).
        self.ngettext: Callable[[str, str, int], str] = tr.ngettext
        self.community = community
        self.people = people
        self.tolerance = community.policy.move_arrival_minutes

    def name(self, kind: str, person_id: str) -> str:
        """The person's name: the roster's, else the one the plans know, else empty."""
        if kind == "resident":
            resident = self.community.resident_by_id.get(person_id)
            return resident.name if resident else self.people.resident(person_id).name
        helper = self.community.volunteer_by_id.get(person_id)
        return helper.name if helper else self.people.volunteer(person_id).name

    def who(self, kind: str, person_id: str) -> str:
        """``name (id)``, or the id alone when the name is unknown."""
        name = self.name(kind, person_id)
        return f"{name} ({person_id})" if name else person_id

    def listed(self, items: Iterable[str]) -> str:
        return self._(", ").join(items)

    def on(self, date: dt.date, phrases: list[str]) -> str:
        return self._("{date}: {changes}").format(date=date, changes="; ".join(phrases))

    def clinic(self, clinic_id: str) -> str:
        site = self.community.site_by_id.get(clinic_id)
        return site.name if site is not None and site.name else clinic_id

    def booking(self, b: Booking) -> str:
        """A booking as the resident needs it: when, where, who fetches them."""
        # The slot is the time the resident is expected at the clinic.
        text = self._("{date} {time} at {clinic}").format(
            date=b.date, time=format_time(b.slot_start), clinic=self.clinic(b.clinic_id)
        )
        if b.escort_ids:
            text = self._("{booking}, picked up at {pickup} by {escorts}").format(
                booking=text,
                pickup=format_time(b.pickup if b.pickup is not None else b.check_start),
                escorts=self.listed(self.name("volunteer", e) or e for e in b.escort_ids),
            )
        if b.wheelchair == Wheelchair.POOL:
            text = self._("{booking}, in a wheelchair of the centre").format(booking=text)
        return text

    def job(self, b: Booking) -> str:
        """An escort job's date and pickup time, and the centre's wheelchair to fetch."""
        text = self._("{date} pickup {pickup}").format(
            date=b.date, pickup=format_time(b.pickup if b.pickup is not None else b.check_start)
        )
        if b.wheelchair == Wheelchair.POOL:
            text = self._("{job} (a wheelchair of the centre)").format(job=text)
        return text


def _is_off(community: Community, volunteer_id: str, date: dt.date) -> bool:
    """Whether a ``volunteer_off`` change holds during any part of ``date``."""
    return any(
        c.touches(date) for c in community.changes_of(ChangeKind.VOLUNTEER_OFF, volunteer_id)
    )


def _by_carrier(meals: Iterable[MealPlan]) -> dict[tuple[dt.date, str], list[Trip]]:
    found: dict[tuple[dt.date, str], list[Trip]] = defaultdict(list)
    for plan in meals:
        for trip in plan.trips:
            found[plan.date, trip.volunteer_id].append(trip)
    return found


def _carrier_notes(
    notes: _Notes,
    words: _Words,
    community: Community,
    before: list[MealPlan],
    after: list[MealPlan],
) -> None:
    """A carrier whose route changed: what they now do differently, per date."""
    _, ngettext = words._, words.ngettext
    old, new = _by_carrier(before), _by_carrier(after)
    for date, vid in sorted(old.keys() | new.keys()):
        was, now = old.get((date, vid), []), new.get((date, vid), [])
        was_stops = {s.resident_id: s.arrival for t in was for s in t.stops}
        now_stops = {s.resident_id: s.arrival for t in now for s in t.stops}
        gone = [rid for rid in was_stops if rid not in now_stops]
        if not now:
            if gone and not _is_off(community, vid, date):
                people = words.listed(words.who("resident", r) for r in gone)
                notes.add(
                    "volunteer",
                    vid,
                    "carrier",
                    words.on(date, [_("no route any more: {people}").format(people=people)]),
                )
            continue
        phrases = []
        leave = min(t.leave for t in now)
        if not was:
            phrases.append(
                ngettext(
                    "new route: {trips} trip, leaves the kitchen at {leave}",
                    "new route: {trips} trips, leaves the kitchen at {leave}",
                    len(now),
                ).format(trips=len(now), leave=format_time(leave))
            )
        else:
            old_leave = min(t.leave for t in was)
            if abs(leave - old_leave) > words.tolerance:
                phrases.append(
                    _("leaves the kitchen at {leave} (was {old})").format(
                        leave=format_time(leave), old=format_time(old_leave)
                    )
                )
            if len(now) != len(was):
                phrases.append(
                    ngettext(
                        "{trips} trip (was {old})", "{trips} trips (was {old})", len(now)
                    ).format(trips=len(now), old=len(was))
                )
        added = [rid for rid in now_stops if rid not in was_stops]
        if added:
            stops = words.listed(
                f"{words.who('resident', r)} {format_time(now_stops[r])}" for r in added
            )
            phrases.append(_("new stops: {stops}").format(stops=stops))
        if gone:
            people = words.listed(words.who("resident", r) for r in gone)
            phrases.append(_("no longer: {people}").format(people=people))
        shifted = [
            r
            for r in now_stops
            if r in was_stops and abs(now_stops[r] - was_stops[r]) > words.tolerance
        ]
        if shifted:
            stops = words.listed(
                _("{who} {time} (was {old})").format(
                    who=words.who("resident", r),
                    time=format_time(now_stops[r]),
                    old=format_time(was_stops[r]),
                )
                for r in shifted
            )
            phrases.append(_("new times: {stops}").format(stops=stops))
        if phrases:
            notes.add("volunteer", vid, "carrier", words.on(date, phrases))


def _meal_unserved(meals: Iterable[MealPlan]) -> dict[tuple[dt.date, str], Unserved]:
    return {(m.date, u.id): u for m in meals for u in m.unserved if u.kind == UnservedKind.MEAL}


def _meal_resident_notes(
    notes: _Notes,
    words: _Words,
    community: Community,
    elders: Iterable[ElderMove],
    before: list[MealPlan],
    after: list[MealPlan],
) -> None:
    """A resident whose meal comes at another time, newly or no longer."""
    _ = words._
    old_missed, new_missed = _meal_unserved(before), _meal_unserved(after)
    for move in elders:
        rid, date = move.resident_id, move.date
        if move.after is not None:
            carrier = words.name("volunteer", move.after.volunteer_id) or move.after.volunteer_id
            time = format_time(move.after.arrival)
            if move.before is None:
                text = _("meal on {date} will arrive about {time}, brought by {carrier}")
                notes.add(
                    "resident", rid, "resident", text.format(date=date, time=time, carrier=carrier)
                )
            elif move.arrival_moved:
                old = format_time(move.before.arrival)
                text = (
                    _("meal on {date} now arrives about {time} (was {old}), brought by {carrier}")
                    if move.carrier_changed
                    else _("meal on {date} now arrives about {time} (was {old})")
                )
                notes.add(
                    "resident",
                    rid,
                    "resident",
                    text.format(date=date, time=time, old=old, carrier=carrier),
                )
            continue
        missed = new_missed.get((date, rid))
        if missed is not None and not community.away_on(rid, date):
            notes.add(
                "resident",
                rid,
                "resident",
                _("no meal on {date}: {reason}").format(date=date, reason=missed.reason),
            )
    # A resident not on the previous plan at all (a new order, an extra meal) who cannot
    # be served now: they expect a meal and will not get it.
    old_served = {(m.date, s.resident_id) for m in before for t in m.trips for s in t.stops}
    for (date, rid), missed in sorted(new_missed.items()):
        if (date, rid) not in old_served and (date, rid) not in old_missed:
            notes.add(
                "resident",
                rid,
                "resident",
                _("no meal on {date}: {reason}").format(date=date, reason=missed.reason),
            )


def _check_reasons(campaign: CampaignPlan | None) -> dict[str, Unserved]:
    return {u.id: u for u in (campaign.unserved if campaign else ()) if u.kind in _CHECK_KINDS}


def _booking_notes(
    notes: _Notes,
    words: _Words,
    community: Community,
    bookings: Iterable[BookingMove],
    after: CampaignPlan | None,
) -> None:
    """Residents and escorts of a booking that moved, was dropped or was made."""
    _ = words._
    reasons = _check_reasons(after)
    escort_new: dict[str, list[str]] = defaultdict(list)
    escort_moved: dict[str, list[str]] = defaultdict(list)
    escort_gone: dict[str, list[str]] = defaultdict(list)
    for move in bookings:
        rid, was, now = move.resident_id, move.before, move.after
        who = words.who("resident", rid)
        if was is not None and now is not None:
            old_text, new_text = words.booking(was), words.booking(now)
            # A change the resident cannot see (the check starts later within the same
            # slot) is not worth a call.
            if old_text != new_text:
                notes.add(
                    "resident",
                    rid,
                    "resident",
                    _("health check moved: {old} -> {new}").format(old=old_text, new=new_text),
                )
        elif now is not None:
            notes.add(
                "resident",
                rid,
                "resident",
                _("health check booked: {booking}").format(booking=words.booking(now)),
            )
        elif was is not None and not community.away_on(rid, was.date):
            reason = reasons.get(rid)
            text = (
                _("health check on {date} cancelled: {reason}").format(
                    date=was.date, reason=reason.reason
                )
                if reason is not None
                else _("health check on {date} cancelled").format(date=was.date)
            )
            notes.add("resident", rid, "resident", text)
        old_escorts = set(was.escort_ids) if was is not None else set()
        new_escorts = set(now.escort_ids) if now is not None else set()
        for e in sorted(new_escorts - old_escorts):
            assert now is not None
            escort_new[e].append(f"{who} {words.job(now)}")
        for e in sorted(old_escorts - new_escorts):
            assert was is not None
            if not _is_off(community, e, was.date):
                escort_gone[e].append(f"{who} {was.date}")
        if was is not None and now is not None and words.job(was) != words.job(now):
            for e in sorted(old_escorts & new_escorts):
                escort_moved[e].append(
                    _("{who} {old} -> {new}").format(
                        who=who, old=words.job(was), new=words.job(now)
                    )
                )
    for e in sorted(escort_new.keys() | escort_moved.keys() | escort_gone.keys()):
        phrases = []
        if escort_new[e]:
            phrases.append(_("new escort jobs: {jobs}").format(jobs=words.listed(escort_new[e])))
        if escort_moved[e]:
            phrases.append(
                _("escort jobs moved: {jobs}").format(jobs=words.listed(escort_moved[e]))
            )
        if escort_gone[e]:
            phrases.append(
                _("no longer escorting: {jobs}").format(jobs=words.listed(escort_gone[e]))
            )
        notes.add("volunteer", e, "escort", "; ".join(phrases))


def _shift_notes(
    notes: _Notes, words: _Words, community: Community, moves: Iterable[AssignmentMove]
) -> None:
    """A volunteer with a shift added or removed."""
    ngettext = words.ngettext
    added: dict[str, list[str]] = defaultdict(list)
    removed: dict[str, list[str]] = defaultdict(list)
    for move in moves:
        a = move.assignment
        text = f"{a.date} {a.shift_id} {format_time(a.start)}–{format_time(a.end)}"
        if move.added:
            added[a.volunteer_id].append(text)
        elif not _is_off(community, a.volunteer_id, a.date):
            removed[a.volunteer_id].append(text)
    for vid in sorted(added.keys() | removed.keys()):
        phrases = []
        if added[vid]:
            phrases.append(
                ngettext("new shift: {shifts}", "new shifts: {shifts}", len(added[vid])).format(
                    shifts=words.listed(added[vid])
                )
            )
        if removed[vid]:
            phrases.append(
                ngettext(
                    "shift cancelled: {shifts}",
                    "shifts cancelled: {shifts}",
                    len(removed[vid]),
                ).format(shifts=words.listed(removed[vid]))
            )
        notes.add("volunteer", vid, "volunteer", "; ".join(phrases))
