"""A solved shift plan read back: the unserved rows and the explanations name who and why."""

from __future__ import annotations

from shift_weeks import MONDAY, SUNDAY, community, daily, every_day, monday_shift, plan, volunteer

from carecal.plans import Status
from carecal.solver.shifts import plan_shifts


def test_min_minutes_out_of_reach_is_infeasible_and_says_who() -> None:
    """A pledged 2000 minutes but is free for only 7 shifts of 3 hours (1260 minutes)."""
    c = community(
        [volunteer("A", min_minutes_per_period=2000)], every_day("A"), daily("S", "09:00", "12:00")
    )
    result = plan_shifts(c, MONDAY, SUNDAY, time_limit=1.0, deterministic=True)
    assert result.status == Status.INFEASIBLE
    assert not result.assignments
    assert "A" in result.unserved[0].reason and "1260" in result.unserved[0].reason


def test_explain_names_terms_and_who() -> None:
    """Two places on Monday and one volunteer: under-cover explained with the shift."""
    shifts = [monday_shift(2)]
    result = plan(community([volunteer("A")], every_day("A"), shifts), end=MONDAY)
    text = result.explain()
    assert "under_cover: 100" in text and "S 2026-03-02" in text
    assert "needs 2 volunteers and the plan has 1" in result.unserved[0].reason
