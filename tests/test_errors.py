"""One exception family: every error carecal raises on purpose is a CarecalError.

The first tests make each kind of error happen for real (a missing folder, a malformed
plan file, a wrong argument) and catch it as ``carecal.CarecalError``; the last one reads
the source of every module and fails on any exception class outside the family.
"""

from __future__ import annotations

import ast
import builtins
import datetime as dt
from pathlib import Path

import pytest

import carecal
from carecal.clock import parse_date, parse_time, parse_weekday
from carecal.io.schema import OUTPUT_TABLES
from carecal.travel import travel_minutes

PACKAGE = Path(carecal.__file__).parent


@pytest.fixture(scope="module")
def community() -> carecal.Community:
    """The bundled sample community (320 residents, ids R0001..., V001...)."""
    return carecal.sample_community()


def test_a_missing_folder_is_a_community_error_caught_as_carecal_error(tmp_path):
    with pytest.raises(carecal.CarecalError) as info:
        carecal.read_community(tmp_path / "no-such-folder")
    assert type(info.value) is carecal.CommunityError
    assert "does not exist" in info.value.problems[0]


def test_a_malformed_plan_file_is_a_plan_file_error_caught_as_carecal_error(tmp_path, community):
    header = ",".join(OUTPUT_TABLES["meal_routes"].column_names)
    row = "2026-03-02,V001,1,1,R0001,25:99,11:10,1,,10,5"
    (tmp_path / "meal_routes.csv").write_text(f"{header}\n{row}\n", encoding="utf-8")
    with pytest.raises(carecal.CarecalError) as info, pytest.warns(carecal.CarecalWarning):
        carecal.read_plan(tmp_path, community)
    assert type(info.value) is carecal.PlanFileError
    assert any("row 2, column arrival" in p for p in info.value.problems)


def test_a_wrong_argument_is_an_option_error_caught_as_carecal_error(tmp_path, community):
    with pytest.raises(carecal.CarecalError) as info:
        carecal.write_plan(object(), tmp_path, community)
    assert type(info.value) is carecal.OptionError


def test_every_carecal_error_is_still_a_value_error():
    """Code written against 0.1 caught ValueError; it must keep catching them all."""
    for cls in (carecal.CommunityError, carecal.PlanFileError, carecal.OptionError):
        assert issubclass(cls, carecal.CarecalError)
        assert issubclass(cls, ValueError)
    assert issubclass(carecal.ExtraMissingError, ImportError)
    assert issubclass(carecal.CarecalWarning, UserWarning)


@pytest.mark.parametrize(
    ("parse", "text", "words"),
    [
        (parse_time, "9h30", "HH:MM"),
        (parse_time, "25:00", "00:00 to 24:00"),
        (parse_date, "2026-02-30", "YYYY-MM-DD"),
        (parse_weekday, "Funday", "not a weekday"),
    ],
)
def test_a_malformed_value_is_a_community_error(parse, text, words):
    with pytest.raises(carecal.CommunityError, match=words):
        parse(text)


def test_the_reader_still_catches_a_malformed_cell_per_cell(tmp_path, community):
    """parse_time raises CommunityError now; the cell reader must still turn it into one
    sentence with file, row and column, and go on to report the other rows."""
    carecal.write_community(community, tmp_path)
    sites = (tmp_path / "sites.csv").read_text(encoding="utf-8-sig").splitlines()
    header = sites[0].split(",")
    cells = sites[1].split(",")
    cells[header.index("open")] = "8h00"
    sites[1] = ",".join(cells)
    (tmp_path / "sites.csv").write_text("\n".join(sites) + "\n", encoding="utf-8")
    with pytest.raises(carecal.CommunityError) as info:
        carecal.read_community(tmp_path)
    assert any("sites.csv row 2" in p and "column open" in p for p in info.value.problems), (
        info.value.problems
    )


def test_travel_errors_name_the_place_or_the_mode(community):
    kitchen = community.kitchen.site_id
    with pytest.raises(carecal.CommunityError, match="NOWHERE"):
        travel_minutes(community, [kitchen, "NOWHERE"], "walk")
    with pytest.raises(carecal.OptionError, match="teleport"):
        travel_minutes(community, [kitchen], "teleport")


def test_an_unknown_column_is_an_option_error():
    with pytest.raises(carecal.OptionError, match=r"meal_routes\.csv has no column nose"):
        OUTPUT_TABLES["meal_routes"].column("nose")


def test_a_planner_date_argument_is_an_option_error():
    from carecal.model import coerce_date

    with pytest.raises(carecal.OptionError, match="start"):
        coerce_date("next Monday", "start")
    assert coerce_date("2026-03-02") == dt.date(2026, 3, 2)


# --- every exception class in the package -------------------------------------------------


def _exception_classes(root: Path) -> dict[str, tuple[str, list[str]]]:
    """Every class under ``root`` whose bases are exceptions: ``file:name`` -> (name, bases).

    A base counts as an exception when it is a built-in exception or, by name, another
    exception class found (so ``class X(CommunityError)`` is found too).
    """
    classes: dict[str, tuple[str, list[str]]] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = [ast.unparse(b).rsplit(".", 1)[-1] for b in node.bases]
                classes[f"{path.relative_to(root)}:{node.name}"] = (node.name, bases)
    exceptions = {
        name
        for name in dir(builtins)
        if isinstance(getattr(builtins, name), type)
        and issubclass(getattr(builtins, name), BaseException)
    }
    found: dict[str, tuple[str, list[str]]] = {}
    grew = True
    while grew:
        grew = False
        for key, (name, bases) in classes.items():
            if key not in found and any(b in exceptions for b in bases):
                found[key] = (name, bases)
                exceptions.add(name)
                grew = True
    return found


def _strays(root: Path) -> list[str]:
    """Public exception classes under ``root`` outside the CarecalError family."""
    found = _exception_classes(root)
    bases_of = {name: bases for name, bases in found.values()}

    def in_family(name: str) -> bool:
        seen: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            if current == "CarecalError":
                return True
            if current not in seen:
                seen.add(current)
                todo.extend(bases_of.get(current, []))
        return False

    return sorted(
        key
        for key, (name, _) in found.items()
        if name != "CarecalWarning" and not name.startswith("_") and not in_family(name)
    )


def test_the_scan_tells_a_stray_from_the_family(tmp_path):
    """Guards the scan itself on a made-up package: a public ValueError subclass is a
    stray, even two levels down; a private one and a CommunityError subclass are not."""
    (tmp_path / "errors.py").write_text(
        "class CarecalError(ValueError): ...\nclass CommunityError(CarecalError): ...\n"
    )
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "m.py").write_text(
        "import carecal.errors\n"
        "class BadError(ValueError): ...\n"
        "class WorseError(BadError): ...\n"
        "class _Private(KeyError): ...\n"
        "class Fine(carecal.errors.CommunityError): ...\n"
        "class NotAnError: ...\n"
    )
    assert _strays(tmp_path) == ["sub/m.py:BadError", "sub/m.py:WorseError"]


def test_every_exception_class_derives_from_carecal_error_or_is_private():
    found = {key.rsplit(":", 1)[1] for key in _exception_classes(PACKAGE)}
    assert {"CarecalError", "CommunityError", "OptionError", "_CellError"} <= found
    strays = _strays(PACKAGE)
    assert not strays, f"exception classes outside the CarecalError family: {strays}"
