"""The health-check campaign: clinic slots, wheelchair escorts and the wheelchair pool (CP-SAT).

:func:`plan_health_checks` books every resident who is due a health check into a slot of
the clinic on one of the campaign days. Residents who need an escort (policy: walker,
wheelchair, or aged 85+) are fetched at home by a trained volunteer, pushed to the clinic
in a wheelchair, and brought home again. Bedridden residents who are due are listed for a
home check instead.

The rules, as the centre states them
------------------------------------
- **Slots.** The clinic opens a slot every ``slot_minutes`` from opening time; each slot
  has ``places_per_slot`` places. Every check of a slot starts at the slot start and takes
  ``check_minutes`` (the places are parallel examination rooms). The last slot is the last
  one whose check ends by closing time.
- **The escort's job.** The escort walks from their previous place (home, for their first
  job in an availability window) to the resident's door, takes
  ``escort_handling_minutes`` to get the resident out, pushes them to the clinic at
  wheelchair pace to arrive by the check start, stays through the check, pushes them
  home, and takes ``escort_handling_minutes`` to settle them.
- **Pool chairs.** A resident without a wheelchair of their own rides a pool chair. The
  escort collects it at the pool site nearest the resident's home (the kitchen or centre
  with ``wheelchairs`` > 0 that is the shortest walk away; ties go to the first in
  ``sites.csv``) on the way to the door, and brings it back there after settling the
  resident. The chair is out of the pool from collection to return; the escort's job then
  starts and ends at the pool site, and their next walk starts there.
- **The escort's day.** Every job, from leaving the previous place to being free again,
  lies inside one availability window of the escort on that date; one escort's jobs never
  overlap, counting the walk from the end of one job to the start of the next; at most
  ``max_escort_jobs_per_day`` jobs per escort per date. Escorts walk (mode ``walk``)
  between places; an escort without home coordinates starts at their first job's first
  place.
- **Walk-ins** (everyone else due) come on their own and take the remaining places.
- **Days.** The clinic days of :meth:`carecal.model.Community.clinic_days`, the one rule
  the planner, the verifier and the plan-folder reader share: the rows of
  ``campaign.csv`` (a date at a clinic, its hours or the day's own ``open``/``close``;
  several clinics may run on one date), in the caller's period if one is given, and,
  when the community has exactly one clinic, that clinic on the period's other
  Monday-to-Friday dates. An escort's jobs on one date never overlap, whichever clinic
  they go to, and a pool's chairs serve every clinic of the date. Who is due, and who
  needs an escort, is judged on the first day.

The objective, in order: book as many due residents as possible, the oldest, those living
alone and those longest without a check first (:func:`priority`); then the least walking
for the escorts; then an even spread of jobs (the most jobs any escort has over the
campaign); then earlier days for the oldest escorted residents (walk-ins: the oldest take
the earliest free places).

How it is built
---------------
One module a step, in the order the planner runs them:

- :mod:`~carecal.solver.campaign.problem`: the campaign as plain data (priority, each
  escort job's fixed times, which escort windows could take which job);
- :mod:`~carecal.solver.campaign.model`: the CP-SAT model, one method per rule above, and
  the objective as named terms;
- :mod:`~carecal.solver.campaign.search`: the greedy start and the two solves;
- :mod:`~carecal.solver.campaign.solution`: the bookings read back, walk-ins filled in;
- :mod:`~carecal.solver.campaign.unserved`: why each resident left out was not booked;
- :mod:`~carecal.solver.campaign.plan`: :func:`plan_health_checks` (the public call) and
  :func:`campaign_plan` (the planner on given clinic days), which run them.
"""

from carecal.solver.campaign.plan import campaign_plan, plan_health_checks
from carecal.solver.campaign.problem import priority

__all__ = ["campaign_plan", "plan_health_checks", "priority"]
