"""changes.csv: a resident away, a volunteer off, an extra meal, a clinic closed (the
readers' contract is in :mod:`carecal.io.tables`)."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence

from carecal.clock import weekday
from carecal.i18n import N_, Message, Word
from carecal.io.csvtext import RawTable
from carecal.io.rows import Context, Row, table_rows
from carecal.io.schema import CHANGES
from carecal.model import CHANGE_ENTITY, Change, ChangeKind, Resident

_TABLE_OF = {"resident": "residents.csv", "volunteer": "volunteers.csv", "clinic": "sites.csv"}


def parse_changes(ctx: Context, raw: RawTable, residents: Sequence[Resident] = ()) -> list[Change]:
    """changes.csv: each change names a known id for its kind and ends after it starts.

    Read after the residents, volunteers and sites, whose ids it checks (a misspelt id
    gets a did-you-mean). An extra meal on a day the resident's standing order already
    covers is a warning, not an error: it changes nothing.
    """
    rows = table_rows(ctx, raw, CHANGES)
    by_id = {res.resident_id: res for res in residents}
    out = []
    for r in rows:
        kind = r.value("kind", required=True)
        ident = r.value("id", required=True)
        start = r.value("start", required=True)
        end = r.value("end")
        if (
            kind is not None
            and kind != ChangeKind.EXTRA_MEAL
            and end is None
            and "end" in r.columns
        ):
            r.error(
                "end",
                Message(
                    N_(
                        "is empty; write the last day (a date) or the moment the change ends "
                        "(YYYY-MM-DD HH:MM); only an extra_meal may leave it empty"
                    )
                ),
            )
        elif kind is not None and kind != ChangeKind.EXTRA_MEAL and end is None:
            r.error(
                None,
                Message(
                    N_("{source} has no end column; add it: the end of each change"),
                    source=raw.source,
                ),
            )
        if kind is not None and ident is not None:
            _check_id(ctx, r, ChangeKind(kind), ident)
        change = r.build(
            Change, kind=kind, id=ident, start=start, end=end, note=r.value("note") or ""
        )
        if change is None:
            continue
        out.append(change)
        if change.kind == ChangeKind.EXTRA_MEAL:
            _extra_meal_on_standing_day(r, change, by_id.get(change.id))
    return out


def _check_id(ctx: Context, r: Row, kind: ChangeKind, ident: str) -> None:
    """Report an id that names no resident, volunteer or clinic (as the kind wants)."""
    entity = CHANGE_ENTITY[kind]
    known = ctx.ids.get(entity)
    if known is None or ident in known:
        return
    close = difflib.get_close_matches(ident, sorted(known), n=1, cutoff=0.6)
    values = {"id": ident, "entity": Word(entity), "table": _TABLE_OF[entity], "kind": kind.value}
    if close:
        message = Message(
            N_(
                "{id} is not a {entity} in {table}, and a {kind} change names a {entity}; did "
                "you mean {close}? Correct the id, or add the {entity} to {table}"
            ),
            close=close[0],
            **values,
        )
    else:
        message = Message(
            N_(
                "{id} is not a {entity} in {table}, and a {kind} change names a {entity}; "
                "correct the id, or add the {entity} to {table}"
            ),
            **values,
        )
    r.error("id", message)


def _extra_meal_on_standing_day(r: Row, change: Change, resident: Resident | None) -> None:
    """Warn when an extra meal falls on a day the standing order already covers."""
    if resident is None:
        return
    days = [
        change.first_day + dt.timedelta(days=i)
        for i in range((change.last_day - change.first_day).days + 1)
    ]
    standing = [d for d in days if resident.wants_meal_on(d)]
    if standing:
        shown = ", ".join(f"{weekday(d)} {d}" for d in standing[:5])
        r.warn(
            "start",
            Message(
                N_(
                    "resident {id} already has a standing meal order on {days}, so the extra "
                    "meal changes nothing there; delete the row or correct the date"
                ),
                id=change.id,
                days=shown,
            ),
        )
