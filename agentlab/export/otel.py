"""Export runs to OpenTelemetry with the GenAI semantic conventions.

Add the processor once and every later run's spans go to your tracer provider (and from
there to Phoenix, Langfuse, Jaeger or any OTLP backend), parent-child links kept. Needs
the ``otel`` extra: ``pip install "agentlab-kit[otel]"``.

>>> import agentlab as al
>>> from opentelemetry.sdk.trace import TracerProvider
>>> provider = TracerProvider()      # add your exporter, e.g. an OTLPSpanExporter
>>> processor = al.OTelProcessor(provider)
>>> al.add_processor(processor)      # or: with al.processing(processor): ...
>>> al.remove_processor(processor)

Mapping: ``model`` spans are ``chat <model>`` (``gen_ai.operation.name=chat``,
``gen_ai.provider.name``, ``gen_ai.request.model``, ``gen_ai.response.model``,
``gen_ai.response.id`` (the completion's id; the provider's request id is
``agentlab.request_id``), ``gen_ai.response.finish_reasons``, ``gen_ai.usage.*``);
``agent`` spans are ``invoke_agent <name>``; ``tool`` spans ``execute_tool <name>``;
the root ``run`` and the patterns (chain, router, parallel, orchestrator, evaluator,
team) are ``invoke_workflow <name>``; every other kind keeps its kind as the name.
Every span carries ``gen_ai.agent.name`` when an agent owns it, ``agentlab.kind``,
``agentlab.status``, ``agentlab.cost_usd`` and its agentlab attributes as
``agentlab.<key>``. With ``capture_content=True`` (the default) model spans carry
``gen_ai.input.messages`` / ``gen_ai.output.messages`` and tool spans their arguments and
result, redacted; pass ``capture_content=False`` to send no content at all: no messages,
no content-bearing ``agentlab.<key>`` attribute (``CONTENT_KEYS``: input, tool
arguments, handoff intent and state, tasks, vote candidates and winner, route labels,
reasons, feedback, stop details, ...), and errors as their exception name only.
"""

from __future__ import annotations

import json
import re
from typing import Any

from agentlab._json import jsonable
from agentlab._redact import redact
from agentlab._version import __version__
from agentlab.errors import ConfigError
from agentlab.messages import Message
from agentlab.trace.spans import Span
from agentlab.trace.trace import Trace
from agentlab.usage import split_key

_WORKFLOWS = frozenset({"run", "chain", "router", "parallel", "orchestrator", "evaluator", "team"})
_OPERATIONS = {"model": "chat", "agent": "invoke_agent", "tool": "execute_tool"}
_PRIMITIVES = (str, bool, int, float)
CONTENT_KEYS = frozenset({
    "input", "output", "arguments", "result", "intent", "state", "task", "tasks",
    "candidates", "counts", "winner", "label", "normalized", "reason", "stop_detail",
    "feedback", "messages", "text",
})  # fmt: skip
"""Span attributes that carry user or model text: not exported with capture_content=False."""
_ERROR_NAME = re.compile(r"(?:Error: )?([A-Za-z_][\w.]*):")


