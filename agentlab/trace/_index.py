"""One pass over a trace for the diagnosis rules: spans by id, kind and parent.

Built once per ``diagnose`` call so every rule reads the trace in linear time
(a 100,000-span trace is diagnosed in well under a second).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from agentlab.trace.spans import Span, start_order

if TYPE_CHECKING:
    from agentlab.messages import Message
    from agentlab.trace.trace import Trace


class TraceIndex:
    """Spans of one trace grouped for the rules; children come in start order."""

    __slots__ = ("_children", "_sorted", "by_id", "by_kind", "messages", "root", "spans")

    def __init__(self, trace: Trace) -> None:
        self.spans: list[Span] = list(trace.spans)
        self.messages: list[Message] = list(trace.messages)
        self.by_id: dict[Any, Span] = {}
        self.by_kind: dict[str, list[Span]] = defaultdict(list)
        self._children: dict[Any, list[Span]] = defaultdict(list)
        self._sorted: set[Any] = set()
        root: Span | None = None
        for span in self.spans:
            self.by_id[span.id] = span
            self.by_kind[span.kind].append(span)
            if span.parent_id is None:
                root = span
            else:
                self._children[span.parent_id].append(span)
        for spans in self.by_kind.values():
            spans.sort(key=start_order)
        self.root = root

    def kind(self, kind: str) -> list[Span]:
        """Spans of ``kind`` in start order."""
        return self.by_kind.get(kind, [])

    def children(self, span_id: Any) -> list[Span]:
        """Direct children of ``span_id`` in start order."""
        kids = self._children.get(span_id, [])
        if span_id not in self._sorted:
            kids.sort(key=start_order)
            self._sorted.add(span_id)
        return kids

    def message(self, index: int) -> Message | None:
        return self.messages[index] if 0 <= index < len(self.messages) else None

    def limit_hit(self, span_id: Any, limit: str) -> bool:
        """Whether a ``limit`` span for ``limit`` sits anywhere below ``span_id``."""
        for span in self.kind("limit"):
            if span.attributes.get("limit", span.name) != limit:
                continue
            parent, seen = span.parent_id, 0
            while parent is not None and seen < 10_000:  # a hand-made cycle ends too
                if parent == span_id:
                    return True
                above = self.by_id.get(parent)
                parent, seen = (above.parent_id if above else None), seen + 1
        return False
