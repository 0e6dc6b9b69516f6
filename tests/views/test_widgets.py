"""The run viewer and compare widgets, Python side: traitlet state, the detail protocol,
the mimebundle (widget view + static text/html fallback), the live view."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import time

import pytest
import traitlets
from trace_samples import big_trace, handoff_trace

import agentlab as al
from agentlab.trace import Span, Trace
from agentlab.views.data import span_by_id
from agentlab.views.files import widget_file
from agentlab.views.page import page_data
from agentlab.views.widgets import CompareView, RunViewer


def _sent(viewer: RunViewer, monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    sent: list[dict] = []
    monkeypatch.setattr(viewer, "send", lambda content, buffers=None: sent.append(content))
    return sent


def test_index_is_the_span_tree_with_steps_and_handoffs():
    viewer = al.show(handoff_trace())
    index = viewer.index
    assert isinstance(viewer, RunViewer)
    assert index["kind"] == [
        "run",
        "team",
        "agent",
        "model",
        "tool",
        "model",
        "handoff",
        "agent",
        "model",
        "limit",
    ]
    assert index["depth"] == [0, 1, 2, 3, 3, 3, 3, 2, 3, 2]
    assert [index["kind"][r] for r in index["steps"]] == [
        "model",
        "tool",
        "model",
        "handoff",
        "model",
        "limit",
    ]
    assert index["status"][4] == "error" and index["status"][9] == "stopped"
    # subtree totals: the Triage agent row sums its two model calls
    assert (index["tin"][2], index["tout"][2], index["cost"][2]) == (200, 40, pytest.approx(0.002))
    assert index["handoffs"] == [
        {
            "row": 6,
            "from": "Triage",
            "to": "Billing",
            "hop": 1,
            "intent": "refund the duplicate charge on order 42",
            "state": "order lookup failed; user is annoyed",
        }
    ]
    assert viewer.summary["status"] == "stopped" and viewer.summary["stop_reason"] == "max_hops"
    assert viewer.step == 0


def test_details_come_on_request_with_the_exact_messages(monkeypatch):
    viewer = al.show(handoff_trace())
    sent = _sent(viewer, monkeypatch)
    viewer._on_front_end_message(viewer, {"type": "detail", "id": 6}, [])
    [reply] = sent
    assert reply["type"] == "detail" and reply["id"] == 6
    data = reply["data"]
    crossed = data["messages_out"]["items"]
    assert [m["index"] for m in crossed] == [1, 2, 7]
    assert crossed[0]["content"] == "I was charged twice for order 42"
    assert crossed[1]["tool_calls"][0]["name"] == "lookup_order"
    assert crossed[2]["content"].startswith("Handoff from Triage to Billing (hop 1).")
    removed = data["removed"]["items"]  # the default context minus what crossed
    assert [m["content"] for m in removed] == ["Error: KeyError: '42'", ""]
    assert removed[1]["tool_calls"][0]["name"] == "transfer_to_billing"
    assert data["attributes"]["intent"] == "refund the duplicate charge on order 42"
    model = viewer.detail(3)
    assert [m["role"] for m in model["messages_in"]["items"]] == ["system", "user"]
    assert model["usage"]["input_tokens"] == 100 and model["cost"] == pytest.approx(0.001)
    assert viewer.detail(999) == {"id": 999, "missing": True}


def test_handoff_removed_may_list_message_indices():
    trace = handoff_trace()
    at = next(i for i, span in enumerate(trace.spans) if span.id == 6)
    span = trace.spans[at]
    trace.spans[at] = dataclasses.replace(span, attributes={**span.attributes, "removed": [3]})
    assert [m["index"] for m in al.show(trace).detail(6)["removed"]["items"]] == [3]


class CountingId(str):
    """A span id that counts how often it is compared."""

    compared = 0

    def __eq__(self, other: object) -> bool:
        CountingId.compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_every_span_detail_of_a_big_trace_is_found_without_a_scan():
    n = 2000
    root = Span(CountingId("root"), None, "run", "big", None, 0.0, 1.0)
    tools = [Span(CountingId(f"t{i}"), root.id, "tool", "t", None, i, i + 1) for i in range(n)]
    trace = Trace(spans=[*tools, root])
    CountingId.compared = 0
    data = page_data(trace)  # every span's details, as the standalone page holds them
    assert len(data["details"]) == n + 1 and data["details"]["t7"]["name"] == "t"
    assert CountingId.compared < 10 * n  # a scan per span made ~n * n / 2 comparisons


def test_span_lookup_follows_a_trace_that_grows_or_is_replaced():
    trace = handoff_trace()
    assert span_by_id(trace, 6).kind == "handoff" and span_by_id(trace, 99) is None
    trace.spans.append(Span(99, 0, "limit", "late", None, 9.0, 9.5))  # a live run goes on
    assert span_by_id(trace, 99) is trace.spans[-1]
    trace.spans.append(dataclasses.replace(trace.spans[0], name="again"))  # an id repeated
    assert span_by_id(trace, trace.spans[0].id).name == "again"  # the latest wins
    trace.spans = trace.spans[:3]
    assert span_by_id(trace, 99) is None and al.show(trace).detail(99)["missing"]


class SlowProvider:
    """Stands in for a provider model: a cassette records it (offline models pass through)."""

    name = "slow-provider"
    price_key = "openai:gpt-4o-mini"

    def __init__(self) -> None:
        self.inner = al.ScriptedModel(["Order 42 has shipped."], latency_s=0.2)

    async def respond(self, request):
        return await self.inner.respond(request)


def test_a_replayed_model_call_shows_its_recorded_latency(tmp_path, monkeypatch):
    monkeypatch.delenv("AGENTLAB_CASSETTE_MODE", raising=False)  # CI forces replay; we record
    path = tmp_path / "slow.jsonl"
    with al.cassette(path, mode="record"):
        recorded = al.Agent(name="Support", model=SlowProvider()).run_sync("Where is 42?")
    with al.cassette(path, mode="replay") as cas:
        replayed = al.Agent(name="Support", model=SlowProvider()).run_sync("Where is 42?")
    assert cas.replayed == 1
    [span] = replayed.trace.find("model")
    latency = span.attributes["latency_s"]
    assert span.attributes["replayed"] is True and latency >= 0.2 > span.duration_s * 10
    viewer = al.show(replayed)
    row = viewer.index["kind"].index("model")
    assert viewer.index["rec_ms"][row] == pytest.approx(latency * 1000)
    assert viewer.index["ms"][row] < 20  # the replay itself: shown only in the tooltip
    assert [ms for r, ms in enumerate(viewer.index["rec_ms"]) if r != row] == [None, None]
    assert viewer.detail(span.id)["rec_ms"] == viewer.index["rec_ms"][row]
    # a call recorded in this run already lasted its latency: nothing to mark
    assert al.show(recorded).index["rec_ms"] == [None, None, None]
    # the static snapshot (saved notebooks, reports) says the same
    assert f"{latency * 1000:.1f} ms recorded" in viewer.static_html()
    assert "recorded" not in al.show(recorded).static_html()


def test_the_index_sent_to_the_browser_holds_no_message_text():
    trace = handoff_trace()
    text = str(al.show(trace).index)
    assert "I was charged twice" not in text and "You handle billing" not in text


def test_mimebundle_has_the_widget_view_and_a_static_html_fallback():
    viewer = al.show(handoff_trace())
    bundle = viewer._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == viewer.model_id
    html = data["text/html"]
    for text in (
        "Support desk",
        "lookup_order",
        "transfer_to_billing",
        "✗ error",
        "■ stopped",
        "refund the duplicate charge on order 42",
        "order lookup failed; user is annoyed",
        "Handoff from Triage to Billing (hop 1).",
        "Removed by the filter (2)",
    ):
        assert text in html, text
    assert "<script" not in html and "http" not in html


def test_static_fallback_is_capped_with_a_note():
    viewer = al.show(big_trace())
    html = viewer.static_html()
    assert html.count("class='r'") == 500
    assert "9501 more spans not shown" in html
    assert len(html) < 200_000
    assert len(viewer.index["id"]) == 10_001


def test_show_accepts_runs_and_traces_loaded_from_disk(tmp_path):
    def lookup_order(order_id: str) -> str:
        """Look an order up."""
        return f"order {order_id}: shipped"

    model = al.ScriptedModel([al.ToolCall("lookup_order", {"order_id": "42"}), "It shipped."])
    run = al.Agent(name="Support", model=model, tools=[lookup_order]).run_sync("Where is 42?")
    live = run.show()
    run.trace.save(tmp_path / "t.jsonl")
    loaded = al.show(al.Trace.load(tmp_path / "t.jsonl"))
    assert live.index == loaded.index
    assert live.summary == loaded.summary
    tool_row = live.index["kind"].index("tool")
    assert loaded.detail(live.index["id"][tool_row])["output"] == "order 42: shipped"


def test_show_rejects_other_values_with_a_hint():
    with pytest.raises(al.ConfigError, match=r"al\.show\(\) takes a Run.*pass run, run\.trace"):
        al.show("trace.jsonl")
    with pytest.raises(al.ConfigError, match=r"side by side use al\.compare\(run_a, run_b\)"):
        al.show([handoff_trace(), handoff_trace()])
    with pytest.raises(al.ConfigError, match=r"al\.compare\(\) takes a Run or a Trace, got int"):
        al.compare(handoff_trace(), 3)


def test_live_viewer_shows_spans_while_the_run_goes():
    viewer = al.show()
    seen = []

    def fn(messages, tools):
        seen.append((list(viewer.index["kind"]), list(viewer.index["status"])))
        return "done"

    import agentlab.views.widgets as widgets

    widgets_interval, widgets.LIVE_INTERVAL_S = widgets.LIVE_INTERVAL_S, 0.0
    try:
        with al.processing(viewer):
            run = al.Agent(name="Live", model=al.FunctionModel(fn)).run_sync("go")
    finally:
        widgets.LIVE_INTERVAL_S = widgets_interval
    kinds, statuses = seen[0]
    assert kinds == ["run", "agent", "model"] and statuses == ["running"] * 3
    assert viewer.index["kind"] == ["run", "agent", "model"]
    assert viewer.index["status"] == ["ok", "ok", "ok"]
    assert viewer.trace is run.trace and viewer.summary["status"] == "completed"
    assert "waiting for a run" in al.show().static_html()


def test_live_viewer_redraws_during_a_long_call_between_throttled_updates():
    import agentlab.views.widgets as widgets

    viewer = al.show()
    seen = []

    def slow(messages, tools):  # the spans before this call started within one interval
        time.sleep(widgets.LIVE_INTERVAL_S * 3)
        seen.append(list(viewer.index["kind"]))
        return "late"

    with al.processing(viewer):
        al.Agent(name="Slow", model=al.FunctionModel(slow)).run_sync("go")
    assert seen == [["run", "agent", "model"]]  # redrawn once the interval was up
    assert viewer.index["status"] == ["ok", "ok", "ok"] and viewer._timer is None


def test_compare_shows_per_agent_figures_side_by_side():
    good = handoff_trace()
    single = al.Agent(name="Solo", model=al.ScriptedModel(["ok"], priced_as="openai:gpt-4o-mini"))
    view = al.compare(good, single.run_sync("hi"), titles=["team", "single"])
    assert isinstance(view, CompareView)
    team, solo = view.runs
    assert team["title"] == "team" and team["handoffs"] == 1 and team["hops"] == 1
    assert [(a["agent"], a["calls"], a["tokens_in"]) for a in team["agents"]] == [
        ("Billing", 1, 80),
        ("Triage", 2, 200),
    ]
    assert solo["agents"][0]["agent"] == "Solo" and solo["handoffs"] == 0
    html = view._repr_mimebundle_()[0]["text/html"]
    assert "team" in html and "single" in html and "Triage" in html and "$0.004000" in html
    with pytest.raises(al.ConfigError, match="one title per run"):
        al.compare(good, good, titles=["only one"])


def test_widget_front_end_files_ship_next_to_the_code():
    for name in ("viewer.js", "viewer.css", "compare.js"):
        source = widget_file(name).read_text()
        assert "http" not in source, name  # no CDN, no network
        assert not re.search(r"^\s*import ", source, re.M), name  # plain modules, no bundler


def test_widget_files_are_found_in_a_wheel_layout(tmp_path, monkeypatch):
    import agentlab.views.files as view_page

    (tmp_path / "agentlab" / "_widgets").mkdir(parents=True)
    (tmp_path / "agentlab" / "_widgets" / "viewer.js").write_text("export default {}")
    monkeypatch.setattr(view_page, "__file__", str(tmp_path / "agentlab" / "view_page.py"))
    assert widget_file("viewer.js") == tmp_path / "agentlab" / "_widgets" / "viewer.js"
    with pytest.raises(FileNotFoundError, match="reinstall"):
        widget_file("missing.js")


def test_public_names_load_lazily():
    code = (
        "import sys, agentlab as al;"
        "before = 'altair' in sys.modules or 'anywidget' in sys.modules;"
        "c = al.charts; mid = 'altair' in sys.modules; al.show; "
        "print(before, mid, 'anywidget' in sys.modules, c.__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "True", "agentlab.views.charts"]


def test_a_step_past_the_last_is_refused_with_the_steps_there_are():
    viewer = al.show(handoff_trace())
    viewer.step = 5
    for wrong in (6, 99, -1):
        with pytest.raises(traitlets.TraitError, match=rf"no such step {wrong}: .* give 0 to 5"):
            viewer.step = wrong
    assert viewer.step == 5
    viewer.set_state({"step": 9})  # a front-end that still showed a longer run: clamped
    assert viewer.step == 5
    with pytest.raises(traitlets.TraitError, match="no steps yet"):
        al.show().step = 1


def test_compare_labels_columns_by_the_callers_variable_names():
    bad, good = handoff_trace(), handoff_trace()  # two runs of the same team: equal titles
    titles = [r["title"] for r in al.compare(bad, good).runs]
    assert titles == ["bad: Support desk", "good: Support desk"]
    runs = [handoff_trace(), handoff_trace()]
    assert [r["title"] for r in al.compare(runs[0], runs[1]).runs] == [
        "A: Support desk", "B: Support desk"]  # fmt: skip
    assert [r["title"] for r in al.compare(bad, bad).runs] == ["A: Support desk", "B: Support desk"]
    assert [r["title"] for r in al.compare(bad, runs[1]).runs] == ["bad: Support desk",
                                                                   "B: Support desk"]  # fmt: skip
    assert [r["title"] for r in al.compare(bad, good, titles=["x", "y"]).runs] == ["x", "y"]
