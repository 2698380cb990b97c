"""The domain: residents, volunteers, sites, shifts and the community that holds them.

All models are frozen pydantic v2 models. Times are minutes since midnight
(:mod:`carecal.clock`). A :class:`Community` checks its cross-references when it is
built and raises :class:`CommunityError` listing every problem at once.

This module is longer than most (about 1,500 lines) on purpose: it is the whole domain
vocabulary in one place, declarations more than logic, and the rules that several
planners share (who is due, who needs an escort, which clinic runs when, who is free)
are methods of :class:`Community` so that each lives once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cached_property
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from carecal import clock
from carecal.clock import (
    DAY_MINUTES,
    WEEKDAYS,
    TimeWindow,
    date_range,
    format_time,
    parse_time,
    weekday,
)
from carecal.errors import CarecalWarning, CommunityError, OptionError
from carecal.history import History, as_history
from carecal.i18n import N_, Message, Word
from carecal.policy import MODES, Policy, check_policy


class Mobility(StrEnum):
    """How a resident gets about."""

    INDEPENDENT = "independent"
    WALKER = "walker"
    WHEELCHAIR = "wheelchair"
    BEDRIDDEN = "bedridden"


class Skill(StrEnum):
    """What a volunteer is trained or equipped for."""

    MEALS = "meals"
    ESCORT = "escort"
    DRIVER = "driver"
    FIRST_AID = "first_aid"
    CENTRE = "centre"


class SiteKind(StrEnum):
    """The kind of a site in ``sites.csv``."""

    KITCHEN = "kitchen"
    CLINIC = "clinic"
    CENTRE = "centre"


class Role(StrEnum):
    """The role of a shift; each role needs the skill of the same name."""

    MEALS = "meals"
    ESCORT = "escort"
    CENTRE = "centre"


def _time(value: Any) -> Any:
    if isinstance(value, str):
        return parse_time(value)
    return value


class _Frozen(BaseModel):
    # The validators of the parts raise CommunityError; pydantic wraps it, as it wraps any
    # ValueError, in its ValidationError, whose sentences the readers reword per row.
    model_config = ConfigDict(frozen=True, extra="forbid")


class Resident(_Frozen):
    """A person aged 60 or over on the centre's roster.

    ``window`` is the meal delivery window; ``None`` means the policy default.
    ``owns_wheelchair`` ``None`` means "yes if the mobility is wheelchair".
    Give ``age`` or ``birth_date`` (or both).
    """

    resident_id: str = Field(min_length=1)
    name: str = ""
    birth_date: dt.date | None = None
    age: int | None = Field(None, ge=0, le=130)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    address: str = ""
    floor: int = 1
    has_lift: bool = False
    mobility: Mobility = Mobility.INDEPENDENT
    lives_alone: bool = False
    meal_days: frozenset[str] = frozenset()
    portions: int = Field(1, ge=1)
    diet: tuple[str, ...] = ()
    window: TimeWindow | None = None
    last_check: dt.date | None = None
    owns_wheelchair: bool | None = None
    preferred_volunteers: tuple[str, ...] = ()
    meals_from: dt.date | None = None
    meals_until: dt.date | None = None
    # Printed on the carrier's route sheet, so the carrier can call from the door.
    phone: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Resident:
        if self.age is None and self.birth_date is None:
            raise CommunityError(
                Message(N_("resident {id}: give an age or a birth_date"), id=self.resident_id)
            )
        if self.window is not None and self.window.end <= self.window.start:
            raise CommunityError(
                Message(
                    N_("resident {id}: delivery window {window} closes before it opens"),
                    id=self.resident_id,
                    window=f"{format_time(self.window.start)}–{format_time(self.window.end)}",
                )
            )
        bad = [d for d in self.meal_days if d not in WEEKDAYS]
        if bad:
            raise CommunityError(
                Message(
                    N_("resident {id}: unknown meal days {days}"),
                    id=self.resident_id,
                    days=str(sorted(bad)),
                )
            )
        if (
            self.meals_from is not None
            and self.meals_until is not None
            and self.meals_until < self.meals_from
        ):
            raise CommunityError(
                Message(
                    N_(
                        "resident {id}: meals_until {until} comes before meals_from {since}; "
                        "swap them or correct one"
                    ),
                    id=self.resident_id,
                    until=self.meals_until,
                    since=self.meals_from,
                )
            )
        return self

    def age_on(self, date: dt.date) -> int:
        """Age in whole years on ``date`` (from ``birth_date`` when known, else ``age``)."""
        if self.birth_date is None:
            assert self.age is not None
            return self.age
        b = self.birth_date
        return date.year - b.year - ((date.month, date.day) < (b.month, b.day))

    @property
    def has_own_wheelchair(self) -> bool:
        """Whether the resident has a wheelchair of their own."""
        if self.owns_wheelchair is None:
            return self.mobility == Mobility.WHEELCHAIR
        return self.owns_wheelchair

    def wants_meal_on(self, date: dt.date) -> bool:
        """Whether the standing meal order includes ``date``: its weekday is one of
        ``meal_days`` and the date is within ``meals_from``..``meals_until`` (both
        included, each open when ``None``)."""
        if self.meals_from is not None and date < self.meals_from:
            return False
        if self.meals_until is not None and date > self.meals_until:
            return False
        return weekday(date) in self.meal_days


class Volunteer(_Frozen):
    """A volunteer: home, travel mode, carrying capacity, skills and weekly limits.

    ``capacity`` and ``max_shifts_per_week`` ``None`` take the policy defaults.
    ``max_consecutive_days`` ``None`` takes the policy's; the other period pledges
    (``min/max_minutes_per_period``, ``min_consecutive_days``, ``min_days_off_in_a_row``,
    ``max_weekends``, ``max_shifts_by_id``: shift id -> most shifts of that id in the
    period) are off when empty. All are hard rules for the shift planner.
    """

    volunteer_id: str = Field(min_length=1)
    name: str = ""
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    mode: str = "walk"
    capacity: int | None = Field(None, ge=1)
    skills: frozenset[Skill] = frozenset()
    max_shifts_per_week: int | None = Field(None, ge=0)
    max_hours_per_week: float | None = Field(None, ge=0)
    # Pledges over the whole planned period (hard rules of the shift planner); the defaults
    # leave them out. A run of working days or days off that touches the first or last day
    # of the period is not held to a minimum length (what came before is unknown).
    min_minutes_per_period: int | None = Field(None, ge=0)
    max_minutes_per_period: int | None = Field(None, ge=0)
    max_consecutive_days: int | None = Field(None, ge=1)
    min_consecutive_days: int | None = Field(None, ge=1)
    min_days_off_in_a_row: int | None = Field(None, ge=1)
    max_weekends: int | None = Field(None, ge=0)
    max_shifts_by_id: dict[str, int] = Field(default_factory=dict)
    # For the coordinator's call list; carecal plans nothing with it.
    phone: str | None = None

    @field_validator("mode")
    @classmethod
    def _mode(cls, value: str) -> str:
        if value not in MODES:
            raise CommunityError(
                Message(
                    N_("mode '{mode}' is not one of {modes}"), mode=value, modes=", ".join(MODES)
                )
            )
        return value

    def has(self, skill: Skill | str) -> bool:
        """Whether the volunteer has ``skill``."""
        return Skill(skill) in self.skills


class Availability(_Frozen):
    """One row of ``availability.csv``.

    Exactly one of ``day`` (a weekday, repeating every week) and ``date`` is set.
    ``available=False`` on a date removes that time (a holiday, an appointment).
    """

    volunteer_id: str
    day: str | None = None
    date: dt.date | None = None
    start: int = 0
    end: int = 24 * 60
    available: bool = True

    _start = field_validator("start", "end", mode="before")(classmethod(lambda cls, v: _time(v)))

    @model_validator(mode="after")
    def _check(self) -> Availability:
        if (self.day is None) == (self.date is None):
            raise CommunityError(Message(N_("give either a weekday or a date")))
        if self.day is not None and self.day not in WEEKDAYS:
            raise CommunityError(Message(N_("'{day}' is not a weekday"), day=self.day))
        if self.end <= self.start:
            raise CommunityError(
                Message(
                    N_("availability {window} ends before it starts"),
                    window=f"{format_time(self.start)}–{format_time(self.end)}",
                )
            )
        return self

    def applies_to(self, date: dt.date) -> bool:
        """Whether this row speaks about ``date``."""
        return self.date == date if self.date is not None else self.day == weekday(date)


class Site(_Frozen):
    """A kitchen, clinic or centre.

    For a clinic, ``slot_minutes``, ``places_per_slot`` and ``check_minutes`` describe the
    health check; ``wheelchairs`` is the pool a kitchen or centre lends out.
    """

    site_id: str = Field(min_length=1)
    kind: SiteKind
    name: str = ""
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    open: int = 0
    close: int = 24 * 60
    slot_minutes: int | None = Field(None, ge=1)
    places_per_slot: int | None = Field(None, ge=0)
    check_minutes: int | None = Field(None, ge=1)
    wheelchairs: int = Field(0, ge=0)

    _times = field_validator("open", "close", mode="before")(classmethod(lambda cls, v: _time(v)))

    @model_validator(mode="after")
    def _check(self) -> Site:
        if self.close <= self.open:
            raise CommunityError(
                Message(
                    N_("site {id}: closes at {close}, before it opens at {open}"),
                    id=self.site_id,
                    close=format_time(self.close),
                    open=format_time(self.open),
                )
            )
        return self


class ShiftTemplate(_Frozen):
    """One row of ``shifts.csv``: a weekday template or a single dated shift.

    ``min_volunteers`` ``None`` stands for ``auto``: derived from the meal and escort plans.
    """

    shift_id: str = Field(min_length=1)
    role: Role
    day: str | None = None
    date: dt.date | None = None
    start: int
    end: int
    min_volunteers: int | None = Field(None, ge=0)
    max_volunteers: int | None = Field(None, ge=0)
    # Cost per place short of the minimum / per volunteer above the maximum; ``None`` takes
    # the policy's ``weight_under_cover`` / ``weight_over_cover``.
    weight_under: int | None = Field(None, ge=0)
    weight_over: int | None = Field(None, ge=0)

    _times = field_validator("start", "end", mode="before")(classmethod(lambda cls, v: _time(v)))

    @model_validator(mode="after")
    def _check(self) -> ShiftTemplate:
        if (self.day is None) == (self.date is None):
            raise CommunityError(
                Message(N_("shift {id}: give either a weekday or a date"), id=self.shift_id)
            )
        if self.end <= self.start:
            raise CommunityError(Message(N_("shift {id}: ends before it starts"), id=self.shift_id))
        return self

    def applies_to(self, date: dt.date) -> bool:
        """Whether the shift runs on ``date``."""
        return self.date == date if self.date is not None else self.day == weekday(date)


class Request(_Frozen):
    """A volunteer's wish to work (``want=True``) or be off on a day or shift."""

    volunteer_id: str
    day: str | None = None
    date: dt.date | None = None
    shift_id: str | None = None
    want: bool = True
    weight: int = Field(1, ge=0)

    def applies_to(self, date: dt.date) -> bool:
        """Whether the request speaks about ``date``."""
        return self.date == date if self.date is not None else self.day == weekday(date)


