"""Pictures of plans: the meal routes on a map, the escorts' day, the rota and the cover.

The only module that imports matplotlib, and only inside the functions, so that
``import carecal.plot`` works without the optional extra and says how to install it the
first time a picture is asked for (``pip install "carecal[plot]"``). The extra also brings
``mplfonts``, whose Noto Sans CJK font is registered with matplotlib's font manager (in
memory: nothing is copied or written) and used as a fallback behind the usual sans-serif
font, so that Chinese names and addresses render instead of empty boxes.

Every function draws on the Axes it is given, or on a new pyplot figure (which a notebook
shows), and returns what it drew on; none calls ``show()``. :func:`render_all` renders
every picture that applies to a plan as PNG bytes with the Agg backend, without pyplot.

The artists carry a ``gid`` naming what they stand for (``trip:V001:1``,
``escort:V002:check``, ``assignment:2027-03-01:MEAL-Mon:V003``, ``short:…``), so code and
tests can find what was drawn without reading pixels.

This module is long (about 1,200 lines) because matplotlib may be imported only here
(DESIGN.md): the four pictures, the city and report bars, and the style, font and label
helpers they share live together; splitting it into a ``plot/`` package, one module a
picture, is the next step when it grows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import importlib.util
import io
import math
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, NamedTuple

from carecal.clock import coerce_date, date_range, format_time
from carecal.errors import CarecalWarning, CommunityError, ExtraMissingError, OptionError
from carecal.i18n import N_, translator
from carecal.model import Community, Resident, Role, Site
from carecal.plans import (
    Booking,
    CampaignPlan,
    MealPlan,
    Plan,
    ShiftPlan,
    UnservedKind,
    WeekPlan,
)
from carecal.verify.shifts import _shifts_on

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from carecal.city import CityPlan
    from carecal.report import MonthlyReport

__all__ = ["city_bars", "cover", "escort_gantt", "render_all", "rota", "route_map"]

# The CJK font of mplfonts we use: Noto Sans CJK SC is under the SIL Open Font License
# (mplfonts also ships SimHei, whose licence is unclear) and covers simplified Chinese.
_CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"

ROLE_COLOURS: dict[str, str] = {
    Role.MEALS.value: "#f28e2b",
    Role.ESCORT.value: "#4e79a7",
    Role.CENTRE.value: "#59a14f",
}
"""The colour of each shift role in the rota and the cover."""
_ROLE_WORDS: dict[str, str] = {"meals": N_("meals"), "escort": N_("escort"), "centre": N_("centre")}

# The escort job's phases, in order, with their shades (light to dark and back, so the
# check in the middle stands out).
_PHASES: tuple[tuple[str, str, str], ...] = (
    ("pickup", N_("pickup at the door"), "#c6dbef"),
    ("ride", N_("ride to the clinic"), "#6baed6"),
    ("check", N_("health check"), "#08519c"),
    ("ride_home", N_("ride home"), "#9ecae1"),
)

_DPI = 120
_ROUTE_SIZE = (8.0, 7.0)


# --- matplotlib, the font and the style ------------------------------------------------------


def _matplotlib() -> ModuleType:
    """matplotlib itself, or ExtraMissingError with the install command."""
    try:
        import matplotlib
    except ImportError:
        raise ExtraMissingError("plot", "matplotlib", "carecal.plot") from None
    return matplotlib


@functools.cache
def _font_family() -> tuple[str, ...]:
    """The font family list every picture uses: sans-serif, then the CJK font as fallback.

    matplotlib (3.6 and later) takes each glyph from the first family in the list that has
    it, so Latin text keeps the user's sans-serif font and Chinese comes from Noto Sans CJK.
    Without mplfonts the pictures are still drawn, with a warning, and Chinese shows only
    where the system has a CJK font of its own.
    """
    from matplotlib import font_manager

    spec = importlib.util.find_spec("mplfonts")
    # Located, not imported: importing mplfonts pulls in its command-line helpers, and its
    # install functions copy fonts into matplotlib's own folder, which we never want.
    origin = spec.origin if spec is not None else None
    path = Path(origin).parent / "fonts" / _CJK_FONT_FILE if origin else None
    if path is None or not path.is_file():
        warnings.warn(
            "carecal.plot: the package 'mplfonts' is not installed, so Chinese names may "
            'show as empty boxes; install the extra with: pip install "carecal[plot]"',
            CarecalWarning,
            stacklevel=3,
        )
        return ("sans-serif",)
    font_manager.fontManager.addfont(str(path))
    return ("sans-serif", font_manager.FontProperties(fname=str(path)).get_name())


@contextlib.contextmanager
def _style() -> Iterator[tuple[str, ...]]:
    """matplotlib's settings while a picture is drawn; yields the font family list.

    Text takes its font when it is created, so the titles, labels and legends drawn inside
    keep the CJK fallback after the context ends, and the user's own settings are left as
    they were.
    """
    mpl = _matplotlib()
    family = _font_family()
    with mpl.rc_context({"font.family": list(family), "axes.unicode_minus": False}):
        yield family


def _new_axes(size: tuple[float, float]) -> Axes:
    """A new pyplot figure's Axes (pyplot, so that a notebook shows it)."""
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _label_ticks(ax: Axes, axis: str, positions: list[float], labels: list[str]) -> None:
    """Ticks with labels in the picture's fonts, also on an Axes made before the picture."""
    family = list(_font_family())
    if axis == "x":
        ax.set_xticks(positions, labels, fontfamily=family)
    else:
        ax.set_yticks(positions, labels, fontfamily=family)


