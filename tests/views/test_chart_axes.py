"""Chart axes read as a person would write them, whatever the data.

Each chart is made as a user makes it (from runs, traces or an experiment) with data
that used to break the defaults: a dozen long agent, route and design names, sub-cent
costs, small vote counts. The checks are on the Vega-Lite spec: human axis titles (no
column names such as ``cost_usd``), money labels, whole-number counts, and label
settings that keep category names from colliding.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from trace_samples import handoff_trace, patterns_trace

import agentlab as al
from agentlab.views import charts
from agentlab.views.chart_axes import LABEL_LIMIT, MONEY_LABELS

PRICE = "openai:gpt-4o-mini"
COLUMNS = {
    "agent", "cost_usd", "cost_per_task", "completion_rate", "latency_s", "n_iterations",
    "design", "tokens", "from_s", "iteration", "score", "count", "answer", "route", "label",
    "kind", "size", "severity", "share", "direction", "accepted", "run", "style",
}  # fmt: skip
LONG = [
    "Customer onboarding specialist", "Billing and refunds desk", "Technical support tier 2",
    "Enterprise sales", "Shipping tracker", "Returns", "Account security reviewer",
    "Translation", "Knowledge-base researcher", "Escalation manager", "Legal review",
]  # fmt: skip


def encodings(spec: Any) -> list[tuple[str, dict[str, Any]]]:
    """Every (channel, encoding) in a spec, through layers, facets and concatenations."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(spec, dict):
        for channel, enc in (spec.get("encoding") or {}).items():
            if isinstance(enc, dict) and "field" in enc:
                found.append((channel, enc))
        for key in ("layer", "spec", "hconcat", "vconcat"):
            parts = spec.get(key)
            for part in parts if isinstance(parts, list) else [parts] if parts else []:
                found += encodings(part)
    return found


def axis(spec: dict[str, Any], field: str) -> dict[str, Any]:
    hits = [e for c, e in encodings(spec) if e["field"] == field and c in ("x", "y")]
    assert hits, field
    return hits[0].get("axis") or {}


def titled(spec: dict[str, Any]) -> list[tuple[str, Any]]:
    """(field, title) of every axis, legend and header drawn (not those set to None)."""
    keep = ("x", "y", "color", "shape", "row")
    drawn = [
        (c, e) for c, e in encodings(spec)
        if c in keep and e.get("axis", {}) is not None and e.get("legend", {}) is not None
    ]  # fmt: skip
    named = [(e, e.get("legend") or e.get("axis") or {}) for _, e in drawn]
    return [(e["field"], guide.get("title", e.get("title", e["field"]))) for e, guide in named]


@pytest.fixture(scope="module")
def many_agents() -> al.Run:
    workers = [al.Agent(name=n, model=al.ScriptedModel(["done"], priced_as=PRICE)) for n in LONG]
    tools = [w.as_tool() for w in workers]
    calls = [al.ToolCall(t.name, {"input": "go"}) for t in tools]
    model = al.ScriptedModel([calls, "ok"], priced_as=PRICE)
    return al.Agent(name="Manager", model=model, tools=tools).run_sync("hi")


