"""Plans and communities as DataFrames: the CSV folder's tables, typed for analysis, with
names beside the ids; a community's frames read back into the same community."""

from __future__ import annotations

import datetime as dt
import warnings

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from notebook_data import (
    MONDAY,
    TUESDAY,
    booking,
    campaign,
    monday_meals,
    on_shift,
    shifts,
    valid,
)

import carecal
from carecal.datasets import SAMPLE_AS_OF, make_community, sample_community
from carecal.errors import CommunityError, OptionError
from carecal.io import CarecalWarning, community_from_frames
from carecal.plans import People, PersonInfo, WeekPlan, people_of
from carecal.policy import Policy


def _at(date: dt.date, hhmm: str) -> pd.Timestamp:
    return pd.Timestamp(f"{date} {hhmm}")


# --- plans ---------------------------------------------------------------------------------


def test_meal_routes_frame_has_times_as_datetimes_and_names_beside_ids() -> None:
    plan = monday_meals().with_people(valid())
    frame = plan.to_frame()
    assert list(frame.columns) == [
        "date",
        "volunteer_id",
        "volunteer_name",
        "trip",
        "stop",
        "resident_id",
        "resident_name",
        "address",
        "arrival",
        "departure",
        "portions",
        "diet",
        "food_minutes",
        "travel_minutes",
        "done",
        "locked",
    ]
    assert str(frame["arrival"].dtype).startswith("datetime64")
    assert str(frame["date"].dtype).startswith("datetime64")
    assert list(frame["arrival"]) == [_at(MONDAY, "11:00"), _at(MONDAY, "11:10")]
    assert list(frame["departure"]) == [_at(MONDAY, "11:02"), _at(MONDAY, "11:12")]
    assert list(frame["food_minutes"]) == [10, 20]  # minutes, not times
    assert list(frame["stop"]) == [1, 2]
    assert list(frame["resident_name"]) == ["Wang Fang", "Li Ming"]
    assert list(frame["address"]) == ["12 Lane 5 Fuxing Rd", "3 Sinan Rd"]
    assert list(frame["volunteer_name"]) == ["Chen Jie", "Chen Jie"]


def test_a_plan_without_people_shows_empty_names() -> None:
    frame = monday_meals().to_frame()
    assert list(frame["resident_name"]) == ["", ""]
    assert list(frame["volunteer_name"]) == ["", ""]


def test_to_frames_holds_every_table_of_the_folder_with_categories() -> None:
    frames = monday_meals().to_frames()
    assert set(frames) == {"meal_routes", "unserved"}
    unserved = frames["unserved"]
    assert list(unserved.columns) == [
        "kind",
        "id",
        "name",
        "address",
        "date",
        "code",
        "reason",
        "fix",
    ]
    assert isinstance(unserved["code"].dtype, pd.CategoricalDtype)
    assert isinstance(unserved["kind"].dtype, pd.CategoricalDtype)
    # Every known code is a category, so counts show the zeros too.
    assert "food_age" in unserved["code"].cat.categories
    assert unserved["code"].value_counts()["carriers_busy"] == 1
    assert unserved["date"].iloc[0] == pd.Timestamp(MONDAY)


def test_health_checks_frame_names_the_escorts_and_leaves_no_pickup_empty() -> None:
    plan = campaign(booking("R001", 540, ("V01", "V02")), booking("R002", 555))
    frame = plan.with_people(valid()).to_frame()
    assert list(frame.columns[:3]) == ["resident_id", "resident_name", "address"]
    i = list(frame.columns).index("escort_ids")
    assert frame.columns[i + 1] == "escort_names"
    assert list(frame["escort_ids"]) == ["V01;V02", ""]
    assert list(frame["escort_names"]) == ["Chen Jie;Sun Li", ""]
    assert frame["pickup"].iloc[0] == _at(TUESDAY, "08:35")
    assert pd.isna(frame["pickup"].iloc[1])
    assert isinstance(frame["wheelchair"].dtype, pd.CategoricalDtype)
    assert list(frame["wheelchair"]) == ["pool", "none"]
    assert set(plan.to_frames()) == {"health_checks", "unserved"}


def test_shift_plan_frame_has_role_as_category_and_dated_times() -> None:
    plan = shifts(on_shift("V01"), on_shift("V02", TUESDAY), short=1).with_people(valid())
    frame = plan.to_frame()
    assert list(frame.columns) == [
        "date",
        "shift_id",
        "role",
        "start",
        "end",
        "volunteer_id",
        "volunteer_name",
        "locked",
    ]
    assert isinstance(frame["role"].dtype, pd.CategoricalDtype)
    assert list(frame["start"]) == [_at(MONDAY, "10:30"), _at(TUESDAY, "10:30")]
    assert list(frame["volunteer_name"]) == ["Chen Jie", "Sun Li"]
    frames = plan.to_frames()
    assert set(frames) == {"shift_plan", "unserved"}
    assert list(frames["unserved"]["code"]) == ["short_staffed"]