def _clock_axis(ax: Axes) -> None:
    """Minutes since midnight shown as HH:MM on the x axis."""
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    ax.xaxis.set_major_locator(MultipleLocator(60))
    ax.xaxis.set_minor_locator(MultipleLocator(15))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: format_time(x)))


# --- choosing what to draw -------------------------------------------------------------------


def _kind(plan: object) -> str:
    return type(plan).__name__


def _meal_plan_of(plan: Plan, date: object, what: str) -> MealPlan:
    """The meal plan to draw: the plan itself, or the date's meal plan of a week plan."""
    if isinstance(plan, MealPlan):
        if date is not None and coerce_date(date, "date") != plan.date:
            raise OptionError(
                f"{what}: date {coerce_date(date, 'date')} is not the meal plan's date "
                f"{plan.date}; leave date out for a MealPlan"
            )
        return plan
    if isinstance(plan, WeekPlan):
        dates = ", ".join(str(m.date) for m in plan.meals) or "none"
        if date is None and len(plan.meals) == 1:
            return plan.meals[0]
        if date is None:
            raise OptionError(
                f"{what}: a WeekPlan holds the meal plans of several dates ({dates}); "
                "choose one with date=..."
            )
        day = coerce_date(date, "date")
        for meal in plan.meals:
            if meal.date == day:
                return meal
        raise OptionError(f"{what}: the week plan has no meal plan on {day}; its dates: {dates}")
    raise OptionError(f"{what} draws a MealPlan or one date of a WeekPlan, not a {_kind(plan)}")


def _campaign_of(plan: Plan, what: str) -> CampaignPlan:
    """The campaign to draw: the plan itself, or a week plan's campaign."""
    if isinstance(plan, CampaignPlan):
        return plan
    if isinstance(plan, WeekPlan):
        if plan.campaign is None:
            raise OptionError(
                f"{what}: the week plan {plan.start} to {plan.end} has no health-check "
                "campaign (no clinic day in the period)"
            )
        return plan.campaign
    raise OptionError(f"{what} draws a CampaignPlan or a WeekPlan's campaign, not a {_kind(plan)}")


def _shift_plan_of(plan: Plan, what: str) -> ShiftPlan:
    """The shift plan to draw: the plan itself, or a week plan's shifts."""
    if isinstance(plan, ShiftPlan):
        return plan
    if isinstance(plan, WeekPlan):
        if plan.shifts is None:
            raise OptionError(f"{what}: the week plan {plan.start} to {plan.end} has no shift plan")
        return plan.shifts
    raise OptionError(f"{what} draws a ShiftPlan or a WeekPlan's shifts, not a {_kind(plan)}")


def _campaign_dates(campaign: CampaignPlan) -> list[dt.date]:
    return list(campaign.dates) or sorted({b.date for b in campaign.bookings})


def _campaign_day(campaign: CampaignPlan, date: object) -> dt.date:
    """The campaign day to draw: ``date``, or the first day when it is None."""
    dates = _campaign_dates(campaign)
    if not dates:
        raise OptionError("escort_gantt: the campaign plan has no days to draw")
    if date is None:
        return dates[0]
    day = coerce_date(date, "date")
    if day not in dates:
        raise OptionError(
            f"escort_gantt: {day} is not a day of the campaign; its days: "
            + ", ".join(str(d) for d in dates)
        )
    return day


def _resident(community: Community, resident_id: str) -> Resident:
    found = community.resident_by_id.get(resident_id)
    if found is None:
        raise CommunityError(
            f"the plan names resident {resident_id}, whom the community does not list; draw "
            "the plan with the community it was made for"
        )
    return found


def _volunteer_label(community: Community, volunteer_id: str) -> str:
    person = community.volunteer_by_id.get(volunteer_id)
    return f"{volunteer_id} {person.name}".strip() if person is not None else volunteer_id


# --- the meal routes -------------------------------------------------------------------------


def route_map(
    plan: MealPlan | WeekPlan,
    community: Community,
    ax: Axes | None = None,
    *,
    date: object = None,
) -> Axes:
    """The day's meal routes on a longitude/latitude map.

    Shows the kitchen (a black square), each trip as a line of its own colour from the
    kitchen through its stops and back, each stop numbered in delivery order, and the
    residents whose meals could not be delivered that day (red crosses, with their names).

    Parameters
    ----------
    plan
        A :class:`~carecal.MealPlan`, or a :class:`~carecal.WeekPlan` with ``date``.
    community
        The community the plan was made for (coordinates and names).
    ax
        The Axes to draw on; default None draws on a new pyplot figure.
    date
        With a week plan, the date whose routes to draw (any date carecal accepts); may be
        left out when the week plan holds a single meal plan. Default None.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Raises
    ------
    ExtraMissingError
        matplotlib is not installed.
    OptionError
        The plan is of another kind, or ``date`` names no meal plan of it.
    CommunityError
        The plan names a resident the community does not list.
    """
    with _style():
        meals = _meal_plan_of(plan, date, "route_map")
        if ax is None:
            ax = _new_axes(_ROUTE_SIZE)
        _draw_route_map(ax, meals, community)
        return ax


