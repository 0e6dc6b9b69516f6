"""An evaluator loop's iterations and cost (``evaluator_smollm2.jsonl``).

``al.EvaluatorOptimizer`` with ``max_iterations=3`` and ``accept=0.8`` on three short
writing tasks. The evaluator's verdict (``{"score", "feedback"}``) is structured
output: llama.cpp refuses ``json_schema``, so the kit falls back to its
grammar-constrained ``json_object`` with the schema (recorded on the model span).
"""

from __future__ import annotations

from typing import Any

import agentlab as al
from recordings import CASSETTES, DEFAULT_URL, smollm2

FILE = CASSETTES / "evaluator_smollm2.jsonl"
MAX_ITERATIONS = 3
ACCEPT = 0.8
TASKS = (
    "Write a one-line slogan for a bicycle shop.",
    "Write one sentence explaining what a refund is.",
    "Give a title for a blog post about saving water.",
)


def loop(url: str = DEFAULT_URL) -> al.EvaluatorOptimizer:
    writer = al.Agent(
        name="Writer", instructions="Do the task in one short line.", model=smollm2(url),
        settings={"temperature": 0, "max_tokens": 30},
    )  # fmt: skip
    judge = al.Agent(
        name="Judge",
        instructions="Score the attempt from 0 to 1 (1 = perfect) and say what to improve.",
        model=smollm2(url),
        settings={"temperature": 0, "max_tokens": 80},
    )
    return al.EvaluatorOptimizer(writer, judge, max_iterations=MAX_ITERATIONS, accept=ACCEPT)


async def run_loops(url: str = DEFAULT_URL) -> list[dict[str, Any]]:
    """The loop on every task, in order; one row per run."""
    design = loop(url)
    out = []
    for task in TASKS:
        run = await design.run(task)
        out.append({
            "task": task, "status": run.status, "stop_reason": run.stop_reason,
            "iterations": len(run.trace.find("iteration")), "run": run,
        })  # fmt: skip
    return out