def test_a_week_gives_meal_routes_as_its_main_table_and_every_table() -> None:
    community = valid()
    meals = monday_meals().with_people(community)
    camp = campaign(booking("R002", 555))
    week = WeekPlan(
        status=meals.status,
        start=MONDAY,
        end=TUESDAY,
        meals=(meals,),
        campaign=camp,
        shifts=shifts(on_shift("V01")),
        unserved=meals.unserved,
    )
    # The week itself knows no names here; its parts do (the meal plan) or not (the rest).
    assert list(week.to_frame()["resident_name"]) == ["Wang Fang", "Li Ming"]
    frames = week.with_people(community).to_frames()
    assert set(frames) == {"meal_routes", "health_checks", "shift_plan", "unserved"}
    assert list(frames["health_checks"]["resident_name"]) == ["Li Ming"]
    assert list(frames["shift_plan"]["volunteer_name"]) == ["Chen Jie"]


def test_people_of_skips_unknown_ids_and_keeps_residents_and_volunteers_apart() -> None:
    people = people_of(valid(), ["R001", "R999"], ["V01"])
    assert people.residents == {"R001": PersonInfo(name="Wang Fang", address="12 Lane 5 Fuxing Rd")}
    assert people.volunteer("V01").name == "Chen Jie"
    assert people.resident("R999") == PersonInfo()
    both = people | People(volunteers={"R001": PersonInfo(name="a volunteer")})
    assert both.resident("R001").name == "Wang Fang"
    assert both.volunteer("R001").name == "a volunteer"


def test_the_planners_fill_in_the_names() -> None:
    community = make_community(residents=40, volunteers=10, seed=3)
    day = community.campaign[0].date
    plan = carecal.plan_meals(community, day, time_limit=2, deterministic=True)
    frame = plan.to_frame()
    assert len(frame) == len(plan.served) > 0
    names = {r.resident_id: r.name for r in community.residents}
    assert list(frame["resident_name"]) == [names[r] for r in frame["resident_id"]]
    assert all(frame["volunteer_name"] != "")


# --- the community -------------------------------------------------------------------------


def _round_trip(community: carecal.Community) -> carecal.Community:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CarecalWarning)
        return community_from_frames(community.to_frames(), as_of=SAMPLE_AS_OF)


def test_community_frames_are_shaped_like_the_csv_files() -> None:
    frames = sample_community().to_frames()
    assert set(frames) == {
        "residents",
        "volunteers",
        "availability",
        "sites",
        "shifts",
        "requests",
        "campaign",
        "travel",
        "changes",
        "policy",
    }
    residents = frames["residents"]
    assert list(residents.columns) == list(carecal.io.INPUT_TABLES["residents"].column_names)
    assert isinstance(residents["mobility"].dtype, pd.CategoricalDtype)
    assert isinstance(frames["volunteers"]["mode"].dtype, pd.CategoricalDtype)
    assert isinstance(frames["sites"]["kind"].dtype, pd.CategoricalDtype)
    assert isinstance(frames["shifts"]["role"].dtype, pd.CategoricalDtype)
    assert str(residents["last_check"].dtype).startswith("datetime64")
    assert residents["window_start"].dropna().str.match(r"^\d\d:\d\d$").all()
    assert frames["policy"]["meals_ready"] == "10:45"
    assert frames["policy"]["max_food_minutes"] == 45


def test_the_sample_community_round_trips_through_its_frames() -> None:
    community = sample_community()
    assert _round_trip(community) == community


@settings(max_examples=8, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    residents=st.integers(5, 40),
    volunteers=st.integers(3, 12),
    food=st.sampled_from([None, 30, 60]),
)
def test_generated_communities_round_trip_through_their_frames(
    seed: int, residents: int, volunteers: int, food: int | None
) -> None:
    policy = None if food is None else Policy.model_validate({"max_food_minutes": food})
    community = make_community(residents, volunteers, seed, policy=policy)
    assert _round_trip(community) == community


def test_the_policy_entry_may_be_a_one_row_frame_or_a_policy() -> None:
    community = valid().with_policy(max_food_minutes=40, meals_ready="10:30")
    frames = community.to_frames()
    as_row = {**frames, "policy": pd.DataFrame([{"max_food_minutes": 40, "meals_ready": "10:30"}])}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CarecalWarning)
        assert community_from_frames(as_row, as_of=SAMPLE_AS_OF).policy == community.policy
        as_policy = {**frames, "policy": community.policy}
        assert community_from_frames(as_policy, as_of=SAMPLE_AS_OF) == community


def test_a_bad_policy_entry_is_reported_with_the_key() -> None:
    frames = {**valid().to_frames(), "policy": {"max_food_minutes": -5}}
    with pytest.raises(CommunityError, match="max_food_minutes"):
        community_from_frames(frames, as_of=SAMPLE_AS_OF)


def test_the_policy_given_twice_is_refused() -> None:
    frames = valid().to_frames()
    with pytest.raises(OptionError, match="given twice"):
        community_from_frames(frames, policy=Policy(), as_of=SAMPLE_AS_OF)


def test_a_bare_plan_has_no_frames() -> None:
    with pytest.raises(OptionError, match="has frames, not Plan"):
        carecal.Plan(status=carecal.Status.EMPTY).to_frame()
