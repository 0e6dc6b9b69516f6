"""Record and replay: cassettes through the real SDKs, the local fake server stopped."""

from __future__ import annotations

import asyncio
import json

import pytest
from fake_providers import FakeProviderServer, Reply, anthropic_reply, openai_reply

import agentlab as al
from agentlab.models.openai import OpenAIModel

KEY = "sk-test-cassette-0123456789abcdef"


@pytest.fixture(autouse=True)
def recording_allowed(monkeypatch):
    """CI sets AGENTLAB_CASSETTE_MODE=replay; these tests record into tmp_path on purpose."""
    monkeypatch.delenv("AGENTLAB_CASSETTE_MODE", raising=False)


def lookup_order(order_id: str) -> str:
    """Look an order up by id."""
    return f"order {order_id}: shipped"


def support(model) -> al.Agent:
    return al.Agent(name="Support", instructions="Help with orders.", model=model,
                    tools=[lookup_order], settings={"temperature": 0})  # fmt: skip


def span_view(run: al.Run) -> list[tuple]:
    return [
        (s.kind, s.name, s.status, s.output, s.usage, s.cost_usd,
         s.attributes.get("request_id"), s.attributes.get("latency_s") if s.kind == "model" else 0)
        for s in run.trace.find()
    ]  # fmt: skip


async def record_then_stop(tmp_path, replies, model_string):
    server = FakeProviderServer().start()
    server.push(*replies)
    path = tmp_path / "cassettes" / "support.jsonl"
    agent = support(model_string.format(url=server.openai_url, aurl=server.anthropic_url))
    with al.cassette(path) as cas:
        recorded = await agent.run("Where is order 42?")
    server.stop()
    assert cas.recorded == 2 and cas.replayed == 0
    return agent, path, recorded, server


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
async def test_record_stop_server_replay_gives_the_same_run(tmp_path, provider):
    if provider == "openai":
        replies = [openai_reply(None, [("lookup_order", {"order_id": "42"})]),
                   openai_reply("Order 42 has shipped.")]  # fmt: skip
        string = "openai:gpt-4o-mini@{url}"
    else:
        replies = [anthropic_reply(None, [("lookup_order", {"order_id": "42"})]),
                   anthropic_reply("Order 42 has shipped.")]  # fmt: skip
        string = "anthropic:claude-haiku-4-5@{aurl}"
    agent, path, recorded, _ = await record_then_stop(tmp_path, replies, string)
    assert recorded.status == "completed"
    with al.cassette(path, mode="replay") as cas:
        replayed = await agent.run("Where is order 42?")
    assert cas.replayed == 2
    assert replayed.status == "completed" and replayed.output == recorded.output
    assert replayed.usage == recorded.usage and replayed.cost == recorded.cost
    assert span_view(replayed) == span_view(recorded)
    assert all(s.attributes["replayed"] is True for s in replayed.trace.find("model"))
    # a plain model object replays the same file
    again = await support(al.ReplayModel(path)).run("Where is order 42?")
    assert again.output == recorded.output and again.usage == recorded.usage
    assert again.cost == pytest.approx(recorded.cost)


