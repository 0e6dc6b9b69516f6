"""Prompt chaining: ``Chain`` runs steps in order; a ``Gate`` between steps checks output.

Trace shape::

    chain Report                    attrs: steps
    ├─ agent Extract
    ├─ gate has_numbers             attrs: gate, step, passed (, reason)
    ├─ agent Draft
    └─ tool tidy                    a plain function step (see patterns/_steps.py)

A step that stops (its own guard, a nested gate) stops the chain with the same
``stop_reason``; a step that fails fails the chain. Either way ``run.output`` is the
last completed step's output; after a gate rejection it is the rejected output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from agentlab.core.context import RunContext
from agentlab.core.ctx import call_with_value, chain_outputs
from agentlab.core.outcome import Outcome, keep_partial
from agentlab.core.runnable import Runnable
from agentlab.errors import ConfigError
from agentlab.patterns._base import Pattern, check_description, check_name
from agentlab.patterns._steps import (
    as_step,
    function_name,
    step_input,
)


class Gate(Runnable):
    """A validation gate: ``check(value) -> bool`` (sync or async) on a step's output.

    The check gets the previous step's value as function steps do: the ``output_type``
    instance where the step has one, else text; a parameter annotated ``al.Ctx`` gets
    the run's context (``ctx.outputs``: the chain's earlier values, in order).
    False stops the chain: status "stopped", ``stop_reason="gate"``, ``stop_detail``
    naming the gate and its ``reason`` (text, or a function of the rejected value), and
    ``run.output`` is the rejected output. No later step runs. Use gates where a cheap
    programmatic check catches a bad intermediate result before it cascades (the
    article's outline -> gate -> write example); a check that raises fails the run.

    >>> import agentlab as al
    >>> has_bullets = al.Gate(lambda text: text.count("- ") >= 3, name="three bullets",
    ...                       reason="the outline needs at least 3 bullet points")
    """

    def __init__(
        self,
        check: Callable[..., Any],
        name: str | None = None,
        reason: str | Callable[[Any], str] | None = None,
        *,
        description: str | None = None,
    ) -> None:
        if not callable(check):
            raise ConfigError(
                f"al.Gate needs a function check(text) -> bool, got {check!r}; e.g. "
                "al.Gate(lambda text: 'TODO' not in text)"
            )
        if reason is not None and not (isinstance(reason, str) or callable(reason)):
            raise ConfigError(f"Gate reason must be text or a function of the text, got {reason!r}")
        self.check = check
        self.name = check_name(name, function_name(check, "gate"))
        self.reason = reason
        self.limits = None
        self.description = check_description(description, self.name)

    async def _execute(self, input: Any, ctx: RunContext, parent_id: int | str) -> Outcome:
        return await self.judge(input, ctx, parent_id, step=None)

    async def judge(
        self, value: Any, ctx: RunContext, parent_id: int | str, *, step: str | None
    ) -> Outcome:
        """Check ``value`` in a ``gate`` span; a stopped outcome if it fails."""
        with ctx.span("gate", self.name, parent_id) as span:
            span.attributes = {"gate": self.name, "step": step, "passed": None}
            passed = bool(await call_with_value(ctx, span.id, self.check, value))
            span.attributes["passed"] = passed
            if passed:
                return Outcome(value)
            reason = await self._reason(value, ctx, span.id)
            after = f" after step {step!r}" if step else ""
            detail = f"gate {self.name!r}{after} rejected the output: {reason}"
            span.attributes["reason"] = reason
            span.status, span.error = "stopped", detail
        return Outcome(value, "stopped", "gate", detail)

    async def _reason(self, value: Any, ctx: RunContext, span_id: int | str) -> str:
        if self.reason is None:
            return "its check returned False"
        if isinstance(self.reason, str):
            return self.reason
        return str(await call_with_value(ctx, span_id, self.reason, value))

    def __repr__(self) -> str:
        return f"Gate({self.name!r})"


class _GateStep(Runnable):
    """A gate at its place in a chain: knows which step's output it checks."""

    def __init__(self, gate: Gate, after: str | None) -> None:
        self.gate, self.after = gate, after
        self.name, self.limits = gate.name, gate.limits

    async def _execute(self, input: Any, ctx: RunContext, parent_id: int | str) -> Outcome:
        return await self.gate.judge(input, ctx, parent_id, step=self.after)


class Chain(Pattern):
    """Prompt chaining: a fixed sequence of steps, each output feeding the next.

    Steps are agents, other patterns, or plain functions (sync or async) of the
    previous output; put ``al.Gate`` checks between steps to stop early.

    When to use: the task splits cleanly into fixed subtasks (outline -> check ->
    write -> edit); you trade latency for accuracy by making each call easier.
    When not: the steps depend on the input (use a Router or an Orchestrator), or
    one call already does the job; every step adds latency (4 steps x 2 s = 8 s) and
    a subtly wrong output is processed faithfully downstream, so gate early.

    >>> import agentlab as al
    >>> outline = al.Agent(name="Outline", model=al.ScriptedModel(["- a\\n- b\\n- c"]))
    >>> write = al.Agent(name="Write", model=al.ScriptedModel(["A, then B, then C."]))
    >>> chain = al.Chain([outline, al.Gate(lambda t: t.count("- ") >= 3), write, str.upper])
    >>> chain.run_sync("Write about ABC").output
    'A, THEN B, THEN C.'
    """

    def __init__(
        self,
        steps: Sequence[Runnable | Callable[[Any], Any]],
        *,
        name: str | None = None,
        limits: Any = None,
        description: str | None = None,
    ) -> None:
        self._configure(name, limits, description=description)
        self.steps: tuple[Runnable, ...] = _check_steps(steps)
        self._plan: list[Runnable] = []
        previous: str | None = None
        for step in self.steps:
            self._plan.append(_GateStep(step, previous) if isinstance(step, Gate) else step)
            if not isinstance(step, Gate):
                previous = step.name

    async def _execute(self, input: Any, ctx: RunContext, parent_id: int | str) -> Outcome:
        with ctx.span("chain", self.name, parent_id) as span:
            span.attributes = {"steps": [step.name for step in self.steps]}
            value: Any = input
            last: Outcome | None = None
            done: list[Any] = []  # the earlier steps' values: ctx.outputs
            try:
                for index, step in enumerate(self._plan):
                    as_is = index == 0 or isinstance(step, _GateStep)
                    with chain_outputs(done):
                        outcome = await ctx.invoke(
                            step, value if as_is else step_input(step, value), span.id
                        )
                    if isinstance(step, _GateStep):
                        # the rejected output is the run's output; keep who wrote it
                        outcome.agent = last.agent if last is not None else None
                        if outcome.status == "stopped":
                            last = outcome
                    if not outcome.ok:
                        return self._ended(span, outcome, last)
                    value, last = outcome.output, outcome
                    if not isinstance(step, _GateStep):
                        done.append(value)
            except BaseException as exc:  # a shared limit, a timeout, an interrupt
                keep_partial(exc, Outcome(last.output if last else None))
                raise
            span.output = value
        return Outcome(value, agent=last.agent if last else None)

    def _ended(self, span: Any, outcome: Outcome, last: Outcome | None) -> Outcome:
        """The chain ends early: same status and reason, the last completed output."""
        output = last.output if last is not None else None
        span.status, span.error, span.output = outcome.span_status, outcome.stop_detail, output
        return Outcome(
            output,
            outcome.status,
            outcome.stop_reason,
            outcome.stop_detail,
            outcome.error,
            agent=last.agent if last is not None else None,
        )

    def _children(self) -> list[Runnable]:
        return list(self.steps)

    def __repr__(self) -> str:
        return f"Chain([{', '.join(step.name for step in self.steps)}])"


def _check_steps(steps: Any) -> tuple[Runnable, ...]:
    if isinstance(steps, (str, bytes)) or not isinstance(steps, Sequence):
        raise ConfigError(
            f"Chain takes a list of steps, got {type(steps).__name__}; e.g. "
            "al.Chain([outline, al.Gate(check), write])"
        )
    if not steps:
        raise ConfigError("Chain needs at least one step; e.g. al.Chain([outline, write])")
    checked = tuple(as_step(step, f"chain step {i + 1}") for i, step in enumerate(steps))
    if all(isinstance(step, Gate) for step in checked):
        raise ConfigError(
            "a Chain of only gates has nothing to check; put the gates between steps, "
            "e.g. al.Chain([outline, al.Gate(check), write])"
        )
    for i in range(1, len(checked)):
        if isinstance(checked[i], Gate) and isinstance(checked[i - 1], Gate):
            raise ConfigError(
                f"chain steps {i} and {i + 1} are two gates in a row ({checked[i - 1].name!r}, "
                f"{checked[i].name!r}); combine them into one, e.g. "
                "al.Gate(lambda text: first(text) and second(text))"
            )
    return checked
