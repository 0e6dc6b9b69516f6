"""``Guard``: a check on an agent's input or output that can stop the run.

``al.Agent(..., input_guards=[...], output_guards=[...])``. Input guards start with the
agent's first model call and cancel it when one returns False; output guards check the
final output before it is returned. A tripped guard ends the run "stopped" with
``stop_reason="guard"``, ``stop_detail`` naming the guard and its reason, and
``run.output`` None; the rejected value stays in the trace (its ``model`` span and a
``guard`` span) but not in ``run.output``, ``run.new_messages`` or a conversation's
history.

>>> import agentlab as al
>>> no_pii = al.Guard(lambda text: "@" not in text, name="no e-mail addresses",
...                   reason="the question contains an e-mail address")
>>> bot = al.Agent(name="Bot", model=al.ScriptedModel(["hello"]), input_guards=[no_pii])
>>> run = bot.run_sync("mail me at a@b.c")
>>> run.status, run.stop_reason, run.output
('stopped', 'guard', None)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal

from agentlab._json import as_text
from agentlab.core.outcome import Outcome
from agentlab.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Coroutine, Sequence

    from agentlab.core.agent import Agent
    from agentlab.core.context import RunContext
    from agentlab.core.loop import AgentHistory
    from agentlab.messages import Message
    from agentlab.models.base import ModelResponse

__all__ = [
    "Guard",
    "GuardStage",
    "check_guards",
    "final_outcome",
    "first_trip",
    "guard_names",
    "guarded_first_call",
]

GuardStage = Literal["input", "output"]


class Guard:
    """A check on an agent's input or output: ``check(value) -> bool`` (sync or async).

    The input guard gets the text of the user's latest message; the output guard gets
    the final output (the ``output_type`` instance when the agent has one). A check may
    itself run an agent (``await moderator.run(text)``): that run nests under the
    ``guard`` span. ``reason`` is text, or a function of the rejected value. A check
    that raises fails the run.

    >>> import agentlab as al
    >>> short = al.Guard(lambda text: len(text) < 500, name="short answer")
    """

    def __init__(
        self,
        check: Callable[[Any], Any],
        name: str | None = None,
        reason: str | Callable[[Any], str] | None = None,
    ) -> None:
        if not callable(check) or isinstance(check, Guard):
            raise ConfigError(
                f"al.Guard needs a function check(value) -> bool, got {check!r}; e.g. "
                "al.Guard(lambda text: 'password' not in text, name='no passwords')"
            )
        if reason is not None and not (isinstance(reason, str) or callable(reason)):
            raise ConfigError(
                f"Guard reason must be text or a function of the value, got {reason!r}"
            )
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise ConfigError(f"Guard name must be non-empty text, got {name!r}")
        self.check = check
        self.name = name or getattr(check, "__name__", None) or "guard"
        if self.name == "<lambda>":
            self.name = "guard"
        self.reason = reason

    async def judge(
        self, value: Any, ctx: RunContext, parent_id: int | str, *, stage: GuardStage, agent: str
    ) -> str | None:
        """Check ``value`` in a ``guard`` span; None when it passes, else the stop detail."""
        with ctx.span("guard", self.name, parent_id, agent=agent) as span:
            span.attributes = {"guard": self.name, "stage": stage, "passed": None}
            passed = bool(await ctx.call_user(span.id, self.check, value))
            span.attributes["passed"] = passed
            if passed:
                return None
            reason = await self._reason(value, ctx, span.id)
            detail = f"{stage} guard {self.name!r} of agent {agent!r} tripped: {reason}"
            span.attributes["reason"] = reason
            span.output = as_text(value) if stage == "output" else None
            span.status, span.error = "stopped", detail
        return detail

    async def _reason(self, value: Any, ctx: RunContext, span_id: int | str) -> str:
        if self.reason is None:
            return "its check returned False"
        if isinstance(self.reason, str):
            return self.reason
        return str(await ctx.call_user(span_id, self.reason, value))

    def __repr__(self) -> str:
        return f"Guard({self.name!r})"


def check_guards(guards: Iterable[Any], what: str, agent: str) -> tuple[Guard, ...]:
    """``guards`` as a tuple of ``Guard``; plain functions are wrapped; else ConfigError."""
    if callable(guards) or isinstance(guards, (str, Guard)):
        raise ConfigError(
            f"{what} of agent {agent!r} must be a list, e.g. {what}=[al.Guard(check)]"
        )
    result: list[Guard] = []
    for guard in guards:
        if isinstance(guard, Guard):
            result.append(guard)
        elif callable(guard):
            result.append(Guard(guard))
        else:
            raise ConfigError(
                f"{what} of agent {agent!r} must hold al.Guard(check) objects or functions "
                f"check(value) -> bool, got {guard!r}"
            )
    return tuple(result)


def guard_names(guards: Iterable[Guard]) -> list[str]:
    return [guard.name for guard in guards]


async def first_trip(
    guards: Iterable[Guard],
    value: Any,
    ctx: RunContext,
    parent_id: int | str,
    *,
    stage: GuardStage,
    agent: str,
) -> str | None:
    """Run ``guards`` on ``value`` concurrently; the first trip's detail (the others are
    cancelled), or None when all pass."""
    tasks = [
        asyncio.ensure_future(g.judge(value, ctx, parent_id, stage=stage, agent=agent))
        for g in guards
    ]
    try:
        for done in asyncio.as_completed(tasks):
            detail = await done
            if detail is not None:
                return detail
        return None
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def guarded_first_call(
    agent: Agent,
    convo: AgentHistory,
    ctx: RunContext,
    span_id: int | str,
    call: Coroutine[Any, Any, tuple[ModelResponse, float | None]],
) -> tuple[ModelResponse, float | None] | Outcome:
    """The first model call with the input guards running alongside; a trip cancels the
    call (or drops its answer) and ends the invocation stopped, ``"guard"``; the rejected
    input is left out of the outcome's messages (only the system prompt stays)."""
    kept = 1 if agent.instructions else 0
    model_task = asyncio.ensure_future(call)
    try:
        detail = await first_trip(agent.input_guards, _latest_user_text(convo.messages), ctx,
                                  span_id, stage="input", agent=agent.name)  # fmt: skip
    except BaseException:
        model_task.cancel()
        await asyncio.gather(model_task, return_exceptions=True)
        raise
    if detail is None:
        return await model_task
    model_task.cancel()
    await asyncio.gather(model_task, return_exceptions=True)
    return Outcome(None, "stopped", "guard", detail, messages=convo.messages[:kept],
                   agent=agent.name)  # fmt: skip


def _latest_user_text(messages: Sequence[Message]) -> str:
    for message in reversed(messages):
        if message.role == "user":
            return message.content or ""
    return ""


async def final_outcome(
    agent: Agent, value: Any, convo: AgentHistory, ctx: RunContext, span_id: int | str,
    *, tool: bool = False,
) -> Outcome:  # fmt: skip
    """The invocation's final output, once the output guards pass it."""
    if agent.output_guards:
        detail = await first_trip(agent.output_guards, value, ctx, span_id, stage="output",
                                  agent=agent.name)  # fmt: skip
        if detail is not None:
            kept = convo.messages if tool else convo.messages[:-1]  # not the rejected answer
            return Outcome(None, "stopped", "guard", detail, messages=list(kept),
                           agent=agent.name)  # fmt: skip
    return Outcome(value, messages=convo.messages, agent=agent.name)
