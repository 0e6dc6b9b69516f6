"""One model turn of an agent: check the budget, reserve money, call the model under a
``model`` span (streaming its text when someone watches), price the answer and add the
assistant message. ``core/loop.py`` calls it each turn; a Team's transfer turns too.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from agentlab.core.money import release, reserve
from agentlab.core.stream import wait_for_reader
from agentlab.errors import LimitExceeded, ModelError, UserExit
from agentlab.messages import Message, ToolCall
from agentlab.models.base import (
    TEXT_SINK,
    UNKNOWN_USAGE,
    ModelRequest,
    ModelResponse,
    ToolSpec,
    invoke_model,
)
from agentlab.usage import price_for

if TYPE_CHECKING:
    from agentlab.core.agent import Agent
    from agentlab.core.context import RunContext
    from agentlab.core.loop import AgentHistory
    from agentlab.trace.trace import SpanHandle
    from agentlab.usage import Price

__all__ = ["call_model", "charge_or_stop"]


def charge_or_stop(ctx: RunContext, span_id: int | str, check: Any, *args: Any) -> None:
    """Run a budget check (or charge); on a limit, write the ``limit`` span and re-raise."""
    try:
        check(*args)
    except LimitExceeded as exc:
        raise ctx.record_limit(span_id, exc) from None


async def call_model(
    agent: Agent,
    convo: AgentHistory,
    ctx: RunContext,
    span_id: int | str,
    turn: int,
    tool_specs: tuple[ToolSpec, ...] | None = None,
    settings: dict[str, Any] | None = None,
) -> tuple[ModelResponse, float | None]:
    """One model turn: a ``model`` span and the assistant message; returns the response
    and its cost (``None``: no known price), which the caller charges to the budget.

    ``tool_specs`` replaces the agent's own tools in the request (a Team adds the
    transfer tools); ``settings`` the agent's settings (the tool choice reset after a
    forced turn).
    """
    await wait_for_reader()  # a streamed run: the reader has taken what happened so far
    charge_or_stop(ctx, span_id, ctx.budget.check)
    model = agent.model
    specs = agent.tool_specs if tool_specs is None else tool_specs
    request = ModelRequest(
        tuple(convo.messages),
        specs,
        agent.settings if settings is None else settings,
        agent.output_schema,
        agent.name,
    )
    price = price_for(model.price_key)
    held = await reserve(ctx.budget, price, request)  # may wait for calls under way
    try:
        if held:
            charge_or_stop(ctx, span_id, ctx.budget.check)  # spent may have grown meanwhile
        with ctx.span("model", model.name, span_id, agent=agent.name) as span:
            span.model = model.name
            span.messages_in = tuple(convo.indices)
            started = time.perf_counter()
            with ctx.calling(span.id):  # a custom model that runs an agent nests it here
                response = await _respond_streamed(model, request, ctx, span.id)
            calls = _with_ids(response.tool_calls, span.id)
            index = convo.add(Message.assistant(response.text, tool_calls=calls, agent=agent.name))
            span.messages_out = (index,)
            span.output = response.text or None
            span.usage = response.usage
            span.attributes = {"turn": turn, "latency_s": time.perf_counter() - started}
            _price(span, price, response)
            if price is None and getattr(model, "offline", False):
                span.attributes["offline"] = True  # free: no provider to pay (diagnose reads it)
    finally:
        release(ctx.budget, held)
    if calls is not response.tool_calls:
        response = ModelResponse(response.text, calls, response.usage, response.model,
                                 response.attributes)  # fmt: skip
    return response, span.cost_usd


def _price(span: SpanHandle, price: Price | None, response: ModelResponse) -> None:
    """The call's cost: None when the model has no price or the answer had no usage."""
    unknown = bool(response.attributes.get(UNKNOWN_USAGE))
    span.cost_usd = None if price is None or unknown else price.cost(response.usage)
    if price is not None:
        span.attributes["price_source"] = price.source
    if response.attributes:
        span.attributes.update(response.attributes)
    if unknown:
        span.attributes["usage_note"] = "the provider reported no usable usage: cost unknown"


async def _respond_streamed(
    model: Any, request: ModelRequest, ctx: RunContext, span_id: int | str
) -> ModelResponse:
    """The model's answer; while someone streams the run (``ctx.trace.wants_text``) its
    text goes out as it arrives (a model that sends none: the whole text at the end)."""
    if not ctx.trace.wants_text:
        return await _respond(model, request)
    sent: list[str] = []

    def sink(text: str) -> None:
        sent.append(text)
        ctx.trace.text_delta(span_id, text)

    token = TEXT_SINK.set(sink)
    try:
        response = await _respond(model, request)
    finally:
        TEXT_SINK.reset(token)
    if not sent and response.text:
        ctx.trace.text_delta(span_id, response.text)
    return response


async def _respond(model: Any, request: ModelRequest) -> ModelResponse:
    """The model's answer; a custom model's ``sys.exit()`` fails the run (``UserExit``),
    and an answer that is not a ``ModelResponse`` is a ``ModelError`` naming the model."""
    try:
        response = await invoke_model(model, request)
    except SystemExit as exc:
        raise UserExit(f"model {model.name!r} raised SystemExit{exc.args}; the run failed") from exc
    if not isinstance(response, ModelResponse):
        raise ModelError(
            f"model {model.name!r} answered a {type(response).__name__}, not an "
            "al.ModelResponse; a custom model's respond(request) must return "
            "al.ModelResponse(text=..., tool_calls=..., usage=...)"
        )
    return response


def _with_ids(calls: tuple[ToolCall, ...], span_id: int | str) -> tuple[ToolCall, ...]:
    if all(call.id for call in calls):
        return calls
    return tuple(
        call if call.id else ToolCall(call.name, call.arguments, f"call_{span_id}_{i}")
        for i, call in enumerate(calls)
    )
