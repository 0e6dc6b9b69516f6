"""OpenAI Chat Completions, and any OpenAI-compatible server (llama.cpp, vLLM, Ollama, ...).

Model strings ``"openai:<model>"`` and ``"openai:<model>@<base_url>"``. The official
``openai`` SDK is imported at the first call, with its own retries off (``calls.py``
retries and shows each attempt in the trace). Message conversion for this wire format
lives here and nowhere else.

>>> import agentlab as al
>>> agent = al.Agent(name="Support", model="openai:gpt-4o-mini")                # OPENAI_API_KEY
>>> local = al.Agent(name="Local", model="openai:smollm2@http://127.0.0.1:8080/v1")  # no key
"""

from __future__ import annotations

import json
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
from agentlab.models.streaming import openai_stream
from agentlab.usage import Usage

DEFAULT_SERVER = "https://api.openai.com/v1"


class OpenAIModel(ProviderModel):
    """A model behind the OpenAI Chat Completions API (or a compatible server).

    Args:
        model: The model name, e.g. ``"gpt-4o-mini"``.
        base_url: Another server speaking the same API, e.g.
            ``"http://127.0.0.1:8080/v1"``; local servers need no key.
        api_key: Defaults to the ``OPENAI_API_KEY`` environment variable.
        priced_as: Price key for genai-prices (default ``"openai:<model>"``).
        max_retries: Retries on 429, 5xx, timeouts and connection errors.
        timeout_s: Per-attempt timeout in seconds.
        backoff_s: First backoff wait (doubles each retry) when no ``retry-after`` is sent.

    Settings (``Agent(settings=...)``) pass through: ``temperature``, ``max_tokens``,
    ``tool_choice`` (``"auto"``, ``"none"``, ``"required"``, or a tool name to force
    it), ...; keys the SDK does not take (e.g. llama.cpp's ``top_k``) go into the
    request body unchanged. Structured output
    (``output_type``) is sent as ``response_format`` with the JSON schema.

    >>> model = OpenAIModel("gpt-4o-mini", max_retries=5)
    """

    provider = "openai"
    key_variable = "OPENAI_API_KEY"
    default_server = DEFAULT_SERVER
    create_method = "chat.completions.create"

    async def _stream(self, client: Any, params: dict[str, Any]) -> Any:
        return await openai_stream(client, params)

    def _make_client(self, key: str) -> Any:
        from openai import AsyncOpenAI

        return AsyncOpenAI(
            api_key=key, base_url=self.base_url, max_retries=0, timeout=self.timeout_s
        )


def request_params(model: str, request: ModelRequest) -> dict[str, Any]:
    """The keyword arguments for ``chat.completions.create``."""
    params: dict[str, Any] = {"model": model, "messages": to_openai_messages(request.messages)}
    if request.tools:
        params["tools"] = [to_openai_tool(t) for t in request.tools]
    for key, value in request.settings.items():
        params[key] = tool_choice(value) if key == "tool_choice" else value
    if request.output_schema is not None:
        params["response_format"] = response_format(request.output_schema)
    return params


def to_openai_messages(messages: Sequence[Message]) -> list[dict[str, Any]]:
    """Our messages in the Chat Completions format (tool results use role "tool")."""
    out: list[dict[str, Any]] = []
    for m in messages:
        if m.role == "assistant":
            # null content is allowed only beside tool calls; an empty answer is ""
            content = m.content or (None if m.tool_calls else "")
            entry: dict[str, Any] = {"role": "assistant", "content": content}
            if m.tool_calls:
                entry["tool_calls"] = [
                    {"id": c.id, "type": "function",
                     "function": {"name": c.name, "arguments": arguments_text(c.arguments)}}
                    for c in m.tool_calls
                ]  # fmt: skip
            out.append(entry)
        elif m.role == "tool":
            out.append({"role": "tool", "tool_call_id": m.tool_call_id or "", "content": m.content})
        else:
            out.append({"role": m.role, "content": m.content})
    return out


def arguments_text(arguments: Mapping[str, Any] | str) -> str:
    """Tool-call arguments as the JSON text the API carries (raw strings kept as they are)."""
    return arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)


def to_openai_tool(tool: ToolSpec) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": tool.name,
            "description": tool.description,
            "parameters": dict(tool.parameters),
        },
    }


def tool_choice(value: Any) -> Any:
    """``"auto"``/``"none"``/``"required"`` (``"any"`` too), a tool name, or a raw dict."""
    if value in ("auto", "none", "required"):
        return value
    if value == "any":
        return "required"
    if isinstance(value, str):
        return {"type": "function", "function": {"name": value}}
    if isinstance(value, Mapping) and "name" in value and "type" not in value:
        return {"type": "function", "function": {"name": value["name"]}}
    return value


def response_format(schema: Mapping[str, Any]) -> dict[str, Any]:
    name = str(schema.get("title") or "output")
    safe = "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in name)[:64]
    return {"type": "json_schema", "json_schema": {"name": safe, "schema": dict(schema)}}


def parse_arguments(raw: str | None) -> dict[str, Any] | str:
    """Parsed arguments, or the raw text when it is not a JSON object (the loop reports it)."""
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    return value if isinstance(value, dict) else raw


def parse_completion(completion: Any) -> ModelResponse:
    """A ``ChatCompletion`` as a ``ModelResponse``: text, tool calls, usage, request id.

    An answer that is not a chat completion (an HTML page from a wrong base_url), or one
    with no choices, is a ``ModelError`` saying so.
    """
    choices = getattr(completion, "choices", None)
    if not isinstance(choices, list):
        raise ModelError(
            f"the server answered something that is not an OpenAI chat completion "
            f"({_preview(completion)}); check that the base_url points at an "
            "OpenAI-compatible API, usually ending in /v1"
        )
    if not choices:
        raise ModelError("the server answered a chat completion with no choices (choices: [])")
    choice = choices[0]
    message = getattr(choice, "message", None)
    text = getattr(message, "content", None) or ""
    if not isinstance(text, str):
        raise ModelError(f"the server answered message content that is not text: {text!r}")
    calls = tuple(
        ToolCall(c.function.name, parse_arguments(c.function.arguments), c.id or "")
        for c in (getattr(message, "tool_calls", None) or ())
        if isinstance(getattr(getattr(c, "function", None), "name", None), str)
    )
    attributes: dict[str, Any] = {"response_model": getattr(completion, "model", None)}
    if getattr(completion, "id", None):
        attributes["response_id"] = completion.id
    request_id = getattr(completion, "_request_id", None)
    if request_id:
        attributes["request_id"] = request_id
    if getattr(choice, "finish_reason", None):
        attributes["finish_reason"] = choice.finish_reason
    usage, known = usage_of(getattr(completion, "usage", None))
    if not known:
        attributes[UNKNOWN_USAGE] = True
    return ModelResponse(text, calls, usage, attributes["response_model"], attributes)


def _preview(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return f"{type(value).__name__} {text[:80]!r}"


def usage_of(usage: Any) -> tuple[Usage, bool]:
    """OpenAI usage, and whether it is known; ``prompt_tokens`` already includes cached
    tokens (our convention)."""
    if usage is None:
        return Usage(requests=1), False
    details = getattr(usage, "prompt_tokens_details", None)
    cached = getattr(details, "cached_tokens", None) or 0
    return reported_usage(
        getattr(usage, "prompt_tokens", None), getattr(usage, "completion_tokens", None), cached
    )


# the wire format, defined above as plain functions (tested on their own)
OpenAIModel.build_request = staticmethod(request_params)
OpenAIModel.parse_response = staticmethod(parse_completion)
