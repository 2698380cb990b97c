"""Names a package exports but imports only when first touched (PEP 562).

``import carecal`` must stay quick, yet ``carecal.read_community`` (pandas) and
``carecal.plan_meals`` (OR-Tools) must be there when asked for. A package lists its
lazy names under the module defining them and installs the two hooks made here::

    if not TYPE_CHECKING:
        __getattr__, __dir__ = lazy_exports(
            __name__, {"carecal.io.read": ("read_community",)}, __all__
        )

Type checkers and IDEs see the names through an ``if TYPE_CHECKING:`` block of plain
imports in the same package; the hooks are hidden from them, since a module
``__getattr__`` would make them take any attribute (a typo too) as valid.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def lazy_exports(
    package: str,
    lazy: Mapping[str, Iterable[str]],
    public: Iterable[str],
    submodules: Iterable[str] = (),
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` of ``package`` for its lazy names.

    Parameters
    ----------
    package
        The package's ``__name__``.
    lazy
        Each module (dotted path) and the names it defines that the package exports.
    public
        The package's ``__all__``: listed by ``dir()`` even before being imported.
    submodules
        Submodules reached as attributes (``carecal.plot`` after ``import carecal``),
        imported when first touched.

    Returns
    -------
    tuple
        ``(__getattr__, __dir__)`` to bind at the package's top level.
    """
    names = frozenset(public) | frozenset(submodules)
    module_of = {name: module for module, defined in lazy.items() for name in defined}
    attached = frozenset(submodules)

    def __getattr__(name: str) -> Any:
        if name in attached:
            return importlib.import_module(f"{package}.{name}")
        module = module_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        # Kept in the package, so the next look-up is an ordinary attribute.
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | names)

    return __getattr__, __dir__
