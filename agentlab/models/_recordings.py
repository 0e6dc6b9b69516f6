"""Cassette files: their format, the request key calls are matched on, and why a request
has no recording. ``al.cassette`` blocks (``cassette.py``) and ``al.ReplayModel``
(``replay.py``) both read them through ``Recordings``.

File format (JSONL, one object per line, keys sorted, secrets redacted)::

    {"type": "header", "format": "agentlab-cassette", "version": 1, "agentlab": "0.1.0",
     "created": "...", "updated": "...", "models": [{"model": "openai:gpt-4o-mini",
     "server": "https://api.openai.com/v1"}]}
    {"type": "interaction", "model": "...", "server": "...", "recorded": "...",
     "agent": "Support", "occurrence": 0, "request": {...}, "response": {...}}
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from agentlab._json import jsonable
from agentlab._jsonl import JsonlError, read_jsonl, write_lines
from agentlab._redact import public_settings, redact
from agentlab._version import __version__
from agentlab.errors import ConfigError
from agentlab.messages import ToolCall
from agentlab.models.base import ModelRequest, ModelResponse
from agentlab.usage import Usage

ENV_MODE = "AGENTLAB_CASSETTE_MODE"
_PROBLEMS_SHORT = {"encoding": "not UTF-8 text", "depth": "nested too deeply",
                   "object": "not a JSON object", "content": "malformed"}  # fmt: skip
FORMAT = "agentlab-cassette"


def model_id(model: Any) -> str:
    """The model part of a request key: ``"openai:gpt-4o-mini"`` (server not included)."""
    provenance = getattr(model, "provenance", None)
    if callable(provenance):
        return str(provenance()["model"])
    return str(getattr(model, "name", type(model).__name__))


def normalise(model: str | None, request: ModelRequest) -> dict[str, Any]:
    """The parts of a request that decide the answer, as plain JSON data."""
    messages = []
    for message in request.messages:
        data = message.to_dict()
        data.pop("agent", None)  # who spoke is ours; the provider never sees it
        messages.append(data)
    out: dict[str, Any] = {
        "messages": messages,
        "tools": [jsonable(t.to_dict()) for t in request.tools],
        "settings": jsonable(public_settings(request.settings)),  # credentials as markers
        "output_schema": jsonable(request.output_schema),
    }
    if model is not None:
        out["model"] = model
    redacted: dict[str, Any] = json.loads(redact(json.dumps(out, sort_keys=True)))
    return redacted


def request_key(normalised: dict[str, Any], with_model: bool = True) -> str:
    data = normalised if with_model else {k: v for k, v in normalised.items() if k != "model"}
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def response_to_dict(response: ModelResponse, latency_s: float) -> dict[str, Any]:
    attributes = {k: v for k, v in response.attributes.items() if k != "replayed"}
    attributes["latency_s"] = round(latency_s, 4)
    return {
        "text": response.text,
        "tool_calls": [c.to_dict() for c in response.tool_calls],
        "usage": response.usage.to_dict(),
        "model": response.model,
        "attributes": jsonable(attributes),
    }


def response_from_dict(data: dict[str, Any], *, replayed: bool = True) -> ModelResponse:
    attributes = dict(data.get("attributes", {}))
    if replayed:
        attributes["replayed"] = True
    return ModelResponse(
        text=data.get("text", ""),
        tool_calls=tuple(ToolCall.from_dict(c) for c in data.get("tool_calls", ())),
        usage=Usage.from_dict(data.get("usage", {"requests": 1})),
        model=data.get("model"),
        attributes=attributes,
    )


class Recordings:
    """A cassette file's header and interactions, indexed by request key."""

    def __init__(
        self, path: Path, interactions: list[dict[str, Any]], header: dict[str, Any],
        *, replace_file: bool = False,
    ) -> None:  # fmt: skip
        self.path = path
        self.header = header
        self.replace_file = replace_file  # record mode: the first append starts a new file
        self.dirty = False  # appended since the header was last written
        self.interactions: list[dict[str, Any]] = []
        # key -> recordings in occurrence order; (key, occurrence) -> recording
        self.by_key: dict[str, list[dict[str, Any]]] = {}
        self.by_key_any_model: dict[str, list[dict[str, Any]]] = {}
        self.by_occurrence: dict[tuple[str, int], dict[str, Any]] = {}
        for item in interactions:
            self.add(item)

    def add(self, item: dict[str, Any]) -> None:
        request = item["request"]
        key = request_key(request)
        same = self.by_key.setdefault(key, [])
        occurrence = item.get("occurrence")
        if not isinstance(occurrence, int):  # files from before occurrences: file order
            occurrence = item["occurrence"] = len(same)
        self.interactions.append(item)
        self.by_occurrence.setdefault((key, occurrence), item)
        any_model = self.by_key_any_model.setdefault(request_key(request, False), [])
        for ordered in (same, any_model):  # after equal occurrences: file order among them
            bisect.insort(ordered, item, key=lambda i: i["occurrence"])

    @classmethod
    def load(cls, path: Path) -> Recordings:
        """Read and check a cassette file (a missing file holds no recordings)."""
        header: dict[str, Any] = {}
        interactions: list[dict[str, Any]] = []
        if not path.exists():
            return cls(path, interactions, header)
        try:
            for number, item in read_jsonl(path, "cassette", skip_cut_tail=True):
                if not header:
                    _check_header(path, item)
                    header = item
                elif item.get("type") == "interaction":
                    _check_interaction(path, number, item)
                    interactions.append(item)
        except JsonlError as exc:
            if not header:
                raise ConfigError(_not_a_cassette(path, None)) from None
            what = "is not JSON" if exc.kind == "json" else f"is {_PROBLEMS_SHORT[exc.kind]}"
            raise ConfigError(f"cassette {exc.path} line {exc.line} {what}: {exc.detail}") from None
        return cls(path, interactions, header)

    def append(self, item: dict[str, Any]) -> None:
        """Add ``item`` and append its line to the file (no rewrite: see ``save``)."""
        self.add(item)
        line = _line(item)
        if self.replace_file or not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(_line(self._new_header()) + line, encoding="utf-8")
            self.replace_file = False
        else:
            with self.path.open("a+b") as file:
                file.seek(0, os.SEEK_END)
                if file.tell():
                    file.seek(-1, os.SEEK_END)
                    if file.read(1) != b"\n":  # a hand-edited file without a final newline
                        line = "\n" + line
                file.write(line.encode("utf-8"))
        self.dirty = True

    def save(self) -> None:
        """Rewrite the file with an up-to-date header, atomically (once, at the block's end)."""
        lines = [_line(self._new_header())] + [_line(i) for i in self.interactions]
        write_lines(self.path, (line.rstrip("\n") for line in lines))
        self.dirty = False

    def _new_header(self) -> dict[str, Any]:
        stamp = now()
        models: list[dict[str, Any]] = []
        for item in self.interactions:
            entry = {"model": item.get("model"), "server": item.get("server")}
            if entry not in models:
                models.append(entry)
        self.header = {
            "type": "header", "format": FORMAT, "version": 1, "agentlab": __version__,
            "created": self.header.get("created", stamp), "updated": stamp, "models": models,
        }  # fmt: skip
        return self.header


