"""What the io tests share: the data folders, reading one without warnings, the Valid
tables with some replaced, and trips that follow the travel matrix."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

from carecal.io import CarecalWarning, read_community
from carecal.model import Community
from carecal.plans import Stop, Trip
from carecal.travel import travel_minutes

DATA = Path(__file__).parents[1] / "data"
AS_OF = dt.date(2026, 3, 1)
DAY = dt.date(2026, 3, 2)
SHIFTS = "shift_id,role,day,start,end\nM1,meals,Mon,10:30,13:30\n"


def read_folder(folder: str | Path = "Valid", as_of: dt.date = AS_OF) -> Community:
    """Read a folder of tests/data, with carecal's warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CarecalWarning)
        return read_community(DATA / folder, as_of=as_of)


def csv_texts(**changes: str) -> dict[str, str]:
    """The CSV texts of tests/data/Valid by table name, with ``changes`` put in."""
    texts = {p.stem: p.read_text(encoding="utf-8") for p in (DATA / "Valid").glob("*.csv")}
    texts.update(changes)
    return texts


def make_trip(community: Community, vid: str, number: int, leave: int, ids: list[str]) -> Trip:
    """A trip that follows the travel matrix exactly, so leave and back can be derived."""
    mode = community.volunteer_by_id[vid].mode
    places = [community.kitchen.site_id, *ids]
    m = travel_minutes(community, places, mode)
    stops, clock = [], leave
    for i, rid in enumerate(ids, start=1):
        resident = community.resident_by_id[rid]
        clock += int(m[i - 1, i])
        stops.append(
            Stop(
                resident_id=rid,
                arrival=clock,
                departure=clock + community.handover_minutes(resident),
                portions=resident.portions,
                diet=resident.diet,
                food_minutes=clock - leave,
                travel_minutes=int(m[i - 1, i]),
            )
        )
        clock = stops[-1].departure
    return Trip(
        volunteer_id=vid,
        trip=number,
        leave=leave,
        back=clock + int(m[len(ids), 0]),
        stops=tuple(stops),
    )
