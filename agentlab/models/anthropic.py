"""Anthropic Messages API (and Anthropic-compatible servers).

Model strings ``"anthropic:<model>"`` and ``"anthropic:<model>@<base_url>"``. The
official ``anthropic`` SDK is imported at the first call, with its own retries off.
Conversion: leading system messages become ``system=``, a system message later in the
conversation (a Team's handoff note) a marked user-turn note in its place; tool calls
are ``tool_use`` blocks; tool results are ``tool_result`` blocks in a user message
(several results of one turn, and a note after them, merged into one message,
``is_error`` kept); see ``to_anthropic_messages``. Structured output uses the Messages API's
``output_config`` JSON-schema format (objects closed with ``additionalProperties:
false``, as it requires). Usage: Anthropic's ``input_tokens`` excludes cache reads
and writes, so they are added back (``Usage.input_tokens`` is the total input).

>>> import agentlab as al
>>> agent = al.Agent(name="Support", model="anthropic:claude-haiku-4-5")  # ANTHROPIC_API_KEY
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from agentlab.errors import ModelError
from agentlab.messages import Message, ToolCall
from agentlab.models.base import (
    UNKNOWN_USAGE,
    ModelRequest,
    ModelResponse,
    ToolSpec,
    reported_usage,
)
from agentlab.models.provider import ProviderModel
from agentlab.models.streaming import anthropic_stream
from agentlab.usage import Usage

DEFAULT_SERVER = "https://api.anthropic.com"
DEFAULT_MAX_TOKENS = 4096
"""Anthropic requires ``max_tokens``; this is used when the settings give none."""


class AnthropicModel(ProviderModel):
    """A model behind the Anthropic Messages API.

    Same arguments as ``OpenAIModel`` (``base_url``, ``api_key`` defaulting to
    ``ANTHROPIC_API_KEY``, ``priced_as``, ``max_retries``, ``timeout_s``, ``backoff_s``).
    The base_url is the server's root (``http://127.0.0.1:8080``): the SDK adds
    ``/v1/messages``, so a trailing ``/v1`` is dropped.
    Settings: ``temperature``, ``max_tokens`` (default 4096), ``stop`` (as
    ``stop_sequences``), ``tool_choice`` (``"auto"``, ``"none"``, ``"any"``/``"required"``,
    or a tool name to force it), ...; keys the SDK does not take go into the request
    body unchanged.

    >>> model = AnthropicModel("claude-haiku-4-5", max_retries=5)
    """

    provider = "anthropic"
    key_variable = "ANTHROPIC_API_KEY"
    default_server = DEFAULT_SERVER
    create_method = "messages.create"
    example_url = "http://127.0.0.1:8080"

    def _check_base_url(self, model: str, base_url: str) -> str:
        """The SDK adds ``/v1/messages`` itself, so a trailing ``/v1`` is dropped."""
        url = super()._check_base_url(model, base_url)
        return url.removesuffix("/v1")

    async def _stream(self, client: Any, params: dict[str, Any]) -> Any:
        return await anthropic_stream(client, params)

    def _make_client(self, key: str) -> Any:
        from anthropic import AsyncAnthropic

        return AsyncAnthropic(
            api_key=key, base_url=self.base_url, max_retries=0, timeout=self.timeout_s
        )


def request_params(model: str, request: ModelRequest) -> dict[str, Any]:
    """The keyword arguments for ``messages.create``."""
    system, messages = to_anthropic_messages(request.messages, tools=bool(request.tools))
    params: dict[str, Any] = {"model": model, "messages": messages}
    if system:
        params["system"] = system
    if request.tools:
        params["tools"] = [to_anthropic_tool(t) for t in request.tools]
    for key, value in request.settings.items():
        if key == "tool_choice":
            params["tool_choice"] = tool_choice(value)
        elif key == "stop":
            params["stop_sequences"] = [value] if isinstance(value, str) else list(value)
        else:
            params[key] = value
    params.setdefault("max_tokens", DEFAULT_MAX_TOKENS)
    if request.output_schema is not None:
        schema = closed_schema(request.output_schema)
        params["output_config"] = {"format": {"type": "json_schema", "schema": schema}}
    return params


SYSTEM_NOTE = "[System note, not written by the user]\n"
"""Marks a system message from the middle of a conversation (e.g. a handoff note), sent
as user-turn text because the Messages API takes system text only at the top."""
NOT_SHOWN = "(The earlier conversation is not shown.)"
"""The first message when a conversation would start with the assistant (or be empty),
e.g. after a handoff filter cut it: the Messages API requires a user message first."""


def to_anthropic_messages(
    messages: Sequence[Message], *, tools: bool = True
) -> tuple[str, list[dict[str, Any]]]:
    """(system prompt, messages) as the Messages API accepts them.

    System messages before the first other message become the system prompt; later
    ones (a handoff note) stay in place as user-turn text marked ``SYSTEM_NOTE``.
    Same-role neighbours are merged (tool results first in a user turn), the first
    message is a user message (``NOT_SHOWN`` when there is none), and with
    ``tools=False`` tool calls and results are written as text, since the API refuses
    ``tool_use`` / ``tool_result`` blocks in a request that defines no tools.
    """
    system: list[str] = []
    out: list[dict[str, Any]] = []
    for m in messages:
        if m.role == "system" and not out:
            if m.content.strip():
                system.append(m.content)
            continue
        blocks = _blocks(m, tools)
        if not blocks:
            continue
        role = "assistant" if m.role == "assistant" else "user"
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": role, "content": blocks})
    if not out or out[0]["role"] != "user":
        out.insert(0, {"role": "user", "content": [_text(NOT_SHOWN)]})
    for entry in out:  # tool results must open a user turn; text follows them
        if entry["role"] == "user":
            entry["content"].sort(key=lambda block: block["type"] != "tool_result")
    return "\n\n".join(system), out


def _text(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}


def _blocks(m: Message, tools: bool) -> list[dict[str, Any]]:
    if m.role == "tool":
        if not tools:
            outcome = "failed" if m.is_error else "returned"
            return [_text(f"[tool {m.name or 'call'} {outcome}]\n{m.content}")]
        block: dict[str, Any] = {
            "type": "tool_result", "tool_use_id": _tool_id(m.tool_call_id), "content": m.content,
        }  # fmt: skip
        if m.is_error:
            block["is_error"] = True
        return [block]
    if m.role == "system":
        return [_text(SYSTEM_NOTE + m.content)] if m.content.strip() else []
    blocks: list[dict[str, Any]] = []
    if m.content.strip():
        blocks.append(_text(m.content))
    for call in m.tool_calls if m.role == "assistant" else ():
        arguments = _input(call.arguments)
        if tools:
            blocks.append({"type": "tool_use", "id": _tool_id(call.id), "name": call.name,
                           "input": arguments})  # fmt: skip
        else:
            blocks.append(_text(f"[called tool {call.name} with {json.dumps(arguments)}]"))
    return blocks


def _tool_id(value: str | None) -> str:
    """A tool-use id as the API accepts it (letters, digits, ``_``, ``-``): ids written by
    another provider or by hand are mapped the same way on the call and on its result."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", value or "") or "call"


