"""Traces: every run writes one, and everything else (widgets, charts, reports) reads it.

A ``Trace`` holds frozen ``Span``s and the run's messages, each message stored once;
spans point at messages by index (``messages_in``: what was sent, ``messages_out``:
what came back). Span ids are per-trace counters; the root ``run`` span has
``parent_id=None``. Processors (``add_processor``) see spans as they start and end.

``agentlab.trace.spans.SPAN_KINDS`` is the one place that says what each kind's ``attributes``
hold (re-exported here).

>>> import agentlab as al
>>> run = al.Agent(name="Echo", model=al.ScriptedModel(["hi"])).run_sync("hello")
>>> [span.kind for span in run.trace.spans]
['model', 'agent', 'run']
"""

from __future__ import annotations

import dataclasses
import itertools
import time
import uuid
from typing import TYPE_CHECKING, Any, Literal

from agentlab._format import safe_str
from agentlab._json import jsonable
from agentlab._redact import redact
from agentlab.errors import RunStopped
from agentlab.messages import Message
from agentlab.trace.processors import TraceProcessor, notify, tracing_enabled
from agentlab.trace.read import sum_costs
from agentlab.trace.spans import Span, SpanKind, SpanStatus, start_order
from agentlab.usage import Usage

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SpanHandle", "Trace"]


class SpanHandle:
    """An open span. Set fields while it runs; leaving the ``with`` block records it.

    An exception leaving the block marks the span "stopped" (a guard, an interrupt)
    or "error" (anything else) and propagates.
    """

    __slots__ = (
        "agent",
        "attributes",
        "cost_usd",
        "error",
        "id",
        "kind",
        "messages_in",
        "messages_out",
        "model",
        "name",
        "output",
        "parent_id",
        "start",
        "status",
        "trace",
        "usage",
    )

    def __init__(
        self,
        trace: Trace,
        kind: SpanKind,
        name: str,
        parent_id: int | str | None,
        agent: str | None,
        start: float,
    ) -> None:
        self.trace = trace
        self.id = next(trace._ids)  # atomic: a nested run in a worker thread adds spans too
        self.parent_id = parent_id
        self.kind = kind
        self.name = name
        self.agent = agent
        self.start = start
        self.status: SpanStatus = "ok"
        self.error: str | None = None
        self.model: str | None = None
        self.messages_in: tuple[int, ...] = ()
        self.messages_out: tuple[int, ...] = ()
        self.output: Any = None
        self.usage: Usage | None = None
        self.cost_usd: float | None = None
        self.attributes: dict[str, Any] = {}

    def __enter__(self) -> SpanHandle:
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if exc is not None and self.status == "ok":
            self.fail(exc)
        self.trace._finish(self)

    def fail(self, exc: BaseException) -> None:
        """Mark the span stopped (guards, interrupts) or errored, with the error text."""
        import asyncio

        if isinstance(exc, (RunStopped, asyncio.CancelledError, KeyboardInterrupt)):
            self.status = "stopped"
            self.error = safe_str(exc) or "interrupted"
        else:
            self.status = "error"
            self.error = redact(f"{type(exc).__name__}: {safe_str(exc)}")
            extra = getattr(exc, "span_attributes", None)  # e.g. a failed call's retries
            if extra:
                self.attributes = {**self.attributes, **extra}

    def freeze(self, end: float | None) -> Span:
        return Span(
            self.id,
            self.parent_id,
            self.kind,
            self.name,
            self.agent,
            self.start,
            end,
            self.status if end is not None else "running",
            self.error,
            self.model,
            self.messages_in,
            self.messages_out,
            self.output
            if self.output is None or type(self.output) is str
            else jsonable(self.output),
            self.usage,
            self.cost_usd,
            self.attributes,
        )


