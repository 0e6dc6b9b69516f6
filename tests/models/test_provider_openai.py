"""OpenAIModel through the real ``openai`` SDK, against the local fake server."""

from __future__ import annotations

import asyncio
import time

import pytest
from fake_providers import FakeProviderServer, Reply, error, openai_reply

import agentlab as al
from agentlab.models.calls import set_concurrency
from agentlab.models.openai import OpenAIModel
from agentlab.usage import cost_of

KEY = "sk-test-abcdefghijklmnop0123456789"


def lookup_order(order_id: str) -> str:
    """Look an order up by id."""
    return f"order {order_id}: shipped"


def refund(order_id: str) -> str:
    """Refund an order."""
    raise RuntimeError(f"refunds for {order_id} are closed")


def agent_for(server: FakeProviderServer, **kwargs) -> al.Agent:
    model = kwargs.pop("model", None) or OpenAIModel(
        "gpt-4o-mini", base_url=server.openai_url, backoff_s=0.01, max_retries=2
    )
    return al.Agent(name="Support", instructions="Help with orders.", model=model,
                    tools=kwargs.pop("tools", [lookup_order, refund]), **kwargs)  # fmt: skip


async def test_an_empty_assistant_reply_is_sent_back_as_empty_text(server):
    server.push(openai_reply(""), openai_reply("Yes, still here."))
    agent = al.Agent(name="Echo", model=f"openai:gpt-4o-mini@{server.openai_url}")
    first = await agent.run("Say nothing.")
    assert first.status == "completed" and first.output == ""
    second = await agent.run([*first.messages, al.Message("user", "Still there?")])
    assert second.status == "completed", second.stop_detail
    assert second.output == "Yes, still here."
    assert server.requests[-1].body["messages"][-2] == {"role": "assistant", "content": ""}


async def test_text_reply_usage_cost_and_request_id(server):
    server.push(openai_reply("Hello!", prompt_tokens=30, completion_tokens=7, cached_tokens=10))
    agent = al.Agent(name="Echo", instructions="Be brief.",
                     model=f"openai:gpt-4o-mini@{server.openai_url}")  # fmt: skip
    run = await agent.run("Hi")
    assert run.status == "completed" and run.output == "Hello!"
    usage = al.Usage(input_tokens=30, output_tokens=7, cache_read_tokens=10, requests=1)
    assert run.usage == usage
    assert run.cost == pytest.approx(cost_of(usage, "openai:gpt-4o-mini"))
    span = run.trace.find("model")[0]
    assert span.attributes["request_id"] == "req_1"
    assert span.attributes["response_id"] == "chatcmpl-1"
    assert span.attributes["attempts"] == 1
    sent = server.requests[0]
    assert sent.path == "/v1/chat/completions"
    assert sent.body["model"] == "gpt-4o-mini"
    assert sent.body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
    ]
    assert "tools" not in sent.body


async def test_several_tool_calls_tool_error_and_malformed_json_round_trip(server):
    server.push(
        openai_reply(
            None,
            [
                ("lookup_order", {"order_id": "42"}),
                ("refund", {"order_id": "42"}),
                ("lookup_order", '{"order_id": "4'),
            ],
        ),
        openai_reply("Order 42 shipped; no refund."),
    )
    run = await agent_for(server).run("Where is 42? Refund it.")
    assert run.status == "completed" and run.output == "Order 42 shipped; no refund."
    tools = run.trace.find("tool")
    assert [t.status for t in tools] == ["ok", "error", "error"]
    assert tools[2].attributes["arguments"] == '{"order_id": "4'  # the raw text is kept
    second = server.requests[1].body["messages"]
    assert second[2]["role"] == "assistant" and second[2]["content"] == ""  # never null
    assert [c["id"] for c in second[2]["tool_calls"]] == [
        "call_0_lookup_order",
        "call_1_refund",
        "call_2_lookup_order",
    ]
    assert second[2]["tool_calls"][2]["function"]["arguments"] == '{"order_id": "4'
    results = second[3:]
    assert [m["role"] for m in results] == ["tool", "tool", "tool"]
    assert [m["tool_call_id"] for m in results] == [c["id"] for c in second[2]["tool_calls"]]
    assert results[0]["content"] == "order 42: shipped"
    assert results[1]["content"].startswith("Error: RuntimeError: refunds for 42 are closed")
    assert "not a JSON object" in results[2]["content"]


