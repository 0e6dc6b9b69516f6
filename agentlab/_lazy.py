"""Lazy exports for a package whose names pull in heavy libraries (altair, anywidget,
pydantic): the package declares ``__all__`` and a name -> module table, and a name's
module is imported on first use.

>>> __getattr__, __dir__ = lazy_exports("agentlab.views", {"show": "agentlab.views.widgets"})
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, table: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``: each name loads from its module in
    ``table`` on first use (a name equal to its module's last part is that module)."""

    def __getattr__(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        imported = importlib.import_module(module)
        return imported if module.rsplit(".", 1)[-1] == name else getattr(imported, name)

    def __dir__() -> list[str]:
        return sorted(table)

    return __getattr__, __dir__
