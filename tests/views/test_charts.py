"""Charts, tested by their Vega-Lite specs (``chart.to_dict()``) and their offline SVG."""

from __future__ import annotations

import dataclasses
import itertools
import math
import subprocess
import sys

import pandas as pd
import pytest
import vl_convert
from trace_samples import handoff_trace, manager_trace, patterns_trace

import agentlab as al
from agentlab.experiment.result import ExperimentResult, TaskResult
from agentlab.views import charts


def values(chart) -> list[dict]:
    """The data rows of a chart's first dataset."""
    spec = chart.to_dict()
    return next(iter(spec["datasets"].values()))


def marks(chart) -> list[str]:
    spec = chart.to_dict()
    layers = spec.get("layer") or spec.get("spec", {}).get("layer") or [spec]
    return [mark_of(layer) for layer in layers]


def mark_of(layer: dict) -> str:
    """A layer's mark type; a layer of layers of one mark (aligned text) counts once."""
    if "layer" in layer:
        [mark] = {mark_of(inner) for inner in layer["layer"]}
        return mark
    return layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]


SPAN_CHARTS = [
    (charts.cost_by_agent, handoff_trace),
    (charts.tokens_by_agent, handoff_trace),
    (charts.timeline, handoff_trace),
    (charts.handoff_graph, handoff_trace),
    (charts.scores_by_iteration, patterns_trace),
    (charts.votes, patterns_trace),
    (charts.routing_table, patterns_trace),
]


@pytest.mark.parametrize(("make", "sample"), SPAN_CHARTS)
def test_every_chart_takes_a_trace_a_run_list_or_a_dataframe(make, sample):
    trace = sample()
    one = values(make(trace))
    assert len(one[0]) > 1  # drawn from the sample, not a one-column "no such spans" note
    assert values(make([trace])) == one
    assert values(make(trace.to_pandas())) == one

    class Run:  # what al.Run offers charts: .trace
        pass

    run = Run()
    run.trace = trace
    assert values(make(run)) == one
    assert values(make(experiment([trace]))) == one  # an ExperimentResult: its traces


def experiment(traces=()) -> ExperimentResult:
    """Two designs: a passes 3 of 4 at $0.01 each, b passes 1 of 2 unpriced; one skipped."""
    tasks = [
        TaskResult("a", i, i, 0, "q", status="completed", passed=i < 3, cost_usd=0.01)
        for i in range(4)
    ]
    tasks += [
        TaskResult("b", 0, 0, 0, "q", status="completed", passed=True),
        TaskResult("b", 1, 1, 0, "q", status="failed"),
        TaskResult("b", 2, 2, 0, "q", stop_reason="max_cost_usd"),  # skipped
    ]
    for task, trace in zip(tasks, traces, strict=False):
        task.trace = trace
    return ExperimentResult(tasks, designs=["a", "b"])


def test_cost_by_agent_sums_model_calls_per_agent():
    chart = charts.cost_by_agent(handoff_trace())
    rows = {r["agent"]: r for r in values(chart)}
    assert rows["Triage"]["cost_usd"] == pytest.approx(0.002) and rows["Triage"]["calls"] == 2
    assert rows["Billing"]["cost_usd"] == pytest.approx(0.002)
    assert marks(chart) == ["bar", "text"]
    spec = chart.to_dict()
    assert spec["layer"][0]["encoding"]["x"]["field"] == "cost_usd"
    assert spec["title"] == "Cost by agent"


def test_cost_labels_write_money_as_everywhere_else():
    frame = handoff_trace().to_pandas()
    frame.loc[frame["agent"] == "Billing", "cost_usd"] = 1.25  # its one model call
    labels = {r["agent"]: r["label"] for r in values(charts.cost_by_agent(frame))}
    assert labels == {"Billing": "$1.25", "Triage": "$0.002000"}