async def test_429_then_success_honours_retry_after_and_shows_attempts(server):
    server.push(error(429, "rate limited", retry_after="0.4"), openai_reply("ok"))
    started = time.perf_counter()
    run = await agent_for(server).run("Hi")
    assert time.perf_counter() - started >= 0.4
    assert run.status == "completed" and run.output == "ok"
    span = run.trace.find("model")[0]
    assert span.attributes["attempts"] == 2
    assert span.attributes["retries"] == [
        {"attempt": 1, "error": "HTTP 429: rate limited", "wait_s": 0.4}
    ]
    assert len(server.requests) == 2


async def test_server_errors_exhaust_retries_and_fail_the_run(server):
    server.push(*[error(500, "the fake is on fire") for _ in range(3)])
    run = await agent_for(server).run("Hi")
    assert run.status == "failed"
    assert isinstance(run.error, al.ModelHTTPError)
    assert run.error.status_code == 500
    assert "HTTP 500: the fake is on fire" in str(run.error)
    assert "gave up after 3 attempts" in str(run.error)
    assert len(server.requests) == 3  # max_retries=2
    span = run.trace.find("model")[0]
    assert span.status == "error"
    assert span.attributes["attempts"] == 3  # the retries show on a call that failed too
    assert [r["attempt"] for r in span.attributes["retries"]] == [1, 2]
    assert all("HTTP 500" in r["error"] for r in span.attributes["retries"])


async def test_client_error_is_not_retried(server):
    server.push(error(404, "The model `gpt-9` does not exist"))
    run = await agent_for(server).run("Hi")
    assert run.status == "failed" and run.error.status_code == 404
    assert "does not exist" in str(run.error) and "check the model name" in str(run.error)
    assert len(server.requests) == 1


async def test_timeout_is_retried(server):
    server.push(Reply(body=openai_reply("late"), delay_s=1.0), openai_reply("on time"))
    model = OpenAIModel("gpt-4o-mini", base_url=server.openai_url,
                                         timeout_s=0.3, backoff_s=0.01)  # fmt: skip
    model.policy.retry_timeouts = True  # as for a remote provider (127.0.0.1 is local)
    run = await agent_for(server, model=model).run("Hi")
    assert run.output == "on time"
    retries = run.trace.find("model")[0].attributes["retries"]
    assert retries[0]["error"].startswith("timeout:")


async def test_malformed_response_body_fails_the_run(server):
    server.push(Reply(body='{"choices": [', status=200))
    run = await agent_for(server).run("Hi")
    assert run.status == "failed"
    assert isinstance(run.error, al.ModelError)
    assert "answered with a body that is not valid JSON" in str(run.error)
    assert "points at an OpenAI-compatible API" in str(run.error)


async def test_missing_key_is_a_config_error_before_any_request(server):
    agent = al.Agent(name="Support", model="openai:gpt-4o-mini")
    with pytest.raises(al.ConfigError, match="OPENAI_API_KEY"):
        await agent.run("Hi")
    remote = al.Agent(name="Remote", model="openai:some-model@https://llm.example.com/v1")
    with pytest.raises(al.ConfigError, match="OPENAI_API_KEY"):
        remote.run_sync("Hi")
    assert server.requests == []


