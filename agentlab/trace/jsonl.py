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
import gc
import math
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
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
    """Read and check a trace file (see the module docstring).

    The cyclic garbage collector pauses meanwhile: parsed JSON holds no cycles, and
    on a large trace its passes over the growing heap cost as much as the parsing.
    """
    with _collector_paused():
        return _read(path)


@contextmanager
def _collector_paused() -> Iterator[None]:
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _read(path: str | Path) -> TraceFile:
    header: dict[str, Any] = {}
    spans: list[Span] = []
    messages: dict[int, Message] = {}
    reach = _Reach()  # span indices are checked against the messages once all are read
    for number, data in _lines(path):
        kind = data.pop("type", None)
        try:
            if kind == "span":
                spans.append(span_from_dict(data, reach, number))
            elif kind == "message":
                index = data.pop("index", len(messages))
                if type(index) is not int or index < 0:
                    raise ValueError(f"message index must be a whole number >= 0, got {index!r}")
                messages[index] = Message.from_dict(data)
            elif kind == "header":
                header = data
            else:
                raise ValueError(f"unknown line type {kind!r}")
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise _not_a_trace(path, number, exc) from None
    ordered = [messages[i] for i in sorted(messages)]
    if messages and len(ordered) - 1 != max(messages):
        raise JsonlError(path, None, "message indices have gaps; the file is incomplete")
    if reach.highest >= len(ordered):
        problem = ValueError(
            f"message index {reach.highest} points past the {len(ordered)} messages the file holds"
        )
        raise _not_a_trace(path, reach.line, problem)
    return TraceFile(header, spans, ordered)


class _Reach:
    """The highest message index spans refer to (and on which line), and how many
    indices they expand to in all (capped by ``MAX_INDICES``)."""

    __slots__ = ("highest", "left", "line")

    def __init__(self) -> None:
        self.highest, self.line, self.left = -1, 0, MAX_INDICES


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


def span_from_dict(data: dict[str, Any], reach: _Reach, line: int = 0) -> Span:
    """A span from its line, every field checked (``reach`` keeps what its indices need)."""
    get = data.get
    status = get("status", "ok")
    span_id, parent, kind, name = data["id"], get("parent_id"), data["kind"], get("name", "")
    agent, error, model = get("agent"), get("error"), get("model")
    start, end, cost, usage = get("start", 0.0), get("end"), get("cost_usd"), get("usage")
    attributes = get("attributes", {})
    if (
        status not in _STATUSES
        or type(span_id) not in _IDS
        or (parent is not None and type(parent) not in _IDS)
        or type(kind) is not str
        or type(name) is not str
        or type(agent) not in _TEXT
        or type(error) not in _TEXT
        or type(model) not in _TEXT
        or type(attributes) is not dict
    ):
        raise _field_problem(data)
    return Span(
        span_id,
        parent,
        kind,  # type: ignore[arg-type]  # kinds of newer schemas load too
        name,
        agent,
        _number(start, "start"),
        None if end is None else _number(end, "end"),
        status,
        error,
        model,
        _indices(get("messages_in", ()), reach, line),
        _indices(get("messages_out", ()), reach, line),
        get("output"),
        Usage.from_dict(usage) if usage else None,
        None if cost is None else _number(cost, "cost_usd"),
        attributes,
    )


_IDS = (int, str)
_TEXT = (str, type(None))


def _field_problem(data: dict[str, Any]) -> Exception:
    """Which field of a span line has the wrong type (the slow path, for the message)."""
    if data.get("status", "ok") not in _STATUSES:
        return ValueError(f"status {data.get('status')!r} is not one of {sorted(_STATUSES)}")
    for field, allowed, what in (
        ("id", _IDS, "a whole number or text"), ("parent_id", (*_IDS, type(None)), "an id or null"),
        ("kind", (str,), "text"), ("name", (str,), "text"), ("agent", _TEXT, "text or null"),
        ("error", _TEXT, "text or null"), ("model", _TEXT, "text or null"),
        ("attributes", (dict,), "an object"),
    ):  # fmt: skip
        value = data.get(field, "" if field in ("name",) else {} if field == "attributes" else None)
        if type(value) not in allowed:
            return TypeError(f"span {field} must be {what}, got {value!r}")
    return TypeError("a span field has the wrong type")


def _indices(runs: Any, reach: _Reach, line: int) -> tuple[int, ...]:
    if not runs:
        return ()
    if type(runs) is not list:
        raise TypeError(f"message indices must be a list, got {type(runs).__name__}")
    out: list[int] = []
    for item in runs:
        if type(item) is int:
            first = last = item
        elif type(item) is list and len(item) == 2 and type(item[0]) is type(item[1]) is int:
            first, last = item
        else:
            raise TypeError(f"a message index run must be [first, last], got {item!r}")
        if not 0 <= first <= last:
            raise ValueError(f"message indices {first}..{last} are not a run of indices")
        reach.left -= last - first + 1
        if reach.left < 0:  # before expanding: a few bytes must not ask for gigabytes
            raise ValueError(f"spans refer to more than {MAX_INDICES:,} message indices")
        if last > reach.highest:
            reach.highest, reach.line = last, line
        out.extend(range(first, last + 1))
    return tuple(out)


def _number(value: Any, field: str) -> float:
    kind = type(value)
    if (kind is float and math.isfinite(value)) or kind is int:
        return float(value)
    raise TypeError(f"span {field} must be a finite number, got {value!r}")
