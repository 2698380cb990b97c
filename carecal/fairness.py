"""Who waits when not everyone can be served: the order of ``Policy.shortage_order``.

When the day's carriers cannot take every meal, the router leaves out the deliveries whose
missed-meal cost is lowest. The cost follows the centre's documented order
(``shortage_order``, default ``skipped_last_time``, ``bedridden``, ``lives_alone``,
``diabetic``):

- ``skipped_last_time`` — the resident was left unserved on their previous delivery day
  (their latest meal day in the history, :meth:`carecal.history.History.skipped_on`).
  It is a tier above everything else: such a resident's missed meal costs more than
  every other missed meal of the day together, so serving one of them is worth more
  than serving any number of others. Nobody is skipped twice while anyone else is
  served instead.
- the other criteria (``bedridden``, ``wheelchair``, ``lives_alone``, ``diabetic``) in
  the order listed: the last weighs 1, the one before it 2, then 4 and 8, each more than
  all after it together. A missed meal costs ``missed_meal_penalty ×
  missed_meal_vulnerable_factor ** (sum of the weights of the criteria the resident
  meets)``. With the defaults: diabetic ×2, living alone ×4, bedridden ×16, and the
  products for several (bedridden and living alone ×64). So between two residents, the
  one meeting an earlier criterion is served first whatever later criteria the other
  meets (the factor above 1), and the number of people served still counts.

With a whole-number factor (the default 2) every missed-meal cost is a multiple of
``missed_meal_penalty``, and so is every difference between two plans' costs; the soft
preferences that weigh less than one missed meal in all (familiar carriers,
``familiar_carrier_weight``) can then never decide who is served.

This module holds the rule and the words for it; :mod:`carecal.solver.meals` applies the
costs, :mod:`carecal.explain` words the reasons.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from carecal.errors import CommunityError
from carecal.explain import Why, meal_shortage, meal_skipped_again
from carecal.plans import Unserved, UnservedKind

if TYPE_CHECKING:
    from carecal.model import Community, Resident

SKIPPED = "skipped_last_time"
"""The criterion that outranks any number of others."""

MAX_DAY_COST = 2**62
"""The most the missed meals of one day may cost together: the routers add costs in
64-bit integers (about 9.2e18), and the travel and carrier costs need room beside."""


def criteria_met(community: Community, resident: Resident, date: dt.date) -> tuple[str, ...]:
    """The criteria of ``shortage_order`` that ``resident`` meets on ``date``, in the
    policy's order (``skipped_last_time`` from the history before ``date``)."""
    return tuple(
        c
        for c in community.policy.shortage_order
        if (
            community.history.skipped_on(resident.resident_id, date) is not None
            if c == SKIPPED
            else _vulnerable(resident, c)
        )
    )


def _vulnerable(resident: Resident, criterion: str) -> bool:
    """Whether ``resident`` meets a criterion of the roster (all but ``skipped_last_time``)."""
    if criterion in ("bedridden", "wheelchair"):
        return resident.mobility.value == criterion
    if criterion == "lives_alone":
        return resident.lives_alone
    return criterion == "diabetic" and "diabetic" in resident.diet


def vulnerability_weights(order: Sequence[str]) -> dict[str, int]:
    """The weight of each criterion of ``order`` but ``skipped_last_time``: the last 1,
    the one before it 2, then 4, 8 (each more than all after it together)."""
    rest = [c for c in order if c != SKIPPED]
    return {c: 2 ** (len(rest) - 1 - i) for i, c in enumerate(rest)}


def missed_meal_cost(community: Community, resident: Resident) -> int:
    """What leaving ``resident`` without their meal costs, before the history's tier.

    ``missed_meal_penalty × missed_meal_vulnerable_factor ** w``, ``w`` the sum of the
    weights (:func:`vulnerability_weights`) of the criteria the resident meets
    (``skipped_last_time`` aside: :func:`missed_meal_costs` adds it).
    """
    p = community.policy
    weights = vulnerability_weights(p.shortage_order)
    exponent = sum(w for c, w in weights.items() if _vulnerable(resident, c))
    return round(p.missed_meal_penalty * p.missed_meal_vulnerable_factor**exponent)


