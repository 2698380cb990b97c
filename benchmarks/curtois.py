"""Curtois & Qu shift-scheduling instances: reader, mapping onto carecal, own evaluator.

Parsing text is kept apart from opening files (:func:`parse_instance` takes a string), so
tests feed small handwritten instances. :func:`to_community` maps an instance onto
carecal's public model (staff -> volunteers, shift types -> dated shifts of those lengths,
cover -> demand with under/over weights, requests -> requests, days off -> availability
exceptions). :func:`evaluate` prices a roster by the benchmark's own rules, without the
solver and without carecal, and lists every hard rule it breaks.

The instances' horizon counts days from a Monday; day 0 is mapped onto :data:`MONDAY`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

MONDAY = dt.date(2024, 1, 1)
"""The Monday that day 0 of every instance is mapped onto."""

SHIFT_START = 6 * 60
"""Every shift type starts at 06:00, so two shifts on one day always overlap (one a day)."""


@dataclass(frozen=True)
class Staff:
    """One employee's hard limits (``SECTION_STAFF``)."""

    staff_id: str
    max_shifts: dict[str, int]
    max_minutes: int
    min_minutes: int
    max_consecutive: int
    min_consecutive: int
    min_days_off: int
    max_weekends: int


@dataclass(frozen=True)
class Cover:
    """Wanted staff on one shift type on one day, with the weights of under and over cover."""

    day: int
    shift_id: str
    requirement: int
    weight_under: int
    weight_over: int


@dataclass
class Instance:
    """A Curtois & Qu instance."""

    name: str
    days: int
    lengths: dict[str, int]
    forbidden_next: dict[str, set[str]]
    staff: list[Staff]
    days_off: dict[str, set[int]] = field(default_factory=dict)
    on_requests: list[tuple[str, int, str, int]] = field(default_factory=list)
    off_requests: list[tuple[str, int, str, int]] = field(default_factory=list)
    cover: list[Cover] = field(default_factory=list)


def parse_instance(text: str, name: str = "instance") -> Instance:
    """Parse the text of an instance file.

    Raises
    ------
    ValueError
        On a line that does not fit its section, naming the line.
    """
    section = ""
    rows: dict[str, list[list[str]]] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            section = line
            rows.setdefault(section, [])
            continue
        if not section:
            raise ValueError(f"{name} line {number}: data before any SECTION_ header")
        rows[section].append([part.strip() for part in line.split(",")])
    try:
        days = int(rows["SECTION_HORIZON"][0][0])
        lengths: dict[str, int] = {}
        forbidden: dict[str, set[str]] = {}
        for r in rows.get("SECTION_SHIFTS", []):
            lengths[r[0]] = int(r[1])
            follow = r[2] if len(r) > 2 else ""
            forbidden[r[0]] = {f for f in follow.split("|") if f}
        staff = []
        for r in rows.get("SECTION_STAFF", []):
            limits = {}
            for part in r[1].split("|"):
                if part:
                    sid, most = part.split("=")
                    limits[sid] = int(most)
            staff.append(
                Staff(
                    r[0], limits, int(r[2]), int(r[3]), int(r[4]), int(r[5]), int(r[6]), int(r[7])
                )
            )
        days_off = {r[0]: {int(d) for d in r[1:] if d} for r in rows.get("SECTION_DAYS_OFF", [])}
        on = [(r[0], int(r[1]), r[2], int(r[3])) for r in rows.get("SECTION_SHIFT_ON_REQUESTS", [])]
        off = [
            (r[0], int(r[1]), r[2], int(r[3])) for r in rows.get("SECTION_SHIFT_OFF_REQUESTS", [])
        ]
        cover = [
            Cover(int(r[0]), r[1], int(r[2]), int(r[3]), int(r[4]))
            for r in rows.get("SECTION_COVER", [])
        ]
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"{name}: malformed instance ({exc!r})") from exc
    return Instance(name, days, lengths, forbidden, staff, days_off, on, off, cover)


def read_instance(path: str | Path) -> Instance:
    """Read an instance file."""
    path = Path(path)
    return parse_instance(path.read_text(), path.stem)


# --- the benchmark's own objective -------------------------------------------------------

Roster = dict[tuple[str, int], str]
"""(staff id, day) -> shift id worked that day."""


def evaluate(inst: Instance, roster: Roster) -> tuple[int, list[str]]:
    """The penalty of a roster under the benchmark's rules, and every hard rule it breaks.

    Runs of working days or days off that touch the first or last day of the horizon are
    not held to the minimum lengths (as in the benchmark's model).
    """
    broken: list[str] = []
    n = inst.days
    for (sid, day), shift in roster.items():
        if shift not in inst.lengths:
            broken.append(f"{sid} day {day}: unknown shift {shift}")
        if not 0 <= day < n:
            broken.append(f"{sid} day {day}: outside the horizon")
    for st in inst.staff:
        work = [roster.get((st.staff_id, d)) for d in range(n)]
        for d in range(n - 1):
            a, b = work[d], work[d + 1]
            if a is not None and b is not None and b in inst.forbidden_next.get(a, set()):
                broken.append(f"{st.staff_id}: {b} on day {d + 1} may not follow {a}")
        for sid, most in st.max_shifts.items():
            if sum(1 for w in work if w == sid) > most:
                broken.append(f"{st.staff_id}: more than {most} shifts {sid}")
        minutes = sum(inst.lengths[w] for w in work if w is not None and w in inst.lengths)
        if not st.min_minutes <= minutes <= st.max_minutes:
            broken.append(
                f"{st.staff_id}: {minutes} minutes, outside {st.min_minutes}..{st.max_minutes}"
            )
        on = [w is not None for w in work]
        runs: list[tuple[bool, int, int]] = []  # (working, first day, length)
        for d, flag in enumerate(on):
            if runs and runs[-1][0] == flag:
                runs[-1] = (flag, runs[-1][1], runs[-1][2] + 1)
            else:
                runs.append((flag, d, 1))
        for flag, first, length in runs:
            inside = first > 0 and first + length < n
            if flag and length > st.max_consecutive:
                broken.append(f"{st.staff_id}: {length} working days in a row from day {first}")
            if flag and inside and length < st.min_consecutive:
                broken.append(f"{st.staff_id}: only {length} working day(s) from day {first}")
            if not flag and inside and length < st.min_days_off:
                broken.append(f"{st.staff_id}: only {length} day(s) off from day {first}")
        weekends = sum(1 for w in range(n // 7) if on[7 * w + 5] or on[7 * w + 6])
        if weekends > st.max_weekends:
            broken.append(f"{st.staff_id}: {weekends} weekends worked, at most {st.max_weekends}")
        for d in inst.days_off.get(st.staff_id, set()):
            if d < n and on[d]:
                broken.append(f"{st.staff_id}: works on day off {d}")
    penalty = 0
    for sid, day, shift, weight in inst.on_requests:
        if roster.get((sid, day)) != shift:
            penalty += weight
    for sid, day, shift, weight in inst.off_requests:
        if roster.get((sid, day)) == shift:
            penalty += weight
    count: dict[tuple[int, str], int] = {}
    for (_, day), shift in roster.items():
        count[(day, shift)] = count.get((day, shift), 0) + 1
    for c in inst.cover:
        got = count.get((c.day, c.shift_id), 0)
        penalty += c.weight_under * max(0, c.requirement - got)
        penalty += c.weight_over * max(0, got - c.requirement)
    return penalty, broken