def _check_header(path: Path, first: Any) -> None:
    """``ConfigError`` unless ``first`` (the file's first line) is a cassette header."""
    if not isinstance(first, dict) or first.get("format") != FORMAT:
        raise ConfigError(_not_a_cassette(path, first))
    if first.get("version", 1) != 1:
        raise ConfigError(
            f"cassette {path} has format version {first.get('version')!r}; this agentlab "
            "reads version 1: upgrade agentlab-kit, or record it again"
        )


def _check_interaction(path: Path, number: int, item: dict[str, Any]) -> None:
    """``ConfigError`` naming the line unless ``item`` is a well-formed recording."""
    problem = None
    if not isinstance(item.get("request"), dict) or not isinstance(item.get("response"), dict):
        problem = "a recording needs a 'request' and a 'response' object"
    elif not isinstance(item["request"].get("messages"), list):
        problem = "its request has no 'messages' list"
    else:
        try:
            response_from_dict(item["response"])
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            problem = f"its response is malformed ({type(exc).__name__}: {exc})"
    if problem is not None:
        raise ConfigError(
            f"cassette {path}:{number}: {problem}; cassettes are written by al.cassette(...) "
            "and must not be edited by hand: record it again"
        )


def _not_a_cassette(path: Path, first: Any) -> str:
    what = "is not an agentlab cassette (its first line is not a cassette header)"
    if isinstance(first, dict) and first.get("type") == "header" and "trace_id" in first:
        what = "is a saved trace, not a cassette"
    return (
        f"{path} {what}. A cassette records a run's model calls: run it once inside "
        f"`with al.cassette({str(path.with_name('calls.jsonl'))!r}): ...` with a real "
        "model (mode='auto' records what is missing), then replay that file with "
        "al.cassette(path, mode='replay') or al.ReplayModel(path)"
    )


