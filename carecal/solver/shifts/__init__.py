"""The volunteers' shift plan: who is on duty when, fairly, within what each pledged.

The package reads in the order the planner works:

- :mod:`.problem`: the community and period as plain arrays, and the objective priced
  without a solver;
- :mod:`.model`: the CP-SAT model, one method per care rule, and the named objective terms;
- :mod:`.columns`: column generation over whole timetables per volunteer;
- :mod:`.search`: the search that runs :mod:`.construction`, column generation or the whole
  model, and :mod:`.neighbourhoods` (all on :mod:`.base`);
- :mod:`.solution`: the timetable read back into assignments and the unserved places;
- :mod:`.plan`: :func:`plan_shifts`, the call a user makes, and :func:`shift_plan`, the
  same with checked options and plain dates, which ``plan_week`` calls.
"""

from carecal.solver.shifts.plan import plan_shifts, shift_plan
from carecal.solver.shifts.search import solve_shift_problem
from carecal.solver.shifts.solution import ShiftSolution

__all__ = ["ShiftSolution", "plan_shifts", "shift_plan", "solve_shift_problem"]
