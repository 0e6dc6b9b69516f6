"""``Outcome``: what one runnable produced at its level of a run tree, and the one way an
exception becomes an outcome.

Composite runnables call children through ``ctx.invoke(child, input, parent_id)``,
which never raises for the child's own trouble:

- a child's own stop (its max_turns, a gate, its own limits) -> ``status="stopped"``;
- a child's failure (any exception) -> ``status="failed"``, ``error`` set;
- a *shared* budget running out raises ``LimitExceeded`` through every level: it
  stops the whole tree. A level that wants its partial output kept sets
  ``exc.partial`` (``keep_partial``; outer levels overwrite inner ones as it bubbles up).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from agentlab._format import safe_str
from agentlab._redact import redact
from agentlab.errors import Interrupted, LimitExceeded, RunStopped
from agentlab.messages import Message

if TYPE_CHECKING:
    from agentlab.trace.spans import SpanStatus
    from agentlab.trace.trace import SpanHandle

__all__ = [
    "Outcome",
    "Status",
    "failed_outcome",
    "gather_or_cancel",
    "keep_partial",
    "outcome_of",
    "stopped_outcome",
]

Status = Literal["completed", "stopped", "failed"]
T = TypeVar("T")


@dataclass(slots=True)
class Outcome:
    """What one runnable produced at its level of the tree."""

    output: Any = None
    status: Status = "completed"
    stop_reason: str | None = None
    stop_detail: str | None = None
    error: BaseException | None = None
    messages: list[Message] = field(default_factory=list)
    agent: str | None = None  # the agent that produced the output, when one did
    handoff: Any = None  # a Team member's transfer request (agentlab.handoffs.transfer)

    @property
    def ok(self) -> bool:
        return self.status == "completed"

    @property
    def span_status(self) -> SpanStatus:
        """The status of the span that holds this outcome."""
        return _SPAN_STATUS[self.status]

    def close(self, span: SpanHandle) -> Outcome:
        """Write this outcome into ``span`` (output, status, error text); return self."""
        span.output, span.status = self.output, self.span_status
        span.error = None if self.ok else self.stop_detail
        return self


_SPAN_STATUS: dict[Status, SpanStatus] = {
    "completed": "ok",
    "stopped": "stopped",
    "failed": "error",
}


def keep_partial(exc: BaseException, partial: Outcome) -> None:
    """Attach what a level had produced to an exception passing through it (a shared
    limit, a timeout, an interrupt); outer levels overwrite inner ones."""
    with contextlib.suppress(AttributeError):  # exceptions with __slots__ cannot carry it
        exc.partial = partial  # type: ignore[attr-defined]


def failed_outcome(error: BaseException, *, output: Any = None) -> Outcome:
    """A failed outcome: the error, its text (secrets redacted) and what the failing
    level had produced (``error.partial``)."""
    partial = getattr(error, "partial", None)
    return Outcome(
        output if output is not None else getattr(partial, "output", None),
        "failed",
        stop_detail=redact(f"{type(error).__name__}: {safe_str(error)}"),
        error=error,
        messages=list(getattr(partial, "messages", None) or []),
        agent=getattr(partial, "agent", None),
    )


def stopped_outcome(stop: RunStopped, reason: str, partial: Any = None) -> Outcome:
    """A stopped outcome for ``stop``, keeping the partial output and messages."""
    partial = partial or getattr(stop, "partial", None)
    return Outcome(
        output=getattr(partial, "output", None),
        status="stopped",
        stop_reason=reason,
        stop_detail=safe_str(stop),
        messages=list(getattr(partial, "messages", None) or []),
        agent=getattr(partial, "agent", None),
    )


def outcome_of(exc: BaseException) -> Outcome:
    """The outcome a level ends with when ``exc`` ends it: a guard -> stopped with its
    reason; an interrupt (cancellation, Ctrl-C) -> stopped, ``"interrupted"``, with the
    partial output kept; anything else -> failed."""
    if isinstance(exc, LimitExceeded):
        return stopped_outcome(exc, exc.stop_reason)
    if isinstance(exc, (asyncio.CancelledError, KeyboardInterrupt)):
        interrupted = Interrupted("the run was interrupted (Ctrl-C, stop button, cancelled task)")
        return stopped_outcome(interrupted, "interrupted", getattr(exc, "partial", None))
    return failed_outcome(exc)


async def gather_or_cancel(tasks: Sequence[asyncio.Future[T]]) -> list[T]:
    """Await ``tasks`` (results in order). If one raises, or the caller is cancelled,
    cancel the rest and wait for them to end, so no span outlives its parent."""
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
