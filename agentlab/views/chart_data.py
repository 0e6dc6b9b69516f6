"""The tables behind ``agentlab.views.charts``: spans as a DataFrame, attributes as columns,
who handed work to whom, and where the agents sit in the handoff graph.

>>> frame = spans_frame([run_a, run_b.trace])          # doctest: +SKIP
>>> agent_edges(frame)                                  # doctest: +SKIP
  from_agent to_agent     style reason  count
0     Triage  Billing  transfer             2
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentlab.errors import ConfigError
from agentlab.experiment.result import summarize_tasks, summary_frame
from agentlab.views.timing import SIMULATED_MODELS

if TYPE_CHECKING:
    import pandas as pd


SPAN_COLUMNS = frozenset(
    {"trace_id", "span_id", "parent_id", "kind", "name", "agent", "status", "start", "end",
     "input_tokens", "output_tokens", "cost_usd", "attributes"}
)  # fmt: skip
EXPERIMENT_HINT = (
    "this is an experiment's table: chart it with al.charts.completion_vs_cost(result), "
    "or chart the runs' spans with result.traces"
)


def spans_frame(data: Any) -> pd.DataFrame:
    """One row per span (``trace.to_pandas()`` columns) from a trace, run, list or DataFrame
    (an ``ExperimentResult`` gives its traces)."""
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        missing = sorted(SPAN_COLUMNS - set(data.columns))
        if missing and "design" in data.columns:
            raise ConfigError(f"this DataFrame is not a span table; {EXPERIMENT_HINT}")
        if missing:
            raise ConfigError(f"this DataFrame has no {missing} columns: pass trace.to_pandas()")
        return data
    traces = getattr(data, "traces", None)
    if isinstance(traces, list) and not hasattr(data, "spans"):  # an ExperimentResult
        if not traces:
            raise ConfigError("this experiment kept no traces (no task ran): nothing to chart")
        data = traces
    if isinstance(data, (list, tuple)):
        if not data:
            raise ConfigError("got an empty list of traces; pass at least one trace or run")
        return pd.concat([spans_frame(item) for item in data], ignore_index=True)
    trace = getattr(data, "trace", data)
    if hasattr(trace, "to_pandas") and hasattr(trace, "spans"):
        frame: pd.DataFrame = trace.to_pandas()
        return frame
    hint = "; load a saved trace with al.Trace.load(path)" if isinstance(data, (str, Path)) else ""
    raise ConfigError(
        "charts take a Trace, a Run, a list of them, or trace.to_pandas(); "
        f"got {type(data).__name__}{hint}"
    )


def runs_note(frame: pd.DataFrame) -> str:
    """`` (3 runs)`` for a title when the frame holds several traces, and `` (simulated)``
    when every model call in it was scripted or simulated (no real model answered)."""
    n = frame["trace_id"].nunique() if "trace_id" in frame and len(frame) else 1
    return ("" if n <= 1 else f" ({n} runs)") + simulated_note(frame)


def simulated_note(frame: pd.DataFrame) -> str:
    """`` (simulated)`` when the frame has model spans and none is a real model's."""
    if "kind" not in frame or "name" not in frame:
        return ""
    names = frame.loc[frame["kind"] == "model", "name"].astype(str)
    simulated = names.str.startswith(SIMULATED_MODELS)
    return " (simulated)" if len(names) and bool(simulated.all()) else ""