def _draw_route_map(ax: Axes, plan: MealPlan, community: Community) -> None:
    import matplotlib

    # The words of the picture are in the community's language (policy lang).
    tr = translator(community.policy.lang)
    _ = tr.gettext
    kitchen = community.kitchen
    colours = matplotlib.colormaps["tab10" if len(plan.trips) <= 10 else "tab20"]
    trips_drawn = Counter(t.volunteer_id for t in plan.trips)
    for i, trip in enumerate(plan.trips):
        colour = colours(i % colours.N)
        homes = [_resident(community, s.resident_id) for s in trip.stops]
        lons = [kitchen.lon, *(r.lon for r in homes), kitchen.lon]
        lats = [kitchen.lat, *(r.lat for r in homes), kitchen.lat]
        label = _volunteer_label(community, trip.volunteer_id)
        if trips_drawn[trip.volunteer_id] > 1:
            label += _(" trip {trip}").format(trip=trip.trip)
        ax.plot(
            lons,
            lats,
            color=colour,
            linewidth=1.6,
            gid=f"trip:{trip.volunteer_id}:{trip.trip}",
            label=_("{label}: {stops} stops, {portions} portions").format(
                label=label, stops=len(trip.stops), portions=trip.portions
            ),
        )
        ax.scatter(
            lons[1:-1],
            lats[1:-1],
            s=28,
            color=colour,
            edgecolors="white",
            zorder=3,
            gid=f"stops:{trip.volunteer_id}:{trip.trip}",
        )
        for number, home in enumerate(homes, start=1):
            ax.annotate(
                str(number),
                (home.lon, home.lat),
                xytext=(3, 3),
                textcoords="offset points",
                fontsize=7,
                color=colour,
            )
    missed = [
        _resident(community, u.id)
        for u in plan.unserved
        if u.kind == UnservedKind.MEAL and (u.date is None or u.date == plan.date)
    ]
    if missed:
        ax.scatter(
            [r.lon for r in missed],
            [r.lat for r in missed],
            s=70,
            marker="X",
            color="#d62728",
            zorder=4,
            gid="unserved",
            label=_("not served ({count})").format(count=len(missed)),
        )
        for r in missed:
            ax.annotate(
                r.name or r.resident_id,
                (r.lon, r.lat),
                xytext=(4, -10),
                textcoords="offset points",
                fontsize=7,
                color="#d62728",
            )
    ax.scatter(
        [kitchen.lon],
        [kitchen.lat],
        s=110,
        marker="s",
        color="black",
        zorder=5,
        gid="kitchen",
        label=_("kitchen {name}").format(name=kitchen.name).strip(),
    )
    # Degrees of longitude shrink with the cosine of the latitude; this keeps the map's
    # distances true in both directions.
    ax.set_aspect(1.0 / math.cos(math.radians(kitchen.lat)))
    ax.set_xlabel(_("longitude"))
    ax.set_ylabel(_("latitude"))
    ax.set_title(
        _(
            "Meal routes on {date} ({weekday}): {served} served, {missed} not served, {trips} trips"
        ).format(
            date=plan.date,
            weekday=tr.short_weekday(plan.date),
            served=len(plan.served),
            missed=len(missed),
            trips=len(plan.trips),
        )
    )
    ax.legend(loc="best", fontsize="x-small")


# --- the escorts' day ------------------------------------------------------------------------


def escort_gantt(
    plan: CampaignPlan | WeekPlan,
    community: Community,
    date: object = None,
    ax: Axes | None = None,
) -> Axes:
    """One campaign day: each escort's jobs over the day, and each clinic's slots.

    One lane per escort with, per job, the pickup at the door, the ride to the clinic,
    the check and the ride home in different shades (the resident's name above the
    check); below them one lane per clinic with each slot's bookings against its places
    (darker when fuller).

    Parameters
    ----------
    plan
        A :class:`~carecal.CampaignPlan`, or a :class:`~carecal.WeekPlan` (its campaign).
    community
        The community the plan was made for (names, clinics, the escort handling time).
    date
        The campaign day to draw (any date carecal accepts); default None draws the first.
    ax
        The Axes to draw on; default None draws on a new pyplot figure.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Raises
    ------
    ExtraMissingError
        matplotlib is not installed.
    OptionError
        The plan is of another kind or has no campaign, or ``date`` is not a day of the
        campaign (the message lists its days).
    CommunityError
        The plan names a resident or a clinic day the community does not have.
    """
    with _style():
        campaign = _campaign_of(plan, "escort_gantt")
        day = _campaign_day(campaign, date)
        bookings = [b for b in campaign.bookings if b.date == day]
        if ax is None:
            ax = _new_axes(_gantt_size(bookings))
        _draw_escort_gantt(ax, campaign, day, bookings, community)
        return ax


def _escorts(bookings: list[Booking]) -> list[str]:
    return sorted({e for b in bookings for e in b.escort_ids})


def _gantt_size(bookings: list[Booking]) -> tuple[float, float]:
    lanes = len(_escorts(bookings)) + len({b.clinic_id for b in bookings})
    return (11.0, 1.6 + 0.42 * max(lanes, 1))


