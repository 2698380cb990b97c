"""The CP-SAT model of the shift problem: its hints form a whole solution."""

from __future__ import annotations

import datetime as dt

from shift_weeks import MONDAY, SUNDAY, community, daily, every_day, search_options, volunteer

from carecal.model import Request


def test_neighbourhood_models_start_from_the_whole_current_timetable() -> None:
    """Every variable of a neighbourhood model is hinted, and the hints form a solution, so
    CP-SAT starts each neighbourhood from the current timetable (even on one worker)."""
    from ortools.sat.python import cp_model

    from carecal.solver.shifts import solve_shift_problem
    from carecal.solver.shifts.model import ShiftModel, build_structure
    from carecal.solver.shifts.problem import build_shift_problem

    ids = ["A", "B", "C", "D"]
    c = community(
        [volunteer(v, min_consecutive_days=2, min_days_off_in_a_row=2) for v in ids],
        [a for v in ids for a in every_day(v)],
        daily("AM", "08:00", "12:00", 2, 2) + daily("PM", "13:00", "17:00", 1, 1),
        (Request(volunteer_id="A", date=MONDAY, want=False, weight=3),),
        max_weekends=1,
        weight_fairness=1,
        weight_stability=1,
    )
    problem = build_shift_problem(c, MONDAY, SUNDAY + dt.timedelta(days=7))
    roster = solve_shift_problem(problem, search_options(1.0)).roster
    structure = build_structure(problem)
    for free_volunteers, free_days in (([0, 2], None), ([0, 1, 2, 3], {3, 4, 5, 6})):
        model = ShiftModel(problem, structure, free_volunteers, free_days, roster)
        proto = model.m.proto
        hinted = dict(zip(proto.solution_hint.vars, proto.solution_hint.values, strict=True))
        assert set(hinted) == set(range(len(proto.variables)))
        fixed = model.m.clone()
        for index, value in hinted.items():
            fixed.add(fixed.get_int_var_from_proto_index(index) == value)
        solver = cp_model.CpSolver()
        assert solver.solve(fixed) == cp_model.OPTIMAL
