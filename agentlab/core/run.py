"""``Run``: what every ``run()`` returns, and ``execute_root``, which makes one.

A run never raises for runtime trouble; it ends "completed", "stopped" (a guard,
gate or interrupt halted it on purpose) or "failed" (something broke), and keeps the
partial trace, messages and output either way. ``raise_for_status()`` turns a
stopped or failed run into the matching exception.
"""

from __future__ import annotations

import asyncio
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentlab._format import format_money, plural
from agentlab._redact import redact, remember_secrets
from agentlab.core.context import Caller, RunContext, RunTree, current_caller
from agentlab.core.limits import Budget, Limits, as_limits
from agentlab.core.outcome import Outcome, Status, outcome_of
from agentlab.errors import STOP_ERRORS, CostWarning, RunStopped
from agentlab.messages import Message, as_messages
from agentlab.trace.processors import active_processors
from agentlab.trace.read import HandoffContext
from agentlab.trace.trace import Trace
from agentlab.usage import Usage, price_for

if TYPE_CHECKING:
    from agentlab.core.runnable import Runnable
    from agentlab.trace.findings import Finding
    from agentlab.trace.trace import SpanHandle

__all__ = ["Run", "execute_root", "preflight"]


@dataclass(slots=True, eq=False)
class Run:
    """The result of one run: output, status, and the trace that explains it.

    >>> run = agent.run_sync("Where is order 42?")   # doctest: +SKIP
    >>> run.output, run.status, run.usage, run.cost  # doctest: +SKIP
    """

    output: Any
    status: Status
    trace: Trace
    messages: list[Message] = field(default_factory=list)
    stop_reason: str | None = None
    stop_detail: str | None = None
    error: BaseException | None = None
    new_messages: list[Message] = field(default_factory=list)
    """The messages this run added: its input and what was said in answer, without
    system prompts, a conversation's replayed history, or output a guard rejected."""

    @property
    def usage(self) -> Usage:
        """Tokens and requests of every model call in the run tree."""
        return self.trace.usage

    @property
    def cost(self) -> float | None:
        """USD for the whole run, or None when any model call has no known price."""
        return self.trace.cost

    @property
    def duration_s(self) -> float | None:
        return self.trace.root.duration_s

    @property
    def handoffs(self) -> list[HandoffContext]:
        """Every transfer in the run, in order: who, hop, intent, state, messages."""
        return HandoffContext.all_in(self.trace)

    def raise_for_status(self) -> Run:
        """Raise the run's error (failed) or a ``RunStopped`` subclass (stopped).

        Returns the run itself when it completed, so it chains:
        ``output = agent.run_sync(q).raise_for_status().output``.
        """
        if self.status == "failed":
            raise self.error if self.error is not None else RuntimeError(self.stop_detail)
        if self.status == "stopped":
            error_type = STOP_ERRORS.get(self.stop_reason or "", RunStopped)
            raise error_type(self.stop_detail or "the run stopped", stop_reason=self.stop_reason)
        return self

    def diagnose(self) -> list[Finding]:
        """Findings about this run (``al.diagnose(run)``): repeated calls, ignored tool
        errors, lost handoff context, limits nearly reached, ... read from the trace.

        >>> run.diagnose()  # doctest: +SKIP
        [Finding(kind='repeated_call', severity='warning', ...)]
        """
        from agentlab.trace.diagnose import diagnose

        return diagnose(self.trace)

    def show(self) -> Any:
        """The run viewer widget (in Jupyter): step through turns, inspect handoffs."""
        return self.trace.show()

    def __repr__(self) -> str:
        reason = f" ({self.stop_reason})" if self.stop_reason else ""
        output = repr(self.output)
        if len(output) > 60:
            output = output[:57] + "..."
        return redact(f"<Run {self.status}{reason} output={output} spans={len(self.trace.spans)}>")

    def __str__(self) -> str:
        lines = [f"status: {self.status}" + (f" ({self.stop_reason})" if self.stop_reason else "")]
        if self.stop_detail:
            lines.append(f"detail: {self.stop_detail}")
        usage = self.usage
        lines.append(
            f"usage: {plural(usage.requests, 'model call')}, {usage.input_tokens} in / "
            f"{usage.output_tokens} out tokens, {format_money(self.cost)}"
        )
        unpriced = self.trace.root.attributes.get("unpriced_models") if self.trace.spans else None
        if unpriced:
            lines.append(
                f"money: unknown: no price for {', '.join(map(str, unpriced))} (give the model "
                "priced_as='provider:model'); a money limit could not act"
            )
        lines.append(f"output: {self.output}")
        return redact("\n".join(lines) + "\n\n" + self.trace.pretty())


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