def _phases(booking: Booking, handling: int) -> list[tuple[str, int, int]]:
    """The escort job's phases as (phase, start, end) minutes; empty for a walk-in.

    The ride home runs to ``home_again``, so it includes settling the resident in.
    """
    if booking.pickup is None or booking.home_again is None:
        return []
    ready = min(booking.pickup + handling, booking.check_start)
    return [
        ("pickup", booking.pickup, ready),
        ("ride", ready, booking.check_start),
        ("check", booking.check_start, booking.check_end),
        ("ride_home", booking.check_end, booking.home_again),
    ]


def _draw_escort_gantt(
    ax: Axes,
    campaign: CampaignPlan,
    day: dt.date,
    bookings: list[Booking],
    community: Community,
) -> None:
    from matplotlib.patches import Patch

    escorts = _escorts(bookings)
    handling = community.policy.escort_handling_minutes
    shade = {phase: colour for phase, _, colour in _PHASES}
    spans: list[int] = []
    for lane, vid in enumerate(escorts):
        bars: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for b in bookings:
            if vid not in b.escort_ids:
                continue
            phases = _phases(b, handling)
            for phase, start, end in phases:
                bars[phase].append((start, end - start))
                spans += [start, end]
            if phases:
                ax.text(
                    (b.check_start + b.check_end) / 2,
                    lane - 0.42,
                    _resident(community, b.resident_id).name or b.resident_id,
                    ha="center",
                    va="bottom",
                    fontsize=6,
                )
        for phase, _, _ in _PHASES:
            if bars[phase]:
                ax.broken_barh(
                    bars[phase],
                    (lane - 0.3, 0.6),
                    facecolors=shade[phase],
                    gid=f"escort:{vid}:{phase}",
                )
    clinics = sorted(
        {cid for d, cid in campaign.clinic_days if d == day} | {b.clinic_id for b in bookings}
    )
    for i, cid in enumerate(clinics):
        spans += _draw_clinic_lane(ax, len(escorts) + i, day, cid, bookings, community)
    labels = [_volunteer_label(community, vid) for vid in escorts]
    labels += [_clinic_label(community, cid) for cid in clinics]
    _label_ticks(ax, "y", list(range(len(labels))), labels)
    ax.set_ylim(len(labels) - 0.5, -0.7)
    if spans:
        ax.set_xlim(min(spans) - 10, max(spans) + 10)
    _clock_axis(ax)
    ax.grid(axis="x", which="major", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    jobs = sum(1 for b in bookings if b.escort_ids)
    tr = translator(community.policy.lang)
    ax.set_title(
        tr.gettext(
            "Health checks on {date} ({weekday}): {booked} booked, {jobs} escorted by "
            "{escorts} escorts"
        ).format(
            date=day,
            weekday=tr.short_weekday(day),
            booked=len(bookings),
            jobs=jobs,
            escorts=len(escorts),
        )
    )
    handles = [Patch(facecolor=colour, label=tr.gettext(label)) for _, label, colour in _PHASES]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="x-small")


def _clinic_label(community: Community, clinic_id: str) -> str:
    site: Site | None = community.site_by_id.get(clinic_id)
    return f"{site.name} ({clinic_id})" if site is not None and site.name else clinic_id


def _draw_clinic_lane(
    ax: Axes,
    lane: int,
    day: dt.date,
    clinic_id: str,
    bookings: list[Booking],
    community: Community,
) -> list[int]:
    """One clinic's slots on a lane, each with its bookings against its places; the span."""
    import matplotlib

    clinic = community.clinic_day(day, clinic_id)
    if clinic is None:
        raise CommunityError(
            f"the plan books clinic {clinic_id} on {day}, which the community does not run "
            "that day; draw the plan with the community it was made for"
        )
    booked = Counter(b.slot_start for b in bookings if b.clinic_id == clinic_id)
    fullness = matplotlib.colormaps["Greens"]
    places = max(clinic.places_per_slot, 1)
    slots = [(s, clinic.slot_minutes) for s in clinic.slots]
    ax.broken_barh(
        slots,
        (lane - 0.35, 0.7),
        facecolors=[fullness(0.15 + 0.75 * min(booked[s] / places, 1.0)) for s, _ in slots],
        edgecolors="white",
        gid=f"clinic:{clinic_id}",
    )
    for s, width in slots:
        ax.text(
            s + width / 2,
            lane,
            f"{booked[s]}/{clinic.places_per_slot}",
            ha="center",
            va="center",
            fontsize=6,
            color="white" if booked[s] >= places / 2 else "black",
        )
    return [clinic.open, clinic.close]


# --- the rota --------------------------------------------------------------------------------


def rota(plan: ShiftPlan | WeekPlan, community: Community, ax: Axes | None = None) -> Axes:
    """The shift plan as a grid: a row per volunteer on duty, a column per day.

    Each cell holds the ids of the volunteer's shifts that day (side by side when they
    work two), coloured by role (:data:`ROLE_COLOURS`).

    Parameters
    ----------
    plan
        A :class:`~carecal.ShiftPlan`, or a :class:`~carecal.WeekPlan` (its shifts).
    community
        The community the plan was made for (volunteers' names).
    ax
        The Axes to draw on; default None draws on a new pyplot figure.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Raises
    ------
    ExtraMissingError
        matplotlib is not installed.
    OptionError
        The plan is of another kind, or a week plan without shifts.
    """
    with _style():
        shifts = _shift_plan_of(plan, "rota")
        if ax is None:
            ax = _new_axes(_rota_size(shifts))
        _draw_rota(ax, shifts, community)
        return ax


