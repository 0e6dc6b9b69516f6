"""The agent loop: call the model, run its tool calls, feed results back, repeat.

Guards: ``max_turns`` (model calls per agent invocation) ends the invocation
"stopped"; shared budgets (tokens, money, tool calls) raise ``LimitExceeded`` after
writing a ``limit`` span, which stops the whole run tree. Tool trouble (an exception,
bad arguments, unknown name, malformed JSON) becomes an error tool result and the
loop goes on. Structured output that fails validation is fed back once.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from agentlab.core.context import RunContext, entered_agent
from agentlab.core.ctx import make_ctx
from agentlab.core.guards import final_outcome, guard_names, guarded_first_call
from agentlab.core.model_turn import call_model, charge_or_stop
from agentlab.core.outcome import Outcome, gather_or_cancel, keep_partial
from agentlab.core.tools import ToolContext, error_text, result_text
from agentlab.errors import (
    LimitExceeded,
    MaxDepth,
    MaxTurns,
    OutputValidationError,
    UserExit,
)
from agentlab.messages import Message, ToolCall, ToolResult, as_messages

STOP_ON_FIRST_TOOL = "stop_on_first_tool"
TOOL_USE = ("run_llm_again", STOP_ON_FIRST_TOOL)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from agentlab.core.agent import Agent
    from agentlab.handoffs.transfer import TransferTools


class AgentHistory:
    """The messages of one agent invocation, with each message's index in the trace."""

    __slots__ = ("ctx", "indices", "messages")

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.messages: list[Message] = []
        self.indices: list[int] = []

    def add(self, message: Message) -> int:
        index = self.ctx.trace.add_message(message)
        self.messages.append(message)
        self.indices.append(index)
        return index


async def run_agent(
    agent: Agent,
    input: Any,
    ctx: RunContext,
    parent_id: int | str,
    transfers: TransferTools | None = None,
    indices: Sequence[int] | None = None,
) -> Outcome:
    """One invocation of ``agent`` on ``input`` (text or messages).

    In a Team, ``transfers`` offers the agent's handoffs as tools and ends the
    invocation on a transfer; ``indices`` says where the input messages already are
    in the trace (so a handed-over history is stored once).
    """
    inputs = as_messages(input) if indices is None else input
    max_turns = ctx.limits.max_turns  # a nested agent's own limits are ctx.limits (ctx.child)
    convo = AgentHistory(ctx)
    with entered_agent() as depth:
        _check_depth(agent, ctx, parent_id, depth)
        return await _invocation(agent, inputs, ctx, parent_id, transfers, indices, max_turns,
                                 convo)  # fmt: skip


def _check_depth(agent: Agent, ctx: RunContext, parent_id: int | str, depth: int) -> None:
    """``MaxDepth`` past ``Limits(max_depth=...)``: it stops the whole run tree."""
    cap = ctx.budget.max_depth()
    if cap is None or depth <= cap:
        return
    stop = MaxDepth(
        f"max_depth={cap} reached: agent {agent.name!r} would be agent invocation {depth} "
        "nested in one another (agents calling agents as tools, or runs started in tools). "
        "Look for a recursion (A calls B, B calls A), or raise Limits(max_depth=...)",
        scope=ctx.budget.root(), value=cap, reached=depth,
    )  # fmt: skip
    raise ctx.record_limit(parent_id, stop)


async def _invocation(
    agent: Agent, inputs: Any, ctx: RunContext, parent_id: int | str,
    transfers: TransferTools | None, indices: Sequence[int] | None, max_turns: int | None,
    convo: AgentHistory,
) -> Outcome:  # fmt: skip
    with ctx.span("agent", agent.name, parent_id, agent=agent.name) as span:
        instructions = await _instructions(agent, ctx, span.id)
        if instructions:
            convo.add(Message.system(instructions))
        if indices is None:
            for message in inputs:
                convo.add(message)
        else:
            convo.messages.extend(inputs)
            convo.indices.extend(indices)
        span.messages_in = tuple(convo.indices)
        first_new = len(convo.indices)
        state = _LoopState(agent.settings)
        try:
            outcome = await _loop(agent, convo, ctx, span.id, max_turns, state, transfers)
        except BaseException as exc:
            keep_partial(exc, Outcome(state.last_text, messages=convo.messages, agent=agent.name))
            raise
        finally:
            span.messages_out = tuple(convo.indices[first_new:])
            span.attributes = {"turns": state.turns, "max_turns": max_turns}
            if agent.output_guards:
                span.attributes["output_guards"] = guard_names(agent.output_guards)
            if transfers is not None:
                span.attributes["handoffs"] = transfers.names
        span.output = outcome.output
        if outcome.status == "stopped":
            span.status, span.error = "stopped", outcome.stop_detail
        return outcome


async def _instructions(agent: Agent, ctx: RunContext, span_id: int | str) -> str:
    """The agent's system prompt for this invocation: its text, or what its
    instructions function returns for the run's ``al.Ctx``."""
    if isinstance(agent.instructions, str):
        return agent.instructions
    text = await ctx.call_user(span_id, agent.instructions, make_ctx(ctx, agent.name))
    if not isinstance(text, str):
        raise TypeError(
            f"the instructions function of agent {agent.name!r} returned "
            f"{type(text).__name__} {text!r}; it must return the instructions text"
        )
    return text


class _LoopState:
    __slots__ = ("last_text", "retried_output", "settings", "turns")

    def __init__(self, settings: dict[str, Any]) -> None:
        self.turns = 0
        self.last_text: str | None = None
        self.retried_output = False
        self.settings = settings  # what the next model call is sent

    def after_tool_turn(self, agent: Agent) -> None:
        """A forced tool choice applies to one turn: then the model may answer."""
        if agent.reset_tool_choice and forces_a_tool(self.settings.get("tool_choice")):
            self.settings = {**self.settings, "tool_choice": "auto"}


