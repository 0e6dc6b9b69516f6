"""The cassette file itself: appended as calls are recorded, header updated once at the
block's end, still valid when the recording process dies half-way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from fake_providers import FakeProviderServer, openai_reply

import agentlab as al
from agentlab.models import cassette as cassette_module
from agentlab.models._recordings import Recordings


@pytest.fixture(autouse=True)
def recording_allowed(monkeypatch):
    monkeypatch.delenv("AGENTLAB_CASSETTE_MODE", raising=False)


def read_lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


async def test_each_recording_is_appended_and_the_header_rewritten_once(tmp_path, monkeypatch):
    rewrites = []
    real_replace = os.replace
    monkeypatch.setattr(
        cassette_module.os, "replace", lambda a, b: (rewrites.append(b), real_replace(a, b))
    )
    server = FakeProviderServer().start()
    server.push(openai_reply("one"), openai_reply("two"), openai_reply("three"))
    mini = al.Agent(name="Mini", model=f"openai:gpt-4o-mini@{server.openai_url}")
    big = al.Agent(name="Big", model=f"openai:gpt-4o@{server.openai_url}")
    path = tmp_path / "c.jsonl"
    with al.cassette(path, mode="auto") as cas:
        await mini.run("a")
        await mini.run("b")
        lines = read_lines(path)  # mid-way: a valid cassette holding both recordings
        assert [line["type"] for line in lines] == ["header", "interaction", "interaction"]
        assert len(Recordings.load(path).interactions) == 2
        await big.run("c")
        assert rewrites == [] and len(read_lines(path)) == 4  # appended, never rewritten
    server.stop()
    assert rewrites == [path] and cas.recorded == 3
    header = read_lines(path)[0]
    assert [m["model"] for m in header["models"]] == ["openai:gpt-4o-mini", "openai:gpt-4o"]
    with al.cassette(path, mode="replay") as cas:
        assert (await big.run("c")).output == "three"
    assert rewrites == [path]  # nothing recorded, nothing rewritten


async def test_record_mode_starts_a_new_file_and_auto_appends_to_one(tmp_path):
    server = FakeProviderServer().start()
    server.push(*[openai_reply(f"r{i}") for i in range(3)])
    agent = al.Agent(name="A", model=f"openai:gpt-4o-mini@{server.openai_url}")
    path = tmp_path / "c.jsonl"
    with al.cassette(path, mode="auto"):
        await agent.run("x")
    with al.cassette(path, mode="record"):
        await agent.run("x")
    assert [line.get("response", {}).get("text") for line in read_lines(path)] == [None, "r1"]
    path.write_text(path.read_text().rstrip("\n"))  # hand-edited: no final newline
    with al.cassette(path, mode="auto"):
        await agent.run("y")
    server.stop()
    assert len(Recordings.load(path).interactions) == 2


RECORD_THEN_DIE = """
import asyncio, os, sys
import agentlab as al
from agentlab.models.base import ModelResponse

class Live:  # a real model stand-in: not offline, so the cassette records it
    name = "live:x"
    price_key = None
    async def respond(self, request):
        return ModelResponse("answer to " + request.messages[-1].content)

async def main():
    agent = al.Agent(name="A", model=Live())
    with al.cassette(sys.argv[1], mode="auto"):
        await agent.run("q1")
        await agent.run("q2")
        with open(sys.argv[1], "a") as f:
            f.write('{"type": "interaction", "mod')  # killed in the middle of a line
        os._exit(3)

asyncio.run(main())
"""


def test_a_process_that_dies_while_recording_leaves_a_usable_cassette(tmp_path):
    path = tmp_path / "died.jsonl"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    env.pop("AGENTLAB_CASSETTE_MODE", None)
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(RECORD_THEN_DIE), str(path)],
                          env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 3, done.stderr
    model = al.ReplayModel(path)
    assert len(model.recordings.interactions) == 2
    agent = al.Agent(name="A", model=model)
    assert agent.run_sync("q2").output == "answer to q2"
    broken = tmp_path / "broken.jsonl"
    broken.write_text(path.read_text().replace('"type": "interaction"', "{oops", 1) + "\n")
    with pytest.raises(al.ConfigError, match="line 2 is not JSON"):
        Recordings.load(broken)  # a bad line in the middle is still an error


def test_a_trace_file_is_refused_as_a_cassette_with_how_to_make_one(tmp_path):
    run = al.Agent(name="A", model=al.ScriptedModel(["hi"])).run_sync("hello")
    trace_path = tmp_path / "trace.jsonl"
    run.trace.save(trace_path)
    with pytest.raises(al.ConfigError) as refused:
        al.ReplayModel(trace_path)
    message = str(refused.value)
    assert "saved trace, not a cassette" in message and "with al.cassette(" in message
    with al.cassette(trace_path, mode="auto"):  # a cassette block says the same at its call
        failed = al.Agent(name="A", model="openai:gpt-4o-mini@http://127.0.0.1:9/v1").run_sync("x")
    assert failed.status == "failed" and "not a cassette" in failed.stop_detail
    other = tmp_path / "rows.jsonl"
    other.write_text('{"id": 1, "input": "q"}\n')
    with pytest.raises(al.ConfigError, match=r"rows\.jsonl is not an agentlab cassette"):
        al.ReplayModel(other)
    newer = tmp_path / "newer.jsonl"
    newer.write_text('{"type": "header", "format": "agentlab-cassette", "version": 9}\n')
    with pytest.raises(al.ConfigError, match="version 9"):
        al.ReplayModel(newer)
