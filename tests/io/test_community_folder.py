"""Writing a community as its input tables: read back, it is the same community."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from io_data import AS_OF, SHIFTS, csv_texts

from carecal.datasets import make_community
from carecal.io import CarecalWarning, community_from_csv_texts, read_community, write_community
from carecal.policy import Policy


def test_round_trip_csv_community_csv_community(tmp_path: Path, valid):
    write_community(valid, tmp_path)
    again = read_community(tmp_path, as_of=AS_OF)
    assert again == valid
    write_community(again, tmp_path / "twice")
    for name in ("residents", "volunteers", "availability", "sites"):
        first = (tmp_path / f"{name}.csv").read_bytes()
        assert (tmp_path / "twice" / f"{name}.csv").read_bytes() == first


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), food=st.sampled_from([None, 30, 60]))
def test_round_trip_of_generated_communities(tmp_path_factory, seed: int, food: int | None):
    policy = None if food is None else Policy.model_validate({"max_food_minutes": food})
    community = make_community(residents=25, volunteers=8, seed=seed, policy=policy)
    folder = tmp_path_factory.mktemp("round")
    write_community(community, folder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CarecalWarning)
        again = read_community(folder, as_of=dt.date(2026, 11, 26))
    assert again.model_dump() == community.model_dump()


def test_round_trip_keeps_pledges_and_optional_tables(tmp_path: Path):
    volunteers = (
        "volunteer_id,name,mode,skills,min_consecutive_days,max_shifts_by_id\n"
        "V01,A,bike,meals;escort,2,M1=2\nV02,B,walk,meals,,\n"
    )
    texts = csv_texts(
        volunteers=volunteers,
        shifts=SHIFTS + "E1,escort,2026-03-10,08:00,12:00\n",
        requests="volunteer_id,day,want\nV01,2026-03-02,false\nV02,Tue,true\n",
        campaign="date,clinic_id,open,close\n2026-03-10,C1,09:00,11:00\n",
        travel="from_id,to_id,mode,minutes\nK1,R001,,7.5\n",
    )
    c = community_from_csv_texts(texts, 'meals_ready = "10:30"\n', as_of=AS_OF)
    write_community(c, tmp_path)
    assert (tmp_path / "policy.toml").read_text().splitlines()[1:] == ['meals_ready = "10:30"']
    assert read_community(tmp_path, as_of=AS_OF) == c
