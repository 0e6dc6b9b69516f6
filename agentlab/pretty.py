"""Terminal view of a trace: an indented span tree, so the kit works outside Jupyter.

Example (``print(run)``)::

    run Support                      completed            in 30 / out 12   $0.000012   1.2 ms
    └─ agent Support                 ok                   ...
       ├─ model scripted [Support]   ok   in 20 / out 5 ...
       └─ tool lookup_order          ok   -> order 42: shipped
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from agentlab.spans import Span, start_order

if TYPE_CHECKING:
    from agentlab.tracing import Trace

_MARKS = {"error": "✗ error", "stopped": "■ stopped", "running": "… running", "ok": "ok"}


def format_money(cost: float | None) -> str:
    """``$0.000123``, ``$1.23``, or ``$?`` when unpriced."""
    if cost is None:
        return "$?"
    return f"${cost:.2f}" if cost >= 1 else f"${cost:.6f}"


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def _subtree_totals(trace: Trace) -> dict[int | str, tuple[int, int, float | None]]:
    """Per span: input/output tokens and cost of every model span below it (inclusive)."""
    parents = {s.id: s.parent_id for s in trace.spans}
    totals: dict[int | str, list[float | int | None]] = defaultdict(lambda: [0, 0, 0.0])
    for span in trace.spans:
        if span.usage is None:
            continue
        node: int | str | None = span.id
        while node is not None:
            entry = totals[node]
            entry[0] = int(entry[0] or 0) + span.usage.input_tokens
            entry[1] = int(entry[1] or 0) + span.usage.output_tokens
            entry[2] = (
                None if entry[2] is None or span.cost_usd is None else entry[2] + span.cost_usd
            )
            node = parents.get(node)
    return {k: (int(v[0] or 0), int(v[1] or 0), v[2]) for k, v in totals.items()}


def _describe(span: Span) -> str:
    if span.kind == "tool":
        return f"-> {_clip(span.output)}"
    if span.kind == "handoff":
        attrs = span.attributes
        return f"{attrs.get('from_agent')} -> {attrs.get('to_agent')}: {_clip(attrs.get('intent'))}"
    if span.kind in ("limit", "gate", "route", "evaluation", "iteration", "vote"):
        keys = ("limit", "reached", "passed", "reason", "label", "route", "score", "winner")
        shown = [f"{k}={span.attributes[k]!r}" for k in keys if k in span.attributes]
        return " ".join(shown)
    return ""


def _clip(value: object, width: int = 48) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_trace(trace: Trace, *, max_spans: int = 500) -> str:
    """The span tree as text, one line per span (at most ``max_spans`` lines)."""
    children: dict[int | str | None, list[Span]] = defaultdict(list)
    for span in trace.spans:
        children[span.parent_id].append(span)
    totals = _subtree_totals(trace)
    lines: list[str] = []

    def visit(span: Span, prefix: str, last: bool, depth: int) -> None:
        if len(lines) >= max_spans:
            return
        branch = "" if depth == 0 else ("└─ " if last else "├─ ")
        label = f"{span.kind} {span.name}"
        if span.agent and span.agent != span.name:
            label += f" [{span.agent}]"
        tokens_in, tokens_out, cost = totals.get(span.id, (0, 0, 0.0))
        numbers = (
            f"in {tokens_in} / out {tokens_out}  {format_money(cost)}" if span.id in totals else ""
        )
        status = _MARKS.get(span.status, span.status)
        head = f"{prefix}{branch}{label}"
        line = f"{head:<44} {status:<10} {numbers:<32} {format_seconds(span.duration_s):>9}"
        detail = (
            span.error if span.status in ("error", "stopped") and span.error else _describe(span)
        )
        lines.append(f"{line}  {_clip(detail, 72)}".rstrip())
        kids = sorted(children.get(span.id, ()), key=start_order)
        extension = "" if depth == 0 else ("   " if last else "│  ")
        for i, kid in enumerate(kids):
            visit(kid, prefix + extension, i == len(kids) - 1, depth + 1)

    for root in sorted(children.get(None, ()), key=start_order):
        visit(root, "", True, 0)
    if len(trace.spans) > len(lines):
        lines.append(
            f"… {len(trace.spans) - len(lines)} more spans (trace.to_pandas() has them all)"
        )
    return "\n".join(lines)
