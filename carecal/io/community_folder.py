"""Write a community as the input tables it is read from (CSV, UTF-8 with BOM, and
``policy.toml`` when the policy differs from the defaults)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from carecal.clock import WEEKDAYS
from carecal.io.files import atomic_write, write_table
from carecal.io.policy import policy_toml
from carecal.io.schema import INPUT_TABLES, SKILLS
from carecal.model import Community, format_change_moment
from carecal.policy import Policy


def _ordered(values: Iterable[str], order: Sequence[str]) -> list[str]:
    return sorted(values, key=lambda v: order.index(v) if v in order else len(order))


def community_rows(community: Community) -> dict[str, list[dict[str, Any]]]:
    """Each input table's rows as written: one dict per row, the values as the model holds
    them (times in minutes, lists as tuples), for the CSV writer and the DataFrames."""
    rows: dict[str, list[dict[str, Any]]] = {}
    rows["residents"] = [
        {
            **r.model_dump(exclude={"window", "meal_days"}),
            "meal_days": _ordered(r.meal_days, WEEKDAYS),
            "window_start": r.window.start if r.window else None,
            "window_end": r.window.end if r.window else None,
        }
        for r in community.residents
    ]
    rows["volunteers"] = [
        {
            **v.model_dump(exclude={"skills", "max_shifts_by_id"}),
            "skills": _ordered([s.value for s in v.skills], SKILLS),
            "max_shifts_by_id": [f"{k}={n}" for k, n in v.max_shifts_by_id.items()],
        }
        for v in community.volunteers
    ]
    rows["availability"] = [
        {**a.model_dump(), "day": a.day or a.date} for a in community.availability
    ]
    rows["sites"] = [s.model_dump() for s in community.sites]
    rows["shifts"] = [
        {
            **s.model_dump(),
            "day": s.day or s.date,
            "min_volunteers": "auto" if s.min_volunteers is None else s.min_volunteers,
        }
        for s in community.shifts
    ]
    rows["requests"] = [q.model_dump() for q in community.requests]
    rows["campaign"] = [c.model_dump() for c in community.campaign]
    rows["travel"] = [t.model_dump() for t in community.travel]
    rows["changes"] = [
        {
            "kind": c.kind,
            "id": c.id,
            "start": format_change_moment(c.start, end=False),
            "end": format_change_moment(c.end, end=True),
            "note": c.note,
        }
        for c in community.changes
    ]
    return rows


def write_community(community: Community, folder: str | Path) -> list[Path]:
    """Write a community as the input tables of DESIGN section 4 (CSV, UTF-8 with BOM).

    The optional tables (shifts, requests, campaign, travel, changes) are written only when they
    have rows, and ``policy.toml`` only when the policy differs from the defaults. Reading
    the folder back with :func:`carecal.io.read_community` gives an equal community.

    Parameters
    ----------
    community
        The community to write.
    folder
        The folder to write into (created if needed).

    Returns
    -------
    list of Path
        The files written.
    """
    out = Path(folder)
    paths = []
    for name, rows in community_rows(community).items():
        table = INPUT_TABLES[name]
        if rows or table.required:
            paths.append(write_table(out, table, rows))
    if community.policy != Policy.model_validate({}):
        text = policy_toml(community.policy)
        paths.append(atomic_write(out / "policy.toml", text.encode("utf-8")))
    return paths