class CampaignDay(_Frozen):
    """A date of the health-check campaign at one clinic, optionally with its own hours."""

    date: dt.date
    clinic_id: str
    open: int | None = None
    close: int | None = None

    _times = field_validator("open", "close", mode="before")(
        classmethod(lambda cls, v: _time(v) if v is not None else None)
    )


@dataclass(frozen=True)
class ClinicDay:
    """One campaign date at one clinic: its hours and slot starts (minutes since midnight).

    Made by :meth:`Community.clinic_days` from ``campaign.csv`` and the clinic's row of
    ``sites.csv``.
    """

    date: dt.date
    clinic_id: str
    open: int
    close: int
    slot_minutes: int
    places_per_slot: int
    check_minutes: int
    slots: tuple[int, ...]

    @property
    def places(self) -> int:
        """Places on this day."""
        return self.places_per_slot * len(self.slots)


class ChangeKind(StrEnum):
    """What a row of ``changes.csv`` says has changed."""

    RESIDENT_AWAY = "resident_away"
    """No meals and no health-check booking from ``start`` to ``end``; a suspension:
    meals restart by themselves the day after ``end``."""
    VOLUNTEER_OFF = "volunteer_off"
    """The volunteer is not available from ``start`` to ``end`` (overrides availability)."""
    EXTRA_MEAL = "extra_meal"
    """A one-off delivery on each date from ``start`` to ``end`` (portions from the
    resident's row)."""
    CLINIC_CLOSED = "clinic_closed"
    """The clinic takes no checks from ``start`` to ``end`` (whole days or part of one)."""


