"""Streamed provider calls: the SDKs' streaming APIs, each piece of text sent on with
``emit_text`` as it arrives, and the whole answer put together for the usual parser
(so usage, cost and the trace are the same as for a call that was not streamed).

- OpenAI: ``chat.completions.create(stream=True, stream_options={"include_usage":
  True})``; the last chunk carries the usage.
- Anthropic: ``messages.stream(...)``; ``get_final_message()`` is the whole message.
"""

from __future__ import annotations

import contextlib
from types import SimpleNamespace
from typing import Any

from agentlab.models.base import emit_text

__all__ = ["anthropic_stream", "openai_stream"]


async def openai_stream(client: Any, params: dict[str, Any]) -> Any:
    """A streamed chat completion, returned as an object ``parse_completion`` reads."""
    stream = await client.chat.completions.create(
        **params, stream=True, stream_options={"include_usage": True}
    )
    text: list[str] = []
    calls: dict[int, dict[str, Any]] = {}
    final = SimpleNamespace(id=None, model=None, usage=None, finish_reason=None)
    async for chunk in stream:
        final.id = final.id or getattr(chunk, "id", None)
        final.model = final.model or getattr(chunk, "model", None)
        if getattr(chunk, "usage", None) is not None:
            final.usage = chunk.usage
        for choice in getattr(chunk, "choices", None) or ():
            if choice.finish_reason:
                final.finish_reason = choice.finish_reason
            delta = choice.delta
            if delta is None:
                continue
            if delta.content:
                text.append(delta.content)
                emit_text(delta.content)
            for part in delta.tool_calls or ():
                _add_call_part(calls, part)
    response = getattr(stream, "response", None)
    request_id = response.headers.get("x-request-id") if response is not None else None
    message = SimpleNamespace(
        content="".join(text),
        tool_calls=[
            SimpleNamespace(id=c["id"], function=SimpleNamespace(name=c["name"],
                                                                 arguments=c["arguments"]))
            for _, c in sorted(calls.items())
        ],
    )  # fmt: skip
    choice = SimpleNamespace(message=message, finish_reason=final.finish_reason)
    return SimpleNamespace(choices=[choice], id=final.id, model=final.model, usage=final.usage,
                           _request_id=request_id)  # fmt: skip


def _add_call_part(calls: dict[int, dict[str, Any]], part: Any) -> None:
    call = calls.setdefault(part.index, {"id": "", "name": "", "arguments": ""})
    if part.id:
        call["id"] = part.id
    function = part.function
    if function is not None:
        call["name"] += function.name or ""
        call["arguments"] += function.arguments or ""


async def anthropic_stream(client: Any, params: dict[str, Any]) -> Any:
    """A streamed Messages API call; returns the SDK's final ``Message``."""
    async with client.messages.stream(**params) as stream:
        async for text in stream.text_stream:
            emit_text(text)
        message = await stream.get_final_message()
    request_id = stream.response.headers.get("request-id") if hasattr(stream, "response") else None
    if request_id and not getattr(message, "_request_id", None):
        with contextlib.suppress(AttributeError):
            message._request_id = request_id
    return message
