"""Who could take over a volunteer's work on a day: :func:`substitutes`.

A carrier calls in sick at 9:10; the coordinator wants to know whom to ring first. The
volunteer's work that day is what a plan gives them (their meal trips, escort jobs and
shift places), or without a plan, their pledged hours that day and the elders they know
from the history. Every other volunteer is then ranked:

1. free for all of that work (pledged hours that hold each piece, after
   ``changes.csv``, and not busy with their own work in the plan) and skilled (every
   skill the work needs: ``meals`` for trips, ``escort`` for escort jobs, the role of a
   shift) — those first;
2. then skilled and free for part of it, skilled but not free, free but not skilled, and
   the rest;
3. within each group, by how many of the volunteer's elders they know (the history's
   familiarity), then by how many visits that is, then by id.

Each row says why, in the community's language (``policy.lang``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

from carecal import clock
from carecal.clock import TimeWindow, format_time
from carecal.errors import OptionError
from carecal.i18n import translator
from carecal.model import ChangeKind, Community, SiteKind, Skill
from carecal.plans import CampaignPlan, MealPlan, ShiftPlan, WeekPlan, plan_parts

_ROLE_SKILLS: tuple[Skill, ...] = (Skill.MEALS, Skill.ESCORT, Skill.CENTRE)
"""The skills that are also shift roles: the work a volunteer may be asked to cover."""


class Substitute(BaseModel):
    """One volunteer who could take over the work, with the reason in words.

    Attributes
    ----------
    rank : int
        1 for the first to call.
    volunteer_id, name, phone : str
        Who they are (name and phone from ``volunteers.csv``; empty where it has none).
    free : bool
        Free for all of the work: pledged hours hold every piece of it and the plan gives
        them nothing else then.
    skilled : bool
        They have every skill the work needs.
    knows : int
        How many of the volunteer's elders they know (the history).
    visits : int
        How many times, in all, they met those elders.
    reason : str
        Why they stand where they do, in the community's language.

    ``carecal.io.substitutes_frame(rows)`` gives a list of them as a DataFrame, and
    ``carecal.io.write_substitutes(rows, path)`` as ``substitutes.csv``.
    """

    model_config = ConfigDict(frozen=True)

    rank: int
    volunteer_id: str
    name: str = ""
    phone: str = ""
    free: bool
    skilled: bool
    knows: int
    visits: int
    reason: str


@dataclass(frozen=True)
class Piece:
    """One stretch of the volunteer's work: from ``start`` to ``end`` (minutes since
    midnight), needing ``skill``."""

    start: int
    end: int
    skill: Skill


@dataclass
class Work:
    """A volunteer's work on a day, as :func:`substitutes` ranks against it.

    Attributes
    ----------
    volunteer_id, date
        Whose work, and when.
    pieces
        The stretches of work (a meal trip, an escort job from pickup to home again, a
        shift place; without a plan, each pledged window cut to the service's hours:
        meals from when they are ready to the close of the day's last delivery window,
        escorts the clinics' hours that day).
    elders
        The residents the work is for (without a plan: those the volunteer met before,
        by the history), in order.
    skills
        The skills the work needs.
    from_plan
        Whether the work comes from a plan (else pledged hours and history).
    """

    volunteer_id: str
    date: dt.date
    pieces: list[Piece] = field(default_factory=list)
    elders: list[str] = field(default_factory=list)
    skills: set[Skill] = field(default_factory=set)
    from_plan: bool = False

    def hours(self) -> list[TimeWindow]:
        """The pieces' times, merged (for the words)."""
        return _merged([TimeWindow(p.start, p.end) for p in self.pieces])

    def describe(self, lang: str = "en") -> str:
        """The work in one line: times, skills and elders."""
        _ = translator(lang).gettext
        return _("{volunteer} on {date}: {hours} ({skills}); {elders} elder(s)").format(
            volunteer=self.volunteer_id,
            date=self.date.isoformat(),
            hours=_hours_text(self.hours(), lang),
            skills=_(", ").join(_(s.value) for s in _ordered(self.skills)),
            elders=len(self.elders),
        )


def substitutes(
    community: Community, volunteer_id: str, date: Any, plan: Any = None
) -> list[Substitute]:
    """Rank who could take over ``volunteer_id``'s work on ``date``.

    Parameters
    ----------
    community
        The community (availability and ``changes.csv`` say who is free; the history says
        who knows whom; ``policy.lang`` the language of the reasons).
    volunteer_id
        The volunteer whose work is to be covered.
    date
        The day: a ``datetime.date``, ``"YYYY-MM-DD"`` or anything naming a day.
    plan
        Optional: a :class:`~carecal.plans.MealPlan`, :class:`~carecal.plans.CampaignPlan`,
        :class:`~carecal.plans.ShiftPlan` or :class:`~carecal.plans.WeekPlan` covering the
        day. The work is then the volunteer's trips, escort jobs and shift places in it,
        and a volunteer busy with their own work in it at those times is not free.
        Default ``None``: the volunteer's pledged hours that day (their own
        ``volunteer_off`` changes left aside: they are why a substitute is wanted) and
        the elders they met before ``date`` by the history.

    Returns
    -------
    list of Substitute
        Every other volunteer, best first (see the module docstring for the order).

    Raises
    ------
    CommunityError
        When no volunteer has that id (with the close ids).
    OptionError
        For a date that names no day; a plan that does not cover the day, or gives the
        volunteer no work that day; no plan and no pledged hours that day.
    """
    day = clock.coerce_date(date, "date")
    community._known_volunteer(volunteer_id)
    work = work_of(community, volunteer_id, day, plan)
    busy = _busy_in(plan, day) if plan is not None else {}
    seen = community.history.familiarity(before=day)
    lang = community.policy.lang
    scored: list[tuple[tuple[int, int, int, int, str], Substitute]] = []
    for v in community.volunteers:
        vid = v.volunteer_id
        if vid == volunteer_id:
            continue
        covered, short = _coverage(community, vid, day, work, busy.get(vid, []))
        free = bool(work.pieces) and not short
        missing = [s for s in _ordered(work.skills) if not v.has(s)]
        known = [e for e in work.elders if seen.get((e, vid))]
        visits = sum(seen[e, vid] for e in known)
        reason = _reason(community, vid, day, work, covered, short, busy.get(vid, []), missing)
        row = Substitute(
            rank=0,
            volunteer_id=vid,
            name=v.name,
            phone=v.phone or "",
            free=free,
            skilled=not missing,
            knows=len(known),
            visits=visits,
            reason=translator(lang).gettext("; ").join([reason, _knows_text(work, known, lang)]),
        )
        minutes = sum(w.end - w.start for w in covered)
        key = (_group(free, not missing, covered), -len(known), -visits, -minutes, vid)
        scored.append((key, row))
    scored.sort(key=lambda kr: kr[0])
    return [row.model_copy(update={"rank": i}) for i, (_, row) in enumerate(scored, start=1)]


def work_of(community: Community, volunteer_id: str, date: dt.date, plan: Any = None) -> Work:
    """The work :func:`substitutes` ranks against (see there for ``plan``).

    Raises
    ------
    OptionError
        A plan that does not cover ``date`` or gives the volunteer no work that day; no
        plan and no pledged hours that day.
    """
    if plan is not None:
        work = _work_in(plan, date).get(volunteer_id)
        if work is None:
            raise OptionError(
                f"the plan gives {volunteer_id} no work on {date}; give the plan that has "
                f"{volunteer_id}'s trips, escort jobs or shifts that day, or leave the plan "
                f"out to rank by {volunteer_id}'s pledged hours and elders"
            )
        return work
    work = Work(volunteer_id, date)
    # Their own volunteer_off changes are why a substitute is wanted: their pledged hours
    # are the work to cover.
    own_off = [
        c for c in community.changes_of(ChangeKind.VOLUNTEER_OFF, volunteer_id) if c.touches(date)
    ]
    usual = (
        community.with_changes(changes=tuple(c for c in community.changes if c not in own_off))
        if own_off
        else community
    )
    hours = usual.availability_on(volunteer_id, date)
    if not hours:
        raise OptionError(
            f"{volunteer_id} pledged no time on {date} ({clock.weekday(date)}), so there is "
            f"no work of theirs to cover; give the plan of that day (--plan) with "
            f"{volunteer_id}'s trips, escort jobs or shifts, or another date"
        )
    history = community.history
    elders = history.elders_of(volunteer_id, before=date)
    work.elders = list(elders)
    if any(r.volunteer_id == volunteer_id and r.date < date for r in history.meals):
        work.skills.add(Skill.MEALS)
    if any(volunteer_id in b.escort_ids and b.date < date for b in history.bookings):
        work.skills.add(Skill.ESCORT)
    if not work.skills:
        volunteer = community.volunteer_by_id[volunteer_id]
        work.skills = {s for s in _ROLE_SKILLS if volunteer.has(s)}
    for skill in _ordered(work.skills) or [Skill.MEALS]:
        span = _service_hours(community, skill, date)
        for w in hours:
            start, end = (max(w.start, span.start), min(w.end, span.end)) if span else w
            if start < end:
                work.pieces.append(Piece(start, end, skill))
    if not work.pieces:
        # Pledged only outside the service's hours: the pledge itself is the work.
        skill = _ordered(work.skills)[0] if work.skills else Skill.MEALS
        work.pieces = [Piece(w.start, w.end, skill) for w in hours]
    return work


def _service_hours(community: Community, skill: Skill, date: dt.date) -> TimeWindow | None:
    """When a service runs on ``date``, to cut a volunteer's pledge down to the work:
    meals from when they are ready to the close of the day's last delivery window; escorts
    the hours of the clinics running that day; ``None`` for the rest (the whole pledge)."""
    if skill == Skill.MEALS:
        ends = [community.window_of(r).end for r in community.deliveries_on(date)]
        end = max(ends, default=community.policy.default_window_end)
        return TimeWindow(community.policy.meals_ready, max(end, community.policy.meals_ready))
    if skill == Skill.ESCORT:
        days = [
            day
            for site in community.sites_of(SiteKind.CLINIC)
            if (day := community.clinic_day(date, site.site_id)) is not None
        ]
        if days:
            return TimeWindow(min(d.open for d in days), max(d.close for d in days))
    return None


def _merged(windows: list[TimeWindow]) -> list[TimeWindow]:
    """``windows`` sorted, overlapping and touching ones joined."""
    merged: list[TimeWindow] = []
    for w in sorted(windows):
        if merged and w.start <= merged[-1].end:
            merged[-1] = TimeWindow(merged[-1].start, max(merged[-1].end, w.end))
        else:
            merged.append(w)
    return merged


def _check_covers(plan: Any, date: dt.date) -> None:
    """Refuse a plan that is not one, or does not cover ``date``."""
    if not isinstance(plan, MealPlan | CampaignPlan | ShiftPlan | WeekPlan):
        raise OptionError(
            f"plan must be a MealPlan, CampaignPlan, ShiftPlan or WeekPlan (for example "
            f"carecal.read_plan(folder, community)), not {type(plan).__name__}"
        )
    meals, campaign, shifts = plan_parts(plan)
    dates = {m.date for m in meals}
    if campaign is not None:
        dates |= {*campaign.dates, *(b.date for b in campaign.bookings)}
    covered = date in dates or (shifts is not None and shifts.start <= date <= shifts.end)
    if not covered:
        span = sorted(dates | ({shifts.start, shifts.end} if shifts is not None else set()))
        shown = f"{span[0]} to {span[-1]}" if span else "no date"
        raise OptionError(
            f"the plan covers {shown}, not {date}; give the plan of {date}, or leave the "
            "plan out to rank by pledged hours and the history"
        )


def _work_in(plan: Any, date: dt.date) -> dict[str, Work]:
    """Every volunteer's work on ``date`` in ``plan``."""
    _check_covers(plan, date)
    meals, campaign, shifts = plan_parts(plan)
    works: dict[str, Work] = {}

    def of(vid: str) -> Work:
        return works.setdefault(vid, Work(vid, date, from_plan=True))

    for meal in meals:
        if meal.date != date:
            continue
        for trip in meal.trips:
            work = of(trip.volunteer_id)
            work.pieces.append(Piece(trip.leave, trip.back, Skill.MEALS))
            work.skills.add(Skill.MEALS)
            work.elders += [s.resident_id for s in trip.stops if s.resident_id not in work.elders]
    if campaign is not None:
        for b in campaign.bookings:
            if b.date != date or not b.escort_ids:
                continue
            start = b.pickup if b.pickup is not None else b.check_start
            end = b.home_again if b.home_again is not None else b.check_end
            for escort in b.escort_ids:
                work = of(escort)
                work.pieces.append(Piece(start, end, Skill.ESCORT))
                work.skills.add(Skill.ESCORT)
                if b.resident_id not in work.elders:
                    work.elders.append(b.resident_id)
    if shifts is not None:
        for a in shifts.assignments:
            if a.date == date:
                work = of(a.volunteer_id)
                work.pieces.append(Piece(a.start, a.end, Skill(a.role)))
                work.skills.add(Skill(a.role))
    return works


def _busy_in(plan: Any, date: dt.date) -> dict[str, list[TimeWindow]]:
    """When each volunteer is busy with their own work in ``plan`` on ``date``."""
    return {
        vid: [TimeWindow(p.start, p.end) for p in work.pieces]
        for vid, work in _work_in(plan, date).items()
    }


def _coverage(
    community: Community, vid: str, date: dt.date, work: Work, busy: list[TimeWindow]
) -> tuple[list[TimeWindow], list[Piece]]:
    """What of ``work`` ``vid`` could take: the times they could cover (a whole piece
    inside one pledged window and not busy then, else the parts of it they are free),
    and the pieces they could not take whole."""
    covered: list[TimeWindow] = []
    short: list[Piece] = []
    for p in work.pieces:
        span = TimeWindow(p.start, p.end)
        window = community.free_window(vid, date, p.start, p.end)
        if window is not None and not any(b.overlaps(span) for b in busy):
            covered.append(span)
            continue
        short.append(p)
        for w in community.availability_on(vid, date):
            part = [TimeWindow(max(w.start, p.start), min(w.end, p.end))]
            if part[0].end <= part[0].start:
                continue
            for b in busy:
                part = [x for piece in part for x in _minus(piece, b)]
            covered += part
    return covered, short


def _minus(window: TimeWindow, hole: TimeWindow) -> list[TimeWindow]:
    """``window`` less ``hole``: none, one or two windows."""
    if not window.overlaps(hole):
        return [window]
    left = [TimeWindow(window.start, hole.start)] if window.start < hole.start else []
    return left + ([TimeWindow(hole.end, window.end)] if hole.end < window.end else [])


def _group(free: bool, skilled: bool, covered: list[TimeWindow]) -> int:
    """Free and skilled first; then skilled for part, skilled, free, the rest."""
    if free and skilled:
        return 0
    if skilled and covered:
        return 1
    if skilled:
        return 2
    if free:
        return 3
    return 4


def _ordered(skills: set[Skill]) -> list[Skill]:
    return sorted(skills, key=lambda s: list(Skill).index(s))


def _hours_text(hours: list[TimeWindow], lang: str) -> str:
    _ = translator(lang).gettext
    return _(", ").join(f"{format_time(w.start)}–{format_time(w.end)}" for w in hours)


def _reason(
    community: Community,
    vid: str,
    date: dt.date,
    work: Work,
    covered: list[TimeWindow],
    short: list[Piece],
    busy: list[TimeWindow],
    missing: list[Skill],
) -> str:
    """Whether ``vid`` is free and skilled for the work, in words."""
    tr = translator(community.policy.lang)
    _ = tr.gettext
    lang = community.policy.lang
    whose = work.volunteer_id
    if not short:
        parts = [
            _("free for all of {volunteer}'s work ({hours})").format(
                volunteer=whose, hours=_hours_text(work.hours(), lang)
            )
        ]
    else:
        pledged = community.availability_on(vid, date)
        clash = [b for b in busy if any(b.overlaps(TimeWindow(p.start, p.end)) for p in short)]
        if not pledged:
            why = _("pledged no time on {weekday} {date}").format(
                weekday=tr.short_weekday(date), date=date.isoformat()
            )
        elif clash:
            why = _("busy with their own work in the plan at {hours}").format(
                hours=_hours_text(clash, lang)
            )
        else:
            why = _("pledged only {hours}").format(hours=_hours_text(pledged, lang))
        if covered:
            parts = [
                _("free for part of {volunteer}'s work ({covered} of {hours}): {why}").format(
                    volunteer=whose,
                    covered=_hours_text(_merged(covered), lang),
                    hours=_hours_text(work.hours(), lang),
                    why=why,
                )
            ]
        else:
            parts = [
                _("not free for {volunteer}'s work ({hours}): {why}").format(
                    volunteer=whose, hours=_hours_text(work.hours(), lang), why=why
                )
            ]
    if missing:
        parts.append(
            _("lacks the {skills} skill").format(skills=_(", ").join(_(s.value) for s in missing))
        )
    elif work.skills:
        parts.append(
            _("has the {skills} skill").format(
                skills=_(", ").join(_(s.value) for s in _ordered(work.skills))
            )
        )
    return _("; ").join(parts)


def _knows_text(work: Work, known: list[str], lang: str) -> str:
    _ = translator(lang).gettext
    if not work.elders:
        return _("the history names no elders of {volunteer}").format(volunteer=work.volunteer_id)
    if not known:
        return _("knows none of {volunteer}'s {total} elders").format(
            volunteer=work.volunteer_id, total=len(work.elders)
        )
    shown = _(", ").join(known[:5])
    if len(known) > 5:
        shown = _("{shown} and {count} more").format(shown=shown, count=len(known) - 5)
    return _("knows {count} of {volunteer}'s {total} elders ({ids})").format(
        count=len(known), volunteer=work.volunteer_id, total=len(work.elders), ids=shown
    )
