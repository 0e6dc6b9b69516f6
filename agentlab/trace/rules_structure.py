"""Diagnosis rules over the structure of a run: handoffs, chains, routers, evaluators.

Kinds: ``handoff_context_lost``, ``handoff_bounce``, ``unchecked_chain``,
``too_many_routes``, ``evaluator_plateau`` (rules documented in
``agentlab.trace.findings.FINDING_KINDS``). Each rule reads a ``TraceIndex`` only.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from typing import Any

from agentlab.trace._index import TraceIndex
from agentlab.trace.findings import Finding
from agentlab.trace.spans import Span, start_order

CHAIN_STEPS = 3
MAX_ROUTES = 5
PLATEAU_ROUNDS = 3
PLATEAU_SPREAD = 0.05


def _user_texts(ix: TraceIndex, indices: tuple[int, ...]) -> dict[int, str]:
    found = {}
    for i in indices:
        message = ix.message(i)
        if message is not None and message.role == "user":
            found[i] = str(message.content)
    return found


def handoff_context_lost(ix: TraceIndex) -> Iterator[Finding]:
    """A transfer that dropped every user message, or carried no intent."""
    for span in ix.kind("handoff"):
        src, dst = span.attributes.get("from_agent", "?"), span.attributes.get("to_agent", "?")
        before = _user_texts(ix, span.messages_in)
        got = _user_texts(ix, span.messages_out)
        lost = (
            bool(before)
            and not (before.keys() & got.keys())
            and not (set(before.values()) & set(got.values()))
        )
        intent = span.attributes.get("intent")
        empty = intent is None or not str(intent).strip()
        if not lost and not empty:
            continue
        what = []
        if lost:
            what.append(f"none of the {len(before)} user message(s) from before it")
        if empty:
            what.append("no intent")
        yield Finding(
            "handoff_context_lost",
            "warning",
            (span.id,),
            f"the transfer {src} -> {dst} (hop {span.attributes.get('hop', '?')}) gave "
            f"{dst} {' and '.join(what)}",
            "keep the user's words across the handoff (a filter that keeps user messages) "
            f"and have {src} state the intent when it transfers",
        )


def _transfers(ix: TraceIndex, team: Span) -> list[tuple[str, str, Span]]:
    """(from, to, span) of each transfer in a user turn: handoffs and refused ones."""
    moves = []
    for kid in ix.children(team.id):
        if kid.kind == "handoff":
            moves.append((kid.attributes.get("from_agent"), kid.attributes.get("to_agent"), kid))
        elif kid.kind == "agent":
            for tool in ix.children(kid.id):
                target = tool.attributes.get("transfer_to")
                if target and tool.kind == "tool" and tool.status != "ok":
                    moves.append((tool.agent or kid.name, target, tool))
    moves.sort(key=lambda move: start_order(move[2]))
    return [(str(a), str(b), s) for a, b, s in moves]


def handoff_bounce(ix: TraceIndex) -> Iterator[Finding]:
    """Control went A -> B -> A within one user turn (allowed or refused)."""
    for team in ix.kind("team"):
        moves = _transfers(ix, team)
        for (a, b, first), (c, d, second) in itertools.pairwise(moves):
            if b != c or d != a or a == b:
                continue
            refused = " (refused)" if second.kind != "handoff" else ""
            yield Finding(
                "handoff_bounce",
                "info",
                (first.id, second.id),
                f"control went {a} -> {b} -> {a}{refused} within one user turn",
                f"make the routes in {a}'s and {b}'s instructions exclusive (who handles "
                f"what), or let {b} answer instead of handing back",
            )


def _guarded(ix: TraceIndex, agent: Span) -> bool:
    if agent.attributes.get("output_guards"):
        return True
    return any(str(kid.kind) == "guard" for kid in ix.children(agent.id))  # issue 14's kind


def unchecked_chain(ix: TraceIndex) -> Iterator[Finding]:
    """A chain of 3+ agent steps with no gate and no output guard."""
    for chain in ix.kind("chain"):
        kids = ix.children(chain.id)
        agents = [kid for kid in kids if kid.kind == "agent"]
        if len(agents) < CHAIN_STEPS or any(kid.kind == "gate" for kid in kids):
            continue
        if any(_guarded(ix, agent) for agent in agents):
            continue
        names = " -> ".join(a.name for a in agents[:6]) + (" -> ..." if len(agents) > 6 else "")
        yield Finding(
            "unchecked_chain",
            "info",
            (chain.id,),
            f"the chain {chain.name} ran {len(agents)} agent steps "
            f"({names}) with no gate and no output guard",
            "add al.Gate(check) between steps (or an output guard) so a bad step stops the "
            "chain instead of feeding the next",
        )


def too_many_routes(ix: TraceIndex) -> Iterator[Finding]:
    """A router with more than 5 routes."""
    for router in ix.kind("router"):
        routes = router.attributes.get("routes")
        if not isinstance(routes, (list, tuple, dict)) or len(routes) <= MAX_ROUTES:
            continue
        yield Finding(
            "too_many_routes",
            "warning",
            (router.id,),
            f"the router {router.name} chooses among {len(routes)} routes (more than {MAX_ROUTES})",
            "group routes under a two-level router, or merge routes whose handlers are "
            "alike: a classifier errs more as labels grow",
        )


def _score(span: Span) -> float | None:
    score: Any = span.attributes.get("score")
    if isinstance(score, bool) or not isinstance(score, (int, float)):
        return None
    return float(score) if math.isfinite(score) else None


def evaluator_plateau(ix: TraceIndex) -> Iterator[Finding]:
    """Stopped at max_iterations with the last 3 scores within 0.05."""
    for loop in ix.kind("evaluator"):
        cap = loop.attributes.get("max_iterations")
        stopped = ix.limit_hit(loop.id, "max_iterations") or (
            loop.status == "stopped" and loop.attributes.get("iterations") == cap
        )
        rounds = [kid for kid in ix.children(loop.id) if kid.kind == "iteration"]
        if not stopped or len(rounds) < PLATEAU_ROUNDS:
            continue
        last = rounds[-PLATEAU_ROUNDS:]
        scores = [_score(kid) for kid in last]
        numeric = [s for s in scores if s is not None]
        if len(numeric) < PLATEAU_ROUNDS or max(numeric) - min(numeric) > PLATEAU_SPREAD:
            continue
        shown = ", ".join(f"{s:g}" for s in numeric)
        yield Finding(
            "evaluator_plateau",
            "info",
            (loop.id, *(kid.id for kid in last)),
            f"the evaluator-optimizer {loop.name} stopped at max_iterations={cap} with its "
            f"last {PLATEAU_ROUNDS} scores flat ({shown})",
            "more iterations will not help: give the generator the evaluator's feedback "
            "more plainly, change the generator, or relax accept",
        )
