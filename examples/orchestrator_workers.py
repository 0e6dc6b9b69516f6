"""Orchestrator-workers, from the Anthropic cookbook's ``orchestrator_workers`` notebook.

An orchestrator reads a product-description task and plans variations (a formal one,
a conversational one); workers write each, concurrently; a synthesizer presents
them. The agentlab way: ``al.Orchestrator(planner, workers={...}, synthesizer)``,
with the plan validated (an unknown worker fails clearly) and capped by ``max_tasks``.

Offline this is a simulation: the planner always plans the two variations the
cookbook's example shows. ``AGENTLAB_MODEL=openai:gpt-4o-mini`` runs a real model.
"""

from __future__ import annotations

import asyncio
import json

from _offline import last_user, model

import agentlab as al

TASK = "Write a product description for a new eco-friendly water bottle."


def planner_reply(messages, tools):
    return json.dumps(
        {
            "tasks": [
                {"worker": "formal", "task": f"{TASK} Technical, precise, for specialists."},
                {"worker": "conversational", "task": f"{TASK} Friendly and engaging."},
            ]
        }
    )


formal = al.Agent(
    name="formal",
    instructions="Write in a formal, technical style.",
    model=model(lambda m, t: "Crafted from 100% recycled steel; 750 ml."),
    description="writes formal, technical copy",
)
conversational = al.Agent(
    name="conversational",
    instructions="Write in a friendly style.",
    model=model(lambda m, t: "Meet your new favourite bottle!"),
    description="writes friendly, engaging copy",
)
planner = al.Agent(
    name="planner",
    model=model(planner_reply),
    instructions="Analyze the task and break it into 2-3 distinct approaches.",
)
synthesizer = al.Agent(
    name="synthesizer",
    instructions="Present every variation, labelled.",
    model=model(lambda m, t: "Variations:\n" + last_user(m)),
)
orchestrator = al.Orchestrator(
    planner,
    workers={"formal": formal, "conversational": conversational},
    synthesizer=synthesizer,
    max_tasks=3,
)


async def main() -> list[al.Run]:
    run = await orchestrator.run(TASK)
    print(run.output)
    workers = [s.name for s in run.trace.find("agent") if s.name in ("formal", "conversational")]
    print(f"workers: {workers}, cost: {run.cost}")
    return [run]


EXPECTED = ["completed"]

if __name__ == "__main__":
    asyncio.run(main())
