"""Trace files: JSONL save and load, with every line checked on the way in.

File format (schema 1), one JSON object per line::

    {"type": "header", "schema": 1, "agentlab": "...", "python": "...", "created": "...",
     "trace_id": "...", "settings": {...}, "price_table": "genai-prices 0.2.3"}
    {"type": "message", "index": 0, "role": "user", "content": "..."}
    {"type": "span", "id": 0, "parent_id": null, "kind": "run", ...}

Message index lists are written as ``[[first, last], ...]`` runs so long
conversations stay linear in size. Unknown fields are ignored on load, missing optional
ones take defaults, so traces written by older schema versions still load. A file that
is not a trace (wrong encoding, not JSON, a field of the wrong type, a span pointing at
messages the file does not hold) raises ``ValueError`` naming the file and the line.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentlab._json import dumps_line, jsonable
from agentlab._jsonl import JsonlError, read_jsonl, write_lines
from agentlab._redact import redact, redactor
from agentlab._version import __version__
from agentlab.messages import Message
from agentlab.trace.spans import Span
from agentlab.usage import Usage, price_table_version

if TYPE_CHECKING:
    from agentlab.trace.trace import Trace

SCHEMA_VERSION = 1
MAX_INDICES = 20_000_000
"""Message references a loaded file may expand to in all (a guard against a few bytes
such as ``[[0, 1e9]]`` asking for gigabytes); far above what a saved run holds."""
_STATUSES = frozenset({"ok", "error", "stopped", "running"})


def _runs(indices: Iterable[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for i in indices:
        if out and out[-1][1] == i - 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


def span_to_dict(span: Span) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": "span",
        "id": span.id,
        "parent_id": span.parent_id,
        "kind": span.kind,
        "name": span.name,
        "agent": span.agent,
        "start": span.start,
        "end": span.end,
        "status": span.status,
    }
    if span.error is not None:
        data["error"] = span.error
    if span.model is not None:
        data["model"] = span.model
    if span.messages_in:
        data["messages_in"] = _runs(span.messages_in)
    if span.messages_out:
        data["messages_out"] = _runs(span.messages_out)
    if span.output is not None:
        data["output"] = jsonable(span.output)
    if span.usage is not None:
        data["usage"] = span.usage.to_dict()
    if span.cost_usd is not None:
        data["cost_usd"] = span.cost_usd
    if span.attributes:
        data["attributes"] = jsonable(span.attributes)
    return data


def message_line(index: int, message: Message) -> dict[str, Any]:
    return {"type": "message", "index": index, **message.to_dict()}


def make_header(trace: Trace) -> dict[str, Any]:
    """The header line: schema and versions, creation time, settings, price table."""
    header = {
        "type": "header",
        "schema": SCHEMA_VERSION,
        "agentlab": __version__,
        "python": sys.version.split()[0],
        "created": dt.datetime.fromtimestamp(trace.started, dt.UTC).isoformat(),
        "trace_id": trace.id,
        "price_table": f"genai-prices {price_table_version()}",
    }
    header.update(jsonable(trace.header))
    return header


def dumps(data: dict[str, Any], clean: Callable[[str], str] = redact) -> str:
    """One line of a trace file, secrets redacted."""
    return clean(dumps_line(data))


def trace_lines(trace: Trace) -> Iterator[str]:
    """The lines of ``trace``'s file: header, messages, then finished spans."""
    clean = redactor()  # the key values, read once for the whole file
    yield dumps(make_header(trace), clean)
    for index, message in enumerate(list(trace.messages)):
        yield dumps(message_line(index, message), clean)
    for span in list(trace.spans):
        yield dumps(span_to_dict(span), clean)


def save_trace(trace: Trace, path: str | Path) -> None:
    write_lines(path, trace_lines(trace))


@dataclass(slots=True)
class TraceFile:
    """What a trace file holds: its header, spans and messages."""

    header: dict[str, Any]
    spans: list[Span]
    messages: list[Message]


