"""The designs behind the real-model recordings in ``data/cassettes/``, one module a claim.

Each module builds its designs and runs them in a fixed order (``run_*``). The recording
script (``data/record_cassettes.py``) calls that function inside
``al.cassette(path, mode="record")``; notebooks and tests call the same function inside
``mode="replay"``, so a replay asks exactly the recorded questions, in the recorded
order. Change a design and the replay fails with ``al.ReplayMismatch``: re-record.

The model is SmolLM2-135M-Instruct served by llama.cpp (``make local-model``). Local
calls cost nothing; to show money, the model is priced at gpt-4o-mini's rates
(``priced_as``): tokens and latency are measured, dollars are those tokens at that price.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import agentlab as al

DATA = Path(__file__).resolve().parent.parent
CASSETTES = DATA / "cassettes"
DEFAULT_URL = "http://127.0.0.1:8080/v1"
PRICED_AS = "openai:gpt-4o-mini"


def smollm2(url: str = DEFAULT_URL) -> al.OpenAIModel:
    """The served toy model, priced as gpt-4o-mini (the server is not part of a replay's
    match, so a recording made on any port replays with the default)."""
    return al.OpenAIModel("smollm2", base_url=url, priced_as=PRICED_AS)


def rows(name: str) -> list[dict[str, Any]]:
    """The rows of ``data/<name>.jsonl``."""
    return [json.loads(line) for line in (DATA / name).read_text().splitlines() if line]


def header(path: str | Path) -> dict[str, Any]:
    """A cassette's header line: the models and servers that made it, and when."""
    with Path(path).open() as file:
        return dict(json.loads(file.readline()))


def provenance(path: str | Path) -> str:
    """One line for a notebook: which model, on which server, recorded when."""
    head = header(path)
    models = ", ".join(f"{m['model']} on {m['server']}" for m in head["models"])
    return f"{models}; recorded {head['created'][:10]} (updated {head['updated'][:10]})"
