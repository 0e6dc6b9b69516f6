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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from agentlab.errors import ConfigError, LimitExceeded, Timeout
from agentlab.limits import Budget, Limits
from agentlab.messages import Message
from agentlab.spans import SpanKind
from agentlab.tracing import SpanHandle, Trace

if TYPE_CHECKING:
    from agentlab.result import Run

Status = Literal["completed", "stopped", "failed"]


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
            return await runnable._execute(input, ctx, parent_id)
        except LimitExceeded as exc:
            own_budget = ctx.budget if ctx is not self else None
            if exc.scope is not None and exc.scope is not own_budget:
                raise  # a budget shared with the parent ran out: stop the whole tree
            partial = getattr(exc, "partial", None)
            return Outcome(
                output=getattr(partial, "output", None),
                status="stopped",
                stop_reason=exc.stop_reason,
                stop_detail=str(exc),
                messages=list(getattr(partial, "messages", None) or []),
                agent=getattr(partial, "agent", None),
            )
        except (asyncio.CancelledError, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - a child's failure is data for the parent
            return Outcome(status="failed", error=exc, stop_detail=f"{type(exc).__name__}: {exc}")


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
