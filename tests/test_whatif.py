"""What-if copies of a community, each validated: a volunteer gone from every table, a
volunteer away for some days, a policy setting changed."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from notebook_data import MONDAY, valid

import carecal
from carecal.clock import TimeWindow
from carecal.errors import CarecalError, CommunityError, OptionError
from carecal.model import Community, Request, TravelOverride


def _with_v01_everywhere() -> Community:
    """Valid, plus a request and a travel time of V01 (R001 already prefers V01)."""
    c = valid()
    return c.with_changes(
        requests=(
            Request(volunteer_id="V01", date=MONDAY, want=False),
            Request(volunteer_id="V02", day="Mon"),
        ),
        travel=(
            TravelOverride(from_id="V01", to_id="R001", mode="bike", minutes=4),
            TravelOverride(from_id="K1", to_id="R002", mode="walk", minutes=6),
        ),
    )


# --- without_volunteer ---------------------------------------------------------------------


def test_without_volunteer_removes_them_from_every_table() -> None:
    c = _with_v01_everywhere()
    assert "V01" in c.resident_by_id["R001"].preferred_volunteers
    gone = c.without_volunteer("V01")
    assert [v.volunteer_id for v in gone.volunteers] == ["V02"]
    assert {a.volunteer_id for a in gone.availability} == {"V02"}
    assert [q.volunteer_id for q in gone.requests] == ["V02"]
    assert [(t.from_id, t.to_id) for t in gone.travel] == [("K1", "R002")]
    assert gone.resident_by_id["R001"].preferred_volunteers == ()
    # Everything else is as it was, and the original is untouched.
    assert gone.residents[1:] == c.residents[1:]
    assert gone.sites == c.sites and gone.policy == c.policy
    assert len(c.volunteers) == 2


def test_a_plan_without_the_volunteer_does_not_use_them() -> None:
    c = carecal.sample_community()
    day = dt.date(2027, 3, 1)
    before = carecal.plan_meals(c, day, time_limit=2, deterministic=True)
    gone = before.carriers[0]
    after = carecal.plan_meals(c.without_volunteer(gone), day, time_limit=2, deterministic=True)
    assert gone not in after.carriers
    assert carecal.verify(c.without_volunteer(gone), after) == []


def test_without_an_unknown_volunteer_names_it_and_the_close_ids() -> None:
    with pytest.raises(CommunityError) as caught:
        valid().without_volunteer("V1")
    message = str(caught.value)
    assert "volunteer V1 is not in volunteers" in message
    assert "did you mean V01" in message


def test_without_an_id_nothing_like_any_volunteer_says_so_without_a_guess() -> None:
    with pytest.raises(CommunityError, match="volunteer nobody is not in volunteers") as caught:
        valid().without_volunteer("nobody")
    assert "did you mean" not in str(caught.value)


# --- with_unavailable ----------------------------------------------------------------------


def test_with_unavailable_takes_those_whole_days_out() -> None:
    c = valid()
    monday_after = MONDAY + dt.timedelta(days=7)
    assert c.availability_on("V01", monday_after) == [TimeWindow(600, 840)]
    away = c.with_unavailable("V01", "2026-03-09", pd.Timestamp("2026-03-11"))
    new = away.availability[len(c.availability) :]
    assert [(a.date, a.start, a.end, a.available) for a in new] == [
        (dt.date(2026, 3, d), 0, 1440, False) for d in (9, 10, 11)
    ]
    assert away.availability_on("V01", monday_after) == []
    assert away.availability_on("V01", dt.date(2026, 3, 11)) == []
    assert away.availability_on("V01", dt.date(2026, 3, 16)) == [TimeWindow(600, 840)]
    assert away.availability_on("V02", monday_after) == c.availability_on("V02", monday_after)


def test_with_unavailable_for_one_day_and_as_the_csv_file_says_it() -> None:
    away = valid().with_unavailable("V01", dt.date(2026, 3, 4))
    rows = away.to_frames()["availability"]
    last = rows.iloc[-1]
    assert (last["volunteer_id"], last["day"], last["start"], last["end"], last["available"]) == (
        "V01",
        "2026-03-04",
        "00:00",
        "24:00",
        False,
    )


def test_with_unavailable_refuses_bad_input_with_carecal_errors() -> None:
    c = valid()
    with pytest.raises(OptionError, match="end 2026-03-01 comes before start 2026-03-09"):
        c.with_unavailable("V01", "2026-03-09", "2026-03-01")
    with pytest.raises(OptionError, match="start"):
        c.with_unavailable("V01", "next Monday")
    with pytest.raises(CommunityError, match="did you mean V02"):
        c.with_unavailable("V2", "2026-03-09")
    with pytest.raises(CarecalError):
        c.with_unavailable("V01", dt.datetime(2026, 3, 9, 10, 30))


# --- policy changes ------------------------------------------------------------------------


def test_with_policy_changes_one_setting_and_names_a_bad_one() -> None:
    c = valid()
    changed = c.with_policy(max_food_minutes=40)
    assert changed.policy.max_food_minutes == 40
    assert changed.policy.meals_ready == c.policy.meals_ready
    with pytest.raises(CommunityError, match="max_food_minutes") as caught:
        c.with_policy(max_food_minutes=-5)
    assert "-5" in str(caught.value)


def test_with_changes_merges_a_policy_dict_into_the_current_policy() -> None:
    c = valid().with_policy(capacity={"walk": 5})
    merged = c.with_changes(policy={"max_food_minutes": 40, "capacity": {"bike": 9}})
    assert merged.policy.max_food_minutes == 40
    assert merged.policy.capacity["walk"] == 5  # kept from before
    assert merged.policy.capacity["bike"] == 9
    with pytest.raises(CommunityError, match="max_food_minutes"):
        c.with_changes(policy={"max_food_minutes": -5})
