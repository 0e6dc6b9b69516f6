"""Hand-built traces for the widget, chart and report tests.

They are made of ``Span``/``Message`` objects directly (with the attributes that
``spans.SPAN_KINDS`` documents), so these tests do not depend on the pattern and
handoff code, and every figure in them is known.
"""

from __future__ import annotations

from pathlib import Path

from agentlab.messages import Message, ToolCall
from agentlab.trace import Span, Trace
from agentlab.usage import Usage

T0 = 1_700_000_000.0


def _model(id, parent, agent, start, end, ins, outs, tokens=(100, 20), cost=0.001, turn=1):
    return Span(
        id,
        parent,
        "model",
        "gpt-4o-mini",
        agent,
        T0 + start,
        T0 + end,
        model="gpt-4o-mini",
        messages_in=ins,
        messages_out=outs,
        usage=Usage(tokens[0], tokens[1], requests=1),
        cost_usd=cost,
        attributes={"turn": turn},
    )


def handoff_trace() -> Trace:
    """Triage looks an order up (the tool fails once), hands off to Billing, which answers."""
    messages = [
        Message.system("You triage support requests."),
        Message.user("I was charged twice for order 42"),
        Message.assistant(
            "", tool_calls=(ToolCall("lookup_order", {"order_id": "42"}, "c1"),), agent="Triage"
        ),
        Message(
            "tool",
            "Error: KeyError: '42'",
            tool_call_id="c1",
            name="lookup_order",
            is_error=True,
            agent="Triage",
        ),
        Message.assistant(
            "", tool_calls=(ToolCall("transfer_to_billing", {}, "c2"),), agent="Triage"
        ),
        Message.system("You handle billing."),
        Message.assistant("Refund issued for the duplicate charge.", agent="Billing"),
        Message(
            "system",
            "Handoff from Triage to Billing (hop 1).\nIntent: refund the "
            "duplicate charge on order 42\nState: order lookup failed; user is annoyed",
            agent="Triage",
        ),  # the visible handoff note
    ]
    handoff = {
        "from_agent": "Triage",
        "to_agent": "Billing",
        "hop": 1,
        "intent": "refund the duplicate charge on order 42",
        "state": "order lookup failed; user is annoyed",
        "filter": "drop_tool_errors",
        "removed": 2,  # the tool error and the transfer call
    }
    spans = [
        _model(3, 2, "Triage", 0.01, 0.51, (0, 1), (2,)),
        Span(
            4,
            2,
            "tool",
            "lookup_order",
            "Triage",
            T0 + 0.52,
            T0 + 0.53,
            status="error",
            error="KeyError: '42'",
            output="Error: KeyError: '42'",
            attributes={"call_id": "c1", "arguments": {"order_id": "42"}},
        ),
        _model(5, 2, "Triage", 0.54, 0.94, (0, 1, 2, 3), (4,), turn=2),
        Span(
            6,
            2,
            "handoff",
            "transfer_to_billing",
            "Triage",
            T0 + 0.95,
            T0 + 0.96,
            messages_in=(1, 2, 3, 4, 7),  # the default context
            messages_out=(1, 2, 7),  # what the filter left: exactly what Billing got
            attributes=handoff,
        ),
        Span(2, 1, "agent", "Triage", "Triage", T0 + 0.005, T0 + 0.97, attributes={"turns": 2}),
        _model(8, 7, "Billing", 0.98, 1.48, (5, 1, 2, 7), (6,), tokens=(80, 12), cost=0.002),
        Span(
            7, 1, "agent", "Billing", "Billing", T0 + 0.975, T0 + 1.49, output=messages[6].content
        ),
        Span(
            9,
            1,
            "limit",
            "max_hops",
            None,
            T0 + 1.5,
            T0 + 1.5,
            status="stopped",
            error="max_hops=1 reached",
            attributes={
                "limit": "max_hops",
                "value": 1,
                "reached": 1,
                "edge": ["Billing", "Triage"],
            },
        ),
        Span(
            1,
            0,
            "team",
            "Support desk",
            None,
            T0 + 0.002,
            T0 + 1.5,
            status="stopped",
            attributes={"entry": "Triage", "max_hops": 1, "hops": 1, "final_agent": "Billing"},
        ),
        Span(
            0,
            None,
            "run",
            "Support desk",
            None,
            T0,
            T0 + 1.51,
            status="stopped",
            error="max_hops=1 reached",
            output=messages[6].content,
            attributes={
                "runnable": "Team",
                "status": "stopped",
                "stop_reason": "max_hops",
                "stop_detail": "max_hops=1 reached",
            },
        ),
    ]
    return Trace(id="handoff-sample", spans=spans, messages=messages)


