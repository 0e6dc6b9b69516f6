"""Routing by language, from the OpenAI Agents SDK's ``agent_patterns/routing.py``.

A triage agent hands the conversation to a French, Spanish or English agent, and the
answer is streamed as it arrives. The agentlab way: ``handoffs=[...]`` (a transfer
style Team), ``triage.conversation()`` for the follow-up turns (the specialist keeps
the conversation), and ``conv.stream(...)`` for the text.

Offline this is a simulation: the models are small functions that detect the
language from a few words. ``AGENTLAB_MODEL=openai:gpt-4o-mini`` runs a real model.
"""

from __future__ import annotations

import asyncio

from _offline import last_user, model

import agentlab as al

GREETINGS = {
    "french_agent": ("bonjour", "Bonjour ! Comment puis-je vous aider ?"),
    "spanish_agent": ("hola", "¡Hola! ¿En qué puedo ayudarte?"),
    "english_agent": ("hello", "Hello! How can I help you?"),
}


def speaker(name: str) -> al.Agent:
    reply = GREETINGS[name][1]
    language = name.split("_")[0]
    return al.Agent(
        name=name,
        instructions=f"You only speak {language}.",
        model=model(lambda messages, tools: reply),
    )


def triage_reply(messages, tools):
    text = last_user(messages).lower()
    for name, (word, _) in GREETINGS.items():
        if word in text:
            return al.ToolCall(f"transfer_to_{name}", {"intent": f"the user writes {name[:-6]}"})
    return al.ToolCall("transfer_to_english_agent", {"intent": "default language"})


def build() -> al.Agent:
    agents = [speaker(name) for name in GREETINGS]
    return al.Agent(
        name="triage_agent",
        instructions="Handoff to the appropriate agent based on the language of the request.",
        model=model(triage_reply),
        handoffs=agents,
    )


async def main(messages=("Hola, ¿cómo estás?", "hola otra vez")) -> list[al.Run]:
    conv = build().conversation()
    runs = []
    for text in messages:
        print(f"> {text}")
        async for event in conv.stream(text):
            if event.kind == "text_delta":
                print(event.text, end="", flush=True)
            elif event.kind == "done":
                runs.append(event.run)
        print(f"\n  [answered by {conv.agent}, model calls: {runs[-1].usage.requests}]")
    return runs


EXPECTED = ["completed", "completed"]

if __name__ == "__main__":
    asyncio.run(main())
