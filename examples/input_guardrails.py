"""Input guardrails, from the OpenAI Agents SDK's ``agent_patterns/input_guardrails.py``.

A customer support agent must not do the user's math homework. A guardrail agent
reads each message (with its own ``output_type``) and trips when it is homework; the
support agent's model call, started at the same time, is cancelled. The agentlab
way: ``al.Guard`` running an agent (its run nests under the ``guard`` span),
``input_guards=[...]``, and ``agent.conversation()`` for the turns; a rejected
turn ends ``stopped`` / ``"guard"`` and stays out of the conversation's history.

Offline this is a simulation: the guardrail "model" flags messages that mention
solving for x. ``AGENTLAB_MODEL=openai:gpt-4o-mini`` runs a real model.
"""

from __future__ import annotations

import asyncio
import json

from _offline import last_user, model
from pydantic import BaseModel

import agentlab as al


class MathHomeworkOutput(BaseModel):
    reasoning: str
    is_math_homework: bool


def guardrail_reply(messages, tools):
    text = last_user(messages).lower()
    homework = "solve for x" in text or "2x" in text
    return json.dumps(
        {
            "reasoning": "asks to solve an equation" if homework else "a question",
            "is_math_homework": homework,
        }
    )


guardrail_agent = al.Agent(
    name="Guardrail check",
    instructions="Check if the user is asking you to do their math homework.",
    model=model(guardrail_reply),
    output_type=MathHomeworkOutput,
)


async def not_math_homework(text: str) -> bool:
    verdict = (await guardrail_agent.run(text)).output
    return verdict is not None and not verdict.is_math_homework


def support_reply(messages, tools):
    return f"Happy to help with that: {last_user(messages)}"


agent = al.Agent(
    name="Customer support agent",
    instructions="You are a customer support agent. You help customers with their questions.",
    model=model(support_reply),
    input_guards=[
        al.Guard(
            not_math_homework,
            name="math homework",
            reason="Sorry, I can't help you with your math homework.",
        )
    ],
)


async def main(
    messages=("What's the capital of California?", "Can you help me solve for x: 2x + 5 = 11"),
) -> list[al.Run]:
    conv = agent.conversation()
    runs = []
    for text in messages:
        run = await conv.send(text)
        runs.append(run)
        shown = (
            run.output if run.status == "completed" else f"[{run.stop_reason}] {run.stop_detail}"
        )
        print(f"> {text}\n{shown}")
    print(f"history kept: {len(conv.history)} messages")
    return runs


EXPECTED = ["completed", "stopped:guard"]

if __name__ == "__main__":
    asyncio.run(main())