class OTelProcessor:
    """A trace processor that mirrors agentlab spans as OpenTelemetry spans.

    Args:
        tracer_provider: Where spans go; default the global provider
            (``opentelemetry.trace.get_tracer_provider()``).
        capture_content: Put message text, tool arguments and results on spans.
    """

    def __init__(self, tracer_provider: Any = None, *, capture_content: bool = True) -> None:
        try:
            from opentelemetry import trace as otel_trace
        except ImportError as exc:  # pragma: no cover - the extra is part of dev installs
            raise ConfigError(
                'OTelProcessor needs OpenTelemetry: pip install "agentlab-kit[otel]"'
            ) from exc
        provider = tracer_provider or otel_trace.get_tracer_provider()
        self.tracer = provider.get_tracer("agentlab", __version__)
        self.capture_content = capture_content
        self._open: dict[tuple[str, int | str], Any] = {}

    def on_span_start(self, trace: Trace, span: Span) -> None:
        if not trace.enabled and span.kind != "run":
            return  # tracing disabled: only the run span will end
        from opentelemetry import trace as otel_trace

        parent = self._open.get((trace.id, span.parent_id)) if span.parent_id is not None else None
        context = otel_trace.set_span_in_context(parent) if parent is not None else None
        self._open[(trace.id, span.id)] = self.tracer.start_span(
            span_name(span), context=context, start_time=_ns(span.start)
        )

    def on_span_end(self, trace: Trace, span: Span) -> None:
        otel_span = self._open.pop((trace.id, span.id), None)
        if otel_span is None:
            return
        from opentelemetry.trace import Status, StatusCode

        otel_span.update_name(span_name(span))
        otel_span.set_attributes(self.attributes(trace, span))
        if span.status == "error":
            otel_span.set_status(Status(StatusCode.ERROR, self._error(span.error)))
        otel_span.end(end_time=_ns(span.end if span.end is not None else span.start))

    def on_message(self, trace: Trace, index: int, message: Message) -> None:
        pass

    def attributes(self, trace: Trace, span: Span) -> dict[str, Any]:
        """The OpenTelemetry attributes for one finished span."""
        attrs: dict[str, Any] = {
            "agentlab.kind": span.kind,
            "agentlab.status": span.status,
            "agentlab.span_id": str(span.id),
            "agentlab.trace_id": trace.id,
        }
        operation = _OPERATIONS.get(span.kind) or (
            "invoke_workflow" if span.kind in _WORKFLOWS else None
        )
        if operation:
            attrs["gen_ai.operation.name"] = operation
        if span.agent:
            attrs["gen_ai.agent.name"] = span.agent
        if span.kind in _WORKFLOWS:
            attrs["gen_ai.workflow.name"] = span.name
        if span.error:
            attrs["agentlab.error"] = self._error(span.error)
        if span.cost_usd is not None:
            attrs["agentlab.cost_usd"] = span.cost_usd
        for key, value in span.attributes.items():
            if not self.capture_content and key in CONTENT_KEYS:
                continue
            converted = _value(value)
            if converted is not None:
                attrs[f"agentlab.{key}"] = converted
        if span.kind == "model":
            attrs.update(self._model_attributes(trace, span))
        elif span.kind == "tool":
            attrs["gen_ai.tool.name"] = span.name
            attrs["gen_ai.tool.type"] = "function"
            if span.attributes.get("call_id"):
                attrs["gen_ai.tool.call.id"] = str(span.attributes["call_id"])
            if self.capture_content:
                attrs["gen_ai.tool.call.arguments"] = _json(span.attributes.get("arguments"))
                attrs["gen_ai.tool.call.result"] = redact(str(span.output or ""))
        return attrs

    def _error(self, error: str | None) -> str:
        """The error text (redacted); without content capture only the exception name."""
        if self.capture_content:
            return redact(error or "error")
        found = _ERROR_NAME.match(error or "")
        return found.group(1) if found else "error"

    def _model_attributes(self, trace: Trace, span: Span) -> dict[str, Any]:
        provider, model = split_key(span.model or span.name)
        attrs: dict[str, Any] = {"gen_ai.request.model": model}
        if provider:
            attrs["gen_ai.provider.name"] = provider
        response_model = span.attributes.get("response_model")
        attrs["gen_ai.response.model"] = str(response_model or model)
        if span.attributes.get("response_id"):
            attrs["gen_ai.response.id"] = str(span.attributes["response_id"])
        if span.attributes.get("finish_reason"):
            attrs["gen_ai.response.finish_reasons"] = [str(span.attributes["finish_reason"])]
        usage = span.usage
        if usage is not None:
            attrs["gen_ai.usage.input_tokens"] = usage.input_tokens
            attrs["gen_ai.usage.output_tokens"] = usage.output_tokens
            attrs["gen_ai.usage.cache_read.input_tokens"] = usage.cache_read_tokens
            attrs["gen_ai.usage.cache_creation.input_tokens"] = usage.cache_write_tokens
        if self.capture_content:
            attrs["gen_ai.input.messages"] = _messages(trace, span.messages_in)
            attrs["gen_ai.output.messages"] = _messages(trace, span.messages_out)
        return attrs


def span_name(span: Span) -> str:
    """``chat gpt-4o-mini``, ``invoke_agent Support``, ``execute_tool lookup``, ..."""
    if span.kind == "model":
        return f"chat {split_key(span.model or span.name)[1]}"
    operation = _OPERATIONS.get(span.kind) or (
        "invoke_workflow" if span.kind in _WORKFLOWS else span.kind
    )
    return f"{operation} {span.name}" if span.name else operation


def _ns(seconds: float) -> int:
    return int(seconds * 1_000_000_000)


def _json(value: Any) -> str:
    return redact(json.dumps(jsonable(value), ensure_ascii=False))


def _value(value: Any) -> Any:
    """An OpenTelemetry attribute value: primitives as they are, anything else as JSON."""
    if value is None:
        return None
    if isinstance(value, _PRIMITIVES):
        return redact(value) if isinstance(value, str) else value
    return _json(value)


def _messages(trace: Trace, indices: tuple[int, ...]) -> str:
    """Messages in the GenAI convention's shape: role plus typed parts."""
    out = []
    for index in indices:
        if index >= len(trace.messages):
            continue
        message = trace.messages[index]
        parts: list[dict[str, Any]] = []
        if message.role == "tool":
            parts.append({"type": "tool_call_response", "id": message.tool_call_id,
                          "response": message.content})  # fmt: skip
        elif message.content:
            parts.append({"type": "text", "content": message.content})
        for call in message.tool_calls:
            parts.append({"type": "tool_call", "id": call.id, "name": call.name,
                          "arguments": call.arguments})  # fmt: skip
        out.append({"role": message.role, "parts": parts})
    return _json(out)
