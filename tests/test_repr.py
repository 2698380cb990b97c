"""Short reprs (one line: counts and status) and the compact HTML cards for Jupyter."""

from __future__ import annotations

import datetime as dt

import pytest
from notebook_data import (
    MONDAY,
    TUESDAY,
    booking,
    campaign,
    meal_plan,
    missed,
    monday_meals,
    on_shift,
    shifts,
    stop,
    trip,
    valid,
)

import carecal
from carecal.datasets import make_community
from carecal.explain import CODES
from carecal.plans import Status, Unserved, UnservedKind, WeekPlan

CARD_LIMIT = 10_000
"""Bytes of HTML a card may take at most."""


def test_community_repr_is_one_line_of_counts() -> None:
    assert repr(valid()) == "<Community: 3 residents, 2 volunteers, 2 sites, 0 shifts>"
    assert repr(carecal.sample_community()) == (
        "<Community: 320 residents, 36 volunteers, 3 sites, 18 shifts>"
    )


def test_plan_reprs_are_one_line_with_status_and_counts() -> None:
    assert repr(monday_meals()) == (
        "<MealPlan 2026-03-02: optimal, 2 served, 1 unserved, 1 carriers, objective 12>"
    )
    camp = campaign(booking("R001", 540, ("V01",)), booking("R002", 555))
    assert repr(camp) == (
        "<CampaignPlan 2026-03-03: feasible, 2 booked, 0 unserved, 1 escorts, objective 5>"
    )
    plan = shifts(on_shift("V01"), on_shift("V02"), on_shift("V01", TUESDAY), short=1)
    assert repr(plan) == (
        "<ShiftPlan 2026-03-02..2026-03-03: optimal, 3 places filled by 2 volunteers, "
        "1 unserved, objective 0>"
    )
    week = WeekPlan(
        status=Status.FEASIBLE,
        start=MONDAY,
        end=TUESDAY,
        meals=(monday_meals(),),
        campaign=camp,
        shifts=plan,
        unserved=monday_meals().unserved,
    )
    assert repr(week) == (
        "<WeekPlan 2026-03-02..2026-03-03: feasible, 2 meals served, 2 booked, "
        "3 shift places filled, 1 unserved, objective 0>"
    )
    for shown in (repr(monday_meals()), repr(camp), repr(plan), repr(week)):
        assert "\n" not in shown


def test_plan_card_shows_status_objective_gap_unserved_by_code_and_first_rows() -> None:
    camp = campaign(
        booking("R001", 540, ("V01",)),
        unserved=(
            Unserved(
                kind=UnservedKind.HEALTH_CHECK,
                id="R003",
                date=TUESDAY,
                code="escorts_busy",
                reason="every escort was busy",
                fix="ask another escort",
            ),
        ),
    ).with_people(valid())
    card = camp._repr_html_()
    assert "feasible" in card
    assert "objective 5 · bound 4 · gap 20.0%" in card
    assert "<td>escorts_busy</td><td>1</td>" in card
    assert "Wang Fang" in card and "08:35" in card


def test_plan_card_escapes_every_value() -> None:
    community = valid()
    evil = community.residents[0].model_copy(update={"name": "<script>alert(1)</script>"})
    community = community.with_changes(residents=(evil, *community.residents[1:]))
    plan = meal_plan(
        trip("V01", 1, 650, stop("R001", 660, food=10)),
        unserved=(missed("R002", code="<b>odd</b>"),),
    ).with_people(community)
    card = plan._repr_html_()
    assert "<script>" not in card and "<b>odd" not in card
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in card
    assert "&lt;b&gt;odd&lt;/b&gt;" in card
    assert "<script>" not in community._repr_html_()


def test_plan_card_stays_small_however_much_is_unserved() -> None:
    """Every reason code, long reasons and fixes, and thousands of entries."""
    unserved = tuple(
        Unserved(
            kind=UnservedKind.MEAL,
            id=f"R{i:05d}",
            date=MONDAY,
            code=list(CODES)[i % len(CODES)],
            reason="a very long reason " * 30,
            fix="a very long fix " * 30,
        )
        for i in range(3000)
    )
    long_trip = trip("V01", 1, 600, *(stop(f"R{i:05d}", 610 + i, food=i) for i in range(50)))
    card = meal_plan(long_trip, unserved=unserved)._repr_html_()
    assert len(card.encode("utf-8")) < CARD_LIMIT
    assert "more reason codes" in card and "45 more rows" in card


@pytest.mark.filterwarnings("ignore::carecal.CarecalWarning")
def test_the_card_of_a_1500_resident_plan_is_under_10_kb() -> None:
    community = make_community(residents=1500, volunteers=60, seed=7)
    day = community.campaign[0].date
    plan = carecal.plan_meals(community, day, time_limit=3, seed=0)
    assert len(plan.served) > 5
    card = plan._repr_html_()
    assert len(card.encode("utf-8")) < CARD_LIMIT
    assert plan.status.value in card
    first = community.resident_by_id[plan.served[0]].name
    assert first in card
    community_card = community._repr_html_()
    assert len(community_card.encode("utf-8")) < CARD_LIMIT
    assert "1500" in community_card


def test_community_card_counts_the_tables_and_names_policy_changes() -> None:
    card = valid().with_policy(max_food_minutes=40)._repr_html_()
    assert "&lt;Community: 3 residents, 2 volunteers, 2 sites, 0 shifts&gt;" in card
    assert "changed: max_food_minutes" in card


def test_an_empty_plan_has_a_card_too() -> None:
    plan = carecal.MealPlan(status=Status.EMPTY, date=dt.date(2026, 3, 8))
    card = plan._repr_html_()
    assert "Everyone was served." in card and "No rows" in card
    assert repr(plan) == (
        "<MealPlan 2026-03-08: empty, 0 served, 0 unserved, 0 carriers, objective 0>"
    )