def _rota_size(plan: ShiftPlan) -> tuple[float, float]:
    days = len(date_range(plan.start, plan.end))
    people = len({a.volunteer_id for a in plan.assignments})
    return (2.4 + 1.25 * max(days, 1), 1.4 + 0.3 * max(people, 1))


def _draw_rota(ax: Axes, plan: ShiftPlan, community: Community) -> None:
    from matplotlib.patches import Patch, Rectangle

    days = date_range(plan.start, plan.end)
    column = {d: i for i, d in enumerate(days)}
    people = sorted({a.volunteer_id for a in plan.assignments})
    row = {vid: i for i, vid in enumerate(people)}
    cells: dict[tuple[str, dt.date], list[Any]] = defaultdict(list)
    for a in plan.assignments:
        cells[(a.volunteer_id, a.date)].append(a)
    for (vid, day), shifts in cells.items():
        if day not in column:
            raise OptionError(
                f"rota: the shift plan puts {vid} on {day}, outside its period "
                f"{plan.start} to {plan.end}"
            )
        shifts.sort(key=lambda a: (a.start, a.shift_id))
        width = 1.0 / len(shifts)
        for j, a in enumerate(shifts):
            x = column[day] + j * width
            ax.add_patch(
                Rectangle(
                    (x, row[vid]),
                    width,
                    1.0,
                    facecolor=ROLE_COLOURS.get(a.role, "#bab0ac"),
                    edgecolor="white",
                    linewidth=1.5,
                    gid=f"assignment:{a.date}:{a.shift_id}:{vid}",
                )
            )
            ax.text(
                x + width / 2,
                row[vid] + 0.5,
                a.shift_id,
                ha="center",
                va="center",
                fontsize=6 if len(shifts) == 1 else 5,
                color="white",
            )
    ax.set_xlim(0, len(days))
    ax.set_ylim(len(people), 0)
    ax.set_xticks(range(len(days) + 1), minor=True)
    ax.set_yticks(range(len(people) + 1), minor=True)
    ax.grid(which="minor", color="#dddddd", linewidth=0.6)
    ax.tick_params(which="minor", length=0)
    ax.set_axisbelow(True)
    ax.xaxis.tick_top()
    tr = translator(community.policy.lang)
    _label_ticks(
        ax,
        "x",
        [i + 0.5 for i in range(len(days))],
        [f"{tr.short_weekday(d)}\n{d}" for d in days],
    )
    _label_ticks(
        ax,
        "y",
        [i + 0.5 for i in range(len(people))],
        [_volunteer_label(community, vid) for vid in people],
    )
    roles = sorted({a.role for a in plan.assignments}, key=_role_order)
    handles = [
        Patch(facecolor=ROLE_COLOURS.get(r, "#bab0ac"), label=_role_word(r, tr.lang)) for r in roles
    ]
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    short = sum(1 for u in plan.unserved if u.kind == UnservedKind.SHIFT and u.date is not None)
    ax.set_title(
        tr.gettext(
            "Rota {start} to {end}: {places} places filled by {people} volunteers, {short} short"
        ).format(
            start=plan.start,
            end=plan.end,
            places=len(plan.assignments),
            people=len(people),
            short=short,
        ),
        pad=28,
    )


def _role_word(role: str, lang: str) -> str:
    """A shift role in words of ``lang`` (a role carecal does not know, as written)."""
    return translator(lang).gettext(_ROLE_WORDS[role]) if role in _ROLE_WORDS else role


def _role_order(role: str) -> tuple[int, str]:
    order = [r.value for r in Role]
    return (order.index(role) if role in order else len(order), role)


# --- the cover -------------------------------------------------------------------------------


class _Shift(NamedTuple):
    """A shift as the cover picture needs it: its id, hours and places on one date."""

    shift_id: str
    start: int
    end: int
    low: int
    high: int | None