def patterns_trace() -> Trace:
    """A router, a vote over 3 branches and an evaluator loop of 3 iterations."""
    spans = [
        Span(0, None, "run", "pipeline", None, T0, T0 + 3.0, attributes={"status": "completed"})
    ]
    spans.append(
        Span(
            1,
            0,
            "route",
            "classify",
            None,
            T0 + 0.1,
            T0 + 0.2,
            attributes={
                "label": "Billing ",
                "normalized": "billing",
                "route": "billing",
                "fell_back": False,
            },
        )
    )
    spans.append(
        Span(
            2,
            0,
            "route",
            "classify",
            None,
            T0 + 0.2,
            T0 + 0.3,
            attributes={
                "label": "weather",
                "normalized": "weather",
                "route": "support",
                "fell_back": True,
            },
        )
    )
    for i in range(3):  # three branches overlap in time: concurrency shows in the timeline
        spans.append(
            Span(
                10 + i,
                3,
                "branch",
                f"branch {i}",
                None,
                T0 + 0.4,
                T0 + 0.9 + i / 10,
                attributes={"index": i},
            )
        )
        spans.append(_model(20 + i, 10 + i, "Solver", 0.41, 0.89 + i / 10, (), (), cost=0.0005))
    spans.append(
        Span(3, 0, "parallel", "vote", None, T0 + 0.4, T0 + 1.2, attributes={"branches": 3})
    )
    spans.append(
        Span(
            4,
            3,
            "vote",
            "majority",
            None,
            T0 + 1.1,
            T0 + 1.2,
            attributes={
                "rule": "majority",
                "candidates": 3,
                "counts": {"42": 2, "41": 1},
                "winner": "42",
            },
        )
    )
    for i, score in enumerate((0.4, 0.7, 0.9), start=1):
        spans.append(
            Span(
                30 + i,
                5,
                "iteration",
                f"iteration {i}",
                None,
                T0 + 1.3 + i / 2,
                T0 + 1.7 + i / 2,
                attributes={"iteration": i, "score": score, "accepted": score >= 0.9},
            )
        )
    spans.append(
        Span(
            5, 0, "evaluator", "polish", None, T0 + 1.3, T0 + 3.0, attributes={"max_iterations": 5}
        )
    )
    return Trace(id="patterns-sample", spans=spans, messages=[])


def manager_trace() -> Trace:
    """Manager style: the Manager calls Researcher twice as a tool (agent under tool span)."""
    spans = [Span(0, None, "run", "Manager", "Manager", T0, T0 + 2.0),
             Span(1, 0, "agent", "Manager", "Manager", T0, T0 + 2.0)]  # fmt: skip
    for n in range(2):
        tool, sub = 10 + 10 * n, 11 + 10 * n
        spans += [Span(tool, 1, "tool", "researcher", "Manager", T0 + n, T0 + n + 0.9),
                  Span(sub, tool, "agent", "Researcher", "Researcher", T0 + n, T0 + n + 0.8),
                  _model(sub + 1, sub, "Researcher", n + 0.1, n + 0.7, (), ())]  # fmt: skip
    return Trace(id="manager-sample", spans=spans, messages=[])


def big_trace(n_agents: int = 2500) -> Trace:
    """``4 * n_agents + 1`` spans (10,001 by default): agents with a model and two tool calls."""
    messages = [Message.user("start")]
    spans = [
        Span(0, None, "run", "big", None, T0, T0 + n_agents, attributes={"status": "completed"})
    ]
    for a in range(n_agents):
        base, start = 1 + 4 * a, float(a)
        messages.append(Message.assistant(f"answer {a}", agent=f"A{a % 7}"))
        spans.append(Span(base, 0, "agent", f"A{a % 7}", f"A{a % 7}", T0 + start, T0 + start + 0.9))
        spans.append(
            _model(
                base + 1,
                base,
                f"A{a % 7}",
                start + 0.1,
                start + 0.5,
                (0,),
                (len(messages) - 1,),
                cost=0.0001,
            )
        )
        for t in range(2):
            spans.append(
                Span(
                    base + 2 + t,
                    base,
                    "tool",
                    f"tool{t}",
                    f"A{a % 7}",
                    T0 + start + 0.5 + t / 10,
                    T0 + start + 0.55 + t / 10,
                    output=f"result {a}.{t}",
                    attributes={"arguments": {"n": a}},
                )
            )
    return Trace(id="big-sample", spans=spans, messages=messages)


DEMO_CELLS = [
    "import agentlab as al\ntrace = al.Trace.load('handoff.jsonl')\nal.show(trace)",
    "al.charts.cost_by_agent(trace)",
    "al.compare(trace, trace, titles=['good', 'same'])",
]


def write_demo_notebook(folder) -> Path:
    """A notebook that shows the handoff trace, a chart and a comparison (for report tests)."""
    import nbformat

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    handoff_trace().save(folder / "handoff.jsonl")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in DEMO_CELLS]
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = folder / "demo.ipynb"
    nbformat.write(notebook, path)
    return path
