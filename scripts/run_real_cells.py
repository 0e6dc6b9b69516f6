"""Execute one notebook with a real model and check its real-model cells (``make test-real``).

Runs under the project's virtualenv (nbclient). Around each cell that reads
``AGENTLAB_MODEL`` it adds two cells to a temporary copy that watch the cell's spans
(``real_cell_watch.py``): it must make the number of runs its prose says
(``EXPECTED_RUNS``), each calling the real model, none ``failed`` (a guard's ``stopped``
is fine). Prints what each run did; exit 1 on any exception or failed check.

    python scripts/run_real_cells.py notebooks/02_routing.ipynb /tmp/02.ipynb --timeout 600
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

REAL_CELL = 'REAL_MODEL = os.environ.get("AGENTLAB_MODEL")'
# how many runs each notebook's real cell says it makes (experiment tasks count one each)
EXPECTED_RUNS = {
    "00_tour": 1,  # the support agent, once
    "01_prompt_chaining": 1,  # the chain, once
    "02_routing": 9,  # 9 tickets through the 3-route desk
    "03_parallelization": 6,  # n=1 and n=5 on 3 problems
    "04_orchestrator_workers": 1,  # the copy desk, once
    "05_evaluator_optimizer": 1,  # the MinStack loop, once
    "06_handoffs": 1,  # the app-crash conversation
    "07_failure_modes": 12,  # 3 ledgers through 4 chains (1, 2, 4 steps; 4 gated)
    "08_measure_the_right_thing": 8,  # estimate() pilots 2 tickets, then 6 are measured
    "09_when_to_use_what": 12,  # the four designs on 3 problems
}
BEFORE = f"""import sys as _sys
_sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})
from real_cell_watch import Watch as _Watch
_test_real_watch = _Watch.begin()"""
CHECK = "_test_real_watch.check(expected_runs={expected})"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("notebook")
    parser.add_argument("output")
    parser.add_argument("--timeout", type=float, default=600, help="per cell, seconds")
    args = parser.parse_args()
    nb = nbformat.read(args.notebook, as_version=4)
    expected = EXPECTED_RUNS[Path(args.notebook).stem]
    cells = []
    for cell in nb.cells:
        real = cell.cell_type == "code" and REAL_CELL in cell.source
        if real:
            cells.append(nbformat.v4.new_code_cell(BEFORE))
        cells.append(cell)
        if real:
            cells.append(nbformat.v4.new_code_cell(CHECK.format(expected=expected)))
    nb.cells = cells
    client = NotebookClient(
        nb,
        timeout=int(args.timeout),
        kernel_name="python3",
        resources={"metadata": {"path": str(Path(args.notebook).parent)}},
    )
    try:
        client.execute()
    except CellExecutionError as exc:
        print(str(exc)[-3000:], file=sys.stderr)
        return 1
    finally:
        nbformat.write(nb, args.output)
        for cell in nb.cells:
            if cell.source.startswith("_test_real_watch.check"):
                print("".join(o.get("text", "") for o in cell.get("outputs", [])), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
