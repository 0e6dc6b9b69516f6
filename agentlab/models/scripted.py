"""Offline models: ``ScriptedModel`` (a list of responses) and ``FunctionModel`` (a function).

They stand in for real models in tests and workshops: what they say is what you
scripted, so results made with them are simulations, not evidence about any model.
Token usage is estimated (``models.base.estimate_usage``: one token per 4 characters)
so offline runs still show tokens; ``priced_as="openai:gpt-4o-mini"`` prices those
tokens at that model's real price so offline notebooks show realistic money.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeAlias

from agentlab._workers import call_user
from agentlab.errors import ConfigError, ScriptExhausted
from agentlab.messages import Message, ToolCall
from agentlab.models.base import (
    ModelRequest,
    ModelResponse,
    ToolSpec,
    emit_text,
    estimate_usage,
)
from agentlab.usage import price_for

Response: TypeAlias = "str | ToolCall | Sequence[ToolCall] | dict[str, Any] | ModelResponse | Any"
"""A scripted response: final text, one tool call, several tool calls (one turn), a
dict or pydantic object (sent as JSON text, for structured output), or a ModelResponse."""


def _text_of(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return json.dumps(value)
    if hasattr(value, "model_dump_json"):
        return str(value.model_dump_json())
    return None


def to_response(value: Any, request: ModelRequest, call_number: int) -> ModelResponse:
    """Turn a scripted value into a ``ModelResponse`` with ids and estimated usage."""
    if isinstance(value, ModelResponse):
        return value
    text = _text_of(value)
    if text is not None:
        return ModelResponse(text=text, usage=estimate_usage(request, text, ()))
    calls: tuple[ToolCall, ...]
    if isinstance(value, ToolCall):
        calls = (value,)
    elif isinstance(value, (list, tuple)) and value and all(isinstance(c, ToolCall) for c in value):
        calls = tuple(value)
    else:
        raise ConfigError(
            f"scripted response {call_number} is a {type(value).__name__}; use text, "
            "al.ToolCall(name, arguments), a list of ToolCalls, or a dict for JSON output"
        )
    calls = tuple(
        c if c.id else ToolCall(c.name, c.arguments, f"call_{call_number}_{i}")
        for i, c in enumerate(calls)
    )
    return ModelResponse(tool_calls=calls, usage=estimate_usage(request, "", calls))


class ScriptedModel:
    """A model that answers with the responses you give it, in order.

    Each model call consumes the next response, in call-start order (one
    ScriptedModel may serve many runs; parallel branches start in index order).
    ``latency_s`` really awaits, so concurrency is real.

    >>> import agentlab as al
    >>> model = al.ScriptedModel([al.ToolCall("lookup_order", {"order_id": "42"}),
    ...                           "Your order 42 has shipped."], priced_as="openai:gpt-4o-mini")
    """

    offline = True  # no provider behind it: cassettes pass it through, no key needed

    def __init__(
        self,
        responses: Iterable[Response] = (),
        *,
        priced_as: str | None = None,
        latency_s: float = 0.0,
        name: str = "scripted",
    ) -> None:
        if isinstance(responses, (str, ToolCall)):
            responses = [responses]
        if isinstance(responses, Mapping):
            raise ConfigError(
                "ScriptedModel takes a list of responses; for one structured answer write "
                f"ScriptedModel([{dict(responses)!r}])"
            )
        self.responses: list[Response] = list(responses)
        self.latency_s = check_latency(latency_s)
        self.name = name
        if priced_as is not None and price_for(priced_as) is None:
            raise ConfigError(
                f"priced_as={priced_as!r} has no price in genai-prices; write "
                "'provider:model' as the price table names it, e.g. priced_as='openai:gpt-4o-mini'"
            )
        self.price_key = priced_as
        self.calls = 0

    @property
    def remaining(self) -> int:
        """Responses not used yet."""
        return len(self.responses) - self.calls

    async def respond(self, request: ModelRequest) -> ModelResponse:
        number = self.calls + 1
        self.calls = number
        if number > len(self.responses):
            raise ScriptExhausted(_exhausted_message(request.agent, number, len(self.responses)))
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        response = to_response(self.responses[number - 1], request, number)
        for piece in re.findall(r"\S+\s*|\s+", response.text or ""):
            emit_text(piece)  # word by word, when the run is streamed
        return response

    def __repr__(self) -> str:
        return f"ScriptedModel({len(self.responses)} responses, {self.calls} used)"


def check_latency(value: Any) -> float:
    """``latency_s`` if it is a finite number >= 0, else a ``ConfigError``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < math.inf:
        return float(value)
    raise ConfigError(f"latency_s={value!r} must be a number >= 0 (not NaN), e.g. latency_s=0.2")


def _exhausted_message(agent: str, number: int, available: int) -> str:
    who = f"agent {agent!r}" if agent else "a run"
    if available == 0:
        return (
            f"{who} called model 'scripted', which has no responses (call {number}). Give "
            "the agent responses to play back, e.g. model=al.ScriptedModel(['Hello!']), "
            "or a real model string such as 'openai:gpt-4o-mini'"
        )
    return (
        f"{who} made model call {number}, but its ScriptedModel has only {available} "
        "responses; add more to the list (one per model call, tool calls included)"
    )


ModelFunction = Callable[[list[Message], list[ToolSpec]], Any]


class FunctionModel:
    """A model whose every response comes from ``fn(messages, tools)`` (sync or async).

    ``fn`` returns what a ScriptedModel's list holds: text, a ToolCall, a list of
    ToolCalls, a dict (JSON), or a ModelResponse.

    >>> import agentlab as al
    >>> shout = al.FunctionModel(lambda messages, tools: messages[-1].content.upper())
    """

    offline = True  # no provider behind it: cassettes pass it through, no key needed

    def __init__(
        self,
        fn: ModelFunction,
        *,
        priced_as: str | None = None,
        latency_s: float = 0.0,
        name: str | None = None,
    ) -> None:
        if not callable(fn):
            raise ConfigError(
                f"FunctionModel needs a function fn(messages, tools), got {type(fn).__name__}"
            )
        self.fn = fn
        self.name = name or f"function:{getattr(fn, '__name__', 'fn')}"
        if priced_as is not None and price_for(priced_as) is None:
            raise ConfigError(
                f"priced_as={priced_as!r} has no price in genai-prices; write "
                "'provider:model' as the price table names it, e.g. priced_as='openai:gpt-4o-mini'"
            )
        self.price_key = priced_as
        self.latency_s = check_latency(latency_s)
        self.calls = 0

    async def respond(self, request: ModelRequest) -> ModelResponse:
        self.calls += 1
        number = self.calls
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        value = await call_user(self.fn, list(request.messages), list(request.tools))
        return to_response(value, request, number)

    def __repr__(self) -> str:
        return f"FunctionModel({self.name})"