@pytest.fixture(scope="module")
def routed() -> list[al.Trace]:
    routes = {
        f"route-{n.lower().replace(' ', '-')}": al.Agent(name=n, model=al.ScriptedModel(["ok"]))
        for n in LONG
    }
    labels = list(routes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", al.DesignWarning)  # more than 5 routes, on purpose
        classifier = al.Agent(name="Classifier", model=al.ScriptedModel(labels))
        router = al.Router(classifier, routes=routes)
    return [router.run_sync("q").trace for _ in labels]


@pytest.fixture(scope="module")
def experiment() -> Any:
    designs = {
        f"design {i}: {n.lower()} with a long description": al.Agent(
            name="A", model=al.ScriptedModel(["ok " * (1 + i // 4)] * 4, priced_as=PRICE)
        )
        for i, n in enumerate(LONG)
    }
    return al.Experiment(designs, ["a", "b"], check=lambda out, task: True).run_sync()


def all_charts(many_agents, routed, experiment) -> dict[str, Any]:
    return {
        "cost_by_agent": charts.cost_by_agent(many_agents),
        "tokens_by_agent": charts.tokens_by_agent(many_agents),
        "timeline": charts.timeline(many_agents),
        "routing_table": charts.routing_table(routed),
        "scores_by_iteration": charts.scores_by_iteration(patterns_trace(), accept=0.8),
        "votes": charts.votes(patterns_trace()),
        "handoff_graph": charts.handoff_graph(handoff_trace()),
        "completion_vs_cost": charts.completion_vs_cost(experiment),
    }


def test_no_axis_or_legend_is_titled_with_a_column_name(many_agents, routed, experiment):
    for name, chart in all_charts(many_agents, routed, experiment).items():
        for field, title in titled(chart.to_dict()):
            assert title is None or title not in COLUMNS, (name, field, title)
            assert title is None or "_" not in str(title), (name, field, title)
            assert title is None or str(title)[:1].isupper(), (name, field, title)


def test_money_axes_are_labelled_as_money(many_agents, experiment):
    cost = axis(charts.cost_by_agent(many_agents).to_dict(), "cost_usd")
    per_task = axis(charts.completion_vs_cost(experiment).to_dict(), "cost_per_task")
    for money in (cost, per_task):
        assert money["labelExpr"] == MONEY_LABELS and money["labelOverlap"] == "greedy"
        assert "format" not in money  # not a fixed number of decimals


def test_counts_have_whole_number_ticks(many_agents):
    for chart, field in [(charts.votes(patterns_trace()), "count"),
                         (charts.tokens_by_agent(many_agents), "tokens")]:  # fmt: skip
        counts = axis(chart.to_dict(), field)
        assert counts["format"] == "d" and counts["tickMinStep"] == 1


def test_long_category_names_do_not_collide(routed, many_agents):
    routes = charts.routing_table(routed).to_dict()
    x = axis(routes, "route")
    assert x["labelAngle"] == -35 and x["labelAlign"] == "right"
    assert x["labelLimit"] == LABEL_LIMIT and axis(routes, "label")["labelLimit"] == LABEL_LIMIT
    assert axis(charts.cost_by_agent(many_agents).to_dict(), "agent")["labelLimit"] == LABEL_LIMIT
    iterations = axis(charts.scores_by_iteration(patterns_trace()).to_dict(), "iteration")
    assert iterations["labelAngle"] == 0  # 1 2 3 upright, not on end


def test_designs_at_the_same_spot_share_one_label(experiment):
    chart = charts.completion_vs_cost(experiment)
    rows = chart.to_dict()["datasets"]
    rows = next(iter(rows.values()))
    spots: dict[tuple[float, float], list[str]] = {}
    for row in rows:
        spots.setdefault((row["cost_per_task"], row["completion_rate"]), []).append(row["label"])
    for labels in spots.values():
        shown = [label for label in labels if label]
        assert len(shown) == 1  # one label per spot, never a pile
        assert shown[0] == f"{len(labels)} designs" if len(labels) > 1 else len(shown[0]) <= 32
    color = next(e for c, e in encodings(chart.to_dict()) if c == "color")
    assert color["legend"]["title"] == "Design" and color["legend"]["labelLimit"] >= LABEL_LIMIT


def test_findings_rows_are_headed_by_design_names_that_fit():
    frame = __import__("pandas").DataFrame(
        [{"design": f"design {i}: {n}", "kind": "no_tool_use", "severity": "warning",
          "findings": 1, "tasks": 1, "runs": 2, "share": 0.5} for i, n in enumerate(LONG)]
    )  # fmt: skip
    spec = charts.findings(frame).to_dict()
    row = next(e for c, e in encodings(spec) if c == "row")
    assert row["header"]["labelAngle"] == 0 and row["header"]["labelLimit"] >= LABEL_LIMIT
    assert ("share", "Share of runs") in titled(spec) and ("severity", "Severity") in titled(spec)
