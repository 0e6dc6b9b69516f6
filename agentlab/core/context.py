"""``RunContext``: what every level of one run tree shares (the trace, the budget, the
limits), and how a level runs a child (``invoke``), applies a timeout, and calls the
user's code (``call_user``).

While user code runs (a tool, a function step, a check), ``current_caller()`` names
the run context and the span it runs under: a run started there is *nested* in it
(``core/run.py``). ``agent_depth()`` counts the agent invocations on the current path,
which ``Limits(max_depth=...)`` bounds.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from agentlab._workers import call_user
from agentlab.core.limits import Budget, Limits
from agentlab.core.outcome import Outcome, keep_partial, outcome_of
from agentlab.errors import LimitExceeded, Timeout, UserExit

if TYPE_CHECKING:
    from agentlab.core.runnable import Runnable
    from agentlab.trace.spans import SpanKind
    from agentlab.trace.trace import SpanHandle, Trace

__all__ = [
    "Caller",
    "RunContext",
    "RunTree",
    "agent_depth",
    "current_caller",
    "entered_agent",
    "timeout_error",
]


class RunTree:
    """What one whole run tree shares beyond its trace and budgets: the runs nested in
    it on other threads' loops (cancelled when the tree ends), and the run's ``deps``."""

    __slots__ = ("_lock", "deps", "nested", "task")

    def __init__(self, task: asyncio.Task[Any] | None = None, deps: Any = None) -> None:
        self.task = task  # the task the root runs in
        self.deps = deps
        self.nested: set[tuple[asyncio.AbstractEventLoop, asyncio.Task[Any]]] = set()
        self._lock = threading.Lock()

    def add(self, loop: asyncio.AbstractEventLoop, task: asyncio.Task[Any]) -> None:
        with self._lock:
            self.nested.add((loop, task))

    def discard(self, loop: asyncio.AbstractEventLoop, task: asyncio.Task[Any]) -> None:
        with self._lock:
            self.nested.discard((loop, task))

    async def end_nested(self, wait_s: float = 1.0) -> None:
        """Cancel the nested runs still going on other loops (their tree has ended) and
        give them up to ``wait_s`` to close their spans."""
        with self._lock:
            left, self.nested = list(self.nested), set()
        for loop, task in left:
            if not loop.is_closed():
                loop.call_soon_threadsafe(task.cancel)
        deadline = time.monotonic() + wait_s
        while any(not task.done() for _, task in left) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)


class RunContext:
    """Shared by every level of one run tree: the trace, the budget, the limits."""

    __slots__ = ("budget", "deps", "limits", "trace", "tree")

    def __init__(
        self, trace: Trace, budget: Budget, limits: Limits, tree: RunTree | None = None
    ) -> None:
        self.trace = trace
        self.budget = budget
        self.limits = limits
        self.tree = tree if tree is not None else RunTree()
        self.deps: Any = self.tree.deps  # what al.Ctx parameters read as ctx.deps

    def with_deps(self, deps: Any) -> RunContext:
        """The same context whose user code sees other ``deps`` (a nested run given its own)."""
        other = RunContext(self.trace, self.budget, self.limits, self.tree)
        other.deps = deps
        return other

    async def call_user(
        self, span_id: int | str, fn: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> Any:
        """Call user code under ``span_id``: a run it starts nests there."""
        with self.calling(span_id):
            return await call_user(fn, *args, **kwargs)

    def calling(self, span_id: int | str) -> _Calling:
        """``with ctx.calling(span_id):`` runs started inside the block nest under that span."""
        return _Calling(Caller(self, span_id))

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
        child = RunContext(self.trace, Budget(limits, parent=self.budget), limits, self.tree)
        child.deps = self.deps
        return child

    async def invoke(
        self, runnable: Runnable, input: Any, parent_id: int | str, limits: Any = ...
    ) -> Outcome:
        """Run a child (with its own ``limits``, by default ``runnable.limits``); its own
        stop or failure comes back as an ``Outcome``; a shared budget running out, an
        interrupt or ``sys.exit()`` in user code raise through (the whole tree ends)."""
        ctx = self.child(runnable.limits if limits is ... else limits)
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


class Caller:
    """Where user code runs: the run context and the span it runs under."""

    __slots__ = ("ctx", "span_id")

    def __init__(self, ctx: RunContext, span_id: int | str) -> None:
        self.ctx, self.span_id = ctx, span_id


_CALLER: ContextVar[Caller | None] = ContextVar("agentlab_caller", default=None)
_DEPTH: ContextVar[int] = ContextVar("agentlab_agent_depth", default=0)


def current_caller() -> Caller | None:
    """The run whose user code is running here (a new run nests in it), or None."""
    caller = _CALLER.get()
    return caller if caller is not None and caller.ctx.trace.open else None


def agent_depth() -> int:
    """Agent invocations on the current path (0 outside any agent)."""
    return _DEPTH.get()


class _Calling:
    __slots__ = ("caller", "token")

    def __init__(self, caller: Caller) -> None:
        self.caller = caller

    def __enter__(self) -> None:
        self.token = _CALLER.set(self.caller)

    def __exit__(self, *exc: object) -> None:
        _CALLER.reset(self.token)


class entered_agent:
    """Count one more agent invocation on this path while the block runs."""

    __slots__ = ("depth", "token")

    def __enter__(self) -> int:
        self.depth = _DEPTH.get() + 1
        self.token = _DEPTH.set(self.depth)
        return self.depth

    def __exit__(self, *exc: object) -> None:
        _DEPTH.reset(self.token)
