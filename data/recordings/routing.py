"""Routing accuracy with 3, 5 and 15 labels (``routing_smollm2.jsonl``).

The first ticket of each of the 15 topics, labelled three times: with the 3 ``label``
kinds, the 5 ``group`` kinds and the 15 ``topic`` kinds. A llama.cpp grammar restricts
the reply to the label set, since a model this small does not follow "answer with one
label" on its own. Temperature 0.
"""

from __future__ import annotations

from typing import Any

import agentlab as al
from recordings import CASSETTES, DEFAULT_URL, rows

FILE = CASSETTES / "routing_smollm2.jsonl"
LEVELS = ("label", "group", "topic")  # 3, 5 and 15 labels


def classifier(labels: list[str], url: str = DEFAULT_URL) -> al.Agent:
    """The recorded classifier (a replay matches on model, messages and settings)."""
    return al.Agent(
        name="Classifier",
        instructions="Classify the customer's support ticket. Answer with exactly one "
        f"label. Labels: {', '.join(labels)}.",
        model=f"openai:smollm2@{url}",
        settings={
            "temperature": 0,
            "max_tokens": 24,
            "grammar": "root ::= " + " | ".join(f'"{label}"' for label in labels),
        },
    )


def sample_tickets() -> list[dict[str, str]]:
    """The first ticket of each of the 15 topics."""
    return [row for row in rows("tickets.jsonl") if row["id"].endswith("-1")]


async def run_routing(url: str = DEFAULT_URL) -> list[dict[str, Any]]:
    """Label every sampled ticket at each level; one row per ticket and level."""
    tickets = sample_tickets()
    out = []
    for level in LEVELS:
        labels = sorted({t[level] for t in tickets})
        agent = classifier(labels, url)
        for ticket in tickets:
            run = await agent.run(ticket["input"])
            out.append({
                "labels": len(labels), "level": level, "ticket": ticket["id"],
                "expected": ticket[level], "answer": run.output, "status": run.status,
                "right": run.output == ticket[level], "chance": 1 / len(labels), "run": run,
            })  # fmt: skip
    return out
