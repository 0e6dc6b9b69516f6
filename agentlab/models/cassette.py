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

The file format is in ``models/_recordings.py``.

>>> import agentlab as al
>>> with al.cassette("data/cassettes/triage.jsonl"):      # doctest: +SKIP
...     run = agent.run_sync("I was charged twice")
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path
from typing import Any, Literal

from agentlab.errors import ConfigError, ReplayMismatch
from agentlab.models._recordings import (
    ENV_MODE,
    Recordings,
    mismatch_message,
    model_id,
    normalise,
    now,
    request_key,
    response_from_dict,
    response_to_dict,
)
from agentlab.models.base import CASSETTE, Model, ModelRequest, ModelResponse

Mode = Literal["auto", "record", "replay"]
MODES = ("auto", "record", "replay")


def _is_offline(model: Any) -> bool:
    """Offline models (scripted, function, replay) pass through a cassette unrecorded."""
    return getattr(model, "offline", False) is True


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
        "recorded": now(), "agent": request.agent or None, "occurrence": occurrence,
        "request": normalised,
        "response": response_to_dict(response, latency_s),
    }  # fmt: skip
