"""Record and replay model calls: ``al.cassette(path)`` blocks (``al.ReplayModel`` reads them).

Inside ``with al.cassette("data/cassettes/triage.jsonl", mode="auto"):`` every call to a
real model (offline models pass through) is matched on its normalised request (model,
messages, tools, settings, output schema): the n-th occurrence of an identical request
(counted when the call starts) replays the recording made for the n-th occurrence, so
identical calls made at the same time get their own answers whatever order they finished
in. Modes:

- ``"auto"``: replay when a recording matches, else call the model and record;
- ``"replay"``: never call; no recording raises ``al.ReplayMismatch`` (the run fails)
  showing the closest recorded request and what differs;
- ``"record"``: call the model for everything and rewrite the file.

Each new recording is appended to the file as it is made (a run that dies half-way
keeps what it recorded); the header's ``updated`` and ``models`` are brought up to date
once, when the block ends.

``AGENTLAB_CASSETTE_MODE=replay`` in the environment forces a mode (CI sets it, so CI
never records). Replayed model spans keep the recorded usage, cost and latency and
carry ``replayed: true``. Under a cassette that may replay, a missing API key is not
an error at run start (recordings need none).

File format (JSONL, one object per line, keys sorted, secrets redacted)::

    {"type": "header", "format": "agentlab-cassette", "version": 1, "agentlab": "0.1.0",
     "created": "...", "updated": "...", "models": [{"model": "openai:gpt-4o-mini",
     "server": "https://api.openai.com/v1"}]}
    {"type": "interaction", "model": "...", "server": "...", "recorded": "...",
     "agent": "Support", "occurrence": 0, "request": {...}, "response": {...}}

>>> import agentlab as al
>>> with al.cassette("data/cassettes/triage.jsonl"):      # doctest: +SKIP
...     run = agent.run_sync("I was charged twice")
"""

from __future__ import annotations

import asyncio
import bisect
import datetime as dt
import json
import os
import threading
import time
from pathlib import Path
from typing import Any, Literal

from agentlab.errors import ConfigError, ReplayMismatch
from agentlab.messages import ToolCall
from agentlab.models.base import CASSETTE, Model, ModelRequest, ModelResponse
from agentlab.pricing import Usage
from agentlab.redact import public_settings, redact

Mode = Literal["auto", "record", "replay"]
MODES = ("auto", "record", "replay")
ENV_MODE = "AGENTLAB_CASSETTE_MODE"
FORMAT = "agentlab-cassette"


def model_id(model: Any) -> str:
    """The model part of a request key: ``"openai:gpt-4o-mini"`` (server not included)."""
    provenance = getattr(model, "provenance", None)
    if callable(provenance):
        return str(provenance()["model"])
    return str(getattr(model, "name", type(model).__name__))


