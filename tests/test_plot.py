"""carecal.plot draws what the plans hold, headless (Agg), checked on the artists drawn
(each carries a ``gid`` naming what it stands for), not on pixels.

The plans are the sample community's: Monday 2027-03-01's meals, the three-day campaign
from campaign.csv, and the week from that Monday (which has one centre shift short on
Friday afternoon). The cover's short marking is also checked on a hand-built one-day shift
plan with one place short.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba

import carecal
from carecal import plot
from carecal.datasets import sample_community
from carecal.errors import CommunityError, ExtraMissingError, OptionError
from carecal.model import Community
from carecal.plans import (
    Assignment,
    CampaignPlan,
    MealPlan,
    Plan,
    ShiftPlan,
    Status,
    Unserved,
    UnservedKind,
    WeekPlan,
)

MONDAY = dt.date(2027, 3, 1)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def community() -> Community:
    """The bundled sample community (Chinese names and addresses)."""
    return sample_community()


@pytest.fixture(scope="module")
def meals(community: Community) -> MealPlan:
    """Monday's meal routes: several carriers, one of them on two trips."""
    return carecal.plan_meals(community, "2027-03-01", deterministic=True, time_limit=2)


@pytest.fixture(scope="module")
def week(community: Community) -> WeekPlan:
    """The week from Monday 2027-03-01: meals Mon-Fri, the campaign, the shifts."""
    return carecal.plan_week(community, "2027-03-01", time_limit=15, deterministic=True)


@pytest.fixture(scope="module")
def campaign(week: WeekPlan) -> CampaignPlan:
    """The health-check campaign on the three dates of campaign.csv, as the week planned
    it (a CampaignPlan like plan_health_checks's; planning it again would cost 3-12 s)."""
    assert week.campaign is not None
    return week.campaign


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def drawn(ax: Axes, prefix: str) -> list[Artist]:
    """The artists on ``ax`` whose gid starts with ``prefix``."""
    return [a for a in ax.get_children() if (a.get_gid() or "").startswith(prefix)]


def named(ax: Axes, gid: str) -> Artist:
    """The one artist on ``ax`` with this gid."""
    (artist,) = [a for a in ax.get_children() if a.get_gid() == gid]
    return artist


def with_missed_trip(plan: MealPlan) -> MealPlan:
    """``plan`` with its last trip taken off and its residents listed as not served."""
    missed = plan.trips[-1]
    unserved = tuple(
        Unserved(
            kind=UnservedKind.MEAL,
            id=s.resident_id,
            date=plan.date,
            code="carriers_busy",
            reason="every carrier was full",
        )
        for s in missed.stops
    )
    return plan.model_copy(update={"trips": plan.trips[:-1], "unserved": unserved})


# --- route_map -----------------------------------------------------------------------------


def test_route_map_draws_a_line_per_trip_through_its_stops(community, meals):
    ax = plot.route_map(meals, community)
    kitchen = community.kitchen
    lines = drawn(ax, "trip:")
    assert len(lines) == len(meals.trips) > 1
    for trip in meals.trips:
        line = named(ax, f"trip:{trip.volunteer_id}:{trip.trip}")
        lons, lats = line.get_data()
        assert len(lons) == len(trip.stops) + 2
        assert (lons[0], lats[0]) == (lons[-1], lats[-1]) == (kitchen.lon, kitchen.lat)
        first = community.resident_by_id[trip.stops[0].resident_id]
        assert (lons[1], lats[1]) == (first.lon, first.lat)
    markers = sum(len(c.get_offsets()) for c in drawn(ax, "stops:"))
    assert markers == len(meals.served) == sum(len(t.stops) for t in meals.trips)
    assert len(named(ax, "kitchen").get_offsets()) == 1
    assert not drawn(ax, "unserved")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(labels) == len(meals.trips) + 1


def test_route_map_numbers_the_stops_of_each_trip(community, meals):
    ax = plot.route_map(meals, community)
    numbers = Counter(t.get_text() for t in ax.texts)
    longest = max(len(t.stops) for t in meals.trips)
    assert numbers["1"] == len(meals.trips)
    assert numbers[str(longest)] >= 1
    assert sum(numbers.values()) == len(meals.served)