def read_trace_file(path: str | Path) -> TraceFile:
    """Read and check a trace file (see the module docstring)."""
    header: dict[str, Any] = {}
    raw_spans: list[tuple[int, dict[str, Any]]] = []
    messages: dict[int, Message] = {}
    for number, data in _lines(path):
        kind = data.pop("type", None)
        try:
            if kind == "header":
                header = data
            elif kind == "message":
                index = data.pop("index", len(messages))
                if type(index) is not int or index < 0:
                    raise ValueError(f"message index must be a whole number >= 0, got {index!r}")
                messages[index] = Message.from_dict(data)
            elif kind == "span":
                raw_spans.append((number, data))
            else:
                raise ValueError(f"unknown line type {kind!r}")
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise _not_a_trace(path, number, exc) from None
    ordered = [messages[i] for i in sorted(messages)]
    if list(messages) and sorted(messages) != list(range(len(ordered))):
        raise JsonlError(path, None, "message indices have gaps; the file is incomplete")
    budget = [MAX_INDICES]
    spans = []
    for number, data in raw_spans:
        try:
            spans.append(span_from_dict(data, len(ordered), budget))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise _not_a_trace(path, number, exc) from None
    return TraceFile(header, spans, ordered)


def _lines(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        yield from read_jsonl(path, "trace")
    except JsonlError as exc:
        raise JsonlError(
            path, exc.line,
            f"not a line of an agentlab trace ({exc.problem.split(';')[0]}); load files "
            "written by trace.save(path)", kind=exc.kind, detail=exc.detail,
        ) from None  # fmt: skip


def _not_a_trace(path: str | Path, number: int, exc: BaseException) -> JsonlError:
    return JsonlError(
        path, number,
        f"not a line of an agentlab trace ({type(exc).__name__}: {exc}); load files "
        "written by trace.save(path)",
    )  # fmt: skip


def created_timestamp(header: dict[str, Any]) -> float | None:
    """The header's ``created`` time as Unix seconds, or None."""
    created = header.get("created")
    try:
        return dt.datetime.fromisoformat(created).timestamp() if created else None
    except (TypeError, ValueError):
        return None


def span_from_dict(data: dict[str, Any], n_messages: int, budget: list[int]) -> Span:
    """A span from its line, every field checked; indices must point at held messages."""
    usage = data.get("usage")
    status = data.get("status", "ok")
    if status not in _STATUSES:
        raise ValueError(f"status {status!r} is not one of {sorted(_STATUSES)}")
    return Span(
        id=_ident(data["id"], "id"),
        parent_id=None if data.get("parent_id") is None else _ident(data["parent_id"], "parent_id"),
        kind=_text(data["kind"], "kind"),  # type: ignore[arg-type]  # kinds of newer schemas load
        name=_text(data.get("name", ""), "name"),
        agent=_optional_text(data.get("agent"), "agent"),
        start=_number(data.get("start", 0.0), "start"),
        end=None if data.get("end") is None else _number(data["end"], "end"),
        status=status,
        error=_optional_text(data.get("error"), "error"),
        model=_optional_text(data.get("model"), "model"),
        messages_in=_indices(data.get("messages_in", ()), n_messages, budget),
        messages_out=_indices(data.get("messages_out", ()), n_messages, budget),
        output=data.get("output"),
        usage=Usage.from_dict(usage) if usage else None,
        cost_usd=None if data.get("cost_usd") is None else _number(data["cost_usd"], "cost_usd"),
        attributes=_mapping(data.get("attributes", {})),
    )


def _indices(runs: Any, n_messages: int, budget: list[int]) -> tuple[int, ...]:
    if not isinstance(runs, (list, tuple)):
        raise TypeError(f"message indices must be a list, got {type(runs).__name__}")
    out: list[int] = []
    for item in runs:
        first, last = (item, item) if type(item) is int else _pair(item)
        if not 0 <= first <= last < n_messages:
            raise ValueError(
                f"message indices {first}..{last} point past the {n_messages} messages "
                "the file holds"
            )
        budget[0] -= last - first + 1
        if budget[0] < 0:
            raise ValueError(f"spans refer to more than {MAX_INDICES:,} message indices")
        out.extend(range(first, last + 1))
    return tuple(out)


def _pair(item: Any) -> tuple[int, int]:
    if isinstance(item, list) and len(item) == 2 and all(type(i) is int for i in item):
        return item[0], item[1]
    raise TypeError(f"a message index run must be [first, last], got {item!r}")


def _ident(value: Any, field: str) -> int | str:
    if type(value) is int or isinstance(value, str):
        return value
    raise TypeError(f"span {field} must be a whole number or text, got {value!r}")


def _text(value: Any, field: str) -> str:
    if isinstance(value, str):
        return value
    raise TypeError(f"span {field} must be text, got {value!r}")


def _optional_text(value: Any, field: str) -> str | None:
    return None if value is None else _text(value, field)


def _number(value: Any, field: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    raise TypeError(f"span {field} must be a finite number, got {value!r}")


def _mapping(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    raise TypeError(f"span attributes must be an object, got {type(value).__name__}")
