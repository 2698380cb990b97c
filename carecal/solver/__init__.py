"""The planners: the only package that imports OR-Tools.

:mod:`~carecal.solver.meals` (the day's meal routes), :mod:`~carecal.solver.campaign`
(the health-check campaign), :mod:`~carecal.solver.shifts` (volunteer shifts) and
:mod:`~carecal.solver.week` (all three for a week), with :mod:`~carecal.solver.cpsat`, the
one CP-SAT setup they share. Importing this package itself loads nothing; OR-Tools comes
with the first planner module imported (``carecal.plan_meals`` and the like do that on
first use).
"""