def test_charts_over_many_runs_say_how_many():
    chart = charts.cost_by_agent([handoff_trace(), patterns_trace()])
    assert chart.to_dict()["title"] == "Cost by agent (2 runs)"
    assert {r["agent"] for r in values(chart)} == {"Triage", "Billing", "Solver"}


def test_tokens_by_agent_stacks_input_and_output():
    rows = values(charts.tokens_by_agent(handoff_trace()))
    assert {(r["agent"], r["direction"], r["tokens"]) for r in rows} == {
        ("Triage", "input", 200),
        ("Triage", "output", 40),
        ("Billing", "input", 80),
        ("Billing", "output", 12),
    }


def test_timeline_shows_overlapping_branches_and_status_marks():
    chart = charts.timeline(patterns_trace())
    rows = values(chart)
    branches = [r for r in rows if r["kind"] == "branch"]
    assert len(branches) == 3
    # concurrency: every branch starts before any other ends
    assert max(b["from_s"] for b in branches) < min(b["to_s"] for b in branches)
    stopped = [r for r in values(charts.timeline(handoff_trace())) if r["status"] == "stopped"]
    assert {r["status_mark"] for r in stopped} == {"■"}
    assert marks(chart) == ["bar", "text"]


def replayed(trace: al.Trace, span_id: int, latency_s: float) -> al.Trace:
    """The trace with one model call marked as replayed from a cassette recording."""
    trace.spans = [
        dataclasses.replace(
            s, attributes={**s.attributes, "replayed": True, "latency_s": latency_s}
        )
        if s.id == span_id
        else s
        for s in trace.spans
    ]
    return trace


def test_timeline_writes_a_replayed_calls_recorded_latency_beside_its_bar():
    chart = charts.timeline(replayed(handoff_trace(), 3, 0.93))
    rows = values(chart)
    models = [r for r in rows if r["kind"] == "model"]
    assert [r["recorded_s"] for r in models] == [0.93, None, None]
    assert [r["mark"] for r in models] == ["930.0 ms recorded", "", ""]
    assert models[0]["to_s"] - models[0]["from_s"] == pytest.approx(0.5)  # this run's time
    assert all(r["recorded_s"] is None for r in rows if r["kind"] != "model")
    assert {r["mark"] for r in rows if r["status"] == "stopped"} == {"■"}
    assert "1 replayed call (labelled with the recorded latency)" in chart.to_dict()["title"]
    assert "replayed" not in charts.timeline(handoff_trace()).to_dict()["title"]


def test_timeline_caps_spans_and_says_so():
    chart = charts.timeline(patterns_trace(), max_spans=5)
    assert len(values(chart)) == 5
    assert "first 5 spans" in chart.to_dict()["title"]


def test_timeline_builds_the_span_table_once_and_leaves_a_given_one_alone(monkeypatch):
    built = []
    monkeypatch.setattr(charts, "spans_frame", lambda data: built.append(data) or data)
    frame = pd.concat([patterns_trace().to_pandas(), handoff_trace().to_pandas()])
    before = frame.copy()
    chart = charts.timeline(frame)
    assert len(built) == 1 and "(2 runs)" in chart.to_dict()["title"]
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is not changed


def test_scores_by_iteration_marks_the_accepted_one():
    rows = values(charts.scores_by_iteration(patterns_trace()))
    assert [(r["iteration"], r["score"], r["accepted"]) for r in rows] == [
        (1, 0.4, "rejected"),
        (2, 0.7, "rejected"),
        (3, 0.9, "accepted"),
    ]


def test_votes_show_counts_and_star_the_winner():
    rows = values(charts.votes(patterns_trace()))
    assert {(r["answer"], r["count"], r["winner"]) for r in rows} == {
        ("42", 2, "★ winner"),
        ("41", 1, ""),
    }


def test_routing_table_counts_labels_and_marks_fallbacks():
    rows = values(charts.routing_table(patterns_trace()))
    assert {(r["label"], r["route"], r["text"]) for r in rows} == {
        ("billing", "billing", "1"),
        ("weather", "support", "1 (fallback)"),
    }


