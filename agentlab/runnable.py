"""One protocol for everything runnable, and the machinery that runs a tree of them.

Every runnable (Agent, the patterns, Team) subclasses ``Runnable`` and implements
``async _execute(input, ctx, parent_id) -> Outcome``; ``run``/``run_sync`` come from
here. Composite runnables call children through ``ctx.invoke(child, input, parent_id)``
which gives back an ``Outcome`` and never raises for the child's own trouble:

- a child's own stop (its max_turns, a gate, its own limits) -> ``status="stopped"``;
- a child's failure (any exception) -> ``status="failed"``, ``error`` set;
- a *shared* budget running out raises ``LimitExceeded`` through every level: it
  stops the whole tree. A level that wants its partial output kept sets
  ``exc.partial`` (outer levels overwrite inner ones as it bubbles up).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from agentlab.errors import ConfigError, LimitExceeded, RunStopped, Timeout
from agentlab.limits import Budget, Limits
from agentlab.messages import Message
from agentlab.spans import SpanKind, SpanStatus
from agentlab.tracing import SpanHandle, Trace

if TYPE_CHECKING:
    from agentlab.result import Run

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
    handoff: Any = None  # a Team member's transfer request (agentlab.transfers.Transfer)

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
    from agentlab.redact import redact

    partial = getattr(error, "partial", None)
    return Outcome(
        output if output is not None else getattr(partial, "output", None),
        "failed",
        stop_detail=redact(f"{type(error).__name__}: {error}"),
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
        stop_detail=str(stop),
        messages=list(getattr(partial, "messages", None) or []),
        agent=getattr(partial, "agent", None),
    )


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
            return stopped_outcome(exc, exc.stop_reason)
        except (asyncio.CancelledError, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - a child's failure is data for the parent
            return failed_outcome(exc)

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


class Runnable:
    """Base of everything with ``run``/``run_sync``. Subclasses implement ``_execute``."""

    name: str = ""
    limits: Limits | None = None

    async def run(self, input: Any, *, limits: Limits | None = None, show: bool = False) -> Run:
        """Run on ``input`` (text or messages) and return a ``Run``; never raises for
        runtime trouble (see ``Run.status``), only ``ConfigError`` before any call.

        ``show=True`` displays a live run viewer whose spans appear as they happen (in
        a terminal: prints the span tree when the run ends).

        In a notebook: ``run = await agent.run("Where is order 42?", show=True)``.
        """
        return await self._run_shown(input, limits, live_viewer() if show else None)

    def run_sync(self, input: Any, *, limits: Limits | None = None, show: bool = False) -> Run:
        """``run`` for sync code: scripts, terminals, and inside Jupyter too.

        >>> run = agent.run_sync("Where is order 42?")  # doctest: +SKIP
        """
        from agentlab.sync import run_sync

        viewer = live_viewer() if show else None  # displayed from the caller's thread
        return run_sync(self._run_shown(input, limits, viewer))

    async def _run_shown(self, input: Any, limits: Limits | None, viewer: Any) -> Run:
        from agentlab.result import execute_root

        if viewer is None:
            return await execute_root(self, input, limits)
        if viewer is TERMINAL:
            run = await execute_root(self, input, limits)
            print(run)
            return run
        from agentlab.tracing import processing

        with processing(viewer):
            return await execute_root(self, input, limits)

    async def _execute(self, input: Any, ctx: RunContext, parent_id: int | str) -> Outcome:
        raise NotImplementedError

    def _preflight(self) -> None:
        """Raise ``ConfigError`` for problems detectable before the first model call."""

    def _children(self) -> list[Runnable]:
        """Runnables nested in this one (preflight walks them)."""
        return []


def preflight(root: Runnable) -> list[Runnable]:
    """Check the whole tree before any call (missing keys, ...), each node once.

    Returns the nodes visited, root first.
    """
    seen: set[int] = set()
    nodes: list[Runnable] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        nodes.append(node)
        node._preflight()
        stack.extend(node._children())
    return nodes


def as_text(value: Any) -> str:
    """A step's output as text for the next step: text as is, data as JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    import json

    from agentlab.trace_io import jsonable

    return json.dumps(jsonable(value), ensure_ascii=False)


def timeout_error(limits: Limits, elapsed: float) -> Timeout:
    return Timeout(
        f"timeout_s={limits.timeout_s} reached after {elapsed} s; raise "
        "Limits(timeout_s=...) or make the run faster",
        value=limits.timeout_s,
        reached=elapsed,
    )


def check_runnable(value: Any, what: str) -> Runnable:
    """``value`` if it is runnable, else a ``ConfigError`` saying what to pass."""
    if isinstance(value, Runnable):
        return value
    raise ConfigError(
        f"{what} must be an al.Agent or another runnable (Chain, Router, Parallel, ...), "
        f"got {type(value).__name__}: {value!r}"
    )


TERMINAL = object()  # ``show=True`` outside a notebook: print the tree when the run ends


def live_viewer() -> Any:
    """A live run viewer, displayed now, in a notebook; ``TERMINAL`` elsewhere."""
    try:
        from IPython import get_ipython
    except ImportError:
        return TERMINAL
    shell = get_ipython()
    if shell is None or not getattr(shell, "kernel", None):
        return TERMINAL  # plain Python or a terminal IPython: no widget can show
    from IPython.display import display

    from agentlab.widgets import show

    viewer = show()
    display(viewer)  # type: ignore[no-untyped-call]
    return viewer
