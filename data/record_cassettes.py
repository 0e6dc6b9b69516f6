"""Record the real-model cassettes in data/cassettes/ (needs `make local-model` running).

    make local-model                                  # in another terminal
    .venv/bin/python data/record_cassettes.py

What it records: SmolLM2-135M-Instruct (a 135M-parameter toy model served by llama.cpp,
no key) labelling 15 support tickets, one per topic, twice: with 3 labels and with 15.
A llama.cpp grammar (a server setting passed through as is) restricts its reply to the
labels, since a model this small does not follow "answer with one label" on its own.
Notebooks 02 and 07 replay these recordings offline. They are real model runs (the
cassette header names the model and server); they say something about this tiny model,
not about the models you would deploy.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import agentlab as al

HERE = Path(__file__).parent
MODEL = "openai:smollm2@http://127.0.0.1:8080/v1"


def classifier(labels: list[str]) -> al.Agent:
    """The recorded classifier; notebook 02 builds the same one to replay the recording
    (a replay matches on model, messages and settings)."""
    return al.Agent(
        name="Classifier",
        instructions="Classify the customer's support ticket. Answer with exactly one "
        f"label. Labels: {', '.join(labels)}.",
        model=MODEL,
        settings={
            "temperature": 0,
            "max_tokens": 24,
            "grammar": "root ::= " + " | ".join(f'"{label}"' for label in labels),
        },
    )


def sample_tickets() -> list[dict[str, str]]:
    """The first ticket of each of the 15 topics."""
    rows = [json.loads(line) for line in (HERE / "tickets.jsonl").read_text().splitlines()]
    return [row for row in rows if row["id"].endswith("-1")]


async def main() -> None:
    tickets = sample_tickets()
    al.models.set_concurrency("http://127.0.0.1:8080/v1", 1)
    with al.cassette(HERE / "cassettes" / "routing_smollm2.jsonl", mode="record"):
        for level in ("label", "topic"):
            labels = sorted({t[level] for t in tickets})
            agent = classifier(labels)
            for ticket in tickets:
                run = await agent.run(ticket["input"])
                print(level, ticket[level], "->", repr(run.output), run.status)


if __name__ == "__main__":
    asyncio.run(main())
