"""Transfer-style handoffs at work inside a Team: members, hops, and the transfer calls.

A ``Member`` is the user's Agent, untouched, plus its resolved transfer tools.
``run_agent`` gets the member's ``TransferTools`` for each invocation; after a model
turn it runs the turn's tool calls through it: ordinary tools as usual, then the
transfers in call order. The first valid transfer wins (a ``tool`` span with the
result "Transferred to <name>."); any further transfer in the same response gets an
error tool result. A transfer past ``max_hops``, or one repeating an edge already
taken this user turn, is refused: an error tool result, a ``limit`` span marking the
edge, and the invocation (and the turn) ends "stopped".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from agentlab._json import as_text
from agentlab.core.agent import Agent
from agentlab.core.context import RunContext
from agentlab.core.loop import run_agent, run_tool_calls
from agentlab.core.model_turn import charge_or_stop
from agentlab.core.names import snake_case, transfer_tool_name
from agentlab.core.outcome import Outcome
from agentlab.core.runnable import Runnable
from agentlab.core.tools import error_text
from agentlab.errors import ConfigError, HandoffCycle, LimitExceeded, MaxHops, ToolError
from agentlab.messages import Message, ToolCall, ToolResult
from agentlab.models.base import ToolSpec


class Member(Runnable):
    """A Team member: the agent plus its resolved transfer tools (the agent is untouched)."""

    def __init__(self, agent: Agent) -> None:
        self.agent = agent
        self.name = agent.name
        self.limits = agent.limits
        self.targets: dict[str, Member] = {}
        self.target_names: list[str] = []
        self.specs = agent.tool_specs

    def link(self, targets: list[Member]) -> None:
        self.targets = {transfer_tool_name(t.name): t for t in targets}
        self.target_names = [t.name for t in targets]
        self.specs = self.agent.tool_specs + tuple(transfer_spec(t.agent) for t in targets)

    def _preflight(self) -> None:
        self.agent._check_model()  # not its handoffs: the Team resolved those

    def _models(self) -> list[Any]:
        return [self.agent.model]

    def _children(self) -> list[Runnable]:
        return [t.runnable for t in self.agent.tools if t.runnable is not None]

    async def _execute(self, input: Any, ctx: RunContext, parent_id: int | str) -> Outcome:
        transfers = TransferTools(self, input.counter) if self.targets else None
        return await run_agent(self.agent, input.messages, ctx, parent_id, transfers, input.indices)


class Handover:
    """What a member's invocation starts from: messages already in the trace."""

    __slots__ = ("counter", "indices", "messages")

    def __init__(self, messages: list[Message], indices: list[int], counter: HopCounter) -> None:
        self.messages = messages
        self.indices = indices
        self.counter = counter


class Transfer:
    """A transfer the sender's model asked for (accepted, or refused by a bound)."""

    __slots__ = ("hop", "indices", "intent", "state", "stop", "target")

    def __init__(self, target: Member, intent: str, state: str | None, hop: int) -> None:
        self.target = target
        self.intent = intent
        self.state = state
        self.hop = hop
        self.stop: LimitExceeded | None = None
        self.indices: list[int] = []  # the sender's messages in the trace, when it ended


class HopCounter:
    """Hops and edges taken in one user turn (max_hops and cycle detection)."""

    __slots__ = ("edges", "hops", "max_hops")

    def __init__(self, max_hops: int) -> None:
        self.max_hops = max_hops
        self.hops = 0
        self.edges: dict[tuple[str, str], int] = {}

    def refuse(self, sender: str, receiver: str) -> LimitExceeded | None:
        """The guard that refuses the next hop, or None (then the hop is counted)."""
        edge = (sender, receiver)
        hop = self.hops + 1
        if edge in self.edges:
            return HandoffCycle(
                f"handoff cycle: {sender} -> {receiver} was already taken at hop "
                f"{self.edges[edge]} of this user turn (hop {hop} would repeat it); give "
                "one agent the final say, or make the intent tell the receiver to answer",
                value=f"{sender} -> {receiver}",
                reached=hop,
            )
        if hop > self.max_hops:
            return MaxHops(
                f"max_hops={self.max_hops} reached: {sender} -> {receiver} would be hop {hop} "
                "of this user turn; chains longer than 3 hops tend to loop. Shorten the "
                "chain, or raise Team(max_hops=...)",
                value=self.max_hops,
                reached=hop,
            )
        self.hops = hop
        self.edges[edge] = hop
        return None


