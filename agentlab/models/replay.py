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

import json
import threading
from pathlib import Path
from typing import Any

from agentlab.errors import ConfigError, ReplayMismatch
from agentlab.models.base import ModelRequest, ModelResponse
from agentlab.models.cassette import (
    ENV_MODE,
    Recordings,
    normalise,
    request_key,
    response_from_dict,
)


class ReplayModel:
    """Replays the recordings of a cassette file; ``ReplayMismatch`` when none matches.

    Args:
        path: The cassette (JSONL) to read; it must exist.
        model: Only replay recordings of this model (``"openai:gpt-4o-mini"``); by
            default any recorded model matches.
        priced_as: Price key; defaults to the recorded model (from the file header).
    """

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
