"""Voting agreement vs n (``voting_smollm2.jsonl``).

``al.Parallel.vote(solver, n)`` with n = 1, 3 and 5 on four word problems, temperature
0.8 so the attempts can differ. A llama.cpp grammar keeps each attempt to a whole
number. Agreement is the share of attempts that gave the winning answer.
"""

from __future__ import annotations

from typing import Any

import agentlab as al
from recordings import CASSETTES, DEFAULT_URL, rows, smollm2

FILE = CASSETTES / "voting_smollm2.jsonl"
NS = (1, 3, 5)
PROBLEMS = ("wp-01", "wp-02", "wp-03", "wp-04")  # ids in word_problems.jsonl


def solver(url: str = DEFAULT_URL) -> al.Agent:
    return al.Agent(
        name="Solver",
        instructions="Solve the word problem. Answer with the number only.",
        model=smollm2(url),
        settings={"temperature": 0.8, "max_tokens": 6, "grammar": "root ::= [0-9] [0-9]?[0-9]?"},
    )


def vote(n: int, url: str = DEFAULT_URL) -> al.Parallel:
    return al.Parallel.vote(solver(url), n=n, name=f"n={n}")


def problems() -> list[dict[str, Any]]:
    return [row for row in rows("word_problems.jsonl") if row["id"] in PROBLEMS]


async def run_votes(url: str = DEFAULT_URL) -> list[dict[str, Any]]:
    """Every n on every problem, in order; one row per vote."""
    out = []
    for n in NS:
        design = vote(n, url)
        for problem in problems():
            run = await design.run(problem["input"])
            span = run.trace.find("vote")[0].attributes
            counts = span.get("counts") or {}
            out.append({
                "n": n, "problem": problem["id"], "answer": problem["answer"],
                "winner": run.output, "right": str(run.output).strip() == str(problem["answer"]),
                "agreement": max(counts.values(), default=0) / n,
                "candidates": span.get("candidates"), "status": run.status, "run": run,
            })  # fmt: skip
    return out
