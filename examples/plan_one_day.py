"""Plan one day of meal deliveries for a folder of spreadsheets, the way a notebook would.

Usage::

    python examples/plan_one_day.py [DATA_FOLDER] [YYYY-MM-DD] [OUT_FOLDER]

Without arguments it uses the bundled sample community and its next weekday.
"""

from __future__ import annotations

import datetime as dt
import sys

import carecal
from carecal.clock import next_weekday


def main(argv: list[str]) -> int:
    """Read, plan, verify, write; print what a coordinator needs to know."""
    community = carecal.read_community(argv[0]) if argv else carecal.sample_community()
    # plan_meals takes the date as text too ("YYYY-MM-DD"), or a date or a timestamp.
    date = argv[1] if len(argv) > 1 else next_weekday(dt.date.today())
    out = argv[2] if len(argv) > 2 else "plan-one-day"

    plan = carecal.plan_meals(community, date, time_limit=5)
    print(plan.summary())
    problems = carecal.verify(community, plan)
    for problem in problems:
        print("broken rule:", problem)
    for path in carecal.write_plan(plan, out, community):
        print("wrote", path)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
