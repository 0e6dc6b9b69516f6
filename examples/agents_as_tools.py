"""Agents as tools, from the OpenAI Agents SDK's ``agent_patterns/agents_as_tools.py``.

An orchestrator agent translates by calling translator agents as tools (Spanish,
French, Italian), then a synthesizer checks and combines the translations; the
answer streams as it arrives. The agentlab way: ``agent.as_tool()`` (each
translator's run nests under the orchestrator's tool span, on one budget),
``al.Chain([orchestrator, synthesizer])`` and ``chain.stream(...)``.

Offline this is a simulation: the translators know one sentence.
``AGENTLAB_MODEL=openai:gpt-4o-mini`` runs a real model.
"""

from __future__ import annotations

import asyncio

from _offline import last_user, model, tool_results

import agentlab as al

TRANSLATIONS = {
    "spanish": "¡Hola! ¿Cómo estás?",
    "french": "Bonjour ! Comment ça va ?",
    "italian": "Ciao! Come stai?",
}


def translator(language: str) -> al.Agent:
    text = TRANSLATIONS[language]
    return al.Agent(
        name=f"{language}_agent",
        instructions=f"You translate the message to {language}.",
        model=model(lambda m, t: text),
        description=f"translates to {language}",
    )


def orchestrator_reply(messages, tools):
    results = tool_results(messages)
    if results:
        return "\n".join(results)
    wanted = [lang for lang in TRANSLATIONS if lang in last_user(messages).lower()]
    return [al.ToolCall(f"translate_to_{lang}", {"input": "Hi! How are you?"}) for lang in wanted]


orchestrator = al.Agent(
    name="orchestrator_agent",
    instructions="You are a translation agent. You use the tools given to you to translate.",
    model=model(orchestrator_reply),
    tools=[
        translator(lang).as_tool(
            name=f"translate_to_{lang}", description=f"Translate the user's message to {lang}"
        )
        for lang in TRANSLATIONS
    ],
)
synthesizer = al.Agent(
    name="synthesizer_agent",
    model=model(lambda m, t: last_user(m)),
    instructions="Inspect translations, correct them if needed, and "
    "produce a final concatenated response.",
)
flow = al.Chain([orchestrator, synthesizer])


async def main(message: str = "Say 'Hi! How are you?' in Spanish and French.") -> list[al.Run]:
    run, final_calls = None, set()
    async for event in flow.stream(message):
        if event.kind == "span_start" and event.span.kind == "tool":
            print(f"[calling {event.span.name}]")
        elif event.kind == "span_start" and event.span.agent == "synthesizer_agent":
            final_calls.add(event.span.id)  # its model calls: the answer to show
        elif event.kind == "text_delta" and event.span_id in final_calls:
            print(event.text, end="", flush=True)
        elif event.kind == "done":
            run = event.run
    assert run is not None
    print(f"\n[{run.status}; model calls: {run.usage.requests}]")
    return [run]


EXPECTED = ["completed"]

if __name__ == "__main__":
    asyncio.run(main())
