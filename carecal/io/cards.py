"""The compact HTML cards Jupyter shows for a plan and a community (``_repr_html_``).

A card is small on purpose (a notebook keeps it in the saved file, and a plan of
thousands of deliveries must not fill the page): the headline counts, the objective with
its bound and gap, the unserved grouped by reason code, and the first rows of the main
table. Every value is escaped with :func:`html.escape` (a resident's name is data, not
markup) and cut to a bounded length, so the card stays under 10 KB whatever the plan.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from carecal.model import Community, Mobility, SiteKind
from carecal.plans import Plan, Unserved
from carecal.policy import Policy

HEAD_ROWS = 5
"""Rows of the main table a plan's card shows."""
MAX_CODES = 12
"""Reason codes a plan's card lists; the rest are counted in one line."""
MAX_CELL = 40
"""Characters of one table cell on a card."""
MAX_REASON = 100
"""Characters of the example reason beside each code."""

_STYLE = (
    "<style>.carecal-card{border:1px solid #bbb;border-radius:4px;padding:6px 10px;"
    "margin:2px 0;font-family:sans-serif;font-size:12px;max-width:64em}"
    ".carecal-card table{border-collapse:collapse}"
    ".carecal-card td,.carecal-card th{padding:1px 6px;text-align:left;"
    "border-bottom:1px solid #eee}</style>"
)
"""One style sheet per card, rather than a style on every cell, keeps the card small."""


def _text(value: Any, limit: int = MAX_CELL) -> str:
    """``value`` escaped for HTML, cut to ``limit`` characters (with an ellipsis)."""
    text = "" if value is None else str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return html.escape(text)


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]], limit: int = MAX_CELL) -> str:
    head = "".join(f"<th>{_text(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{_text(v, limit)}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _number(value: float | None) -> str:
    return "none" if value is None else f"{value:.6g}"


def _unserved_by_code(unserved: Sequence[Unserved]) -> str:
    if not unserved:
        return "<div>Everyone was served.</div>"
    counts = Counter(u.code for u in unserved)
    example: dict[str, Unserved] = {}
    for u in unserved:
        example.setdefault(u.code, u)
    rows = [
        (code, count, example[code].kind.value, example[code].reason)
        for code, count in counts.most_common(MAX_CODES)
    ]
    rest = len(counts) - len(rows)
    more = f"<div>… and {rest} more reason codes</div>" if rest > 0 else ""
    return (
        f"<div><b>Not served: {len(unserved)}</b>, by reason</div>"
        + _table(("code", "count", "kind", "for example"), rows, MAX_REASON)
        + more
    )


def _cell(column: str, value: Any) -> Any:
    """A frame cell as the card shows it: a date, or a time of day without its date."""
    import pandas as pd

    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if column == "date" else value.strftime("%H:%M")
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return value


def _head_rows(plan: Plan) -> str:
    frame = plan.to_frame()
    if frame.empty:
        return "<div>No rows in the main table.</div>"
    head = frame.head(HEAD_ROWS)
    columns = [str(c) for c in head.columns]
    rows = [
        [_cell(c, v) for c, v in zip(columns, values, strict=True)]
        for values in head.itertuples(index=False, name=None)
    ]
    rest = len(frame) - len(head)
    more = f"<div>… and {rest} more rows: <code>plan.to_frame()</code></div>" if rest else ""
    return _table(columns, rows) + more


def plan_card(plan: Plan) -> str:
    """The HTML card of a plan: headline, objective, bound and gap, the unserved by
    reason code, and the first rows of :meth:`~carecal.plans.Plan.to_frame`."""
    gap = plan.gap
    solved = (
        f"objective {_number(plan.objective)} · bound {_number(plan.bound)} · gap "
        + ("none" if gap is None else f"{gap:.1%}")
        + f" · {plan.solve_seconds:.1f} s"
    )
    return (
        f'{_STYLE}<div class="carecal-card">'
        f"<div><b>{_text(plan.headline(), 200)}</b></div>"
        f"<div>{_text(solved, 200)}</div>"
        f"{_unserved_by_code(plan.unserved)}"
        f"{_head_rows(plan)}"
        "</div>"
    )


def community_card(community: Community) -> str:
    """The HTML card of a community: what each table holds, and the policy's changes."""
    residents = community.residents
    helped = sum(1 for r in residents if r.mobility != Mobility.INDEPENDENT)
    skills = Counter(s.value for v in community.volunteers for s in v.skills)
    sites = Counter(s.kind.value for s in community.sites)
    defaults = Policy.model_validate({})
    changed = [
        name
        for name in type(community.policy).model_fields
        if getattr(community.policy, name) != getattr(defaults, name)
    ]
    rows = [
        (
            "residents",
            len(residents),
            f"{sum(1 for r in residents if r.meal_days)} on meal orders, {helped} with a "
            "walker, a wheelchair or bedridden",
        ),
        (
            "volunteers",
            len(community.volunteers),
            ", ".join(f"{n} {skill}" for skill, n in sorted(skills.items())),
        ),
        ("sites", len(community.sites), ", ".join(f"{n} {k}" for k, n in sorted(sites.items()))),
        ("availability rows", len(community.availability), ""),
        ("shifts", len(community.shifts), ""),
        ("requests", len(community.requests), ""),
        ("campaign days", len(community.campaign), ""),
        ("travel times", len(community.travel), ""),
        ("policy", len(changed), "changed: " + ", ".join(changed) if changed else "defaults"),
    ]
    kitchens = len(community.sites_of(SiteKind.KITCHEN))
    note = "" if kitchens else "<div>No kitchen: meals cannot be planned.</div>"
    return (
        f'{_STYLE}<div class="carecal-card">'
        f"<div><b>{_text(repr(community), 200)}</b></div>"
        + _table(("table", "rows", ""), rows, MAX_REASON)
        + note
        + "</div>"
    )
