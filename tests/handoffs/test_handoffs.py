"""Manager-style handoffs (an agent as a tool) and the handoff helpers a user meets."""

from __future__ import annotations

import pytest

import agentlab as al
from agentlab.core.names import snake_case, transfer_tool_name

PRICE = "openai:gpt-4o-mini"


def lookup_order(order_id: str) -> str:
    """Look an order up by id."""
    return f"order {order_id}: shipped"


def _manager(sub: al.Agent, *responses: object, **tool_args: object) -> al.Agent:
    return al.Agent(
        name="Manager",
        instructions="Delegate.",
        model=al.ScriptedModel(list(responses), priced_as=PRICE),
        tools=[sub.as_tool(**tool_args)],  # type: ignore[arg-type]
    )


def test_snake_case_names_for_tools():
    assert snake_case("Research Assistant") == "research_assistant"
    assert snake_case("TriageAgent") == "triage_agent"
    assert snake_case("L2 ops!") == "l2_ops"
    assert snake_case("42") == "agent_42"
    assert transfer_tool_name("Billing Support") == "transfer_to_billing_support"
    with pytest.raises(al.ConfigError, match="name="):
        snake_case("!!!")


def test_as_tool_defaults_one_text_argument_named_input():
    researcher = al.Agent(name="Web Researcher", instructions="Find sources.\nBe brief.")
    tool = researcher.as_tool()
    assert isinstance(tool, al.Tool)
    assert tool.name == "web_researcher"
    assert tool.spec.description == "Find sources."
    assert tool.spec.parameters["required"] == ["input"]
    assert list(tool.spec.parameters["properties"]) == ["input"]
    named = researcher.as_tool(name="research", description="Looks things up.")
    assert (named.name, named.spec.description) == ("research", "Looks things up.")
    with pytest.raises(al.ConfigError, match="identifier"):
        researcher.as_tool(name="not a name")


def test_sub_agent_nests_under_the_managers_tool_span_with_its_own_cost():
    orders = al.Agent(
        name="Orders",
        instructions="Look orders up.",
        tools=[lookup_order],
        model=al.ScriptedModel(
            [al.ToolCall("lookup_order", {"order_id": "42"}), "Order 42 has shipped."],
            priced_as=PRICE,
        ),
    )
    manager = _manager(
        orders, al.ToolCall("orders", {"input": "status of order 42"}), "Your order shipped."
    )
    run = manager.run_sync("Where is my order 42?")
    assert run.status == "completed" and run.output == "Your order shipped."
    trace = run.trace
    manager_tool = trace.find("tool", name="orders")[0]
    assert manager_tool.agent == "Manager" and manager_tool.output == "Order 42 has shipped."
    sub_span = trace.find("agent", name="Orders")[0]
    assert sub_span.parent_id == manager_tool.id
    assert trace.messages_of(sub_span, "in")[-1].content == "status of order 42"
    # the sub-agent's model spans are its own: tokens and money per agent
    assert [s.agent for s in trace.find("model")] == ["Manager", "Orders", "Orders", "Manager"]
    cost = {a: sum(s.cost_usd for s in trace.find("model", agent=a)) for a in ("Manager", "Orders")}
    assert cost["Orders"] > 0 and cost["Manager"] > 0
    assert run.cost == pytest.approx(cost["Manager"] + cost["Orders"])
    # the user only talks to the manager
    spoke = [m.agent for m in run.messages if m.role == "assistant" and m.content]
    assert spoke == ["Manager"]
    assert run.handoffs == []


def test_sub_agent_stop_becomes_an_error_result_and_the_manager_goes_on():
    looping = al.Agent(
        name="Looper",
        tools=[lookup_order],
        limits=al.Limits(max_turns=2),
        model=al.ScriptedModel([al.ToolCall("lookup_order", {"order_id": "1"})] * 2),
    )
    manager = _manager(looping, al.ToolCall("looper", {"input": "go"}), "The helper got stuck.")
    run = manager.run_sync("help")
    assert run.status == "completed" and run.output == "The helper got stuck."
    result = run.trace.find("tool", name="looper")[0]
    assert result.status == "error"
    assert result.output.startswith("Error: ToolError: agent 'Looper' stopped (max_turns)")
    tool_message = next(m for m in run.messages if m.role == "tool")
    assert tool_message.is_error and "max_turns=2" in tool_message.content
    assert run.trace.find("limit")[0].attributes["limit"] == "max_turns"


