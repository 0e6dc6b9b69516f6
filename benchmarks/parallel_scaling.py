"""Parallel scaling: 1,000 concurrent branches with 100 ms model latency vs the 100 ms ideal.

Three ways, in one process:

- ``al.Parallel`` with 1,000 branches (one run, one trace), when ``agentlab.patterns``
  has it;
- ``asyncio.gather`` over 1,000 independent ``Agent.run`` calls (1,000 traces);
- the floor: ``asyncio.gather`` over 1,000 bare ``ScriptedModel.respond`` calls.

Plus, for comparison with the peers: 1,000 concurrent zero-latency single-turn runs,
time per run, for agentlab and each installed peer (their fake models from
``overhead.py``).

    python benchmarks/parallel_scaling.py          # prints, writes results/parallel_scaling.json
    python benchmarks/parallel_scaling.py --quick  # fewer rounds
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import time
from typing import Any

from _common import median, table, write_result
from overhead import PEERS, agentlab_runner, available, plain_runner

import agentlab as al
from agentlab.messages import Message
from agentlab.models.base import ModelRequest

BRANCHES = 1000
LATENCY_S = 0.1


def _agent(latency: float, n: int) -> al.Agent:
    return al.Agent(name="Branch", model=al.ScriptedModel(["ok"] * n, latency_s=latency))


def _parallel() -> Any:
    try:
        return al.Parallel  # type: ignore[attr-defined]
    except (AttributeError, ImportError):
        return None


async def with_parallel() -> float:
    agent = _agent(LATENCY_S, BRANCHES)
    block = _parallel()([agent] * BRANCHES, name="Fanout")
    started = time.perf_counter()
    run = await block.run("go", limits=al.Limits(max_cost_usd=None))
    elapsed = time.perf_counter() - started
    assert run.status == "completed", run.stop_detail
    assert len(run.output) == BRANCHES and all(o == "ok" for o in run.output)
    assert len(run.trace.find("branch")) == BRANCHES
    return elapsed


async def with_gather() -> float:
    agent = _agent(LATENCY_S, BRANCHES)
    started = time.perf_counter()
    runs = await asyncio.gather(*(agent.run("go") for _ in range(BRANCHES)))
    elapsed = time.perf_counter() - started
    assert all(r.status == "completed" for r in runs)
    return elapsed


async def floor() -> float:
    model = al.ScriptedModel(["ok"] * BRANCHES, latency_s=LATENCY_S)
    request = ModelRequest((Message.user("go"),))
    started = time.perf_counter()
    await asyncio.gather(*(model.respond(request) for _ in range(BRANCHES)))
    return time.perf_counter() - started


async def concurrent_runs(factory: Any) -> float:
    """Seconds per run for 1,000 zero-latency single-turn runs started at once."""
    once = factory(1, BRANCHES + 10)
    for _ in range(10):
        await once()
    gc.collect()
    started = time.perf_counter()
    await asyncio.gather(*(once() for _ in range(BRANCHES)))
    return (time.perf_counter() - started) / BRANCHES


async def collect(rounds: int) -> dict[str, Any]:
    ways: dict[str, Any] = {"plain asyncio.gather (floor)": floor}
    if _parallel() is not None:
        ways["al.Parallel, 1,000 branches (one run)"] = with_parallel
    else:
        print("al.Parallel: not available yet (agentlab.patterns); measured gather only")
    ways["asyncio.gather of 1,000 Agent runs"] = with_gather
    walls: dict[str, float] = {}
    for name, fn in ways.items():
        await fn()  # warm-up
        samples = []
        for _ in range(rounds):
            gc.collect()
            samples.append(await fn())
        walls[name] = median(samples)
        print(f"  {name}: {walls[name]:.3f} s")
    per_run: dict[str, float | None] = {}
    contenders: dict[str, Any] = {"plain asyncio": plain_runner, "agentlab": agentlab_runner}
    for name, (module, factory) in PEERS.items():
        if available(module):
            contenders[name] = factory
        else:
            print(f"{name}: skipped (not installed; pip install -e '.[bench]')")
            per_run[name] = None
    for name, factory in contenders.items():
        per_run[name] = median([await concurrent_runs(factory) for _ in range(rounds)]) * 1e6
    return {"wall_s": walls, "concurrent_zero_latency_us_per_run": per_run}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one round instead of five")
    args = parser.parse_args()
    rounds = 1 if args.quick else 5
    figures = asyncio.run(collect(rounds))
    rows = [
        [name, f"{wall:.3f}", f"{wall / LATENCY_S:.2f}x"]
        for name, wall in figures["wall_s"].items()
    ]
    print()
    print(table([f"{BRANCHES:,} branches, {LATENCY_S * 1000:.0f} ms latency", "wall s",
                 "vs 100 ms ideal"], rows))  # fmt: skip
    print()
    print(table(["1,000 concurrent zero-latency runs", "us per run"],
                list(figures["concurrent_zero_latency_us_per_run"].items())))  # fmt: skip
    ours = [w for n, w in figures["wall_s"].items() if not n.startswith("plain")]
    goal = all(w <= 1.5 * LATENCY_S for w in ours)
    print(f"\ngoal (within 1.5x of the ideal): {goal}")
    write_result("parallel_scaling", {
        "branches": BRANCHES, "latency_s": LATENCY_S, "rounds": rounds,
        "unit": "wall seconds (median over rounds); us per run for the zero-latency runs",
        **figures, "ideal_s": LATENCY_S, "goal_within_1_5x": goal,
    }, quick=args.quick)  # fmt: skip


if __name__ == "__main__":
    main()
