"""Daily meal routing: :func:`plan_meals` and the day problem its engines solve.

- :mod:`~carecal.solver.meals.problem`: the day problem in plain arrays, built from a
  community's deliveries, carriers and missed-meal penalties;
- :mod:`~carecal.solver.meals.model`: the OR-Tools routing model, one function per rule;
- :mod:`~carecal.solver.meals.search`: engine choice and the call's searches, a second
  one on another core (:mod:`~carecal.solver.meals.helper`, the helper process);
- :mod:`~carecal.solver.meals.chain`: one OR-Tools search and the chain around it (repair,
  carriers sent home, the search again);
- :mod:`~carecal.solver.meals.reinsert`: putting left-out deliveries back, and sending
  carriers home whose deliveries the others can take;
- :mod:`~carecal.solver.meals.parameters`: OR-Tools search parameters and progress;
- :mod:`~carecal.solver.meals.pyvrp_engine`: the optional PyVRP engine;
- :mod:`~carecal.solver.meals.retime`: re-timing trips after the search, and repair;
- :mod:`~carecal.solver.meals.solution`: trips and objective terms back into a plan;
- :mod:`~carecal.solver.meals.replan`: re-planning a day with the least disruption (the
  solver side of :func:`carecal.replan_meals`), and
  :mod:`~carecal.solver.meals.disruption`: what its moves cost;
- :mod:`~carecal.solver.meals.plan`: :func:`plan_meals`, which runs them in that order,
  and :func:`meal_plan`, the same on a plain date with checked options (for ``plan_week``).
"""

from carecal.solver.meals.plan import meal_plan, plan_meals
from carecal.solver.meals.problem import (
    ArrivalTarget,
    DayProblem,
    DayRoute,
    DaySolution,
    day_carriers,
    delivery_period,
    missed_meal_penalty,
)
from carecal.solver.meals.retime import earliest_times, retime, retime_and_repair
from carecal.solver.meals.search import ENGINES, check_engine, choose_engine, solve_day

__all__ = [
    "ENGINES",
    "ArrivalTarget",
    "DayProblem",
    "DayRoute",
    "DaySolution",
    "check_engine",
    "choose_engine",
    "day_carriers",
    "delivery_period",
    "earliest_times",
    "meal_plan",
    "missed_meal_penalty",
    "plan_meals",
    "retime",
    "retime_and_repair",
    "solve_day",
]