CHANGE_ENTITY: dict[ChangeKind, str] = {
    ChangeKind.RESIDENT_AWAY: "resident",
    ChangeKind.VOLUNTEER_OFF: "volunteer",
    ChangeKind.EXTRA_MEAL: "resident",
    ChangeKind.CLINIC_CLOSED: "clinic",
}
"""What the ``id`` of a change names, by kind."""


def _moment(value: Any, *, end: bool) -> Any:
    """A change's start or end as a naive datetime: a date starts at 00:00 and, as an
    end, runs through 24:00 (00:00 of the next day)."""
    if isinstance(value, str):
        text = value.strip()
        date_text, _, time_text = text.partition(" ")
        if "T" in date_text and not time_text:
            date_text, _, time_text = date_text.partition("T")
        day = clock.parse_date(date_text)
        if not time_text.strip():
            value = day
        else:
            minutes = parse_time(time_text.strip())
            return _minutes_after(day, minutes)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise CommunityError(
                Message(
                    N_(
                        "{value} has a time zone; give a naive local date and time "
                        "(YYYY-MM-DD HH:MM)"
                    ),
                    value=str(value),
                )
            )
        return value.replace(second=0, microsecond=0)
    if isinstance(value, dt.date):
        return _minutes_after(value, DAY_MINUTES if end else 0)
    return value


def _minutes_after(day: dt.date, minutes: int) -> dt.datetime:
    """``minutes`` after midnight of ``day``; a CommunityError past the last day a
    calendar holds (24:00 of 9999-12-31), not an OverflowError."""
    try:
        return dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes)
    except OverflowError:
        raise CommunityError(
            Message(
                N_("{day} is the last day the calendar holds; give an end before 9999-12-31"),
                day=str(day),
            )
        ) from None


