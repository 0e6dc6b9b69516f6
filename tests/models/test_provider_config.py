"""What a new user gets for wrong model strings, bad base URLs and missing keys: a
``ConfigError`` when the agent is built or the run starts, saying what to write instead."""

from __future__ import annotations

import pytest
from fake_providers import anthropic_reply, serving

import agentlab as al
from agentlab.models.anthropic import AnthropicModel
from agentlab.models.openai import OpenAIModel


@pytest.mark.parametrize(
    ("spec", "fix"),
    [
        ("gpt-4o", "write 'openai:gpt-4o'"),
        ("claude-haiku-4-5", "write 'anthropic:claude-haiku-4-5'"),
        ("openai/gpt-4o", "write 'openai:gpt-4o'"),
        ("antropic:claude-haiku-4-5", "write 'anthropic:claude-haiku-4-5'"),
        ("OpenAI:gpt-4o", "write 'openai:gpt-4o'"),
        ("openai:", "has no model name after 'openai:'; write e.g. 'openai:gpt-4o-mini'"),
        ("anthropic:", "write e.g. 'anthropic:claude-haiku-4-5'"),
        ("openai: gpt-4o", "has spaces around it; write 'openai:gpt-4o'"),
        ("openai:gpt-4o@", "nothing after '@'"),
        ("openai:llama@localhost:8080/v1", "write 'openai:llama@http://localhost:8080/v1'"),
        ("openai:llama@not a url", "write 'openai:llama@http://127.0.0.1:8080/v1'"),
        ("anthropic:claude@ftp://host", "write 'anthropic:claude@http://127.0.0.1:8080'"),
        ("mistral:large", "unknown provider 'mistral'"),
    ],
)
def test_wrong_model_strings_say_what_to_write(spec, fix):
    with pytest.raises(al.ConfigError) as raised:
        al.Agent(name="A", model=spec)
    assert fix in str(raised.value)


def test_base_url_given_in_code_is_checked_too():
    with pytest.raises(al.ConfigError, match="http://"):
        OpenAIModel("llama", base_url="127.0.0.1:8080/v1")
    assert OpenAIModel("llama", base_url=" http://h:1/v1/ ").base_url == "http://h:1/v1"


async def test_anthropic_base_url_with_v1_still_reaches_the_messages_endpoint():
    with serving() as server:
        server.push(anthropic_reply("hi"))
        agent = al.Agent(name="A", model=f"anthropic:claude-haiku-4-5@{server.anthropic_url}/v1")
        assert agent.model.base_url == server.anthropic_url
        run = await agent.run("Hi")
    assert run.output == "hi" and server.requests[0].path == "/v1/messages"


@pytest.mark.parametrize(
    ("model", "variable", "local_form"),
    [
        (OpenAIModel("gpt-4o-mini"), "OPENAI_API_KEY", "@http://127.0.0.1:8080/v1"),
        (AnthropicModel("claude-haiku-4-5"), "ANTHROPIC_API_KEY", "@http://127.0.0.1:8080'"),
    ],
)
async def test_missing_key_is_a_config_error_at_run_start_naming_the_variable(
    model, variable, local_form
):
    called = []

    def tool() -> str:
        """A tool that must not run."""
        called.append(1)
        return "ran"

    first = al.Agent(name="First", model=al.ScriptedModel([al.ToolCall("tool", {})]), tools=[tool])
    chain = al.Chain([first, al.Agent(name="Second", model=model)])
    with pytest.raises(al.ConfigError) as raised:
        await chain.run("Hi")
    message = str(raised.value)
    assert f"set the environment variable {variable}" in message and local_form in message
    assert called == []  # raised before the first agent did anything


async def test_a_server_that_is_not_there_fails_the_run_saying_what_to_check():
    with serving() as server:
        url = server.openai_url
    model = OpenAIModel("llama", base_url=url, max_retries=1, backoff_s=0.01)
    run = await al.Agent(name="A", model=model).run("Hi")
    assert run.status == "failed" and isinstance(run.error, al.ModelHTTPError)
    message = str(run.error)
    assert message.startswith(f"could not connect to openai:llama at {url}")
    assert "gave up after 2 attempts" in message
    assert f"check that the server at {url} is running" in message
