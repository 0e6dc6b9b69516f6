"""AnthropicModel through the real ``anthropic`` SDK, against the local fake server."""

from __future__ import annotations

import pytest
from fake_providers import Reply, anthropic_reply, error

import agentlab as al
from agentlab.models.anthropic import AnthropicModel
from agentlab.usage import cost_of

KEY = "sk-ant-test-abcdefghijklmnop0123"


def lookup_order(order_id: str) -> str:
    """Look an order up by id."""
    return f"order {order_id}: shipped"


def refund(order_id: str) -> str:
    """Refund an order."""
    raise RuntimeError(f"refunds for {order_id} are closed")


def support(server, **kwargs) -> al.Agent:
    model = AnthropicModel("claude-haiku-4-5", base_url=server.anthropic_url, backoff_s=0.01)
    return al.Agent(
        name="Support", instructions="Help with orders.", model=model,
        tools=[lookup_order, refund], **kwargs,
    )  # fmt: skip


async def test_text_reply_system_prompt_and_usage_with_cache(server):
    server.push(anthropic_reply("Hello!", input_tokens=12, output_tokens=4, cache_read=100,
                                cache_write=20))  # fmt: skip
    agent = al.Agent(name="Echo", instructions="Be brief.",
                     model=f"anthropic:claude-haiku-4-5@{server.anthropic_url}")  # fmt: skip
    run = await agent.run("Hi")
    assert run.status == "completed" and run.output == "Hello!"
    # input_tokens is the total input: Anthropic's uncached count plus cache reads and writes
    usage = al.Usage(input_tokens=132, output_tokens=4, cache_read_tokens=100,
                     cache_write_tokens=20, requests=1)  # fmt: skip
    assert run.usage == usage
    assert run.cost == pytest.approx(cost_of(usage, "anthropic:claude-haiku-4-5"))
    assert run.cost is not None and run.cost > 0
    span = run.trace.find("model")[0]
    assert span.attributes["request_id"] == "req_1" and span.attributes["response_id"] == "msg_1"
    sent = server.requests[0]
    assert sent.path == "/v1/messages"
    assert sent.body["system"] == "Be brief."
    assert sent.body["messages"] == [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}]
    assert sent.body["max_tokens"] == 4096


async def test_several_tool_calls_and_errors_merge_into_one_user_message(server):
    server.push(
        anthropic_reply(
            "Checking.", [("lookup_order", {"order_id": "42"}), ("refund", {"order_id": "42"})]
        ),
        anthropic_reply("Shipped; refunds are closed."),
    )
    run = await support(server).run("Where is 42? Refund it.")
    assert run.output == "Shipped; refunds are closed."
    messages = server.requests[1].body["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert messages[1]["content"] == [
        {"type": "text", "text": "Checking."},
        {"type": "tool_use", "id": "toolu_0_lookup_order", "name": "lookup_order",
         "input": {"order_id": "42"}},
        {"type": "tool_use", "id": "toolu_1_refund", "name": "refund",
         "input": {"order_id": "42"}},
    ]  # fmt: skip
    results = messages[2]["content"]
    assert [b["type"] for b in results] == ["tool_result", "tool_result"]
    assert results[0] == {"type": "tool_result", "tool_use_id": "toolu_0_lookup_order",
                          "content": "order 42: shipped"}  # fmt: skip
    assert results[1]["tool_use_id"] == "toolu_1_refund" and results[1]["is_error"] is True
    assert "refunds for 42 are closed" in results[1]["content"]


async def test_forced_tool_choice_settings_and_structured_output(server):
    from pydantic import BaseModel

    class Route(BaseModel):
        label: str

    server.push(anthropic_reply(None, [("lookup_order", {"order_id": "7"})]),
                anthropic_reply('{"label": "support"}'))  # fmt: skip
    agent = support(
        server,
        output_type=Route,
        settings={"tool_choice": "lookup_order", "temperature": 0.2, "stop": "END"},
    )
    run = await agent.run("Route this")
    assert run.output == Route(label="support")
    body = server.requests[0].body
    assert body["tool_choice"] == {"type": "tool", "name": "lookup_order"}
    assert body["temperature"] == 0.2 and body["stop_sequences"] == ["END"]
    schema = body["output_config"]["format"]["schema"]
    assert schema["additionalProperties"] is False and schema["required"] == ["label"]


async def test_overloaded_then_success_is_retried(server):
    server.push(error(529, "Overloaded", path="anthropic", retry_after="0"),
                anthropic_reply("fine"))  # fmt: skip
    run = await support(server).run("Hi")
    assert run.output == "fine"
    assert run.trace.find("model")[0].attributes["attempts"] == 2


async def test_bad_request_fails_the_run_with_the_providers_message(server):
    server.push(error(400, "messages: roles must alternate", path="anthropic"))
    run = await support(server).run("Hi")
    assert run.status == "failed" and isinstance(run.error, al.ModelHTTPError)
    assert "HTTP 400: messages: roles must alternate" in str(run.error)
    assert "roles must alternate" in run.stop_detail


async def test_missing_key_and_redaction(server, monkeypatch):
    with pytest.raises(al.ConfigError, match="ANTHROPIC_API_KEY"):
        await al.Agent(name="A", model="anthropic:claude-haiku-4-5").run("Hi")
    assert server.requests == []
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    server.push(Reply(401, echo_auth=True))
    run = await support(server).run("Hi")
    headers = server.requests[0].headers
    assert KEY in (headers.get("x-api-key", "") + headers.get("authorization", ""))
    assert run.status == "failed" and "check ANTHROPIC_API_KEY" in str(run.error)
    assert KEY not in str(run.error) and "[REDACTED:ANTHROPIC_API_KEY]" in str(run.error)
    assert all(KEY not in (s.error or "") for s in run.trace.spans)
