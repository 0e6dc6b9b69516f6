"""Chain latency adding up (``chain_smollm2.jsonl``).

Chains of 1, 2, 3 and 4 steps (the first n of ``STEPS``) on two short texts; each
step's output is the next step's input. Temperature 0, short replies. Each model span
carries the latency measured at recording time; a chain's steps run one after the
other, so its time is the sum of its steps'.
"""

from __future__ import annotations

from typing import Any

import agentlab as al
from recordings import CASSETTES, DEFAULT_URL, rows, smollm2

FILE = CASSETTES / "chain_smollm2.jsonl"
LENGTHS = (1, 2, 3, 4)
STEPS = (
    ("Extract", "List the facts in the text, one per line."),
    ("Summarise", "Summarise the text in one sentence."),
    ("Simplify", "Rewrite the text in plain words for a child."),
    ("Title", "Write a short title for the text."),
)
TEXTS = ("doc-1", "doc-3")  # ids in documents.jsonl


def step(name: str, instructions: str, url: str = DEFAULT_URL) -> al.Agent:
    return al.Agent(
        name=name, instructions=instructions, model=smollm2(url),
        settings={"temperature": 0, "max_tokens": 40},
    )  # fmt: skip


def chain(n: int, url: str = DEFAULT_URL) -> al.Chain:
    """The first ``n`` steps as a chain."""
    return al.Chain([step(name, text, url) for name, text in STEPS[:n]], name=f"{n} steps")


def texts() -> list[dict[str, Any]]:
    return [row for row in rows("documents.jsonl") if row["id"] in TEXTS]


async def run_chains(url: str = DEFAULT_URL) -> list[dict[str, Any]]:
    """Every chain length on every text, in order; one row per run."""
    out = []
    for n in LENGTHS:
        design = chain(n, url)
        for text in texts():
            run = await design.run(text["input"])
            out.append({"steps": n, "text": text["id"], "status": run.status, "run": run})
    return out
