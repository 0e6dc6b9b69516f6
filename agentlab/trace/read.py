"""Reading a trace: tree order, subtree totals, the cost rule, handoff records.

Everything that reads traces (the run viewer, the text tree, charts, reports,
diagnostics) uses these, so they agree: the same tree, the same totals, the same
answer to "what did this cost".

The cost rule (shared/CONTRACT.md): a model call that answered costs its ``cost_usd``;
one that answered with no known price or no usage makes the total unknown (None); a
call that failed before any response used nothing and adds nothing.

>>> import agentlab as al
>>> run = al.Agent(name="Echo", model=al.ScriptedModel(["hi"])).run_sync("hello")
>>> [(span.kind, depth) for span, depth, _ in tree_order(run.trace.spans)]
[('run', 0), ('agent', 1), ('model', 2)]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agentlab.trace.spans import Span, start_order

if TYPE_CHECKING:
    from agentlab.messages import Message
    from agentlab.trace.trace import Trace

__all__ = [
    "HandoffContext",
    "call_cost",
    "subtree_totals",
    "sum_costs",
    "tree_order",
]

Row = tuple[Span, int, int]
"""(span, depth, parent row) in tree order."""


def call_cost(span: Span) -> tuple[float, bool]:
    """(USD, known) of one span under the cost rule; non-model spans cost a known 0."""
    if span.kind != "model" or span.cost_usd is not None:
        return span.cost_usd or 0.0, True
    answered = span.usage is not None or bool(span.attributes.get("usage_unknown"))
    return 0.0, not answered


def sum_costs(spans: Iterable[Span]) -> float | None:
    """USD summed over the model calls among ``spans``; None when any is unknown."""
    total = 0.0
    for span in spans:
        if span.kind != "model":
            continue
        cost, known = call_cost(span)
        if not known:
            return None
        total += cost
    return total


def tree_order(spans: list[Span]) -> list[Row]:
    """(span, depth, parent row) in depth-first order, children by start time.

    Spans whose parent is missing (a partial trace) are shown as extra roots.
    """
    ids = {s.id for s in spans}
    children: dict[Any, list[Span]] = defaultdict(list)
    for span in spans:
        parent = span.parent_id if span.parent_id in ids else None
        children[parent].append(span)
    for kids in children.values():
        kids.sort(key=start_order)
    rows: list[Row] = []
    stack: list[Row] = [(s, 0, -1) for s in reversed(children[None])]
    while stack:
        span, depth, parent_row = stack.pop()
        row = len(rows)
        rows.append((span, depth, parent_row))
        stack.extend((kid, depth + 1, row) for kid in reversed(children.get(span.id, ())))
    return rows


def subtree_totals(rows: list[Row]) -> tuple[list[int], list[int], list[float | None]]:
    """Tokens in/out and cost (the cost rule) of every model span below each row."""
    n = len(rows)
    tin, tout = [0] * n, [0] * n
    cost = [0.0] * n
    known = [True] * n
    for row in range(n - 1, -1, -1):  # children come after their parent in tree order
        span, _, parent = rows[row]
        if span.usage is not None:
            tin[row] += span.usage.input_tokens
            tout[row] += span.usage.output_tokens
        own, own_known = call_cost(span)
        cost[row] += own
        known[row] = known[row] and own_known
        if parent >= 0:
            tin[parent] += tin[row]
            tout[parent] += tout[row]
            cost[parent] += cost[row]
            known[parent] = known[parent] and known[row]
    return tin, tout, [c if ok else None for c, ok in zip(cost, known, strict=True)]


def span_totals(spans: list[Span]) -> tuple[list[int], list[int], list[float | None]]:
    """``subtree_totals`` aligned with ``spans`` (list order, not tree order).

    One pass when every span is listed before its parent (as runs record them: a span
    is appended when it ends, after its children), else through ``tree_order``.
    """
    where = {span.id: i for i, span in enumerate(spans)}
    n = len(spans)
    tin, tout = [0] * n, [0] * n
    cost: list[float] = [0.0] * n
    unknown: set[int] = set()  # rows whose subtree holds a call of unknown cost
    for i, span in enumerate(spans):
        usage = span.usage
        if usage is not None:
            tin[i] += usage.input_tokens
            tout[i] += usage.output_tokens
        if span.kind == "model":
            own, own_known = call_cost(span)
            cost[i] += own
            if not own_known:
                unknown.add(i)
        parent = None if span.parent_id is None else where.get(span.parent_id)
        if parent is None:
            continue
        if parent <= i:  # listed out of order (a hand-made file): take the tree's order
            return _totals_in_list_order(spans)
        tin[parent] += tin[i]
        tout[parent] += tout[i]
        cost[parent] += cost[i]
        if i in unknown:
            unknown.add(parent)
    return tin, tout, [None if i in unknown else c for i, c in enumerate(cost)]


def _totals_in_list_order(spans: list[Span]) -> tuple[list[int], list[int], list[float | None]]:
    rows = tree_order(spans)
    tin, tout, cost = subtree_totals(rows)
    row_of = {id(span): row for row, (span, _, _) in enumerate(rows)}
    order = [row_of[id(span)] for span in spans]
    return [tin[r] for r in order], [tout[r] for r in order], [cost[r] for r in order]


@dataclass(frozen=True, slots=True)
class HandoffContext:
    """One transfer: who handed to whom, at which hop, why, and exactly what crossed.

    ``intent`` says why and what the receiver should do; ``state`` what was tried,
    what failed, how the user feels; ``messages`` is exactly what the receiver got
    (its own instructions come first, as for any agent). Read from a trace's
    ``handoff`` spans, so runs loaded from disk show their handoffs like live ones.

    >>> [(h.from_agent, h.to_agent, h.hop) for h in run.handoffs]  # doctest: +SKIP
    [('Triage', 'Sales', 1)]
    """

    from_agent: str
    to_agent: str
    hop: int
    intent: str
    state: str | None
    messages: tuple[Message, ...]

    @classmethod
    def from_span(cls, trace: Trace, span: Span) -> HandoffContext:
        attrs = span.attributes
        return cls(
            from_agent=str(attrs.get("from_agent", "")),
            to_agent=str(attrs.get("to_agent", "")),
            hop=hop_number(attrs.get("hop")),
            intent=str(attrs.get("intent", "")),
            state=attrs.get("state"),
            messages=tuple(trace.messages_of(span, "out")),
        )

    @classmethod
    def all_in(cls, trace: Trace) -> list[HandoffContext]:
        """Every transfer of ``trace``, in start order."""
        return [cls.from_span(trace, s) for s in trace.find("handoff")]


def hop_number(value: Any) -> int:
    """A handoff's hop number; 0 when a (hand-edited) trace file holds something else."""
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0
