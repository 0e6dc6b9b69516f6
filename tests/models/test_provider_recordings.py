"""The committed recordings of a real model (SmolLM2-135M via ``make local-model``) replay
offline, with their provenance, through the same designs that recorded them."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

import agentlab as al

SCRIPT = Path(__file__).resolve().parents[2] / "data" / "cassettes" / "record_smollm2.py"


@pytest.fixture(scope="module")
def recorder():
    spec = importlib.util.spec_from_file_location("record_smollm2", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def header(path: Path) -> dict:
    return json.loads(path.read_text().splitlines()[0])


@pytest.mark.parametrize("name", ["ROUTER_FILE", "TOOL_FILE"])
def test_recordings_say_where_they_came_from(recorder, name):
    head = header(getattr(recorder, name))
    assert head["format"] == "agentlab-cassette" and head["agentlab"]
    assert head["models"] == [{"model": "openai:smollm2", "server": "http://127.0.0.1:8080/v1"}]
    assert head["created"].startswith("20")


async def test_router_recording_replays_without_a_server(recorder):
    router = recorder.build_router("http://127.0.0.1:9/v1")  # nothing listens there
    with al.cassette(recorder.ROUTER_FILE, mode="replay") as cas:
        runs = [await router.run(ticket) for ticket in recorder.TICKETS]
    assert all(run.status == "completed" for run in runs), [r.error for r in runs]
    assert cas.replayed == 2 * len(recorder.TICKETS)  # classifier + handler per ticket
    for run in runs:
        route = run.trace.find("route")[0]
        assert route.attributes["normalized"] in recorder.LABELS
        models = run.trace.find("model")
        assert all(m.attributes["replayed"] for m in models)
        assert all(m.usage.input_tokens > 0 for m in models)


async def test_forced_tool_recording_replays_with_parsed_arguments(recorder):
    agent = recorder.build_tool_agent("http://127.0.0.1:9/v1")
    with al.cassette(recorder.TOOL_FILE, mode="replay"):
        runs = [await agent.run(q, limits=al.Limits(max_turns=1))
                for q in recorder.ORDER_QUESTIONS]  # fmt: skip
    for run in runs:
        assert run.stop_reason == "max_turns"
        tool = run.trace.find("tool")[0]
        assert tool.name == "lookup_order" and isinstance(tool.attributes["arguments"], dict)
