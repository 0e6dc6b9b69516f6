"""Run context: deps= on every run entry, al.Ctx parameters, instructions functions."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

import agentlab as al


@dataclass
class Shop:
    orders: dict[str, str]


def lookup(ctx: al.Ctx[Shop], order_id: str) -> str:
    """Look an order up."""
    return f"{ctx.agent}: {ctx.deps.orders[order_id]} after {ctx.usage.requests} calls"


def _agent(*script: object, tools: list[object] | None = None, **kw: object) -> al.Agent:
    return al.Agent("Support", model=al.ScriptedModel(list(script)), tools=tools or [lookup], **kw)


def test_ctx_parameter_is_hidden_from_the_schema_and_gets_deps() -> None:
    agent = _agent(al.ToolCall("lookup", {"order_id": "42"}), "done")
    assert list(agent.tool_specs[0].parameters["properties"]) == ["order_id"]
    assert agent.tool_specs[0].parameters["required"] == ["order_id"]
    run = agent.run_sync("where?", deps=Shop({"42": "shipped"}))
    assert run.status == "completed"
    tool = next(s for s in run.trace.spans if s.kind == "tool")
    assert tool.output == "Support: shipped after 1 calls"


def test_parameter_named_context_without_annotation_stays_a_model_argument() -> None:
    def note(context: str) -> str:
        return context.upper()

    agent = _agent(al.ToolCall("note", {"context": "hi"}), "ok", tools=[note])
    assert list(agent.tool_specs[0].parameters["properties"]) == ["context"]
    run = agent.run_sync("x")
    assert next(s for s in run.trace.spans if s.kind == "tool").output == "HI"


def test_async_tool_with_ctx_first_or_last_and_no_deps() -> None:
    async def where(order_id: str, ctx: al.Ctx) -> str:
        await asyncio.sleep(0)
        return f"{order_id}:{ctx.deps!r}"

    run = _agent(al.ToolCall("where", {"order_id": "7"}), "ok", tools=[where]).run_sync("x")
    assert next(s for s in run.trace.spans if s.kind == "tool").output == "7:None"


async def test_deps_reach_run_and_conversation_send() -> None:
    seen: list[object] = []

    def remember(ctx: al.Ctx, what: str) -> str:
        seen.append(ctx.deps)
        return "ok"

    model = al.ScriptedModel([al.ToolCall("remember", {"what": "a"}), "one",
                              al.ToolCall("remember", {"what": "b"}), "two"])  # fmt: skip
    agent = al.Agent("A", model=model, tools=[remember])
    await agent.run("x", deps={"user": 1})
    member = agent.clone(model=al.ScriptedModel([al.ToolCall("remember", {"what": "c"}), "3"]))
    conv = al.Team([member], entry=member).conversation()
    await conv.send("y", deps={"user": 2})
    assert seen == [{"user": 1}, {"user": 2}]


def test_instructions_function_sync_and_async_is_the_system_message() -> None:
    def sync_fn(ctx: al.Ctx) -> str:
        return f"Help {ctx.deps['name']} as {ctx.agent}."

    async def async_fn(ctx: al.Ctx) -> str:
        return f"Async help for {ctx.deps['name']}."

    for fn, expected in [(sync_fn, "Help Ada as Bot."), (async_fn, "Async help for Ada.")]:
        agent = al.Agent("Bot", instructions=fn, model=al.ScriptedModel(["hi"]))
        run = agent.run_sync("hello", deps={"name": "Ada"})
        assert run.status == "completed"
        system = [m for m in run.trace.messages if m.role == "system"]
        assert [m.content for m in system] == [expected]


def test_instructions_function_is_called_each_invocation() -> None:
    calls: list[int] = []

    def fn(ctx: al.Ctx) -> str:
        calls.append(1)
        return f"call {len(calls)}"

    agent = al.Agent("Bot", instructions=fn, model=al.ScriptedModel(["a", "b"]))
    agent.run_sync("1")
    run = agent.run_sync("2")
    assert [m.content for m in run.trace.messages if m.role == "system"] == ["call 2"]


def test_instructions_function_returning_non_text_fails_the_run() -> None:
    agent = al.Agent("Bot", instructions=lambda ctx: 42, model=al.ScriptedModel(["a"]))
    run = agent.run_sync("x")
    assert run.status == "failed"
    assert "must return the instructions text" in str(run.error)


def test_instructions_of_wrong_type_is_a_config_error() -> None:
    with pytest.raises(al.ConfigError, match="text or a function"):
        al.Agent("Bot", instructions=42)  # type: ignore[arg-type]


def test_nested_run_sees_enclosing_deps_unless_given_its_own() -> None:
    inner_seen: list[object] = []

    def probe(ctx: al.Ctx, q: str) -> str:
        inner_seen.append(ctx.deps)
        return "ok"

    def outer_tool(q: str) -> str:
        inner = al.Agent("Inner", model=al.ScriptedModel(
            [al.ToolCall("probe", {"q": q}), "x", al.ToolCall("probe", {"q": q}), "y"]),
            tools=[probe])  # fmt: skip
        inner.run_sync(q)
        inner.run_sync(q, deps="own")
        return "done"

    agent = _agent(al.ToolCall("outer_tool", {"q": "z"}), "end", tools=[outer_tool])
    assert agent.run_sync("go", deps="outer").status == "completed"
    assert inner_seen == ["outer", "own"]


def test_experiment_passes_deps_to_each_task() -> None:
    seen: list[object] = []

    def step(ctx: al.Ctx, text: str) -> str:
        seen.append(ctx.deps)
        return text

    exp = al.Experiment({"c": al.Chain([step])}, [{"input": "a"}, {"input": "b"}], deps="db")
    exp.run_sync(progress=False)
    exp.run_sync(progress=False, deps="other")
    assert seen == ["db", "db", "other", "other"]
