"""The model protocol: one async method from a full request to a response.

A model is any object with ``name`` (shown in traces), ``price_key``
(``"provider:model"`` for the price table, or None) and
``async respond(request) -> ModelResponse``. Providers are thin adapters around the
official SDKs; message conversion lives in their modules and nowhere else. A model may
also define ``check_config()``, called when a run starts, to raise ``ConfigError``
(e.g. a missing API key) before any call is made, and ``offline = True`` when no
provider stands behind it (scripted, function and replay models: a cassette passes
their calls through unrecorded).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from agentlab.messages import Message, ToolCall
from agentlab.usage import Usage


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """What a model is told about a tool: its name, description and JSON schema."""

    name: str
    description: str
    parameters: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "parameters": self.parameters}


@dataclass(frozen=True, slots=True)
class ModelRequest:
    """Everything a model needs for one turn.

    ``settings`` holds model settings (temperature, max_tokens, tool_choice, ...);
    ``output_schema`` is the JSON schema of the agent's ``output_type``, if any.
    """

    messages: Sequence[Message]
    tools: Sequence[ToolSpec] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    output_schema: Mapping[str, Any] | None = None
    agent: str = ""


@dataclass(frozen=True, slots=True)
class ModelResponse:
    """One model turn's answer: text and/or tool calls, usage, and provider details.

    ``attributes`` go into the model span as they are (``request_id``, ``attempts``,
    ``waited_s``, ``replayed``, ``latency_s`` ...); ``model`` is the name the provider
    reported.
    """

    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    usage: Usage = field(default_factory=lambda: Usage(requests=1))
    model: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class Model(Protocol):
    """Anything that can answer a ``ModelRequest``."""

    name: str
    price_key: str | None

    async def respond(self, request: ModelRequest) -> ModelResponse: ...


def reported_usage(
    input_tokens: Any, output_tokens: Any, cache_read: Any = 0, cache_write: Any = 0
) -> tuple[Usage, bool]:
    """(usage, known) from a provider's counts: whole numbers (digits as text too); a
    missing or unreadable count makes the usage unknown, never zero."""
    counts = []
    for value in (input_tokens, output_tokens, cache_read, cache_write):
        if isinstance(value, bool) or value is None:
            return Usage(requests=1), False
        try:
            number = int(value)
        except (TypeError, ValueError):
            return Usage(requests=1), False
        if number < 0 or (number != value and not isinstance(value, str)):
            return Usage(requests=1), False
        counts.append(number)
    return Usage(counts[0], counts[1], counts[2], counts[3], requests=1), True


UNKNOWN_USAGE = "usage_unknown"
"""Response attribute set when the provider reported no usable usage: the call's cost
is then unknown (None), never a made-up $0."""


def estimate_tokens(text: str) -> int:
    """Offline token estimate: one token per 4 characters, rounded up (at least 1)."""
    return max(1, (len(text) + 3) // 4)


def estimate_usage(request: ModelRequest, text: str, calls: Sequence[ToolCall]) -> Usage:
    """Usage for offline models, estimated with ``estimate_tokens``.

    Input counts every message's content and tool calls plus each tool's name,
    description and schema (as JSON); output counts the reply's text and tool calls.
    """
    chars = 0
    for message in request.messages:
        chars += len(message.content) + 4  # role and separators
        for call in message.tool_calls:
            chars += len(call.name) + len(str(call.arguments))
    for tool in request.tools:
        chars += len(tool.name) + len(tool.description) + len(str(tool.parameters))
    out = len(text) + sum(len(c.name) + len(str(c.arguments)) for c in calls)
    return Usage(
        input_tokens=max(1, (chars + 3) // 4), output_tokens=max(1, (out + 3) // 4), requests=1
    )


CASSETTE: ContextVar[Any] = ContextVar("agentlab_cassette", default=None)
"""The active ``al.cassette(...)`` block, if any (see ``models/replay.py``)."""


async def invoke_model(model: Model, request: ModelRequest) -> ModelResponse:
    """Every model call goes through here, so record/replay can step in (cassettes)."""
    cassette = CASSETTE.get()
    if cassette is None:
        return await model.respond(request)
    return await cassette.respond(model, request)  # type: ignore[no-any-return]


TEXT_SINK: ContextVar[Any] = ContextVar("agentlab_text_sink", default=None)
"""Where a model sends its answer's text as it arrives (set while someone streams)."""


def streaming() -> bool:
    """True when someone listens for text as it arrives (``runnable.stream``, a live
    viewer): provider models then use their SDK's streaming call."""
    return TEXT_SINK.get() is not None


def emit_text(text: str) -> None:
    """Send a piece of the answer's text to whoever streams the run (no-op otherwise)."""
    sink = TEXT_SINK.get()
    if sink is not None and text:
        sink(text)
