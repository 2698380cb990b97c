"""Changes as data (changes.csv): each rule where it does not bind and where it does, the
planners honouring it, and plans made before a change failing verify after it.

The micro instance is tests/data/Valid (:func:`notebook_data.valid`): R001 has meals
Mon;Wed;Fri, R002 Mon-Fri, R003 none; V01 (bike) is free Mondays and Wednesdays
10:00-14:00; clinic C1 runs 08:00-12:00 with 15-minute slots and 20-minute checks. Monday
2026-03-02 is the first day.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from notebook_data import MONDAY, valid

import carecal
from carecal.clock import TimeWindow, parse_time
from carecal.datasets import SAMPLE_CAMPAIGN_START, make_community, sample_community
from carecal.errors import CommunityError
from carecal.io import read_community, write_community
from carecal.model import Change, ChangeKind, Community, Resident, ShiftTemplate

TUESDAY, WEDNESDAY, FRIDAY = (MONDAY + dt.timedelta(days=n) for n in (1, 2, 4))
NEXT_MONDAY = MONDAY + dt.timedelta(days=7)


def _ids(residents: list) -> list[str]:  # type: ignore[type-arg]
    return [r.resident_id for r in residents]


def _with_resident(c: Community, rid: str, **update: object) -> Community:
    residents = tuple(
        r.model_copy(update=update) if r.resident_id == rid else r for r in c.residents
    )
    return c.with_changes(residents=residents)


# --- resident_away: a suspension that ends by itself ----------------------------------------


def test_suspension_ends_and_meals_restart_the_day_after_end() -> None:
    c = valid()
    assert "R001" in _ids(c.deliveries_on(MONDAY))  # inactive: the standing order
    away = c.with_absence("R001", MONDAY, WEDNESDAY)
    assert "R001" not in _ids(away.deliveries_on(MONDAY))
    assert "R001" not in _ids(away.deliveries_on(WEDNESDAY))
    assert "R001" in _ids(away.deliveries_on(FRIDAY))  # back: meals restart by themselves
    assert away.away_on("R001", WEDNESDAY) and not away.away_on("R001", dt.date(2026, 3, 5))
    assert "R002" in _ids(away.deliveries_on(MONDAY))  # nobody else is touched


def test_away_for_part_of_a_day_is_away_that_day() -> None:
    c = valid().with_change(
        kind="resident_away", id="R001", start="2026-03-01 18:00", end="2026-03-02 09:00"
    )
    assert c.away_on("R001", MONDAY) and not c.away_on("R001", TUESDAY)


# --- meals_from / meals_until -----------------------------------------------------------------


def test_meals_from_and_until() -> None:
    c = valid()
    assert "R002" in _ids(c.deliveries_on(MONDAY))
    starts = _with_resident(c, "R002", meals_from=WEDNESDAY)
    assert "R002" not in _ids(starts.deliveries_on(TUESDAY))
    assert "R002" in _ids(starts.deliveries_on(WEDNESDAY))
    stops = _with_resident(c, "R002", meals_until=TUESDAY)
    assert "R002" in _ids(stops.deliveries_on(TUESDAY))
    assert "R002" not in _ids(stops.deliveries_on(WEDNESDAY))


def test_meals_until_before_meals_from_is_refused() -> None:
    r002 = valid().resident_by_id["R002"]
    with pytest.raises(ValueError, match="comes before meals_from"):
        Resident.model_validate(
            {**r002.model_dump(), "meals_from": WEDNESDAY, "meals_until": TUESDAY}
        )


# --- extra_meal ---------------------------------------------------------------------------------


def test_extra_meal_on_a_non_standing_day_is_planned_and_verified() -> None:
    c = valid()
    assert "R003" not in _ids(c.deliveries_on(MONDAY))
    extra = c.with_change(kind="extra_meal", id="R003", start=MONDAY)
    assert "R003" in _ids(extra.deliveries_on(MONDAY))
    assert "R003" not in _ids(extra.deliveries_on(WEDNESDAY))
    plan = carecal.plan_meals(extra, MONDAY, time_limit=2, deterministic=True)
    served = {s.resident_id for t in plan.trips for s in t.stops} | {u.id for u in plan.unserved}
    assert "R003" in served
    assert carecal.verify(extra, plan) == []
    # The same plan against the community without the extra meal delivers to no order.
    assert any(v.rule == "no_order" for v in carecal.verify(c, plan))


# --- volunteer_off ------------------------------------------------------------------------------


def test_volunteer_off_for_part_of_a_day_removes_only_that_part() -> None:
    c = valid()
    assert c.availability_on("V01", MONDAY) == [TimeWindow(600, 840)]
    off = c.with_change(
        kind="volunteer_off", id="V01", start="2026-03-02 10:00", end="2026-03-02 12:00"
    )
    assert off.availability_on("V01", MONDAY) == [TimeWindow(720, 840)]
    assert off.availability_on("V01", NEXT_MONDAY) == [TimeWindow(600, 840)]
    middle = c.with_change(
        kind="volunteer_off", id="V01", start="2026-03-02 11:00", end="2026-03-02 12:00"
    )
    assert middle.availability_on("V01", MONDAY) == [TimeWindow(600, 660), TimeWindow(720, 840)]


# --- clinic_closed ------------------------------------------------------------------------------


def test_clinic_closed_for_a_morning_keeps_the_later_slots() -> None:
    c = valid()
    day = c.clinic_day(MONDAY, "C1")
    assert day is not None and day.slots[0] == parse_time("08:00")
    closed = c.with_change(
        kind="clinic_closed", id="C1", start="2026-03-02 08:00", end="2026-03-02 10:00"
    )
    morning = closed.clinic_day(MONDAY, "C1")
    assert morning is not None
    assert morning.slots[0] == parse_time("10:00")  # no check overlaps the closure
    assert morning.open == day.open  # the slot grid still starts at the opening time
    assert closed.clinic_day(TUESDAY, "C1") == c.clinic_day(TUESDAY, "C1")
    split = c.with_change(
        kind="clinic_closed", id="C1", start="2026-03-02 09:00", end="2026-03-02 10:00"
    )
    kept = split.clinic_day(MONDAY, "C1")
    assert kept is not None
    # 08:30 would run its check until 08:50; 08:45 until 09:05, into the closure.
    assert parse_time("08:30") in kept.slots and parse_time("08:45") not in kept.slots
    assert parse_time("10:00") in kept.slots and parse_time("09:45") not in kept.slots


def test_clinic_closed_all_day_removes_the_day() -> None:
    c = valid().with_change(kind="clinic_closed", id="C1", start=MONDAY, end=MONDAY)
    assert c.clinic_day(MONDAY, "C1") is None
    assert [d.date for d in c.clinic_days(MONDAY, TUESDAY)] == [TUESDAY]
    with pytest.raises(CommunityError, match="closed by a clinic_closed change"):
        c.clinic_days(MONDAY, MONDAY)


# --- the campaign -------------------------------------------------------------------------------


def test_campaign_books_around_away_days_and_lists_the_always_away() -> None:
    """R001 and R002 are due on a Monday-Tuesday campaign; R003 had a check in February."""
    c = valid()
    plan = carecal.plan_health_checks(c, MONDAY, TUESDAY, time_limit=5, deterministic=True)
    assert {b.resident_id for b in plan.bookings} >= {"R002"}
    part = c.with_absence("R002", MONDAY)
    plan = carecal.plan_health_checks(part, MONDAY, TUESDAY, time_limit=5, deterministic=True)
    booking = next(b for b in plan.bookings if b.resident_id == "R002")
    assert booking.date == TUESDAY
    assert carecal.verify(part, plan) == []
    whole = c.with_absence("R002", MONDAY, TUESDAY)
    plan = carecal.plan_health_checks(whole, MONDAY, TUESDAY, time_limit=5, deterministic=True)
    assert "R002" not in {b.resident_id for b in plan.bookings}
    (entry,) = [u for u in plan.unserved if u.id == "R002"]
    assert entry.code == "away"
    assert carecal.verify(whole, plan) == []


# --- a plan made before a change fails verify after it -------------------------------------------


def test_meal_plan_before_a_change_fails_verify_after_it() -> None:
    c = valid()
    plan = carecal.plan_meals(c, MONDAY, time_limit=2, deterministic=True)
    assert carecal.verify(c, plan) == []
    delivered = {s.resident_id for t in plan.trips for s in t.stops}
    assert "R001" in delivered
    rules = {v.rule for v in carecal.verify(c.with_absence("R001", MONDAY), plan)}
    assert "away" in rules
    (carrier,) = {t.volunteer_id for t in plan.trips}
    off = c.with_change(kind="volunteer_off", id=carrier, start=MONDAY, end=MONDAY)
    assert carecal.verify(off, plan) != []


def test_booking_on_a_closed_morning_fails_verify() -> None:
    c = valid()
    plan = carecal.plan_health_checks(c, MONDAY, MONDAY, time_limit=5, deterministic=True)
    morning = [b for b in plan.bookings if b.slot_start < parse_time("10:00")]
    assert morning, "the plan books someone before 10:00"
    closed = c.with_change(
        kind="clinic_closed", id="C1", start="2026-03-02 08:00", end="2026-03-02 10:00"
    )
    assert "clinic_closed" in {v.rule for v in carecal.verify(closed, plan)}
    whole = c.with_change(kind="clinic_closed", id="C1", start=MONDAY, end=MONDAY)
    assert "clinic" in {v.rule for v in carecal.verify(whole, plan)}


def test_shift_plan_before_a_volunteer_off_fails_verify() -> None:
    """A Monday meals shift 10:30-13:30 for one volunteer: V01 (V02 is off that Monday)."""
    shift = ShiftTemplate(
        shift_id="M1", role="meals", day="Mon", start="10:30", end="13:30", min_volunteers=1
    )
    c = valid().with_changes(shifts=(shift,))
    plan = carecal.plan_shifts(c, MONDAY, MONDAY, time_limit=3, deterministic=True)
    assert [a.volunteer_id for a in plan.assignments] == ["V01"]
    assert carecal.verify(c, plan) == []
    off = c.with_change(
        kind="volunteer_off", id="V01", start="2026-03-02 12:00", end="2026-03-02 18:00"
    )
    assert carecal.verify(off, plan) != []
    replanned = carecal.plan_shifts(off, MONDAY, MONDAY, time_limit=3, deterministic=True)
    assert not replanned.assignments  # V02 is off that Monday too: the place stays open
    assert carecal.verify(off, replanned) == []


# --- with_change --------------------------------------------------------------------------------


def test_with_change_refuses_unknown_ids_and_bad_ranges() -> None:
    c = valid()
    with pytest.raises(CommunityError, match="did you mean R001"):
        c.with_absence("R01", MONDAY)
    with pytest.raises(CommunityError, match="comes before start"):
        c.with_change(kind="volunteer_off", id="V01", start=TUESDAY, end=MONDAY)
    with pytest.raises(CommunityError, match="with_change, end: Field required"):
        c.with_change(kind="clinic_closed", id="C1", start=MONDAY)
    change = Change(kind=ChangeKind.EXTRA_MEAL, id="R003", start=MONDAY)
    assert c.with_change(change).changes == (change,)


# --- every plan passes verify on generated communities with random changes ---------------------


@st.composite
def _changes(draw: st.DrawFn, c: Community, first: dt.date) -> list[Change]:
    out = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(list(ChangeKind)))
        day = first + dt.timedelta(days=draw(st.integers(0, 2)))
        if kind in (ChangeKind.RESIDENT_AWAY, ChangeKind.EXTRA_MEAL):
            rid = draw(st.sampled_from([r.resident_id for r in c.residents]))
        elif kind == ChangeKind.VOLUNTEER_OFF:
            rid = draw(st.sampled_from([v.volunteer_id for v in c.volunteers]))
        else:
            rid = c.sites_of("clinic")[0].site_id
        hours = draw(st.integers(0, 23))
        start = dt.datetime.combine(day, dt.time(hours)) if kind != ChangeKind.EXTRA_MEAL else day
        length = dt.timedelta(hours=draw(st.integers(1, 30)))
        end = start + length if kind != ChangeKind.EXTRA_MEAL else day
        out.append(Change(kind=kind, id=rid, start=start, end=end))
    return out


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), seed=st.integers(0, 50))
def test_plans_on_changed_communities_pass_verify(data: st.DataObject, seed: int) -> None:
    base = make_community(residents=25, volunteers=8, seed=seed, campaign_days=2)
    first = SAMPLE_CAMPAIGN_START
    c = base.with_changes(changes=tuple(data.draw(_changes(base, first))))
    meals = carecal.plan_meals(c, first, time_limit=1, deterministic=True)
    assert carecal.verify(c, meals) == []
    try:
        days = c.clinic_days(first, first + dt.timedelta(days=1))
    except CommunityError:
        return  # every campaign day closed: nothing to book
    campaign = carecal.plan_health_checks(
        c, days[0].date, days[-1].date, time_limit=2, deterministic=True
    )
    assert carecal.verify(c, campaign) == []


def test_a_change_ending_on_the_calendars_last_day_is_a_clear_error_not_an_overflow(
    tmp_path: Path,
) -> None:
    """Found by the reader fuzz test: 9999-12-31 as an end (24:00 of it) is past the
    calendar; the reader says so at its row and column."""
    folder = tmp_path / "data"
    write_community(sample_community(), folder)
    (folder / "changes.csv").write_text(
        "kind,id,start,end\nresident_away,R0001,2027-03-01,9999-12-31\n", encoding="utf-8"
    )
    with pytest.raises(CommunityError, match="9999-12-31"):
        read_community(folder)
