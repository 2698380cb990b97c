"""Re-planning a day's meal routes with the least disruption: :func:`replan_meals`."""

from __future__ import annotations

from carecal.clock import coerce_now
from carecal.errors import OptionError
from carecal.model import Community
from carecal.options import ProgressOption, solve_options
from carecal.plans import MealPlan
from carecal.policy import check_policy
from carecal.replan.calls import who_to_call
from carecal.solver.meals.replan import meal_replan


def replan_meals(
    community: Community,
    previous: MealPlan,
    now: object = None,
    *,
    time_limit: float = 10.0,
    workers: int | None = None,
    seed: int = 0,
    deterministic: bool = False,
    progress: ProgressOption = False,
) -> MealPlan:
    """Re-plan a day's meal routes after changes, moving as few elders as it can.

    The changes come in through ``community`` (its ``changes``: a carrier off, a
    resident away, an extra meal; its availability and roster); ``previous`` is the plan
    made for that day before them (from :func:`carecal.plan_meals`, or read back with
    :func:`carecal.read_plan`, perhaps with rows marked ``locked``). The date is the
    previous plan's.

    - **Frozen**: a trip that left the kitchen before ``now`` is kept exactly as it is
      (its stops, times and number), even where the changed community would not allow
      it any more (a carrier off since before it left, a resident away that day): it
      happened, and :func:`carecal.verify` then says where it breaks a rule of the
      changed community. Its carrier's next trip leaves once it is back, counts against
      ``max_trips_per_day``, and is no new call (no ``carrier_fixed_cost`` for the
      search). No trip leaves before ``now``.
    - **Locked**: a stop with ``locked=True`` keeps its carrier and its arrival, is never
      dropped, and stays locked in the result. A lock the changed community makes
      impossible (its carrier off, its resident away, its arrival out of reach) is not
      dropped silently: it is a :class:`carecal.CommunityError`.
    - **The order of the objective**: serving first (no disruption ever costs one more
      missed delivery), then disruption (``move_carrier_weight`` per elder whose meal
      comes with another carrier, or no longer comes; ``move_arrival_weight`` per elder
      whose arrival moves by more than ``move_arrival_minutes``), then the usual
      objective of :func:`carecal.plan_meals` (carriers, travel, preferences). The search
      starts from the previous plan, and the result is never worse in that order than
      the previous plan repaired (what the changes made impossible taken out, re-timed).
      So a re-plan without changes moves nobody, and a change moves only whom it must.
    - Deliveries new since the previous plan (an ``extra_meal``, a standing order
      starting with ``meals_from``) are added; a resident away that day is taken off the
      routes and is not listed as unserved (away is not unserved); the elders of a
      carrier who is off go to other carriers.

    Parameters
    ----------
    community
        The community with the changes.
    previous
        The meal plan being re-planned.
    now
        The moment the re-plan starts from: ``None`` (the default: nothing has happened
        yet, nothing is frozen), a naive ``datetime.datetime``, ``"YYYY-MM-DD HH:MM"``,
        or a time of day (``"HH:MM"``, ``datetime.time``) on the plan's date.
    time_limit
        Total wall-clock seconds for the whole call, default 10.
    workers
        Cores to use; default ``None`` (every core). With 2 or more, each routing search
        has a second one beside it on another core, from a first solution of its own,
        and the better plan is kept (:mod:`carecal.solver.meals.search`).
    seed
        Random seed, default 0. The OR-Tools routing search has no random element, so the
        plan does not depend on it.
    deterministic
        Default ``False``. When ``True``, each search stops after a fixed amount of work
        (a number of solutions, and of search branches in proportion to its share of
        ``time_limit``), so the same input always gives the same plan; ``time_limit``
        stays a safety net.
    progress
        ``False`` (the default) for silence, ``True`` for a progress bar, or a callable
        that receives each :class:`carecal.progress.ProgressEvent` (stages
        ``"building"``, ``"routing"``, ``"done"``).

    Returns
    -------
    MealPlan
        The frozen trips as they were and the re-planned ones after them; the unserved
        with reason and fix; the objective terms of :func:`carecal.plan_meals` plus
        ``moved_carrier`` and ``moved_arrival``; status ``FEASIBLE`` when the repaired
        previous plan was kept; ``to_call``: the people whose day changed
        (:func:`carecal.replan.calls.who_to_call`), written as ``to_call.csv``.

    Raises
    ------
    carecal.OptionError
        For a ``previous`` that is not a :class:`carecal.MealPlan`, a ``now`` that names
        no moment (or carries a time zone), or an invalid solving option.
    carecal.CommunityError
        For a locked stop the changed community makes impossible (naming the resident,
        the date and the fix: unlock the row or undo the change), an invalid policy, or
        a community without a kitchen.
    """
    options = solve_options(
        "replan_meals",
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        deterministic=deterministic,
        progress=progress,
    )
    try:
        if not isinstance(previous, MealPlan):
            raise OptionError(
                f"replan_meals re-plans a MealPlan (from plan_meals, or read_plan of a meals "
                f"folder), not {type(previous).__name__}; for a week use replan_week"
            )
        moment = coerce_now(now, previous.date)
        check_policy(community.policy)
        plan = meal_replan(community, previous, moment, options)
        return plan.model_copy(update={"to_call": who_to_call(community, previous, plan)})
    finally:
        options.reporter.close()
