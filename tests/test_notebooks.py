"""The teaching notebooks run offline, top to bottom, and carry what a workshop needs.

Each notebook in ``notebooks/`` is executed in a fresh kernel (nbclient, in the
notebook's folder, with API keys and ``AGENTLAB_MODEL`` removed from the kernel's
environment, cassettes forced to replay), so a cell that errors, or one that would
need a key or the network, fails its test. Then the executed notebook is checked for
the parts every notebook promises: a run viewer (widget view plus its static HTML
fallback), an SVG chart, an exercise, and a guarded cell that switches to a real model.
The committed copies are checked too: executed, small, and without stored widget state
(stored state makes exported HTML blank offline).

Two kernels run at a time (the machine has 2 cores). ``make notebooks`` re-executes
them in place with the same settings. The whole folder must run in under 90 s wall on
a 2-core machine, kernel start-ups included.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

FOLDER = Path(__file__).resolve().parent.parent / "notebooks"
EXPECTED = [
    "00_tour",
    "01_prompt_chaining",
    "02_routing",
    "03_parallelization",
    "04_orchestrator_workers",
    "05_evaluator_optimizer",
    "06_handoffs",
    "07_failure_modes",
    "08_measure_the_right_thing",
    "09_when_to_use_what",
]
NOTEBOOKS = sorted(FOLDER.glob("[0-9][0-9]_*.ipynb"))
MAX_BYTES = 600_000  # each chart carries a PNG (10-60 KB) beside its SVG for untrusted JupyterLab
CELL_TIMEOUT_S = 60
SECRET_VARIABLES = ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "AGENTLAB_MODEL")
# The article's claims (issue 9), each made visible by a cell with a chart: claim -> cell.
CLAIM_CHARTS = {
    "3-5 routes vs 15 routes misrouting (simulated)": ("02_routing", "02-09"),
    "3, 5 and 15 labels, simulated beside a real model's recording": ("02_routing", "02-12"),
    "chain latency adds up (4 agents x 2 s, scaled down)": ("01_prompt_chaining", "01-09"),
    "chain latency, simulated beside a real model's recording": ("01_prompt_chaining", "01-11c"),
    "parallel cost multiplies, simulated beside a recording": ("03_parallelization", "03-04"),
    "voting raises accuracy at n x cost": ("03_parallelization", "03-12"),
    "voting agreement vs n, simulated beside a recording": ("03_parallelization", "03-13c"),
    "orchestrator drift": ("04_orchestrator_workers", "04-08"),
    "an unbounded evaluator loop's cost vs max_iterations": ("05_evaluator_optimizer", "05-10"),
    "evaluator rounds and cost, simulated beside a recording": ("05_evaluator_optimizer", "05-11c"),
    "a bad vs a good handoff (the user repeats themselves)": ("06_handoffs", "06-16"),
    "manager vs transfer on the same conversations": ("06_handoffs", "06-12"),
    "the 3-hop bound and ping-pong stopped": ("07_failure_modes", "07-13b"),
    "cascading error amplification over a chain": ("07_failure_modes", "07-05"),
    "15,000 calls/day cost arithmetic from a real trace": ("07_failure_modes", "07-09"),
    "2 agents 95% at $0.05 vs 10 agents 98% at $2.50": ("08_measure_the_right_thing", "08-11a"),
}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def offline_env() -> dict[str, str]:
    """The kernel's environment: no keys, no real model, cassettes replay only."""
    env = {k: v for k, v in os.environ.items() if k not in SECRET_VARIABLES}
    env["AGENTLAB_CASSETTE_MODE"] = "replay"
    return env


async def execute(path: Path) -> Any:
    """Execute a notebook like ``make notebooks`` does; returns the executed notebook."""
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=False,
        record_timing=False,
    )
    await client.async_execute(env=offline_env())
    return nb