class TransferTools:
    """The transfer tools of one Team member's invocation (``run_agent`` calls these)."""

    __slots__ = ("counter", "member", "names", "specs")

    def __init__(self, member: Member, counter: HopCounter) -> None:
        self.member = member
        self.counter = counter
        self.specs = member.specs
        self.names = member.target_names

    async def run_calls(
        self, agent: Agent, calls: tuple[ToolCall, ...], ctx: RunContext, span_id: int | str
    ) -> tuple[list[Message], Transfer | None]:
        """Run one turn's calls: ordinary tools as usual, then the transfers in order;
        the first valid transfer wins, later ones get an error result."""
        targets = self.member.targets
        others = tuple(c for c in calls if c.name not in targets)
        if len(others) == len(calls):
            return await run_tool_calls(agent, calls, ctx, span_id), None
        results = iter(await run_tool_calls(agent, others, ctx, span_id) if others else ())
        messages: list[Message] = []
        chosen: Transfer | None = None
        for call in calls:
            if call.name not in targets:
                messages.append(next(results))
                continue
            message, transfer = self._transfer(agent, call, ctx, span_id, chosen)
            messages.append(message)
            chosen = chosen or transfer
        return messages, chosen

    def _transfer(
        self,
        agent: Agent,
        call: ToolCall,
        ctx: RunContext,
        span_id: int | str,
        chosen: Transfer | None,
    ) -> tuple[Message, Transfer | None]:
        charge_or_stop(ctx, span_id, ctx.budget.count_tool_call)
        target = self.member.targets[call.name]
        transfer = None
        with ctx.span("tool", call.name, span_id, agent=agent.name) as span:
            span.attributes = {
                "call_id": call.id,
                "arguments": call.arguments,
                "transfer_to": target.name,
            }
            try:
                intent, state = _transfer_arguments(call, target.name)
                if chosen is not None:
                    what = (
                        f"the transfer to {chosen.target.name} was refused "
                        f"({chosen.stop.stop_reason}), which ends this turn"
                        if chosen.stop is not None
                        else f"the conversation already went to {chosen.target.name}"
                    )
                    raise ToolError(
                        f"only one transfer per response: {what}, so {call.name} was not done"
                    )
                stop = self.counter.refuse(agent.name, target.name)
                transfer = Transfer(target, intent, state, self.counter.hops)
                if stop is not None:
                    transfer.stop = stop
                    ctx.record_limit(span_id, stop, edge=[agent.name, target.name])
                    raise stop
                content, is_error = f"Transferred to {target.name}.", False
            except (ToolError, ValueError, LimitExceeded) as exc:
                content, is_error = error_text(exc), True
                span.status = "stopped" if isinstance(exc, LimitExceeded) else "error"
                span.error = content
            span.output = content
        return ToolResult(call.id, call.name, content, is_error).to_message(agent.name), transfer

    def outcome(
        self,
        transfer: Transfer,
        last_text: str | None,
        messages: list[Message],
        indices: list[int],
    ) -> Outcome:
        """How the invocation ends: handed over (``Outcome.handoff``), or stopped."""
        name = self.member.name
        if transfer.stop is not None:
            return Outcome(
                last_text,
                "stopped",
                transfer.stop.stop_reason,
                str(transfer.stop),
                messages=messages,
                agent=name,
            )
        transfer.indices = indices
        return Outcome(last_text, messages=messages, agent=name, handoff=transfer)