def normalise(model: str | None, request: ModelRequest) -> dict[str, Any]:
    """The parts of a request that decide the answer, as plain JSON data."""
    from agentlab.trace_io import jsonable

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
    from agentlab.trace_io import jsonable

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
        header: dict[str, Any] = {}
        interactions: list[dict[str, Any]] = []
        if path.exists():
            text = path.read_text(encoding="utf-8")
            lines = text.splitlines()
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except ValueError as exc:
                    if not header:
                        raise ConfigError(_not_a_cassette(path, None)) from None
                    if number == len(lines) and not text.endswith("\n"):
                        break  # a line cut short when a recording process died: skip it
                    raise ConfigError(f"cassette {path} line {number} is not JSON: {exc}") from None
                if not header:
                    _check_header(path, item)
                if item.get("type") == "header":
                    header = item
                elif item.get("type") == "interaction":
                    interactions.append(item)
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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        tmp.write_text("".join(lines), encoding="utf-8")
        os.replace(tmp, self.path)
        self.dirty = False

    def _new_header(self) -> dict[str, Any]:
        from agentlab import __version__

        now = _now()
        models: list[dict[str, Any]] = []
        for item in self.interactions:
            entry = {"model": item.get("model"), "server": item.get("server")}
            if entry not in models:
                models.append(entry)
        self.header = {
            "type": "header", "format": FORMAT, "version": 1, "agentlab": __version__,
            "created": self.header.get("created", now), "updated": now, "models": models,
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


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _is_offline(model: Any) -> bool:
    from agentlab.models.replay import ReplayModel
    from agentlab.models.scripted import FunctionModel, ScriptedModel

    return isinstance(model, (ScriptedModel, FunctionModel, ReplayModel))


class Cassette:
    """A record/replay block; use ``al.cassette(path, mode)`` to make one.

    ``replayed`` and ``recorded`` count what happened inside the block.
    """

    def __init__(self, path: str | Path, mode: Mode = "auto", *, realtime: bool = False) -> None:
        if mode not in MODES:
            raise ConfigError(f"cassette mode={mode!r}; write one of {', '.join(map(repr, MODES))}")
        forced = os.environ.get(ENV_MODE, "").strip()
        if forced and forced not in MODES:
            raise ConfigError(f"{ENV_MODE}={forced!r}; set it to one of {', '.join(MODES)}")
        self.path = Path(path)
        self.mode: Mode = forced or mode  # type: ignore[assignment]
        self.realtime = realtime
        self.replayed = 0
        self.recorded = 0
        self._lock = threading.Lock()
        self._seen: dict[str, int] = {}
        self._token: Any = None
        self._recordings: Recordings | None = None

    @property
    def may_replay(self) -> bool:
        return self.mode != "record"

    def recordings(self) -> Recordings:
        if self._recordings is None:
            if self.mode == "record":
                self._recordings = Recordings(self.path, [], {}, replace_file=True)
            else:
                self._recordings = Recordings.load(self.path)
        return self._recordings

    def __enter__(self) -> Cassette:
        self._seen.clear()
        self._recordings = None
        self._token = CASSETTE.set(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        CASSETTE.reset(self._token)
        with self._lock:
            if self._recordings is not None and self._recordings.dirty:
                self._recordings.save()  # the header, brought up to date once

    async def respond(self, model: Model, request: ModelRequest) -> ModelResponse:
        """Replay a matching recording, or call ``model`` and record (per the mode)."""
        if _is_offline(model):
            return await model.respond(request)
        normalised = normalise(model_id(model), request)
        key = request_key(normalised)
        with self._lock:
            recordings = self.recordings()
            occurrence = self._seen.get(key, 0)
            self._seen[key] = occurrence + 1
            found = recordings.by_occurrence.get((key, occurrence))
            hit = found if self.mode != "record" else None
        if hit is not None:
            self.replayed += 1
            return await _replay(hit, self.realtime)
        if self.mode == "replay":
            from agentlab.models.replay import mismatch_message

            raise ReplayMismatch(
                mismatch_message(recordings, normalised, occurrence, request.agent)
            )
        started = time.perf_counter()
        response = await model.respond(request)
        latency = time.perf_counter() - started
        item = _interaction(model, request, normalised, response, latency, occurrence)
        with self._lock:
            recordings.append(item)
            self.recorded += 1
        # the live span shows the latency that was recorded, so replays match it exactly
        return response_from_dict(item["response"], replayed=False)

    def __repr__(self) -> str:
        counts = f"{self.replayed} replayed, {self.recorded} recorded"
        return f"<cassette {self.path} mode={self.mode}: {counts}>"


def cassette(path: str | Path, mode: Mode = "auto", *, realtime: bool = False) -> Cassette:
    """Record model calls to ``path`` and replay them (see the module docstring).

    ``realtime=True`` waits each recording's latency when replaying (timings in charts
    then look live); by default replay is instant and spans keep the recorded latency.

    >>> with cassette("data/cassettes/triage.jsonl", mode="replay"):   # doctest: +SKIP
    ...     run = await agent.run("I was charged twice")
    """
    return Cassette(path, mode, realtime=realtime)


async def _replay(item: dict[str, Any], realtime: bool) -> ModelResponse:
    response = response_from_dict(item["response"])
    if realtime:
        await asyncio.sleep(float(response.attributes.get("latency_s", 0.0)))
    return response


def _interaction(
    model: Any, request: ModelRequest, normalised: dict[str, Any], response: ModelResponse,
    latency_s: float, occurrence: int,
) -> dict[str, Any]:  # fmt: skip
    provenance = getattr(model, "provenance", None)
    where = provenance() if callable(provenance) else {"model": model_id(model), "server": None}
    return {
        "type": "interaction", "model": where["model"], "server": where.get("server"),
        "recorded": _now(), "agent": request.agent or None, "occurrence": occurrence,
        "request": normalised,
        "response": response_to_dict(response, latency_s),
    }  # fmt: skip
