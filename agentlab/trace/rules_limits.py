"""The ``near_limit`` rule: 80% or more of a limit used, and the limit not crossed.

Exactly five limits: the run's ``max_tokens``, ``max_cost_usd`` and ``max_tool_calls``
(from the root span's ``limits``), each agent invocation's ``max_turns`` and each team
turn's ``max_hops``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from agentlab._format import format_money
from agentlab.trace._index import TraceIndex
from agentlab.trace.findings import Finding
from agentlab.trace.read import sum_costs

NEAR = 0.80


def _near(used: float, cap: Any) -> bool:
    if isinstance(cap, bool) or not isinstance(cap, (int, float)) or cap <= 0:
        return False
    return used >= NEAR * cap


def _stopped_by(ix: TraceIndex, limit: str) -> bool:
    root = ix.root
    if root is not None and root.attributes.get("stop_reason") == limit:
        return True
    return any(s.attributes.get("limit", s.name) == limit for s in ix.kind("limit"))


def _run_wide(ix: TraceIndex) -> Iterator[tuple[str, float, Any, str]]:
    root = ix.root
    limits = root.attributes.get("limits") if root is not None else None
    if not isinstance(limits, dict):
        return
    tokens = sum(s.usage.input_tokens + s.usage.output_tokens for s in ix.kind("model") if s.usage)
    yield "max_tokens", tokens, limits.get("max_tokens"), f"{tokens} tokens"
    cost = sum_costs(ix.kind("model"))
    if cost is not None:
        yield "max_cost_usd", cost, limits.get("max_cost_usd"), format_money(cost)
    calls = sum(1 for s in ix.kind("tool") if "call_id" in s.attributes)
    yield "max_tool_calls", calls, limits.get("max_tool_calls"), f"{calls} tool calls"


def near_limit(ix: TraceIndex) -> Iterator[Finding]:
    """Limits used to 80% or more without stopping the run."""
    root = ix.root
    if root is None:
        return
    for limit, used, cap, said in _run_wide(ix):
        if _near(used, cap) and not _stopped_by(ix, limit):
            shown = format_money(cap) if limit == "max_cost_usd" else cap
            yield _finding(root.id, f"the run used {said} of {limit}={shown} ({used / cap:.0%})",
                           f"al.Limits({limit}=...)")  # fmt: skip
    for agent in ix.kind("agent"):
        turns, cap = agent.attributes.get("turns"), agent.attributes.get("max_turns")
        if isinstance(turns, int) and _near(turns, cap) and not ix.limit_hit(agent.id, "max_turns"):
            yield _finding(agent.id, f"{agent.name} took {turns} of max_turns={cap} model turns",
                           "al.Limits(max_turns=...) or the agent's max_turns")  # fmt: skip
    for team in ix.kind("team"):
        hops, cap = team.attributes.get("hops"), team.attributes.get("max_hops")
        if isinstance(hops, int) and _near(hops, cap) and not ix.limit_hit(team.id, "max_hops"):
            yield _finding(team.id, f"the team made {hops} of max_hops={cap} handoffs in one "
                           "user turn", "Team(max_hops=...)")  # fmt: skip


def _finding(span_id: Any, message: str, where: str) -> Finding:
    return Finding(
        "near_limit",
        "info",
        (span_id,),
        f"{message}: close to stopping",
        f"check whether the work needs that much; if it does, raise {where} so normal "
        "inputs do not stop the run",
    )
