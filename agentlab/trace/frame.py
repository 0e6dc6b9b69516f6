"""``trace.to_pandas()``: one row per span.

Usage sits on ``model`` spans only, so the token and cost columns add up without
counting anything twice (other rows hold ``<NA>`` there, not 0); ``tokens_in_total``,
``tokens_out_total`` and ``cost_total`` give each span's subtree totals (the figures the run
viewer shows on every row).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentlab._redact import scrub, secrets
from agentlab.trace.read import span_totals

if TYPE_CHECKING:
    import pandas as pd

    from agentlab.trace.trace import Trace


def spans_frame(trace: Trace) -> pd.DataFrame:
    """The DataFrame of ``trace.to_pandas()``, sorted by start time."""
    import numpy as np
    import pandas as pd

    spans = list(trace.spans)
    n = len(spans)
    nan = float("nan")

    def numbers(values: list[Any], dtype: str) -> Any:  # typed arrays: no inference
        return np.array(values, dtype=dtype) if n else np.empty(0, dtype=dtype)

    columns: dict[str, Any] = {
        "trace_id": [trace.id] * n,
        "span_id": [s.id for s in spans],
        "parent_id": [s.parent_id for s in spans],
        "kind": [s.kind for s in spans],
        "name": [s.name for s in spans],
        "agent": [s.agent for s in spans],
        "model": [s.model for s in spans],
        "status": [s.status for s in spans],
        "error": [s.error for s in spans],
    }
    start = numbers([s.start for s in spans], "float64")
    end = numbers([nan if s.end is None else s.end for s in spans], "float64")
    columns["start"], columns["end"] = start, end
    usages = [s.usage for s in spans]
    for field in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"):
        # missing (<NA>), not 0, on spans that hold no usage: a run row is not a free call
        values = [None if u is None else getattr(u, field) for u in usages]
        columns[field] = pd.array(values, dtype="Int64")
    columns["cost_usd"] = numbers([nan if s.cost_usd is None else s.cost_usd for s in spans],
                                  "float64")  # fmt: skip
    columns["output"] = [s.output for s in spans]
    columns["attributes"] = [s.attributes for s in spans]
    tin, tout, cost = span_totals(spans)
    columns["tokens_in_total"] = numbers(tin, "int64")
    columns["tokens_out_total"] = numbers(tout, "int64")
    columns["cost_total"] = numbers([nan if c is None else c for c in cost], "float64")
    found = tuple(value for _, value in secrets())
    if found:  # what is shown hides key values, as a saved trace does
        for column in ("name", "agent", "error", "output", "attributes"):
            columns[column] = [scrub(value, found) for value in columns[column]]
    frame = pd.DataFrame(columns)
    frame["duration_s"] = end - start
    frame["start"] = pd.to_datetime(start, unit="s", utc=True)
    frame["end"] = pd.to_datetime(end, unit="s", utc=True)
    return frame.sort_values(["start", "span_id"], kind="stable", ignore_index=True)