class Change(_Frozen):
    """One change to the community's usual week: a row of ``changes.csv``.

    ``start`` and ``end`` are naive local datetimes: the change holds from ``start`` up to
    ``end`` (not included). Either may be given as a date, ``"YYYY-MM-DD"`` or
    ``"YYYY-MM-DD HH:MM"``; a date ``start`` means from 00:00 of that day and a date
    ``end`` means through 24:00 of that day, so it is kept as 00:00 of the next day.
    For ``extra_meal`` ``end`` may be left out: the meal is on the ``start`` day only.

    ``id`` names a resident (``resident_away``, ``extra_meal``), a volunteer
    (``volunteer_off``) or a clinic (``clinic_closed``); :class:`Community` checks it.
    """

    kind: ChangeKind
    id: str = Field(min_length=1)
    start: dt.datetime
    end: dt.datetime
    note: str = ""

    @model_validator(mode="before")
    @classmethod
    def _moments(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if data.get("start") is not None:
            data["start"] = _moment(data["start"], end=False)
        if data.get("end") is not None and data.get("end") != "":
            data["end"] = _moment(data["end"], end=True)
        elif str(data.get("kind", "")) == ChangeKind.EXTRA_MEAL and isinstance(
            data.get("start"), dt.datetime
        ):
            # An extra meal without an end is for its start day alone.
            data["end"] = _minutes_after(data["start"].date(), DAY_MINUTES)
        else:
            data.pop("end", None)
        return data

    @model_validator(mode="after")
    def _check(self) -> Change:
        if self.end <= self.start:
            raise CommunityError(
                Message(
                    N_(
                        "{kind} {id}: end {end} comes before start {start}; swap them or "
                        "correct one"
                    ),
                    kind=self.kind.value,
                    id=self.id,
                    end=_shown_moment(self.end, end=True),
                    start=_shown_moment(self.start, end=False),
                )
            )
        if self.kind == ChangeKind.EXTRA_MEAL and (
            self.start.time() != dt.time() or self.end.time() != dt.time()
        ):
            raise CommunityError(
                Message(
                    N_(
                        "extra_meal {id}: an extra meal is for whole days; write start (and "
                        "end) as dates without a time"
                    ),
                    id=self.id,
                )
            )
        return self

    @property
    def first_day(self) -> dt.date:
        """The first date the change touches."""
        return self.start.date()

    @property
    def last_day(self) -> dt.date:
        """The last date the change touches (``end`` is not included)."""
        return (self.end - dt.timedelta(minutes=1)).date()

    def touches(self, date: dt.date) -> bool:
        """Whether the change holds during any part of ``date``."""
        return self.first_day <= date <= self.last_day

    def minutes_on(self, date: dt.date) -> TimeWindow | None:
        """The part of ``date`` the change holds, in minutes since midnight, or ``None``."""
        if not self.touches(date):
            return None
        midnight = dt.datetime.combine(date, dt.time())
        start = max(0, int((self.start - midnight).total_seconds() // 60))
        end = min(DAY_MINUTES, int((self.end - midnight).total_seconds() // 60))
        return TimeWindow(start, end)

    def covers_day(self, date: dt.date) -> bool:
        """Whether the change holds for the whole of ``date``."""
        part = self.minutes_on(date)
        return part is not None and part.start == 0 and part.end == DAY_MINUTES


def _shown_moment(moment: dt.datetime, *, end: bool) -> str:
    """A change's start or end as ``changes.csv`` writes it (a whole day as a date)."""
    if moment.time() == dt.time():
        return (moment.date() - dt.timedelta(days=1) if end else moment.date()).isoformat()
    return moment.strftime("%Y-%m-%d %H:%M")


def format_change_moment(moment: dt.datetime, *, end: bool) -> str:
    """A change's ``start`` or ``end`` as ``changes.csv`` writes it.

    A moment at 00:00 is written as a date: as a start, that day; as an end, the day
    before (a date end means through 24:00), so the text reads back to the same moment.
    Any other moment is written ``YYYY-MM-DD HH:MM``.
    """
    return _shown_moment(moment, end=end)


class TravelOverride(_Frozen):
    """A travel time from ``travel.csv`` between two ids (residents, volunteers, sites)."""

    from_id: str
    to_id: str
    mode: str
    minutes: float = Field(ge=0)


class Community(_Frozen):
    """One elderly service centre's world: the aggregate every planner takes.

    Parameters
    ----------
    residents, volunteers, sites
        The roster, the volunteers and the sites (at least one kitchen for meals).
    availability
        The volunteers' pledged times.
    shifts, requests, campaign, travel, changes
        Optional tables (``shifts.csv``, ``requests.csv``, ``campaign.csv``, ``travel.csv``,
        ``changes.csv``).
    policy
        The centre's rules (:class:`carecal.policy.Policy`).
    history
        What earlier plans say (:class:`carecal.history.History`; empty by default): who
        brought whom their meal, who escorted whom, who was left unserved. Set it with
        :meth:`with_history`; :func:`carecal.io.read_community` reads the ``history/``
        folder into it.
    reference_date
        The date against which ages and "due" are judged when no plan date says otherwise.

    Raises
    ------
    CommunityError
        Listing every broken cross-reference at once.
    """

    residents: tuple[Resident, ...] = ()
    volunteers: tuple[Volunteer, ...] = ()
    availability: tuple[Availability, ...] = ()
    sites: tuple[Site, ...] = ()
    shifts: tuple[ShiftTemplate, ...] = ()
    requests: tuple[Request, ...] = ()
    campaign: tuple[CampaignDay, ...] = ()
    travel: tuple[TravelOverride, ...] = ()
    changes: tuple[Change, ...] = ()
    policy: Policy = Field(default_factory=Policy)
    history: History = Field(default_factory=History)

    model_config = ConfigDict(frozen=True, extra="forbid", ignored_types=(cached_property,))

    def __init__(self, **data: Any) -> None:
        super().__init__(**data)
        # Raised here rather than in a validator so that callers get a CommunityError with
        # its problem list, not pydantic's wrapper.
        problems = self._cross_reference_problems()
        if problems:
            raise CommunityError(problems)

    def _cross_reference_problems(self) -> list[str]:
        problems: list[str] = []
        problems += _duplicates("resident", [r.resident_id for r in self.residents])
        problems += _duplicates("volunteer", [v.volunteer_id for v in self.volunteers])
        problems += _duplicates("site", [s.site_id for s in self.sites])
        problems += _duplicates("shift", [s.shift_id for s in self.shifts if s.day is not None])
        vids = {v.volunteer_id for v in self.volunteers}
        for pledge in self.availability:
            if pledge.volunteer_id not in vids:
                problems.append(
                    Message(
                        N_(
                            "availability names volunteer {id}, who is not in volunteers; add "
                            "them to volunteers or correct the id"
                        ),
                        id=pledge.volunteer_id,
                    )
                )
        for row in self.requests:
            if row.volunteer_id not in vids:
                problems.append(
                    Message(
                        N_(
                            "requests name volunteer {id}, who is not in volunteers; add them "
                            "to volunteers or correct the id"
                        ),
                        id=row.volunteer_id,
                    )
                )
        shift_ids = {s.shift_id for s in self.shifts}
        for row in self.requests:
            if row.shift_id is not None and row.shift_id not in shift_ids:
                problems.append(
                    Message(
                        N_(
                            "a request of volunteer {id} names shift {shift}, which is not in "
                            "shifts; correct the shift_id or leave it empty"
                        ),
                        id=row.volunteer_id,
                        shift=row.shift_id,
                    )
                )
        for vol in self.volunteers:
            for sid in vol.max_shifts_by_id:
                if sid not in shift_ids:
                    problems.append(
                        Message(
                            N_(
                                "volunteer {id} has a limit for shift {shift}, which is not in "
                                "shifts; correct the shift_id or remove the limit"
                            ),
                            id=vol.volunteer_id,
                            shift=sid,
                        )
                    )
        for r in self.residents:
            for v in r.preferred_volunteers:
                if v not in vids:
                    problems.append(
                        Message(
                            N_(
                                "resident {id} prefers volunteer {volunteer}, who is not in "
                                "volunteers; correct the id or remove it"
                            ),
                            id=r.resident_id,
                            volunteer=v,
                        )
                    )
        clinics = {s.site_id for s in self.sites if s.kind == SiteKind.CLINIC}
        for day in self.campaign:
            if day.clinic_id not in clinics:
                problems.append(
                    Message(
                        N_(
                            "campaign day {date} names clinic {clinic}, which is not a clinic "
                            "in sites; add it to sites with kind clinic or correct the id"
                        ),
                        date=str(day.date),
                        clinic=day.clinic_id,
                    )
                )
        problems += self._change_problems(clinics)
        for s in self.sites:
            if s.kind == SiteKind.CLINIC:
                missing = [
                    name
                    for name in ("slot_minutes", "places_per_slot", "check_minutes")
                    if getattr(s, name) is None
                ]
                if missing:
                    problems.append(
                        Message(
                            N_("clinic {id} has no {columns}; fill them in sites"),
                            id=s.site_id,
                            columns=", ".join(missing),
                        )
                    )
        return problems

    def _change_problems(self, clinics: set[str]) -> list[str]:
        known = {
            "resident": {r.resident_id for r in self.residents},
            "volunteer": {v.volunteer_id for v in self.volunteers},
            "clinic": clinics,
        }
        table = {"resident": "residents", "volunteer": "volunteers", "clinic": "sites"}
        problems: list[str] = []
        for c in self.changes:
            entity = CHANGE_ENTITY[c.kind]
            if c.id not in known[entity]:
                close = difflib.get_close_matches(c.id, sorted(known[entity]), n=1, cutoff=0.6)
                values = {
                    "kind": c.kind.value,
                    "start": format_change_moment(c.start, end=False),
                    "entity": Word(entity),
                    "id": c.id,
                    "table": table[entity],
                }
                problems.append(
                    Message(
                        N_(
                            "change {kind} from {start} names {entity} {id}, who is not in "
                            "{table}; did you mean {close}? correct the id"
                        ),
                        close=close[0],
                        **values,
                    )
                    if close
                    else Message(
                        N_(
                            "change {kind} from {start} names {entity} {id}, who is not in "
                            "{table}; correct the id"
                        ),
                        **values,
                    )
                )
        return problems

    # --- look-ups ----------------------------------------------------------------------
    @cached_property
    def resident_by_id(self) -> dict[str, Resident]:
        """Residents by ``resident_id``."""
        return {r.resident_id: r for r in self.residents}

    @cached_property
    def volunteer_by_id(self) -> dict[str, Volunteer]:
        """Volunteers by ``volunteer_id``."""
        return {v.volunteer_id: v for v in self.volunteers}

    @cached_property
    def site_by_id(self) -> dict[str, Site]:
        """Sites by ``site_id``."""
        return {s.site_id: s for s in self.sites}

    def sites_of(self, kind: SiteKind | str) -> list[Site]:
        """All sites of one kind, in file order."""
        return [s for s in self.sites if s.kind == SiteKind(kind)]

    @property
    def kitchen(self) -> Site:
        """The (first) kitchen; meal trips start there.

        Raises
        ------
        CommunityError
            When there is no kitchen.
        """
        kitchens = self.sites_of(SiteKind.KITCHEN)
        if not kitchens:
            raise CommunityError(
                ["sites has no kitchen; add a row with kind kitchen where the meals are cooked"]
            )
        return kitchens[0]

    def wheelchair_pool(self) -> int:
        """How many wheelchairs the centre lends out (kitchens and centres together)."""
        return sum(s.wheelchairs for s in self.sites if s.kind != SiteKind.CLINIC)

    def capacity_of(self, volunteer: Volunteer) -> int:
        """Portions a volunteer carries per trip (their own or the policy default)."""
        if volunteer.capacity is not None:
            return volunteer.capacity
        return self.policy.capacity[volunteer.mode]

    def max_shifts_of(self, volunteer: Volunteer) -> int:
        """A volunteer's shifts per week (their own or the policy default)."""
        if volunteer.max_shifts_per_week is not None:
            return volunteer.max_shifts_per_week
        return self.policy.max_shifts_per_week

    def window_of(self, resident: Resident) -> TimeWindow:
        """A resident's delivery window (their own or the policy default)."""
        if resident.window is not None:
            return resident.window
        return TimeWindow(self.policy.default_window_start, self.policy.default_window_end)

    def handover_minutes(self, resident: Resident) -> int:
        """Minutes at the door: base, plus bedridden, plus stairs without a lift."""
        p = self.policy
        minutes = p.handover_minutes
        if resident.mobility == Mobility.BEDRIDDEN:
            minutes += p.bedridden_extra_minutes
        if not resident.has_lift and resident.floor > 1:
            minutes += p.floor_minutes_without_lift * (resident.floor - 1)
        return minutes

    @cached_property
    def _availability_of(self) -> dict[str, list[Availability]]:
        # Grouped once: planners ask for every volunteer on every date.
        rows: dict[str, list[Availability]] = {}
        for a in self.availability:
            rows.setdefault(a.volunteer_id, []).append(a)
        return rows

    @cached_property
    def _availability_index(
        self,
    ) -> dict[str, tuple[dict[str, list[Availability]], dict[dt.date, list[Availability]]]]:
        # Per volunteer, the weekly rows by weekday and the dated rows by date, in file order.
        index: dict[
            str, tuple[dict[str, list[Availability]], dict[dt.date, list[Availability]]]
        ] = {}
        for vid, rows in self._availability_of.items():
            by_day: dict[str, list[Availability]] = {}
            by_date: dict[dt.date, list[Availability]] = {}
            for a in rows:
                if a.date is not None:
                    by_date.setdefault(a.date, []).append(a)
                elif a.day is not None:
                    by_day.setdefault(a.day, []).append(a)
            index[vid] = (by_day, by_date)
        return index

    @cached_property
    def _changes_of(self) -> dict[tuple[ChangeKind, str], list[Change]]:
        # Grouped once: planners ask for every resident or volunteer on every date.
        grouped: dict[tuple[ChangeKind, str], list[Change]] = {}
        for c in self.changes:
            grouped.setdefault((c.kind, c.id), []).append(c)
        return grouped

    def changes_of(self, kind: ChangeKind | str, id_: str) -> list[Change]:
        """The changes of one kind naming one id, in table order."""
        return self._changes_of.get((ChangeKind(kind), id_), [])

    def availability_on(self, volunteer_id: str, date: dt.date) -> list[TimeWindow]:
        """The volunteer's free time on ``date``, as disjoint sorted windows.

        The weekly pattern for the weekday, plus dated ``available`` rows, minus dated
        rows marked not available, minus the part of the day of each ``volunteer_off``
        change (a change overrides availability).
        """
        by_day, by_date = self._availability_index.get(volunteer_id, ({}, {}))
        rows = by_day.get(weekday(date), []) + by_date.get(date, [])
        free = _merge([TimeWindow(a.start, a.end) for a in rows if a.available])
        for a in rows:
            if not a.available:
                free = _subtract(free, TimeWindow(a.start, a.end))
        for change in self.changes_of(ChangeKind.VOLUNTEER_OFF, volunteer_id):
            part = change.minutes_on(date)
            if part is not None:
                free = _subtract(free, part)
        return free

    def away_on(self, resident_id: str, date: dt.date) -> bool:
        """Whether a ``resident_away`` change holds during any part of ``date``.

        The one rule of "away" for every planner and the verifier: a resident away for
        any part of a day gets no meal and no health-check booking that day; their meals
        restart by themselves the day after the change ends.
        """
        return any(c.touches(date) for c in self.changes_of(ChangeKind.RESIDENT_AWAY, resident_id))

    def extra_meal_on(self, resident_id: str, date: dt.date) -> bool:
        """Whether an ``extra_meal`` change asks for a delivery to the resident on ``date``."""
        return any(c.touches(date) for c in self.changes_of(ChangeKind.EXTRA_MEAL, resident_id))

    def free_window(
        self, volunteer_id: str, date: dt.date, start: int, end: int
    ) -> TimeWindow | None:
        """The pledged window of ``volunteer_id`` on ``date`` that holds all of
        ``start``..``end``, or ``None``: work must fit inside one pledged window.

        The one rule of "free for this work" for every planner and the verifier.
        """
        span = TimeWindow(start, end)
        return next((w for w in self.availability_on(volunteer_id, date) if w.contains(span)), None)

    def deliveries_on(self, date: dt.date) -> list[Resident]:
        """The residents who get a meal on ``date``: the one rule for every planner and
        the verifier.

        Those whose standing order includes ``date`` (:meth:`Resident.wants_meal_on`:
        the weekday, within ``meals_from``..``meals_until``) or who have an
        ``extra_meal`` that day, less those away that day (:meth:`away_on`: away wins
        over an extra meal, for nobody is home to take it). In roster order.
        """
        return [
            r
            for r in self.residents
            if (r.wants_meal_on(date) or self.extra_meal_on(r.resident_id, date))
            and not self.away_on(r.resident_id, date)
        ]

    def needs_escort(self, resident: Resident, on: dt.date) -> bool:
        """Whether a resident needs an escort to the clinic (policy: mobility or age)."""
        if resident.mobility == Mobility.BEDRIDDEN:
            return False
        return (
            self.policy.needs_escort_mobility(resident.mobility.value)
            or resident.age_on(on) >= self.policy.escort_age
        )

    def is_due(self, resident: Resident, first_day: dt.date) -> bool:
        """Whether a resident is due a health check on a campaign starting ``first_day``."""
        if resident.last_check is None:
            return True
        # "No check in the N days before": a check exactly N days before still counts.
        return (first_day - resident.last_check).days > self.policy.check_due_days

    def clinic_days(
        self,
        start: dt.date | None = None,
        end: dt.date | None = None,
        *,
        listed_only: bool = False,
    ) -> list[ClinicDay]:
        """The clinic days of a health-check campaign: the one rule, for every caller.

        The planner, the verifier and the plan-folder reader all ask this method, so a
        plan carecal writes is read back and checked against the same days.

        Parameters
        ----------
        start, end
            The period (both included). ``None`` for both: every row of ``campaign.csv``.
        listed_only
            Only the rows of ``campaign.csv`` in the period (the week plan runs the
            campaign only on the days the centre listed).

        Returns
        -------
        list of ClinicDay
            In date then clinic order. The rows of ``campaign.csv`` in the period (several
            clinics on one date are fine: the key is date and clinic); and, unless
            ``listed_only``, when the community has exactly one clinic, that clinic with
            its own hours on every Monday-to-Friday date of the period that
            ``campaign.csv`` does not list. ``clinic_closed`` changes remove the days
            they close whole and the slots of the part of a day they close.

        Raises
        ------
        CommunityError
            When there is no clinic; when the period holds no campaign day; when the
            community has several clinics and the period has weekdays ``campaign.csv``
            does not list (the message names the dates and the fix); when a listed day
            closes before it opens.
        """
        clinics = self.sites_of(SiteKind.CLINIC)
        if not clinics:
            raise CommunityError(
                [
                    Message(
                        N_(
                            "sites has no clinic; add a row with kind clinic where the checks "
                            "are done"
                        )
                    )
                ]
            )
        if (start is None) != (end is None):
            raise CommunityError(
                [Message(N_("give both start and end of the campaign period, or neither"))]
            )
        if start is None or end is None:
            rows = list(self.campaign)
            if not rows:
                raise CommunityError(
                    [
                        Message(
                            N_(
                                "there are no campaign days; add campaign.csv (date, clinic_id) "
                                "or give the first and last day to plan"
                            )
                        )
                    ]
                )
        else:
            rows = [c for c in self.campaign if start <= c.date <= end]
            listed = {c.date for c in rows}
            open_dates = [
                d
                for d in date_range(start, end)
                if d not in listed and d.weekday() < 5 and not listed_only
            ]
            if open_dates and len(clinics) == 1:
                rows += [CampaignDay(date=d, clinic_id=clinics[0].site_id) for d in open_dates]
            elif open_dates:
                shown: str = ", ".join(str(d) for d in open_dates[:10])
                if len(open_dates) > 10:
                    shown = Message(
                        N_("{dates} and {count} more"), dates=shown, count=len(open_dates) - 10
                    )
                raise CommunityError(
                    [
                        Message(
                            N_(
                                "campaign.csv does not say which clinic runs on {dates}, and "
                                "there are {count} clinics ({clinics}); add a row (date, "
                                "clinic_id) to campaign.csv for each of these dates, or plan "
                                "only the dates campaign.csv lists"
                            ),
                            dates=shown,
                            count=len(clinics),
                            clinics=", ".join(c.site_id for c in clinics),
                        )
                    ]
                )
            if not rows:
                raise CommunityError(
                    [
                        Message(
                            N_(
                                "no campaign day falls between {start} and {end}: campaign.csv "
                                "lists none and those dates are a weekend; choose dates "
                                "campaign.csv lists or a weekday"
                            ),
                            start=str(start),
                            end=str(end),
                        )
                    ]
                )
        days: list[ClinicDay] = []
        problems: list[str] = []
        closed: list[str] = []
        for row in sorted(rows, key=lambda c: (c.date, c.clinic_id)):
            day = self._clinic_day_of(row)
            if day is None:
                problems.append(
                    Message(
                        N_(
                            "campaign day {date} at {clinic}: the clinic closes before it "
                            "opens; correct open/close in campaign.csv"
                        ),
                        date=str(row.date),
                        clinic=row.clinic_id,
                    )
                )
                continue
            open_day = self._open_part(day)
            if open_day is None:
                closed.append(f"{row.date} at {row.clinic_id}")
            else:
                days.append(open_day)
        if problems:
            raise CommunityError(problems)
        if closed and not days and not listed_only:
            raise CommunityError(
                [
                    Message(
                        N_(
                            "every campaign day of the period is closed by a clinic_closed "
                            "change ({days}); choose other dates or correct changes.csv"
                        ),
                        days=", ".join(closed[:10]) + (" and more" if len(closed) > 10 else ""),
                    )
                ]
            )
        return days

    def clinic_day(self, date: dt.date, clinic_id: str) -> ClinicDay | None:
        """The clinic day at ``clinic_id`` on ``date`` under :meth:`clinic_days`'s rule.

        ``None`` when that clinic does not run on that date: it is neither a row of
        ``campaign.csv`` nor, for the community's only clinic, a Monday-to-Friday date
        ``campaign.csv`` does not list; or a ``clinic_closed`` change closes it for the
        whole day. A change closing part of the day removes the slots it overlaps.
        """
        listed = [c for c in self.campaign if c.date == date]
        row = next((c for c in listed if c.clinic_id == clinic_id), None)
        if row is None:
            clinics = self.sites_of(SiteKind.CLINIC)
            only = len(clinics) == 1 and clinics[0].site_id == clinic_id
            if listed or not only or date.weekday() >= 5:
                return None
            row = CampaignDay(date=date, clinic_id=clinic_id)
        day = self._clinic_day_of(row)
        return None if day is None else self._open_part(day)

    def _open_part(self, day: ClinicDay) -> ClinicDay | None:
        """``day`` less its ``clinic_closed`` changes, or ``None`` when nothing is left.

        A closure over the whole day (its hours or more) removes the day; a closure of
        part of it keeps ``open``/``close`` (the slot grid starts at ``open``) and drops
        each slot whose check would overlap the closure, so a closed morning keeps the
        afternoon's slots and a closed midday keeps both ends. A day left without a slot
        is removed too.
        """
        holes = [
            part
            for c in self.changes_of(ChangeKind.CLINIC_CLOSED, day.clinic_id)
            if (part := c.minutes_on(day.date)) is not None
        ]
        if not holes:
            return day
        if any(h.contains(TimeWindow(day.open, day.close)) for h in holes):
            return None
        slots = tuple(
            s
            for s in day.slots
            if not any(h.overlaps(TimeWindow(s, s + day.check_minutes)) for h in holes)
        )
        if not slots:
            return None
        return replace(day, slots=slots)

    def _clinic_day_of(self, row: CampaignDay) -> ClinicDay | None:
        clinic = self.site_by_id[row.clinic_id]
        start = clinic.open if row.open is None else row.open
        end = clinic.close if row.close is None else row.close
        check = clinic.check_minutes or 0
        step = clinic.slot_minutes or 1
        if end <= start:
            return None
        return ClinicDay(
            date=row.date,
            clinic_id=row.clinic_id,
            open=start,
            close=end,
            slot_minutes=step,
            places_per_slot=clinic.places_per_slot or 0,
            check_minutes=check,
            slots=tuple(range(start, end - check + 1, step)),
        )

    def with_changes(self, **changes: Any) -> Community:
        """A copy with some tables replaced, validated again.

        ``policy`` may be a :class:`~carecal.policy.Policy`, which replaces the policy, or
        a dict of settings, which is merged into the current policy as
        :meth:`with_policy` does.

        Raises
        ------
        CommunityError
            When a table or a policy value is invalid.
        """
        data = {name: getattr(self, name) for name in type(self).model_fields}
        data.update(changes)
        policy = changes.get("policy")
        if isinstance(policy, Mapping):
            data["policy"] = self._merged_policy(policy)
        elif "policy" in changes:
            data["policy"] = check_policy(policy)
        return Community(**data)

    def with_policy(self, **changes: Any) -> Community:
        """A copy whose policy has some settings changed and the others kept.

        For example ``community.with_policy(max_food_minutes=40, capacity={"walk": 5})``:
        times may be ``"HH:MM"``; ``capacity`` and ``speed_kmh`` change only the modes
        given. The new policy is checked as ``policy.toml`` is.

        Raises
        ------
        CommunityError
            Naming each invalid setting, its value and the fix (``max_food_minutes = -5``).
        """
        return self.with_changes(policy=dict(changes))

    # --- what-if -------------------------------------------------------------------------

    def without_volunteer(self, volunteer_id: str) -> Community:
        """A copy without one volunteer: gone from every table at once.

        The volunteer's row, their availability and requests, the travel times naming
        them and every resident's ``preferred_volunteers`` entry for them are removed, so
        that the copy is valid and the planners can be asked "and without V07?".

        Parameters
        ----------
        volunteer_id
            The id of a volunteer of the community.

        Raises
        ------
        CommunityError
            When no volunteer has that id; the message names it and the close ids.
        """
        self._known_volunteer(volunteer_id)
        residents = tuple(
            r.model_copy(
                update={
                    "preferred_volunteers": tuple(
                        v for v in r.preferred_volunteers if v != volunteer_id
                    )
                }
            )
            if volunteer_id in r.preferred_volunteers
            else r
            for r in self.residents
        )
        return self.with_changes(
            volunteers=tuple(v for v in self.volunteers if v.volunteer_id != volunteer_id),
            availability=tuple(a for a in self.availability if a.volunteer_id != volunteer_id),
            requests=tuple(q for q in self.requests if q.volunteer_id != volunteer_id),
            travel=tuple(t for t in self.travel if volunteer_id not in (t.from_id, t.to_id)),
            residents=residents,
        )

    def with_unavailable(self, volunteer_id: str, start: Any, end: Any = None) -> Community:
        """A copy in which a volunteer is away from ``start`` to ``end`` (both included).

        Written as ``availability.csv`` writes an exception: one dated row per day,
        00:00–24:00, ``available`` false, which takes that whole day out of their pledges.

        Parameters
        ----------
        volunteer_id
            The id of a volunteer of the community.
        start, end
            The first and last day away: a ``datetime.date``, ``"YYYY-MM-DD"`` or anything
            naming a day (:func:`carecal.clock.coerce_date`). ``end`` defaults to
            ``start`` (one day).

        Raises
        ------
        CommunityError
            When no volunteer has that id; the message names it and the close ids.
        OptionError
            When a date names no day, or ``end`` comes before ``start``.
        """
        self._known_volunteer(volunteer_id)
        first = clock.coerce_date(start, "start")
        last = first if end is None else clock.coerce_date(end, "end")
        if last < first:
            raise OptionError(
                f"with_unavailable: end {last} comes before start {first}; give end on or "
                "after start (both days are included)"
            )
        away = tuple(
            Availability(volunteer_id=volunteer_id, date=d, start=0, end=24 * 60, available=False)
            for d in date_range(first, last)
        )
        return self.with_changes(availability=self.availability + away)

    def with_change(
        self,
        change: Change | None = None,
        /,
        *,
        kind: ChangeKind | str | None = None,
        id: str | None = None,  # the column of changes.csv is called id
        start: Any = None,
        end: Any = None,
        note: str = "",
    ) -> Community:
        """A copy with one more change (a row of ``changes.csv``), validated.

        Give a :class:`Change`, or its fields: ``community.with_change(kind="volunteer_off",
        id="V07", start="2026-03-02 09:00", end="2026-03-02 13:00")``.

        Parameters
        ----------
        change
            The change; or leave it out and give the fields below.
        kind, id, start, end, note
            As in :class:`Change`: ``start``/``end`` a date, ``"YYYY-MM-DD"`` or
            ``"YYYY-MM-DD HH:MM"`` (a date end means through 24:00 of that day).

        Raises
        ------
        CommunityError
            When the change is invalid (end before start, an unknown kind) or its id
            names no resident, volunteer or clinic of the community (with the close ids).
        """
        if change is None:
            try:
                change = Change(kind=kind, id=id, start=start, end=end, note=note)
            except ValidationError as e:
                raise CommunityError(
                    [
                        f"with_change, {'.'.join(str(p) for p in err['loc']) or 'change'}: "
                        f"{err['msg'].removeprefix('Value error, ')}"
                        for err in e.errors()
                    ]
                ) from None
        return self.with_changes(changes=(*self.changes, change))

    def with_absence(self, resident_id: str, start: Any, end: Any = None) -> Community:
        """A copy in which a resident is away from ``start`` to ``end`` (a suspension).

        A ``resident_away`` change: no meals and no health-check booking in the range;
        meals restart by themselves the day after ``end``.

        Parameters
        ----------
        resident_id
            The id of a resident of the community.
        start, end
            The first and last day away (both included; dates or anything naming a day,
            or ``"YYYY-MM-DD HH:MM"``). ``end`` defaults to ``start`` (one day).

        Raises
        ------
        CommunityError
            When no resident has that id, or ``end`` comes before ``start``.
        """
        return self.with_change(
            kind=ChangeKind.RESIDENT_AWAY,
            id=resident_id,
            start=start,
            end=start if end is None else end,
        )

    def with_history(self, plans: Any) -> Community:
        """A copy that remembers earlier plans: familiar carriers and escorts, and who was
        left unserved (:mod:`carecal.history`).

        The plans' records are added to the community's history; where a plan covers a
        date the history already holds (meals and health checks apart), the plan's
        records replace the older ones for that date, and among ``plans`` a later one
        replaces an earlier one, as ``carecal report`` takes the plan written last.
        Residents and volunteers no longer in the roster are left out (with one
        :class:`~carecal.errors.CarecalWarning` naming them). The history is not part of
        the community's fingerprint (:func:`carecal.io.manifest.community_fingerprint`).

        Parameters
        ----------
        plans
            :class:`~carecal.plans.MealPlan`, :class:`~carecal.plans.CampaignPlan` and
            :class:`~carecal.plans.WeekPlan` objects in the order they were made (a
            :class:`~carecal.plans.ShiftPlan` adds nothing), one of them, or a
            :class:`~carecal.history.History`.

        Raises
        ------
        OptionError
            For anything that is not a plan.

        Warns
        -----
        CarecalWarning
            When the plans name residents or volunteers no longer in the roster.
        """
        merged = self.history.then(as_history(plans))
        kept, gone = merged.restricted_to(self.resident_by_id, self.volunteer_by_id)
        if gone:
            shown = ", ".join(gone[:10]) + (f" and {len(gone) - 10} more" if len(gone) > 10 else "")
            warnings.warn(
                f"the history names {len(gone)} resident(s) or volunteer(s) no longer in the "
                f"roster ({shown}); they are left out of it",
                CarecalWarning,
                stacklevel=2,
            )
        return self.with_changes(history=kept)

    def _known_volunteer(self, volunteer_id: str) -> None:
        if volunteer_id in self.volunteer_by_id:
            return
        ids = list(self.volunteer_by_id)
        close = difflib.get_close_matches(str(volunteer_id), ids, n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        raise CommunityError(
            [
                f"volunteer {volunteer_id} is not in volunteers; {hint}give the id of one of "
                f"the community's {len(ids)} volunteers"
            ]
        )

    # --- for notebooks ---------------------------------------------------------------------

    def to_frames(self) -> dict[str, Any]:
        """The community as DataFrames shaped like its CSV files, and its policy (needs
        pandas).

        Returns
        -------
        dict
            A DataFrame per input table (``residents``, ``volunteers``, ``availability``,
            ``sites``, ``shifts``, ``requests``, ``campaign``, ``travel``, ``changes``) with
            the columns
            of the file: times ``HH:MM``, lists ``;``-separated, dates ``datetime64``, and
            ``mobility``, ``mode``, ``kind``, ``role`` as categories; and ``policy``, a
            dict of every setting. ``carecal.community_from_frames(c.to_frames())`` is
            ``c`` again, but for its :attr:`history` (earlier plans are not a table: give
            them with :meth:`with_history`).
        """
        from carecal.io.frames import community_frames

        return community_frames(self)

    def __repr__(self) -> str:
        return (
            f"<Community: {len(self.residents)} residents, {len(self.volunteers)} volunteers, "
            f"{len(self.sites)} sites, {len(self.shifts)} shifts>"
        )

    def _repr_html_(self) -> str:
        """A compact card for Jupyter: the counts of each table and the policy changes."""
        from carecal.io.cards import community_card

        return community_card(self)

    def _merged_policy(self, changes: Mapping[str, Any]) -> Policy:
        current = self.policy
        merged = {name: getattr(current, name) for name in type(current).model_fields}
        for key, value in changes.items():
            # A per-mode table changes only the modes it names, keeping the current others.
            old = merged.get(key)
            if isinstance(old, Mapping) and isinstance(value, Mapping):
                value = {**old, **value}
            merged[key] = value
        return check_policy(merged)


def _duplicates(what: str, ids: list[str]) -> list[str]:
    seen: set[str] = set()
    problems: list[str] = []
    for i in ids:
        if i in seen:
            problems.append(
                Message(
                    N_("{what} id {id} appears more than once; each {what} needs its own id"),
                    what=Word(what),
                    id=i,
                )
            )
        seen.add(i)
    return problems


def _merge(windows: list[TimeWindow]) -> list[TimeWindow]:
    merged: list[TimeWindow] = []
    for w in sorted(windows):
        if merged and w.start <= merged[-1].end:
            merged[-1] = TimeWindow(merged[-1].start, max(merged[-1].end, w.end))
        else:
            merged.append(w)
    return merged


def _subtract(windows: list[TimeWindow], hole: TimeWindow) -> list[TimeWindow]:
    out: list[TimeWindow] = []
    for w in windows:
        if not w.overlaps(hole):
            out.append(w)
            continue
        if w.start < hole.start:
            out.append(TimeWindow(w.start, hole.start))
        if hole.end < w.end:
            out.append(TimeWindow(hole.end, w.end))
    return out


def coerce_date(value: dt.date | str, argument: str = "date") -> dt.date:
    """A date argument as a plain ``datetime.date`` (kept for the 0.1 planners).

    The rule is :func:`carecal.clock.coerce_date`'s, so every planner reads dates alike.

    Raises
    ------
    OptionError
        When ``value`` does not name a day; the message names ``argument``.
    """
    return clock.coerce_date(value, argument)
