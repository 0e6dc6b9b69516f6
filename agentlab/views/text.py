"""Terminal view of a trace: an indented span tree, so the kit works outside Jupyter.

Example (``print(run)``)::

    run Support                      completed            in 30 / out 12   $0.000012   1.2 ms
    └─ agent Support                 ok                   ...
       ├─ model scripted [Support]   ok   in 20 / out 5 ...
       └─ tool lookup_order          ok   -> order 42: shipped
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentlab._format import format_money, format_seconds
from agentlab.trace.read import subtree_totals, tree_order
from agentlab.views.data import note_of, secrets_read_once

if TYPE_CHECKING:
    from agentlab.trace.spans import Span
    from agentlab.trace.trace import Trace

_MARKS = {"error": "✗ error", "stopped": "■ stopped", "running": "… running", "ok": "ok"}


def format_trace(trace: Trace, *, max_spans: int = 500) -> str:
    """The span tree as text, one line per span (at most ``max_spans`` lines).

    It reads what the run viewer reads (``agentlab.views.data``): the same tree order,
    subtree totals and row notes, secrets redacted.
    """
    with secrets_read_once():
        rows = tree_order(trace.spans)
        tokens_in, tokens_out, costs = subtree_totals(rows)
        last_kid = {parent: row for row, (_, _, parent) in enumerate(rows)}
        inner: list[str] = []  # per row: what its children's lines start with
        labels: list[str] = []
        for row, (span, depth, parent) in enumerate(rows):
            last = last_kid[parent] == row
            prefix = inner[parent] if parent >= 0 else ""
            inner.append(prefix + ("" if depth == 0 else ("   " if last else "│  ")))
            if row < max_spans:
                branch = "" if depth == 0 else ("└─ " if last else "├─ ")
                labels.append(_label(span, prefix + branch))
        width = min(max([LABEL_MIN, *map(len, labels)]), LABEL_MAX)  # one column for all rows
        lines = [
            _line(rows[row][0], _fit(label, width), tokens_in[row], tokens_out[row], costs[row])
            for row, label in enumerate(labels)
        ]
    if len(rows) > len(lines):
        lines.append(f"… {len(rows) - len(lines)} more spans (trace.to_pandas() has them all)")
    return "\n".join(lines)


LABEL_MIN, LABEL_MAX = 44, 80  # the label column's width: the longest label, within these


def _label(span: Span, head: str) -> str:
    label = f"{head}{span.kind} {span.name}"
    if span.agent and span.agent != span.name:
        label += f" [{span.agent}]"
    return label.replace("\n", " ")


def _fit(label: str, width: int) -> str:
    """``label`` padded to ``width``, or cut with an ellipsis when longer."""
    return label.ljust(width) if len(label) <= width else label[: width - 1] + "…"


def _line(span: Span, label: str, tokens_in: int, tokens_out: int, cost: float | None) -> str:
    numbers = f"in {tokens_in} / out {tokens_out}  {format_money(cost)}"
    status = _MARKS.get(span.status, span.status)
    line = f"{label} {status:<10} {numbers if tokens_in or tokens_out else '':<32}"
    return f"{line} {format_seconds(span.duration_s):>9}  {note_of(span, 72)}".rstrip()
