"""Who moved between a plan and its re-plan, and whom to call (issue 17 item 3).

Every plan here is built by hand for a micro community, so each test states exactly what
changed: nothing (no calls), one kind of change at a time (the right person, the right
words, in English and Chinese), people away or off, week plans, and ``to_call.csv`` as
``write_plan`` writes it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest

from carecal.errors import OptionError
from carecal.io import read_plan, write_plan
from carecal.model import Community, Mobility, Resident, Site, SiteKind, Volunteer
from carecal.plans import (
    Assignment,
    Booking,
    Call,
    CampaignPlan,
    MealPlan,
    ShiftPlan,
    Status,
    Stop,
    Trip,
    Unserved,
    UnservedKind,
    WeekPlan,
    Wheelchair,
)
from carecal.replan.calls import plan_moves, who_to_call

DAY = dt.date(2026, 3, 2)
"""A Monday: the meal date of every meal plan here."""
CHECK_DAY = dt.date(2026, 3, 4)
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def community() -> Community:
    """Kitchen K1 and clinic C1 (Fuxing Clinic); residents R001 Wang Fang (phone), R002 Li
    Ming (a phone that starts with +), R003 Zhao Lan (no phone), R004 Qian Hua (phone);
    volunteers V01 Chen Jie (phone), V02 Sun Li (no phone), V03 Zhou Min (phone)."""
    return Community(
        residents=(
            _resident("R001", "Wang Fang", "13800000001"),
            _resident("R002", "Li Ming", "+86 13800000002"),
            _resident("R003", "Zhao Lan", None),
            _resident("R004", "Qian Hua", "13800000004"),
        ),
        volunteers=(
            Volunteer(volunteer_id="V01", name="Chen Jie", mode="bike", phone="13900000001"),
            Volunteer(volunteer_id="V02", name="Sun Li", mode="walk"),
            Volunteer(volunteer_id="V03", name="Zhou Min", mode="walk", phone="13900000003"),
        ),
        sites=(
            Site(site_id="K1", kind=SiteKind.KITCHEN, name="Kitchen", lat=31.23, lon=121.47),
            Site(
                site_id="C1",
                kind=SiteKind.CLINIC,
                name="Fuxing Clinic",
                lat=31.231,
                lon=121.471,
                open="08:00",
                close="12:00",
                slot_minutes=15,
                places_per_slot=2,
                check_minutes=20,
            ),
        ),
    )


@pytest.fixture(scope="module")
def zh(community: Community) -> Community:
    """The same community writing Chinese."""
    return community.with_policy(lang="zh")


def _resident(rid: str, name: str, phone: str | None) -> Resident:
    return Resident(
        resident_id=rid,
        name=name,
        age=80,
        lat=31.23,
        lon=121.47,
        meal_days=frozenset({"Mon"}),
        mobility=Mobility.WALKER,
        phone=phone,
    )


def _trip(vid: str, number: int, leave: int, stops: list[tuple[str, int]]) -> Trip:
    """A trip of ``vid`` leaving at ``leave`` with (resident, arrival) stops."""
    return Trip(
        volunteer_id=vid,
        trip=number,
        leave=leave,
        back=stops[-1][1] + 15,
        stops=tuple(
            Stop(
                resident_id=rid,
                arrival=arrival,
                departure=arrival + 2,
                portions=1,
                food_minutes=arrival - leave,
                travel_minutes=5,
            )
            for rid, arrival in stops
        ),
    )


def _meals(*trips: Trip, unserved: tuple[Unserved, ...] = ()) -> MealPlan:
    return MealPlan(status=Status.FEASIBLE, date=DAY, trips=trips, unserved=unserved)


def _missed(rid: str, reason: str) -> Unserved:
    return Unserved(
        kind=UnservedKind.MEAL, id=rid, date=DAY, code="carriers_busy", reason=reason, fix=""
    )


# 10:45 leave; V01 takes R001 at 11:00 and R002 at 11:05, V02 takes R003 at 11:10.
BEFORE = _meals(
    _trip("V01", 1, 645, [("R001", 660), ("R002", 665)]),
    _trip("V02", 1, 645, [("R003", 670)]),
)


def _booking(
    rid: str,
    date: dt.date = CHECK_DAY,
    slot: int = 540,
    escorts: tuple[str, ...] = (),
    wheelchair: Wheelchair = Wheelchair.NONE,
) -> Booking:
    escorted = bool(escorts)
    return Booking(
        resident_id=rid,
        date=date,
        clinic_id="C1",
        slot_start=slot,
        check_start=slot,
        check_end=slot + 20,
        escort_ids=escorts,
        wheelchair=wheelchair,
        pickup=slot - 25 if escorted else None,
        home_again=slot + 45 if escorted else None,
    )


def _campaign(*bookings: Booking, unserved: tuple[Unserved, ...] = ()) -> CampaignPlan:
    return CampaignPlan(
        status=Status.FEASIBLE,
        dates=(CHECK_DAY, CHECK_DAY + dt.timedelta(days=1)),
        bookings=bookings,
        unserved=unserved,
    )


CAMPAIGN = _campaign(
    _booking("R001", escorts=("V03",), wheelchair=Wheelchair.POOL), _booking("R002")
)


def _shift(vid: str, date: dt.date = DAY, shift_id: str = "M1") -> Assignment:
    return Assignment(
        date=date, shift_id=shift_id, role="meals", start=630, end=810, volunteer_id=vid
    )


def _shifts(*assignments: Assignment) -> ShiftPlan:
    return ShiftPlan(
        status=Status.FEASIBLE, start=DAY, end=DAY + dt.timedelta(days=6), assignments=assignments
    )


SHIFTS = _shifts(_shift("V01"), _shift("V02"), _shift("V01", DAY + dt.timedelta(days=1)))


def _week(meals: MealPlan, campaign: CampaignPlan, shifts: ShiftPlan) -> WeekPlan:
    return WeekPlan(
        status=Status.FEASIBLE,
        start=DAY,
        end=DAY + dt.timedelta(days=6),
        meals=(meals,),
        campaign=campaign,
        shifts=shifts,
    )


def _said(calls: tuple[Call, ...]) -> dict[str, str]:
    """person id -> what changed, for the calls of a test (ids are unique in these)."""
    return {c.person_id: c.what_changed for c in calls}


# --- nothing changed ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "plan",
    [BEFORE, CAMPAIGN, SHIFTS, _week(BEFORE, CAMPAIGN, SHIFTS)],
    ids=["meals", "campaign", "shifts", "week"],
)
def test_nothing_changed_moves_nobody_and_calls_nobody(community, plan) -> None:
    # A copy read back from a folder would be equal, not identical: compare a copy.
    copy = plan.model_copy(deep=True)
    moves = plan_moves(plan, copy, community)
    assert not moves and moves.moved == 0
    assert set(moves.counts.values()) == {0}
    assert who_to_call(community, plan, copy) == ()


def test_small_arrival_changes_are_no_move(community) -> None:
    """Every arrival 15 minutes later (the tolerance, not more) and the leave time too."""
    later = _meals(
        _trip("V01", 1, 660, [("R001", 675), ("R002", 680)]),
        _trip("V02", 1, 660, [("R003", 685)]),
    )
    assert not plan_moves(BEFORE, later, community)
    assert who_to_call(community, BEFORE, later) == ()


# --- meals -------------------------------------------------------------------------------


def test_another_carrier_at_the_same_time_calls_both_carriers_not_the_elder(community) -> None:
    after = _meals(
        _trip("V01", 1, 645, [("R001", 660)]),
        _trip("V02", 1, 645, [("R003", 670), ("R002", 672)]),
    )
    moves = plan_moves(BEFORE, after, community)
    assert [(e.resident_id, e.carrier_changed, e.arrival_moved) for e in moves.elders] == [
        ("R002", True, False)
    ]
    assert moves.counts["moved_carrier"] == 1 and moves.moved == 1
    calls = who_to_call(community, BEFORE, after)
    assert [(c.person_id, c.role) for c in calls] == [("V01", "carrier"), ("V02", "carrier")]
    assert _said(calls) == {
        "V01": "2026-03-02: no longer: Li Ming (R002)",
        "V02": "2026-03-02: new stops: Li Ming (R002) 11:12",
    }


def test_an_arrival_moved_more_than_the_tolerance_calls_the_elder_with_the_new_time(
    community,
) -> None:
    after = _meals(
        _trip("V01", 1, 645, [("R002", 650), ("R001", 690)]),
        _trip("V02", 1, 645, [("R003", 670)]),
    )
    moves = plan_moves(BEFORE, after, community)
    assert [(e.resident_id, e.arrival_moved) for e in moves.elders] == [("R001", True)]
    assert moves.counts["moved_arrival"] == 1 and moves.counts["moved_carrier"] == 0
    calls = who_to_call(community, BEFORE, after)
    assert _said(calls) == {
        "V01": "2026-03-02: new times: Wang Fang (R001) 11:30 (was 11:00)",
        "R001": "meal on 2026-03-02 now arrives about 11:30 (was 11:00)",
    }
    assert [c.role for c in calls] == ["carrier", "resident"]


def test_a_moved_elder_with_another_carrier_hears_who_brings_the_meal(community) -> None:
    after = _meals(
        _trip("V01", 1, 645, [("R001", 660)]),
        _trip("V02", 1, 645, [("R003", 670), ("R002", 700)]),
    )
    said = _said(who_to_call(community, BEFORE, after))
    assert (
        said["R002"] == "meal on 2026-03-02 now arrives about 11:40 (was 11:05), brought by Sun Li"
    )


def test_leave_time_and_trips_of_a_carrier(community) -> None:
    after = _meals(
        _trip("V01", 1, 620, [("R001", 640)]),
        _trip("V01", 2, 670, [("R002", 680)]),
        _trip("V02", 1, 645, [("R003", 670)]),
    )
    said = _said(who_to_call(community, BEFORE, after))
    assert said["V01"] == (
        "2026-03-02: leaves the kitchen at 10:20 (was 10:45); 2 trips (was 1); "
        "new times: Wang Fang (R001) 10:40 (was 11:00)"
    )
    assert said["R001"] == "meal on 2026-03-02 now arrives about 10:40 (was 11:00)"
    assert "R002" not in said  # 11:20 is 15 minutes after 11:05: within the tolerance


def test_a_carrier_new_on_the_day_gets_the_whole_route(community) -> None:
    after = _meals(
        _trip("V01", 1, 645, [("R001", 660), ("R002", 665)]),
        _trip("V03", 1, 650, [("R003", 672)]),
    )
    said = _said(who_to_call(community, BEFORE, after))
    assert said["V03"] == (
        "2026-03-02: new route: 1 trip, leaves the kitchen at 10:50; "
        "new stops: Zhao Lan (R003) 11:12"
    )
    assert said["V02"] == "2026-03-02: no route any more: Zhao Lan (R003)"


def test_a_carrier_who_is_off_is_not_called_about_the_route_they_lose(community) -> None:
    sick = community.with_change(
        kind="volunteer_off", id="V01", start="2026-03-02 09:10", end="2026-03-02"
    )
    after = _meals(_trip("V02", 1, 645, [("R003", 670), ("R001", 672), ("R002", 677)]))
    moves = plan_moves(BEFORE, after, sick)
    assert moves.counts["moved_carrier"] == 2 and moves.moved == 2
    calls = who_to_call(sick, BEFORE, after)
    assert [c.person_id for c in calls] == ["V02"]
    assert calls[0].what_changed == (
        "2026-03-02: new stops: Wang Fang (R001) 11:12, Li Ming (R002) 11:17"
    )


def test_an_elder_not_served_any_more_hears_the_reason(community) -> None:
    after = _meals(
        _trip("V01", 1, 645, [("R001", 660)]),
        _trip("V02", 1, 645, [("R003", 670)]),
        unserved=(_missed("R002", "no carrier can reach Li Ming in the window"),),
    )
    moves = plan_moves(BEFORE, after, community)
    assert moves.counts["unserved_now"] == 1 and moves.moved == 1
    said = _said(who_to_call(community, BEFORE, after))
    assert said == {
        "V01": "2026-03-02: no longer: Li Ming (R002)",
        "R002": "no meal on 2026-03-02: no carrier can reach Li Ming in the window",
    }


def test_an_elder_away_is_not_called_but_the_carrier_is(community) -> None:
    away = community.with_absence("R002", "2026-03-01", "2026-03-14")
    after = _meals(_trip("V01", 1, 645, [("R001", 660)]), _trip("V02", 1, 645, [("R003", 670)]))
    moves = plan_moves(BEFORE, after, away)
    assert [(e.resident_id, e.unserved_now) for e in moves.elders] == [("R002", True)]
    assert _said(who_to_call(away, BEFORE, after)) == {
        "V01": "2026-03-02: no longer: Li Ming (R002)"
    }


def test_an_elder_served_now_is_listed_and_called_but_is_no_move(community) -> None:
    before = _meals(
        _trip("V01", 1, 645, [("R001", 660), ("R002", 665)]),
        _trip("V02", 1, 645, [("R003", 670)]),
        unserved=(_missed("R004", "too far"),),
    )
    after = _meals(
        _trip("V01", 1, 645, [("R001", 660), ("R002", 665)]),
        _trip("V02", 1, 645, [("R003", 670), ("R004", 680)]),
    )
    moves = plan_moves(before, after, community)
    assert moves.counts["served_now"] == 1 and moves.moved == 0
    said = _said(who_to_call(community, before, after))
    assert said == {
        "V02": "2026-03-02: new stops: Qian Hua (R004) 11:20",
        "R004": "meal on 2026-03-02 will arrive about 11:20, brought by Sun Li",
    }


def test_a_new_order_that_cannot_be_served_is_called(community) -> None:
    after = BEFORE.model_copy(update={"unserved": (_missed("R004", "every carrier is full"),)})
    assert not plan_moves(BEFORE, after, community)
    assert _said(who_to_call(community, BEFORE, after)) == {
        "R004": "no meal on 2026-03-02: every carrier is full"
    }
    # Unserved in both plans: nothing new to tell.
    assert who_to_call(community, after, after.model_copy()) == ()


# --- bookings ----------------------------------------------------------------------------


def test_a_booking_moved_to_another_day_calls_the_resident_and_the_escort(community) -> None:
    later = CHECK_DAY + dt.timedelta(days=1)
    after = _campaign(
        _booking("R001", date=later, slot=600, escorts=("V03",), wheelchair=Wheelchair.POOL),
        _booking("R002"),
    )
    moves = plan_moves(CAMPAIGN, after, community)
    assert [(b.resident_id, b.changed) for b in moves.bookings] == [("R001", ("date", "time"))]
    assert moves.counts["moved_bookings"] == 1 and moves.moved == 1
    calls = who_to_call(community, CAMPAIGN, after)
    assert [(c.person_id, c.role) for c in calls] == [("V03", "escort"), ("R001", "resident")]
    assert _said(calls) == {
        "V03": "escort jobs moved: Wang Fang (R001) 2026-03-04 pickup 08:35 (a wheelchair of "
        "the centre) -> 2026-03-05 pickup 09:35 (a wheelchair of the centre)",
        "R001": "health check moved: 2026-03-04 09:00 at Fuxing Clinic, picked up at 08:35 by "
        "Zhou Min, in a wheelchair of the centre -> 2026-03-05 10:00 at Fuxing Clinic, "
        "picked up at 09:35 by Zhou Min, in a wheelchair of the centre",
    }


def test_another_escort_calls_both_escorts_and_the_resident(community) -> None:
    after = _campaign(
        _booking("R001", escorts=("V01",), wheelchair=Wheelchair.POOL), _booking("R002")
    )
    moves = plan_moves(CAMPAIGN, after, community)
    assert [b.changed for b in moves.bookings] == [("escorts",)]
    said = _said(who_to_call(community, CAMPAIGN, after))
    assert said["V01"] == (
        "new escort jobs: Wang Fang (R001) 2026-03-04 pickup 08:35 (a wheelchair of the centre)"
    )
    assert said["V03"] == "no longer escorting: Wang Fang (R001) 2026-03-04"
    assert "by Zhou Min" in said["R001"] and said["R001"].endswith(
        "picked up at 08:35 by Chen Jie, in a wheelchair of the centre"
    )


def test_a_wheelchair_change_is_a_move(community) -> None:
    after = _campaign(
        _booking("R001", escorts=("V03",), wheelchair=Wheelchair.OWN), _booking("R002")
    )
    moves = plan_moves(CAMPAIGN, after, community)
    assert [b.changed for b in moves.bookings] == [("wheelchair",)] and moves.moved == 1
    said = _said(who_to_call(community, CAMPAIGN, after))
    assert said["V03"].startswith("escort jobs moved: Wang Fang (R001) 2026-03-04 pickup 08:35")


def test_a_dropped_booking_gives_the_reason_and_an_added_one_the_booking(community) -> None:
    after = _campaign(
        _booking("R002"),
        _booking("R003", slot=570),
        unserved=(
            Unserved(
                kind=UnservedKind.HEALTH_CHECK,
                id="R001",
                code="escorts_busy",
                reason="no escort is free on the campaign days",
            ),
        ),
    )
    moves = plan_moves(CAMPAIGN, after, community)
    counts = moves.counts
    assert (counts["dropped_bookings"], counts["added_bookings"], counts["moved_bookings"]) == (
        1,
        1,
        1,
    )
    said = _said(who_to_call(community, CAMPAIGN, after))
    assert said == {
        "V03": "no longer escorting: Wang Fang (R001) 2026-03-04",
        "R001": "health check on 2026-03-04 cancelled: no escort is free on the campaign days",
        "R003": "health check booked: 2026-03-04 09:30 at Fuxing Clinic",
    }


def test_a_resident_away_on_the_booking_day_is_not_called_but_the_escort_is(community) -> None:
    away = community.with_absence("R001", "2026-03-03", "2026-03-10")
    after = _campaign(_booking("R002"))
    said = _said(who_to_call(away, CAMPAIGN, after))
    assert said == {"V03": "no longer escorting: Wang Fang (R001) 2026-03-04"}


# --- shifts ------------------------------------------------------------------------------


def test_shifts_added_and_removed(community) -> None:
    after = _shifts(_shift("V01"), _shift("V03"), _shift("V03", DAY + dt.timedelta(days=1)))
    moves = plan_moves(SHIFTS, after, community)
    counts = moves.counts
    assert (counts["removed_assignments"], counts["added_assignments"]) == (2, 2)
    assert counts["changed_assignments"] == 4 == moves.moved
    calls = who_to_call(community, SHIFTS, after)
    assert [(c.person_id, c.role) for c in calls] == [
        ("V01", "volunteer"),
        ("V02", "volunteer"),
        ("V03", "volunteer"),
    ]
    assert _said(calls) == {
        "V01": "shift cancelled: 2026-03-03 M1 10:30–13:30",
        "V02": "shift cancelled: 2026-03-02 M1 10:30–13:30",
        "V03": "new shifts: 2026-03-02 M1 10:30–13:30, 2026-03-03 M1 10:30–13:30",
    }


def test_a_volunteer_off_is_not_called_about_the_shifts_they_lose(community) -> None:
    off = community.with_change(
        kind="volunteer_off", id="V01", start="2026-03-02", end="2026-03-08"
    )
    after = _shifts(_shift("V02"), _shift("V03"), _shift("V03", DAY + dt.timedelta(days=1)))
    assert plan_moves(SHIFTS, after, off).counts["changed_assignments"] == 4
    assert [c.person_id for c in who_to_call(off, SHIFTS, after)] == ["V03"]


# --- a week, names, phones, order, language ------------------------------------------------


def test_a_week_is_the_sum_of_its_parts_with_one_row_per_person(community) -> None:
    meals = _meals(
        _trip("V01", 1, 645, [("R001", 660)]),
        _trip("V02", 1, 645, [("R003", 670), ("R002", 700)]),
    )
    campaign = _campaign(
        _booking("R001", escorts=("V01",), wheelchair=Wheelchair.POOL), _booking("R002")
    )
    shifts = _shifts(_shift("V01"), _shift("V02"), _shift("V02", DAY + dt.timedelta(days=1)))
    before, after = _week(BEFORE, CAMPAIGN, SHIFTS), _week(meals, campaign, shifts)
    moves = plan_moves(before, after, community)
    parts = [
        plan_moves(BEFORE, meals, community),
        plan_moves(CAMPAIGN, campaign, community),
        plan_moves(SHIFTS, shifts, community),
    ]
    assert moves.counts == {k: sum(p.counts[k] for p in parts) for k in moves.counts}
    assert moves.moved == 1 + 1 + 2
    calls = who_to_call(community, before, after)
    # Volunteers first, then residents, each by id; V01 carries meals and escorts: carrier.
    assert [(c.person_id, c.role) for c in calls] == [
        ("V01", "carrier"),
        ("V02", "carrier"),
        ("V03", "escort"),
        ("R001", "resident"),
        ("R002", "resident"),
    ]
    said = _said(calls)
    assert said["V01"] == (
        "2026-03-02: no longer: Li Ming (R002); new escort jobs: Wang Fang (R001) 2026-03-04 "
        "pickup 08:35 (a wheelchair of the centre); shift cancelled: 2026-03-03 M1 10:30–13:30"
    )
    assert said["V02"] == (
        "2026-03-02: new stops: Li Ming (R002) 11:40; new shift: 2026-03-03 M1 10:30–13:30"
    )


def test_names_and_phones_come_from_the_roster(community) -> None:
    after = _meals(
        _trip("V01", 1, 645, [("R001", 690), ("R002", 700)]),
        _trip("V02", 1, 645, [("R003", 700)]),
    )
    calls = {c.person_id: c for c in who_to_call(community, BEFORE, after)}
    assert (calls["V01"].name, calls["V01"].phone) == ("Chen Jie", "13900000001")
    assert (calls["R001"].name, calls["R001"].phone) == ("Wang Fang", "13800000001")
    assert (calls["R003"].name, calls["R003"].phone) == ("Zhao Lan", "")  # no phone
    assert (calls["V02"].name, calls["V02"].phone) == ("Sun Li", "")  # no phone


def test_chinese_community_calls_in_chinese(zh) -> None:
    after = _meals(
        _trip("V01", 1, 645, [("R001", 660)]),
        _trip("V02", 1, 645, [("R003", 670), ("R002", 700)]),
    )
    calls = who_to_call(zh, BEFORE, after)
    for call in calls:
        assert CJK.search(call.what_changed), call
        # The words are Chinese; only names, ids, dates and times are as written.
        plain = re.sub(r"[A-Z][a-z]+ [A-Z][a-z]+|R\d+|V\d+|[\d:\-]+", "", call.what_changed)
        assert not re.search(r"[a-z]{3,}", plain), call
    english = _said(who_to_call(zh.with_policy(lang="en"), BEFORE, after))
    assert _said(calls).keys() == english.keys()
    # The catalog's words, placeholders filled in the Chinese order.
    assert _said(calls)["V01"] == "2026-03-02：不再送：Li Ming (R002)"
    assert _said(calls)["R002"] == "2026-03-02 的餐改为约 11:40 送到（原为 11:05），由Sun Li送"


def test_chinese_escorts_and_shifts(zh) -> None:
    after_campaign = _campaign(_booking("R002"))
    after_shifts = _shifts(_shift("V01"), _shift("V03"))
    for before, after in ((CAMPAIGN, after_campaign), (SHIFTS, after_shifts)):
        for call in who_to_call(zh, before, after):
            assert CJK.search(call.what_changed), call


def test_plans_of_different_kinds_or_dates_are_refused(community) -> None:
    with pytest.raises(OptionError, match="same kind"):
        plan_moves(BEFORE, CAMPAIGN, community)
    with pytest.raises(OptionError, match="not a plan"):
        who_to_call(community, BEFORE, "plan")  # type: ignore[arg-type]
    other_day = BEFORE.model_copy(update={"date": DAY + dt.timedelta(days=7)})
    with pytest.raises(OptionError, match="same date"):
        who_to_call(community, BEFORE, other_day)


# --- to_call.csv -------------------------------------------------------------------------


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_to_call_csv_round_trip_through_write_plan(tmp_path, community) -> None:
    after = _meals(
        _trip("V01", 1, 645, [("R001", 660)]),
        _trip("V02", 1, 645, [("R003", 670), ("R002", 700)]),
    )
    calls = who_to_call(community, BEFORE, after)
    write_plan(after.model_copy(update={"to_call": calls}), tmp_path, community)
    path = tmp_path / "to_call.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = _rows(path)
    assert rows[0] == ["person_id", "name", "role", "phone", "what_changed"]
    assert rows[1:] == [
        ["V01", "Chen Jie", "carrier", "13900000001", "2026-03-02: no longer: Li Ming (R002)"],
        ["V02", "Sun Li", "carrier", "", "2026-03-02: new stops: Li Ming (R002) 11:40"],
        # A phone that starts with + is written so that a spreadsheet shows it as text.
        [
            "R002",
            "Li Ming",
            "resident",
            "'+86 13800000002",
            "meal on 2026-03-02 now arrives about 11:40 (was 11:05), brought by Sun Li",
        ],
    ]
    # The list is written, never read back: the plan reads back as it was planned.
    back = read_plan(tmp_path, community)
    assert isinstance(back, MealPlan) and back.to_call is None
    assert [t.stops for t in back.trips] == [t.stops for t in after.trips]


def test_an_empty_call_list_is_a_header_only_file_and_none_writes_no_file(
    tmp_path, community
) -> None:
    write_plan(BEFORE.model_copy(update={"to_call": ()}), tmp_path / "a", community)
    assert _rows(tmp_path / "a" / "to_call.csv") == [
        ["person_id", "name", "role", "phone", "what_changed"]
    ]
    write_plan(BEFORE, tmp_path / "b", community)
    assert not (tmp_path / "b" / "to_call.csv").exists()


def test_chinese_to_call_csv_keeps_the_chinese(tmp_path, zh) -> None:
    after = _meals(
        _trip("V01", 1, 645, [("R001", 660)]),
        _trip("V02", 1, 645, [("R003", 670), ("R002", 700)]),
    )
    write_plan(after.model_copy(update={"to_call": who_to_call(zh, BEFORE, after)}), tmp_path, zh)
    rows = _rows(tmp_path / "to_call.csv")
    assert all(CJK.search(r[4]) for r in rows[1:])
