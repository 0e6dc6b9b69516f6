"""Record real runs of SmolLM2-135M-Instruct (served by ``make local-model``).

    make local-model                                  # in another terminal
    .venv/bin/python data/cassettes/record_smollm2.py  # rewrites the smollm2_*.jsonl files

The files are recordings of a real, tiny model (135M parameters, 4-bit): answers are
often wrong, which is the point of showing them. Notebooks and tests replay them with
``al.cassette(path, mode="replay")`` (no key, no server); each file's header says which
model and server made it, and when. Never edit a recording by hand: re-record it.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import agentlab as al

HERE = Path(__file__).parent
ROUTER_FILE = HERE / "smollm2_router.jsonl"
TOOL_FILE = HERE / "smollm2_tool.jsonl"
DEFAULT_URL = "http://127.0.0.1:8080/v1"
LABELS = ("sales", "support", "technical")
# llama.cpp's grammar (GBNF) restricts the classifier to the three labels
LABEL_GRAMMAR = "root ::= " + " | ".join(f'"{label}"' for label in LABELS)

TICKETS = (
    "How much does the premium plan cost per month?",
    "I was charged twice for my order, please help.",
    "The app crashes with error 500 when I upload a file.",
    "Can I get a discount if I buy 50 licenses?",
    "My password reset email never arrives.",
)
ORDER_QUESTIONS = ("Where is order 42?", "Has order 7 shipped yet?", "Status of order 1001?")


def lookup_order(order_id: str) -> str:
    """Look an order up by its id."""
    return f"order {order_id}: shipped yesterday"


def build_router(url: str = DEFAULT_URL) -> al.Router:
    """A support-desk router: a grammar-restricted classifier and three short handlers."""
    model = f"openai:smollm2@{url}"
    classifier = al.Agent(
        name="Classifier",
        instructions=(
            "Classify the customer message as sales, support or technical. "
            "Answer with the label only.\n"
            "Examples:\n"
            "What does the team plan cost? -> sales\n"
            "I want to buy more seats. -> sales\n"
            "I was billed the wrong amount. -> support\n"
            "I cannot log in to my account. -> support\n"
            "The page shows error 404. -> technical\n"
            "The app freezes when I open it. -> technical"
        ),
        model=model,
        settings={"temperature": 0, "max_tokens": 8, "grammar": LABEL_GRAMMAR},
    )
    handlers = {
        label: al.Agent(
            name=label.capitalize(),
            instructions=f"You are the {label} team. Answer in one short sentence.",
            model=model,
            settings={"temperature": 0, "max_tokens": 48},
        )
        for label in LABELS
    }
    return al.Router(classifier, routes=handlers, fallback=handlers["support"])


def build_tool_agent(url: str = DEFAULT_URL) -> al.Agent:
    """An agent whose tool is forced (the toy model calls tools only when forced)."""
    return al.Agent(
        name="Orders",
        instructions="Look orders up with the lookup_order tool.",
        model=f"openai:smollm2@{url}",
        tools=[lookup_order],
        settings={"temperature": 0, "max_tokens": 60, "tool_choice": "lookup_order"},
    )


async def record(url: str) -> None:
    router = build_router(url)
    with al.cassette(ROUTER_FILE, mode="record"):
        for ticket in TICKETS:
            run = await router.run(ticket)
            print(f"{run.status:9} {ticket!r} -> {run.output!r}")
    agent = build_tool_agent(url)
    with al.cassette(TOOL_FILE, mode="record"):
        for question in ORDER_QUESTIONS:
            run = await agent.run(question, limits=al.Limits(max_turns=1))
            calls = [s.attributes.get("arguments") for s in run.trace.find("tool")]
            print(f"{run.status:9} {question!r} -> tool calls {calls}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    asyncio.run(record(parser.parse_args().url))