def test_route_map_marks_the_residents_not_served(community, meals):
    plan = with_missed_trip(meals)
    missed = [u.id for u in plan.unserved]
    ax = plot.route_map(plan, community)
    crosses = named(ax, "unserved")
    assert len(crosses.get_offsets()) == len(missed)
    assert len(drawn(ax, "trip:")) == len(meals.trips) - 1
    names = {t.get_text() for t in ax.texts}
    assert {community.resident_by_id[r].name for r in missed} <= names


def test_route_map_takes_one_date_of_a_week_plan(community, week):
    tuesday = next(m for m in week.meals if m.date == MONDAY + dt.timedelta(days=1))
    ax = plot.route_map(week, community, date="2027-03-02")
    assert len(drawn(ax, "trip:")) == len(tuesday.trips)
    with pytest.raises(OptionError, match=r"2027-03-01.*date="):
        plot.route_map(week, community)
    with pytest.raises(OptionError, match=r"no meal plan on 2027-04-01.*2027-03-01"):
        plot.route_map(week, community, date="2027-04-01")


def test_route_map_refuses_other_plans_and_another_date(community, meals, campaign):
    with pytest.raises(OptionError, match=r"route_map draws a MealPlan.*not a CampaignPlan"):
        plot.route_map(campaign, community)  # type: ignore[arg-type]
    with pytest.raises(OptionError, match="2027-03-02 is not the meal plan's date"):
        plot.route_map(meals, community, date="2027-03-02")


def test_route_map_refuses_a_community_without_the_plans_residents(community, meals):
    served = set(meals.served)
    others = tuple(r for r in community.residents if r.resident_id not in served)
    with pytest.raises(CommunityError, match="whom the community does not list"):
        plot.route_map(meals, community.with_changes(residents=others))


# --- escort_gantt --------------------------------------------------------------------------


def test_escort_gantt_draws_a_lane_per_escort_and_each_job_in_phases(community, campaign):
    ax = plot.escort_gantt(campaign, community)
    day = campaign.dates[0]
    bookings = [b for b in campaign.bookings if b.date == day]
    escorts = {e for b in bookings for e in b.escort_ids}
    assert len(escorts) > 1
    lanes = {a.get_gid().split(":")[1] for a in drawn(ax, "escort:")}
    assert lanes == escorts
    clinics = {b.clinic_id for b in bookings}
    assert len(ax.get_yticklabels()) == len(escorts) + len(clinics)
    for vid in escorts:
        jobs = sum(1 for b in bookings if vid in b.escort_ids)
        for phase in ("pickup", "ride", "check", "ride_home"):
            assert len(named(ax, f"escort:{vid}:{phase}").get_paths()) == jobs


def test_escort_gantt_fills_each_clinic_slot_with_its_bookings(community, campaign):
    day = campaign.dates[1]
    ax = plot.escort_gantt(campaign, community, date=day)
    bookings = [b for b in campaign.bookings if b.date == day]
    clinic = community.clinic_day(day, "H1")
    assert clinic is not None
    slots = named(ax, "clinic:H1")
    assert len(slots.get_paths()) == len(clinic.slots)
    counts = [t.get_text() for t in ax.texts if t.get_text().endswith(f"/{clinic.places_per_slot}")]
    assert len(counts) == len(clinic.slots)
    assert sum(int(c.split("/")[0]) for c in counts) == len(bookings)


def test_escort_gantt_draws_a_week_plans_campaign(community, week):
    assert week.campaign is not None
    ax = plot.escort_gantt(week, community, "2027-03-03")
    day = dt.date(2027, 3, 3)
    escorts = {e for b in week.campaign.bookings if b.date == day for e in b.escort_ids}
    assert {a.get_gid().split(":")[1] for a in drawn(ax, "escort:")} == escorts


