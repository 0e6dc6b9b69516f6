"""Parallel cost multiplying (``parallel_smollm2.jsonl``).

Sectioning one review into k = 1, 2 and 4 branches (``al.Parallel``, no merge) on two
documents: k = 1 is one reviewer for everything, k = 4 four narrow reviewers. Every
branch reads the whole document, so tokens (and money) grow about k times. The server
answers one request at a time, so the branches queue there: each recorded latency
includes its wait, and the slowest branch's latency is the block's wall time.
"""

from __future__ import annotations

from typing import Any

import agentlab as al
from recordings import CASSETTES, DEFAULT_URL, rows, smollm2

FILE = CASSETTES / "parallel_smollm2.jsonl"
ASPECTS = {
    1: ("grammar, facts and style",),
    2: ("grammar", "facts"),
    4: ("grammar", "facts", "style", "length"),
}
DOCUMENTS = ("doc-1", "doc-2")  # ids in documents.jsonl


def reviewer(aspect: str, url: str = DEFAULT_URL) -> al.Agent:
    return al.Agent(
        name=f"Reviewer ({aspect})",
        instructions=f"Review the text for {aspect} only. Name one problem in a sentence.",
        model=smollm2(url),
        settings={"temperature": 0, "max_tokens": 40},
    )


def sectioning(k: int, url: str = DEFAULT_URL) -> al.Parallel:
    """The review split into ``k`` branches (1, 2 or 4)."""
    return al.Parallel([reviewer(a, url) for a in ASPECTS[k]], name=f"{k} branches")


def documents() -> list[dict[str, Any]]:
    return [row for row in rows("documents.jsonl") if row["id"] in DOCUMENTS]


async def run_sectioning(url: str = DEFAULT_URL) -> list[dict[str, Any]]:
    """Every k on every document, in order; one row per run."""
    out = []
    for k in ASPECTS:
        design = sectioning(k, url)
        for doc in documents():
            run = await design.run(doc["input"])
            out.append({"branches": k, "document": doc["id"], "status": run.status, "run": run})
    return out
