"""Solomon and Gehring & Homberger VRPTW instances: reader, day-problem builder, evaluator.

The instances are the classic text format (name, ``VEHICLE`` block with ``NUMBER CAPACITY``,
``CUSTOMER`` block with one row per node: id, x, y, demand, ready time, due date, service
time; node 0 is the depot). Parsing text is kept apart from opening files, so tests feed
strings.

Everything is in the DIMACS 2021 / CVRPLIB convention that the distance-only best-known
tables (``bks_dimacs.csv``) use: the length of an edge is ``floor(10 * euclid)``, used both
as its cost and its travel time, and ready times, due dates and service times are scaled by
10 to match. Costs are therefore integers ten times the tabulated distances.

The evaluator here re-checks a route set from the instance alone (every customer exactly
once, capacity, time windows, back at the depot before it closes) and recomputes its cost.
It shares no code with any engine: a benchmark never trusts the solver it measures.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from carecal.solver.meals.problem import DayProblem, IntArray

SCALE = 10
"""Factor applied to distances, times and service durations (DIMACS convention)."""


@dataclass(frozen=True)
class VrptwInstance:
    """One VRPTW instance as read from the file, in the file's own units.

    Attributes
    ----------
    name
        Instance name, upper case (``C101``, ``RC1_2_1``).
    num_vehicles, capacity
        The ``VEHICLE`` block: fleet size and the capacity of every vehicle.
    x, y, demand, ready, due, service
        Per node, node 0 the depot: coordinates, demand, earliest and latest start of
        service, and service duration.
    """

    name: str
    num_vehicles: int
    capacity: int
    x: tuple[int, ...]
    y: tuple[int, ...]
    demand: tuple[int, ...]
    ready: tuple[int, ...]
    due: tuple[int, ...]
    service: tuple[int, ...]

    @property
    def num_customers(self) -> int:
        """Nodes other than the depot."""
        return len(self.x) - 1

    @property
    def family(self) -> str:
        """Solomon family of the instance: ``C1``, ``C2``, ``R1``, ``R2``, ``RC1`` or ``RC2``.

        Gehring & Homberger names carry the same prefix (``RC1_2_1`` is family ``RC1``).
        """
        return family_of(self.name)


def family_of(name: str) -> str:
    """Solomon family of an instance name: ``C101`` -> ``C1``, ``RC2_2_5`` -> ``RC2``."""
    name = name.upper()
    if "_" in name:
        return name.split("_")[0]
    letters = name.rstrip("0123456789")
    return letters + name[len(letters) : len(letters) + 1]


class InstanceFormatError(ValueError):
    """A benchmark file does not follow the Solomon text format."""


def parse_solomon(text: str, *, source: str = "<text>") -> VrptwInstance:
    """Read one instance from Solomon / Gehring & Homberger text.

    Parameters
    ----------
    text
        The whole file content (any line endings).
    source
        Where the text came from, for error messages.

    Returns
    -------
    VrptwInstance
        The instance in file units.

    Raises
    ------
    InstanceFormatError
        When a block is missing or a row does not have seven integer fields.
    """
    lines = [line.strip() for line in text.splitlines()]
    nonblank = [(i, line) for i, line in enumerate(lines) if line]
    if not nonblank:
        raise InstanceFormatError(f"{source}: the file is empty; expected a Solomon instance.")
    name = nonblank[0][1].upper()

    vehicle_at = _find_keyword(nonblank, "VEHICLE", source)
    customer_at = _find_keyword(nonblank, "CUSTOMER", source)
    fleet_rows = [
        (i, line)
        for i, line in nonblank
        if vehicle_at < i < customer_at and line.split()[0].isdigit()
    ]
    if len(fleet_rows) != 1 or len(fleet_rows[0][1].split()) != 2:
        raise InstanceFormatError(
            f"{source}: the VEHICLE block must hold one row 'NUMBER CAPACITY' "
            "(two integers, e.g. '25 200')."
        )
    num_vehicles, capacity = (int(v) for v in fleet_rows[0][1].split())

    rows: list[list[int]] = []
    for i, line in nonblank:
        if i <= customer_at or not line[0].isdigit():
            continue
        fields = line.split()
        if len(fields) != 7:
            raise InstanceFormatError(
                f"{source} line {i + 1}: expected 7 fields (id x y demand ready due service), "
                f"found {len(fields)}: {line!r}."
            )
        try:
            rows.append([int(float(v)) for v in fields])
        except ValueError:
            raise InstanceFormatError(
                f"{source} line {i + 1}: every field must be a number: {line!r}."
            ) from None
    if not rows:
        raise InstanceFormatError(f"{source}: the CUSTOMER block has no rows.")
    for expected, row in enumerate(rows):
        if row[0] != expected:
            raise InstanceFormatError(
                f"{source}: customer rows must be numbered 0, 1, 2, ... in order; "
                f"row {expected + 1} of the block has number {row[0]}."
            )
    cols = list(zip(*rows, strict=True))
    return VrptwInstance(
        name=name,
        num_vehicles=num_vehicles,
        capacity=capacity,
        x=cols[1],
        y=cols[2],
        demand=cols[3],
        ready=cols[4],
        due=cols[5],
        service=cols[6],
    )


def _find_keyword(nonblank: list[tuple[int, str]], word: str, source: str) -> int:
    for i, line in nonblank:
        if line.upper().startswith(word):
            return i
    raise InstanceFormatError(f"{source}: no {word} line; is this a Solomon-format instance?")


def read_instance(path: str | Path) -> VrptwInstance:
    """Open and parse one instance file (see :func:`parse_solomon`)."""
    path = Path(path)
    inst = parse_solomon(path.read_text(encoding="utf-8"), source=str(path))
    # Homberger files keep a lower-case first line; the file name is the canonical name.
    return _renamed(inst, path.stem.upper())


def _renamed(inst: VrptwInstance, name: str) -> VrptwInstance:
    return VrptwInstance(
        name=name,
        num_vehicles=inst.num_vehicles,
        capacity=inst.capacity,
        x=inst.x,
        y=inst.y,
        demand=inst.demand,
        ready=inst.ready,
        due=inst.due,
        service=inst.service,
    )


def dimacs_matrix(inst: VrptwInstance) -> IntArray:
    """Edge lengths ``floor(10 * euclid)`` as an integer matrix (cost and travel time)."""
    xy = np.column_stack([np.asarray(inst.x, dtype=np.float64), np.asarray(inst.y, np.float64)])
    diff = xy[:, None, :] - xy[None, :, :]
    dist = np.sqrt((diff**2).sum(axis=2))
    return np.floor(SCALE * dist).astype(np.int64)


def to_day_problem(inst: VrptwInstance) -> DayProblem:
    """The instance as the day problem carecal's engines solve.

    Depot node 0 is the kitchen, customers are deliveries with windows, service times and
    demands, vehicles are carriers with one trip each; one travel profile whose matrix is
    both cost and time; no fixed cost (distance-only objective) and no penalty (every
    customer must be served). Times are scaled by 10 (DIMACS convention).
    """
    n_veh = inst.num_vehicles
    ints = np.int64
    return DayProblem(
        travel=(dimacs_matrix(inst),),
        vehicle_profile=np.zeros(n_veh, dtype=ints),
        demand=np.asarray(inst.demand, dtype=ints),
        service=SCALE * np.asarray(inst.service, dtype=ints),
        tw_start=SCALE * np.asarray(inst.ready, dtype=ints),
        tw_end=SCALE * np.asarray(inst.due, dtype=ints),
        capacity=np.full(n_veh, inst.capacity, dtype=ints),
        vehicle_start=np.full(n_veh, SCALE * inst.ready[0], dtype=ints),
        vehicle_end=np.full(n_veh, SCALE * inst.due[0], dtype=ints),
        max_trips=np.ones(n_veh, dtype=ints),
        max_ride=None,
        fixed_cost=None,
        penalty=None,
        labels=tuple(str(i) for i in range(len(inst.x))),
    )


@dataclass(frozen=True)
class Evaluation:
    """The evaluator's verdict on one route set.

    ``cost`` is the DIMACS cost times 10 (an integer), recomputed from the instance;
    ``violations`` lists every broken rule in words (empty when ``feasible``).
    """

    feasible: bool
    cost: int
    routes: int
    violations: tuple[str, ...] = field(default_factory=tuple)

    @property
    def distance(self) -> float:
        """The cost in the tables' unit (one decimal)."""
        return self.cost / SCALE


