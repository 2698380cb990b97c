"""The chain around one OR-Tools search: split, carriers sent home, searched again."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from line_days import line_problem as line

from carecal.solver.meals import chain
from carecal.solver.meals.chain import SearchSetup, chained_search

STRATEGIES = ("PARALLEL_CHEAPEST_INSERTION", "GUIDED_LOCAL_SEARCH")


def setup(seconds: float) -> SearchSetup:
    """Deterministic: the split is of the work, so the test does not hang on the clock."""
    return SearchSetup(seconds, seconds * 10 + 10, True, STRATEGIES)


def count_searches(monkeypatch: pytest.MonkeyPatch, fail_first: bool = False) -> list[float]:
    """Record each search's seconds; with ``fail_first`` the first finds no plan (as a
    search cut by the clock on a slow machine would)."""
    seconds: list[float] = []
    real = chain.ortools_search

    def spy(problem: Any, s: SearchSetup, **kwargs: Any) -> Any:
        seconds.append(s.seconds)
        if fail_first and len(seconds) == 1:
            return None
        return real(problem, s, **kwargs)

    monkeypatch.setattr(chain, "ortools_search", spy)
    return seconds


def test_a_short_search_is_not_split(monkeypatch: pytest.MonkeyPatch) -> None:
    seconds = count_searches(monkeypatch)
    result = chained_search(line(vehicles=2), setup(0.5))
    assert result is not None and seconds == [0.5]


def test_a_long_search_is_split_and_searched_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """60 % of the work, carriers home, then the rest from there; the plan serves all."""
    seconds = count_searches(monkeypatch)
    problem = line(vehicles=3, fixed_cost=np.array([100, 100, 100]), max_trips=2)
    result = chained_search(problem, setup(2.0))
    assert result is not None
    assert seconds == pytest.approx([1.2, 0.8])
    assert sorted(n for r in result.routes for n in r.nodes) == [1, 2, 3]
    assert len({r.vehicle for r in result.routes}) == 1


def test_the_helpers_search_runs_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    seconds = count_searches(monkeypatch)
    chained_search(line(vehicles=2), setup(2.0), split=False)
    assert seconds == pytest.approx([2.0 * (1 - chain.FEWER_CARRIERS_SHARE)])


def test_no_plan_in_the_first_share_leaves_the_rest_to_a_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first share found nothing: the rest of the work is a search of its own."""
    seconds = count_searches(monkeypatch, fail_first=True)
    result = chained_search(line(vehicles=2), setup(2.0))
    assert result is not None and seconds == pytest.approx([1.2, 0.8])
    assert sorted(n for r in result.routes for n in r.nodes) == [1, 2, 3]


def test_the_chain_is_deterministic() -> None:
    problem = line(vehicles=3, fixed_cost=np.array([100, 100, 100]), max_trips=2)
    first = chained_search(problem, setup(2.0))
    again = chained_search(problem, setup(2.0))
    assert first is not None and again is not None
    assert first.routes == again.routes and first.score == again.score