def test_escort_gantt_refuses_a_date_outside_the_plan_and_other_plans(community, campaign, meals):
    with pytest.raises(OptionError, match=r"2027-03-09 is not a day.*2027-03-01, 2027-03-02"):
        plot.escort_gantt(campaign, community, date="2027-03-09")
    with pytest.raises(OptionError, match="not a MealPlan"):
        plot.escort_gantt(meals, community)  # type: ignore[arg-type]
    empty = WeekPlan(status=Status.EMPTY, start=MONDAY, end=MONDAY)
    with pytest.raises(OptionError, match="has no health-check campaign"):
        plot.escort_gantt(empty, community)


# --- rota ----------------------------------------------------------------------------------


def test_rota_draws_a_cell_per_assignment_coloured_by_role(community, week):
    shifts = week.shifts
    assert shifts is not None
    ax = plot.rota(week, community)
    cells = drawn(ax, "assignment:")
    assert len(cells) == len(shifts.assignments)
    role = {
        f"assignment:{a.date}:{a.shift_id}:{a.volunteer_id}": a.role for a in shifts.assignments
    }
    for cell in cells:
        assert cell.get_facecolor() == to_rgba(plot.ROLE_COLOURS[role[cell.get_gid()]])
    people = {a.volunteer_id for a in shifts.assignments}
    assert len(ax.get_yticklabels()) == len(people)
    assert len(ax.get_xticklabels()) == 7
    assert {t.get_text() for t in ax.texts} == {a.shift_id for a in shifts.assignments}


def test_rota_refuses_a_plan_without_shifts(community, meals):
    with pytest.raises(OptionError, match=r"rota draws a ShiftPlan.*not a MealPlan"):
        plot.rota(meals, community)  # type: ignore[arg-type]


# --- cover ---------------------------------------------------------------------------------


def one_place_short() -> ShiftPlan:
    """Monday alone: the morning centre shift (2 wanted) has one volunteer, so one short."""

    def on(shift_id: str, role: str, start: int, end: int, vid: str) -> Assignment:
        return Assignment(
            date=MONDAY, shift_id=shift_id, role=role, start=start, end=end, volunteer_id=vid
        )

    return ShiftPlan(
        status=Status.FEASIBLE,
        start=MONDAY,
        end=MONDAY,
        assignments=(
            on("CTR-AM-Mon", "centre", 540, 720, "V004"),
            on("CTR-PM-Mon", "centre", 810, 1020, "V017"),
            on("MEAL-Mon", "meals", 630, 780, "V001"),
            on("ESC-0301", "escort", 480, 720, "V020"),
        ),
        unserved=(
            Unserved(
                kind=UnservedKind.SHIFT,
                id="CTR-AM-Mon",
                date=MONDAY,
                code="shift_short",
                reason="shift CTR-AM-Mon needs 2 volunteers and the plan has 1",
            ),
        ),
        demand={(MONDAY, "MEAL-Mon"): (1, 1), (MONDAY, "ESC-0301"): (1, 1)},
    )


def test_cover_marks_the_short_shift_on_its_roles_axes(community):
    figure = plot.cover(one_place_short(), community)
    axes = {ax.get_ylabel().split("\n")[0]: ax for ax in figure.axes}
    assert list(axes) == ["meals", "escort", "centre"]
    assert [a.get_gid() for a in drawn(axes["centre"], "short:")] == ["short:2027-03-01:CTR-AM-Mon"]
    assert not drawn(axes["meals"], "short:") and not drawn(axes["escort"], "short:")
    assert "1 short" in {t.get_text() for t in axes["centre"].texts}


def test_cover_draws_demand_and_the_volunteers_on_shift(community):
    figure = plot.cover(one_place_short(), community)
    centre = next(ax for ax in figure.axes if ax.get_ylabel().startswith("centre"))
    minimum, on_shift = centre.get_lines()[:2]
    # The morning wants 2 and has 1; the afternoon wants 1 and has 1.
    assert max(minimum.get_ydata()) == 2
    assert max(on_shift.get_ydata()) == 1
    wanted = centre.collections[0].get_paths()[0].vertices[:, 1]
    assert max(wanted) == 3  # CTR-AM-Mon's wanted maximum