def _line(data: dict[str, Any]) -> str:
    return redact(json.dumps(data, sort_keys=True, ensure_ascii=False)) + "\n"


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# -- replay mismatches: the closest recording and what differs ------------------------
def diff(recorded: Any, requested: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """Leaf-level differences between two JSON values: (path, recorded, requested)."""
    if isinstance(recorded, dict) and isinstance(requested, dict):
        out: list[tuple[str, Any, Any]] = []
        for key in sorted(set(recorded) | set(requested)):
            sub = f"{path}.{key}" if path else str(key)
            if key not in recorded:
                out.append((sub, "(absent)", requested[key]))
            elif key not in requested:
                out.append((sub, recorded[key], "(absent)"))
            else:
                out.extend(diff(recorded[key], requested[key], sub))
        return out
    if isinstance(recorded, list) and isinstance(requested, list):
        out = []
        for i in range(max(len(recorded), len(requested))):
            sub = f"{path}[{i}]"
            if i >= len(recorded):
                out.append((sub, "(absent)", requested[i]))
            elif i >= len(requested):
                out.append((sub, recorded[i], "(absent)"))
            else:
                out.extend(diff(recorded[i], requested[i], sub))
        return out
    return [] if recorded == requested else [(path, recorded, requested)]


def _short(value: Any, width: int = 80) -> str:
    text = value if value == "(absent)" else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 3] + "..."


def mismatch_message(
    recordings: Recordings, normalised: dict[str, Any], occurrence: int, agent: str,
    *, with_model: bool = True,
) -> str:  # fmt: skip
    """Why no recording matches: exhausted repeats, or the closest request and its diff."""
    who = f"agent {agent!r}" if agent else "a model call"
    model = normalised.get("model", "")
    head = f"{who} (model {model!r}) made a request that {recordings.path} has no recording for"
    fix = (
        "Record it with al.cassette(path, mode='auto') and a key set (not in CI: "
        f"{ENV_MODE}=replay forbids recording), or change the request back."
    )
    if not recordings.path.exists():
        return f"{head}: the cassette file does not exist. {fix}"
    key = request_key(normalised, with_model)
    index = recordings.by_key if with_model else recordings.by_key_any_model
    if key in index:
        have = len(index[key])
        return (f"{head}: this exact request was made {occurrence + 1} times but is "
                f"recorded {have} times. {fix}")  # fmt: skip
    candidates = [i["request"] for i in recordings.interactions]
    if not with_model:
        normalised = {k: v for k, v in normalised.items() if k != "model"}
        candidates = [{k: v for k, v in c.items() if k != "model"} for c in candidates]
    if not candidates:
        return f"{head}: the cassette holds no recordings. {fix}"
    best = min((diff(c, normalised) for c in candidates), key=len)
    lines = [f"  {p}: recorded {_short(a)}, requested {_short(b)}" for p, a, b in best[:8]]
    if len(best) > 8:
        lines.append(f"  ... and {len(best) - 8} more differences")
    return (f"{head}. The closest recorded request differs in {len(best)} place(s):\n"
            + "\n".join(lines) + f"\n{fix}")  # fmt: skip