def _edge(inst: VrptwInstance, a: int, b: int) -> int:
    """``floor(10 * euclid)`` computed exactly with integer square roots."""
    dx = inst.x[a] - inst.x[b]
    dy = inst.y[a] - inst.y[b]
    return math.isqrt(SCALE * SCALE * (dx * dx + dy * dy))


def evaluate(inst: VrptwInstance, routes: Iterable[Sequence[int]]) -> Evaluation:
    """Check a route set against the instance and recompute its cost.

    Parameters
    ----------
    inst
        The instance.
    routes
        Customer sequences, depot excluded at both ends; empty routes are ignored.

    Returns
    -------
    Evaluation
        Feasibility (every customer exactly once, at most ``num_vehicles`` routes,
        capacity, service started by each due date, back at the depot by its due date)
        and the cost in DIMACS units times 10.
    """
    used = [list(r) for r in routes if len(r) > 0]
    problems: list[str] = []
    n = inst.num_customers
    seen: dict[int, int] = {}
    for r_idx, route in enumerate(used, start=1):
        for c in route:
            if not 1 <= c <= n:
                problems.append(f"route {r_idx}: node {c} is not a customer (1..{n}).")
                continue
            if c in seen:
                problems.append(f"customer {c} is visited twice (routes {seen[c]} and {r_idx}).")
            seen[c] = r_idx
    missing = [c for c in range(1, n + 1) if c not in seen]
    if missing:
        shown = ", ".join(map(str, missing[:10])) + (" ..." if len(missing) > 10 else "")
        problems.append(f"{len(missing)} customers are not visited: {shown}.")
    if len(used) > inst.num_vehicles:
        problems.append(f"{len(used)} routes but only {inst.num_vehicles} vehicles.")

    total = 0
    for r_idx, route in enumerate(used, start=1):
        valid = [c for c in route if 1 <= c <= n]
        load = sum(inst.demand[c] for c in valid)
        if load > inst.capacity:
            problems.append(f"route {r_idx}: load {load} exceeds capacity {inst.capacity}.")
        time = SCALE * inst.ready[0]
        prev = 0
        for c in valid:
            leg = _edge(inst, prev, c)
            total += leg
            time = max(time + leg, SCALE * inst.ready[c])
            if time > SCALE * inst.due[c]:
                problems.append(
                    f"route {r_idx}: service at customer {c} starts at {time / SCALE:g}, "
                    f"after its due date {inst.due[c]}."
                )
            time += SCALE * inst.service[c]
            prev = c
        leg = _edge(inst, prev, 0)
        total += leg
        time += leg
        if time > SCALE * inst.due[0]:
            problems.append(
                f"route {r_idx}: back at the depot at {time / SCALE:g}, "
                f"after it closes at {inst.due[0]}."
            )
    return Evaluation(
        feasible=not problems, cost=total, routes=len(used), violations=tuple(problems)
    )


def parse_routes(text: str) -> list[list[int]]:
    """Read a CVRPLIB ``.sol`` route file (``Route #k: c1 c2 ...`` lines)."""
    routes = []
    for line in text.splitlines():
        if line.strip().lower().startswith("route"):
            _, _, rest = line.partition(":")
            routes.append([int(v) for v in rest.split()])
    return routes


@dataclass(frozen=True)
class BestKnown:
    """One row of a ``bks_dimacs.csv`` table: vehicles and DIMACS cost times 10."""

    instance: str
    vehicles: int
    cost: int


def parse_bks(text: str) -> dict[str, BestKnown]:
    """Read a ``bks_dimacs.csv`` table (columns ``instance, vehicles, distance_x10_int``)."""
    table = {}
    for row in csv.DictReader(text.splitlines()):
        name = row["instance"].strip().upper()
        table[name] = BestKnown(name, int(row["vehicles"]), int(row["distance_x10_int"]))
    return table


def read_bks(path: str | Path) -> dict[str, BestKnown]:
    """Open and parse a ``bks_dimacs.csv`` table (see :func:`parse_bks`)."""
    return parse_bks(Path(path).read_text(encoding="utf-8"))