def _input(arguments: Mapping[str, Any] | str) -> dict[str, Any]:
    """Tool-use input must be an object; raw text (malformed JSON) is parsed or wrapped."""
    if isinstance(arguments, str):
        try:
            value = json.loads(arguments)
        except ValueError:
            return {"raw_arguments": arguments}
        return value if isinstance(value, dict) else {"raw_arguments": arguments}
    return dict(arguments)


def to_anthropic_tool(tool: ToolSpec) -> dict[str, Any]:
    return {
        "name": tool.name,
        "description": tool.description,
        "input_schema": dict(tool.parameters),
    }


def tool_choice(value: Any) -> Any:
    """``"auto"``, ``"none"``, ``"any"``/``"required"``, a tool name, or a raw dict."""
    if value in ("auto", "none", "any"):
        return {"type": value}
    if value == "required":
        return {"type": "any"}
    if isinstance(value, str):
        return {"type": "tool", "name": value}
    if isinstance(value, Mapping) and "name" in value and "type" not in value:
        return {"type": "tool", "name": value["name"]}
    return value


def closed_schema(schema: Any) -> Any:
    """A copy of a JSON schema with ``additionalProperties: false`` on every object."""
    if isinstance(schema, Mapping):
        out = {k: closed_schema(v) for k, v in schema.items()}
        if out.get("type") == "object" and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [closed_schema(v) for v in schema]
    return schema


def parse_message(message: Any) -> ModelResponse:
    """A Messages API ``Message`` as a ``ModelResponse`` (``ModelError`` when it is none)."""
    content = getattr(message, "content", None)
    if not isinstance(content, list):
        raise ModelError(
            f"the server answered something that is not an Anthropic message "
            f"({type(message).__name__}); check that the base_url points at an "
            "Anthropic-compatible API (its root, e.g. http://127.0.0.1:8080)"
        )
    texts: list[str] = []
    calls: list[ToolCall] = []
    for block in content:
        kind = getattr(block, "type", None)
        if kind == "text":
            texts.append(block.text)
        elif kind == "tool_use" and isinstance(getattr(block, "name", None), str):
            arguments = block.input if isinstance(block.input, dict) else str(block.input)
            calls.append(ToolCall(block.name, arguments, block.id or ""))
    attributes: dict[str, Any] = {"response_model": getattr(message, "model", None)}
    if getattr(message, "id", None):
        attributes["response_id"] = message.id
    request_id = getattr(message, "_request_id", None)
    if request_id:
        attributes["request_id"] = request_id
    if getattr(message, "stop_reason", None):
        attributes["finish_reason"] = message.stop_reason
    usage, known = usage_of(getattr(message, "usage", None))
    if not known:
        attributes[UNKNOWN_USAGE] = True
    return ModelResponse("".join(texts), tuple(calls), usage, getattr(message, "model", None),
                         attributes)  # fmt: skip


def usage_of(usage: Any) -> tuple[Usage, bool]:
    """Anthropic usage with cache reads and writes added to the input (total input), and
    whether it is known."""
    if usage is None:
        return Usage(requests=1), False
    write = getattr(usage, "cache_creation_input_tokens", None) or 0
    read = getattr(usage, "cache_read_input_tokens", None) or 0
    found, known = reported_usage(getattr(usage, "input_tokens", None),
                                  getattr(usage, "output_tokens", None), read, write)  # fmt: skip
    if not known:
        return found, False
    total_in = found.input_tokens + found.cache_read_tokens + found.cache_write_tokens
    return Usage(total_in, found.output_tokens, found.cache_read_tokens,
                 found.cache_write_tokens, requests=1), True  # fmt: skip


# the wire format, defined above as plain functions (tested on their own)
AnthropicModel.build_request = staticmethod(request_params)
AnthropicModel.parse_response = staticmethod(parse_message)
