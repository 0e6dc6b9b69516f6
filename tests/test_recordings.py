"""The real-model recordings behind the notebooks' "simulation beside reality" charts
replay offline through the designs in ``data/recordings/`` that made them.

A changed design (prompt, settings, order of calls) or a stale recording makes a run
fail with ``al.ReplayMismatch``; these tests then name the claim to re-record with
``data/record_cassettes.py --only <claim>``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import agentlab as al

DATA = Path(__file__).resolve().parent.parent / "data"
sys.path.insert(0, str(DATA))

from record_cassettes import CLAIMS  # noqa: E402  (claim -> cassette, the run that made it)
from recordings import evaluator, parallel  # noqa: E402

NOWHERE = "http://127.0.0.1:9/v1"  # nothing listens there: a replay needs no server


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line]


@pytest.mark.parametrize("claim", sorted(CLAIMS))
def test_recording_header_names_model_server_and_dates(claim):
    head, *calls = lines(CLAIMS[claim][0])
    assert head["format"] == "agentlab-cassette" and head["agentlab"]
    assert [m["model"] for m in head["models"]] == ["openai:smollm2"]
    assert head["models"][0]["server"].startswith("http://127.0.0.1:")
    assert head["created"].startswith("20") and head["updated"] >= head["created"]
    assert calls and all(c["response"]["attributes"].get("request_id") for c in calls)
    assert all(c["response"]["attributes"]["latency_s"] > 0 for c in calls)


@pytest.mark.parametrize("claim", sorted(CLAIMS))
async def test_recording_replays_through_the_recording_designs(claim):
    path, run_all = CLAIMS[claim]
    with al.cassette(path, mode="replay") as tape:
        rows = await run_all(NOWHERE)
    mismatches = [r["run"].error for r in rows if isinstance(r["run"].error, al.ReplayMismatch)]
    assert not mismatches, (
        f"{path.name} no longer matches its design: re-record with "
        f"`data/record_cassettes.py --only {claim}`\n{mismatches[0]}"
    )
    assert tape.recorded == 0 and tape.replayed == len(lines(path)) - 1  # every call, once
    models = [s for r in rows for s in r["run"].trace.find("model")]
    assert models and all(s.attributes["replayed"] for s in models)


async def test_priced_recordings_carry_gpt_4o_mini_prices():
    with al.cassette(parallel.FILE, mode="replay"):
        rows = await parallel.run_sectioning(NOWHERE)
    cost = {k: sum(r["run"].cost for r in rows if r["branches"] == k) for k in parallel.ASPECTS}
    assert 0 < cost[1] < cost[2] < cost[4]  # more branches, more tokens, more money


async def test_evaluator_verdicts_went_through_the_json_object_fallback():
    with al.cassette(evaluator.FILE, mode="replay"):
        rows = await evaluator.run_loops(NOWHERE)
    spans = [r["run"].trace.to_pandas() for r in rows]
    judged = [a for f in spans for a in f[(f.kind == "model") & (f.agent == "Judge")].attributes]
    assert judged and all("json_object" in a["response_format_fallback"] for a in judged)
    assert all(1 <= r["iterations"] <= evaluator.MAX_ITERATIONS for r in rows)
