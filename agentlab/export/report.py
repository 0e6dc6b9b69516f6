"""Notebook reports: execute notebooks and write offline HTML (``make report``).

Widget state is not stored, so every run viewer shows its static snapshot
(``agentlab.views.snapshot``) offline, and charts are inline SVG.

>>> export_notebooks("notebooks", "reports")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

from agentlab.errors import ConfigError


def export_notebooks(
    source: str | Path = "notebooks", out: str | Path = "reports", *, timeout: int = 600
) -> list[Path]:
    """Execute every ``*.ipynb`` in ``source`` and write ``<out>/<name>.html`` (``make report``).

    Widget state is not stored, so run viewers show their static snapshots and the
    reports work offline. Returns the written files; a failing cell (unless tagged
    ``raises-exception``) stops with a RuntimeError naming the notebook.

    >>> export_notebooks("notebooks", "reports")  # doctest: +SKIP
    """
    try:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError
        from nbconvert import HTMLExporter
    except ImportError as exc:
        raise ConfigError(
            f"writing reports needs {exc.name}: pip install 'agentlab-kit[notebook]'"
        ) from exc

    source, out = Path(source), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="agentlab-kernels-") as sockets:
        for path in sorted(source.glob("*.ipynb")):
            notebook = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
            client = NotebookClient(
                notebook,
                config=_kernel_config(sockets),
                timeout=timeout,
                kernel_name="python3",
                store_widget_state=False,
                resources={"metadata": {"path": str(path.parent)}},
            )
            try:
                client.execute()
            except CellExecutionError as exc:
                problem = f"{path}: a cell failed, so no report was written\n{exc}"
                raise RuntimeError(problem) from exc
            written.append(_write_html(notebook, path, out, HTMLExporter))
    return written


def _kernel_config(sockets: str) -> Any:
    """Kernels on local sockets (no TCP: no "running over TCP without encryption" warning
    per notebook); Windows has no such sockets, so it keeps TCP there."""
    from traitlets.config import Config

    if os.name == "nt":
        return Config()
    return Config({"KernelManager": {"transport": "ipc", "ip": str(Path(sockets, "k"))}})


def title_of(notebook: Any, path: Path) -> str:
    """The report's page title: the notebook's first heading, else its file name."""
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if line.startswith("#"):
                return re.sub(r"[`*_]", "", line.lstrip("#").strip()) or path.stem
    return path.stem


def _write_html(notebook: Any, path: Path, out: Path, exporter: Any) -> Path:
    resources = {"metadata": {"name": title_of(notebook, path)}}
    html, _ = exporter().from_notebook_node(notebook, resources=resources)
    target = out / f"{path.stem}.html"
    target.write_text(html, encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    """``python -m agentlab.export.report [notebooks] [reports]``: what ``make report`` runs."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    try:
        written = export_notebooks(*(args[:2] or ["notebooks", "reports"]))
    except ConfigError as exc:
        print(f"agentlab.export.report: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    if not written:
        print(f"no notebooks found in {args[0] if args else 'notebooks'}/: nothing to report")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
