"""The agent loop as a user meets it: answers, tools, structured output, errors."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import pytest
from pydantic import BaseModel

import agentlab as al


def lookup_order(order_id: str) -> str:
    """Look an order up by id."""
    return f"order {order_id}: shipped"


def test_tool_call_then_answer_gives_output_usage_and_trace():
    model = al.ScriptedModel(
        [al.ToolCall("lookup_order", {"order_id": "42"}), "Your order 42 has shipped."]
    )
    agent = al.Agent(name="Support", instructions="Help.", model=model, tools=[lookup_order])
    run = agent.run_sync("Where is order 42?")
    assert (run.output, run.status, run.stop_reason, run.error) == (
        "Your order 42 has shipped.",
        "completed",
        None,
        None,
    )
    assert run.usage.requests == 2
    assert run.usage.input_tokens > 0 and run.usage.output_tokens > 0
    assert run.cost is None  # unpriced offline model: None, never a made-up 0
    tool = run.trace.find("tool")[0]
    assert tool.output == "order 42: shipped" and tool.status == "ok"
    assert tool.attributes["arguments"] == {"order_id": "42"}
    assert [m.role for m in run.messages] == ["system", "user", "assistant", "tool", "assistant"]
    assert run.messages[3].tool_call_id == run.messages[2].tool_calls[0].id != ""


def test_priced_as_gives_real_money_per_model_span():
    model = al.ScriptedModel(["hi"], priced_as="openai:gpt-4o-mini")
    run = al.Agent(name="A", model=model).run_sync("hello")
    span = run.trace.find("model")[0]
    expected = span.usage.input_tokens * 0.15e-6 + span.usage.output_tokens * 0.6e-6
    assert run.cost == pytest.approx(expected)
    assert "genai-prices" in span.attributes["price_source"]


async def test_await_run_in_async_code():
    run = await al.Agent(name="A", model=al.ScriptedModel(["hi"])).run("hello")
    assert run.output == "hi"


def test_tool_that_raises_goes_back_to_the_model_and_run_continues():
    def flaky(x: int) -> str:
        """Fails."""
        raise ValueError(f"bad x={x}")

    model = al.ScriptedModel([al.ToolCall("flaky", {"x": 3}), "sorry, that failed"])
    run = al.Agent(name="A", model=model, tools=[flaky]).run_sync("go")
    assert run.status == "completed" and run.output == "sorry, that failed"
    tool = run.trace.find("tool")[0]
    assert tool.status == "error" and tool.output == "Error: ValueError: bad x=3"
    assert run.messages[-2].is_error and run.messages[-2].content == "Error: ValueError: bad x=3"


def test_unknown_tool_and_malformed_json_name_the_available_tools():
    model = al.ScriptedModel(
        [
            [al.ToolCall("lookup_ordr", {"order_id": "1"}), al.ToolCall("lookup_order", "{bad")],
            "ok",
        ]
    )
    run = al.Agent(name="A", model=model, tools=[lookup_order]).run_sync("go")
    assert run.status == "completed"
    unknown, malformed = run.trace.find("tool")
    assert "no tool named 'lookup_ordr'; available tools: lookup_order" in unknown.output
    assert malformed.output.startswith("Error: ValueError: arguments for 'lookup_order'")
    assert "JSON object" in malformed.output


def test_bad_arguments_are_validated_before_the_call():
    calls = []

    def add(a: int, b: int) -> int:
        """Add."""
        calls.append((a, b))
        return a + b

    model = al.ScriptedModel(
        [al.ToolCall("add", {"a": "x"}), al.ToolCall("add", {"a": 1, "b": 2}), "3"]
    )
    run = al.Agent(name="A", model=model, tools=[add]).run_sync("go")
    first, second = run.trace.find("tool")
    assert first.status == "error" and "ValidationError" in first.output
    assert second.output == "3" and calls == [(1, 2)]


def test_sync_tools_in_one_turn_overlap_in_worker_threads():
    def slow(n: int) -> str:
        """Sleep."""
        time.sleep(0.3)
        return str(n)

    model = al.ScriptedModel([[al.ToolCall("slow", {"n": i}) for i in range(4)], "done"])
    started = time.perf_counter()
    run = al.Agent(name="A", model=model, tools=[slow]).run_sync("go")
    assert run.status == "completed"
    assert time.perf_counter() - started < 0.9  # 4 x 0.3 s one by one would be 1.2 s
    assert [m.content for m in run.messages if m.role == "tool"] == ["0", "1", "2", "3"]


def test_async_tools_are_awaited():
    async def fetch(url: str) -> dict[str, str]:
        """Fetch."""
        await asyncio.sleep(0)
        return {"url": url, "status": "ok"}

    model = al.ScriptedModel([al.ToolCall("fetch", {"url": "u"}), "done"])
    run = al.Agent(name="A", model=model, tools=[fetch]).run_sync("go")
    assert run.trace.find("tool")[0].output == '{"url": "u", "status": "ok"}'


class Ticket(BaseModel):
    category: str
    urgent: bool


@dataclasses.dataclass
class Point:
    x: int
    y: int


def test_structured_output_pydantic_and_dataclass():
    run = al.Agent(
        name="C",
        model=al.ScriptedModel(['{"category": "billing", "urgent": true}']),
        output_type=Ticket,
    ).run_sync("charged twice")
    assert run.output == Ticket(category="billing", urgent=True)
    fenced = al.ScriptedModel(['```json\n{"x": 1, "y": 2}\n```'])
    assert al.Agent(name="P", model=fenced, output_type=Point).run_sync("p").output == Point(1, 2)


def test_invalid_structured_output_is_fed_back_once_then_fails():
    model = al.ScriptedModel(["not json", '{"category": "billing", "urgent": true}'])
    run = al.Agent(name="C", model=model, output_type=Ticket).run_sync("x")
    assert run.status == "completed" and run.output.category == "billing"
    assert "did not match the required JSON schema" in run.messages[-2].content

    model = al.ScriptedModel(["nope", "still nope"])
    run = al.Agent(name="C", model=model, output_type=Ticket).run_sync("x")
    assert run.status == "failed"
    assert isinstance(run.error, al.OutputValidationError)
    with pytest.raises(al.OutputValidationError):
        run.raise_for_status()


def test_model_error_fails_the_run_and_keeps_the_partial_trace():
    def boom(messages, tools):
        raise RuntimeError("provider exploded")

    run = al.Agent(name="A", model=al.FunctionModel(boom)).run_sync("hi")
    assert run.status == "failed" and isinstance(run.error, RuntimeError)
    assert run.stop_detail == "RuntimeError: provider exploded"
    model_span = run.trace.find("model")[0]
    assert model_span.status == "error" and "provider exploded" in model_span.error
    assert run.trace.root.status == "error"
    assert [m.role for m in run.messages] == ["user"]


def test_scripted_string_model_fails_with_instructions():
    run = al.Agent(name="Triage").run_sync("hi")
    assert run.status == "failed" and isinstance(run.error, al.ScriptExhausted)
    assert "'Triage'" in str(run.error) and "al.ScriptedModel(['Hello!'])" in str(run.error)


def test_script_exhausted_names_agent_and_call_number():
    model = al.ScriptedModel([al.ToolCall("lookup_order", {"order_id": "1"})])
    run = al.Agent(name="Support", model=model, tools=[lookup_order]).run_sync("hi")
    assert run.status == "failed"
    assert "agent 'Support' made model call 2" in str(run.error)
    assert "only 1 responses" in str(run.error)


def test_one_scripted_model_serves_many_runs_in_order():
    model = al.ScriptedModel(["one", "two"])
    agent = al.Agent(name="A", model=model)
    assert [agent.run_sync("x").output for _ in range(2)] == ["one", "two"]
    assert model.remaining == 0


def test_function_model_sees_messages_and_tools():
    seen = {}

    async def fn(messages, tools):
        seen["roles"] = [m.role for m in messages]
        seen["tools"] = [t.name for t in tools]
        return messages[-1].content.upper()

    run = al.Agent(
        name="A", instructions="be loud", model=al.FunctionModel(fn), tools=[lookup_order]
    ).run_sync("hey")
    assert run.output == "HEY"
    assert seen == {"roles": ["system", "user"], "tools": ["lookup_order"]}


def test_message_list_input_is_used_as_history():
    history = [
        al.Message.user("I was charged twice"),
        al.Message.assistant("Which order?"),
        al.Message.user("42"),
    ]
    run = al.Agent(name="A", model=al.ScriptedModel(["ok"])).run_sync(history)
    assert [m.content for m in run.messages[:3]] == ["I was charged twice", "Which order?", "42"]


def test_clone_changes_a_copy_only():
    agent = al.Agent(name="A", instructions="x", model=al.ScriptedModel(["a"]))
    other = agent.clone(name="B", output_type=Ticket)
    assert (agent.name, agent.output_type, other.name, other.output_type) == (
        "A",
        None,
        "B",
        Ticket,
    )
    assert other.model is agent.model
    with pytest.raises(al.ConfigError, match="unknown arguments"):
        agent.clone(nmae="x")
