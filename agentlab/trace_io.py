"""Trace persistence: one explicit JSON serialiser, JSONL save/load, pandas, streaming export.

File format (schema 1), one JSON object per line::

    {"type": "header", "schema": 1, "agentlab": "...", "python": "...", "created": "...",
     "trace_id": "...", "settings": {...}, "price_table": "genai-prices 0.2.3"}
    {"type": "message", "index": 0, "role": "user", "content": "..."}
    {"type": "span", "id": 0, "parent_id": null, "kind": "run", ...}

Message index lists are written as ``[[first, last], ...]`` runs so long
conversations stay linear in size. Unknown fields are ignored on load, missing ones
take defaults, so traces written by older schema versions still load.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterable
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from agentlab.messages import Message
from agentlab.pricing import Usage, price_table_version
from agentlab.redact import redact, redactor
from agentlab.tracing import Span, Trace

if TYPE_CHECKING:
    import pandas as pd

SCHEMA_VERSION = 1


def jsonable(value: Any) -> Any:
    """Turn a value into JSON-ready data: pydantic models, dataclasses, Decimals, dates."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if hasattr(value, "model_dump") and callable(value.model_dump):
        return jsonable(value.model_dump(mode="json"))
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return jsonable(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, BaseException):
        return f"{type(value).__name__}: {value}"
    return repr(value)


def _runs(indices: tuple[int, ...]) -> list[list[int]]:
    out: list[list[int]] = []
    for i in indices:
        if out and out[-1][1] == i - 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


def _unruns(runs: Iterable[Any]) -> tuple[int, ...]:
    out: list[int] = []
    for item in runs:
        if isinstance(item, int):
            out.append(item)
        else:
            out.extend(range(item[0], item[1] + 1))
    return tuple(out)


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


def span_from_dict(data: dict[str, Any]) -> Span:
    usage = data.get("usage")
    return Span(
        id=data["id"],
        parent_id=data.get("parent_id"),
        kind=data["kind"],
        name=data.get("name", ""),
        agent=data.get("agent"),
        start=data.get("start", 0.0),
        end=data.get("end"),
        status=data.get("status", "ok"),
        error=data.get("error"),
        model=data.get("model"),
        messages_in=_unruns(data.get("messages_in", ())),
        messages_out=_unruns(data.get("messages_out", ())),
        output=data.get("output"),
        usage=Usage.from_dict(usage) if usage else None,
        cost_usd=data.get("cost_usd"),
        attributes=data.get("attributes", {}),
    )


def make_header(trace: Trace) -> dict[str, Any]:
    """The header line: schema and versions, creation time, settings, price table."""
    from agentlab import __version__

    header = {
        "type": "header",
        "schema": SCHEMA_VERSION,
        "agentlab": __version__,
        "python": sys.version.split()[0],
        "created": dt.datetime.fromtimestamp(trace._wall0, dt.UTC).isoformat(),
        "trace_id": trace.id,
        "price_table": f"genai-prices {price_table_version()}",
    }
    header.update(jsonable(trace.header))
    return header


def _dumps(data: dict[str, Any], clean: Callable[[str], str] = redact) -> str:
    return clean(json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def write_trace(trace: Trace, out: TextIO) -> None:
    clean = redactor()  # the key values, read once for the whole file
    out.write(_dumps(make_header(trace), clean) + "\n")
    for index, message in enumerate(trace.messages):
        out.write(_dumps({"type": "message", "index": index, **message.to_dict()}, clean) + "\n")
    for span in trace.spans:
        out.write(_dumps(span_to_dict(span), clean) + "\n")


def save_trace(trace: Trace, path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        write_trace(trace, out)


def load_trace(path: str | Path) -> Trace:
    header: dict[str, Any] = {}
    spans: list[Span] = []
    messages: dict[int, Message] = {}
    with Path(path).open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                kind = data.pop("type", None)
                if kind == "header":
                    header = data
                elif kind == "message":
                    messages[data.pop("index", len(messages))] = Message.from_dict(data)
                elif kind == "span":
                    spans.append(span_from_dict(data))
                else:
                    raise ValueError(f"unknown line type {kind!r}")
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                raise ValueError(
                    f"{path}:{number}: not a line of an agentlab trace ({type(exc).__name__}: "
                    f"{exc}); load files written by trace.save(path)"
                ) from exc
    trace_id = header.get("trace_id")
    kept = {k: v for k, v in header.items() if k not in _BUILTIN_HEADER}
    trace = Trace(
        id=trace_id, header=kept, spans=spans, messages=[messages[i] for i in sorted(messages)]
    )
    if "created" in header:
        trace._wall0 = dt.datetime.fromisoformat(header["created"]).timestamp()
    trace.file_header = header
    return trace


_BUILTIN_HEADER = {"type", "schema", "agentlab", "python", "created", "trace_id", "price_table"}


def trace_to_pandas(trace: Trace) -> pd.DataFrame:
    import pandas as pd

    spans = trace.spans
    columns: dict[str, list[Any]] = {
        "trace_id": [trace.id] * len(spans),
        "span_id": [s.id for s in spans],
        "parent_id": [s.parent_id for s in spans],
        "kind": [s.kind for s in spans],
        "name": [s.name for s in spans],
        "agent": [s.agent for s in spans],
        "model": [s.model for s in spans],
        "status": [s.status for s in spans],
        "error": [s.error for s in spans],
        "start": [s.start for s in spans],
        "end": [s.end for s in spans],
    }
    usages = [s.usage for s in spans]
    for field in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"):
        columns[field] = [getattr(u, field) if u is not None else 0 for u in usages]
    columns["cost_usd"] = [s.cost_usd for s in spans]
    columns["output"] = [s.output for s in spans]
    columns["attributes"] = [s.attributes for s in spans]
    frame = pd.DataFrame(columns)
    frame["duration_s"] = frame["end"] - frame["start"]
    frame["start"] = pd.to_datetime(frame["start"], unit="s", utc=True)
    frame["end"] = pd.to_datetime(frame["end"], unit="s", utc=True)
    frame["cost_usd"] = frame["cost_usd"].astype("float64")
    return frame.sort_values(["start", "span_id"], kind="stable", ignore_index=True)


class JsonlExporter:
    """A processor that streams every run's trace to ``<folder>/<trace id>.jsonl`` live.

    >>> al.add_processor(JsonlExporter("traces/"))  # doctest: +SKIP
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._files: dict[str, TextIO] = {}
        self._closed: set[str] = set()  # traces whose run span ended (late spans append)

    def _file(self, trace: Trace) -> TextIO:
        out = self._files.get(trace.id)
        if out is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            late = trace.id in self._closed
            out = (self.folder / f"{trace.id}.jsonl").open("a" if late else "w", encoding="utf-8")
            if not late:
                out.write(_dumps(make_header(trace)) + "\n")
            self._files[trace.id] = out
        return out

    def on_span_start(self, trace: Trace, span: Span) -> None:
        self._file(trace)

    def on_message(self, trace: Trace, index: int, message: Message) -> None:
        self._file(trace).write(
            _dumps({"type": "message", "index": index, **message.to_dict()}) + "\n"
        )

    def on_span_end(self, trace: Trace, span: Span) -> None:
        out = self._file(trace)
        out.write(_dumps(span_to_dict(span)) + "\n")
        out.flush()
        if span.parent_id is None or trace.id in self._closed:
            out.close()
            del self._files[trace.id]
            self._closed.add(trace.id)
