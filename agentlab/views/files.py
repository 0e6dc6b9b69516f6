"""Where the widgets' front-end files are: ``agentlab/_widgets`` in a wheel, the
top-level ``widgets/`` folder in a source checkout (editable install)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["widget_file"]


def widget_file(name: str) -> Path:
    """A front-end file of the widgets: ``agentlab/_widgets`` in a wheel, ``widgets/`` in a
    source checkout (editable install)."""
    here = Path(__file__).resolve().parent
    for package in (here, here.parent):  # agentlab/views/ or agentlab/
        for folder in (package / "_widgets", package.parent / "widgets"):
            if (folder / name).is_file():
                return folder / name
    raise FileNotFoundError(f"agentlab's widget file {name!r} is missing; reinstall agentlab-kit")