def attrs_frame(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The rows of one span kind, with their attributes as columns."""
    import pandas as pd

    rows = frame[frame["kind"] == kind]
    attrs = pd.DataFrame([dict(a) if isinstance(a, dict) else {} for a in rows["attributes"]])
    base = rows.drop(columns=["attributes"]).reset_index(drop=True)
    return pd.concat([base, attrs.drop(columns=[c for c in attrs if c in base])], axis=1)


def agent_edges(frame: pd.DataFrame) -> pd.DataFrame:
    """Counted edges between agents: ``transfer`` (a handoff span), ``as tool`` (an agent
    span under another agent's tool span: the manager style) and ``refused`` (a hop a
    guard stopped: a ``limit`` span with an ``edge``; ``reason`` is its stop reason)."""
    import pandas as pd

    pairs = [(a.get("from_agent"), a.get("to_agent"), "transfer", "")
             for a in frame.loc[frame["kind"] == "handoff", "attributes"]]  # fmt: skip
    spans = {
        (t, s): (k, a, p)
        for t, s, k, a, p in zip(frame["trace_id"], frame["span_id"], frame["kind"],
                                 frame["agent"], frame["parent_id"], strict=True)
    }  # fmt: skip
    for (trace_id, _), (kind, agent, parent) in spans.items():
        if kind != "agent":
            continue
        through_tool = False
        while parent is not None and (trace_id, parent) in spans:
            up_kind, up_agent, parent = spans[(trace_id, parent)]
            through_tool = through_tool or up_kind == "tool"
            if up_kind == "agent":
                if through_tool and up_agent != agent:
                    pairs.append((up_agent, agent, "as tool", ""))
                break
    for attrs in frame.loc[frame["kind"] == "limit", "attributes"]:
        edge = attrs.get("edge") if isinstance(attrs, dict) else None
        if isinstance(edge, (list, tuple)) and len(edge) == 2:
            pairs.append((edge[0], edge[1], "refused", str(attrs.get("limit") or "stopped")))
    edges = pd.DataFrame(pairs, columns=["from_agent", "to_agent", "style", "reason"])
    keys = ["from_agent", "to_agent", "style", "reason"]
    counted = edges.groupby(keys, as_index=False, sort=False)
    return counted.size().rename(columns={"size": "count"})


NODE_RADIUS = 0.17  # in graph units (the circle is 1.0): lines stop at a node's rim
LANE = 0.045  # distance between parallel edges of one pair of agents
NAME_AT = 1.24  # agent names sit outside the circle, away from the edges inside it


def graph_layout(edges: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Agents on a circle (nodes) and one line per edge, with arrow and label positions.

    Lines stop at the nodes' rims; edges between the same two agents run side by side
    (each direction on its own side, a refused hop outside the transfer it repeats).
    A label sits beside its line's middle, on the line's own side, ``align``-ed away
    from it, so it never covers a node or the opposite edge.
    """
    import pandas as pd

    pairs_in_order = zip(edges["from_agent"], edges["to_agent"], strict=True)
    agents = list(dict.fromkeys(a for pair in pairs_in_order for a in pair))  # neighbours
    turn = [math.pi / 2 - 2 * math.pi * i / len(agents) for i in range(len(agents))]
    place = {a: (math.cos(t), math.sin(t)) for a, t in zip(agents, turn, strict=True)}
    lanes: dict[tuple[str, str], int] = {}
    pairs = edges.groupby(["from_agent", "to_agent"], sort=False).size().to_dict()
    lines = []
    for src, dst, style, reason, count in edges.itertuples(index=False):
        lane = lanes[(src, dst)] = lanes.get((src, dst), -1) + 1
        line = _edge_line(place[src], place[dst], lane, pairs[(src, dst)])
        line["angle"] += 45 if style == "refused" else 0
        lines.append(line | {
            "from": src, "to": dst, "style": style, "reason": reason, "count": int(count),
            "label": _edge_label(src, dst, style, reason, int(count)),
            "text": _edge_text(style, reason, int(count)),
        })  # fmt: skip
    nodes = pd.DataFrame([
        {"agent": a, "x": x, "y": y, "nx": x * NAME_AT, "ny": y * NAME_AT, "align": _side(x)}
        for a, (x, y) in place.items()
    ])  # fmt: skip
    return nodes, pd.DataFrame(lines)


def _edge_line(
    start: tuple[float, float], end: tuple[float, float], lane: int, lanes: int
) -> dict[str, Any]:
    (x1, y1), (x2, y2) = start, end
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    px, py = -uy, ux  # the left of the direction of travel: a two-way pair sits side by side
    side = LANE * (1 + 2 * lane)
    trim = min(NODE_RADIUS, length / 3)
    along = 0.5 - 0.15 * lane  # labels of one pair's lanes do not stack on each other
    gap = LANE * (2 * lanes - 1) + 0.06 + 0.06 * abs(py) + 0.12 * lane  # beyond the outer lane
    return {
        "x": x1 + ux * trim + px * side, "y": y1 + uy * trim + py * side,
        "x2": x2 - ux * trim + px * side, "y2": y2 - uy * trim + py * side,
        "ax": x2 - ux * (trim + 0.03) + px * side, "ay": y2 - uy * (trim + 0.03) + py * side,
        "angle": math.degrees(math.atan2(-uy, ux)),  # the arrowhead's; a refused ✕: +45
        "mx": x1 + (x2 - x1) * along + px * gap, "my": y1 + (y2 - y1) * along + py * gap,
        "align": _side(px),
    }  # fmt: skip


def _side(dx: float) -> str:
    """How a text placed ``dx`` to one side of its anchor is aligned: away from it."""
    return "left" if dx > 0.35 else "right" if dx < -0.35 else "center"


def _edge_label(src: str, dst: str, style: str, reason: str, count: int) -> str:
    if style == "refused":
        return f"{src} → {dst} stopped: {reason}" + (f" ×{count}" if count > 1 else "")
    return f"{src} → {dst} ×{count}" + (" (as tool)" if style == "as tool" else "")


def _edge_text(style: str, reason: str, count: int) -> str:
    """What is written beside the line (its arrow gives the direction)."""
    if style == "refused":
        return f"✕ stopped: {reason}" + (f" ×{count}" if count > 1 else "")
    return f"×{count}" + (" as tool" if style == "as tool" else "")


EXPERIMENT_COLUMNS = ("design", "completion_rate", "cost_per_task")
TASK_COLUMNS = frozenset({"design", "passed", "counted", "cost_usd"})


def experiment_frame(results: Any) -> pd.DataFrame:
    """One row per design (``EXPERIMENT_COLUMNS``, with the completion interval when known)
    from an ``ExperimentResult``, its ``summary()`` or its per-task ``to_pandas()``."""
    import pandas as pd

    frame = results
    if not isinstance(frame, pd.DataFrame) and callable(getattr(frame, "summary", None)):
        frame = frame.summary()
    if not isinstance(frame, pd.DataFrame):
        raise ConfigError(
            f"completion_vs_cost charts an experiment; got {type(results).__name__}. Pass the "
            "ExperimentResult, result.summary() or result.to_pandas()"
        )
    columns = set(frame.columns)
    if set(EXPERIMENT_COLUMNS) <= columns:
        return frame.reset_index(drop=True)
    if columns >= TASK_COLUMNS:  # one row per task: summarise per design
        return _per_design(frame)
    what = "a trace's span table" if "span_id" in columns else f"columns {sorted(columns)}"
    raise ConfigError(
        f"completion_vs_cost needs an experiment summary with columns {EXPERIMENT_COLUMNS} "
        f"(or result.to_pandas(), one row per task); got {what}. Pass the ExperimentResult"
    )


def _per_design(tasks: pd.DataFrame) -> pd.DataFrame:
    """``summary()``'s rows from ``to_pandas()``'s, by the same function."""
    records = tasks.to_dict("records")
    designs = dict.fromkeys(r["design"] for r in records)  # first-seen order, like summary()
    return summary_frame(
        [summarize_tasks(d, [r for r in records if r["design"] == d]) for d in designs]
    )
