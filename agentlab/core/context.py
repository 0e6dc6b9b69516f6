"""``RunContext``: what every level of one run tree shares (the trace, the budget, the
limits), and how a level runs a child (``invoke``) and applies a timeout."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from agentlab.core.limits import Budget, Limits
from agentlab.core.outcome import Outcome, keep_partial, outcome_of
from agentlab.errors import LimitExceeded, Timeout, UserExit

if TYPE_CHECKING:
    from agentlab.core.runnable import Runnable
    from agentlab.trace.spans import SpanKind
    from agentlab.trace.trace import SpanHandle, Trace

__all__ = ["RunContext", "timeout_error"]


class RunContext:
    """Shared by every level of one run tree: the trace, the budget, the limits."""

    __slots__ = ("budget", "limits", "trace")

    def __init__(self, trace: Trace, budget: Budget, limits: Limits) -> None:
        self.trace = trace
        self.budget = budget
        self.limits = limits

    def span(
        self, kind: SpanKind, name: str, parent_id: int | str | None, *, agent: str | None = None
    ) -> SpanHandle:
        """Open a span; use it as ``with ctx.span(...) as span:``."""
        return self.trace.start_span(kind, name, parent_id, agent=agent)

    def record_limit(
        self, parent_id: int | str | None, exc: LimitExceeded, **attributes: Any
    ) -> LimitExceeded:
        """Write the ``limit`` span for a guard that fired; return ``exc`` to raise.

        ``attributes`` add guard-specific details (e.g. ``edge`` for handoff bounds).
        """
        with self.span("limit", exc.stop_reason, parent_id) as span:
            span.status = "stopped"
            span.error = str(exc)
            span.attributes = {"limit": exc.stop_reason, "value": exc.value, "reached": exc.reached}
            span.attributes.update(attributes)
        return exc

    def child(self, limits: Limits | None) -> RunContext:
        """A context for a nested runnable with its own limits: it draws on ours too."""
        if limits is None:
            return self
        return RunContext(self.trace, Budget(limits, parent=self.budget), limits)

    async def invoke(self, runnable: Runnable, input: Any, parent_id: int | str) -> Outcome:
        """Run a child; its own stop or failure comes back as an ``Outcome``."""
        ctx = self.child(runnable.limits)
        try:
            if ctx is self or ctx.limits.timeout_s is None:
                return await runnable._execute(input, ctx, parent_id)
            return await ctx.within_timeout(runnable, input, parent_id)
        except LimitExceeded as exc:
            own_budget = ctx.budget if ctx is not self else None
            if exc.scope is not None and exc.scope is not own_budget:
                raise  # a budget shared with the parent ran out: stop the whole tree
            return outcome_of(exc)
        except (UserExit, asyncio.CancelledError, KeyboardInterrupt):
            raise  # sys.exit() in user code, an interrupt: the whole run ends
        except Exception as exc:  # noqa: BLE001 - a child's failure is data for the parent
            return outcome_of(exc)

    async def within_timeout(self, runnable: Runnable, input: Any, parent_id: int | str) -> Outcome:
        """``runnable._execute`` under this context's ``timeout_s``; past it, a ``Timeout``
        (scoped to this context's budget, so only this level stops) with a ``limit`` span
        and the partial output kept."""
        started = self.trace.now()
        try:
            async with asyncio.timeout(self.limits.timeout_s) as deadline:
                return await runnable._execute(input, self, parent_id)
        except TimeoutError as exc:
            if not deadline.expired():
                raise  # a TimeoutError of the runnable's own: a failure, not the guard
            stop = timeout_error(self.limits, round(self.trace.now() - started, 3))
            stop.scope = self.budget
            self.record_limit(parent_id, stop)
            # the partial output rides on the CancelledError the deadline raised inside
            keep_partial(stop, getattr(exc.__context__, "partial", None) or Outcome())
            raise stop from None


def timeout_error(limits: Limits, elapsed: float) -> Timeout:
    return Timeout(
        f"timeout_s={limits.timeout_s} reached after {elapsed} s; raise "
        "Limits(timeout_s=...) or make the run faster",
        value=limits.timeout_s,
        reached=elapsed,
    )