def test_cover_marks_the_week_plans_short_places(community, week):
    assert week.shifts is not None
    figure = plot.cover(week, community)
    short = {
        f"short:{u.date}:{u.id}"
        for u in week.shifts.unserved
        if u.kind == UnservedKind.SHIFT and u.date is not None
    }
    assert short
    marked = {a.get_gid() for ax in figure.axes for a in drawn(ax, "short:")}
    assert marked == short


def test_cover_refuses_other_plans_and_the_wrong_number_of_axes(community, campaign):
    with pytest.raises(OptionError, match=r"cover draws a ShiftPlan.*not a CampaignPlan"):
        plot.cover(campaign, community)  # type: ignore[arg-type]
    _, ax = plt.subplots()
    with pytest.raises(OptionError, match=r"one Axes per role \(meals, escort, centre\)"):
        plot.cover(one_place_short(), community, ax)


# --- fonts, the extra, render_all ---------------------------------------------------------


def glyph_warnings(figure: matplotlib.figure.Figure) -> list[str]:
    """The missing-glyph warnings drawing ``figure`` gives."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.canvas.draw()
    return [str(w.message) for w in caught if "Glyph" in str(w.message)]


def test_chinese_names_render_without_missing_glyphs(community, meals, week):
    ax = plot.route_map(with_missed_trip(meals), community)
    name = community.resident_by_id[meals.trips[-1].stops[0].resident_id].name
    assert name in {t.get_text() for t in ax.texts}
    assert not any(ord(ch) < 128 for ch in name)
    assert glyph_warnings(ax.get_figure(root=True)) == []
    rota_ax = plot.rota(week, community)
    assert glyph_warnings(rota_ax.get_figure(root=True)) == []


def test_the_glyph_check_sees_a_font_without_chinese(community):
    """The test above would pass vacuously if matplotlib never warned: it does, here."""
    figure, ax = plt.subplots()
    ax.set_title(community.residents[0].name, fontfamily="DejaVu Sans")
    assert glyph_warnings(figure)


def test_importing_carecal_plot_does_not_import_matplotlib():
    code = "import carecal.plot, sys; print('matplotlib' in sys.modules)"
    root = Path(carecal.__file__).parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize("draw", ["route_map", "escort_gantt", "rota", "cover", "render_all"])
def test_without_matplotlib_each_picture_says_how_to_install_the_extra(
    draw, community, meals, monkeypatch
):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ExtraMissingError, match=r'pip install "carecal\[plot\]"') as error:
        getattr(plot, draw)(meals, community)
    assert error.value.extra == "plot" and error.value.module == "matplotlib"


def test_without_mplfonts_the_pictures_are_drawn_with_a_warning(community, meals, monkeypatch):
    monkeypatch.setitem(sys.modules, "mplfonts", None)
    plot._font_family.cache_clear()
    try:
        with pytest.warns(carecal.CarecalWarning, match=r"mplfonts.*carecal\[plot\]"):
            ax = plot.route_map(meals, community)
        assert len(drawn(ax, "trip:")) == len(meals.trips)
    finally:
        plot._font_family.cache_clear()


def test_render_all_gives_every_picture_of_a_week_as_png(community, week):
    open_before = plt.get_fignums()
    pictures = plot.render_all(week, community)
    assert week.campaign is not None
    expected = [f"route_map_{m.date}.png" for m in week.meals if m.trips]
    expected += [f"escort_gantt_{d}.png" for d in week.campaign.dates]
    expected += ["rota.png", "cover.png"]
    assert list(pictures) == expected
    assert all(png.startswith(PNG_SIGNATURE) for png in pictures.values())
    assert plt.get_fignums() == open_before


def test_render_all_of_one_plan_and_a_plan_without_pictures(community, meals):
    pictures = plot.render_all(meals, community)
    assert list(pictures) == ["route_map_2027-03-01.png"]
    assert pictures["route_map_2027-03-01.png"].startswith(PNG_SIGNATURE)
    with pytest.raises(OptionError, match="render_all draws"):
        plot.render_all(Plan(status=Status.EMPTY), community)