def _transfer_arguments(call: ToolCall, receiver: str) -> tuple[str, str | None]:
    args = call.arguments
    intent = args.get("intent") if isinstance(args, dict) else None
    if not isinstance(intent, str) or not intent.strip():
        raise ValueError(
            f"{call.name} needs 'intent': text saying why you hand over and what "
            f"{receiver} should do; got {args!r}"
        )
    state = args.get("state") if isinstance(args, dict) else None
    if state is not None and not isinstance(state, str):
        state = as_text(state)
    return intent, state or None


def team_members(agents: Iterable[Agent]) -> dict[str, Member]:
    if isinstance(agents, (Agent, str, Mapping)):
        raise ConfigError(
            f"Team(agents, ...) takes a list of agents, got {type(agents).__name__}; e.g. "
            "Team([triage, sales], entry=triage)"
        )
    members: dict[str, Member] = {}
    for agent in agents:
        if not isinstance(agent, Agent):
            raise ConfigError(f"Team members must be al.Agent objects, got {agent!r}")
        if agent.name in members:
            raise ConfigError(
                f"two team members are named {agent.name!r}; names pick the handoff "
                f"target, so give each agent its own name (e.g. agent.clone(name=...))"
            )
        members[agent.name] = Member(agent)
    if not members:
        raise ConfigError("a Team needs at least one agent, e.g. Team([triage, sales], ...)")
    return members


def entry_member(members: dict[str, Member], entry: Agent | str) -> Member:
    name = entry if isinstance(entry, str) else getattr(entry, "name", None)
    member = members.get(name) if isinstance(name, str) else None
    if member is None or not (isinstance(entry, str) or member.agent is entry):
        raise ConfigError(
            f"entry {name or entry!r} is not a member of the team ({', '.join(members)})"
            f"{_did_you_mean(name, members)}; pass one of the team's agents, e.g. entry=triage"
        )
    return member


def resolve_target(agent: Agent, target: Agent | str, members: dict[str, Member]) -> Member:
    name = target if isinstance(target, str) else target.name
    member = members.get(name)
    if member is None:
        how = "by name" if isinstance(target, str) else "(an Agent object)"
        raise ConfigError(
            f"agent {agent.name!r} hands off {how} to {name!r}, which is not in the team "
            f"({', '.join(members)}){_did_you_mean(name, members)}; add that agent to the team "
            "or fix the name"
        )
    if not isinstance(target, str) and member.agent is not target:
        raise ConfigError(
            f"agent {agent.name!r} hands off to an agent named {name!r} that is not the "
            f"team's {name!r} (a different object, e.g. an old copy); pass the team member "
            f"or the name {name!r}"
        )
    return member


def _did_you_mean(name: Any, members: dict[str, Member]) -> str:
    """``" (did you mean 'Sales'?)"`` when a member's name differs only in case or spacing."""
    if not isinstance(name, str):
        return ""
    wanted = snake_case_or_none(name)
    close = [member for member in members if snake_case_or_none(member) == wanted]
    return f" (did you mean {close[0]!r}?)" if wanted and close else ""


def snake_case_or_none(name: str) -> str | None:
    try:
        return snake_case(name)
    except ConfigError:
        return None


def transfer_spec(target: Agent) -> ToolSpec:
    """What a model is told about a handoff: the words the kit adds, visible here."""
    return ToolSpec(
        transfer_tool_name(target.name),
        f"Hand the conversation over to {target.name} ({target.description}). "
        f"{target.name} then talks to the user and sees the conversation so far.",
        {
            "type": "object",
            "properties": {
                "intent": {
                    "type": "string",
                    "description": f"Why you hand over and what {target.name} should do next.",
                },
                "state": {
                    "type": "string",
                    "description": "What was tried, what failed, how the user feels.",
                },
            },
            "required": ["intent"],
        },
    )


def handoff_note(sender: str, receiver: str, hop: int, intent: str, state: str | None) -> Message:
    """The one visible message a handoff adds for the receiver (a system message)."""
    lines = [f"Handoff from {sender} to {receiver} (hop {hop}).", f"Intent: {intent}"]
    if state:
        lines.append(f"State: {state}")
    return Message("system", "\n".join(lines), agent=sender)
