"""Committed notebooks open rendered and unmodified in JupyterLab, without running.

A notebook opened fresh from a clone is untrusted: JupyterLab shows no SVG, no
JavaScript and no widget view of it, and sanitizes its HTML. So every rich output needs
a representation it does show (PNG beside a chart's SVG, a styled HTML snapshot beside
a widget view), and the file must already be in the form JupyterLab saves, so closing an
unedited notebook asks nothing.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from agentlab.export.notebook_format import KERNELSPEC, normalize

FOLDER = Path(__file__).resolve().parent.parent / "notebooks"
ALL = sorted(p for p in FOLDER.rglob("[0-9][0-9]_*.ipynb") if ".ipynb_checkpoints" not in p.parts)
SAFE = {"image/png", "image/jpeg", "image/gif", "text/html", "text/markdown", "text/latex"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(FOLDER)))
def test_every_rich_output_has_a_representation_untrusted_jupyterlab_shows(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for number, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            where = f"{path.name} cell {number} ({cell.get('id')})"
            if "image/svg+xml" in data:
                assert "image/png" in data, f"{where}: an SVG chart without its PNG"
            if WIDGET_VIEW in data or "application/javascript" in data:
                assert SAFE & set(data), f"{where}: a widget or script with no static fallback"
            html = data.get("text/html", "")
            if "al-snap" in html:
                assert "class='al-snap' style=" in html, f"{where}: snapshot without inline styles"
            assert "alt.LayerChart(" not in data.get("text/plain", "") or SAFE & set(data), where


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(FOLDER)))
def test_committed_notebook_is_in_the_form_jupyterlab_saves(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    assert nb.metadata.get("kernelspec") == KERNELSPEC
    assert all(cell.get("id") for cell in nb.cells)
    assert nbformat.writes(normalize(nb)) + "\n" == text, f"{path.name}: run make notebooks"


def test_normalize_gives_stable_ids_and_drops_run_metadata() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("1"), nbformat.v4.new_markdown_cell("# t")]
    nb.cells[0].metadata["execution"] = {"iopub.status.busy": "2026-01-01"}
    nb.metadata["widgets"] = {"state": {}}
    nb.cells[1]["id"] = nb.cells[0]["id"]  # a duplicate id gets a new one
    nb.nbformat_minor = 4
    once = normalize(nb)
    ids = [c.id for c in once.cells]
    assert len(set(ids)) == 2 and "execution" not in once.cells[0].metadata
    assert "widgets" not in once.metadata and once.nbformat_minor == 5
    assert nbformat.writes(normalize(once)) == nbformat.writes(once)  # idempotent
    nbformat.validate(once)
