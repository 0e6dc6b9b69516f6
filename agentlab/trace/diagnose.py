"""``diagnose``: read a trace and point at the article's failure modes.

Runs every rule of ``rules_calls``, ``rules_limits`` and ``rules_structure`` over
one trace (live or loaded with ``Trace.load``) and returns ``Finding``s, ordered by
rule then by where they happen. The kinds and their rules are listed in
``agentlab.trace.findings.FINDING_KINDS``; no model is called.

>>> import agentlab as al
>>> run = al.Agent(name="A", model=al.ScriptedModel(["hi"])).run_sync("hello")
>>> al.diagnose(run), run.diagnose()
([], [])
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from agentlab.trace import rules_calls, rules_limits, rules_structure
from agentlab.trace._index import TraceIndex
from agentlab.trace.findings import Finding
from agentlab.trace.trace import Trace

__all__ = ["diagnose"]

Rule = Callable[[TraceIndex], Iterator[Finding]]

RULES: tuple[Rule, ...] = (
    rules_calls.repeated_call,
    rules_calls.ignored_tool_error,
    rules_structure.handoff_context_lost,
    rules_structure.handoff_bounce,
    rules_structure.unchecked_chain,
    rules_structure.too_many_routes,
    rules_structure.evaluator_plateau,
    rules_limits.near_limit,
    rules_calls.money_guard_off,
    rules_calls.cost_concentration,
    rules_calls.too_many_agents,
)
"""One rule per finding kind, in the order of ``FINDING_KINDS``."""


def diagnose(run_or_trace: Any) -> list[Finding]:
    """Findings about one run: its trace read by structural, deterministic rules.

    Accepts an ``al.Run`` (or anything with a ``.trace``) or an ``al.Trace``, e.g. one
    loaded from disk: ``al.diagnose(al.Trace.load("run.jsonl"))``.

    >>> import agentlab as al
    >>> loop_tool = al.ScriptedModel([al.ToolCall("ping", {})] * 3 + ["done"])
    >>> def ping() -> str:
    ...     "Ping."
    ...     return "pong"
    >>> run = al.Agent(name="A", model=loop_tool, tools=[ping]).run_sync("go")
    >>> [f.kind for f in al.diagnose(run)]
    ['repeated_call']
    """
    trace = run_or_trace
    if not isinstance(trace, Trace):
        trace = getattr(run_or_trace, "trace", None)
    if not isinstance(trace, Trace):
        raise TypeError(
            f"diagnose needs an al.Run or an al.Trace, got {type(run_or_trace).__name__}; "
            "e.g. al.diagnose(run) or al.diagnose(al.Trace.load('run.jsonl'))"
        )
    index = TraceIndex(trace)
    findings: list[Finding] = []
    for rule in RULES:
        findings.extend(rule(index))
    return findings
