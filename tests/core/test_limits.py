"""Guards on by default: each ends the run "stopped" with a limit span and keeps the partial."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time

import pytest

import agentlab as al


def ping(n: int) -> str:
    """Ping."""
    return f"pong {n}"


def looping_agent(turns: int = 50, **kwargs) -> al.Agent:
    responses = [al.ToolCall("ping", {"n": i}) for i in range(turns)]
    return al.Agent(name="Loop", model=al.ScriptedModel(responses, **kwargs), tools=[ping])


def test_max_turns_is_on_by_default_and_stops_with_a_limit_span():
    run = looping_agent().run_sync("go")
    assert (run.status, run.stop_reason) == ("stopped", "max_turns")
    assert "max_turns=10 reached" in run.stop_detail and "'Loop'" in run.stop_detail
    assert run.usage.requests == 10
    limit = run.trace.find("limit")[0]
    assert limit.attributes == {"limit": "max_turns", "value": 10, "reached": 10}
    assert limit.status == "stopped"
    assert run.trace.find("agent")[0].status == "stopped"
    assert len(run.messages) == 21  # partial history kept: user + 10 x (call, result)
    with pytest.raises(al.MaxTurns, match="max_turns=10"):
        run.raise_for_status()


def test_run_limits_win_over_agent_limits():
    agent = al.Agent(
        name="A",
        model=al.ScriptedModel([al.ToolCall("ping", {"n": 1})] * 9),
        tools=[ping],
        limits=al.Limits(max_turns=2),
    )
    assert agent.run_sync("go").usage.requests == 2
    run = agent.run_sync("go", limits=al.Limits(max_turns=3))
    assert run.usage.requests == 3  # the run's argument wins, as its trace header says
    assert run.trace.header["limits"]["max_turns"] == 3
    # nested, an agent's own limits bound its invocation
    nested = al.Chain([agent]).run_sync("go", limits=al.Limits(max_turns=5))
    assert nested.usage.requests == 2 and nested.stop_reason == "max_turns"


def test_max_tool_calls_stops_the_run():
    run = looping_agent().run_sync("go", limits=al.Limits(max_tool_calls=3))
    assert (run.status, run.stop_reason) == ("stopped", "max_tool_calls")
    assert len(run.trace.find("tool")) == 3
    assert run.trace.find("limit")[0].attributes["reached"] == 4
    with pytest.raises(al.MaxToolCalls):
        run.raise_for_status()


def test_max_tokens_stops_the_run():
    run = looping_agent().run_sync("go", limits=al.Limits(max_tokens=200))
    assert (run.status, run.stop_reason) == ("stopped", "max_tokens")
    assert run.trace.find("limit")[0].attributes["value"] == 200
    assert run.usage.total_tokens > 200


def test_money_budget_stops_a_priced_run():
    agent = looping_agent(priced_as="openai:gpt-4.1")
    run = agent.run_sync("go", limits=al.Limits(max_cost_usd=0.001))
    assert (run.status, run.stop_reason) == ("stopped", "max_cost_usd")
    assert run.cost > 0.001
    assert "max_cost_usd=$0.0010 reached" in run.stop_detail
    with pytest.raises(al.BudgetExceeded):
        run.raise_for_status()


def test_unpriced_model_marks_the_budget_not_enforceable():
    run = looping_agent(turns=1).run_sync("go", limits=al.Limits(max_turns=1))
    note = run.trace.root.attributes["cost_budget"]
    assert note.startswith("not enforceable: no known price for scripted")


def test_timeout_stops_with_reason_timeout():
    model = al.ScriptedModel(["slow"] * 3, latency_s=1.0)
    run = al.Agent(name="Slow", model=model).run_sync("x", limits=al.Limits(timeout_s=0.1))
    assert (run.status, run.stop_reason) == ("stopped", "timeout")
    assert run.trace.find("model")[0].status == "stopped"
    assert run.trace.find("limit")[0].attributes["value"] == 0.1
    assert [m.role for m in run.messages] == ["user"]  # the agent's partial history, kept


def test_a_shared_budget_running_out_in_a_sub_agent_stops_the_whole_tree():
    helper = looping_agent()
    manager = al.Agent(
        name="Manager",
        model=al.ScriptedModel([al.ToolCall("loop", {"input": "go"}), "never reached"]),
        tools=[helper.as_tool()],
    )
    run = manager.run_sync("go", limits=al.Limits(max_tool_calls=4))
    assert (run.status, run.stop_reason) == ("stopped", "max_tool_calls")
    assert run.usage.requests == 5  # manager 1 + sub-agent 4 (its 4th ping is tool call 5)
    assert [s.agent for s in run.trace.find("model")].count("Manager") == 1  # never again
    assert len(run.trace.find("limit")) == 1


async def test_cancelling_a_run_ends_it_interrupted_with_partial_trace():
    model = al.ScriptedModel([al.ToolCall("ping", {"n": 1}), "never"], latency_s=0.2)
    task = asyncio.ensure_future(al.Agent(name="A", model=model, tools=[ping]).run("go"))
    await asyncio.sleep(0.3)  # first turn done, second under way
    task.cancel()
    run = await task
    assert (run.status, run.stop_reason) == ("stopped", "interrupted")
    assert [s.kind for s in run.trace.find("tool")] == ["tool"]
    assert run.trace.find("model")[-1].status == "stopped"
    with pytest.raises(al.Interrupted):
        run.raise_for_status()


def test_ctrl_c_during_run_sync_returns_an_interrupted_run():
    model = al.ScriptedModel(["slow"], latency_s=5)
    ctrl_c = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))  # a real Ctrl-C
    ctrl_c.start()
    started = time.perf_counter()
    try:
        run = al.Agent(name="A", model=model).run_sync("x")
    finally:
        ctrl_c.cancel()  # never let a late signal hit pytest itself
    assert time.perf_counter() - started < 3
    assert (run.status, run.stop_reason) == ("stopped", "interrupted")


def test_nested_budget_draws_on_parent():
    from agentlab.core.limits import Budget

    parent = Budget(al.Limits(max_tokens=100))
    child = Budget(al.Limits(max_tokens=1000), parent=parent)
    child.charge(al.Usage(input_tokens=60), None, "m")
    with pytest.raises(al.MaxTokens) as info:
        child.charge(al.Usage(input_tokens=60), None, "m")
    assert info.value.scope is parent
    assert (parent.tokens, child.tokens) == (120, 120)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_turns": 0}, "max_turns=0"),
        ({"max_turns": 2.5}, "whole number"),
        ({"max_cost_usd": -1}, "positive number"),
        ({"timeout_s": 0}, "timeout_s=0"),
    ],
)
def test_bad_limits_fail_at_construction(kwargs, message):
    with pytest.raises(al.ConfigError, match=message):
        al.Limits(**kwargs)
