"""Unserved meal deliveries: the reason and the fix, with the numbers, in plain words."""

from __future__ import annotations

from typing import Any

import pytest

from carecal.clock import TimeWindow, parse_time
from carecal.explain import (
    MealCarrier,
    MealDelivery,
    meal_carriers_busy,
    meal_obstacle,
    meal_single_trip_ok,
)
from carecal.policy import Policy

POLICY = Policy()
"""Meals ready 10:45, hot-meal limit 45 minutes."""


def delivery(
    out: dict[str, int] | None = None,
    *,
    window: tuple[str, str] = ("11:00", "12:30"),
    portions: int = 1,
    handover: int = 2,
) -> MealDelivery:
    """R0132, ``out`` minutes from the kitchen per mode (the same back); default 10 each."""
    minutes = {"walk": 10, "bike": 10, "ebike": 10, "car": 10, **(out or {})}
    return MealDelivery(
        resident_id="R0132",
        portions=portions,
        window=TimeWindow(parse_time(window[0]), parse_time(window[1])),
        handover=handover,
        out_minutes=minutes,
        back_minutes=minutes,
    )


def walker(**fields: Any) -> MealCarrier:
    """V001 walks, carries 4, free to leave 10:45 and back by 13:00."""
    data: dict[str, Any] = {
        "volunteer_id": "V001",
        "mode": "walk",
        "capacity": 4,
        "leave_from": parse_time("10:45"),
        "back_by": parse_time("13:00"),
    }
    data.update(fields)
    return MealCarrier(**data)


def test_a_delivery_one_carrier_can_make_has_no_obstacle() -> None:
    assert meal_obstacle(delivery(), [walker()], POLICY, "Mon") is None


@pytest.mark.parametrize(
    ("fields", "ok"),
    [
        ({}, True),
        ({"back_by": parse_time("11:12")}, True),  # 11:00 + 2 + 10: back just in time
        ({"back_by": parse_time("11:11")}, False),
        ({"capacity": 1}, True),
        ({"leave_from": parse_time("12:20")}, True),  # reaches the door at 12:30 exactly
        ({"leave_from": parse_time("12:21")}, False),
    ],
)
def test_single_trip_boundaries(fields: dict[str, Any], ok: bool) -> None:
    """R0132 10 minutes out, window 11:00–12:30, 2 minutes at the door."""
    assert meal_single_trip_ok(delivery(), walker(**fields), POLICY) is ok


def test_no_carrier_that_day() -> None:
    code, reason, fix = meal_obstacle(delivery(), [], POLICY, "Wed") or ("", "", "")
    assert code == "no_carrier"
    assert reason == "no meals carrier is available on Wed, so nobody can bring R0132's meal"
    assert fix == "ask a volunteer with the meals skill to pledge Wed 10:45–12:30"


def test_portions_above_every_capacity() -> None:
    code, reason, fix = meal_obstacle(delivery(portions=6), [walker()], POLICY, "Mon") or (
        "",
        "",
        "",
    )
    assert code == "portions"
    assert "order of 6 portions" in reason and "(at most 4)" in reason
    assert "carry 6 portions" in fix


def test_food_age_limit_out_of_reach_suggests_a_faster_mode() -> None:
    """52 minutes on foot, 20 by bike: only walkers carry today."""
    d = delivery({"walk": 52, "bike": 20, "ebike": 16, "car": 18})
    code, reason, fix = meal_obstacle(d, [walker()], POLICY, "Mon") or ("", "", "")
    assert code == "food_age"
    assert reason == (
        "R0132's door is 52 minutes from the kitchen even for the fastest carrier (walking), "
        "more than the 45-minute hot-meal limit"
    )
    assert fix == "add a bike carrier (20 minutes) or raise max_food_minutes to 52"


def test_window_out_of_reach_suggests_widening_or_an_ebike() -> None:
    """Window 11:00–11:05; 23 minutes on foot (11:08 at best), 21 by bike, 8 by e-bike."""
    d = delivery({"walk": 23, "bike": 21, "ebike": 8, "car": 12}, window=("11:00", "11:05"))
    code, reason, fix = meal_obstacle(d, [walker()], POLICY, "Mon") or ("", "", "")
    assert code == "window"
    assert reason == (
        "R0132's window 11:00–11:05 cannot be met: meals are ready at 10:45 and the nearest "
        "carrier (walking) needs 23 minutes from the kitchen"
    )
    assert fix == "widen the window to at least 11:08 or add an e-bike carrier"


def test_fastest_fitting_carrier_counts() -> None:
    """A car carrier would be quick, but carries only 1 of the 2 portions ordered."""
    d = delivery({"walk": 50, "car": 10}, portions=2)
    car = walker(volunteer_id="V002", mode="car", capacity=1)
    _, reason, _ = meal_obstacle(d, [walker(), car], POLICY, "Mon") or ("", "", "")
    assert "50 minutes" in reason and "(walking)" in reason


def test_carriers_hours_do_not_cover_the_window() -> None:
    """Free 10:45–11:15 only, R0132 30 minutes out: back 11:47 at the earliest."""
    d = delivery({"walk": 30})
    early = walker(back_by=parse_time("11:15"))
    code, reason, fix = meal_obstacle(d, [early], POLICY, "Fri") or ("", "", "")
    assert code == "carrier_hours"
    assert reason == (
        "no carrier's hours on Fri cover R0132's window 11:00–12:30: carriers are free 10:45–11:15"
    )
    assert fix == "ask a meals carrier to stay until at least 11:47 on Fri, or move the window"


def test_carriers_hours_listed_at_most_three() -> None:
    d = delivery({"walk": 30})
    crew = [walker(volunteer_id=f"V{i}", back_by=parse_time("11:15") + i) for i in range(5)]
    _, reason, _ = meal_obstacle(d, crew, POLICY, "Fri") or ("", "", "")
    assert reason.endswith("10:45–11:15, 10:45–11:16, 10:45–11:17 and 2 more")


def test_all_carriers_busy() -> None:
    code, reason, fix = meal_carriers_busy(delivery(), "Mon", 58, 40, 5)
    assert code == "carriers_busy"
    assert reason == (
        "all carriers were full or busy during R0132's window 11:00–12:30: 58 portions were "
        "ordered for Mon and the 5 available carriers take 40 per round"
    )
    assert fix == "add a carrier on Mon or widen the delivery windows"


def test_every_code_is_listed_with_its_meaning() -> None:
    """The codes the explain functions give are the documented ones, and only those."""
    import inspect
    import re as _re

    import carecal.explain as explain

    source = inspect.getsource(explain)
    used = set(_re.findall(r'Why\(\s*"(\w+)"', source))
    assert used == set(explain.CODES)
