"""The example notebooks run top to bottom on the bundled sample, so they never rot.

Each notebook of ``examples/notebooks/`` is executed by a real Jupyter kernel (nbclient,
ipykernel's ``python3``) in a temporary folder, with the time limit of its ``parameters``
cell lowered as papermill would, and fails on any cell error or anything written to
stderr (a warning in a notebook is a defect a user sees). A few outputs are then checked:
the plan's card, a drawn figure, the comparison summaries, the written plan folder.

The kernel is the ``python3`` of the environment running the tests (ipykernel installs
its kernelspec there; a user-wide ``python3`` kernelspec pointing at another Python is
passed over), and it imports carecal from this repository: its ``PYTHONPATH`` starts with
the repository root, whichever install of carecal the environment holds.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import nbclient
import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "examples" / "notebooks"

TIME_LIMIT = 1
"""Seconds per plan in the executed notebooks (their own defaults may be longer)."""
CELL_TIMEOUT = 120
"""Seconds one cell may take before the run fails: far above what any cell needs."""


@pytest.fixture(autouse=True)
def _this_environments_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Find the ``python3`` kernelspec of this environment before any user-wide one."""
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "1")


def _kernel_env() -> dict[str, str]:
    """The test's environment with this repository first on the kernel's import path."""
    env = dict(os.environ)
    paths = [str(ROOT), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    # The kernel's own inline backend must draw the figures; a backend chosen for the test
    # run (Agg) would leave the map cell without an image.
    env.pop("MPLBACKEND", None)
    return env


def _with_parameters(nb: Any, **values: object) -> None:
    """Append assignments to the cell tagged ``parameters`` (as papermill injects them)."""
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, "each notebook has one cell tagged 'parameters'"
    assigned = "\n".join(f"{name} = {value!r}" for name, value in values.items())
    for name in values:
        assert f"{name} = " in cells[0].source, f"the parameters cell sets {name}"
    cells[0].source += f"\n# injected by tests/test_notebooks.py\n{assigned}\n"


def _run(name: str, tmp_path: Path) -> Any:
    """Execute one notebook in ``tmp_path`` with a short time limit; return it executed."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name} is stored with outputs; clear them"
    _with_parameters(nb, TIME_LIMIT=TIME_LIMIT)
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute(env=_kernel_env())
    return nb


def _outputs(nb: Any) -> list[Any]:
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]


def _texts(nb: Any, mime: str) -> list[str]:
    """Every output of the given MIME type, printed streams counting as ``text/plain``."""
    found = []
    for out in _outputs(nb):
        if out.output_type == "stream" and mime == "text/plain":
            found.append(out.text)
        elif out.output_type in ("execute_result", "display_data") and mime in out.data:
            found.append(out.data[mime])
    return found


def _no_stderr(nb: Any) -> None:
    errors = [o.text for o in _outputs(nb) if o.output_type == "stream" and o.name == "stderr"]
    assert errors == [], f"the notebook wrote to stderr: {errors}"


def test_kernel_is_this_environment_and_repository(tmp_path: Path) -> None:
    """The notebooks' kernel runs this environment's Python and imports this checkout."""
    source = "import sys\nimport carecal\nprint(sys.prefix)\nprint(carecal.__file__)"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute(env=_kernel_env())
    prefix, module = nb.cells[0].outputs[0].text.split()
    assert Path(prefix).resolve() == Path(sys.prefix).resolve()
    assert Path(module).resolve().is_relative_to(ROOT / "carecal")


def test_plan_a_day(tmp_path: Path) -> None:
    nb = _run("plan_a_day.ipynb", tmp_path)
    _no_stderr(nb)
    html = "\n".join(_texts(nb, "text/html"))
    assert 'class="carecal-card"' in html
    assert "MealPlan 2027-03-01" in html  # the plan's card, not only the community's
    assert _texts(nb, "image/png"), "the route map drew no figure"
    text = "\n".join(_texts(nb, "text/plain"))
    assert "<Community: 320 residents" in text
    assert "Objective terms:" in text  # plan.explain()
    assert "carriers_busy" in text  # the unserved of two carriers, grouped by code
    written = tmp_path / "out" / "meals"
    assert (written / "meal_routes.csv").is_file()
    assert (written / "manifest.json").is_file()


def test_what_if(tmp_path: Path) -> None:
    nb = _run("what_if.ipynb", tmp_path)
    _no_stderr(nb)
    text = "\n".join(_texts(nb, "text/plain"))
    assert text.count("Comparing two MealPlans") == 2  # the drop-out and the food limit
    assert "Comparing two CampaignPlans" in text  # the extra morning
    assert "without them" in text
    # The extra morning is a fourth campaign day in the changed community's table.
    assert "2027-03-04" in text
    # The stricter plan keeps every meal within the new limit.
    food = [t for t in _texts(nb, "text/plain") if "max_food_minutes=30" in t]
    assert food, "the food-age cell printed nothing"
    limit = int(food[-1].rsplit(":", 1)[1].strip(" }\n'"))
    assert limit <= 30


def test_every_notebook_is_executed_here() -> None:
    """A notebook added to examples/notebooks/ gets its own test above, so it cannot rot."""
    tested = {"plan_a_day.ipynb", "what_if.ipynb"}
    assert {p.name for p in NOTEBOOKS.glob("*.ipynb")} == tested
