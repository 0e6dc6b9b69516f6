"""A forced tool choice applies to one turn: the next request says "auto" (issue 14)."""

from __future__ import annotations

import pytest

import agentlab as al


class Spy:
    """A model that records the settings of every request it gets."""

    name, price_key, offline = "spy", None, True

    def __init__(self, responses: list) -> None:
        self.inner = al.ScriptedModel(responses)
        self.settings: list[dict] = []

    async def respond(self, request):
        self.settings.append(dict(request.settings))
        return await self.inner.respond(request)


def lookup(order_id: str) -> str:
    """Look an order up."""
    return f"order {order_id}: shipped"


@pytest.mark.parametrize("forced", ["lookup", "required", "any", {"name": "lookup"}])
def test_after_a_forced_tool_turn_the_model_may_answer(forced):
    spy = Spy([al.ToolCall("lookup", {"order_id": "42"}), "It shipped."])
    agent = al.Agent(name="A", model=spy, tools=[lookup],
                     settings={"tool_choice": forced, "temperature": 0})  # fmt: skip
    run = agent.run_sync("Where is 42?")
    assert (run.status, run.output) == ("completed", "It shipped.")
    assert [s["tool_choice"] for s in spy.settings] == [forced, "auto"]
    assert all(s["temperature"] == 0 for s in spy.settings)  # other settings are kept
    assert agent.settings["tool_choice"] == forced  # the agent itself is untouched


def test_reset_tool_choice_false_keeps_forcing_until_max_turns():
    spy = Spy([al.ToolCall("lookup", {"order_id": "42"})] * 3)
    agent = al.Agent(name="A", model=spy, tools=[lookup], settings={"tool_choice": "lookup"},
                     reset_tool_choice=False)  # fmt: skip
    run = agent.run_sync("Where is 42?", limits=al.Limits(max_turns=3))
    assert (run.status, run.stop_reason) == ("stopped", "max_turns")
    assert [s["tool_choice"] for s in spy.settings] == ["lookup"] * 3


@pytest.mark.parametrize("choice", ["auto", "none", None])
def test_choices_that_force_nothing_are_sent_unchanged(choice):
    settings = {} if choice is None else {"tool_choice": choice}
    spy = Spy([al.ToolCall("lookup", {"order_id": "1"}), "ok"])
    al.Agent(name="A", model=spy, tools=[lookup], settings=settings).run_sync("x")
    assert spy.settings == [settings, settings]


def test_reset_tool_choice_must_be_a_bool():
    with pytest.raises(al.ConfigError, match="reset_tool_choice"):
        al.Agent(name="A", reset_tool_choice="yes")
