"""changes.csv and the residents' meals_from/meals_until: read, refused, written back."""

from __future__ import annotations

import datetime as dt
import re
import warnings

import pytest
from io_data import AS_OF, DATA, csv_texts

from carecal.errors import CommunityError
from carecal.io import CarecalWarning, community_from_csv_texts, read_community, write_community
from carecal.io.read import community_from_frames
from carecal.model import ChangeKind, Community


def _read(changes: str, **tables: str) -> Community:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CarecalWarning)
        return community_from_csv_texts(csv_texts(changes=changes, **tables), as_of=AS_OF)


def _problems(changes: str) -> str:
    with pytest.raises(CommunityError) as e, warnings.catch_warnings():
        warnings.simplefilter("ignore", CarecalWarning)
        community_from_csv_texts(csv_texts(changes=changes), as_of=AS_OF)
    return "\n".join(e.value.problems)


def test_each_kind_is_read_with_dates_and_times() -> None:
    """A date start is 00:00, a date end runs through 24:00; HH:MM is kept."""
    c = _read(
        "kind,id,start,end,note\n"
        "resident_away,R001,2026-03-02,2026-03-04,hospital\n"
        "volunteer_off,V01,2026-03-02 10:00,2026-03-02 12:00,dentist\n"
        "extra_meal,R003,2026-03-03,,birthday\n"
        "clinic_closed,C1,2026/3/2 08:00,2026年3月2日 10:00,\n"
    )
    away, off, extra, closed = c.changes
    assert away.kind == ChangeKind.RESIDENT_AWAY
    assert (away.start, away.end) == (dt.datetime(2026, 3, 2), dt.datetime(2026, 3, 5))
    assert (off.start, off.end) == (dt.datetime(2026, 3, 2, 10), dt.datetime(2026, 3, 2, 12))
    assert extra.end == dt.datetime(2026, 3, 4)
    assert (closed.start, closed.end) == (dt.datetime(2026, 3, 2, 8), dt.datetime(2026, 3, 2, 10))
    assert off.note == "dentist"


def test_chinese_headers_and_kinds() -> None:
    c = _read(
        "类型,编号,开始,结束,备注\n"
        "住院,R001,2026-03-02,2026-03-04,\n"
        "请假,V01,2026-03-02,2026-03-02,\n"
        "加餐,R003,2026-03-03,,\n"
        "停诊,C1,2026-03-02,2026-03-02,\n"
        "外出,R002,2026-03-09,2026-03-10,\n"
    )
    assert [ch.kind.value for ch in c.changes] == [
        "resident_away",
        "volunteer_off",
        "extra_meal",
        "clinic_closed",
        "resident_away",
    ]


def test_unknown_id_for_its_kind_with_did_you_mean() -> None:
    text = _problems(
        "kind,id,start,end\nresident_away,R009,2026-03-02,2026-03-04\n"
        "volunteer_off,R001,2026-03-02,2026-03-02\nclinic_closed,K1,2026-03-02,2026-03-02\n"
    )
    assert "changes.csv row 2" in text and "R009 is not a resident in residents.csv" in text
    assert re.search(r"did you mean R00\d\? Correct the id", text)
    assert "R001 is not a volunteer in volunteers.csv" in text
    assert "K1 is not a clinic in sites.csv" in text


def test_unknown_id_folder() -> None:
    """tests/data/ChangeUnknownId: a resident_away naming R009, who is not on the roster."""
    with pytest.raises(CommunityError, match="R009 is not a resident"):
        read_community(DATA / "ChangeUnknownId", as_of=AS_OF)


def test_end_before_start_and_missing_end() -> None:
    text = _problems(
        "kind,id,start,end\nresident_away,R001,2026-03-05,2026-03-04\n"
        "volunteer_off,V01,2026-03-02 12:00,2026-03-02 09:00\nresident_away,R002,2026-03-02,\n"
    )
    assert "end 2026-03-04 comes before start 2026-03-05" in text
    assert "end 2026-03-02 09:00 comes before start 2026-03-02 12:00" in text
    assert "row 4" in text and "only an extra_meal may leave it empty" in text


def test_unknown_kind_did_you_mean() -> None:
    text = _problems("kind,id,start,end\nresident_awya,R001,2026-03-02,2026-03-04\n")
    assert "'resident_awya' is not a known kind; did you mean resident_away?" in text


def test_bad_time_and_header_typo() -> None:
    text = _problems("kind,id,start,end\nvolunteer_off,V01,2026-03-02 25:00,2026-03-03\n")
    assert "column start" in text
    text = _problems("kind,id,strat,end\nvolunteer_off,V01,2026-03-02,2026-03-03\n")
    assert "did you mean start" in text


def test_extra_meal_on_a_standing_day_is_a_warning() -> None:
    """R002 has meals Mon-Fri: an extra meal on Monday 2026-03-02 changes nothing."""
    with pytest.warns(CarecalWarning, match="already has a standing meal order on Mon"):
        community_from_csv_texts(
            csv_texts(changes="kind,id,start\nextra_meal,R002,2026-03-02\n"), as_of=AS_OF
        )


def test_meals_from_and_until_read_and_checked() -> None:
    residents = csv_texts()["residents"].splitlines()
    head = residents[0] + ",meals_from,meals_until"
    rows = [residents[1] + ",2026-03-04,", residents[2] + ",,2026-03-03", residents[3] + ",,"]
    c = _read("kind,id,start\n", residents="\n".join([head, *rows]) + "\n")
    r1, r2 = c.resident_by_id["R001"], c.resident_by_id["R002"]
    assert (r1.meals_from, r2.meals_until) == (dt.date(2026, 3, 4), dt.date(2026, 3, 3))
    bad = [residents[1] + ",2026-03-04,2026-03-03", residents[2] + ",,", residents[3] + ",,"]
    with pytest.raises(CommunityError, match="comes before meals_from"):
        _read("kind,id,start\n", residents="\n".join([head, *bad]) + "\n")


def test_round_trip_through_folder_and_frames(tmp_path) -> None:  # type: ignore[no-untyped-def]
    c = _read(
        "kind,id,start,end,note\n"
        "resident_away,R001,2026-03-02,2026-03-04,hospital\n"
        "volunteer_off,V01,2026-03-02 10:00,2026-03-03 09:30,\n"
        "extra_meal,R003,2026-03-03,,\n"
        "clinic_closed,C1,2026-03-02 08:00,2026-03-02 10:00,\n"
    )
    c = c.with_changes(
        residents=tuple(
            r.model_copy(update={"meals_from": dt.date(2026, 3, 4)})
            if r.resident_id == "R003"
            else r
            for r in c.residents
        )
    )
    write_community(c, tmp_path)
    assert "changes.csv" in {p.name for p in tmp_path.iterdir()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CarecalWarning)
        again = read_community(tmp_path, as_of=AS_OF)
        from_frames = community_from_frames(c.to_frames())
    assert again == c
    assert from_frames == c
    assert list(c.to_frames()["changes"].columns) == ["kind", "id", "start", "end", "note"]
