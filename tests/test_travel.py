"""Tests of carecal.travel: the great-circle estimate and travel.csv overrides."""

import numpy as np
import pytest

from carecal.model import Community, Resident, Site, SiteKind, TravelOverride
from carecal.travel import great_circle_km, travel_minutes


def test_great_circle_one_degree_of_latitude() -> None:
    km = great_circle_km([0.0, 1.0], [0.0, 0.0])
    assert abs(km[0, 1] - 111.19) < 0.05
    assert km[0, 0] == 0 and km[1, 0] == km[0, 1]


def _community(**kw: object) -> Community:
    sites = (Site(site_id="K1", kind=SiteKind.KITCHEN, lat=31.2, lon=121.49),)
    # 0.01 degrees of latitude north of the kitchen: 1.112 km.
    residents = (Resident(resident_id="R1", age=70, lat=31.21, lon=121.49),)
    return Community(residents=residents, sites=sites, **kw)  # type: ignore[arg-type]


def test_minutes_use_detour_and_speed() -> None:
    c = _community()
    walk = travel_minutes(c, ["K1", "R1"], "walk")
    # 1.112 km x 1.3 / 4.5 km/h = 19.3 min
    assert walk[0, 1] == 19 and walk[1, 0] == 19
    assert travel_minutes(c, ["K1", "R1"], "ebike")[0, 1] == 6  # 1.446 km at 15 km/h


def test_travel_csv_overrides_one_direction_and_mode() -> None:
    c = _community(travel=(TravelOverride(from_id="K1", to_id="R1", mode="walk", minutes=30),))
    walk = travel_minutes(c, ["K1", "R1"], "walk")
    assert walk[0, 1] == 30 and walk[1, 0] == 19
    assert travel_minutes(c, ["K1", "R1"], "bike")[0, 1] != 30


def test_override_for_any_mode() -> None:
    c = _community(travel=(TravelOverride(from_id="R1", to_id="K1", mode="any", minutes=3),))
    assert travel_minutes(c, ["K1", "R1"], "car")[1, 0] == 3


def test_two_thousand_places_at_once() -> None:
    """The whole matrix in one vectorised call (a Python double loop would take tens of
    seconds): symmetric, zero on the diagonal, and equal to the pairwise formula."""
    rng = np.random.default_rng(0)
    lat, lon = 31.2 + rng.random(2000) * 0.03, 121.49 + rng.random(2000) * 0.03
    km = great_circle_km(lat, lon)
    assert km.shape == (2000, 2000)
    assert np.allclose(km, km.T) and np.all(np.diag(km) == 0)
    pair = great_circle_km(lat[[17, 1234]], lon[[17, 1234]])
    assert km[17, 1234] == pytest.approx(pair[0, 1])
