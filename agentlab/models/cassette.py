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

    def __init__(self, path: Path, interactions: list[dict[str, Any]], header: dict[str, Any]):
        self.path = path
        self.header = header
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
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except ValueError as exc:
                    raise ConfigError(f"cassette {path} line {number} is not JSON: {exc}") from None
                if item.get("type") == "header":
                    header = item
                elif item.get("type") == "interaction":
                    interactions.append(item)
        return cls(path, interactions, header)

    def save(self) -> None:
        """Rewrite the file (header first), atomically."""
        from agentlab import __version__

        now = _now()
        models: list[dict[str, Any]] = []
        for item in self.interactions:
            entry = {"model": item.get("model"), "server": item.get("server")}
            if entry not in models:
                models.append(entry)
        header = {
            "type": "header", "format": FORMAT, "version": 1, "agentlab": __version__,
            "created": self.header.get("created", now), "updated": now, "models": models,
        }  # fmt: skip
        self.header = header
        lines = [json.dumps(header, sort_keys=True, ensure_ascii=False)]
        lines += [json.dumps(i, sort_keys=True, ensure_ascii=False) for i in self.interactions]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        tmp.write_text(redact("\n".join(lines) + "\n"), encoding="utf-8")
        os.replace(tmp, self.path)


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
                self._recordings = Recordings(self.path, [], {})
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
            raise ReplayMismatch(
                mismatch_message(recordings, normalised, occurrence, request.agent)
            )
        started = time.perf_counter()
        response = await model.respond(request)
        latency = time.perf_counter() - started
        item = _interaction(model, request, normalised, response, latency, occurrence)
        with self._lock:
            recordings.add(item)
            recordings.save()
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