def cover(
    plan: ShiftPlan | WeekPlan,
    community: Community,
    ax: Axes | Sequence[Axes] | None = None,
) -> Figure:
    """Demand against cover, per role, over the hours of each day of the shift plan.

    One Axes per role, the days side by side along the x axis (the hours from the
    earliest shift start to the latest end of the period). The band spans the places
    wanted, from the minimum to the wanted maximum; the dashed line is the minimum, the
    solid line the volunteers on shift. Each shift with places short of its minimum (the
    plan's unserved shift places) is shaded red with the number short.

    Parameters
    ----------
    plan
        A :class:`~carecal.ShiftPlan`, or a :class:`~carecal.WeekPlan` (its shifts).
    community
        The community the plan was made for (its shifts and their places).
    ax
        Axes to draw on, one per role in the order meals, escort, centre (only the roles
        the period has shifts of); a single Axes when there is one role. Default None
        draws on a new pyplot figure.

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the Axes.

    Raises
    ------
    ExtraMissingError
        matplotlib is not installed.
    OptionError
        The plan is of another kind, a week plan without shifts, or ``ax`` does not hold
        one Axes per role.
    """
    with _style():
        shifts = _shift_plan_of(plan, "cover")
        days = date_range(shifts.start, shifts.end)
        by_role = _shifts_by_role(shifts, community, days)
        roles = list(by_role)
        if not roles:
            raise OptionError(
                f"cover: the shift plan's period {shifts.start} to {shifts.end} has no "
                "shifts to draw"
            )
        if ax is None:
            import matplotlib.pyplot as plt

            fig = plt.figure(figsize=_cover_size(days, roles), layout="constrained")
            axes = _role_axes(fig, len(roles))
        else:
            axes = [ax] if not isinstance(ax, Sequence) else list(ax)
            if len(axes) != len(roles):
                raise OptionError(
                    f"cover draws one Axes per role ({', '.join(roles) or 'none'}); "
                    f"ax holds {len(axes)}: pass {len(roles)} Axes, or leave ax out"
                )
        hours = _cover_hours(shifts, by_role)
        for role, axis in zip(roles, axes, strict=True):
            _draw_cover(axis, shifts, role, by_role[role], days, hours, community.policy.lang)
        figure = axes[0].get_figure(root=True)
        if figure is None:
            raise OptionError("cover: the Axes given belong to no figure")
        figure.suptitle(
            translator(community.policy.lang)
            .gettext("Cover {start} to {end}: places wanted and filled")
            .format(start=shifts.start, end=shifts.end)
        )
        return figure


def _cover_size(days: list[dt.date], roles: list[str]) -> tuple[float, float]:
    return (max(8.0, 1.7 * len(days)), 1.0 + 2.1 * max(len(roles), 1))


def _role_axes(fig: Figure, count: int) -> list[Axes]:
    """One Axes per role stacked in ``fig``, sharing the time axis."""
    grid = fig.subplots(count, 1, sharex=True, squeeze=False)
    return [grid[i][0] for i in range(count)]


def _shifts_by_role(
    plan: ShiftPlan, community: Community, days: list[dt.date]
) -> dict[str, dict[dt.date, list[_Shift]]]:
    """The shifts of every day by role (roles in their usual order), with their places.

    Places come from the plan's recorded demand where it has one (``auto`` shifts), else
    from ``shifts.csv``; an ``auto`` shift the plan records nothing for counts 0 places.
    """
    out: dict[str, dict[dt.date, list[_Shift]]] = defaultdict(lambda: defaultdict(list))
    for d in days:
        for sid, s in sorted(_shifts_on(community, d, plan.demand).items()):
            out[s.role][d].append(_Shift(sid, s.start, s.end, s.low or 0, s.high))
    # A role the community no longer lists, but the plan has people on, still gets its Axes.
    roles = set(out) | {a.role for a in plan.assignments}
    return {role: out.get(role, {}) for role in sorted(roles, key=_role_order)}


class _Hours(NamedTuple):
    """The hours every day of the cover picture spans, in minutes since midnight."""

    first: int
    last: int

    @property
    def width(self) -> int:
        return self.last - self.first


