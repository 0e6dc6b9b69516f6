"""The span schema: what kinds of step a trace records and what each one holds.

``SPAN_KINDS`` is the one place that says what each kind's ``attributes`` hold; the
runtime, patterns and handoffs write spans of these kinds, and widgets, charts and
reports read them.

>>> from agentlab.trace.spans import SPAN_KINDS
>>> "handoff" in SPAN_KINDS
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from agentlab.usage import Usage

__all__ = ["SPAN_KINDS", "Span", "SpanKind", "SpanStatus", "start_order"]

SpanKind = Literal[
    "run",
    "agent",
    "model",
    "tool",
    "handoff",
    "limit",
    "team",
    "chain",
    "gate",
    "guard",
    "router",
    "route",
    "parallel",
    "branch",
    "merge",
    "vote",
    "orchestrator",
    "plan",
    "evaluator",
    "iteration",
    "evaluation",
]
SpanStatus = Literal["ok", "error", "stopped", "running"]

SPAN_KINDS: dict[str, str] = {
    "run": "root of every run. attrs: runnable, input, limits, status, stop_reason, "
    "stop_detail, cost_budget (why money could not be enforced, if so)",
    "agent": "one invocation of an agent; holds its model and tool spans. attrs: turns, "
    "max_turns, handoffs (names of transfer targets offered)",
    "model": "one model turn. fields: model, usage, cost_usd, messages_in/out. attrs: "
    "turn, latency_s, price_source, offline (True: a free offline model with no price, "
    "e.g. ScriptedModel without priced_as), replayed (a cassette replay: latency_s is the recorded "
    "one); real providers add request_id, response_model, finish_reason, attempts, retries "
    "[{attempt, error, "
    "wait_s}], waited_s + concurrency_limit (when a call waited for a slot)",
    "tool": "one tool call, child of the calling agent's span. attrs: call_id, "
    "arguments, transfer_to (receiver, for transfer_to_* tools); output: the result text "
    "the model saw; status error if it failed (stopped for a refused transfer)",
    "handoff": "a transfer, child of the team span. attrs: from_agent, to_agent, hop, "
    "intent, state, filter ('default' or the filter's name), removed (messages a filter "
    "dropped); messages_in: the default context (history + note); messages_out: exactly "
    "what the receiver got",
    "limit": "a guard fired (status stopped). attrs: limit, value (configured), reached; "
    "edge ([from, to]) for max_hops and handoff_cycle",
    "team": "a Team's user turn. attrs: entry (who got the message), max_hops, hops, "
    "final_agent, turn (1-based, per conversation)",
    "chain": "a Chain. attrs: steps (names). A plain function used as a step, branch or "
    "classifier in any pattern writes a tool span named after it (attrs: function)",
    "gate": "a gate check. attrs: gate, step (whose output it checked), passed, reason",
    "guard": "an agent's input or output guard, child of the agent span. attrs: guard, "
    "stage ('input' or 'output'), passed, reason (when it tripped)",
    "router": "a Router. attrs: routes, fallback",
    "route": "the routing decision. attrs: label (raw), normalized, route (the route key, "
    "'fallback', or None when unknown), handler, fell_back",
    "parallel": "a Parallel block. attrs: branches, max_concurrency, on_error, failed "
    "(indices of branches that failed or stopped)",
    "branch": "one branch of a Parallel block, or one task of an Orchestrator's plan. "
    "attrs: index; worker, task (orchestrator tasks)",
    "merge": "merging branch outputs (a Parallel's merge, an Orchestrator's synthesizer). "
    "attrs: inputs (how many)",
    "vote": "a vote over candidates. attrs: rule, candidates, counts (normalised answer -> "
    "n), winner (normalised), winner_index (branch of the output); output: the pick",
    "orchestrator": "an Orchestrator. attrs: workers, max_tasks",
    "plan": "the orchestrator's plan. attrs: tasks [{worker, task}]",
    "evaluator": "an EvaluatorOptimizer. attrs: max_iterations, accept, iterations (run)",
    "iteration": "one generate-evaluate round. attrs: iteration, score, accepted",
    "evaluation": "the evaluator's verdict (output: the Verdict). attrs: score, feedback, accepted",
}


@dataclass(frozen=True, slots=True)
class Span:
    """One finished (or, for processors' start events, running) step of a run.

    ``start``/``end`` are Unix seconds; ``usage``/``cost_usd`` are set on ``model``
    spans only (aggregates are sums over them), so nothing is counted twice.
    """

    id: int | str
    parent_id: int | str | None
    kind: SpanKind
    name: str
    agent: str | None = None
    start: float = 0.0
    end: float | None = None
    status: SpanStatus = "ok"
    error: str | None = None
    model: str | None = None
    messages_in: tuple[int, ...] = ()
    messages_out: tuple[int, ...] = ()
    output: Any = None
    usage: Usage | None = None
    cost_usd: float | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)

    @property
    def duration_s(self) -> float | None:
        return None if self.end is None else self.end - self.start


def start_order(span: Span) -> tuple[float, str]:
    return (span.start, str(span.id).zfill(12))