async def test_cassette_file_has_provenance_and_no_secrets(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    replies = [openai_reply(None, [("lookup_order", {"order_id": "42"})]),
               openai_reply(f"I saw your key {KEY}")]  # fmt: skip
    _, path, _, server = await record_then_stop(tmp_path, replies, "openai:gpt-4o-mini@{url}")
    assert server.requests[0].headers["authorization"] == f"Bearer {KEY}"
    text = path.read_text()
    assert KEY not in text and "Bearer" not in text and "[REDACTED:OPENAI_API_KEY]" in text
    lines = [json.loads(line) for line in text.splitlines()]
    header = lines[0]
    assert header["type"] == "header" and header["format"] == "agentlab-cassette"
    assert header["agentlab"] == al.__version__ and header["created"]
    assert header["models"] == [{"model": "openai:gpt-4o-mini", "server": server.openai_url}]
    assert [item["type"] for item in lines[1:]] == ["interaction", "interaction"]
    assert lines[1]["request"]["messages"][0] == {"role": "system", "content": "Help with orders."}
    assert lines[1]["request"]["settings"] == {"temperature": 0}


async def test_a_key_given_in_code_never_reaches_trace_cassette_report_or_error(tmp_path):
    from agentlab.models.anthropic import AnthropicModel
    from agentlab.views.snapshot import snapshot_html

    secret = "sk-ant-in-code-0123456789abcdef"
    server = FakeProviderServer().start()
    server.push(anthropic_reply(f"Your key is {secret}"), Reply(401, echo_auth=True))
    model = AnthropicModel("claude-haiku-4-5", base_url=server.anthropic_url, api_key=secret)
    agent = al.Agent(name="Leaky", model=model)
    with al.cassette(tmp_path / "leak.jsonl", mode="record"):
        echoed = await agent.run(f"my key is {secret}")
        refused = await agent.run("again")
    server.stop()
    assert secret in str(server.requests[0].headers)  # it was sent...
    assert echoed.output == f"Your key is {secret}"  # ...and the run in memory is untouched
    assert refused.status == "failed" and secret not in str(refused.error)
    assert secret not in refused.stop_detail and "[REDACTED:" in str(refused.error)
    echoed.trace.save(tmp_path / "trace.jsonl")
    refused.trace.save(tmp_path / "refused.jsonl")
    for written in ("leak.jsonl", "trace.jsonl", "refused.jsonl"):
        text = (tmp_path / written).read_text()
        assert secret not in text and "[REDACTED:api_key of anthropic:claude-haiku-4-5]" in text
    assert secret not in snapshot_html(echoed.trace) + snapshot_html(refused.trace)


async def test_replay_mismatch_shows_the_closest_request_and_the_difference(tmp_path):
    replies = [openai_reply(None, [("lookup_order", {"order_id": "42"})]), openai_reply("Done.")]
    agent, path, _, _ = await record_then_stop(tmp_path, replies, "openai:gpt-4o-mini@{url}")
    with al.cassette(path, mode="replay"):
        run = await agent.run("Where is order 43?")
    assert run.status == "failed" and isinstance(run.error, al.ReplayMismatch)
    message = str(run.error)
    assert "agent 'Support'" in message and "differs in 1 place" in message
    expected = 'messages[1].content: recorded "Where is order 42?", requested "Where is order 43?"'
    assert expected in message


async def test_env_forces_replay_and_exhausted_repeats_are_explained(tmp_path, monkeypatch):
    replies = [openai_reply(None, [("lookup_order", {"order_id": "42"})]), openai_reply("Done.")]
    agent, path, _, _ = await record_then_stop(tmp_path, replies, "openai:gpt-4o-mini@{url}")
    monkeypatch.setenv("AGENTLAB_CASSETTE_MODE", "replay")
    with al.cassette(path, mode="auto") as cas:  # the environment wins: CI never records
        assert cas.mode == "replay"
        first = await agent.run("Where is order 42?")
        second = await agent.run("Where is order 42?")
    assert first.status == "completed"
    assert second.status == "failed" and isinstance(second.error, al.ReplayMismatch)
    assert "made 2 times but is recorded 1 times" in str(second.error)
    monkeypatch.setenv("AGENTLAB_CASSETTE_MODE", "sometimes")
    with pytest.raises(al.ConfigError, match="AGENTLAB_CASSETTE_MODE"):
        al.cassette(path)


async def test_nth_identical_request_replays_the_nth_recording(tmp_path):
    server = FakeProviderServer().start()
    server.push(*[openai_reply(f"answer {i}") for i in range(3)])
    path = tmp_path / "vote.jsonl"
    solver = al.Agent(name="Solver", model=f"openai:gpt-4o-mini@{server.openai_url}")
    with al.cassette(path, mode="record"):
        live = [(await solver.run("2+2?")).output for _ in range(3)]
    server.stop()
    assert live == ["answer 0", "answer 1", "answer 2"]
    with al.cassette(path, mode="replay"):
        replayed = await asyncio.gather(*(solver.run("2+2?") for _ in range(3)))
    assert [r.output for r in replayed] == live
    model = al.ReplayModel(path)
    outputs = [(await al.Agent(name="Solver", model=model).run("2+2?")).output for _ in range(4)]
    assert outputs == [*live, "answer 0"]  # ReplayModel starts over when all are used


def branch_outputs(run: al.Run) -> list:
    return [s.output for s in sorted(run.trace.find("branch"), key=lambda s: s.attributes["index"])]


async def test_identical_calls_at_once_replay_by_start_order_not_finish_order(tmp_path):
    server = FakeProviderServer().start()
    # the first request to arrive answers last: recordings finish in another order
    server.push(*[Reply(body=openai_reply(f"answer {i}"), delay_s=d)
                  for i, d in enumerate([0.4, 0.05, 0.2])])  # fmt: skip
    solver = al.Agent(name="Solver", model=f"openai:gpt-4o-mini@{server.openai_url}")
    vote = al.Parallel.vote(solver, n=3, pick="first")
    path = tmp_path / "vote.jsonl"
    with al.cassette(path, mode="auto"):
        live = await vote.run("2+2?")
    server.stop()
    lines = [json.loads(line) for line in path.read_text().splitlines()[1:]]
    assert sorted(item["occurrence"] for item in lines) == [0, 1, 2]
    assert [item["response"]["text"] for item in lines] != branch_outputs(live)  # finish order
    with al.cassette(path, mode="replay") as cas:
        replayed = await vote.run("2+2?")
    assert cas.replayed == 3
    assert branch_outputs(replayed) == branch_outputs(live) and replayed.output == live.output
    model = al.ReplayModel(path)
    again = await al.Parallel.vote(al.Agent(name="Solver", model=model), n=3, pick="first").run(
        "2+2?"
    )
    assert branch_outputs(again) == branch_outputs(live)


async def test_auto_mode_records_only_what_is_missing(tmp_path):
    server = FakeProviderServer().start()
    server.push(openai_reply("one"), openai_reply("two"))
    path = str(tmp_path / "auto.jsonl")  # a str path works like a Path
    agent = al.Agent(name="A", model=f"openai:gpt-4o-mini@{server.openai_url}")
    with al.cassette(path) as cas:
        assert (await agent.run("first")).output == "one"
    with al.cassette(path) as cas:
        assert (await agent.run("first")).output == "one"
        assert (await agent.run("second")).output == "two"
    assert (cas.replayed, cas.recorded) == (1, 1)
    assert len(server.requests) == 2
    server.stop()


async def test_replay_needs_no_key_and_offline_models_pass_through(tmp_path):
    model = OpenAIModel("gpt-4o-mini")  # the real endpoint: would need OPENAI_API_KEY
    with pytest.raises(al.ConfigError, match="OPENAI_API_KEY"):
        await al.Agent(name="A", model=model).run("Hi")
    path = tmp_path / "empty.jsonl"
    with al.cassette(path, mode="replay"):
        run = await al.Agent(name="A", model=model).run("Hi")  # no ConfigError at start
        offline = await al.Agent(name="B", model=al.ScriptedModel(["hey"])).run("Hi")
    assert run.status == "failed" and isinstance(run.error, al.ReplayMismatch)
    assert "does not exist" in str(run.error)
    assert offline.output == "hey" and not path.exists()


def test_cassette_applies_inside_run_sync(tmp_path):
    server = FakeProviderServer().start()
    server.push(openai_reply("recorded"))
    path = tmp_path / "sync.jsonl"
    agent = al.Agent(name="A", model=f"openai:gpt-4o-mini@{server.openai_url}")
    with al.cassette(path):
        assert agent.run_sync("Hi").output == "recorded"
    server.stop()
    with al.cassette(path, mode="replay"):
        run = agent.run_sync("Hi")
    assert run.output == "recorded" and run.trace.find("model")[0].attributes["replayed"]


def test_replay_model_needs_an_existing_file(tmp_path):
    with pytest.raises(al.ConfigError, match="record one first"):
        al.ReplayModel(tmp_path / "missing.jsonl")
    with pytest.raises(al.ConfigError, match="mode="):
        al.cassette(tmp_path / "x.jsonl", mode="sometimes")
