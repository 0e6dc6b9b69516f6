"""Execute one notebook with a real model and check its real-model cells (``make test-real``).

Runs under the project's virtualenv (nbclient). Around each cell that reads
``AGENTLAB_MODEL`` it adds two cells to a temporary copy: one noting the variables
before, one checking what the cell made: every ``al.Run`` and every experiment task must
not have ``failed`` (a guard's ``stopped`` is fine). Exit 1 on any exception or failure.

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
BEFORE = "_test_real_before = dict(globals())"
CHECK = """import agentlab as _al
_test_real_made = {k: v for k, v in globals().items() if not k.startswith("_")
                   and _test_real_before.get(k) is not v}
_test_real_problems = []
for _k, _v in _test_real_made.items():
    if isinstance(_v, _al.Run) and _v.status == "failed":
        _test_real_problems.append(f"{_k}: run failed: {_v.error}")
    for _t in getattr(_v, "tasks", None) or ():
        if getattr(_t, "status", None) == "failed":
            _test_real_problems.append(f"{_k}: {_t.design} task {_t.index} failed: {_t.error}")
assert _test_real_made, "the real-model cell made nothing (did it run its offline branch?)"
assert not _test_real_problems, "\\n".join(_test_real_problems)
_test_real_names = [f"{k} ({type(v).__name__})" for k, v in _test_real_made.items()]
print("test-real check ok:", ", ".join(_test_real_names))"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("notebook")
    parser.add_argument("output")
    parser.add_argument("--timeout", type=float, default=600, help="per cell, seconds")
    args = parser.parse_args()
    nb = nbformat.read(args.notebook, as_version=4)
    cells = []
    for cell in nb.cells:
        real = cell.cell_type == "code" and REAL_CELL in cell.source
        if real:
            cells.append(nbformat.v4.new_code_cell(BEFORE))
        cells.append(cell)
        if real:
            cells.append(nbformat.v4.new_code_cell(CHECK))
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
