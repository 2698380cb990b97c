"""Which clinic runs on which date: Community.clinic_days, the one rule for every caller."""

from __future__ import annotations

import datetime as dt

import pytest

from carecal.errors import CarecalError
from carecal.model import CampaignDay, Community, CommunityError, Resident, Site, SiteKind

MON = dt.date(2026, 12, 14)
TUE = MON + dt.timedelta(days=1)
SAT = MON + dt.timedelta(days=5)


def clinic(cid: str, open_: str = "08:00", close: str = "11:00") -> Site:
    return Site(
        site_id=cid,
        kind=SiteKind.CLINIC,
        lat=31.2,
        lon=121.49,
        open=open_,  # type: ignore[arg-type]
        close=close,  # type: ignore[arg-type]
        slot_minutes=30,
        places_per_slot=2,
        check_minutes=20,
    )


def community(*clinics: Site, campaign: tuple[CampaignDay, ...] = ()) -> Community:
    kitchen = Site(site_id="K", kind=SiteKind.KITCHEN, lat=31.2, lon=121.49)
    return Community(sites=(kitchen, *clinics), campaign=campaign)


def test_without_a_period_the_rows_of_campaign_csv() -> None:
    rows = (
        CampaignDay(date=TUE, clinic_id="C2"),
        CampaignDay(date=MON, clinic_id="C1", open="09:00"),  # type: ignore[arg-type]
        CampaignDay(date=MON, clinic_id="C2"),
    )
    days = community(clinic("C1"), clinic("C2"), campaign=rows).clinic_days()
    assert [(d.date, d.clinic_id) for d in days] == [(MON, "C1"), (MON, "C2"), (TUE, "C2")]
    assert days[0].open == 9 * 60 and days[0].slots == (540, 570, 600, 630)
    assert days[1].places == 2 * 6


def test_a_period_selects_the_rows_in_it() -> None:
    rows = (CampaignDay(date=MON, clinic_id="C1"), CampaignDay(date=TUE, clinic_id="C2"))
    c = community(clinic("C1"), clinic("C2"), campaign=rows)
    assert [(d.date, d.clinic_id) for d in c.clinic_days(TUE, TUE)] == [(TUE, "C2")]


def test_one_clinic_runs_on_unlisted_weekdays_with_its_hours() -> None:
    """Inactive rule for one clinic: unlisted Mon-Fri dates run there; a weekend does not."""
    c = community(clinic("C1", "08:30", "10:00"))
    days = c.clinic_days(MON, SAT)
    assert [d.date.weekday() for d in days] == [0, 1, 2, 3, 4]
    assert {(d.clinic_id, d.open, d.close) for d in days} == {("C1", 510, 600)}
    assert c.clinic_day(TUE, "C1") == days[1]
    assert c.clinic_day(SAT, "C1") is None


def test_two_clinics_and_unlisted_dates_are_refused_naming_the_dates() -> None:
    """The rule binds: with two clinics, carecal will not guess which one runs."""
    rows = (CampaignDay(date=MON, clinic_id="C1"),)
    c = community(clinic("C1"), clinic("C2"), campaign=rows)
    with pytest.raises(CommunityError, match=r"does not say which clinic runs on 2026-12-15"):
        c.clinic_days(MON, TUE)
    assert c.clinic_day(TUE, "C1") is None and c.clinic_day(MON, "C1") is not None
    assert c.clinic_day(MON, "C2") is None


def test_listed_only_ignores_unlisted_dates() -> None:
    rows = (CampaignDay(date=MON, clinic_id="C1"),)
    c = community(clinic("C1"), clinic("C2"), campaign=rows)
    assert [d.date for d in c.clinic_days(MON, SAT, listed_only=True)] == [MON]


def test_no_clinic_or_no_day_is_a_carecal_error() -> None:
    with pytest.raises(CarecalError, match="no clinic"):
        community().clinic_days()
    with pytest.raises(CarecalError, match="no campaign days"):
        community(clinic("C1")).clinic_days()
    with pytest.raises(CarecalError, match="no campaign day falls between"):
        community(clinic("C1")).clinic_days(SAT, SAT)


def _resident(last: dt.date | None) -> Resident:
    return Resident(resident_id="R", age=70, lat=31.2, lon=121.49, last_check=last)


def test_due_means_no_check_in_the_365_days_before() -> None:
    """A check exactly 365 days before the first day is within the year: not due."""
    c = community(clinic("C1"))
    assert not c.is_due(_resident(MON - dt.timedelta(days=365)), MON)
    assert c.is_due(_resident(MON - dt.timedelta(days=366)), MON)
    assert c.is_due(_resident(None), MON)