def test_handoff_graph_draws_one_arrow_per_pair():
    chart = charts.handoff_graph([handoff_trace(), handoff_trace()])
    edges = values(chart)
    assert [(e["from"], e["to"], e["style"], e["count"]) for e in edges] == [
        ("Triage", "Billing", "transfer", 2),
        ("Billing", "Triage", "refused", 2),  # the sample's hop back, refused by max_hops
    ]
    assert marks(chart) == ["rule", "point", "circle", "text", "text"]  # names, labels


def test_handoff_graph_shows_manager_calls_as_dashed_tool_edges():
    chart = charts.handoff_graph([manager_trace(), handoff_trace()])
    edges = {(e["from"], e["to"], e["style"], e["count"]) for e in values(chart)}
    assert edges == {
        ("Manager", "Researcher", "as tool", 2),
        ("Triage", "Billing", "transfer", 1),
        ("Billing", "Triage", "refused", 1),
    }
    dash = chart.to_dict()["layer"][0]["encoding"]["strokeDash"]
    assert dash["scale"]["domain"] == ["transfer", "as tool", "refused"]
    assert dash["scale"]["range"][:2] == [[1, 0], [6, 4]]
    assert "Manager → Researcher ×2 (as tool)" in {e["label"] for e in values(chart)}
    assert "×2 as tool" in {e["text"] for e in values(chart)}


def _always_transfer(target: str) -> al.FunctionModel:
    return al.FunctionModel(lambda m, t: al.ToolCall(f"transfer_to_{target}", {"intent": "yours"}))


def stopped_teams() -> list:
    """Notebook 07's two stopped teams: a ping-pong pair (handoff_cycle at hop 3) and a
    relay of six agents cut by max_hops=3 (Agent D -> Agent E would be hop 4)."""
    sales = al.Agent(name="Sales", model=_always_transfer("support"), handoffs=["Support"])
    support = al.Agent(name="Support", model=_always_transfer("sales"), handoffs=["Sales"])
    names = [f"Agent {c}" for c in "ABCDEF"]
    relay = [
        al.Agent(name=n, model=_always_transfer(f"agent_{nxt[-1].lower()}"), handoffs=[nxt])
        for n, nxt in itertools.pairwise(names)
    ]
    relay.append(al.Agent(name=names[-1], model=al.ScriptedModel(["done"])))
    runs = [
        al.Team([sales, support], entry=sales).run_sync("refund?"),
        al.Team(relay, entry=names[0], max_hops=3).run_sync("help"),
    ]
    assert [r.stop_reason for r in runs] == ["handoff_cycle", "max_hops"]
    return [r.trace for r in runs]


def test_handoff_graph_marks_the_refused_hop_and_keeps_labels_off_the_nodes():
    chart = charts.handoff_graph(stopped_teams())
    spec = chart.to_dict()
    datasets = list(spec["datasets"].values())
    lines = datasets[0]
    nodes = {n["agent"]: n for n in datasets[1]}
    refused = {(e["from"], e["to"], e["reason"]): e for e in lines if e["style"] == "refused"}
    assert set(refused) == {
        ("Sales", "Support", "handoff_cycle"),
        ("Agent D", "Agent E", "max_hops"),
    }
    assert refused[("Agent D", "Agent E", "max_hops")]["text"] == "✕ stopped: max_hops"
    assert {(e["from"], e["to"]) for e in lines if e["style"] == "transfer"} == {
        ("Sales", "Support"), ("Support", "Sales"),
        ("Agent A", "Agent B"), ("Agent B", "Agent C"), ("Agent C", "Agent D"),
    }  # fmt: skip
    # a refused hop is dotted and red, and says so in words (not by colour alone)
    dash, colour = (spec["layer"][0]["encoding"][k]["scale"] for k in ("strokeDash", "color"))
    assert dash["range"][dash["domain"].index("refused")] == [3, 3]
    assert colour["range"][colour["domain"].index("refused")] == "#d62728"

    # every label and name keeps clear of every node; a label sits by its own line's middle
    def gap(x, y):
        return min(math.hypot(x - n["x"], y - n["y"]) for n in nodes.values())

    for line in lines:
        middle = ((line["x"] + line["x2"]) / 2, (line["y"] + line["y2"]) / 2)
        near = math.dist((line["mx"], line["my"]), middle)
        assert near < 0.3 and gap(line["mx"], line["my"]) > max(0.2, near), line["label"]
        assert gap(line["x"], line["y"]) >= 0.17 and gap(line["x2"], line["y2"]) >= 0.17
    for node in nodes.values():
        assert math.hypot(node["nx"] - node["x"], node["ny"] - node["y"]) > 0.2
    labels = [(e["mx"], e["my"]) for e in lines]
    assert len(set(labels)) == len(labels)  # the cycle edge and the transfer it repeats too
    svg = vl_convert.vegalite_to_svg(spec)
    assert "stopped: max_hops" in svg and "stopped: handoff_cycle" in svg


