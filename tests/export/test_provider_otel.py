"""OpenTelemetry export with the GenAI semantic conventions, via the SDK's in-memory exporter."""

from __future__ import annotations

import json
import sys

import pytest
from fake_providers import openai_reply, serving
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

import agentlab as al


@pytest.fixture
def exported():
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


def lookup_order(order_id: str) -> str:
    """Look an order up by id."""
    return f"order {order_id}: shipped"


async def test_spans_carry_genai_attributes_and_keep_parents(exported):
    provider, exporter = exported
    model = al.ScriptedModel([al.ToolCall("lookup_order", {"order_id": "42"}), "Shipped."],
                             priced_as="openai:gpt-4o-mini")  # fmt: skip
    agent = al.Agent(name="Support", instructions="Help.", model=model, tools=[lookup_order])
    with al.processing(al.OTelProcessor(provider)):
        run = await agent.run("Where is 42?")
    spans = {s.name: s for s in exporter.get_finished_spans()}
    assert sorted(spans) == ["chat scripted", "execute_tool lookup_order",
                             "invoke_agent Support", "invoke_workflow Support"]  # fmt: skip
    root, agent_span = spans["invoke_workflow Support"], spans["invoke_agent Support"]
    tool = spans["execute_tool lookup_order"]
    chats = [s for s in exporter.get_finished_spans() if s.name == "chat scripted"]
    assert len(chats) == 2
    assert root.parent is None
    assert agent_span.parent.span_id == root.context.span_id
    assert all(c.parent.span_id == agent_span.context.span_id for c in chats)
    assert tool.parent.span_id == agent_span.context.span_id
    assert len({s.context.trace_id for s in exporter.get_finished_spans()}) == 1
    first = min(chats, key=lambda s: s.start_time)
    assert first.attributes["gen_ai.operation.name"] == "chat"
    assert first.attributes["gen_ai.request.model"] == "scripted"
    assert first.attributes["gen_ai.agent.name"] == "Support"
    usage = run.trace.find("model")[0].usage
    assert first.attributes["gen_ai.usage.input_tokens"] == usage.input_tokens
    assert first.attributes["gen_ai.usage.output_tokens"] == usage.output_tokens
    assert first.attributes["agentlab.cost_usd"] == run.trace.find("model")[0].cost_usd
    inputs = json.loads(first.attributes["gen_ai.input.messages"])
    assert inputs[0] == {"role": "system", "parts": [{"type": "text", "content": "Help."}]}
    outputs = json.loads(first.attributes["gen_ai.output.messages"])
    assert outputs[0]["parts"][0]["type"] == "tool_call"
    assert tool.attributes["gen_ai.tool.name"] == "lookup_order"
    assert tool.attributes["gen_ai.tool.call.result"] == "order 42: shipped"
    assert agent_span.attributes["gen_ai.operation.name"] == "invoke_agent"
    model_span = run.trace.find("model")[0]
    assert first.start_time == int(model_span.start * 1e9)
    assert first.end_time == int(model_span.end * 1e9)


async def test_real_provider_span_names_errors_and_no_content(exported, monkeypatch):
    provider, exporter = exported
    key = "sk-otel-test-0123456789abcdef"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    with serving() as server:
        server.push(openai_reply(f"echo {key}"))
        agent = al.Agent(name="A", model=f"openai:gpt-4o-mini@{server.openai_url}")
        processor = al.OTelProcessor(provider, capture_content=False)
        al.add_processor(processor)
        try:
            ok = await agent.run("Hi")
            failed = await al.Agent(name="B", model=al.ScriptedModel([])).run("Hi")
        finally:
            al.remove_processor(processor)
    assert ok.status == "completed" and failed.status == "failed"
    chat = next(s for s in exporter.get_finished_spans() if s.name == "chat gpt-4o-mini")
    assert chat.attributes["gen_ai.provider.name"] == "openai"
    assert chat.attributes["gen_ai.response.model"] == "gpt-4o-mini-2024-07-18"
    assert chat.attributes["gen_ai.response.id"] == "chatcmpl-1"
    assert chat.attributes["agentlab.request_id"] == "req_1"
    assert chat.attributes["gen_ai.response.finish_reasons"] == ("stop",)
    assert "gen_ai.input.messages" not in chat.attributes
    broken = next(s for s in exporter.get_finished_spans() if s.name == "invoke_agent B")
    assert broken.status.status_code == StatusCode.ERROR
    assert "ScriptExhausted" in broken.status.description
    for span in exporter.get_finished_spans():
        assert key not in json.dumps(dict(span.attributes))


def find_customer(email: str) -> str:
    """Find a customer by email."""
    if email.startswith("gone"):
        raise ValueError(f"no customer {email}")
    return f"found {email}"


async def test_capture_content_false_sends_no_content_in_any_attribute(exported):
    provider, exporter = exported
    calls = [al.ToolCall("find_customer", {"email": "jane.doe@example.com"}),
             al.ToolCall("find_customer", {"email": "gone.jane@example.com"})]  # fmt: skip

    def agent() -> al.Agent:
        return al.Agent(name="A", model=al.ScriptedModel([calls, "Hi jane.doe@example.com"]),
                        tools=[find_customer])  # fmt: skip

    vote = al.Parallel.vote(agent(), n=2)
    with al.processing(al.OTelProcessor(provider, capture_content=False)):
        run = await vote.run("find jane.doe@example.com")
        stopped = await al.Agent(name="S", model=al.ScriptedModel([])).run("jane.doe@example.com")
    assert run.status == "completed" and stopped.status == "failed"
    spans = exporter.get_finished_spans()
    assert {s.attributes["agentlab.kind"] for s in spans} >= {"run", "tool", "vote", "branch"}
    for span in spans:
        sent = json.dumps(dict(span.attributes)) + str(span.status.description)
        assert "jane" not in sent, (span.name, sent)
    tool = next(s for s in spans if s.name == "execute_tool find_customer"
                and s.status.status_code == StatusCode.ERROR)  # fmt: skip
    assert tool.attributes["agentlab.error"] == "ValueError"
    assert "agentlab.call_id" in tool.attributes
    vote_span = next(s for s in spans if s.attributes["agentlab.kind"] == "vote")
    assert vote_span.attributes["agentlab.rule"] and "agentlab.winner_index" in vote_span.attributes
    exporter.clear()
    with al.processing(al.OTelProcessor(provider)):  # capture on (the default): all there
        await agent().run("find jane.doe@example.com")
    # the two tool calls run concurrently, so their spans may finish in either order
    sent = sorted(s.attributes["agentlab.arguments"] for s in exporter.get_finished_spans()
                  if s.name.startswith("execute_tool"))  # fmt: skip
    assert sent == ['{"email": "gone.jane@example.com"}', '{"email": "jane.doe@example.com"}']


def test_import_agentlab_stays_light():
    assert "opentelemetry.sdk" in sys.modules  # this file imported it; agentlab did not need to
    import subprocess

    code = "import sys, agentlab; print(any(m.startswith('opentelemetry') for m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