async def execute_all(paths: list[Path], workers: int) -> dict[Path, tuple[Any, float]]:
    """Run the notebooks, ``workers`` kernels at a time (the machine has 2 cores).

    Each value is (the executed notebook or the exception it raised, seconds it took).
    """
    gate = asyncio.Semaphore(workers)

    async def one(path: Path) -> tuple[Any, float]:
        async with gate:
            started = time.perf_counter()
            try:
                return await execute(path), time.perf_counter() - started
            except Exception as exc:
                return exc, time.perf_counter() - started

    results = await asyncio.gather(*(one(p) for p in paths))
    return dict(zip(paths, results, strict=True))


@pytest.fixture(scope="module")
def executed() -> dict[Path, tuple[Any, float]]:
    """Every notebook executed once for this module's tests (about 30-60 s in all)."""
    started = time.perf_counter()
    results = asyncio.run(execute_all(NOTEBOOKS, workers=2))
    total = time.perf_counter() - started
    print(f"\nexecuted {len(results)} notebooks in {total:.1f} s wall:", end=" ")
    print(", ".join(f"{p.stem[:2]} {s:.1f}s" for p, (_, s) in results.items()))
    return results


def outputs(nb: Any) -> list[dict[str, Any]]:
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]


def mimetypes(nb: Any) -> list[set[str]]:
    return [set(out.get("data", {})) for out in outputs(nb)]


def test_every_notebook_of_the_course_exists() -> None:
    assert [p.stem for p in NOTEBOOKS] == EXPECTED


@pytest.mark.slow
@pytest.mark.timeout(300)  # the first test also waits for the module fixture (all notebooks)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_offline_and_shows_a_run_a_chart_an_exercise(
    path: Path, executed: dict[Path, tuple[Any, float]]
) -> None:
    nb, elapsed = executed[path]
    if isinstance(nb, BaseException):  # CellExecutionError names the cell and the error
        raise nb
    assert elapsed < 60, f"{path.name} took {elapsed:.1f} s; keep each notebook to seconds"

    kinds = mimetypes(nb)
    assert any({WIDGET_VIEW, "text/html"} <= k for k in kinds), "no run viewer (run.show())"
    assert any("image/svg+xml" in k for k in kinds), "no SVG chart"
    assert not any(out.get("output_type") == "error" for out in outputs(nb))

    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "## Exercise" in markdown
    assert "## Switch to a real model" in markdown
    guard = [c for c in nb.cells if c.cell_type == "code" and "AGENTLAB_MODEL" in c.source]
    assert guard, "no cell showing the switch to a real model"
    printed = "".join(out.get("text", "") for out in guard[-1].outputs)
    assert printed.startswith("offline"), "the real-model cell ran without AGENTLAB_MODEL set"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_is_executed_small_and_without_widget_state(path: Path) -> None:
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size:,} bytes"
    nb = nbformat.read(path, as_version=4)
    assert "widgets" not in nb.metadata, "stored widget state blanks exported HTML offline"
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip() != "# your code here"]
    not_run = [c.source.splitlines()[0] for c in code if c.execution_count is None]
    assert not not_run, f"cells not executed in the committed notebook: {not_run}"
    assert any(WIDGET_VIEW in k for k in mimetypes(nb)), "committed without its run viewer"
    assert not any(out.get("output_type") == "error" for out in outputs(nb))


def test_notebooks_teach_await_and_label_simulations() -> None:
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        text = "\n".join(c.source for c in nb.cells)
        assert "await " in text, f"{path.name}: notebooks teach `await ...run(...)`"
        assert "simulat" in text.lower(), f"{path.name}: say which results are simulations"
        assert "run_sync(" not in text, f"{path.name}: use `await`, not run_sync, in notebooks"


@pytest.mark.parametrize("claim", CLAIM_CHARTS, ids=lambda c: c[:40])
def test_each_claim_of_the_article_has_a_cell_with_a_chart(claim: str) -> None:
    stem, cell_id = CLAIM_CHARTS[claim]
    nb = nbformat.read(FOLDER / f"{stem}.ipynb", as_version=4)
    cells = {c.get("id"): c for c in nb.cells}
    assert cell_id in cells, f"{stem}: no cell {cell_id!r} for the claim {claim!r}"
    kinds = [set(out.get("data", {})) for out in cells[cell_id].get("outputs", [])]
    assert any("image/svg+xml" in k for k in kinds), f"{stem} cell {cell_id}: no SVG chart"
