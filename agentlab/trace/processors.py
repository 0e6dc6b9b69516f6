"""Trace processors: observers that see spans as they start and end, and messages as
they are added (a live viewer, a JSONL exporter, OpenTelemetry).

``add_processor`` sends every later run's spans to a processor; ``processing(...)``
does so for the runs started inside a ``with`` block. ``disabled()`` records only the
root span (for overhead benchmarks).

>>> import agentlab as al
>>> class Printer:
...     def on_span_start(self, trace, span): pass
...     def on_span_end(self, trace, span): print(span.kind, span.name)
...     def on_message(self, trace, index, message): pass
>>> with al.processing(Printer()):
...     _ = al.Agent(name="Echo", model=al.ScriptedModel(["hi"])).run_sync("hello")
model scripted
agent Echo
run Echo
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from agentlab.messages import Message
    from agentlab.trace.spans import Span
    from agentlab.trace.trace import Trace

__all__ = [
    "TraceProcessor",
    "active_processors",
    "add_processor",
    "disabled",
    "processing",
    "remove_processor",
    "tracing_enabled",
]


class TraceProcessor(Protocol):
    """Receives spans as they start and end, and messages as they are added."""

    def on_span_start(self, trace: Trace, span: Span) -> None: ...
    def on_span_end(self, trace: Trace, span: Span) -> None: ...
    def on_message(self, trace: Trace, index: int, message: Message) -> None: ...


_GLOBAL_PROCESSORS: list[TraceProcessor] = []
_SCOPED_PROCESSORS: contextvars.ContextVar[tuple[TraceProcessor, ...]] = contextvars.ContextVar(
    "agentlab_processors", default=()
)
_TRACING_ENABLED: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "agentlab_tracing", default=True
)


def add_processor(processor: TraceProcessor) -> None:
    """Send the spans of every later run in this process to ``processor``."""
    _GLOBAL_PROCESSORS.append(processor)


def remove_processor(processor: TraceProcessor) -> None:
    """Stop sending spans to a processor added with ``add_processor``."""
    _GLOBAL_PROCESSORS.remove(processor)


@contextmanager
def processing(*processors: TraceProcessor) -> Iterator[None]:
    """Send the spans of runs started inside this block to ``processors``."""
    token = _SCOPED_PROCESSORS.set(_SCOPED_PROCESSORS.get() + processors)
    try:
        yield
    finally:
        _SCOPED_PROCESSORS.reset(token)


@contextmanager
def disabled() -> Iterator[None]:
    """Record only the root ``run`` span inside this block (for overhead benchmarks)."""
    token = _TRACING_ENABLED.set(False)
    try:
        yield
    finally:
        _TRACING_ENABLED.reset(token)


def tracing_enabled() -> bool:
    """False inside ``disabled()``."""
    return _TRACING_ENABLED.get()


def active_processors() -> tuple[TraceProcessor, ...]:
    """The processors a run started now sends its spans to."""
    return tuple(_GLOBAL_PROCESSORS) + _SCOPED_PROCESSORS.get()
