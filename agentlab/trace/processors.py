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
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from agentlab._format import safe_str
from agentlab.errors import ConfigError

if TYPE_CHECKING:
    from agentlab.messages import Message
    from agentlab.trace.spans import Span
    from agentlab.trace.trace import Trace

__all__ = [
    "TraceProcessor",
    "active_processors",
    "add_processor",
    "check_processor",
    "disabled",
    "notify",
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


_METHODS = ("on_span_start", "on_span_end", "on_message")


def check_processor(processor: object) -> None:
    """``ConfigError`` unless ``processor`` has the three methods a run calls."""
    missing = [m for m in _METHODS if not callable(getattr(processor, m, None))]
    if missing:
        raise ConfigError(
            f"{type(processor).__name__} is not a trace processor: it has no "
            f"{', '.join(missing)}; a processor defines on_span_start(trace, span), "
            "on_span_end(trace, span) and on_message(trace, index, message)"
        )


_reported: set[int] = set()  # processors whose failure was already reported


def notify(processors: tuple[TraceProcessor, ...], method: str, trace: Trace, *args: Any) -> None:
    """Call ``method`` on every processor; one that raises is reported once (a
    ``RuntimeWarning``) and never breaks the run or the other processors."""
    for processor in processors:
        try:
            getattr(processor, method)(trace, *args)
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - an observer must not break a run
            if id(processor) not in _reported:
                _reported.add(id(processor))
                warnings.warn(
                    f"trace processor {type(processor).__name__}.{method} raised "
                    f"{type(exc).__name__}: {safe_str(exc)}; the run goes on (reported once)",
                    RuntimeWarning,
                    stacklevel=2,
                )


def add_processor(processor: TraceProcessor) -> None:
    """Send the spans of every later run in this process to ``processor``."""
    check_processor(processor)
    _GLOBAL_PROCESSORS.append(processor)


def remove_processor(processor: TraceProcessor) -> None:
    """Stop sending spans to a processor added with ``add_processor``."""
    _GLOBAL_PROCESSORS.remove(processor)


@contextmanager
def processing(*processors: TraceProcessor) -> Iterator[None]:
    """Send the spans of runs started inside this block to ``processors``."""
    for processor in processors:
        check_processor(processor)
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
