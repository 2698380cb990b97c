"""Raw tables -> :class:`~carecal.model.Community`, every problem of every table at once.

Each table has one reader (:mod:`carecal.io.tables_people`, :mod:`carecal.io.tables_centre`):
it takes the shared :class:`~carecal.io.rows.Context` and the raw table and returns the
objects of the rows that are valid, recording a problem for every cell that is not.
The tables are read in dependency order (ids a table refers to are read first), then the
checks across tables run (places far from the rest, shift limits naming shifts); every
problem is collected before one :class:`~carecal.model.CommunityError` is raised, sorted by
file. Things that are not errors but may surprise are issued as
:class:`~carecal.io.problems.CarecalWarning`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from pydantic import ValidationError

from carecal.i18n import N_, Message
from carecal.io.csvtext import RawTable
from carecal.io.problems import Problem, Where, validation_sentences, warn
from carecal.io.rows import Context
from carecal.io.schema import INPUT_TABLES
from carecal.io.tables_centre import parse_campaign, parse_shifts, parse_sites, parse_travel
from carecal.io.tables_changes import parse_changes
from carecal.io.tables_people import (
    check_shift_limits,
    parse_availability,
    parse_requests,
    parse_residents,
    parse_volunteers,
)
from carecal.model import Community, CommunityError
from carecal.policy import Policy
from carecal.travel import great_circle_km

REQUIRED_TABLES: tuple[str, ...] = tuple(t.name for t in INPUT_TABLES.values() if t.required)

# Points farther than this from the middle of the community are suspicious.
_OUTLIER_KM = 50.0


def _outliers(ctx: Context) -> None:
    """Report places far from the rest of the community, and lat/lon swaps within range."""
    if len(ctx.points) < 3:
        return
    lat = np.array([p[1] for p in ctx.points])
    lon = np.array([p[2] for p in ctx.points])
    mid_lat, mid_lon = float(np.median(lat)), float(np.median(lon))
    here = great_circle_km(lat, lon, [mid_lat], [mid_lon])[:, 0]
    swapped = great_circle_km(lon, lat, [mid_lat], [mid_lon])[:, 0]
    for (where, la, lo), d, ds in zip(ctx.points, here, swapped, strict=True):
        if d <= _OUTLIER_KM:
            continue
        if ds <= _OUTLIER_KM:
            ctx.problems.append(
                Problem(
                    _lat(where),
                    Message(
                        N_(
                            "lat {lat:g} and lon {lon:g} look swapped: this place is {km:,.0f} "
                            "km from the rest of the community, with them swapped it is "
                            "{swapped_km:,.1f} km; swap the lat and lon values"
                        ),
                        lat=la,
                        lon=lo,
                        km=d,
                        swapped_km=ds,
                    ),
                )
            )
        else:
            ctx.warnings.append(
                Problem(
                    where,
                    Message(
                        N_(
                            "lat {lat:g}, lon {lon:g} is {km:,.0f} km from the rest of the "
                            "community; check the coordinates"
                        ),
                        lat=la,
                        lon=lo,
                        km=d,
                    ),
                )
            )


def _lat(where: Where) -> Where:
    """The place of a row, at its ``lat`` column as the file names it."""
    return Where(where.source, where.row, where.entity, where.ident, "lat", where.written)


_READERS: dict[str, Callable[[Context, RawTable], list[Any]]] = {
    "volunteers": parse_volunteers,
    "residents": parse_residents,
    "sites": parse_sites,
    "availability": parse_availability,
    "shifts": parse_shifts,
    "requests": parse_requests,
    "campaign": parse_campaign,
    "travel": parse_travel,
    "changes": parse_changes,
}
"""Table readers in dependency order (ids a table refers to are read first). changes.csv
is read last, and with the residents read (see :func:`community_from_tables`)."""


def community_from_tables(
    tables: Mapping[str, RawTable],
    policy: Policy | None = None,
    *,
    as_of: dt.date | None = None,
    policy_problems: list[str] | None = None,
    workbook: str | None = None,
) -> Community:
    """Validate raw tables and build the :class:`~carecal.model.Community`.

    Parameters
    ----------
    tables
        Raw tables by name; ``residents``, ``volunteers``, ``availability`` and ``sites``
        are required.
    policy
        The centre's policy; the defaults when ``None``.
    as_of
        The date on which ages from ``birth_date`` are judged (today by default).
    policy_problems
        Problems already found in the policy, reported together with the tables'.
    workbook
        The file name of the workbook the tables are sheets of, if they are; a missing
        table is then a missing sheet of it.

    Raises
    ------
    CommunityError
        Listing every problem in every table at once.
    """
    ctx = Context(policy=policy or Policy.model_validate({}), as_of=as_of or dt.date.today())
    ctx.problems.extend(policy_problems or [])
    for name in REQUIRED_TABLES:
        if name not in tables and workbook is not None:
            ctx.problems.append(
                Message(
                    N_(
                        "{workbook} has no sheet {name}; every community needs residents, "
                        "volunteers, availability and sites sheets"
                    ),
                    workbook=workbook,
                    name=name,
                )
            )
        elif name not in tables:
            ctx.problems.append(
                Message(
                    N_(
                        "{file} is missing; every community needs residents, volunteers, "
                        "availability and sites tables"
                    ),
                    file=f"{name}.csv",
                )
            )
    if "shifts" not in tables:
        ctx.ids["shift"] = set()  # no shifts.csv: a request or limit naming a shift is wrong
    built: dict[str, list[Any]] = {}
    for name, reader in _READERS.items():
        raw = tables.get(name)
        if raw is not None and not raw.header and raw.problems:
            # Unreadable (not text, or empty): its own problem says so. Like a missing
            # table it is not read, so ids elsewhere are not checked against it and no
            # "missing column" or "no kitchen" follows from it.
            ctx.problems.extend(raw.problems)
        elif raw is not None and name == "changes":
            # Checks an extra meal against the residents' standing orders.
            built[name] = parse_changes(ctx, raw, built.get("residents", []))
        elif raw is not None:
            built[name] = reader(ctx, raw)
    _outliers(ctx)
    check_shift_limits(ctx)
    clinics = sorted(ctx.ids.get("clinic", set()))
    if len(clinics) > 1 and "campaign" not in tables and "sites" in tables:
        # plan_health_checks needs to know which clinic runs on each date when there are
        # several (Community.clinic_days); plan_week just plans no campaign.
        ctx.warnings.append(
            Message(
                N_(
                    "{source} has {count} clinics ({clinics}) and there is no campaign.csv, so "
                    "the health checks cannot be planned: carecal cannot tell which clinic runs "
                    "on which date; add campaign.csv with a row (date, clinic_id) for each "
                    "campaign day"
                ),
                source=tables["sites"].source,
                count=len(clinics),
                clinics=", ".join(clinics),
            )
        )
    if "volunteers" in built and "availability" in built:
        free = {a.volunteer_id for a in built.get("availability", [])}
        for v in built["volunteers"]:
            if v.volunteer_id not in free:
                ctx.warnings.append(
                    Message(
                        N_(
                            "volunteer {id} has no rows in availability.csv, so is never "
                            "planned; add the times they are free"
                        ),
                        id=v.volunteer_id,
                    )
                )
    for message in ctx.warnings:
        warn(message)
    if ctx.problems:
        raise CommunityError(sorted(ctx.problems, key=_file_order))
    try:
        return Community(**{name: tuple(objs) for name, objs in built.items()}, policy=ctx.policy)
    except CommunityError:
        raise
    except ValidationError as e:
        raise CommunityError(validation_sentences(e, "the community")) from None


_FILE_ORDER = (*INPUT_TABLES, "policy")


def _file_order(problem: str) -> int:
    """Sort problems by file, in the order of DESIGN section 4 (the sort is stable)."""
    for i, name in enumerate(_FILE_ORDER):
        if problem.startswith(name) or f" sheet {name} " in problem.split(":")[0]:
            return i
    return len(_FILE_ORDER)
