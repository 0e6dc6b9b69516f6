"""Terminal view of a trace: an indented span tree, so the kit works outside Jupyter.

Example (``print(run)``)::

    run Support                      completed            in 30 / out 12   $0.000012   1.2 ms
    └─ agent Support                 ok                   ...
       ├─ model scripted [Support]   ok   in 20 / out 5 ...
       └─ tool lookup_order          ok   -> order 42: shipped
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentlab._format import format_money, format_seconds
from agentlab.trace.read import subtree_totals, tree_order
from agentlab.views.data import note_of, scrub, secrets_read_once
from agentlab.views.findings import ICONS, badge_text, findings_index

if TYPE_CHECKING:
    from agentlab.trace.spans import Span
    from agentlab.trace.trace import Trace

_MARKS = {"error": "✗ error", "stopped": "■ stopped", "running": "… running", "ok": "ok"}


def format_trace(trace: Trace, *, max_spans: int = 500) -> str:
    """The span tree as text, one line per span (at most ``max_spans`` lines).

    It reads what the run viewer reads (``agentlab.views.data``): the same tree order,
    subtree totals and row notes, secrets redacted; a badge on each span a finding of
    ``al.diagnose`` points at, and the findings listed under the tree.
    """
    with secrets_read_once():
        rows = tree_order(trace.spans)
        findings, flags = findings_index(trace, [span.id for span, _, _ in rows])
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
        lines = []
        for row, label in enumerate(labels):
            line = _line(
                rows[row][0], _fit(label, width), tokens_in[row], tokens_out[row], costs[row]
            )
            badge = badge_text(flags[row])
            lines.append(f"{line}  {badge}" if badge else line)
        if len(rows) > len(lines):
            lines.append(f"… {len(rows) - len(lines)} more spans (trace.to_pandas() has them all)")
        lines.extend(_findings_lines(findings))
    return "\n".join(lines)


LABEL_MIN, LABEL_MAX = 44, 80  # the label column's width: the longest label, within these


def _findings_lines(findings: list[dict[str, Any]]) -> list[str]:
    """The findings of ``al.diagnose`` under the tree (secrets redacted)."""
    if not findings:
        return []
    out = ["", f"findings ({len(findings)}, al.diagnose(run)):"]
    for f in scrub(findings):
        out.append(f"  {ICONS[f['severity']]} {f['kind']}: {f['message']}")
        out.append(f"      -> {f['suggestion']}")
    return out


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
