"""Trace scaling: build, save, load and ``to_pandas()`` of a 100,000-span trace.

The trace has the shape of a big run: one ``run`` span, 10,000 ``agent`` spans, each
with 4 ``model`` spans (usage, cost, one message in and out) and 5 ``tool`` spans,
built through the same span API the runtime uses (``Trace.start_span``).

    python benchmarks/trace_scaling.py          # prints, writes results/trace_scaling.json
    python benchmarks/trace_scaling.py --quick  # 10,000 spans
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _common import median, table, write_result

from agentlab.messages import Message
from agentlab.trace import Trace
from agentlab.usage import Usage

SPANS_PER_AGENT = 10  # agent + 4 model + 5 tool


def build(agents: int) -> Trace:
    trace = Trace()
    usage = Usage(input_tokens=120, output_tokens=30, requests=1)
    with trace.start_span("run", "Big", None) as root:
        for a in range(agents):
            name = f"Agent{a % 7}"
            with trace.start_span("agent", name, root.id, agent=name) as agent:
                for turn in range(4):
                    with trace.start_span("model", "gpt-4o-mini", agent.id, agent=name) as model:
                        index = trace.add_message(Message.assistant(f"answer {a}.{turn}"))
                        model.model = "openai:gpt-4o-mini"
                        model.messages_in = (index,)
                        model.messages_out = (index,)
                        model.usage = usage
                        model.cost_usd = 0.000036
                        model.attributes = {"turn": turn + 1, "latency_s": 0.5}
                for t in range(5):
                    with trace.start_span("tool", "lookup", agent.id, agent=name) as tool:
                        tool.attributes = {"call_id": f"c{a}_{t}", "arguments": {"id": t}}
                        tool.output = "order 42: shipped"
                agent.output = "done"
        root.output = "done"
    return trace


def timed(fn: Callable[[], Any], rounds: int) -> tuple[float, Any]:
    samples = []
    value = None
    for _ in range(rounds):
        gc.collect()
        started = time.perf_counter()
        value = fn()
        samples.append(time.perf_counter() - started)
    return median(samples), value


def collect(agents: int, rounds: int) -> dict[str, Any]:
    import pandas  # noqa: F401 - imported once up front, so to_pandas times the work only

    build_s, trace = timed(lambda: build(agents), rounds)
    spans = len(trace.spans)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.jsonl"
        save_s, _ = timed(lambda: trace.save(path), rounds)
        size_mb = path.stat().st_size / 1e6
        load_s, loaded = timed(lambda: Trace.load(path), rounds)
    assert loaded.spans == trace.spans and loaded.messages == trace.messages
    pandas_s, frame = timed(trace.to_pandas, rounds)
    assert len(frame) == spans
    loaded_pandas_s, _ = timed(loaded.to_pandas, rounds)
    usage_s, _ = timed(lambda: (trace.usage, trace.cost), rounds)
    return {
        "spans": spans, "messages": len(trace.messages), "file_mb": round(size_mb, 2),
        "seconds": {
            "build": build_s, "save": save_s, "load": load_s, "to_pandas": pandas_s,
            "to_pandas (loaded)": loaded_pandas_s, "usage + cost": usage_s,
        },
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 spans, one round")
    args = parser.parse_args()
    agents, rounds = (1_000, 1) if args.quick else (10_000, 3)
    figures = collect(agents, rounds)
    spans = figures["spans"]
    rows = [[step, f"{s:.3f}", f"{s / spans * 1e6:.1f}"] for step, s in figures["seconds"].items()]
    print(f"{spans:,} spans, {figures['messages']:,} messages, file {figures['file_mb']} MB")
    print(table(["step", "seconds", "us per span"], rows))
    goal = figures["seconds"]["to_pandas"] < 1.0
    print(f"\ngoal (to_pandas of 100,000 spans under 1 s): {goal if spans >= 100_000 else 'n/a'}")
    write_result("trace_scaling", {
        "unit": "seconds (median over rounds)", "rounds": rounds, **figures,
        "goal_to_pandas_under_1s": goal if spans >= 100_000 else None,
    }, quick=args.quick)  # fmt: skip


if __name__ == "__main__":
    main()