def forces_a_tool(choice: Any) -> bool:
    """True for a ``tool_choice`` that makes the model call a tool (a name, "required")."""
    return choice is not None and choice not in ("auto", "none")


async def _loop(
    agent: Agent, convo: AgentHistory, ctx: RunContext, span_id: int | str,
    max_turns: int | None, state: _LoopState, transfers: TransferTools | None = None,
) -> Outcome:  # fmt: skip
    while True:
        if max_turns is not None and state.turns >= max_turns:
            stop = MaxTurns(
                f"max_turns={max_turns} reached: agent {agent.name!r} made {state.turns} model "
                "calls without a final answer; raise Limits(max_turns=...) or check for a loop",
                value=max_turns, reached=state.turns,
            )  # fmt: skip
            ctx.record_limit(span_id, stop)
            return Outcome(state.last_text, "stopped", "max_turns", str(stop),
                           messages=convo.messages, agent=agent.name)  # fmt: skip
        state.turns += 1
        specs = None if transfers is None else transfers.specs
        call = call_model(agent, convo, ctx, span_id, state.turns, specs, state.settings)
        if state.turns == 1 and agent.input_guards:
            got = await guarded_first_call(agent, convo, ctx, span_id, call)
            if isinstance(got, Outcome):
                return got
            response, cost = got
        else:
            response, cost = await call
        if response.text:
            state.last_text = response.text
        # charged after last_text is kept: the reply that crosses a budget is the output
        charge_or_stop(ctx, span_id, ctx.budget.charge, response.usage, cost, agent.model.name)
        if response.tool_calls:
            state.after_tool_turn(agent)
            if transfers is None:
                values: dict[str, Any] | None = {} if agent.tool_use == STOP_ON_FIRST_TOOL else None
                for message in await run_tool_calls(
                    agent, response.tool_calls, ctx, span_id, values
                ):
                    convo.add(message)
                first = response.tool_calls[0].id
                if values is not None and first in values:  # a failed call: the model sees it
                    return await final_outcome(agent, values[first], convo, ctx, span_id, tool=True)
                continue
            messages, transfer = await transfers.run_calls(agent, response.tool_calls, ctx, span_id)
            for message in messages:
                convo.add(message)
            if transfer is not None:  # the invocation ends: handed over, or the hop refused
                return transfers.outcome(transfer, state.last_text, convo.messages, convo.indices)
            continue
        value, problem = agent.parse_output(response.text)
        if problem is None:
            return await final_outcome(agent, value, convo, ctx, span_id)
        if state.retried_output:
            raise OutputValidationError(
                f"agent {agent.name!r} answered twice with output that does not fit "
                f"{agent.output_type!r}: {problem}"
            )
        state.retried_output = True
        convo.add(Message.user(
            f"Your answer did not match the required JSON schema:\n{problem}\n"
            "Reply again with only JSON that matches the schema."
        ))  # fmt: skip


async def run_tool_calls(
    agent: Agent,
    calls: tuple[ToolCall, ...],
    ctx: RunContext,
    span_id: int | str,
    values: dict[str, Any] | None = None,
) -> list[Message]:
    """Run one turn's tool calls, concurrently when several; results in call order.

    When ``max_tool_calls`` leaves room for only some of them, those run to the end and
    then the next one stops the run (one ``limit`` span), rather than starting them all
    and cancelling the allowed ones.
    """
    room = ctx.budget.tool_calls_left()
    allowed = calls if room is None else calls[:room]
    if len(allowed) == 1:
        results = [await run_tool_call(agent, allowed[0], ctx, span_id, values)]
    else:
        tasks = [
            asyncio.ensure_future(run_tool_call(agent, c, ctx, span_id, values)) for c in allowed
        ]
        results = await gather_or_cancel(tasks)
    if len(allowed) < len(calls):
        charge_or_stop(ctx, span_id, ctx.budget.count_tool_call)  # raises: over the limit
    return results


async def run_tool_call(
    agent: Agent,
    call: ToolCall,
    ctx: RunContext,
    span_id: int | str,
    values: dict[str, Any] | None = None,
) -> Message:
    """One tool call in a ``tool`` span; trouble becomes an error result for the model.
    ``values`` (when given) receives the tool's return value under the call id."""
    charge_or_stop(ctx, span_id, ctx.budget.count_tool_call)
    with ctx.span("tool", call.name, span_id, agent=agent.name) as span:
        span.attributes = {"call_id": call.id, "arguments": call.arguments}
        tool = agent.tools_by_name.get(call.name)
        try:
            if tool is None:
                raise LookupError(
                    f"no tool named {call.name!r}; available tools: "
                    f"{', '.join(agent.tools_by_name) or '(none)'}"
                )
            if not isinstance(call.arguments, dict):
                raise ValueError(
                    f"arguments for {call.name!r} are not a JSON object: {call.arguments!r}; "
                    "send the arguments as a JSON object"
                )
            with ctx.calling(span.id):  # a run the tool starts nests under its span
                value = await tool.invoke(
                    call.arguments, ToolContext(ctx, span.id, agent.name, call.id)
                )
            content = result_text(value)
            is_error = False
            if values is not None:
                values[call.id] = value
        except (LimitExceeded, UserExit, asyncio.CancelledError, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - reported to the model, the run goes on
            content, is_error = error_text(exc), True
            span.status, span.error = "error", content
        span.output = content
    return ToolResult(call.id, call.name, content, is_error).to_message(agent.name)