async def test_keys_are_sent_but_never_leak(server, monkeypatch, tmp_path):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    server.push(Reply(401, echo_auth=True))
    run = await agent_for(server).run("Hi")
    assert server.requests[0].headers["authorization"] == f"Bearer {KEY}"
    assert run.status == "failed" and run.error.status_code == 401
    assert "check OPENAI_API_KEY" in str(run.error)
    assert "[REDACTED:OPENAI_API_KEY]" in str(run.error)
    assert KEY not in str(run.error) and KEY not in repr(run.error.body)
    run.trace.save(tmp_path / "trace.jsonl")
    assert KEY not in (tmp_path / "trace.jsonl").read_text()
    assert KEY not in str(run)


async def test_explicit_api_key_is_redacted_too(server):
    secret = "sk-passed-in-code-0123456789"
    model = OpenAIModel("gpt-4o-mini", base_url=server.openai_url,
                                         api_key=secret)  # fmt: skip
    server.push(Reply(403, echo_auth=True))
    run = await al.Agent(name="A", model=model).run("Hi")
    assert server.requests[0].headers["authorization"] == f"Bearer {secret}"
    assert secret not in str(run.error) and "[REDACTED:" in str(run.error)


async def test_settings_forced_tool_choice_and_structured_output(server):
    from pydantic import BaseModel

    class Verdict(BaseModel):
        label: str

    server.push(openai_reply(None, [("lookup_order", {"order_id": "1"})]),
                     openai_reply('{"label": "sales"}'))  # fmt: skip
    agent = agent_for(
        server,
        output_type=Verdict,
        settings={"temperature": 0, "tool_choice": "lookup_order", "top_k": 5},
    )
    run = await agent.run("Classify")
    assert run.output == Verdict(label="sales")
    body = server.requests[0].body
    assert body["temperature"] == 0 and body["top_k"] == 5  # unknown settings pass through
    assert body["tool_choice"] == {"type": "function", "function": {"name": "lookup_order"}}
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"]["properties"] == {
        "label": {"title": "Label", "type": "string"}
    }


async def test_concurrency_limit_is_shared_and_shows_the_wait(server):
    set_concurrency(server.openai_url, 1)
    try:
        server.push(*[Reply(body=openai_reply(f"r{i}"), delay_s=0.3) for i in range(3)])
        agents = [agent_for(server) for _ in range(3)]
        started = time.perf_counter()
        runs = await asyncio.gather(*(a.run("Hi") for a in agents))
        elapsed = time.perf_counter() - started
    finally:
        set_concurrency(server.openai_url, None)
    assert all(r.status == "completed" for r in runs)
    assert elapsed >= 0.85  # three 0.3 s calls, one at a time
    waits = sorted(r.trace.find("model")[0].attributes.get("waited_s", 0.0) for r in runs)
    assert waits[0] < 0.1 and waits[1] >= 0.25 and waits[2] >= 0.55
    assert all(
        r.trace.find("model")[0].attributes["concurrency_limit"] == 1
        for r in runs
        if "waited_s" in r.trace.find("model")[0].attributes
    )


def test_run_sync_and_await_share_one_model_across_loops(server):
    agent = agent_for(server)
    server.push(openai_reply("one"), openai_reply("two"))
    assert agent.run_sync("Hi").output == "one"
    assert asyncio.run(agent.run("Hi")).output == "two"  # another loop, a fresh client


def test_model_string_forms_and_prices():
    model = al.Agent(name="A", model="openai:gpt-4o-mini@http://127.0.0.1:8080/v1/").model
    assert model.base_url == "http://127.0.0.1:8080/v1"
    assert model.price_key == "openai:gpt-4o-mini"  # priced by name whatever the server
    assert model.name == "openai:gpt-4o-mini@http://127.0.0.1:8080/v1"
    model.check_config()  # a local server needs no key
    unknown = OpenAIModel("smollm2", base_url="http://127.0.0.1:8080/v1")
    assert cost_of(al.Usage(input_tokens=10), unknown.price_key) is None
    priced = OpenAIModel("x", priced_as="openai:gpt-4o-mini")
    assert priced.price_key == "openai:gpt-4o-mini"
