"""The three basic workflows of the Anthropic cookbook's ``basic_workflows`` notebook.

1. Prompt chaining: raw performance notes -> extract numbers -> percentages -> sort ->
   a markdown table, each step an agent (``al.Chain``).
2. Parallelization: one prompt over four stakeholder groups at once
   (``al.Parallel`` with a branch per stakeholder, run concurrently).
3. Routing: support tickets to billing, technical or account specialists
   (``al.Router`` with a fallback, so an unknown label cannot crash it).

Offline this is a simulation: the models are small functions that transform the
text the way the cookbook's prompts ask. ``AGENTLAB_MODEL=openai:gpt-4o-mini`` runs a
real model.
"""

from __future__ import annotations

import asyncio
import re

from _offline import last_user, model

import agentlab as al

REPORT = """Q3 Performance Summary: Our customer satisfaction score rose to 92 points this
quarter. Revenue grew by 45% compared to last year. Market share is now at 23%."""


def step(name: str, instructions: str, transform) -> al.Agent:
    return al.Agent(
        name=name,
        instructions=instructions,
        model=model(lambda messages, tools: transform(last_user(messages))),
    )


def extract(text: str) -> str:
    found = re.findall(r"(\d+)(%| points)", text)
    return "\n".join(f"{value}{unit}" for value, unit in found)


chain = al.Chain(
    [
        step("extract", "Extract only the numerical values and their metrics.", extract),
        step(
            "percent",
            "Convert all numerical values to percentages where possible.",
            lambda t: t.replace(" points", "%"),
        ),
        step(
            "sort",
            "Sort all lines in descending order by numerical value.",
            lambda t: "\n".join(sorted(t.splitlines(), key=lambda x: -int(x.strip("%")))),
        ),
        step(
            "table",
            "Format the sorted data as a markdown table.",
            lambda t: "| Value |\n|---|\n" + "\n".join(f"| {x} |" for x in t.splitlines()),
        ),
    ],
    name="report",
)

STAKEHOLDERS = ["Customers", "Employees", "Investors", "Suppliers"]
impact = al.Parallel(
    [
        step(
            f"impact_{who.lower()}",
            f"Analyze how market changes will impact {who}.",
            lambda t, who=who: f"{who}: prices and priorities will shift.",
        )
        for who in STAKEHOLDERS
    ],
    name="stakeholders",
)

TEAMS = {
    "billing": "Billing Support",
    "technical": "Technical Support",
    "account": "Account Security",
}


def classify(text: str) -> str:
    text = text.lower()
    if "charge" in text or "invoice" in text:
        return "billing"
    if "password" in text or "login" in text:
        return "account"
    return "technical" if "error" in text else "general"


router = al.Router(
    step("classifier", f"Pick one label: {', '.join(TEAMS)}.", classify),
    routes={
        key: step(
            key, f"You are a {name} specialist.", lambda t, name=name: f"{name} here: we are on it."
        )
        for key, name in TEAMS.items()
    },
    fallback=step("general", "You are a general support agent.", lambda t: "We will look into it."),
)


async def main() -> list[al.Run]:
    table = await chain.run(REPORT)
    print(table.output)
    impacts = await impact.run("Market changes: prices of raw materials rise by 20%.")
    print("\n".join(impacts.output))
    tickets = [
        "I was charged twice on my invoice",
        "I cannot login, password reset fails",
        "Where is my parcel?",
    ]
    routed = [await router.run(ticket) for ticket in tickets]
    for ticket, run in zip(tickets, routed, strict=True):
        print(f"{ticket!r} -> {run.output}")
    return [table, impacts, *routed]


EXPECTED = ["completed"] * 5

if __name__ == "__main__":
    asyncio.run(main())