def _cover_hours(plan: ShiftPlan, by_role: dict[str, dict[dt.date, list[_Shift]]]) -> _Hours:
    """Whole hours around every shift and assignment of the period, the same for each
    day and role, so that the days line up on the shared time axis."""
    starts = [s.start for days in by_role.values() for day in days.values() for s in day]
    ends = [s.end for days in by_role.values() for day in days.values() for s in day]
    starts += [a.start for a in plan.assignments]
    ends += [a.end for a in plan.assignments]
    first = (min(starts, default=8 * 60) // 60) * 60
    last = -(-max(ends, default=18 * 60) // 60) * 60
    return _Hours(first, last)


def _draw_cover(
    ax: Axes,
    plan: ShiftPlan,
    role: str,
    shifts: dict[dt.date, list[_Shift]],
    days: list[dt.date],
    hours: _Hours,
    lang: str,
) -> None:
    from matplotlib.ticker import MaxNLocator

    tr = translator(lang)
    short = Counter(
        (u.date, u.id) for u in plan.unserved if u.kind == UnservedKind.SHIFT and u.date
    )
    on = [a for a in plan.assignments if a.role == role]
    for i, d in enumerate(days):
        base = i * hours.width - hours.first
        today = shifts.get(d, [])
        _cover_steps(
            ax,
            base,
            hours,
            today,
            [(a.start, a.end) for a in on if a.date == d],
            ROLE_COLOURS.get(role, "#bab0ac"),
            labelled=i == 0,
            lang=lang,
        )
        for s in today:
            if short.get((d, s.shift_id), 0):
                _mark_short(ax, base, s, d, short[(d, s.shift_id)], lang)
        if i:
            ax.axvline(i * hours.width, color="#999999", linewidth=0.8)
        ax.text(
            (i + 0.5) * hours.width,
            1.02,
            f"{tr.short_weekday(d)} {d}",
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=7,
        )
    _clock_ticks(ax, len(days), hours)
    ax.set_xlim(0, len(days) * hours.width)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(tr.gettext("{role}\nvolunteers").format(role=_role_word(role, lang)))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="x-small")


def _cover_steps(
    ax: Axes,
    base: int,
    hours: _Hours,
    shifts: list[_Shift],
    worked: list[tuple[int, int]],
    colour: str,
    *,
    labelled: bool,
    lang: str,
) -> None:
    """One day of one role: the places wanted as a band, the minimum, and who is on."""
    _ = translator(lang).gettext
    ends = {t for s in shifts for t in (s.start, s.end)} | {t for w in worked for t in w}
    cuts = sorted({hours.first, hours.last} | ends)
    low = [sum(s.low for s in shifts if s.start <= t < s.end) for t in cuts]
    # A shift without a wanted maximum wants its minimum.
    high = [sum(s.high or s.low for s in shifts if s.start <= t < s.end) for t in cuts]
    filled = [sum(1 for start, end in worked if start <= t < end) for t in cuts]
    xs = [base + t for t in cuts]
    ax.fill_between(
        xs,
        low,
        [max(h, lo) for h, lo in zip(high, low, strict=True)],
        step="post",
        color=colour,
        alpha=0.18,
        linewidth=0,
        label=_("places wanted (minimum to maximum)") if labelled else None,
    )
    ax.step(
        xs,
        low,
        where="post",
        color=colour,
        linestyle="--",
        linewidth=1.0,
        label=_("minimum") if labelled else None,
    )
    ax.step(
        xs,
        filled,
        where="post",
        color=colour,
        linewidth=2.0,
        label=_("on shift") if labelled else None,
    )


def _mark_short(ax: Axes, base: int, shift: _Shift, day: dt.date, missing: int, lang: str) -> None:
    """Shade a shift short of its minimum red, with how many places are open."""
    ax.axvspan(
        base + shift.start,
        base + shift.end,
        color="#d62728",
        alpha=0.25,
        linewidth=0,
        gid=f"short:{day}:{shift.shift_id}",
    )
    ax.text(
        base + (shift.start + shift.end) / 2,
        0.97,
        translator(lang).gettext("{count} short").format(count=missing),
        transform=ax.get_xaxis_transform(),
        ha="center",
        va="top",
        fontsize=7,
        color="#d62728",
    )


def _clock_ticks(ax: Axes, days: int, hours: _Hours) -> None:
    """Ticks every three hours of each day (every hour on short days), as times of day."""
    step = 180 if hours.width > 6 * 60 else 60
    positions: list[float] = []
    labels: list[str] = []
    for i in range(days):
        for offset in range(0, hours.width, step):
            positions.append(i * hours.width + offset)
            labels.append(format_time(hours.first + offset))
    ax.set_xticks(positions, labels, fontsize=6, rotation=90)


# --- a city run ------------------------------------------------------------------------------


def city_bars(city: CityPlan, ax: Axes | None = None) -> Axes:
    """A bar per centre of a city run: meals served, and everything left unserved.

    One horizontal bar per centre, in name order from the top: meals served (green), then
    the centre's unserved of every kind (red, with the count). A centre that failed has no
    bar, only the word ``failed`` and where it failed. The artists' ``gid`` is
    ``centre:<name>:served``, ``centre:<name>:unserved`` or ``centre:<name>:failed``.

    Parameters
    ----------
    city
        A :class:`~carecal.city.CityPlan` (:func:`carecal.plan_city`).
    ax
        The Axes to draw on; default None draws on a new pyplot figure.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Raises
    ------
    ExtraMissingError
        matplotlib is not installed.
    """
    with _style():
        from matplotlib.ticker import MaxNLocator

        centres = list(city.centres)
        if ax is None:
            ax = _new_axes((8.0, 1.6 + 0.35 * max(len(centres), 1)))
        rows = list(range(len(centres)))[::-1]
        for y, centre in zip(rows, centres, strict=True):
            if centre.status == "failed":
                ax.text(
                    0,
                    y,
                    f" failed ({centre.stage})",
                    va="center",
                    color="#b07aa1",
                    gid=f"centre:{centre.name}:failed",
                )
                continue
            served = int(centre.numbers.get("meals_served") or 0)
            unserved = int(centre.numbers.get("unserved") or 0)
            ax.barh(y, served, color="#59a14f", gid=f"centre:{centre.name}:served")
            ax.barh(y, unserved, left=served, color="#e15759", gid=f"centre:{centre.name}:unserved")
            if unserved:
                ax.text(served + unserved, y, f" {unserved}", va="center", fontsize=8)
        _label_ticks(ax, "y", [float(y) for y in rows], [c.name for c in centres])
        ax.set_xlabel("meals served (green) and unserved of every kind (red)")
        period = f"{city.start}" if city.start == city.end else f"{city.start} to {city.end}"
        ax.set_title(f"City {city.kind} plan {period}: {len(centres)} centres")
        # Room below the last bar (a failed centre's words sit on its row) and right of the
        # longest bar (for its unserved count).
        ax.set_ylim(-0.6, len(centres) - 0.4)
        widest = max(
            (
                int(c.numbers.get("meals_served") or 0) + int(c.numbers.get("unserved") or 0)
                for c in centres
            ),
            default=0,
        )
        ax.set_xlim(0, max(widest * 1.12, 1))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        return ax


def report_png(report: MonthlyReport) -> bytes:
    """The monthly report's meals by day as stacked bars, PNG bytes.

    Per day: portions delivered (green), not home or refused (red) and only planned
    (grey, the ``done`` cells empty); a missing day is marked ``missing`` at the foot, not
    drawn as zero. The labels are in the report's language (``report.lang``).

    Raises
    ------
    ExtraMissingError
        matplotlib is not installed.
    """
    _matplotlib()
    rows = report.meals_by_day
    size = (max(6.0, 0.35 * len(rows) + 2.0), 4.0)
    _ = translator(report.lang).gettext

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        for x, row in enumerate(rows):
            if row["status"] == "missing":
                # The status word of the report's page (缺计划 in Chinese).
                ax.text(x, 0, _("missing"), rotation=90, ha="center", va="bottom", color="#b07aa1")
                continue
            bottom = 0
            for key, colour in (
                ("delivered", "#59a14f"),
                ("not_home", "#e15759"),
                ("refused", "#e15759"),
                ("planned", "#bab0ac"),
            ):
                value = row[key] or 0
                ax.bar(x, value, bottom=bottom, color=colour, gid=f"day:{row['date']}:{key}")
                bottom += value
        _label_ticks(
            ax, "x", [float(x) for x in range(len(rows))], [f"{r['date']:%d}" for r in rows]
        )
        ax.set_xlabel(_("day of the month"))
        ax.set_ylabel(_("portions: delivered (green), not delivered (red), planned (grey)"))
        ax.set_title(_("Meals in {month}").format(month=report.month))

    return _png(size, draw)


# --- every picture at once -------------------------------------------------------------------


def render_all(plan: Plan, community: Community) -> dict[str, bytes]:
    """Every picture that applies to a plan, as PNG files' bytes keyed by file name.

    A meal plan gives ``route_map_<date>.png`` (a week plan one per date with deliveries
    or missed meals), a campaign ``escort_gantt_<date>.png`` per campaign day, and a shift
    plan ``rota.png`` and ``cover.png``. Rendered with matplotlib's Agg backend on figures
    of their own, without pyplot: nothing is shown, nothing is left open.

    Parameters
    ----------
    plan
        A MealPlan, CampaignPlan, ShiftPlan or WeekPlan.
    community
        The community the plan was made for.

    Returns
    -------
    dict of str to bytes
        File name to PNG bytes, in the order above.

    Raises
    ------
    ExtraMissingError
        matplotlib is not installed.
    OptionError
        The plan is of a kind that has no pictures.
    """
    _matplotlib()
    return {name: _png(size, draw) for name, size, draw in _pictures(plan, community)}


_Picture = tuple[str, tuple[float, float], Callable[["Figure"], object]]


def _pictures(plan: Plan, community: Community) -> list[_Picture]:
    """Each picture of ``plan``: its file name, its size in inches, and how to draw it."""
    meals: list[MealPlan] = []
    campaign: CampaignPlan | None = None
    shifts: ShiftPlan | None = None
    if isinstance(plan, WeekPlan):
        meals = [m for m in plan.meals if m.trips or _missed(m)]
        campaign, shifts = plan.campaign, plan.shifts
    elif isinstance(plan, MealPlan):
        meals = [plan]
    elif isinstance(plan, CampaignPlan):
        campaign = plan
    elif isinstance(plan, ShiftPlan):
        shifts = plan
    else:
        raise OptionError(
            f"render_all draws a MealPlan, CampaignPlan, ShiftPlan or WeekPlan, not a {_kind(plan)}"
        )
    out: list[_Picture] = [
        (f"route_map_{m.date}.png", _ROUTE_SIZE, functools.partial(_route_on, m, community))
        for m in meals
    ]
    if campaign is not None:
        for d in _campaign_dates(campaign):
            size = _gantt_size([b for b in campaign.bookings if b.date == d])
            draw = functools.partial(_gantt_on, campaign, community, d)
            out.append((f"escort_gantt_{d}.png", size, draw))
    if shifts is not None:
        out.append(("rota.png", _rota_size(shifts), functools.partial(_rota_on, shifts, community)))
        days = date_range(shifts.start, shifts.end)
        roles = list(_shifts_by_role(shifts, community, days))
        if roles:
            draw = functools.partial(_cover_on, shifts, community, len(roles))
            out.append(("cover.png", _cover_size(days, roles), draw))
    return out


def _route_on(plan: MealPlan, community: Community, figure: Figure) -> None:
    route_map(plan, community, figure.add_subplot())


def _gantt_on(plan: CampaignPlan, community: Community, day: dt.date, figure: Figure) -> None:
    escort_gantt(plan, community, day, figure.add_subplot())


def _rota_on(plan: ShiftPlan, community: Community, figure: Figure) -> None:
    rota(plan, community, figure.add_subplot())


def _cover_on(plan: ShiftPlan, community: Community, roles: int, figure: Figure) -> None:
    cover(plan, community, _role_axes(figure, roles))


def _missed(meals: MealPlan) -> bool:
    return any(u.kind == UnservedKind.MEAL for u in meals.unserved)


def _png(size: tuple[float, float], draw: Callable[[Figure], object]) -> bytes:
    """Draw on a new Agg figure (no pyplot) and return it as PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    with _style():
        draw(figure)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=_DPI)
    return buffer.getvalue()
