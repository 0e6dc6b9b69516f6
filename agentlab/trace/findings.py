"""Findings: what ``al.diagnose`` says about a trace, and the closed set of kinds.

A ``Finding`` points at spans of one trace and says what happened (with numbers) and
what to change. Its ``kind`` is one of ``FINDING_KINDS`` below; each kind's rule is
documented there and implemented in ``rules_calls`` / ``rules_structure``. The rules
are structural and deterministic: they read the trace only, no model is called.

>>> f = Finding("too_many_agents", "info", (0,), "9 agents", "merge some roles")
>>> f.kind, f.span_ids
('too_many_agents', (0,))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["FINDING_KINDS", "Finding", "FindingKind", "Severity"]

FindingKind = Literal[
    "repeated_call",
    "ignored_tool_error",
    "handoff_context_lost",
    "handoff_bounce",
    "unchecked_chain",
    "too_many_routes",
    "evaluator_plateau",
    "near_limit",
    "money_guard_off",
    "cost_concentration",
    "too_many_agents",
]
Severity = Literal["info", "warning"]

FINDING_KINDS: dict[str, tuple[Severity, str]] = {
    "repeated_call": (
        "warning",
        "one agent invocation made the same tool call (name and equal arguments) 3 or "
        "more times. Spans: the agent span, then the repeated tool spans.",
    ),
    "ignored_tool_error": (
        "warning",
        "a tool result was an error and the agent's next model turn gave a final answer "
        "without calling any tool again. Spans: the tool span, the answering model span.",
    ),
    "handoff_context_lost": (
        "warning",
        "a transfer whose receiver got none of the user-role messages from before the "
        "handoff, or whose intent is empty. Spans: the handoff span.",
    ),
    "handoff_bounce": (
        "info",
        "within one user turn control went A -> B -> A (allowed or refused). Spans: the "
        "two transfers (handoff spans, or the refused transfer's tool span).",
    ),
    "unchecked_chain": (
        "info",
        "a chain of 3 or more agent steps (function steps do not count) with no gate and "
        "no output guard (an agent span with non-empty attrs output_guards or a child "
        "guard span). Spans: the chain span.",
    ),
    "too_many_routes": ("warning", "a router with more than 5 routes. Spans: the router span."),
    "evaluator_plateau": (
        "info",
        "an evaluator-optimizer stopped at max_iterations with its last 3 numeric scores "
        "within 0.05 (max - min <= 0.05). Spans: the evaluator, then the last 3 iterations.",
    ),
    "near_limit": (
        "info",
        "the run used 80% or more of a limit it did not cross; only max_tokens, "
        "max_cost_usd, max_tool_calls, an agent's max_turns and a team's max_hops. "
        "Spans: the run span (tokens, money, tool calls), the agent or team span.",
    ),
    "money_guard_off": (
        "warning",
        "a money limit (max_cost_usd) is set but a model in the run answered with no "
        "price, so the limit cannot act. Free offline models (ScriptedModel, FunctionModel "
        "without priced_as) do not count. Spans: the run span, then those model spans.",
    ),
    "cost_concentration": (
        "info",
        "two or more agents made model calls and one holds 70% or more of the known cost "
        "(a model call's cost belongs to the agent that made it). Spans: that agent's "
        "agent spans.",
    ),
    "too_many_agents": ("info", "more than 7 distinct agents in one run. Spans: the run span."),
}
"""Every finding kind: (severity, the rule). A closed set: ``Finding`` refuses others."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing ``al.diagnose`` found in a trace.

    ``kind``: one of ``FINDING_KINDS``; ``severity``: ``"info"`` or ``"warning"``;
    ``span_ids``: the spans it points at (at least one; the run span for run-wide
    findings); ``message``: what happened, with numbers; ``suggestion``: what to change.

    >>> import agentlab as al
    >>> run = al.Agent(name="A", model=al.ScriptedModel(["hi"])).run_sync("hello")
    >>> al.diagnose(run)
    []
    """

    kind: FindingKind
    severity: Severity
    span_ids: tuple[int | str, ...]
    message: str
    suggestion: str

    def __post_init__(self) -> None:
        if self.kind not in FINDING_KINDS:
            known = ", ".join(FINDING_KINDS)
            raise ValueError(f"unknown finding kind {self.kind!r}; one of: {known}")
        if self.severity not in ("info", "warning"):
            raise ValueError(f"severity must be 'info' or 'warning', got {self.severity!r}")
        if not self.span_ids:
            raise ValueError("a finding points at one span at least (the run span if run-wide)")

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for JSON, the viewer, a DataFrame row)."""
        return {
            "kind": self.kind,
            "severity": self.severity,
            "span_ids": list(self.span_ids),
            "message": self.message,
            "suggestion": self.suggestion,
        }

    def __str__(self) -> str:
        return f"[{self.severity}] {self.kind}: {self.message} -> {self.suggestion}"
