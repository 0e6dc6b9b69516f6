"""Streamed runs through the real openai and anthropic SDKs, against the local fake
server speaking server-sent events: text arrives in pieces, usage and cost stay exact."""

from __future__ import annotations

import pytest
from fake_providers import anthropic_reply, error, openai_reply

import agentlab as al
from agentlab.models.anthropic import AnthropicModel
from agentlab.models.openai import OpenAIModel
from agentlab.usage import Usage, cost_of

KEY = "sk-test-abcdefghijklmnop0123456789"


def lookup_order(order_id: str) -> str:
    """Look an order up by id."""
    return f"order {order_id}: shipped"


def openai_agent(server) -> al.Agent:
    model = OpenAIModel("gpt-4o-mini", base_url=server.openai_url, api_key=KEY, backoff_s=0.01)
    return al.Agent(name="Support", model=model, tools=[lookup_order])


def anthropic_agent(server) -> al.Agent:
    model = AnthropicModel(
        "claude-haiku-4-5", base_url=server.anthropic_url, api_key=KEY, backoff_s=0.01
    )
    return al.Agent(name="Support", model=model, tools=[lookup_order])


async def stream_all(agent: al.Agent, text: str):
    events = [event async for event in agent.stream(text)]
    deltas = [e.text for e in events if e.kind == "text_delta"]
    return events[-1].run, deltas


async def test_openai_streams_text_and_tool_calls_with_exact_usage(server):
    server.push(
        openai_reply(None, [("lookup_order", {"order_id": "42"})], prompt_tokens=40),
        openai_reply(
            "Order 42 has shipped today.", prompt_tokens=61, completion_tokens=9, cached_tokens=12
        ),
    )
    run, deltas = await stream_all(openai_agent(server), "Where is 42?")
    assert run.status == "completed" and run.output == "Order 42 has shipped today."
    assert deltas == ["Order ", "42 ", "has ", "shipped ", "today."]
    assert run.trace.find("tool")[0].output == "order 42: shipped"
    assert run.usage == Usage(101, 14, cache_read_tokens=12, requests=2)
    price = "openai:gpt-4o-mini"
    expected = cost_of(Usage(40, 5), price) + cost_of(Usage(61, 9, cache_read_tokens=12), price)
    assert run.cost == pytest.approx(expected)
    for seen in server.requests:
        assert seen.body["stream"] is True
        assert seen.body["stream_options"] == {"include_usage": True}
    second = run.trace.find("model")[1]
    assert second.attributes["finish_reason"] == "stop"
    assert second.attributes["request_id"] == "req_2"


async def test_a_run_that_is_not_streamed_does_not_ask_for_a_stream(server):
    server.push(openai_reply("plain"))
    run = await openai_agent(server).run("hi")
    assert run.output == "plain" and "stream" not in server.requests[0].body


async def test_the_fake_server_refuses_stream_options_without_stream(server):
    from openai import AsyncOpenAI, BadRequestError

    client = AsyncOpenAI(api_key=KEY, base_url=server.openai_url, max_retries=0)
    with pytest.raises(BadRequestError, match="stream_options"):
        await client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "x"}],
            stream_options={"include_usage": True},
        )


async def test_anthropic_streams_text_and_tool_use_with_exact_usage(server):
    server.push(
        anthropic_reply(None, [("lookup_order", {"order_id": "42"})], input_tokens=50),
        anthropic_reply("It has shipped.", input_tokens=80, output_tokens=7, cache_read=20),
    )
    run, deltas = await stream_all(anthropic_agent(server), "Where is 42?")
    assert run.status == "completed" and run.output == "It has shipped."
    assert deltas == ["It ", "has ", "shipped."]
    assert run.trace.find("tool")[0].attributes["arguments"] == {"order_id": "42"}
    assert run.usage == Usage(150, 12, cache_read_tokens=20, requests=2)
    price = "anthropic:claude-haiku-4-5"
    expected = cost_of(Usage(50, 5), price) + cost_of(Usage(100, 7, cache_read_tokens=20), price)
    assert run.cost == pytest.approx(expected)
    assert all(
        seen.path.endswith("/v1/messages") and seen.body["stream"] for seen in server.requests
    )


async def test_a_streamed_call_is_retried_after_a_server_error(server):
    server.push(error(503, "busy"), openai_reply("back again"))
    run, deltas = await stream_all(openai_agent(server), "hi")
    assert run.output == "back again" and "".join(deltas) == "back again"
    assert run.trace.find("model")[0].attributes["attempts"] == 2


async def test_a_streamed_provider_error_fails_the_run_with_its_message(server):
    server.push(error(400, "bad request here"))
    run, deltas = await stream_all(openai_agent(server), "hi")
    assert run.status == "failed" and "bad request here" in run.stop_detail and deltas == []