def test_charts_without_their_spans_say_so():
    for make, text in (
        (charts.votes, "No vote spans"),
        (charts.routing_table, "No routing"),
        (charts.handoff_graph, "No handoffs or agents called as tools"),
        (charts.scores_by_iteration, "No scored iterations"),
    ):
        chart = make(al.Trace(spans=[]) if make is charts.handoff_graph else handoff_trace())
        assert text in values(chart)[0]["text"]


def test_completion_vs_cost_takes_an_experiment_summary():
    summary = pd.DataFrame(
        {
            "design": ["single", "chain"],
            "completion_rate": [0.8, 0.95],
            "cost_per_task": [0.01, 0.03],
            "tasks": [20, 20],
        }
    )
    chart = charts.completion_vs_cost(summary)
    assert values(chart) == [
        {"design": "single", "completion_rate": 0.8, "cost_per_task": 0.01, "label": "single"},
        {"design": "chain", "completion_rate": 0.95, "cost_per_task": 0.03, "label": "chain"},
    ]
    assert marks(chart) == ["point", "text"]

    class Result:  # what ExperimentResult offers: summary() -> DataFrame
        def summary(self):
            return summary

    assert values(charts.completion_vs_cost(Result())) == values(chart)
    with_ci = summary.assign(completion_ci_low=[0.6, 0.8], completion_ci_high=[0.9, 0.99])
    assert marks(charts.completion_vs_cost(with_ci)) == ["rule", "point", "text"]
    with pytest.raises(al.ConfigError, match=r"needs an experiment summary with columns"):
        charts.completion_vs_cost(pd.DataFrame({"x": [1]}))


def test_completion_vs_cost_takes_an_experiment_result_or_its_tasks():
    result = experiment()
    from_summary = values(charts.completion_vs_cost(result))
    from_tasks = values(charts.completion_vs_cost(result.to_pandas()))  # one row per task
    for rows in (from_summary, from_tasks):
        assert [(r["design"], r["completion_rate"]) for r in rows] == [("a", 0.75), ("b", 0.5)]
        assert rows[0]["cost_per_task"] == pytest.approx(0.01)
        assert rows[1].get("cost_per_task") is None  # unpriced: NaN, left out of the chart
    low = {r["design"]: r["completion_ci_low"] for r in from_summary}
    assert [r["completion_ci_low"] for r in from_tasks] == [low["a"], low["b"]]


