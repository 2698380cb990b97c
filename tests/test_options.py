"""The solving options every planner takes, and progress events."""

from __future__ import annotations

import os

import pytest

from carecal.errors import CarecalError, OptionError
from carecal.options import solve_options
from carecal.progress import ProgressEvent


def test_defaults_resolve_workers_to_the_cores() -> None:
    o = solve_options("plan_meals", time_limit=10)
    assert o.time_limit == 10.0
    assert o.workers == (os.cpu_count() or 1)
    assert (o.seed, o.deterministic) == (0, False)
    assert 0 <= o.remaining() <= 10


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_limit", 0, "positive number of seconds"),
        ("time_limit", -1, "positive number of seconds"),
        ("time_limit", float("inf"), "positive number of seconds"),
        ("time_limit", float("nan"), "positive number of seconds"),
        ("time_limit", "10", "number of seconds"),
        ("time_limit", True, "number of seconds"),
        ("workers", 0, "workers must be a whole number"),
        ("workers", 1.5, "workers must be a whole number"),
        ("seed", -1, "seed must be a whole number"),
        ("seed", "a", "seed must be a whole number"),
        ("deterministic", 1, "deterministic must be True or False"),
        ("progress", "yes", "progress must be True"),
    ],
)
def test_bad_options_are_refused_naming_the_planner_and_field(
    field: str, value: object, message: str
) -> None:
    kwargs: dict[str, object] = {"time_limit": 5, field: value}
    with pytest.raises(OptionError, match=f"^plan_shifts: .*{message}"):
        solve_options("plan_shifts", **kwargs)  # type: ignore[arg-type]


def test_option_errors_are_carecal_errors_and_value_errors() -> None:
    with pytest.raises(CarecalError):
        solve_options("plan_week", time_limit=0)
    with pytest.raises(ValueError):
        solve_options("plan_week", time_limit=0)


def test_a_callable_receives_events_from_parts_too() -> None:
    events: list[ProgressEvent] = []
    o = solve_options("plan_week", time_limit=20, progress=events.append)
    o.reporter("start", "planning the week")
    part = o.with_time_limit(5, "plan_meals")
    assert part.time_limit == 5.0 and part.planner == "plan_meals"
    part.reporter("routing", "solution 12", objective=12.0)
    assert [e.planner for e in events] == ["plan_week", "plan_meals"]
    assert events[1].objective == 12.0 and str(events[1]) == "solution 12"
    assert events[1].time_limit == 20.0


def test_progress_true_draws_a_bar_and_closes_it(capsys: pytest.CaptureFixture[str]) -> None:
    o = solve_options("plan_meals", time_limit=2, progress=True)
    o.reporter("routing", "solution 3", objective=3.0)
    o.reporter.close()
    err = capsys.readouterr().err
    assert "plan_meals" in err and "best 3" in err


def test_silent_progress_sends_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    o = solve_options("plan_meals", time_limit=2, progress=False)
    o.reporter("routing", "solution 3", objective=3.0)
    o.reporter.close()
    assert capsys.readouterr().err == ""
