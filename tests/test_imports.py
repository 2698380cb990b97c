"""``import carecal`` stays light, and the public API is all there when touched.

Each check runs in a fresh interpreter (``sys.executable``), because this test process has
long since imported pandas and OR-Tools for the other tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import carecal

ROOT = Path(carecal.__file__).parent.parent


def _run(code: str) -> str:
    """Run ``code`` in a new interpreter that imports carecal from this tree; its stdout."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_import_carecal_loads_neither_pandas_nor_ortools():
    out = _run("import carecal, sys; print('pandas' in sys.modules, 'ortools' in sys.modules)")
    assert out == "False False"


def test_the_light_subpackages_load_neither_pandas_nor_ortools():
    """The package itself, the verifier and the io schema are light too."""
    out = _run(
        "import carecal.io, carecal.io.schema, carecal.solver, carecal.verify.meals, sys; "
        "print('pandas' in sys.modules, 'ortools' in sys.modules)"
    )
    assert out == "False False"


def test_lazy_names_resolve_when_touched_and_load_their_library():
    out = _run(
        "import carecal, sys\n"
        "print(callable(carecal.read_community), 'pandas' in sys.modules, "
        "'ortools' in sys.modules)\n"
        "from carecal import plan_meals\n"
        "print(plan_meals is carecal.plan_meals, 'ortools' in sys.modules)\n"
    )
    assert out.splitlines() == ["True True False", "True True"]


def test_dir_lists_the_lazy_names_before_they_are_loaded():
    out = _run(
        "import carecal, sys\n"
        "names = dir(carecal)\n"
        "print('plan_meals' in names, 'read_community' in names, 'pandas' in sys.modules)"
    )
    assert out == "True True False"


def test_every_public_name_resolves():
    missing = [name for name in carecal.__all__ if not hasattr(carecal, name)]
    assert not missing
    assert set(carecal.__all__) <= set(dir(carecal))


def test_the_public_api_of_0_2():
    assert carecal.__version__ == "0.2.0"
    for name in (
        "CarecalError",
        "CommunityError",
        "PlanFileError",
        "OptionError",
        "CarecalWarning",
        "Plan",
        "ClinicDay",
        "ProgressEvent",
        "__version__",
    ):
        assert name in carecal.__all__
    assert carecal.PlanFileError is carecal.io.PlanFileError
    assert carecal.CarecalWarning is carecal.io.CarecalWarning


def test_an_unknown_name_is_an_attribute_error():
    assert not hasattr(carecal, "plan_mealz")


def test_verify_is_the_function_and_its_subpackage_still_imports():
    """``carecal.verify`` is both a package and the public function; the name must stay
    the function even after a submodule of the package is imported."""
    out = _run(
        "import carecal\n"
        "import carecal.verify.meals\n"
        "from carecal.verify.meals import verify_meals\n"
        "print(callable(carecal.verify), type(carecal.verify).__name__, verify_meals.__name__)\n"
    )
    assert out == "True function verify_meals"


def test_verify_checks_a_plan():
    """An empty meal plan on a Monday of the sample community leaves every order out."""
    community = carecal.sample_community()
    plan = carecal.MealPlan(date="2026-03-02", status=carecal.Status.OPTIMAL)
    violations = carecal.verify(community, plan)
    assert violations
    assert all(isinstance(v, carecal.Violation) for v in violations)
    assert {v.rule for v in violations} == {"delivery_once"}


def test_plot_is_reached_from_the_package_without_loading_matplotlib_first():
    """``import carecal`` then ``carecal.plot.route_map``: the submodule loads when touched."""
    import subprocess
    import sys

    code = (
        "import sys, carecal\n"
        "assert 'matplotlib' not in sys.modules\n"
        "assert callable(carecal.plot.route_map)\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "ok", done.stderr
