"""OpenAIModel against servers that differ from OpenAI's own (llama.cpp, llama-cpp-python):
the real ``openai`` SDK talking to a fake server as strict as llama-cpp-python 0.3."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from fake_providers import FakeProviderServer, Reply, error, openai_reply, serving
from pydantic import BaseModel

import agentlab as al
from agentlab.models import openai as openai_module
from agentlab.models.calls import classify, says_invalid
from agentlab.models.openai import FORMAT_MODES, OpenAIModel
from agentlab.models.provider import LOCAL_TIMEOUT_S


class Ticket(BaseModel):
    category: str
    urgent: bool


def lookup_order(order_id: str) -> str:
    """Look an order up by id."""
    return f"order {order_id}: shipped"


@pytest.fixture
def llama() -> Iterator[FakeProviderServer]:
    FORMAT_MODES.clear()
    with serving(llama_cpp=True) as server:
        yield server
    FORMAT_MODES.clear()


def model_at(server: FakeProviderServer, **kwargs) -> OpenAIModel:
    return OpenAIModel("smollm2", base_url=server.openai_url, backoff_s=0.01, **kwargs)


async def test_forced_tool_round_trip_never_sends_null_content(llama):
    llama.push(openai_reply(None, [("lookup_order", {"order_id": "42"})]),
               openai_reply("Order 42 shipped."))  # fmt: skip
    agent = al.Agent(name="Support", model=model_at(llama), tools=[lookup_order],
                     settings={"tool_choice": "lookup_order", "temperature": 0})  # fmt: skip
    run = await agent.run("Where is order 42?")
    assert run.status == "completed", run.error
    assert run.output == "Order 42 shipped."
    sent = llama.requests[1].body["messages"]
    assistant = next(m for m in sent if m["role"] == "assistant")
    assert assistant["content"] == "" and assistant["tool_calls"]


async def test_json_schema_refused_falls_back_once_per_server_and_validates(llama):
    llama.push(openai_reply('{"category": "billing", "urgent": true}'),
               openai_reply('{"category": "shipping", "urgent": false}'))  # fmt: skip
    agent = al.Agent(name="Triage", model=model_at(llama), output_type=Ticket)
    first = await agent.run("I was charged twice!")
    assert first.status == "completed", first.error
    assert first.output == Ticket(category="billing", urgent=True)
    bodies = [r.body for r in llama.requests]
    assert [b["response_format"]["type"] for b in bodies] == ["json_schema", "json_object"]
    assert bodies[1]["response_format"]["schema"]["properties"]["urgent"]  # grammar
    assert "JSON schema" in bodies[1]["messages"][0]["content"]  # and instructions
    span = first.trace.find("model")[0]
    assert "json_schema refused (HTTP 500)" in span.attributes["response_format_fallback"]

    second = await agent.run("Where is my parcel?")  # remembered: no refused request
    assert second.output == Ticket(category="shipping", urgent=False)
    assert len(llama.requests) == 3 and llama.requests[2].body["response_format"]["type"] == (
        "json_object"
    )
    assert (
        "refused json_schema before"
        in (second.trace.find("model")[0].attributes["response_format_fallback"])
    )


async def test_an_answer_that_breaks_the_schema_still_fails_validation(llama):
    llama.push(*[openai_reply('{"category": 3}')] * 4)
    agent = al.Agent(name="Triage", model=model_at(llama), output_type=Ticket)
    run = await agent.run("Hi")
    assert run.status == "failed"  # validated against output_type, not trusted
    assert not isinstance(run.output, Ticket)


async def test_schema_field_refused_too_falls_back_to_plain_json_object(server):
    FORMAT_MODES.clear()
    server.push(error(400, "response_format: json_schema is not supported"),
                error(422, "response_format.schema: extra fields not permitted"),
                openai_reply('{"category": "other", "urgent": false}'))  # fmt: skip
    agent = al.Agent(name="Triage", model=model_at(server), output_type=Ticket)
    run = await agent.run("Hi")
    assert run.status == "completed", run.error
    assert server.requests[2].body["response_format"] == {"type": "json_object"}
    note = run.trace.find("model")[0].attributes["response_format_fallback"]
    assert note.count("refused") == 2
    FORMAT_MODES.clear()


async def test_openai_that_accepts_json_schema_gets_no_fallback(server):
    FORMAT_MODES.clear()
    server.push(openai_reply('{"category": "billing", "urgent": true}'))
    agent = al.Agent(name="Triage", model=model_at(server), output_type=Ticket)
    run = await agent.run("Hi")
    assert run.output.category == "billing"
    assert "response_format_fallback" not in run.trace.find("model")[0].attributes
    assert server.requests[0].body["response_format"]["type"] == "json_schema"


async def test_an_unrelated_500_is_not_taken_for_a_refusal(server):
    FORMAT_MODES.clear()
    server.push(*[error(500, "upstream overloaded")] * 2)
    agent = al.Agent(name="Triage", model=model_at(server, max_retries=1), output_type=Ticket)
    run = await agent.run("Hi")
    assert run.status == "failed"
    assert FORMAT_MODES == {}
    assert all(r.body["response_format"]["type"] == "json_schema" for r in server.requests)


@pytest.mark.parametrize(
    "status, message",
    [(500, "1 validation error: Input should be a valid string"),
     (500, "response_format type must be one of 'text' or 'json_object'"),
     (500, "invalid tool_choice"), (400, "bad"), (422, "unprocessable")],
)  # fmt: skip
async def test_requests_the_server_calls_invalid_are_not_retried(server, status, message):
    server.push(error(status, message), openai_reply("never reached"))
    agent = al.Agent(name="A", model=model_at(server, max_retries=3))
    run = await agent.run("Hi")
    assert run.status == "failed"
    assert len(server.requests) == 1
    assert str(run.error).count(message) == 1  # said once, not once per retry


async def test_a_plain_500_is_still_retried(server):
    server.push(error(500, "upstream overloaded"), openai_reply("fine"))
    run = await al.Agent(name="A", model=model_at(server)).run("Hi")
    assert run.output == "fine" and len(server.requests) == 2


async def test_local_server_gets_a_long_timeout_and_no_retry_on_timeouts(server):
    assert model_at(server).timeout_s == LOCAL_TIMEOUT_S
    assert OpenAIModel("gpt-4o-mini").timeout_s == 60.0
    server.push(Reply(body=openai_reply("late"), delay_s=1.0), openai_reply("on time"))
    run = await al.Agent(name="A", model=model_at(server, timeout_s=0.3)).run("Hi")
    assert run.status == "failed"
    assert "timeout_s" in str(run.error) and "attempts" not in str(run.error)
    await asyncio.sleep(0.8)  # let the late answer go before the server stops


def test_says_invalid_and_classify():
    assert says_invalid("Input should be 'text' or 'json_object'")
    assert says_invalid("messages: MUST BE an array")
    assert not says_invalid("model overloaded, try later")

    class Fake(Exception):
        status_code = 500

        def __init__(self, message: str) -> None:
            self.body = {"error": {"message": message}}

    assert classify(Fake("unsupported response_format")).retryable is False
    assert classify(Fake("server busy")).retryable is True


def test_request_params_forms():
    from agentlab.messages import Message
    from agentlab.models.base import ModelRequest

    schema = Ticket.model_json_schema()
    request = ModelRequest(
        messages=(Message(role="system", content="Be brief."), Message(role="user", content="x")),
        output_schema=schema,
    )
    plain = openai_module.request_params("m", request)
    assert plain["response_format"]["type"] == "json_schema"
    assert plain["messages"][0]["content"] == "Be brief."
    grammar = openai_module.request_params("m", request, "json_object with schema")
    assert grammar["response_format"] == {"type": "json_object", "schema": schema}
    assert grammar["messages"][0]["content"].startswith("Be brief.\n\nAnswer with one JSON")
    user_only = ModelRequest(messages=request.messages[1:], output_schema=schema)
    bare = openai_module.request_params("m", user_only, "json_object")
    assert bare["messages"][0]["role"] == "system" and len(bare["messages"]) == 2