async def execute_root(
    runnable: Runnable, input: Any, limits: Limits | None, deps: Any = None
) -> Run:
    """Run ``runnable`` and return its ``Run``: the root of a new run tree, or, when
    started from user code inside another run (a tool, a step, a check), nested there.

    ``deps`` reaches user code through ``al.Ctx`` parameters (``ctx.deps``); a nested
    run without its own ``deps`` sees the enclosing run's."""
    as_messages(input)  # ConfigError for input that is neither text nor messages
    own = as_limits(limits, "run()")
    caller = current_caller()
    if caller is not None:
        if deps is not None:
            caller = Caller(caller.ctx.with_deps(deps), caller.span_id)
        return await _execute_nested(caller, runnable, input, own)
    nodes = preflight(runnable)
    limits = own or runnable.limits or Limits()
    remember_secrets()  # a trace saved after a key variable changed still hides its value
    if limits.max_cost_usd is not None:
        warn_unpriced(nodes)
    settings: dict[str, dict[str, Any]] = {}
    for node in nodes:
        settings.update(node._model_settings())
    header = {"limits": limits.to_dict(), "models": settings}
    trace = Trace(processors=active_processors(), header=header)
    ctx = RunContext(trace, Budget(limits), limits, RunTree(asyncio.current_task(), deps))
    try:
        with trace.start_span("run", runnable.name, None, agent=runnable._agent_name()) as root:
            root.attributes = {"runnable": type(runnable).__name__, "limits": limits.to_dict()}
            if isinstance(input, str):
                root.attributes["input"] = input
            outcome = await _guarded(runnable, input, ctx, root.id)
            _close(root, outcome)
            note = ctx.budget.cost_note()
            if note:
                root.attributes["cost_budget"] = note
            if ctx.budget.unpriced:
                root.attributes["unpriced_models"] = sorted(ctx.budget.unpriced)
    finally:
        await ctx.tree.end_nested()  # runs nested on other threads' loops end with this one
    return _run_of(outcome, trace, outcome.messages or list(trace.messages))


async def _execute_nested(caller: Caller, runnable: Runnable, input: Any, own: Limits | None) -> (
    Run
):  # fmt: skip
    """A run started inside another: its spans join the enclosing trace under the calling
    span, it draws on the enclosing budgets, and an interrupt, a shared budget running
    out or ``max_depth`` raise through it to the enclosing run. Its ``Run`` reports its
    own subtree."""
    preflight(runnable)
    outer = caller.ctx
    own = own or runnable.limits
    loop, task = asyncio.get_running_loop(), asyncio.current_task()
    # a task of its own (run_sync in a sync tool, a task the tool spawned): the enclosing
    # run cancels it when it ends, as it would its own awaited children
    elsewhere = task is not None and task is not outer.tree.task
    if elsewhere and task is not None:
        outer.tree.add(loop, task)
    try:
        with outer.span("run", runnable.name, caller.span_id, agent=runnable._agent_name()) as span:
            span.attributes = {"runnable": type(runnable).__name__, "nested": True}
            if own is not None:
                span.attributes["limits"] = own.to_dict()
            if isinstance(input, str):
                span.attributes["input"] = input
            outcome = await outer.invoke(runnable, input, span.id, own)
            _close(span, outcome)
    finally:
        if elsewhere and task is not None:
            outer.tree.discard(loop, task)
    return _run_of(outcome, outer.trace.subtree(span.id), outcome.messages)


_warned: set[str] = set()


def warn_unpriced(nodes: list[Runnable]) -> None:
    """A ``CostWarning``, once per model, for each provider model with no known price (a
    money limit cannot stop it). Offline models, local servers and custom models stay
    silent (a provider model sets ``spends_money``)."""
    for node in nodes:
        for model in node._models():
            name = getattr(model, "name", "?")
            if not getattr(model, "spends_money", False) or name in _warned:
                continue
            if price_for(getattr(model, "price_key", None)) is None:
                _warned.add(name)
                warnings.warn(
                    f"model {name!r} has no known price, so Limits(max_cost_usd=...) cannot "
                    "stop this run and run.cost will be None; give the model "
                    "priced_as='provider:model' (e.g. al.OpenAIModel(..., "
                    "priced_as='openai:gpt-4o-mini')) to price it",
                    CostWarning,
                    stacklevel=5,  # warn_unpriced <- execute_root <- run internals <- caller
                )


def _close(span: SpanHandle, outcome: Outcome) -> None:
    outcome.close(span)
    span.attributes.update(
        status=outcome.status, stop_reason=outcome.stop_reason, stop_detail=outcome.stop_detail
    )


def _run_of(outcome: Outcome, trace: Trace, messages: list[Message]) -> Run:
    return Run(
        outcome.output,
        outcome.status,
        trace,
        messages,
        outcome.stop_reason,
        outcome.stop_detail,
        outcome.error,
        [m for m in messages if m.role != "system"],
    )


async def _guarded(runnable: Runnable, input: Any, ctx: RunContext, root_id: int | str) -> Outcome:
    """Execute the root, turning guards, interrupts and errors into an ``Outcome``."""
    try:
        if ctx.limits.timeout_s is None:
            return await runnable._execute(input, ctx, root_id)
        return await ctx.within_timeout(runnable, input, root_id)
    except BaseException as exc:  # noqa: BLE001 - a top-level run returns; it never raises
        return outcome_of(exc)
