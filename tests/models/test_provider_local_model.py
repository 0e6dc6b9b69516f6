"""Opt-in: a real model with no key (``make local-model``), checked for structure only.

Start the server in another terminal with ``make local-model``, then run
``AGENTLAB_LOCAL_MODEL_URL=http://127.0.0.1:8080/v1 pytest
tests/models/test_provider_local_model.py`` (``make test-real`` does both).
SmolLM2-135M is a toy: these tests check that the server answers and that a forced
tool call parses, never the quality of an answer.
"""

from __future__ import annotations

import os

import pytest

import agentlab as al

URL = os.environ.get("AGENTLAB_LOCAL_MODEL_URL")
pytestmark = [
    pytest.mark.skipif(
        not URL, reason="opt-in: run `make local-model`, set AGENTLAB_LOCAL_MODEL_URL"
    ),
    pytest.mark.timeout(900),  # a toy on a busy 2-core CPU: minutes, not the usual 120 s
]


def lookup_order(order_id: str) -> str:
    """Look an order up by its id."""
    return f"order {order_id}: shipped"


async def test_the_local_server_answers_with_usage():
    agent = al.Agent(name="Hello", instructions="Answer in one short sentence.",
                     model=f"openai:smollm2@{URL}", settings={"max_tokens": 40})  # fmt: skip
    run = await agent.run("Say hello.")
    assert run.status == "completed", run.error
    assert isinstance(run.output, str) and run.output.strip()
    span = run.trace.find("model")[0]
    assert span.usage.input_tokens > 0 and span.usage.output_tokens > 0
    assert span.cost_usd is None  # no price for a local toy model


async def test_a_forced_tool_call_parses():
    agent = al.Agent(
        name="Support", instructions="Look orders up with the tool.",
        model=f"openai:smollm2@{URL}", tools=[lookup_order],
        settings={"tool_choice": "lookup_order", "max_tokens": 100, "temperature": 0},
    )  # fmt: skip
    run = await agent.run("Where is order 42?", limits=al.Limits(max_turns=1))
    assert run.stop_reason == "max_turns"  # the forced tool is called on every turn
    tool = run.trace.find("tool")[0]
    assert tool.name == "lookup_order"
    assert isinstance(tool.attributes["arguments"], dict)


async def test_the_readme_forced_tool_recipe_completes():
    """The tool call round-trips (content "" not null) and the forced choice lasts one turn."""
    agent = al.Agent(
        name="Support", instructions="Look orders up with the tool, then answer.",
        model=f"openai:smollm2@{URL}", tools=[lookup_order],
        settings={"tool_choice": "lookup_order", "temperature": 0, "max_tokens": 60},
    )  # fmt: skip
    run = await agent.run("Where is order 42?", limits=al.Limits(max_turns=3))
    assert run.status != "failed", run.error
    assert run.trace.find("tool")[0].name == "lookup_order"


async def test_structured_output_falls_back_to_grammar_json():
    from pydantic import BaseModel

    class Ticket(BaseModel):
        category: str
        urgent: bool

    agent = al.Agent(name="Triage", instructions="Classify the ticket.",
                     model=f"openai:smollm2@{URL}", output_type=Ticket,
                     settings={"temperature": 0, "max_tokens": 60})  # fmt: skip
    run = await agent.run("I was charged twice, fix it now!")
    assert run.status == "completed", run.error
    assert isinstance(run.output, Ticket)
    assert "response_format_fallback" in run.trace.find("model")[0].attributes
