"""Record the real-model cassettes in data/cassettes/ (needs `make local-model` running).

    make local-model                                  # in another terminal
    .venv/bin/python data/record_cassettes.py --url http://127.0.0.1:8080/v1 [--only chain]

One cassette per claim, each made by running the designs of one module of
``data/recordings/`` inside ``al.cassette(path, mode="record")`` (the header then names
the model, the server and the dates): routing with 3, 5 and 15 labels, chain latency,
parallel cost, voting agreement, an evaluator loop. The model is SmolLM2-135M-Instruct,
a 135M-parameter toy served by llama.cpp with no key: these recordings say something
about this tiny model, not about the models you would deploy. Notebooks and tests
replay them offline through the same functions. Never edit a recording: re-record it.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from recordings import DEFAULT_URL, chain, evaluator, parallel, routing, smollm2, voting
from recordings.routing import classifier, sample_tickets

import agentlab as al

__all__ = ["CLAIMS", "classifier", "main", "sample_tickets"]  # 02 and 07 import the last two

CLAIMS: dict[str, tuple[Path, Callable[[str], Awaitable[list[dict[str, Any]]]]]] = {
    "routing": (routing.FILE, routing.run_routing),
    "chain": (chain.FILE, chain.run_chains),
    "parallel": (parallel.FILE, parallel.run_sectioning),
    "voting": (voting.FILE, voting.run_votes),
    "evaluator": (evaluator.FILE, evaluator.run_loops),
}


def describe(row: dict[str, Any]) -> str:
    """One printed line per run: its fields, its wall time and its model calls' latency."""
    run = row["run"]
    calls = run.trace.find("model")
    busy = sum(float(s.attributes.get("latency_s", 0)) for s in calls)
    fields = " ".join(f"{k}={v!r}" for k, v in row.items() if k not in ("run", "candidates"))
    return (
        f"{fields} | output={str(run.output)[:60]!r} | {len(calls)} calls, wall "
        f"{run.duration_s:.2f} s, calls' latency summed {busy:.2f} s, tokens "
        f"{run.usage.input_tokens}+{run.usage.output_tokens}"
    )


async def record(claim: str, url: str) -> None:
    path, run_all = CLAIMS[claim]
    started = time.perf_counter()
    with al.cassette(path, mode="record") as tape:
        for row in await run_all(url):
            print(claim, describe(row), flush=True)
    print(f"{claim}: {tape.recorded} calls recorded to {path.name} in "
          f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip


async def warm_up(url: str) -> None:
    """One unrecorded call first: a fresh server's first answer is seconds slower (it
    loads the weights into memory), which would show up as latency in the first claim."""
    await al.Agent(name="Warm-up", model=smollm2(url), settings={"max_tokens": 8}).run("Hi")


async def main(url: str, only: list[str]) -> None:
    await warm_up(url)
    for claim in only:
        await record(claim, url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_URL, help="the server's /v1 base URL")
    parser.add_argument("--only", choices=sorted(CLAIMS), action="append",
                        help="record only this claim (repeatable); default: all")  # fmt: skip
    args = parser.parse_args()
    asyncio.run(main(args.url.rstrip("/"), args.only or list(CLAIMS)))