def test_sub_agent_failure_becomes_an_error_result():
    broken = al.Agent(name="Broken", model=al.ScriptedModel([]))
    manager = _manager(broken, al.ToolCall("broken", {"input": "x"}), "Could not do it.")
    run = manager.run_sync("help")
    assert run.status == "completed"
    output = run.trace.find("tool", name="broken")[0].output
    assert output.startswith("Error: ToolError: agent 'Broken' failed: ScriptExhausted")


def test_sub_agent_cannot_escape_the_shared_budget():
    # the sub-agent's own, larger budget does not lift the parent's
    spender = al.Agent(
        name="Spender",
        limits=al.Limits(max_cost_usd=100.0),
        model=al.ScriptedModel(["x" * 4000] * 3, priced_as=PRICE),
    )
    manager = _manager(spender, al.ToolCall("spender", {"input": "go"}), "done")
    run = manager.run_sync("go", limits=al.Limits(max_cost_usd=0.0005))
    assert run.status == "stopped" and run.stop_reason == "max_cost_usd"
    limit = run.trace.find("limit")[0]
    assert limit.attributes["limit"] == "max_cost_usd"
    assert run.trace.get(limit.parent_id).agent == "Spender"
    with pytest.raises(al.BudgetExceeded):
        run.raise_for_status()


def test_sub_agent_uses_the_parents_turn_limit_unless_it_has_its_own():
    chatty = al.Agent(
        name="Chatty",
        tools=[lookup_order],
        model=al.ScriptedModel([al.ToolCall("lookup_order", {"order_id": "1"})] * 5),
    )
    manager = _manager(chatty, al.ToolCall("chatty", {"input": "go"}), "ok")
    run = manager.run_sync("go", limits=al.Limits(max_turns=3))
    assert run.status == "completed"
    assert run.trace.find("agent", name="Chatty")[0].attributes["turns"] == 3


def test_input_filter_rewrites_what_the_sub_agent_gets():
    echo = al.Agent(name="Echo", model=al.FunctionModel(lambda msgs, tools: msgs[-1].content))
    manager = _manager(
        echo,
        al.ToolCall("echo", {"input": "hello"}),
        "done",
        input_filter=lambda text: f"Task from the manager: {text}",
    )
    run = manager.run_sync("x")
    assert run.trace.find("tool", name="echo")[0].output == "Task from the manager: hello"


def test_bad_tool_arguments_are_an_error_result():
    echo = al.Agent(name="Echo", model=al.ScriptedModel(["never"]))
    manager = _manager(echo, al.ToolCall("echo", {"text": "hi"}), "ok")
    run = manager.run_sync("x")
    assert run.status == "completed"
    assert "takes one text argument 'input'" in run.trace.find("tool")[0].output
    assert run.trace.find("agent", name="Echo") == []


def test_filters_trim_the_default_context():
    call = al.ToolCall("lookup_order", {"order_id": "1"}, id="c1")
    messages = [
        al.Message.user("hi"),
        al.Message.assistant("Let me check.", tool_calls=(call,), agent="A"),
        al.ToolResult("c1", "lookup_order", "shipped").to_message("A"),
        al.Message.assistant("It shipped.", agent="A"),
        al.Message.system("Handoff from A to B (hop 1).\nIntent: help"),
    ]
    assert al.note_only(messages) == messages[-1:]
    assert al.keep_last_messages(2)(messages) == messages[-2:]
    # never starts with a tool result whose call was cut off
    assert al.keep_last_messages(3)(messages) == messages[-2:]
    assert al.keep_last_messages(3).__name__ == "keep_last_messages(3)"
    dropped = al.drop_tool_messages(messages)
    assert [m.role for m in dropped] == ["user", "assistant", "assistant", "system"]
    assert dropped[1].content == "Let me check." and dropped[1].tool_calls == ()
    with pytest.raises(al.ConfigError):
        al.keep_last_messages(0)
