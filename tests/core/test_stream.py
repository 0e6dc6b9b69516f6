"""runnable.stream(): events as the run goes, the done event, leaving early."""

from __future__ import annotations

import asyncio

import agentlab as al


def lookup(order_id: str) -> str:
    """Look an order up."""
    return "shipped"


def support(responses) -> al.Agent:
    return al.Agent(name="Support", model=al.ScriptedModel(responses), tools=[lookup])


async def collect(stream):
    return [event async for event in stream]


async def test_a_stream_yields_spans_messages_deltas_and_done_last():
    agent = support([al.ToolCall("lookup", {"order_id": "1"}), "Your order has shipped."])
    events = await collect(agent.stream("where?"))
    kinds = [e.kind for e in events]
    assert kinds[0] == "span_start" and kinds[-1] == "done"
    assert kinds.count("done") == 1
    text = "".join(e.text for e in events if e.kind == "text_delta")
    assert text == "Your order has shipped."
    assert sum(1 for e in events if e.kind == "text_delta") > 1  # word by word
    roles = [e.message.role for e in events if e.kind == "message"]
    assert roles == ["user", "assistant", "tool", "assistant"]
    run = events[-1].run
    assert run.status == "completed" and run.output == "Your order has shipped."
    started = {e.span.id for e in events if e.kind == "span_start"}
    ended = {e.span.id for e in events if e.kind == "span_end"}
    assert started == ended == {s.id for s in run.trace.spans}


async def test_text_deltas_point_at_their_model_span():
    events = await collect(support(["one two"]).stream("x"))
    model_ids = {e.span.id for e in events if e.kind == "span_start" and e.span.kind == "model"}
    assert {e.span_id for e in events if e.kind == "text_delta"} == model_ids


async def test_a_function_model_sends_its_whole_text_as_one_delta():
    agent = al.Agent(name="F", model=al.FunctionModel(lambda m, t: "all at once"))
    events = await collect(agent.stream("x"))
    assert [e.text for e in events if e.kind == "text_delta"] == ["all at once"]


async def test_breaking_out_cancels_the_run_with_no_further_model_calls():
    model = al.ScriptedModel([al.ToolCall("lookup", {"order_id": "1"})] * 3 + ["done"])
    agent = al.Agent(name="Loop", model=model, tools=[lookup])
    stream = agent.stream("go")
    async for event in stream:
        if event.kind == "span_end" and event.span.kind == "model":
            break
    await stream.aclose()
    assert model.calls == 1
    assert stream.run.status == "stopped" and stream.run.stop_reason == "interrupted"
    assert stream.run.trace.find("model")  # the partial trace is kept


async def test_a_stream_left_without_aclose_still_stops_the_run():
    model = al.ScriptedModel([al.ToolCall("lookup", {"order_id": "1"})] * 3 + ["done"])
    agent = al.Agent(name="Loop", model=model, tools=[lookup])
    async for event in agent.stream("go"):
        if event.kind == "text_delta" or event.kind == "span_end":
            break
    for _ in range(20):
        await asyncio.sleep(0.01)
    assert model.calls <= 1


async def test_a_pattern_streams_every_nested_agent():
    first = al.Agent(name="First", model=al.ScriptedModel(["alpha"]))
    second = al.Agent(name="Second", model=al.ScriptedModel(["beta gamma"]))
    events = await collect(al.Chain([first, second]).stream("x"))
    assert "".join(e.text for e in events if e.kind == "text_delta") == "alphabeta gamma"
    assert events[-1].run.output == "beta gamma"


async def test_stream_passes_run_keyword_arguments_through():
    agent = al.Agent(
        name="Turns",
        model=al.ScriptedModel([al.ToolCall("lookup", {"order_id": "1"})] * 5),
        tools=[lookup],
    )
    events = await collect(agent.stream("go", limits=al.Limits(max_turns=2)))
    assert events[-1].run.stop_reason == "max_turns"


async def test_a_stopped_or_failed_run_still_ends_with_done():
    events = await collect(al.Agent(name="Empty", model="scripted").stream("x"))
    assert events[-1].kind == "done" and events[-1].run.status == "failed"


async def test_streaming_does_not_leak_into_later_runs():
    agent = support(["a b", "c d"])
    await collect(agent.stream("x"))
    run = await agent.run("y")
    assert run.output == "c d"
    assert not run.trace.processors or not run.trace.wants_text


def test_stream_sync_gives_the_same_events_to_sync_code():
    agent = support([al.ToolCall("lookup", {"order_id": "1"}), "Shipped it is."])
    events = list(agent.stream_sync("where?"))
    assert events[-1].kind == "done" and events[-1].run.output == "Shipped it is."
    assert "".join(e.text for e in events if e.kind == "text_delta") == "Shipped it is."


def test_leaving_stream_sync_early_stops_the_run():
    model = al.ScriptedModel([al.ToolCall("lookup", {"order_id": "1"})] * 3 + ["done"])
    agent = al.Agent(name="Loop", model=model, tools=[lookup])
    events = agent.stream_sync("go")
    for event in events:
        if event.kind == "span_end" and event.span.kind == "model":
            break
    events.close()
    assert model.calls == 1


async def test_a_conversation_streams_its_turns():
    conv = al.Agent(name="C", model=al.ScriptedModel(["one", "two"])).conversation()
    first = [e async for e in conv.stream("a")]
    second = [e async for e in conv.stream("b")]
    assert first[-1].run.output == "one" and second[-1].run.output == "two"
    assert [m.content for m in conv.history] == ["a", "one", "b", "two"]
    assert conv.runs[-1] is second[-1].run
    assert [m.content for m in second[-1].run.new_messages] == ["b", "two"]
