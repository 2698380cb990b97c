"""The kitchen's packing list as a page to print: per trip in departure order, the carrier,
the departure time and the portions by diet combination in words, then the day's totals.

The counts are those of ``packing_list.csv`` (:func:`carecal.io.frames.packing_rows`), so
that the page, the CSV file and ``meal_routes.csv`` always agree: a trip's rows add up to
the portions it carries, and the day's totals to every portion of the day.
"""

from __future__ import annotations

from typing import Any

from carecal.clock import format_time
from carecal.i18n import translator
from carecal.io.frames import packing_rows
from carecal.io.sheets.page import day_heading, diet_combination_text, render_page
from carecal.model import Community
from carecal.plans import MealPlan, People, people_of

PACKING_SHEET = "packing_list.html"
"""The page's file name, beside ``packing_list.csv`` in a plan folder."""


def _days(meals: list[MealPlan], rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """The rows of ``packing_list.csv`` as the page shows them: per date of the plans (one
    without trips says so), the trips, each with its diets, and the day's totals."""
    tr = translator(lang)
    days: dict[Any, dict[str, Any]] = {
        plan.date: {"heading": day_heading(tr, plan.date), "trips": {}, "totals": [], "portions": 0}
        for plan in sorted(meals, key=lambda p: p.date)
    }
    for row in rows:
        day = days[row["date"]]
        diet = {"diet": diet_combination_text(row["diet"], lang), "portions": row["portions"]}
        if not row.get("volunteer_id"):
            day["totals"].append(diet)
            day["portions"] += row["portions"]
            continue
        vid, name = row["volunteer_id"], row.get("volunteer_name") or ""
        trip = day["trips"].setdefault(
            (vid, row["trip"]),
            {
                "carrier": f"{name} ({vid})" if name else vid,
                "trip": row["trip"],
                "departure": format_time(row["departure"]),
                "diets": [],
                "portions": 0,
            },
        )
        trip["diets"].append(diet)
        trip["portions"] += row["portions"]
    return [{**day, "trips": list(day["trips"].values())} for day in days.values()]


def packing_sheet(
    meals: list[MealPlan],
    community: Community,
    people: People | None = None,
    lang: str | None = None,
) -> bytes:
    """The packing list of the meal plans as one printable page (UTF-8 HTML).

    Parameters
    ----------
    meals
        The meal plans (one date or a week's).
    community
        The community the plans were made for (the kitchen's and carriers' names).
    people
        The carriers' names (:func:`carecal.io.plan_folder.plan_people`); the
        community's by default.
    lang
        ``en`` or ``zh``; the community's (``policy.lang``) by default.

    Returns
    -------
    bytes
        The page: A4 portrait, large type, no scripts.
    """
    lang = lang or community.policy.lang
    tr = translator(lang)
    kitchen = community.kitchen
    if people is None:
        people = people_of(community, (), community.volunteer_by_id)
    rows = packing_rows(meals, people)
    title = tr.gettext("Packing list: {kitchen}").format(kitchen=kitchen.name or kitchen.site_id)
    return render_page("packing.html", lang, title, days=_days(meals, rows, lang))
