"""Diagnose scaling: ``al.diagnose`` on a 100,000-span trace, against ``to_pandas()``.

The trace has the shape of ``trace_scaling.py``'s big run (one ``run`` span, 10,000
``agent`` spans, each with 4 ``model`` and 5 ``tool`` spans), under a ``chain`` span
with a money limit, and with failure modes planted so every rule has work to do: one
agent in 100 repeats its tool call, one in 100 has a tool error it ignores. The
baseline, ``Trace.to_pandas()`` of the same trace, is measured in the same run, so the
ratio holds when the machine is busy.

    python benchmarks/diagnose_scaling.py          # prints, writes results/diagnose_scaling.json
    python benchmarks/diagnose_scaling.py --quick  # 10,000 spans, one round
"""

from __future__ import annotations

import argparse
from collections import Counter
from typing import Any

from _common import table, write_result
from trace_scaling import timed

import agentlab as al
from agentlab.messages import Message, ToolCall
from agentlab.trace import Trace
from agentlab.usage import Usage


def _agent(trace: Trace, parent: Any, a: int, usage: Usage) -> None:
    name = f"Agent{a % 7}"
    repeat, ignored = a % 100 == 0, a % 100 == 50
    with trace.start_span("agent", name, parent, agent=name) as agent:
        agent.attributes = {"turns": 4, "max_turns": 10}
        for turn in range(4):
            with trace.start_span("model", "gpt-4o-mini", agent.id, agent=name) as model:
                calls = () if turn == 3 else (ToolCall("lookup", {"id": turn}),)
                index = trace.add_message(Message.assistant(f"answer {a}.{turn}", tool_calls=calls))
                model.model = "openai:gpt-4o-mini"
                model.messages_in = (index,)
                model.messages_out = (index,)
                model.usage = usage
                model.cost_usd = 0.000036
                model.attributes = {"turn": turn + 1, "latency_s": 0.5}
            if turn == 3:
                break
            with trace.start_span("tool", "lookup", agent.id, agent=name) as tool:
                args = {"id": 0} if repeat else {"id": turn}
                tool.attributes = {"call_id": f"c{a}_{turn}", "arguments": args}
                tool.output = "order 42: shipped"
                if ignored and turn == 2:
                    tool.status, tool.error = "error", "KeyError: '42'"
        for t in range(2):
            with trace.start_span("tool", "fetch", agent.id, agent=name) as tool:
                tool.attributes = {"call_id": f"f{a}_{t}", "arguments": {"page": t}}
        agent.output = "done"


def build(agents: int) -> Trace:
    trace = Trace()
    usage = Usage(input_tokens=120, output_tokens=30, requests=1)
    with trace.start_span("run", "Big", None) as root:
        root.attributes = {"limits": {"max_cost_usd": 100.0, "max_tokens": None}}
        with trace.start_span("chain", "Steps", root.id) as chain:
            for a in range(agents):
                _agent(trace, chain.id, a, usage)
        root.output = "done"
    return trace


def collect(agents: int, rounds: int) -> dict[str, Any]:
    import pandas  # noqa: F401 - imported up front, so to_pandas times the work only

    trace = build(agents)
    spans = len(trace.spans)
    diagnose_s, findings = timed(lambda: al.diagnose(trace), rounds)
    pandas_s, frame = timed(trace.to_pandas, rounds)
    assert len(frame) == spans
    kinds = Counter(f.kind for f in findings)
    assert kinds["repeated_call"] and kinds["ignored_tool_error"], kinds
    return {
        "spans": spans, "messages": len(trace.messages), "findings": dict(kinds),
        "seconds": {"al.diagnose": diagnose_s, "Trace.to_pandas (baseline)": pandas_s},
        "diagnose_over_to_pandas": diagnose_s / pandas_s,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 spans, one round")
    args = parser.parse_args()
    agents, rounds = (1_000, 1) if args.quick else (10_000, 5)
    figures = collect(agents, rounds)
    spans = figures["spans"]
    rows = [[step, f"{s:.3f}", f"{s / spans * 1e6:.2f}"] for step, s in figures["seconds"].items()]
    print(f"{spans:,} spans, {figures['messages']:,} messages, findings {figures['findings']}")
    print(table(["step", "seconds", "us per span"], rows))
    ratio = figures["diagnose_over_to_pandas"]
    print(f"\nal.diagnose / to_pandas in this run: {ratio:.2f}x")
    goal = figures["seconds"]["al.diagnose"] < 1.0
    print(f"goal (al.diagnose of 100,000 spans under 1 s): {goal if spans >= 100_000 else 'n/a'}")
    write_result("diagnose_scaling", {
        "unit": "seconds (median over rounds)", "rounds": rounds, **figures,
        "goal_diagnose_under_1s": goal if spans >= 100_000 else None,
    }, quick=args.quick)  # fmt: skip


if __name__ == "__main__":
    main()
