"""The benchmark reader (Solomon text format), day-problem builder and independent evaluator."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from benchmarks.routing import report, run_one, sample
from benchmarks.vrptw import (
    BestKnown,
    InstanceFormatError,
    dimacs_matrix,
    evaluate,
    family_of,
    parse_bks,
    parse_routes,
    parse_solomon,
    read_bks,
    read_instance,
    to_day_problem,
)

SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"

TINY = """TINY1\r
\r
VEHICLE\r
NUMBER     CAPACITY\r
  2         10\r
\r
CUSTOMER\r
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\r
 \r
    0      0          0          0          0        100          0\r
    1      3          4          4          0         10          2\r
    2      6          8          5         10         30          2\r
    3      0          1          6          0         50          1\r
"""
"""A handwritten instance: depot at the origin, customers at distance 5, 10 and 1.

Two vehicles of capacity 10; demands 4, 5, 6, so no vehicle can carry all three.
Windows (x10): customer 1 [0, 100], 2 [100, 300], 3 [0, 500]; depot open until 1000.
Distances x10 (DIMACS): 0-1 50, 0-2 100, 0-3 10, 1-2 50, 1-3 42 (sqrt 18 = 4.24),
2-3 92 (sqrt 85 = 9.22).
"""


@pytest.fixture
def tiny():  # type: ignore[no-untyped-def]
    """The handwritten three-customer instance ``TINY``."""
    return parse_solomon(TINY)


def test_reads_the_blocks(tiny) -> None:  # type: ignore[no-untyped-def]
    assert tiny.name == "TINY1"
    assert (tiny.num_vehicles, tiny.capacity, tiny.num_customers) == (2, 10, 3)
    assert tiny.demand == (0, 4, 5, 6)
    assert tiny.ready == (0, 0, 10, 0) and tiny.due == (100, 10, 30, 50)
    assert tiny.service == (0, 2, 2, 1)


def test_dimacs_distances_are_truncated_tenths(tiny) -> None:  # type: ignore[no-untyped-def]
    m = dimacs_matrix(tiny)
    assert m[0, 1] == 50 and m[0, 2] == 100 and m[1, 2] == 50 and m[1, 3] == 42
    assert m[2, 3] == 92 and (m == m.T).all() and (np.diag(m) == 0).all()


def test_day_problem_scales_times_by_ten(tiny) -> None:  # type: ignore[no-untyped-def]
    p = to_day_problem(tiny)
    assert p.num_nodes == 4 and p.num_vehicles == 2
    assert list(p.tw_start) == [0, 0, 100, 0] and list(p.tw_end) == [1000, 100, 300, 500]
    assert list(p.service) == [0, 20, 20, 10]
    assert list(p.capacity) == [10, 10] and list(p.max_trips) == [1, 1]
    assert list(p.vehicle_start) == [0, 0] and list(p.vehicle_end) == [1000, 1000]
    assert p.max_ride is None and p.penalty is None and p.fixed_cost is None
    assert (p.travel[0] == dimacs_matrix(tiny)).all()


def test_feasible_route_set_is_accepted_with_its_cost(tiny) -> None:  # type: ignore[no-untyped-def]
    """Routes 1-2 (load 9) and 3 (load 6): 50 + 50 + 100 and 10 + 10."""
    verdict = evaluate(tiny, [[1, 2], [3]])
    assert verdict.feasible and verdict.violations == ()
    assert verdict.cost == 220 and verdict.distance == 22.0 and verdict.routes == 2


def test_late_arrival_is_rejected(tiny) -> None:  # type: ignore[no-untyped-def]
    """Customer 1 first (at 50) is in time; behind customer 2 (100 + 20 + 50 = 170) it is
    after its due date 100."""
    assert evaluate(tiny, [[1, 2], [3]]).feasible
    late = evaluate(tiny, [[2, 1], [3]])
    assert not late.feasible
    assert late.violations == (
        "route 1: service at customer 1 starts at 17, after its due date 10.",
    )


def test_overload_is_rejected(tiny) -> None:  # type: ignore[no-untyped-def]
    """Customers 1 and 3 load exactly 10 (accepted); all three load 15 (rejected)."""
    assert evaluate(tiny, [[1, 3], [2]]).feasible
    heavy = evaluate(tiny, [[1, 2, 3]])
    assert "route 1: load 15 exceeds capacity 10." in heavy.violations


def test_missing_twice_and_too_many_routes_are_rejected(tiny) -> None:  # type: ignore[no-untyped-def]
    missing = evaluate(tiny, [[1, 2]])
    assert not missing.feasible and any("not visited: 3" in v for v in missing.violations)
    twice = evaluate(tiny, [[1, 2], [3, 1]])
    assert any("customer 1 is visited twice" in v for v in twice.violations)
    many = evaluate(tiny, [[1], [2], [3]])
    assert any("3 routes but only 2 vehicles" in v for v in many.violations)
    depot = evaluate(tiny, [[0, 1, 2], [3]])
    assert any("node 0 is not a customer" in v for v in depot.violations)


@pytest.mark.parametrize(("closes", "feasible"), [(24, True), (23, False)])
def test_return_after_the_depot_closes_is_rejected(closes: int, feasible: bool) -> None:
    """Route 1 -> 2 is back at the depot at 24 (x10 = 240)."""
    inst = parse_solomon(TINY.replace("0        100          0", f"0         {closes}          0"))
    assert inst.due[0] == closes
    verdict = evaluate(inst, [[1, 2], [3]])
    assert verdict.feasible is feasible
    if not feasible:
        assert verdict.violations == ("route 1: back at the depot at 24, after it closes at 23.",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        (TINY.replace("VEHICLE", "FLEET"), "no VEHICLE line"),
        (TINY.replace("  2         10", "  2"), "NUMBER CAPACITY"),
        (TINY.replace("    3      0          1          6", "    3      0          1"), "7 fields"),
        (TINY.replace("    3      0   ", "    4      0   "), "numbered 0, 1, 2"),
        (TINY.replace("    2      6          8", "    2      6          x8"), "must be a number"),
    ],
    ids=["empty", "no-vehicle-block", "fleet-row-short", "row-short", "misnumbered", "junk"],
)
def test_malformed_text_is_refused(text: str, message: str) -> None:
    with pytest.raises(InstanceFormatError, match=message):
        parse_solomon(text, source="bad.txt")


def test_families() -> None:
    assert [family_of(n) for n in ("C101", "R211", "RC108", "rc2_10_1", "C1_2_3")] == [
        "C1",
        "R2",
        "RC1",
        "RC2",
        "C1",
    ]


def test_bks_table_and_route_file() -> None:
    table = parse_bks(
        "instance,vehicles,distance,distance_x10_int\nC101,10,827.3,8273\nr101,20,1637.7,16377\n"
    )
    assert table["C101"] == BestKnown("C101", 10, 8273) and table["R101"].cost == 16377
    assert parse_routes("Route #1: 1 2\nRoute #2: 3\nCost 22.0\n") == [[1, 2], [3]]


def test_plain_ortools_baseline_solves_the_tiny_instance(tiny) -> None:  # type: ignore[no-untyped-def]
    row = run_one("tiny", tiny, BestKnown("TINY1", 2, 220), "plain-ortools", 1.0, 0)
    assert row.feasible and row.cost == 220 and row.gap_pct == 0.0
    table = report([row])
    assert re.search(r"\| TINY1 \| 22\.0 \| 22\.0 \(\+0\.00, \d+\) \|", table)


def test_sample_spreads_over_groups() -> None:
    names = [f"{g}_2_{i}" for g in ("C1", "C2", "R1") for i in range(1, 11)]
    picked = [p.stem for p in sample([Path(n + ".txt") for n in names], 4)]
    assert picked == ["C1_2_1", "C1_2_6", "C2_2_1", "R1_2_1"]


@pytest.mark.skipif(not SHARED.exists(), reason="shared benchmark data not on this machine")
@pytest.mark.parametrize("name", ["C101", "R208", "RC105"])
def test_best_known_route_sets_evaluate_to_the_table(name: str) -> None:
    inst = read_instance(SHARED / "solomon" / f"{name}.txt")
    routes = parse_routes((SHARED / "solomon" / "solutions" / "dimacs" / f"{name}.sol").read_text())
    verdict = evaluate(inst, routes)
    assert verdict.feasible
    assert verdict.cost == read_bks(SHARED / "solomon" / "bks_dimacs.csv")[name].cost
