"""The verifier package as a whole: its layering and the entry that takes any plan."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import carecal
from carecal.datasets import sample_community
from carecal.errors import OptionError
from carecal.verify import verify

# carecal.verify is the function (carecal/__init__ binds it), so find the package by path.
VERIFY_DIR = Path(carecal.__file__).parent / "verify"
FORBIDDEN = ("carecal.solver", "ortools")
"""What the verifier must not import: it re-checks the solvers, so it cannot share their code."""


def imported_modules(source: str, package: str) -> set[str]:
    """Every module an ``import`` in ``source`` names, relative ones resolved against ``package``.

    ``from a import b`` counts as both ``a`` and ``a.b``, since ``b`` may be a submodule
    (``from carecal import solver``).
    """
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".")
            base = parts[: len(parts) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def is_forbidden(module: str) -> bool:
    return any(module == f or module.startswith(f + ".") for f in FORBIDDEN)


def test_the_import_check_sees_every_way_of_importing_the_solver() -> None:
    """The check below would fail on any of these, so its passing means something."""
    for source in (
        "import carecal.solver.meals",
        "from carecal.solver import plan_meals",
        "from carecal import solver",
        "from ..solver.cpsat import solve",
        "from .. import solver",
        "def f():\n    from ortools.sat.python import cp_model\n",
    ):
        assert any(map(is_forbidden, imported_modules(source, "carecal.verify"))), source
    assert not any(
        map(is_forbidden, imported_modules("from carecal import model", "carecal.verify"))
    )


def test_no_verifier_module_imports_the_solver() -> None:
    files = sorted(VERIFY_DIR.glob("*.py"))
    assert {"meals.py", "campaign.py", "shifts.py", "week.py"} <= {f.name for f in files}
    for path in files:
        modules = imported_modules(path.read_text(encoding="utf-8"), "carecal.verify")
        assert not sorted(filter(is_forbidden, modules)), path.name


def test_verify_refuses_what_is_not_a_plan() -> None:
    with pytest.raises(OptionError, match="MealPlan, CampaignPlan, ShiftPlan or WeekPlan"):
        verify(sample_community(), "not a plan")  # type: ignore[arg-type]
