"""Traces: shape, messages stored once, processors, JSONL round trip, pandas, terminal view."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

import agentlab as al
from agentlab.trace import SPAN_KINDS, JsonlExporter


def lookup_order(order_id: str) -> str:
    """Look an order up by id."""
    return f"order {order_id}: shipped"


def support_run(**model_kwargs) -> al.Run:
    model = al.ScriptedModel(
        [
            [
                al.ToolCall("lookup_order", {"order_id": "42"}),
                al.ToolCall("lookup_order", {"order_id": "7"}),
            ],
            "Both shipped.",
        ],
        priced_as="openai:gpt-4o-mini",
        **model_kwargs,
    )
    agent = al.Agent(name="Support", instructions="Help.", model=model, tools=[lookup_order])
    return agent.run_sync("Where are orders 42 and 7?")


def test_one_root_run_span_holding_one_agent_span_holding_models_and_tools():
    trace = support_run().trace
    root = trace.root
    assert (root.kind, root.parent_id, root.name, root.status) == ("run", None, "Support", "ok")
    (agent,) = trace.children(root.id)
    assert agent.kind == "agent" and agent.agent == "Support"
    assert [s.kind for s in trace.children(agent.id)] == ["model", "tool", "tool", "model"]
    assert sorted(s.id for s in trace.spans) == list(range(len(trace.spans)))
    for span in trace.spans:
        assert span.kind in SPAN_KINDS
        assert span.end >= span.start


def test_spans_point_at_messages_stored_once():
    trace = support_run().trace
    first, second = trace.find("model")
    assert [m.role for m in trace.messages_of(first)] == ["system", "user"]
    assert [m.role for m in trace.messages_of(second)] == [
        "system",
        "user",
        "assistant",
        "tool",
        "tool",
    ]
    assert trace.messages_of(second, "out")[0].content == "Both shipped."
    assert len(trace.messages) == 6  # every message once, however many spans refer to it


def test_long_conversations_grow_traces_linearly(tmp_path):
    sizes = []
    for turns in (20, 40):
        calls = [al.ToolCall("lookup_order", {"order_id": str(i)}) for i in range(turns)]
        agent = al.Agent(name="A", model=al.ScriptedModel([*calls, "done"]), tools=[lookup_order])
        run = agent.run_sync("go", limits=al.Limits(max_turns=turns + 1))
        run.trace.save(tmp_path / f"{turns}.jsonl")
        sizes.append((tmp_path / f"{turns}.jsonl").stat().st_size)
    assert sizes[1] < 2.3 * sizes[0]


def test_save_then_load_gives_an_equal_trace(tmp_path):
    run = support_run()
    path = tmp_path / "nested" / "trace.jsonl"
    run.trace.save(str(path))
    loaded = al.Trace.load(path)
    assert loaded == run.trace
    assert loaded.cost == pytest.approx(run.cost) and loaded.usage == run.usage
    header = json.loads(path.read_text().splitlines()[0])
    assert header["type"] == "header" and header["schema"] == 1
    assert header["agentlab"] == al.__version__ and header["python"].startswith("3.")
    assert header["price_table"].startswith("genai-prices ")
    assert header["limits"]["max_turns"] == 10 and "created" in header
    assert header["models"] == {"Support": {"model": "scripted", "settings": {}}}
    assert loaded.file_header["trace_id"] == run.trace.id


def test_older_or_unknown_fields_still_load(tmp_path):
    path = tmp_path / "old.jsonl"
    lines = [
        {"type": "header", "schema": 0, "trace_id": "abc"},
        {"type": "message", "index": 0, "role": "user", "content": "hi"},
        {
            "type": "span",
            "id": "s1",
            "parent_id": None,
            "kind": "run",
            "name": "x",
            "start": 1.0,
            "end": 2.0,
            "messages_in": [0],
            "future_field": 1,
        },
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines))
    trace = al.Trace.load(path)
    assert trace.root.id == "s1" and trace.root.duration_s == 1.0
    assert trace.messages_of(trace.root)[0].content == "hi"


def test_to_pandas_has_one_row_per_span_with_the_documented_columns():
    run = support_run()
    frame = run.trace.to_pandas()
    assert len(frame) == len(run.trace.spans)
    for column in (
        "span_id",
        "parent_id",
        "kind",
        "name",
        "agent",
        "start",
        "end",
        "duration_s",
        "input_tokens",
        "output_tokens",
        "cost_usd",
        "status",
        "error",
    ):
        assert column in frame.columns
    assert list(frame["kind"])[:2] == ["run", "agent"]
    assert frame["cost_usd"].sum() == pytest.approx(run.cost)
    assert frame.loc[frame.kind == "model", "input_tokens"].sum() == run.usage.input_tokens


def test_pretty_shows_the_tree_with_tokens_cost_and_time():
    run = support_run()
    text = run.trace.pretty()
    lines = text.splitlines()
    assert lines[0].startswith("run Support")
    assert lines[1].startswith("└─ agent Support")
    assert sum("tool lookup_order" in line for line in lines) == 2
    assert "-> order 42: shipped" in text and "$0.0000" in text and " ms" in text
    assert "status: completed" in str(run) and "run Support" in str(run)


def test_failed_and_stopped_spans_stand_out_in_text():
    def boom(messages, tools):
        raise RuntimeError("bad gateway")

    text = al.Agent(name="A", model=al.FunctionModel(boom)).run_sync("x").trace.pretty()
    assert "✗ error" in text and "RuntimeError: bad gateway" in text


def test_pretty_reads_what_the_viewer_reads_keys_redacted_and_lost_parents_kept(monkeypatch):
    key = "sk-test-PRETTY-0123456789"
    monkeypatch.setenv("OPENAI_API_KEY", key)

    def show_env(name: str) -> str:
        """Debug helper."""
        return os.environ[name]

    script = al.ScriptedModel([al.ToolCall("show_env", {"name": "OPENAI_API_KEY"}), "done"])
    run = al.Agent(name="A", model=script, tools=[show_env]).run_sync("hi")
    text = str(run)
    assert "PRETTY" not in text and "-> [REDACTED:OPENAI_API_KEY]" in text
    partial = al.Trace(spans=[s for s in run.trace.spans if s.kind != "agent"])  # parent lost
    lines = partial.pretty().splitlines()
    assert len(lines) == len(partial.spans) and "more spans" not in lines[-1]
    assert [line.split()[0] for line in lines] == ["run", "model", "tool", "model"]


class Recorder:
    def __init__(self):
        self.events = []

    def on_span_start(self, trace, span):
        self.events.append(("start", span.kind, span.status))

    def on_span_end(self, trace, span):
        self.events.append(("end", span.kind, span.status))

    def on_message(self, trace, index, message):
        self.events.append(("message", index, message.role))


def test_processors_see_spans_start_and_end_live():
    recorder = Recorder()
    with al.processing(recorder):
        al.Agent(name="A", model=al.ScriptedModel(["hi"])).run_sync("hello")
    assert recorder.events[:3] == [
        ("start", "run", "running"),
        ("start", "agent", "running"),
        ("message", 0, "user"),
    ]
    assert recorder.events[-1] == ("end", "run", "ok")
    al.Agent(name="A", model=al.ScriptedModel(["hi"])).run_sync("hello")
    assert recorder.events[-1] == ("end", "run", "ok") and len(recorder.events) == 8


def test_global_processor_and_jsonl_exporter_stream_a_loadable_trace(tmp_path):
    exporter = JsonlExporter(tmp_path)
    al.add_processor(exporter)
    try:
        run = support_run()
    finally:
        al.remove_processor(exporter)
    loaded = al.Trace.load(tmp_path / f"{run.trace.id}.jsonl")
    assert loaded == run.trace


def test_secrets_are_redacted_when_saved(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value-123456")

    def leaky(messages, tools):
        raise RuntimeError("auth failed for key sk-secret-value-123456")

    run = al.Agent(name="A", model=al.FunctionModel(leaky)).run_sync("x")
    assert "sk-secret" not in run.stop_detail
    assert "sk-secret" not in run.trace.find("model")[0].error
    run.trace.save(tmp_path / "t.jsonl")
    text = (tmp_path / "t.jsonl").read_text()
    assert "sk-secret" not in text and "[REDACTED:OPENAI_API_KEY]" in text


@given(
    st.lists(
        st.builds(
            al.Message,
            role=st.sampled_from(["system", "user", "assistant", "tool"]),
            content=st.text(),
            tool_calls=st.lists(
                st.builds(
                    al.ToolCall,
                    name=st.from_regex(r"[a-z_]{1,8}", fullmatch=True),
                    arguments=st.dictionaries(st.text(max_size=5), st.integers() | st.text()),
                    id=st.text(max_size=6),
                ),
                max_size=2,
            ).map(tuple),
            tool_call_id=st.none() | st.text(max_size=6),
            is_error=st.booleans(),
        ),
        max_size=5,
    )
)
def test_messages_round_trip_through_json(messages):
    for message in messages:
        data = json.loads(json.dumps(message.to_dict()))
        assert al.Message.from_dict(data) == message


def test_trace_files_never_contain_env_secrets_by_construction(tmp_path):
    assert "OPENAI_API_KEY" not in os.environ  # conftest clears provider keys
    run = support_run()
    run.trace.save(tmp_path / "t.jsonl")
    assert "api_key" not in (tmp_path / "t.jsonl").read_text().lower()


def test_credentials_in_agent_settings_never_reach_the_trace_header(tmp_path):
    settings = {"temperature": 0, "extra_headers": {"Authorization": "Bearer proxy-tok-123456"}}
    agent = al.Agent(name="A", model=al.ScriptedModel(["hi"]), settings=settings)
    run = agent.run_sync("x")
    header = run.trace.header["models"]["A"]["settings"]
    assert header["temperature"] == 0 and "proxy-tok" not in str(header)
    run.trace.save(tmp_path / "t.jsonl")
    assert "proxy-tok" not in (tmp_path / "t.jsonl").read_text()
    assert agent.settings == settings  # the agent itself keeps what it sends


def test_to_pandas_keeps_usage_on_model_rows_and_totals_apart():
    import pandas as pd

    agent = al.Agent(name="A", model=al.ScriptedModel(["hi"], priced_as="openai:gpt-4o-mini"))
    frame = agent.run_sync("hello").trace.to_pandas().set_index("kind")
    assert pd.isna(frame.loc["run", "input_tokens"]) and pd.isna(frame.loc["agent", "input_tokens"])
    assert frame.loc["model", "input_tokens"] > 0
    assert frame.loc["run", "tokens_in_total"] == frame.loc["model", "input_tokens"]
    assert frame["input_tokens"].sum() == frame.loc["run", "tokens_in_total"]  # additive
