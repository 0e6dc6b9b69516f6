"""A deterministic flow, from the OpenAI Agents SDK's ``agent_patterns/deterministic.py``.

Outline a story, check the outline (good quality, science fiction), then write the
story. The agentlab way: ``al.Chain([outline, al.Gate(check), writer])``: the checker
agent runs inside the gate (its run nests under the ``gate`` span) and a rejected
outline stops the chain ``stopped`` / ``"gate"`` before the writer is called.

Offline this is a simulation: the outline "model" writes a sci-fi outline when the
prompt mentions space. ``AGENTLAB_MODEL=openai:gpt-4o-mini`` runs a real model.
"""

from __future__ import annotations

import asyncio
import json

from _offline import last_user, model
from pydantic import BaseModel

import agentlab as al


class OutlineCheckerOutput(BaseModel):
    good_quality: bool
    is_scifi: bool


def outline_reply(messages, tools):
    prompt = last_user(messages)
    if "space" in prompt:
        return "1. A pilot finds a signal. 2. The crew decodes it. 3. First contact."
    return "1. A baker opens a shop. 2. It rains. 3. The shop closes."


def checker_reply(messages, tools):
    scifi = any(word in last_user(messages) for word in ("signal", "crew", "contact"))
    return json.dumps({"good_quality": True, "is_scifi": scifi})


story_outline_agent = al.Agent(
    name="story_outline_agent",
    instructions="Generate a very short story outline based on the user's input.",
    model=model(outline_reply),
)
outline_checker_agent = al.Agent(
    name="outline_checker_agent",
    instructions="Read the given story outline, and judge the quality. Also, determine if "
    "it is a scifi story.",
    model=model(checker_reply),
    output_type=OutlineCheckerOutput,
)
story_agent = al.Agent(
    name="story_agent",
    instructions="Write a short story based on the given outline.",
    model=model(lambda messages, tools: f"Once upon a time: {last_user(messages)}"),
)


async def good_scifi_outline(outline: str) -> bool:
    verdict = (await outline_checker_agent.run(outline)).output
    return verdict is not None and verdict.good_quality and verdict.is_scifi


flow = al.Chain(
    [
        story_outline_agent,
        al.Gate(
            good_scifi_outline, name="sci-fi outline", reason="the outline is not science fiction"
        ),
        story_agent,
    ]
)


async def main(prompts=("a story in space", "a story about bread")) -> list[al.Run]:
    runs = []
    for prompt in prompts:
        run = await flow.run(prompt)
        runs.append(run)
        shown = run.output if run.status == "completed" else run.stop_detail
        print(f"> {prompt}\n{run.status}: {shown}")
    return runs


EXPECTED = ["completed", "stopped:gate"]

if __name__ == "__main__":
    asyncio.run(main())
