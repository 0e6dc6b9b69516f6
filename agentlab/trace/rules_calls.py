"""Diagnosis rules over model and tool calls, agents and money.

Kinds: ``repeated_call``, ``ignored_tool_error``, ``money_guard_off``,
``cost_concentration``, ``too_many_agents`` (rules documented in
``agentlab.trace.findings.FINDING_KINDS``). Each rule reads a ``TraceIndex`` only.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from agentlab._format import format_money
from agentlab.trace._index import TraceIndex
from agentlab.trace.findings import Finding
from agentlab.trace.read import call_cost
from agentlab.trace.spans import Span

REPEATS = 3
CONCENTRATION = 0.70
MAX_AGENTS = 7
_OFFLINE_PREFIXES = ("scripted", "function:", "sim:")


def _arguments_key(arguments: Any) -> str:
    try:
        return json.dumps(arguments, sort_keys=True, default=str)
    except (TypeError, ValueError):  # keys of mixed types: compare their text
        return repr(arguments)


def _call_text(name: str, arguments: Any) -> str:
    if isinstance(arguments, dict):
        inner = ", ".join(f"{k}={v!r}" for k, v in arguments.items())
        text = f"{name}({inner})"
    else:
        text = f"{name}({arguments!r})"
    return text if len(text) <= 80 else text[:77] + "..."


def repeated_call(ix: TraceIndex) -> Iterator[Finding]:
    """The same tool call (name, equal arguments) 3+ times in one agent invocation."""
    groups: dict[tuple[Any, str, str], list[Span]] = defaultdict(list)
    for span in ix.kind("tool"):
        parent = ix.by_id.get(span.parent_id)
        if parent is None or parent.kind != "agent" or "function" in span.attributes:
            continue
        key = _arguments_key(span.attributes.get("arguments"))
        groups[(span.parent_id, span.name, key)].append(span)
    for (agent_id, name, _), calls in groups.items():
        if len(calls) < REPEATS:
            continue
        agent = ix.by_id[agent_id].name
        call = _call_text(name, calls[0].attributes.get("arguments"))
        yield Finding(
            "repeated_call",
            "warning",
            (agent_id, *(c.id for c in calls)),
            f"{agent} called {call} {len(calls)} times in one invocation with the same arguments",
            f"make {name}'s result say plainly what it found (or that nothing more will come), "
            f"tell {agent} in its instructions to use a result once, and cap tool calls "
            "with al.Limits(max_tool_calls=...)",
        )


def _asked_for_tools(ix: TraceIndex, model_span: Span) -> bool:
    for index in model_span.messages_out:
        message = ix.message(index)
        if message is not None and message.tool_calls:
            return True
    return False


def ignored_tool_error(ix: TraceIndex) -> Iterator[Finding]:
    """A failed tool call followed by a final answer in the agent's next model turn."""
    for agent in ix.kind("agent"):
        failed: Span | None = None
        for kid in ix.children(agent.id):
            if kid.kind == "tool" and kid.status == "error":
                failed = failed or kid
            elif kid.kind == "model" and failed is not None:
                if kid.status == "ok" and not _asked_for_tools(ix, kid):
                    error = (failed.error or str(failed.output or "an error"))[:120]
                    yield Finding(
                        "ignored_tool_error",
                        "warning",
                        (failed.id, kid.id),
                        f"{agent.name}'s tool {failed.name} failed ({error}) and its next "
                        "model turn gave a final answer without calling a tool again",
                        f"tell {agent.name} in its instructions to retry or report a failed "
                        "tool, or check the answer with an output guard or a gate",
                    )
                failed = None


def _offline(span: Span) -> bool:
    if span.attributes.get("offline"):
        return True
    name = span.model or span.name or ""
    return name.startswith(_OFFLINE_PREFIXES) and "price_source" not in span.attributes


def money_guard_off(ix: TraceIndex) -> Iterator[Finding]:
    """A money limit set while a (non-offline) model answered with no price."""
    root = ix.root
    if root is None:
        return
    limits = root.attributes.get("limits") or {}
    cap = limits.get("max_cost_usd") if isinstance(limits, dict) else None
    if cap is None:
        return
    unpriced: dict[str, list[Span]] = defaultdict(list)
    for span in ix.kind("model"):
        if not call_cost(span)[1] and span.cost_usd is None and not _offline(span):
            unpriced[span.model or span.name].append(span)
    if not unpriced:
        return
    names = sorted(unpriced)
    calls = sum(len(v) for v in unpriced.values())
    yield Finding(
        "money_guard_off",
        "warning",
        (root.id, *(s.id for name in names for s in unpriced[name])),
        f"max_cost_usd={format_money(cap)} is set but {', '.join(names)} has no price: "
        f"{calls} model call(s) spent money the limit could not count",
        "give the model a price (priced_as='provider:model', or a model string the price "
        "table knows) or bound the run with al.Limits(max_tokens=...) instead",
    )


def cost_concentration(ix: TraceIndex) -> Iterator[Finding]:
    """One agent holds 70%+ of the known cost, among two or more agents."""
    known: dict[str, float] = defaultdict(float)
    for span in ix.kind("model"):
        cost, ok = call_cost(span)
        known[span.agent or "?"] += cost if ok else 0.0
    total = sum(known.values())
    if len(known) < 2 or total <= 0:
        return
    agent, top = max(known.items(), key=lambda item: (item[1], item[0]))
    share = top / total
    if share < CONCENTRATION:
        return
    spans = [s.id for s in ix.kind("agent") if s.name == agent]
    spans = spans or [s.id for s in ix.kind("model") if s.agent == agent]
    yield Finding(
        "cost_concentration",
        "info",
        tuple(spans),
        f"{agent} holds {share:.0%} of the known cost ({format_money(top)} of "
        f"{format_money(total)}) across {len(known)} agents",
        f"give {agent} a cheaper model or a shorter context (a handoff filter, fewer "
        "turns), or check that it should do most of the work",
    )


def too_many_agents(ix: TraceIndex) -> Iterator[Finding]:
    """More than 7 distinct agents in one run."""
    names = {span.name for span in ix.kind("agent")}
    if len(names) <= MAX_AGENTS or ix.root is None:
        return
    yield Finding(
        "too_many_agents",
        "info",
        (ix.root.id,),
        f"{len(names)} distinct agents ran in one run (more than {MAX_AGENTS})",
        "merge roles that share tools and instructions; each agent adds calls, cost and "
        "handoffs where context can be lost",
    )
