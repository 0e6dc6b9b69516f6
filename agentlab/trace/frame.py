"""``trace.to_pandas()``: one row per span.

Usage sits on ``model`` spans only, so the token and cost columns add up without
counting anything twice; ``tokens_in_total``, ``tokens_out_total`` and ``cost_total``
give each span's subtree totals (the figures the run viewer shows on every row).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentlab.trace.read import subtree_totals, tree_order

if TYPE_CHECKING:
    import pandas as pd

    from agentlab.trace.trace import Trace


def spans_frame(trace: Trace) -> pd.DataFrame:
    """The DataFrame of ``trace.to_pandas()``, sorted by start time."""
    import pandas as pd

    spans = list(trace.spans)
    columns: dict[str, list[Any]] = {
        "trace_id": [trace.id] * len(spans),
        "span_id": [s.id for s in spans],
        "parent_id": [s.parent_id for s in spans],
        "kind": [s.kind for s in spans],
        "name": [s.name for s in spans],
        "agent": [s.agent for s in spans],
        "model": [s.model for s in spans],
        "status": [s.status for s in spans],
        "error": [s.error for s in spans],
        "start": [s.start for s in spans],
        "end": [s.end for s in spans],
    }
    usages = [s.usage for s in spans]
    for field in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"):
        columns[field] = [getattr(u, field) if u is not None else 0 for u in usages]
    columns["cost_usd"] = [s.cost_usd for s in spans]
    columns["output"] = [s.output for s in spans]
    columns["attributes"] = [s.attributes for s in spans]
    rows = tree_order(spans)
    tin, tout, cost = subtree_totals(rows)
    row_of = {id(span): row for row, (span, _, _) in enumerate(rows)}
    where = [row_of[id(s)] for s in spans]
    columns["tokens_in_total"] = [tin[r] for r in where]
    columns["tokens_out_total"] = [tout[r] for r in where]
    columns["cost_total"] = [cost[r] for r in where]
    frame = pd.DataFrame(columns)
    frame["duration_s"] = frame["end"] - frame["start"]
    frame["start"] = pd.to_datetime(frame["start"], unit="s", utc=True)
    frame["end"] = pd.to_datetime(frame["end"], unit="s", utc=True)
    frame["cost_usd"] = frame["cost_usd"].astype("float64")
    frame["cost_total"] = frame["cost_total"].astype("float64")
    return frame.sort_values(["start", "span_id"], kind="stable", ignore_index=True)
