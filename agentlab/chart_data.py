"""The tables behind ``agentlab.charts``: spans as a DataFrame, attributes as columns,
who handed work to whom, and where the agents sit in the handoff graph.

>>> frame = spans_frame([run_a, run_b.trace])          # doctest: +SKIP
>>> agent_edges(frame)                                  # doctest: +SKIP
  from_agent to_agent     style  count
0     Triage  Billing  transfer      2
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentlab.errors import ConfigError

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
    """`` (3 runs)`` for a title when the frame holds several traces."""
    n = frame["trace_id"].nunique() if "trace_id" in frame and len(frame) else 1
    return "" if n <= 1 else f" ({n} runs)"


def attrs_frame(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The rows of one span kind, with their attributes as columns."""
    import pandas as pd

    rows = frame[frame["kind"] == kind]
    attrs = pd.DataFrame([dict(a) if isinstance(a, dict) else {} for a in rows["attributes"]])
    base = rows.drop(columns=["attributes"]).reset_index(drop=True)
    return pd.concat([base, attrs.drop(columns=[c for c in attrs if c in base])], axis=1)


def agent_edges(frame: pd.DataFrame) -> pd.DataFrame:
    """Counted edges between agents: ``transfer`` (a handoff span) and ``as tool`` (an
    agent span under another agent's tool span: the manager style)."""
    import pandas as pd

    pairs = [(a.get("from_agent"), a.get("to_agent"), "transfer")
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
                    pairs.append((up_agent, agent, "as tool"))
                break
    edges = pd.DataFrame(pairs, columns=["from_agent", "to_agent", "style"])
    counted = edges.groupby(["from_agent", "to_agent", "style"], as_index=False, sort=False)
    return counted.size().rename(columns={"size": "count"})


def graph_layout(edges: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Agents on a circle (nodes) and one line per edge, with arrow and label positions."""
    import pandas as pd

    agents = list(dict.fromkeys([*edges["from_agent"], *edges["to_agent"]]))
    turn = [math.pi / 2 - 2 * math.pi * i / len(agents) for i in range(len(agents))]
    place = {a: (math.cos(t), math.sin(t)) for a, t in zip(agents, turn, strict=True)}
    lines = []
    for src, dst, style, count in edges.itertuples(index=False):
        (x1, y1), (x2, y2) = place[src], place[dst]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy) or 1.0
        ox, oy = -dy / norm * 0.04, dx / norm * 0.04  # two-way edges sit side by side
        lines.append({
            "from": src, "to": dst, "style": style, "count": int(count),
            "x": x1 + ox, "y": y1 + oy, "x2": x2 + ox, "y2": y2 + oy,
            "ax": x1 + dx * 0.8 + ox, "ay": y1 + dy * 0.8 + oy,
            "mx": x1 + dx * 0.3 + ox * 3, "my": y1 + dy * 0.3 + oy * 3,
            "angle": math.degrees(math.atan2(-dy, dx)),
            "label": f"{src} → {dst} ×{count}" + (" (as tool)" if style == "as tool" else ""),
        })  # fmt: skip
    nodes = pd.DataFrame([{"agent": a, "x": x, "y": y} for a, (x, y) in place.items()])
    return nodes, pd.DataFrame(lines)


EXPERIMENT_COLUMNS = ("design", "completion_rate", "cost_per_task")
TASK_COLUMNS = frozenset({"design", "passed", "status", "cost_usd"})


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
    import pandas as pd

    from agentlab.stats import wilson_interval

    rows = []
    ran = tasks[tasks["status"] != "skipped"]
    for design, group in ran.groupby("design", sort=False):
        n, passed = len(group), int(group["passed"].astype(bool).sum())
        low, high = wilson_interval(passed, n)
        costs = group["cost_usd"].astype("float64")
        rows.append({
            "design": design, "completion_rate": passed / n,
            "cost_per_task": costs.mean() if costs.notna().all() else math.nan,
            "completion_ci_low": low, "completion_ci_high": high,
        })  # fmt: skip
    return pd.DataFrame(
        rows, columns=[*EXPERIMENT_COLUMNS, "completion_ci_low", "completion_ci_high"]
    )
