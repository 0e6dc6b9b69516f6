"""``al.ReplayModel(path)``: a plain model object that answers from a cassette file.
(Also here: ``mismatch_message``, why a request has no recording, for both.)

It matches requests like a ``cassette`` block in ``"replay"`` mode (messages, tools,
settings, output schema; the recorded model too when ``model=`` is given), never
calls a provider and needs no key. The n-th identical request (counted when it starts)
gets the recording of the n-th occurrence (recordings are ordered by the ``occurrence``
their call had when it started, not by when it finished);
once they are used up it starts again from the first, so re-running a notebook cell
replays the same run. Its price is the recorded model's, so cost is the recorded cost.

>>> import agentlab as al
>>> agent = al.Agent(name="Triage", model=al.ReplayModel("data/cassettes/triage.jsonl"))
... # doctest: +SKIP
"""

from __future__ import annotations

import threading
from pathlib import Path

from agentlab.errors import ConfigError, ReplayMismatch
from agentlab.models._recordings import (
    Recordings,
    mismatch_message,
    normalise,
    request_key,
    response_from_dict,
)
from agentlab.models.base import ModelRequest, ModelResponse


class ReplayModel:
    """Replays the recordings of a cassette file; ``ReplayMismatch`` when none matches.

    Args:
        path: The cassette (JSONL) to read; it must exist.
        model: Only replay recordings of this model (``"openai:gpt-4o-mini"``); by
            default any recorded model matches.
        priced_as: Price key; defaults to the recorded model (from the file header).
    """

    offline = True  # no provider behind it: cassettes pass it through, no key needed

    def __init__(
        self, path: str | Path, *, model: str | None = None, priced_as: str | None = None
    ) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise ConfigError(
                f"cassette {self.path} does not exist; record one first with "
                f"`with al.cassette({str(self.path)!r}): ...` around a run with a real model"
            )
        self.recordings = Recordings.load(self.path)
        self.model = model
        recorded = sorted({str(i.get("model")) for i in self.recordings.interactions})
        if model is not None and model not in recorded:
            raise ConfigError(
                f"cassette {self.path} has no recordings of model {model!r}; it holds "
                f"{recorded or 'none'}"
            )
        only = model or (recorded[0] if len(recorded) == 1 else None)
        self.name = f"replay:{only or self.path.name}"
        self.price_key = priced_as or only
        self._seen: dict[str, int] = {}
        self._lock = threading.Lock()

    async def respond(self, request: ModelRequest) -> ModelResponse:
        normalised = normalise(self.model, request)
        key = request_key(normalised, with_model=self.model is not None)
        index = self.recordings.by_key if self.model else self.recordings.by_key_any_model
        found = index.get(key)
        if not found:
            with_model = self.model is not None
            message = mismatch_message(
                self.recordings, normalised, 0, request.agent, with_model=with_model
            )
            raise ReplayMismatch(message)
        with self._lock:
            occurrence = self._seen.get(key, 0)
            self._seen[key] = occurrence + 1
        return response_from_dict(found[occurrence % len(found)]["response"])

    def __repr__(self) -> str:
        count = len(self.recordings.interactions)
        return f"ReplayModel({str(self.path)!r}, {count} recordings)"
