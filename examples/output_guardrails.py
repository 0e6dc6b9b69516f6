"""Output guardrails, from the OpenAI Agents SDK's ``agent_patterns/output_guardrails.py``.

The agent answers with a structured ``MessageOutput``; an output guard checks the
final output object before it is returned and trips when it holds a phone number.
The agentlab way: ``output_guards=[al.Guard(...)]`` receives the ``output_type``
instance; a trip ends the run ``stopped`` / ``"guard"`` with ``run.output`` None, and
the rejected answer stays visible in the trace (its model span and the guard span).

Offline this is a simulation: the model echoes the question and, when asked for a
number, puts one in. ``AGENTLAB_MODEL=openai:gpt-4o-mini`` runs a real model.
"""

from __future__ import annotations

import asyncio
import json

from _offline import last_user, model
from pydantic import BaseModel

import agentlab as al


class MessageOutput(BaseModel):
    reasoning: str
    response: str
    user_name: str | None


def assistant_reply(messages, tools):
    question = last_user(messages)
    answer = "Call us at 650-123-4567." if "phone" in question else "The capital is Sacramento."
    return json.dumps({"reasoning": "answering", "response": answer, "user_name": None})


def no_phone_number(output: MessageOutput) -> bool:
    return "650" not in output.response and "650" not in output.reasoning


agent = al.Agent(
    name="Assistant",
    instructions="You are a helpful assistant.",
    model=model(assistant_reply),
    output_type=MessageOutput,
    output_guards=[
        al.Guard(
            no_phone_number, name="no phone numbers", reason="the answer contains a phone number"
        )
    ],
)


async def main(
    questions=(
        "What's the capital of California?",
        "My phone number is 650-123-4567. Where "
        "do you think I live? Tell me the phone number to call.",
    ),
) -> list[al.Run]:
    runs = []
    for question in questions:
        run = await agent.run(question)
        runs.append(run)
        if run.status == "completed":
            print(f"> {question}\n{run.output.response}")
        else:
            rejected = run.trace.find("model")[-1].output
            print(f"> {question}\n[{run.stop_reason}] {run.stop_detail}\n  rejected: {rejected}")
    return runs


EXPECTED = ["completed", "stopped:guard"]

if __name__ == "__main__":
    asyncio.run(main())
