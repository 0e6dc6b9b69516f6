"""Import time of ``agentlab`` (and of the installed peers) in fresh subprocesses.

Each figure is the median of several fresh interpreters timing only the import
statement (``time.perf_counter`` around it), so interpreter start-up is left out.
Also measured: ``import agentlab`` plus first use of ``al.Agent`` (names load lazily),
and the modules a bare ``import agentlab`` pulled in that it should not.

    python benchmarks/import_time.py          # prints, writes results/import_time.json
    python benchmarks/import_time.py --quick  # 3 runs each
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from typing import Any

from _common import median, table, write_result
from overhead import available

HEAVY = ["pydantic", "pandas", "altair", "anthropic", "openai", "genai_prices", "tqdm",
         "anywidget", "ipywidgets"]  # fmt: skip
TARGETS = {
    "import agentlab": ("agentlab", "import agentlab"),
    "import agentlab; al.Agent (first use)": ("agentlab", "import agentlab as al; al.Agent"),
    "LangGraph (from langgraph.graph import StateGraph)": (
        "langgraph", "from langgraph.graph import StateGraph"),
    "OpenAI Agents SDK (import agents)": ("agents", "import agents"),
    "pydantic-ai (import pydantic_ai)": ("pydantic_ai", "import pydantic_ai"),
}  # fmt: skip


def time_import(statement: str) -> float:
    code = f"import time\nt = time.perf_counter()\n{statement}\nprint(time.perf_counter() - t)\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def heavy_modules_loaded() -> list[str]:
    code = (
        f"import sys, json, agentlab; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return list(json.loads(out.stdout))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 runs each instead of 9")
    args = parser.parse_args()
    runs = 3 if args.quick else 9
    figures: dict[str, Any] = {}
    for name, (module, statement) in TARGETS.items():
        if not available(module):
            print(f"{name}: skipped (not installed; pip install -e '.[bench]')")
            figures[name] = None
            continue
        time_import(statement)  # warm the file-system cache once
        figures[name] = median([time_import(statement) for _ in range(runs)])
    heavy = heavy_modules_loaded()
    rows = [[n, "skipped" if s is None else f"{s:.3f}"] for n, s in figures.items()]
    print(table(["import", "seconds (median)"], rows))
    print(f"\nheavy modules loaded by a bare `import agentlab`: {heavy or 'none'}")
    goal = figures["import agentlab"] < 0.3
    print(f"goal (import agentlab under 0.3 s): {goal}")
    write_result("import_time", {
        "unit": f"seconds, median of {runs} fresh interpreters", "runs": runs,
        "seconds": figures, "heavy_modules_loaded": heavy, "goal_under_0_3s": goal,
    }, quick=args.quick)  # fmt: skip


if __name__ == "__main__":
    main()
