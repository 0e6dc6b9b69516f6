"""Charts of runs: pure functions from traces to altair charts.

Every function takes a ``Trace`` (or a ``Run``), a list of them, or the DataFrame of
``trace.to_pandas()`` (several traces' frames concatenated work too), and returns an
``altair`` chart; ``chart.to_dict()`` is its Vega-Lite spec.

>>> import agentlab as al
>>> al.charts.cost_by_agent(run.trace)                 # doctest: +SKIP
>>> al.charts.timeline([run_a.trace, run_b.trace])     # doctest: +SKIP
>>> al.charts.completion_vs_cost(results.summary)      # doctest: +SKIP
>>> al.charts.findings(results)                         # doctest: +SKIP

Renderer, chosen for offline use: **SVG and PNG via vl-convert** (``"agentlab"``).
Altair 6's default ``html`` renderer loads vega from a CDN (blank offline), and its
``mimetype`` renderer does not render in JupyterLab 4.6 (it knows Vega-Lite up to v5).
The ``svg`` renderer draws the
chart in the kernel with vl-convert (bundled, no network), so the same output shows in
live JupyterLab, Notebook 7, VS Code, exported HTML reports and on GitHub, at about
7 KB per chart and byte-stable between runs. A PNG sits beside the SVG because
JupyterLab shows no SVG of an untrusted notebook (one opened fresh from a clone) but does
show PNG; trusted, it prefers the SVG. The price: no tooltips or zoom. The first
chart made here switches altair from its ``default`` renderer to ``agentlab`` (never at
import, and never over a renderer you chose); ``use_renderer("html", template="inline")``
gives interactive charts that still work offline (about 0.9 MB each).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentlab._format import format_money, format_seconds
from agentlab.views._altair import (
    OFFLINE_RENDERER,
    Chart,
    _alt,
    _empty,
    _register,
)
from agentlab.views.chart_axes import (
    category_x_axis,
    category_y_axis,
    count_axis,
    level_axis,
    money_axis,
)
from agentlab.views.chart_data import (
    agent_edges,
    attrs_frame,
    graph_layout,
    runs_note,
    spans_frame,
)
from agentlab.views.charts_experiment import completion_vs_cost as completion_vs_cost
from agentlab.views.charts_findings import findings as findings  # al.charts.findings
from agentlab.views.data import recorded_latency_s

if TYPE_CHECKING:
    import pandas as pd

_KINDS_ORDER = [
    "run", "team", "chain", "router", "parallel", "orchestrator", "evaluator", "agent", "branch",
    "iteration", "model", "tool", "handoff", "route", "gate", "plan", "merge", "vote",
    "evaluation", "limit",
]  # fmt: skip


def use_renderer(name: str = OFFLINE_RENDERER, **options: Any) -> None:
    """Choose how altair displays charts (``"agentlab"``, ``"svg"``, ``"png"``, ``"html"``...).

    >>> al.charts.use_renderer("html", template="inline")  # doctest: +SKIP
    """
    import altair as alt

    _register(alt)
    alt.renderers.enable(name, **options)


def _per_agent(data: Any) -> tuple[Any, pd.DataFrame, str]:
    alt = _alt()
    frame = spans_frame(data)
    models = frame[frame["kind"] == "model"].copy()
    models["agent"] = models["agent"].fillna("(no agent)")
    return alt, models, runs_note(frame)


def cost_by_agent(data: Any) -> Chart:
    """Money (USD) per agent, summed over model calls; unpriced calls are counted and named.

    >>> al.charts.cost_by_agent(run.trace)  # doctest: +SKIP
    """
    alt, models, runs = _per_agent(data)
    if models.empty:
        return _empty(alt, "No model calls in these traces")
    grouped = models.groupby("agent", as_index=False).agg(
        cost_usd=("cost_usd", "sum"),
        calls=("kind", "size"),
        unpriced=("cost_usd", lambda s: int(s.isna().sum())),
    )
    grouped["label"] = [
        format_money(c) + (f" (+{u} unpriced)" if u else "")
        for c, u in zip(grouped["cost_usd"], grouped["unpriced"], strict=True)
    ]
    base = alt.Chart(grouped).encode(
        y=alt.Y("agent:N", sort="-x", title="Agent", axis=category_y_axis(alt)),
        x=alt.X("cost_usd:Q", title="Cost (USD)", axis=money_axis(alt)),
    )
    chart = base.mark_bar() + base.mark_text(align="left", dx=3).encode(text="label:N")
    return chart.properties(title=f"Cost by agent{runs}")


def tokens_by_agent(data: Any) -> Chart:
    """Input and output tokens per agent, stacked, summed over model calls."""
    alt, models, runs = _per_agent(data)
    if models.empty:
        return _empty(alt, "No model calls in these traces")
    grouped = models.groupby("agent", as_index=False)[["input_tokens", "output_tokens"]].sum()
    long = grouped.melt("agent", var_name="direction", value_name="tokens")
    long["direction"] = long["direction"].str.replace("_tokens", "")
    return (
        alt.Chart(long, title=f"Tokens by agent{runs}")
        .mark_bar()
        .encode(
            y=alt.Y("agent:N", sort="-x", title="Agent", axis=category_y_axis(alt)),
            x=alt.X("tokens:Q", stack="zero", title="Tokens", axis=count_axis(alt)),
            color=alt.Color("direction:N", sort=["input", "output"], title="Tokens"),
            order=alt.Order("direction:N"),
        )
    )


def timeline(data: Any, *, max_spans: int = 200) -> Chart:
    """Latency waterfall: one bar per span from its start to its end, in start order.

    Bars that overlap ran concurrently (parallel branches, overlapping tool calls).
    The first ``max_spans`` spans by start time are drawn.

    Bars are always the time a span took in *this* run. A model call replayed from a
    cassette took about 1 ms here, so its bar stays short and its recorded latency is
    written beside it ("930.0 ms recorded"), and the title says how many were:
    the axis is never mixed with recorded times. ``al.cassette(..., realtime=True)``
    replays with the recorded waits, so the bars then show them too.
    """
    alt = _alt()
    spans = spans_frame(data)  # built once: a frame of every span of every trace
    frame = spans[spans["kind"] != "run"] if (spans["kind"] != "run").any() else spans.copy()
    if frame.empty:
        return _empty(alt, "No spans in these traces")
    first = frame.groupby("trace_id")["start"].transform("min")
    frame["from_s"] = (frame["start"] - first).dt.total_seconds()
    frame["to_s"] = (frame["end"].fillna(frame["start"]) - first).dt.total_seconds()
    frame = frame.sort_values(["trace_id", "from_s", "span_id"], kind="stable")
    hidden = max(0, len(frame) - max_spans)
    frame = frame.head(max_spans).reset_index(drop=True)
    number = {t: i for i, t in enumerate(dict.fromkeys(frame["trace_id"]), start=1)}
    many = len(number) > 1
    frame["row"] = [
        f"{i:04d} " + (f"run {number[t]} · " if many else "") + f"{k} {n}"
        for i, (t, k, n) in enumerate(
            zip(frame["trace_id"], frame["kind"], frame["name"], strict=True)
        )
    ]
    replayed = _status_and_recorded_marks(frame)
    note = f" (first {max_spans} spans; {hidden} more)" if hidden else ""
    calls = f"{replayed} replayed call" + ("s" if replayed > 1 else "")
    note += f" · {calls} (labelled with the recorded latency)" if replayed else ""
    frame = frame[["row", "kind", "name", "agent", "status", "status_mark", "recorded_s", "mark",
                   "from_s", "to_s"]]  # fmt: skip
    base = alt.Chart(frame).encode(
        y=alt.Y("row:N", sort=None, title=None,
                axis=category_y_axis(alt, labelExpr="slice(datum.label, 5)")),
    )  # fmt: skip
    seconds = {"title": "Seconds since the run started", "axis": alt.Axis(format="~g")}
    bars = base.mark_bar(height={"band": 0.8}).encode(
        x=alt.X("from_s:Q", **seconds),
        x2="to_s:Q",
        color=alt.Color("kind:N", sort=_KINDS_ORDER, title="Span kind"),
    )
    marks = base.mark_text(align="left", dx=3).encode(x=alt.X("to_s:Q", **seconds), text="mark:N")
    title = f"Timeline{runs_note(spans)}{note}"
    return (bars + marks).properties(height=alt.Step(16), title=title)


def _status_and_recorded_marks(frame: pd.DataFrame) -> int:
    """Add ``status_mark`` (✗ error, ■ stopped), ``recorded_s`` (a replayed model call's
    recorded latency) and ``mark`` (both, as written beside a bar); return how many
    spans were replayed."""
    frame["status_mark"] = frame["status"].map({"error": "✗", "stopped": "■"}).fillna("")
    pairs = zip(frame["kind"], frame["attributes"], strict=True)
    recorded = [recorded_latency_s(kind, attrs) for kind, attrs in pairs]  # None, not NaN
    frame["recorded_s"] = recorded
    frame["mark"] = [
        " ".join(filter(None, [m, "" if r is None else f"{format_seconds(r)} recorded"]))
        for m, r in zip(frame["status_mark"], recorded, strict=True)
    ]
    return sum(r is not None for r in recorded)


def scores_by_iteration(data: Any, accept: float | None = None) -> Chart:
    """Evaluator-optimizer: the score of each iteration, accepted ones marked.

    ``accept``: the acceptance threshold, drawn as a dashed line labelled "accept".

    >>> al.charts.scores_by_iteration(run.trace, accept=0.8)  # doctest: +SKIP
    """
    alt = _alt()
    frame = spans_frame(data)
    rows = attrs_frame(frame, "iteration")
    if rows.empty or "score" not in rows:
        rows = attrs_frame(frame, "evaluation")
        if not rows.empty:
            rows["iteration"] = rows.groupby("trace_id").cumcount() + 1
    if rows.empty or "score" not in rows:
        return _empty(alt, "No scored iterations in these traces")
    rows = rows[["trace_id", "iteration", "score", "accepted"]].copy()
    rows["accepted"] = rows["accepted"].fillna(False).map({True: "accepted", False: "rejected"})
    rows["run"] = rows["trace_id"].str[:8]
    base = alt.Chart(rows).encode(
        x=alt.X("iteration:O", title="Iteration", axis=level_axis(alt)),
        y=alt.Y("score:Q", title="Score"),
        color=alt.Color(
            "run:N", title="Run", legend=None if rows["run"].nunique() == 1 else alt.Legend()
        ),
    )
    points = base.mark_point(size=80, filled=True).encode(
        shape=alt.Shape(
            "accepted:N",
            title="Verdict",
            scale=alt.Scale(domain=["accepted", "rejected"], range=["diamond", "circle"]),
        )
    )
    chart = base.mark_line() + points
    if accept is not None:
        threshold = {"accept": float(accept), "label": f"accept {accept:g}"}
        line = alt.Chart(alt.Data(values=[threshold]))
        rule = line.mark_rule(strokeDash=[4, 4], color="gray").encode(
            y=alt.Y("accept:Q", title="Score")
        )
        text = line.mark_text(align="left", dx=4, dy=-6, color="gray").encode(
            y=alt.Y("accept:Q", title="Score"), text="label:N", x=alt.value(0)
        )
        chart = chart + rule + text
    return chart.properties(title=f"Score by iteration{runs_note(frame)}")


def votes(data: Any) -> Chart:
    """Vote distribution: how many candidates gave each answer; the winner is starred."""
    import pandas as pd

    alt = _alt()
    frame = spans_frame(data)
    rows = attrs_frame(frame, "vote")
    records = []
    for number, (_, vote) in enumerate(rows.iterrows(), start=1):
        raw = vote.get("counts")
        counts: dict[Any, Any] = raw if isinstance(raw, dict) else {}
        for answer, count in counts.items():
            winner = str(answer) == str(vote.get("winner"))
            records.append(
                {
                    "vote": f"vote {number}: {vote['name']}",
                    "answer": str(answer),
                    "count": int(count),
                    "winner": "★ winner" if winner else "",
                }
            )
    if not records:
        return _empty(alt, "No vote spans in these traces")
    base = alt.Chart(pd.DataFrame(records)).encode(
        y=alt.Y("answer:N", sort="-x", title="Answer", axis=category_y_axis(alt)),
        x=alt.X("count:Q", title="Votes", axis=count_axis(alt)),
    )
    chart = base.mark_bar().encode(color=alt.Color("winner:N", legend=None)) + base.mark_text(
        align="left", dx=3
    ).encode(text="winner:N")
    if len(rows) > 1:
        chart = chart.facet(row=alt.Row("vote:N", title=None))
    return chart.properties(title=f"Votes{runs_note(frame)}")


def routing_table(data: Any) -> Chart:
    """Router decisions: how often each label went to each route; fallbacks marked."""
    alt = _alt()
    frame = spans_frame(data)
    rows = attrs_frame(frame, "route")
    if rows.empty:
        return _empty(alt, "No routing decisions in these traces")
    label = rows["normalized"] if "normalized" in rows else rows["label"]
    rows["label"] = label.fillna(rows.get("label")).astype(str)
    rows["fell_back"] = rows.get("fell_back", False)
    rows["fell_back"] = rows["fell_back"].fillna(False).astype(bool)
    table = rows.groupby(["label", "route", "fell_back"], as_index=False).size()
    table["text"] = [
        f"{n}" + (" (fallback)" if fb else "")
        for n, fb in zip(table["size"], table["fell_back"], strict=True)
    ]
    base = alt.Chart(table).encode(
        x=alt.X("route:N", title="Route", axis=category_x_axis(alt)),
        y=alt.Y("label:N", title="Label from the classifier", axis=category_y_axis(alt)),
    )
    cells = base.mark_rect(stroke="#888").encode(
        color=alt.Color(
            "size:Q",
            title="Decisions",
            scale=alt.Scale(scheme="greys"),
            legend=alt.Legend(format="d", tickMinStep=1),
        ),
    )
    text = base.mark_text(fontWeight="bold", color="black").encode(text="text:N")
    title = f"Routing: label -> route{runs_note(frame)}"
    return (cells + text).properties(width=alt.Step(64), height=alt.Step(28), title=title)


EDGE_STYLES = {  # style: (line dash, colour); a refused hop also ends in a ✕, not an arrow
    "transfer": ([1, 0], "#777"),
    "as tool": ([6, 4], "#777"),
    "refused": ([3, 3], "#d62728"),
}


def handoff_graph(data: Any) -> Chart:
    """Who handed work to whom: agents on a circle, one arrow per (from, to) with its count.

    Transfers (``handoff`` spans) are solid; manager-style calls (a sub-agent run as a
    tool) are dashed and labelled "as tool". A hop a guard refused (a ``limit`` span
    with an ``edge``: ``max_hops`` or ``handoff_cycle``) is a dotted red line ending in
    a ✕ and labelled "✕ stopped: <reason>", so it reads without colour too. Labels sit
    beside the middle of their line, away from the nodes.
    """
    alt = _alt()
    frame = spans_frame(data)
    edges = agent_edges(frame)
    if edges.empty:
        return _empty(alt, "No handoffs or agents called as tools in these traces")
    nodes, lines = graph_layout(edges)
    axis = alt.Scale(domain=[-1.4, 1.4])

    def at(x: str, y: str) -> dict[str, Any]:
        return {"x": alt.X(f"{x}:Q", scale=axis, axis=None),
                "y": alt.Y(f"{y}:Q", scale=axis, axis=None)}  # fmt: skip

    def by_style(channel: Any, part: int, **options: Any) -> Any:
        styles = list(EDGE_STYLES)
        scale = alt.Scale(domain=styles, range=[EDGE_STYLES[s][part] for s in styles])
        return channel("style:N", scale=scale, **options)

    def refused(then: str, other: str) -> Any:  # a value per datum, without a scale (legend)
        return alt.condition("datum.style == 'refused'", alt.value(then), alt.value(other))

    key = alt.Legend(title="Handoff", symbolType="stroke", symbolSize=600, symbolStrokeWidth=2)
    edge = alt.Chart(lines).mark_rule().encode(
        **at("x", "y"), x2="x2:Q", y2="y2:Q", strokeDash=by_style(alt.StrokeDash, 0, legend=key),
        color=by_style(alt.Color, 1, legend=key),
        strokeWidth=alt.StrokeWidth("count:Q", legend=None, scale=alt.Scale(range=[2, 6])),
    )  # fmt: skip
    red = EDGE_STYLES["refused"][1]
    ends = alt.Chart(lines).mark_point(filled=True, size=140, strokeWidth=3).encode(
        **at("ax", "ay"), angle=alt.Angle("angle:Q", scale=None),
        shape=refused("cross", "triangle-right"), color=refused(red, "#777"))  # fmt: skip
    circles = alt.Chart(nodes).mark_circle(size=900, color="#9ecae1", opacity=0.95,
                                           stroke="#3b6f96").encode(**at("x", "y"))  # fmt: skip
    names = _aligned_text(alt.Chart(nodes), fontWeight="bold").encode(
        **at("nx", "ny"), text="agent:N")  # fmt: skip
    labels = _aligned_text(alt.Chart(lines), fontSize=11).encode(
        **at("mx", "my"), text="text:N", tooltip="label:N", color=refused("#b00000", "#222")
    )
    chart = alt.layer(edge, ends, circles, names, labels)
    return chart.properties(title=f"Handoffs{runs_note(frame)}", width=360, height=360)


def _aligned_text(chart: Any, **mark: Any) -> Any:
    """Text aligned per row by its ``align`` column (``left``/``right``/``center``): vega-lite
    sets alignment per mark, so one filtered text layer per alignment, encoded together."""
    alt = _alt()
    return alt.layer(*[
        chart.transform_filter(f"datum.align == '{align}'")
        .mark_text(align=align, baseline="middle", **mark)
        for align in ("left", "right", "center")
    ])  # fmt: skip
