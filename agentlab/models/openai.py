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

import dataclasses
import json
from collections.abc import Mapping, Sequence
from typing import Any

from agentlab.errors import ModelError, ModelHTTPError
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
        timeout_s: Per-attempt timeout in seconds (default 60; 600 for a local server,
            whose timeouts are not retried: a small CPU is as slow the second time).
        backoff_s: First backoff wait (doubles each retry) when no ``retry-after`` is sent.

    Settings (``Agent(settings=...)``) pass through: ``temperature``, ``max_tokens``,
    ``tool_choice`` (``"auto"``, ``"none"``, ``"required"``, or a tool name to force
    it), ...; keys the SDK does not take (e.g. llama.cpp's ``top_k``) go into the
    request body unchanged. Structured output
    (``output_type``) is sent as ``response_format`` with the JSON schema; a server that
    refuses ``json_schema`` (llama.cpp, llama-cpp-python) gets ``json_object`` with the
    schema beside it (their grammar-constrained JSON) and in the instructions, then plain
    ``json_object``: remembered per server for the process, recorded on the model span as
    ``response_format_fallback``; the answer is still validated against ``output_type``.

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

    async def respond(self, request: ModelRequest) -> ModelResponse:
        """One call; structured output falls back to what the server accepts (see above)."""
        if request.output_schema is None:
            return await super().respond(request)
        server = self.server()
        notes: list[str] = []
        while True:
            mode = FORMAT_MODES.get(server, FORMATS[0])
            try:
                params = request_params(self.model, request, mode)
                response = await self._respond_params(params, request)
            except ModelHTTPError as exc:
                following = next_format(mode, exc)
                if following is None:
                    raise
                FORMAT_MODES[server] = following
                notes.append(f"{mode} refused (HTTP {exc.status_code}); sent {following}")
                continue
            if mode == FORMATS[0]:
                return response
            note = "; ".join(notes) or f"{mode} (this server refused json_schema before)"
            attributes = {**response.attributes, "response_format_fallback": note}
            return dataclasses.replace(response, attributes=attributes)


FORMATS = ("json_schema", "json_object with schema", "json_object")
"""Structured-output request forms, tried in this order."""
FORMAT_MODES: dict[str, str] = {}
"""server -> the form it accepts, learned in this process (``.clear()`` forgets)."""


def next_format(mode: str, exc: ModelHTTPError) -> str | None:
    """The form to try after the server refused ``mode``, or None when ``exc`` is no refusal."""
    text = f"{exc} {json.dumps(exc.body, default=str)}".lower()
    if exc.status_code not in (400, 422, 500) or "response_format" not in text + mode:
        return None
    if mode == FORMATS[0] and ("json_schema" in text or "response_format" in text):
        return FORMATS[1]
    if mode == FORMATS[1] and ("schema" in text or "response_format" in text):
        return FORMATS[2]
    return None


def request_params(
    model: str, request: ModelRequest, output_form: str = FORMATS[0]
) -> dict[str, Any]:
    """The keyword arguments for ``chat.completions.create``.

    ``output_form`` is one of ``FORMATS``: how structured output is asked for.
    """
    messages = request.messages
    if request.output_schema is not None and output_form != FORMATS[0]:
        messages = with_schema_instruction(messages, request.output_schema)
    params: dict[str, Any] = {"model": model, "messages": to_openai_messages(messages)}
    if request.tools:
        params["tools"] = [to_openai_tool(t) for t in request.tools]
    for key, value in request.settings.items():
        params[key] = tool_choice(value) if key == "tool_choice" else value
    if request.output_schema is not None:
        params["response_format"] = response_format(request.output_schema, output_form)
    return params


def with_schema_instruction(
    messages: Sequence[Message], schema: Mapping[str, Any]
) -> list[Message]:
    """The messages with a system line asking for one JSON object matching ``schema``."""
    line = "Answer with one JSON object, nothing else, matching this JSON schema: " + json.dumps(
        schema, ensure_ascii=False
    )
    out = list(messages)
    if out and out[0].role == "system":
        out[0] = dataclasses.replace(out[0], content=f"{out[0].content}\n\n{line}")
    else:
        out.insert(0, Message(role="system", content=line))
    return out


def to_openai_messages(messages: Sequence[Message]) -> list[dict[str, Any]]:
    """Our messages in the Chat Completions format (tool results use role "tool")."""
    out: list[dict[str, Any]] = []
    for m in messages:
        if m.role == "assistant":
            # never null: llama.cpp and others refuse it even beside tool calls
            entry: dict[str, Any] = {"role": "assistant", "content": m.content or ""}
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


def response_format(schema: Mapping[str, Any], form: str = FORMATS[0]) -> dict[str, Any]:
    """``response_format`` for one of ``FORMATS`` (llama.cpp reads ``schema`` as a grammar)."""
    if form == FORMATS[1]:
        return {"type": "json_object", "schema": dict(schema)}
    if form == FORMATS[2]:
        return {"type": "json_object"}
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