class Trace:
    """Everything one run did: spans (in the order they finished) and messages.

    >>> trace = Trace()
    >>> with trace.start_span("run", "demo", None) as span:
    ...     span.output = "done"
    >>> trace.root.output
    'done'
    """

    def __init__(
        self,
        *,
        id: str | None = None,
        header: dict[str, Any] | None = None,
        spans: list[Span] | None = None,
        messages: list[Message] | None = None,
        processors: tuple[TraceProcessor, ...] = (),
    ) -> None:
        self.id = id or uuid.uuid4().hex
        self.header: dict[str, Any] = header if header is not None else {}
        self.spans: list[Span] = spans if spans is not None else []
        self.messages: list[Message] = messages if messages is not None else []
        self.processors = processors
        self.file_header: dict[str, Any] | None = None  # set by Trace.load: versions, created
        self.enabled = tracing_enabled()
        self._ids = itertools.count(
            1 + max((s.id for s in self.spans if isinstance(s.id, int)), default=-1)
        )
        self.open = True  # until the root run span ends (later runs are then not nested in it)
        self._wall0 = time.time()
        self._perf0 = time.perf_counter()

    @property
    def started(self) -> float:
        """Unix seconds when the trace was created (the run's start)."""
        return self._wall0

    def now(self) -> float:
        """Unix seconds, from a monotonic clock anchored once per trace."""
        return self._wall0 + (time.perf_counter() - self._perf0)

    def start_span(
        self, kind: SpanKind, name: str, parent_id: int | str | None, *, agent: str | None = None
    ) -> SpanHandle:
        handle = SpanHandle(self, kind, name, parent_id, agent, self.now())
        if self.processors:
            span = handle.freeze(None)
            notify(self.processors, "on_span_start", self, span)
        return handle

    def _finish(self, handle: SpanHandle) -> None:
        if handle.parent_id is None:
            self.open = False
        if not self.enabled and handle.kind != "run":
            return
        span = handle.freeze(self.now())
        self.spans.append(span)
        if self.processors:
            notify(self.processors, "on_span_end", self, span)

    def add_message(self, message: Message, *, replayed: bool = False) -> int:
        """Store a message once; return its index for spans to refer to.

        ``replayed=True`` (a conversation's earlier turns, stored again in this turn's
        trace) skips the processors' ``on_message``: they saw it when it was said.
        """
        index = len(self.messages)
        self.messages.append(message)
        if self.processors and not replayed:
            notify(self.processors, "on_message", self, index, message)
        return index

    @property
    def wants_text(self) -> bool:
        """True when a processor listens for text as it arrives (``on_text_delta``)."""
        return any(callable(getattr(p, "on_text_delta", None)) for p in self.processors)

    def text_delta(self, span_id: int | str, text: str) -> None:
        """A piece of a model span's answer as it arrives: to the processors that define
        the optional ``on_text_delta(trace, span_id, text)``. Not stored (the span's
        output holds the whole text)."""
        listeners = tuple(p for p in self.processors if callable(getattr(p, "on_text_delta", None)))
        if listeners:
            notify(listeners, "on_text_delta", self, span_id, text)

    # -- reading -------------------------------------------------------------------
    @property
    def root(self) -> Span:
        """The root ``run`` span (the span whose parent is None)."""
        for span in reversed(self.spans):
            if span.parent_id is None:
                return span
        raise LookupError("this trace has no root span yet (the run is still going)")

    def get(self, span_id: int | str) -> Span:
        for span in self.spans:
            if span.id == span_id:
                return span
        raise KeyError(f"no span with id {span_id!r} in this trace")

    def children(self, span_id: int | str) -> list[Span]:
        """Direct children of a span, in start order."""
        return sorted((s for s in self.spans if s.parent_id == span_id), key=start_order)

    def find(
        self, kind: str | None = None, *, name: str | None = None, agent: str | None = None
    ) -> list[Span]:
        """Spans matching every given field, in start order.

        >>> run.trace.find("tool", name="lookup_order")  # doctest: +SKIP
        """
        return sorted(
            (
                s
                for s in self.spans
                if (kind is None or s.kind == kind)
                and (name is None or s.name == name)
                and (agent is None or s.agent == agent)
            ),
            key=start_order,
        )

    def messages_of(self, span: Span, which: Literal["in", "out"] = "in") -> list[Message]:
        """The messages a span sent (``"in"``) or got back (``"out"``)."""
        indices = span.messages_in if which == "in" else span.messages_out
        return [self.messages[i] for i in indices]

    def subtree(self, span_id: int | str) -> Trace:
        """A trace of ``span_id`` and the spans below it (that span as the root), sharing
        this trace's id, header and messages: what a nested run's ``Run`` reports."""
        below: dict[Any, list[Span]] = {}
        for span in self.spans:
            below.setdefault(span.parent_id, []).append(span)
        root = self.get(span_id)
        kept, stack = [dataclasses.replace(root, parent_id=None)], [root.id]
        while stack:
            for child in below.get(stack.pop(), ()):
                kept.append(child)
                stack.append(child.id)
        ids = {span.id for span in kept}
        ordered = [span for span in self.spans if span.id in ids and span.id != root.id]
        view = Trace(id=self.id, header=self.header, spans=[*ordered, kept[0]],
                     messages=self.messages)  # fmt: skip
        view._wall0, view._perf0, view.open = self._wall0, self._perf0, False
        return view

    @property
    def usage(self) -> Usage:
        """Tokens and requests summed over every model span."""
        total = Usage()
        for span in self.spans:
            if span.usage is not None:
                total = total + span.usage
        return total

    @property
    def cost(self) -> float | None:
        """USD summed over model spans; None if any model call that answered has no
        price or no usage (a call that failed with no response costs nothing)."""
        return sum_costs(self.spans)

    # -- persistence (jsonl.py, frame.py) and views (through _views.py) -----------------
    def save(self, path: str | Any) -> None:
        """Write the trace as JSONL: a header line, then messages and finished spans.

        The file is replaced atomically: a save that fails leaves no half-written file.
        """
        from agentlab.trace.jsonl import save_trace  # file code loads on first use

        save_trace(self, path)

    @classmethod
    def load(cls, path: str | Any) -> Trace:
        """Read a trace written by ``save`` (or by an older schema version); a file that
        is not a trace raises ``ValueError`` naming the file and line."""
        from agentlab.trace.jsonl import created_timestamp, read_trace_file

        file = read_trace_file(path)
        header = file.header
        kept = {k: v for k, v in header.items() if k not in _FILE_HEADER_KEYS}
        trace_id = header.get("trace_id")
        trace = cls(id=trace_id if isinstance(trace_id, str) else None, header=kept,
                    spans=file.spans, messages=file.messages)  # fmt: skip
        created = created_timestamp(header)
        if created is not None:
            trace._wall0 = created
        trace.file_header = header
        return trace

    def to_pandas(self) -> pd.DataFrame:
        """One row per span: ids, kind, name, agent, times, tokens, cost, status, error."""
        from agentlab.trace.frame import spans_frame  # pandas loads on first use

        return spans_frame(self)

    def pretty(self, *, max_spans: int = 500) -> str:
        """An indented span tree with agent, kind, tokens, cost and time per span."""
        from agentlab.trace._views import text_tree

        return text_tree(self, max_spans=max_spans)

    def show(self) -> Any:
        """Open the run viewer widget on this trace (in Jupyter)."""
        from agentlab.trace._views import viewer

        return viewer(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Trace):
            return NotImplemented
        return (
            self.id == other.id
            and self.spans == other.spans
            and self.messages == other.messages
            and self.header == other.header
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<Trace {self.id[:8]}: {len(self.spans)} spans, {len(self.messages)} messages>"

    def __str__(self) -> str:
        return self.pretty()


_FILE_HEADER_KEYS = frozenset(
    {"type", "schema", "agentlab", "python", "created", "trace_id", "price_table"}
)
"""Header fields every saved trace has; the rest is the run's own header (settings)."""
