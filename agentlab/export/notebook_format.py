"""Notebooks in the form JupyterLab saves them, so opening and saving one changes nothing.

``make notebooks`` runs this after executing: nbformat 4.5 with a stable id on every
cell, the kernelspec JupyterLab's ``python3`` kernel writes, no stored widget state, no
execution timings, and the file written as JupyterLab writes it (nbformat's JSON: one
space indent, sorted keys, a final newline).

>>> python -m agentlab.export.notebook_format notebooks/*.ipynb   # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

__all__ = ["KERNELSPEC", "normalize", "normalize_file"]

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
_RUN_METADATA = ("execution", "collapsed", "scrolled")


def normalize(nb: Any) -> Any:
    """The notebook node in JupyterLab's saved form (changed in place and returned).

    >>> nb = normalize(nbformat.read("notebooks/00_tour.ipynb", as_version=4))  # doctest: +SKIP
    """
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    seen: set[str] = set()
    for number, cell in enumerate(nb.cells):
        cell_id = cell.get("id")
        if not cell_id or cell_id in seen:
            digest = hashlib.sha1(f"{number}:{cell.source}".encode()).hexdigest()
            cell_id = digest[:8]
        cell["id"] = cell_id
        seen.add(cell_id)
        for key in _RUN_METADATA:
            cell.metadata.pop(key, None)
    return nb


def normalize_file(path: str | Path) -> bool:
    """Normalize one ``.ipynb`` file in place; True when it changed."""
    import nbformat

    path = Path(path)
    before = path.read_text(encoding="utf-8")
    nb = normalize(nbformat.reads(before, as_version=4))  # type: ignore[no-untyped-call]
    after = nbformat.writes(nb)  # type: ignore[no-untyped-call]
    after += "" if after.endswith("\n") else "\n"
    if after == before:
        return False
    path.write_text(after, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    """``python -m agentlab.export.notebook_format FILE...``: what ``make notebooks`` runs."""
    for name in sys.argv[1:] if argv is None else argv:
        if normalize_file(name):
            print(f"normalized {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
