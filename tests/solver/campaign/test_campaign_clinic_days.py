"""Defect 1 (issue 14): which clinic runs on which date is one rule, for the planner, the
verifier and the plan folder.

Before, ``carecal health-checks DATA --from 2026-12-14 --to 2026-12-15`` on a community with
two clinics planned 2026-12-15 (which campaign.csv does not list) at the first clinic,
wrote the bookings without their clinic, and ``carecal verify`` then failed: the planner,
the verifier and the plan reader each decided the clinic of a date in their own way. Now
all three ask :meth:`carecal.model.Community.clinic_days` / ``clinic_day``, and
``health_checks.csv`` says at which clinic each booking is.

The communities here: clinics H1 (at the centre) and H2 (0.2 km north), 30-min slots,
20-min checks, one place a slot; kitchen K1 beside H1; residents 0.5 km north or south.
2026-12-14 is a Monday, 2026-12-15 a Tuesday.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from campaign_cases import CENTRE, KM_LAT, escort, free, resident

from carecal.cli import EXIT_INVALID, EXIT_OK, main
from carecal.errors import CommunityError
from carecal.io import read_plan, write_community, write_plan
from carecal.model import CampaignDay, Community, Mobility, Resident, Site, SiteKind
from carecal.plans import CampaignPlan
from carecal.progress import ProgressEvent
from carecal.solver.campaign import plan_health_checks
from carecal.verify import verify

MON = dt.date(2026, 12, 14)
TUE = dt.date(2026, 12, 15)


def _clinic(site_id: str, north_km: float, close: str) -> Site:
    return Site(
        site_id=site_id,
        kind=SiteKind.CLINIC,
        name=f"clinic {site_id}",
        lat=CENTRE[0] + north_km * KM_LAT,
        lon=CENTRE[1],
        open="09:00",
        close=close,
        slot_minutes=30,
        places_per_slot=1,
        check_minutes=20,
    )


def community(
    clinics: tuple[str, ...],
    listed: tuple[tuple[dt.date, str], ...],
    residents: tuple[Resident, ...],
    escorts: tuple[str, ...] = (),
    *,
    close: str = "10:00",
) -> Community:
    """Clinics H1 and/or H2 (slots 09:00 and 09:30 when ``close`` is 10:00), campaign.csv
    rows ``listed``; each escort free 08:00–12:00 on both dates."""
    north = {"H1": 0.0, "H2": 0.2}
    sites = (
        Site(site_id="K1", kind=SiteKind.KITCHEN, name="kitchen", lat=CENTRE[0], lon=CENTRE[1]),
        *(_clinic(c, north[c], close) for c in clinics),
    )
    return Community(
        residents=residents,
        volunteers=tuple(escort(v) for v in escorts),
        availability=tuple(free(v, date=d) for v in escorts for d in (MON, TUE)),
        sites=sites,
        campaign=tuple(CampaignDay(date=d, clinic_id=c) for d, c in listed),
    )


WALKINS = tuple(resident(f"R{i}", 0.5 if i % 2 else -0.5) for i in range(1, 5))
"""Four residents who come on their own."""


def two_clinics(**kwargs: object) -> Community:
    """campaign.csv lists H1 and H2 on Monday and neither on Tuesday; four walk-ins."""
    return community(("H1", "H2"), ((MON, "H1"), (MON, "H2")), WALKINS, **kwargs)  # type: ignore[arg-type]


def one_clinic() -> Community:
    """Only H1, and campaign.csv lists no date at all; four walk-ins."""
    return community(("H1",), (), WALKINS)


def _plan(c: Community, start: dt.date | str, end: dt.date | str) -> CampaignPlan:
    return plan_health_checks(c, start, end, time_limit=5.0, workers=1, deterministic=True)


# --- the planner ---------------------------------------------------------------------------


def test_two_clinics_and_an_unlisted_date_is_refused_before_solving() -> None:
    """Tuesday: campaign.csv does not say which of the two clinics runs; nothing is solved."""
    events: list[ProgressEvent] = []
    with pytest.raises(CommunityError, match="2026-12-15") as caught:
        plan_health_checks(two_clinics(), "2026-12-14", "2026-12-15", progress=events.append)
    assert "2026-12-14" not in str(caught.value)
    assert "campaign.csv" in str(caught.value)
    assert events == []


def test_two_clinics_on_a_listed_date_book_both() -> None:
    """Monday only: both clinics run, each with two places; the four walk-ins take them,
    each booking at its clinic."""
    c = two_clinics()
    p = _plan(c, MON, MON)
    assert p.clinic_days == ((MON, "H1"), (MON, "H2")) and p.dates == (MON,)
    assert sorted((b.clinic_id, b.check_start) for b in p.bookings) == [
        ("H1", 540),
        ("H1", 570),
        ("H2", 540),
        ("H2", 570),
    ]
    assert verify(c, p) == []


def test_an_escort_is_at_one_clinic_at_a_time() -> None:
    """Binds: one escort, two wheelchair users, one 09:00 place at each clinic; the two
    jobs would overlap, so one is booked and one is unserved. Idle with a second escort:
    both are booked at 09:00, one at each clinic."""
    riders = (
        resident("W1", 0.5, mobility=Mobility.WHEELCHAIR),
        resident("W2", -0.5, mobility=Mobility.WHEELCHAIR),
    )
    listed = ((MON, "H1"), (MON, "H2"))
    alone = community(("H1", "H2"), listed, riders, ("V1",), close="09:20")
    p = _plan(alone, MON, MON)
    assert len(p.bookings) == 1 and [u.id for u in p.unserved] in (["W1"], ["W2"])
    assert verify(alone, p) == []
    pair = community(("H1", "H2"), listed, riders, ("V1", "V2"), close="09:20")
    p = _plan(pair, MON, MON)
    assert sorted(b.clinic_id for b in p.bookings) == ["H1", "H2"]
    assert {b.check_start for b in p.bookings} == {540}
    assert len({b.escort_ids for b in p.bookings}) == 2
    assert verify(pair, p) == []


# --- planned, written, read back, verified -----------------------------------------------


def test_two_clinics_round_trip_through_the_folder(tmp_path: Path) -> None:
    c = two_clinics()
    p = _plan(c, MON, MON)
    write_plan(p, tmp_path, c)
    read = read_plan(tmp_path, c)
    assert isinstance(read, CampaignPlan)
    assert read.bookings == p.bookings and read.clinic_days == p.clinic_days
    assert verify(c, read) == []


def test_one_clinic_on_dates_campaign_csv_does_not_list(tmp_path: Path) -> None:
    """The only clinic runs on the weekdays of the period; read back from the folder, the
    plan verifies (before, the reader took the dates of campaign.csv)."""
    c = one_clinic().with_changes(
        campaign=(CampaignDay(date=dt.date(2026, 12, 7), clinic_id="H1"),)
    )
    p = _plan(c, MON, TUE)
    assert p.clinic_days == ((MON, "H1"), (TUE, "H1"))
    assert len(p.bookings) == 4 and verify(c, p) == []
    write_plan(p, tmp_path, c)
    read = read_plan(tmp_path, c)
    assert read.dates == (MON, TUE) and read.clinic_days == p.clinic_days
    assert verify(c, read) == []


def test_verify_says_when_a_clinic_does_not_run() -> None:
    """A plan claiming Tuesday at H1 (two clinics, Tuesday not listed) is refused by the
    same rule, in words that say what to add to campaign.csv."""
    c = two_clinics()
    p = _plan(c, MON, MON)
    moved = p.model_copy(
        update={
            "clinic_days": ((TUE, "H1"), (TUE, "H2")),
            "dates": (TUE,),
            "bookings": tuple(b.model_copy(update={"date": TUE}) for b in p.bookings),
        }
    )
    messages = [v.message for v in verify(c, moved) if v.rule == "clinic"]
    assert messages == [
        f"clinic {h} does not run on 2026-12-15 (campaign.csv does not list it, and with 2 "
        f"clinics it must say which runs); add a row (2026-12-15, {h}) to campaign.csv"
        for h in ("H1", "H2")
    ]
    # A booking at a clinic the plan does not run that day.
    astray = p.model_copy(update={"clinic_days": ((MON, "H1"),)})
    assert {v.rule for v in verify(c, astray)} == {"clinic"}


# --- the command line ----------------------------------------------------------------------


def _health_checks(data: Path, out: Path, start: str, end: str) -> int:
    args = ["-q", "health-checks", str(data), "--from", start, "--to", end, "--out", str(out)]
    return main([*args, "--time-limit", "3", "--deterministic"])


def test_cli_health_checks_then_verify_on_dates_campaign_csv_does_not_list(
    tmp_path: Path,
) -> None:
    """Defect 1 through the CLI: planned, written and verified from the folder, exit 0."""
    one, two = tmp_path / "one", tmp_path / "two"
    write_community(one_clinic(), one)
    write_community(two_clinics(), two)
    assert _health_checks(one, tmp_path / "p1", "2026-12-14", "2026-12-15") == EXIT_OK
    assert main(["-q", "verify", str(one), str(tmp_path / "p1")]) == EXIT_OK
    assert _health_checks(two, tmp_path / "p2", "2026-12-14", "2026-12-14") == EXIT_OK
    assert main(["-q", "verify", str(two), str(tmp_path / "p2")]) == EXIT_OK
    # Two clinics and Tuesday unlisted: refused before planning, nothing written.
    assert _health_checks(two, tmp_path / "p3", "2026-12-14", "2026-12-15") == EXIT_INVALID
    assert not (tmp_path / "p3").exists()