def test_a_task_table_is_summarised_by_the_same_function_as_summary():
    from agentlab.views.chart_data import experiment_frame

    result = experiment()
    result.tasks[0].duration_s, result.tasks[1].hops, result.tasks[2].iterations = 2.0, 1, 3
    result.tasks[3].stop_reason = "interrupted"  # stopped mid-run: not counted, not failed
    from_tasks = experiment_frame(result.to_pandas())
    pd.testing.assert_frame_equal(from_tasks, result.summary())  # every column, NaNs too
    assert from_tasks.completion_rate[0] == 1.0
    assert from_tasks.attrs["not_counted"] == result.summary().attrs["not_counted"]
    assert from_tasks.attrs["not_counted"]["a"] == 1  # the interrupted task
    with pytest.raises(al.ConfigError, match="needs an experiment summary"):
        experiment_frame(result.to_pandas().drop(columns="counted"))  # which tasks count?


def test_bad_input_is_a_config_error():
    with pytest.raises(al.ConfigError, match=r"charts take a Trace.*al\.Trace\.load\(path\)"):
        charts.cost_by_agent("trace.jsonl")
    with pytest.raises(al.ConfigError, match="empty list"):
        charts.timeline([])
    result = experiment()
    for table in (result.summary(), result.to_pandas()):  # an experiment's tables
        with pytest.raises(al.ConfigError, match=r"experiment's table.*completion_vs_cost"):
            charts.cost_by_agent(table)
    with pytest.raises(al.ConfigError, match=r"no \['agent', 'attributes'"):
        charts.votes(pd.DataFrame({"kind": ["vote"]}))
    with pytest.raises(al.ConfigError, match="kept no traces"):
        charts.timeline(ExperimentResult([], designs=["a"]))
    with pytest.raises(al.ConfigError, match=r"charts an experiment; got Trace"):
        charts.completion_vs_cost(handoff_trace())  # a run, not an experiment
    with pytest.raises(al.ConfigError, match=r"got a trace's span table"):
        charts.completion_vs_cost(handoff_trace().to_pandas())


def test_charts_render_as_offline_svg_with_a_png_untrusted_notebooks_show():
    import base64

    import altair as alt

    chart = charts.handoff_graph(handoff_trace())
    assert alt.renderers.active == "agentlab"
    bundle = chart._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert sorted(data) == ["image/png", "image/svg+xml"]
    assert "Triage" in data["image/svg+xml"]
    png = base64.b64decode(data["image/png"])
    assert png.startswith(b"\x89PNG") and len(png) > 2000
    again = charts.handoff_graph(handoff_trace())._repr_mimebundle_()
    assert (again[0] if isinstance(again, tuple) else again) == data  # byte-stable outputs
    svg = vl_convert.vegalite_to_svg(charts.cost_by_agent(handoff_trace()).to_dict())
    assert "mark-rect" in svg and "Billing" in svg


def test_importing_charts_changes_no_renderer_and_a_chosen_one_is_kept():
    code = (
        "import altair as alt, agentlab.views.charts as c; print(alt.renderers.active);"
        "alt.renderers.enable('png'); import sys; sys.path.insert(0, 'tests');"
        "from trace_samples import handoff_trace; c.cost_by_agent(handoff_trace());"
        "print(alt.renderers.active)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["default", "png"]


def test_scores_by_iteration_draws_the_accept_line_when_given():
    plain = charts.scores_by_iteration(patterns_trace())
    with_line = charts.scores_by_iteration(patterns_trace(), accept=0.8)
    assert marks(plain).count("rule") == 0
    assert marks(with_line).count("rule") == 1 and "text" in marks(with_line)
    assert '"accept 0.8"' in with_line.to_json()


def test_charts_of_scripted_runs_say_simulated_on_their_own():
    import asyncio

    import agentlab as al

    scripted = al.Agent(name="A", model=al.ScriptedModel(["hi"]))
    trace = asyncio.run(scripted.run("x")).trace
    assert charts.timeline(trace).to_dict()["title"].endswith("(simulated)")
    frame = trace.to_pandas()
    frame.loc[frame["kind"] == "model", "name"] = "openai:smollm2@http://127.0.0.1:8080/v1"
    assert "(simulated)" not in charts.timeline(frame).to_dict()["title"]
