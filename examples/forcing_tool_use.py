"""Forcing tool use, from the OpenAI Agents SDK's ``agent_patterns/forcing_tool_use.py``.

A weather agent must call ``get_weather``. With ``settings={"tool_choice":
"required"}`` the first turn forces the tool; then either the model answers from the
result (``tool_use="run_llm_again"``, the default, with the tool choice reset to
"auto" after the forced turn) or the tool's return value is the output
(``tool_use="stop_on_first_tool"``: a ``Weather`` object, no second model call).

Offline this is a simulation: the model calls the tool, then reads its result
back. ``AGENTLAB_MODEL=openai:gpt-4o-mini`` runs a real model.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from _offline import model, tool_results

import agentlab as al


@dataclass
class Weather:
    city: str
    temperature_range: str
    conditions: str


def get_weather(city: str) -> Weather:
    """Get the current weather information for a specified city."""
    return Weather(city=city, temperature_range="14-20C", conditions="Sunny with wind")


def weather_reply(messages, tools):
    results = tool_results(messages)
    if results:
        return f"The weather: {results[-1]}"
    return al.ToolCall("get_weather", {"city": "Tokyo"})


def weather_agent(tool_use: str) -> al.Agent:
    return al.Agent(
        name="Weather agent",
        instructions="You are a helpful agent.",
        model=model(weather_reply),
        tools=[get_weather],
        settings={"tool_choice": "required"},
        tool_use=tool_use,
    )


async def main() -> list[al.Run]:
    runs = []
    for tool_use in ("run_llm_again", "stop_on_first_tool"):
        run = await weather_agent(tool_use).run("What's the weather in Tokyo?")
        runs.append(run)
        print(f"{tool_use}: {run.output!r} (model calls: {run.usage.requests})")
    return runs


EXPECTED = ["completed", "completed"]

if __name__ == "__main__":
    asyncio.run(main())
