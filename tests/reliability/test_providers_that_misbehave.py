"""Servers that stall, lie or refuse, through the real SDKs: a clear failure, a known
unknown, never a hang or a made-up number."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from fake_providers import Reply, anthropic_reply, error, openai_reply

import agentlab as al

KEY = "sk-test-misbehave-0123456789"


def openai_agent(server, **options) -> al.Agent:
    model = al.OpenAIModel("gpt-4o-mini", base_url=server.openai_url, api_key=KEY, **options)
    return al.Agent(name="A", model=model)


async def test_a_server_dripping_bytes_cannot_outlast_the_call_timeout(server):
    server.push(Reply(body=openai_reply("slow"), drip_s=0.3))
    agent = openai_agent(server, timeout_s=1, max_retries=0)
    started = time.perf_counter()
    run = await agent.run("hi")
    elapsed = time.perf_counter() - started
    assert run.status == "failed" and "did not answer in time" in run.stop_detail, run.stop_detail
    assert elapsed < 5, (elapsed, run.trace.find("model")[0].attributes)  # it dripped 40 s


@pytest.mark.parametrize("drop", ["usage", "prompt_tokens"])
async def test_a_response_without_usage_costs_unknown_not_zero(server, drop):
    body = openai_reply("hi")
    if drop == "usage":
        del body["usage"]
    else:
        body["usage"]["prompt_tokens"] = None
    server.push(body)
    run = await openai_agent(server).run("hi")
    model = run.trace.find("model")[0]
    assert run.status == "completed"
    assert model.cost_usd is None and run.cost is None
    assert (
        model.attributes["usage_unknown"] is True
        and "cost unknown" in model.attributes["usage_note"]
    )


async def test_token_counts_sent_as_text_are_read_as_numbers(server):
    body = openai_reply("hi")
    body["usage"].update(prompt_tokens="12", completion_tokens="3")
    server.push(body)
    run = await openai_agent(server).run("hi")
    assert (run.usage.input_tokens, run.usage.output_tokens) == (12, 3)
    assert run.cost is not None and run.cost > 0


async def test_an_html_page_from_a_wrong_base_url_says_what_to_check(server):
    server.push(Reply(body="<html><body>Welcome to nginx</body></html>", content_type="text/html"))
    run = await openai_agent(server, max_retries=0).run("hi")
    assert run.status == "failed"
    assert "base_url" in run.stop_detail and "AttributeError" not in run.stop_detail


async def test_an_empty_choices_list_is_a_clear_failure(server):
    body = openai_reply("hi")
    body["choices"] = []
    server.push(body)
    run = await openai_agent(server).run("hi")
    assert run.status == "failed" and "no choices" in run.stop_detail


async def test_a_long_retry_after_fails_at_once_and_says_why(server):
    server.push(error(429, "slow down", retry_after="3600"))
    started = time.perf_counter()
    run = await openai_agent(server).run("hi")
    assert time.perf_counter() - started < 2
    assert "3600" in run.stop_detail and "try again later" in run.stop_detail
    assert len(server.requests) == 1


async def test_a_server_echoing_basic_auth_from_a_url_with_credentials_leaks_nothing(server):
    server.push(error(401, "", echo_auth=True))
    url = server.openai_url.replace("http://", "http://alice:Pa55-word-9@")
    agent = al.Agent(name="A", model=al.OpenAIModel("gpt-4o-mini", base_url=url, api_key=KEY))
    run = await agent.run("hi")
    shown = "\n".join([str(run), repr(run), repr(agent), run.stop_detail or "",
                       run.trace.to_pandas().to_string()])  # fmt: skip
    assert "Pa55-word-9" not in shown and KEY not in shown
    assert "alice:[REDACTED]@" in agent.model.name


def test_no_task_exception_is_left_unretrieved_after_a_429(server, tmp_path):
    script = tmp_path / "run429.py"
    script.write_text(
        textwrap.dedent(f"""
        import asyncio, gc, sys
        sys.path.insert(0, {str(Path(__file__).parent.parent)!r})
        import agentlab as al
        from fake_providers import FakeProviderServer, error
        server = FakeProviderServer().start()
        server.push(*[error(429, "slow", retry_after="0.05")] * 4)
        model = al.OpenAIModel("gpt-4o-mini", base_url=server.openai_url, api_key="{KEY}")
        run = asyncio.run(al.Agent(name="A", model=model).run("hi"))
        gc.collect()
        print(run.status)
        server.stop()
    """)
    )
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "failed", out.stderr
    assert "never retrieved" not in out.stderr and "Traceback" not in out.stderr


async def test_anthropic_without_usage_is_unknown_too(server):
    body = anthropic_reply("hi")
    del body["usage"]
    server.push(body)
    model = al.AnthropicModel("claude-haiku-4-5", base_url=server.anthropic_url, api_key=KEY)
    run = await al.Agent(name="A", model=model).run("hi")
    assert run.status == "completed" and run.cost is None


async def test_a_custom_model_returning_the_wrong_type_fails_naming_it():
    class Broken:
        name, price_key = "broken", None

        async def respond(self, request):
            return "plain text instead of a ModelResponse"

    run = await al.Agent(name="A", model=Broken()).run("hi")
    assert run.status == "failed" and "'broken'" in run.stop_detail
    assert "al.ModelResponse" in run.stop_detail


def test_a_provider_model_without_a_price_warns_once_when_money_is_limited(server):
    first = al.Agent(
        name="A",
        model=al.OpenAIModel("my-finetune-xyz", base_url="https://example.invalid/v1", api_key=KEY),
    )
    with pytest.warns(al.CostWarning, match="my-finetune-xyz.*priced_as"):
        first.run_sync("hi")  # fails to connect; the warning came first
    with _no_cost_warning():
        first.run_sync("again")


class _no_cost_warning:
    def __enter__(self):
        import warnings

        self.catcher = warnings.catch_warnings(record=True)
        self.seen = self.catcher.__enter__()
        warnings.simplefilter("always")

    def __exit__(self, *exc):
        self.catcher.__exit__(*exc)
        assert not [w for w in self.seen if issubclass(w.category, al.CostWarning)]


def test_a_misspelt_priced_as_is_a_config_error():
    with pytest.raises(al.ConfigError, match="priced_as='openai:gpt4o-mini'"):
        al.OpenAIModel("my-model", priced_as="openai:gpt4o-mini", api_key=KEY)
    with pytest.raises(al.ConfigError, match="priced_as"):
        al.FunctionModel(lambda m, t: "x", priced_as="nobody:nothing")


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -1, True])
def test_nan_and_nonsense_timeouts_are_refused(bad):
    with pytest.raises(al.ConfigError, match=r"no NaN|timeout_s"):
        al.OpenAIModel("gpt-4o-mini", timeout_s=bad, api_key=KEY)


async def test_concurrent_priced_calls_cannot_cross_the_money_limit_together():
    # each call costs $0.20 (333,334 output tokens of gpt-4o-mini at $0.60 per million)
    async def answer(messages, tools):
        await asyncio.sleep(0.1)
        return al.ModelResponse("42", usage=al.Usage(output_tokens=333_334, requests=1))

    solver = al.Agent(name="Solver", settings={"max_tokens": 333_334},
                      model=al.FunctionModel(answer, priced_as="openai:gpt-4o-mini"))  # fmt: skip
    run = await al.Parallel.vote(solver, n=10).run("6 x 7?", limits=al.Limits(max_cost_usd=1.0))
    assert (run.status, run.stop_reason) == ("stopped", "max_cost_usd")
    assert run.cost == pytest.approx(1.0, abs=0.01)  # 5 calls, not 10
    assert "$1.00" in run.stop_detail


def test_sequential_calls_behave_as_before_reservations():
    model = al.ScriptedModel(["a" * 400] * 5, priced_as="openai:gpt-4o-mini")
    agent = al.Agent(name="A", model=model)
    chain = al.Chain([agent] * 5)
    run = chain.run_sync("go", limits=al.Limits(max_cost_usd=1.0))
    assert run.status == "completed" and model.remaining == 0