def missed_meal_costs(
    community: Community, date: dt.date, residents: Sequence[Resident]
) -> list[int]:
    """The missed-meal cost of each of the day's ``residents`` (index-aligned).

    :func:`missed_meal_cost`, plus, for each resident left unserved on their previous
    delivery day (when ``shortage_order`` lists ``skipped_last_time``), the tier: the
    costs of every resident of the day together, plus ``missed_meal_penalty``. Serving
    one such resident then outweighs serving all the others.

    Raises
    ------
    CommunityError
        When the day's costs together would not fit the routers' integers (tens of
        thousands of deliveries with the largest policy costs); the fix is in the message.
    """
    base = [missed_meal_cost(community, r) for r in residents]
    skipped = [
        SKIPPED in community.policy.shortage_order
        and community.history.skipped_on(r.resident_id, date) is not None
        for r in residents
    ]
    tier = sum(base) + community.policy.missed_meal_penalty if any(skipped) else 0
    costs = [b + tier if s else b for b, s in zip(base, skipped, strict=True)]
    if sum(costs) > MAX_DAY_COST:
        raise CommunityError(
            [
                f"the {len(residents)} missed meals of {date} would cost {sum(costs):.3g} "
                f"together, more than the routers can add up ({MAX_DAY_COST:.3g}); lower "
                "missed_meal_penalty or missed_meal_vulnerable_factor in policy.toml"
            ]
        )
    return costs


def _rank(community: Community, resident: Resident, date: dt.date) -> tuple[bool, int]:
    """Where a resident stands in the shortage order: left out last time, then weight."""
    met = criteria_met(community, resident, date)
    weights = vulnerability_weights(community.policy.shortage_order)
    return SKIPPED in met, sum(weights[c] for c in met if c != SKIPPED)


def explain_shortage(
    community: Community, date: dt.date, served: Iterable[str], unserved: Sequence[Unserved]
) -> list[Unserved]:
    """The day's unserved meals, their reasons saying what the shortage order decided.

    A delivery left out because the carriers were full or busy (``carriers_busy``) while
    residents ahead of it in the shortage order were served has them named in its reason,
    with why they came first (the code stays: the cause is too few carriers). A resident
    left unserved on their previous delivery day too has that said in the reason and the
    fix, whatever the code.

    Parameters
    ----------
    community
        The community the day was planned for (its history and policy).
    date
        The delivery date.
    served
        The residents on the day's trips.
    unserved
        The day's unserved meals (other kinds are passed through).
    """
    lang = community.policy.lang
    residents = community.resident_by_id
    served_ranked = sorted(
        (
            (_rank(community, residents[rid], date), rid)
            for rid in dict.fromkeys(served)
            if rid in residents
        ),
        key=lambda rr: (not rr[0][0], -rr[0][1], rr[1]),
    )
    out = []
    for u in unserved:
        resident = residents.get(u.id)
        if u.kind != UnservedKind.MEAL or resident is None:
            out.append(u)
            continue
        why = Why(u.code, u.reason, u.fix)
        mine = _rank(community, resident, date)
        if u.code == "carriers_busy":
            ahead = [rid for rank, rid in served_ranked if rank > mine]
            if ahead:
                first = [_first_reason(community, residents[rid], date) for rid in ahead[:3]]
                why = meal_shortage(why, u.id, first, len(ahead) - len(first), lang)
        skipped = community.history.skipped_on(u.id, date)
        if skipped is not None:
            why = meal_skipped_again(why, u.id, skipped, lang)
        out.append(Unserved.because(u.kind, u.id, u.date, why))
    return out


def _first_reason(
    community: Community, resident: Resident, date: dt.date
) -> tuple[str, str, dt.date | None]:
    """Who came first and why: the resident, the first criterion of the order they meet,
    and for ``skipped_last_time`` the day they were left unserved."""
    met = criteria_met(community, resident, date)
    first = met[0] if met else ""
    when = community.history.skipped_on(resident.resident_id, date) if first == SKIPPED else None
    return resident.resident_id, first, when
