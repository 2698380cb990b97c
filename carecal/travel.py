"""Travel times between places, per travel mode.

The built-in estimate is the great-circle distance times the policy's detour factor, at
the mode's speed. ``travel.csv`` overrides it pair by pair (and mode by mode). Times are
rounded to whole minutes here, once; solvers and verifier use the same rounded values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from carecal.errors import CommunityError, OptionError

if TYPE_CHECKING:
    from carecal.model import Community

EARTH_RADIUS_KM = 6371.0088

TRAVEL_MODES: tuple[str, ...] = ("walk", "wheelchair", "bike", "ebike", "car")
"""Modes a travel time can be asked for; ``wheelchair`` is an escort pushing one."""


def great_circle_km(
    lat: npt.ArrayLike,
    lon: npt.ArrayLike,
    lat2: npt.ArrayLike | None = None,
    lon2: npt.ArrayLike | None = None,
) -> npt.NDArray[np.float64]:
    """Great-circle distances in km between every pair of points (haversine, vectorised).

    With one set of points, the square matrix among them; with two, the rectangular
    matrix from the first set to the second.
    """
    la1 = np.radians(np.asarray(lat, dtype=float))[:, None]
    lo1 = np.radians(np.asarray(lon, dtype=float))[:, None]
    la2 = np.radians(np.asarray(lat if lat2 is None else lat2, dtype=float))[None, :]
    lo2 = np.radians(np.asarray(lon if lon2 is None else lon2, dtype=float))[None, :]
    h = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def coordinates(community: Community, place_id: str) -> tuple[float, float]:
    """Latitude and longitude of a resident, volunteer (home) or site by id.

    Raises
    ------
    CommunityError
        When no place has that id, or a volunteer has no home coordinates.
    """
    if place_id in community.site_by_id:
        s = community.site_by_id[place_id]
        return s.lat, s.lon
    if place_id in community.resident_by_id:
        r = community.resident_by_id[place_id]
        return r.lat, r.lon
    if place_id in community.volunteer_by_id:
        v = community.volunteer_by_id[place_id]
        if v.lat is None or v.lon is None:
            raise CommunityError(
                f"volunteer {place_id} has no home coordinates; fill lat and lon in volunteers"
            )
        return v.lat, v.lon
    raise CommunityError(
        f"no resident, volunteer or site has the id {place_id}; correct the id or add the place"
    )


def travel_minutes(
    community: Community, place_ids: Sequence[str], mode: str
) -> npt.NDArray[np.int64]:
    """Whole minutes of travel between every ordered pair of places, for one mode.

    Parameters
    ----------
    community
        Gives the coordinates, the policy (speeds, detour) and the ``travel.csv`` overrides.
    place_ids
        Resident, volunteer or site ids, in the order of the matrix rows and columns.
    mode
        One of :data:`TRAVEL_MODES`.

    Returns
    -------
    numpy.ndarray
        ``int64`` matrix, ``[i, j]`` = minutes from ``place_ids[i]`` to ``place_ids[j]``.

    Raises
    ------
    OptionError
        When ``mode`` is not a travel mode.
    CommunityError
        When an id names no place, or a volunteer without home coordinates.
    """
    if mode not in TRAVEL_MODES:
        raise OptionError(f"travel mode '{mode}' is not one of {', '.join(TRAVEL_MODES)}")
    ids = list(place_ids)
    points = [coordinates(community, pid) for pid in ids]
    lat = np.array([p[0] for p in points], dtype=float)
    lon = np.array([p[1] for p in points], dtype=float)
    policy = community.policy
    km = great_circle_km(lat, lon) * policy.detour_factor
    minutes = km / policy.speed_kmh[mode] * 60.0
    if community.travel:
        index = {pid: i for i, pid in enumerate(ids)}
        for row in community.travel:
            if row.mode not in (mode, "any"):
                continue
            i, j = index.get(row.from_id), index.get(row.to_id)
            if i is not None and j is not None:
                minutes[i, j] = row.minutes
    out = np.rint(minutes).astype(np.int64)
    np.fill_diagonal(out, 0)
    return out
