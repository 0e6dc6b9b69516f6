"""``Team``: agents that transfer the conversation to each other (transfer-style handoffs).

One user turn runs the current agent; when its model calls ``transfer_to_<name>``
that agent's invocation ends and the receiver continues with the full history plus
one visible note (intent and state), or what a ``handoff_filter`` leaves of it. The
receiver now owns the conversation: it answers the user, and in a ``Conversation``
it is the one the next message goes to.

Bounds, counted per user turn: ``max_hops`` (3 by default; the refused hop is a
``limit`` span, the run "stopped" with ``stop_reason="max_hops"``) and cycle
detection (the same directed edge twice, e.g. Triage -> Sales -> Triage -> Sales,
stops with ``"handoff_cycle"`` even under ``max_hops``; Triage -> Sales -> Triage is
fine). If a model asks for two transfers in one response, the first valid one wins
and the others get an error tool result; all of them are ``tool`` spans.

An ``Agent`` with handoffs run on its own behaves as a Team with itself as entry and
every agent reachable through its handoffs (given as Agent objects) as members;
handoffs by name are resolved among those, else ``run()`` raises ``ConfigError``.

>>> import agentlab as al
>>> sales = al.Agent(name="Sales", model=al.ScriptedModel(["Pro is $20 a month."]))
>>> triage = al.Agent(name="Triage", handoffs=[sales], model=al.ScriptedModel([
...     al.ToolCall("transfer_to_sales", {"intent": "quote the Pro plan"})]))
>>> run = al.Team([triage, sales], entry=triage).run_sync("How much is Pro?")
>>> run.output, [(h.from_agent, h.to_agent, h.hop) for h in run.handoffs]
('Pro is $20 a month.', [('Triage', 'Sales', 1)])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from agentlab.core.agent import Agent
from agentlab.core.context import RunContext
from agentlab.core.conversation import Conversation, ConversationState
from agentlab.core.limits import Limits, as_limits
from agentlab.core.names import snake_case
from agentlab.core.outcome import Outcome, keep_partial
from agentlab.core.runnable import Runnable
from agentlab.errors import ConfigError
from agentlab.handoffs.filters import HandoffFilter, filter_name
from agentlab.handoffs.transfer import (
    Handover,
    HopCounter,
    Member,
    Transfer,
    entry_member,
    handoff_note,
    resolve_target,
    team_members,
)
from agentlab.messages import Message, as_messages


class TeamState(ConversationState):
    """A team conversation: the member who owns it, besides what every conversation has."""

    def __init__(self, member: Member) -> None:
        super().__init__(member.name)
        self._member = member

    @property
    def member(self) -> Member:
        return self._member

    @member.setter
    def member(self, member: Member) -> None:
        self._member, self.agent = member, member.name


class Team(Runnable):
    """Agents that hand the conversation to each other (transfer-style handoffs).

    Args:
        agents: The members; names must be unique. Their ``handoffs`` may name
            members (``handoffs=["Triage"]``) or be the member Agent objects.
        entry: The agent (or its name) that gets the first user message.
        max_hops: Transfers allowed per user turn (default 3, the article's bound).
        handoff_filter: ``filter(messages) -> messages`` applied to every handoff's
            default context (history + note); an agent's own ``handoff_filter``
            (what it receives) wins. See ``al.keep_last_messages``, ``al.note_only``.
        name: Shown in traces.
        limits: Default ``al.Limits`` for runs of this team.

    A run's ``output`` is the last agent's answer; ``run.messages`` is everything
    said (the user, every agent's messages and tool calls, each handoff note; no
    system prompts); ``run.handoffs`` lists the transfers of that user turn.

    >>> team = al.Team([triage, sales, support], entry=triage, max_hops=3)  # doctest: +SKIP
    >>> conv = team.conversation()                                          # doctest: +SKIP
    >>> run = await conv.send("I was charged twice")                        # doctest: +SKIP
    """

    def __init__(
        self,
        agents: Iterable[Agent],
        entry: Agent | str,
        *,
        max_hops: int = 3,
        handoff_filter: HandoffFilter | None = None,
        name: str = "Team",
        limits: Limits | None = None,
        description: str | None = None,
    ) -> None:
        if not isinstance(max_hops, int) or isinstance(max_hops, bool) or max_hops < 0:
            raise ConfigError(f"Team(max_hops={max_hops!r}) must be a whole number >= 0, e.g. 3")
        if handoff_filter is not None and not callable(handoff_filter):
            raise ConfigError(
                f"handoff_filter must be a function messages -> messages, got {handoff_filter!r}"
            )
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"Team name must be non-empty text, got {name!r}; e.g. name='Shop'")
        self.name = name
        self.limits = as_limits(limits, f"Team {name!r}")
        if description is not None and not isinstance(description, str):
            raise ConfigError(f"Team description must be text, got {description!r}")
        self.max_hops = max_hops
        self.handoff_filter = handoff_filter
        self._members = team_members(agents)
        self._entry = entry_member(self._members, entry)
        self.description = description or self._entry.agent.description
        for member in self._members.values():
            targets = member.agent.handoffs
            member.link([resolve_target(member.agent, t, self._members) for t in targets])

    @property
    def agents(self) -> tuple[Agent, ...]:
        """The members, in the order given."""
        return tuple(member.agent for member in self._members.values())

    @property
    def entry(self) -> Agent:
        return self._entry.agent

    def conversation(self) -> Conversation:
        """A multi-turn conversation with this team: ``await conv.send(text)``."""
        return Conversation(self)

    async def _execute(self, input: Any, ctx: RunContext, parent_id: int | str) -> Outcome:
        return await self._converse(TeamState(self._entry), input, ctx, parent_id)

    def _new_conversation(self) -> TeamState:
        return TeamState(self._entry)

    def _children(self) -> list[Runnable]:
        return list(self._members.values())  # members: the Team resolved the members' names

    def __repr__(self) -> str:
        names = ", ".join(self._members)
        return f"Team([{names}], entry={self._entry.name!r}, max_hops={self.max_hops})"

    # -- one user turn -----------------------------------------------------------------
    async def _converse(  # type: ignore[override]
        self, conv: TeamState, input: Any, ctx: RunContext, parent_id: int | str
    ) -> Outcome:
        new = as_messages(input)
        conv.turns += 1
        with ctx.span("team", self.name, parent_id) as span:
            attrs: dict[str, Any] = {
                "entry": conv.member.name,
                "max_hops": self.max_hops,
                "hops": 0,
                "final_agent": None,
                "turn": conv.turns,
            }
            span.attributes = attrs
            indices = [ctx.trace.add_message(m, replayed=True) for m in conv.history]
            indices += [ctx.trace.add_message(m) for m in new]
            messages = conv.history = conv.history + new
            span.messages_in = tuple(indices)
            conv.transcript.extend(new)
            counter = HopCounter(self.max_hops)
            try:
                outcome = await self._hops(conv, Handover(messages, indices, counter), ctx, span.id)
            except BaseException as exc:
                partial = getattr(exc, "partial", None)
                if isinstance(partial, Outcome) and partial.agent == conv.member.name:
                    _absorb(conv, conv.member, len(conv.history), partial.messages)
                keep_partial(
                    exc, Outcome(getattr(partial, "output", None), messages=list(conv.transcript))
                )
                raise
            finally:
                attrs["hops"], attrs["final_agent"] = counter.hops, conv.member.name
            outcome.close(span)
        return Outcome(
            outcome.output,
            outcome.status,
            outcome.stop_reason,
            outcome.stop_detail,
            outcome.error,
            list(conv.transcript),
            outcome.agent,
        )

    async def _hops(
        self, conv: TeamState, handover: Handover, ctx: RunContext, team_id: int | str
    ) -> Outcome:
        while True:
            member = conv.member
            outcome = await ctx.invoke(member, handover, team_id)
            _absorb(conv, member, len(handover.messages), outcome.messages)
            transfer: Transfer | None = outcome.handoff
            if transfer is None:
                return outcome
            handover = self._hand_over(conv, member, transfer, ctx, team_id, handover.counter)
            conv.member = transfer.target

    def _hand_over(
        self,
        conv: TeamState,
        sender: Member,
        transfer: Transfer,
        ctx: RunContext,
        team_id: int | str,
        counter: HopCounter,
    ) -> Handover:
        """The ``handoff`` span: the default context, the filter, what the receiver gets."""
        receiver = transfer.target
        first = transfer.indices[0] if transfer.indices else None  # its system prompt, if any
        skip = 1 if first is not None and ctx.trace.messages[first].role == "system" else 0
        history, history_indices = conv.history, transfer.indices[skip:]
        with ctx.span(
            "handoff", f"{sender.name} -> {receiver.name}", team_id, agent=sender.name
        ) as span:
            note = handoff_note(
                sender.name, receiver.name, transfer.hop, transfer.intent, transfer.state
            )
            default = [*history, note]
            default_indices = [*history_indices, ctx.trace.add_message(note)]
            conv.transcript.append(note)
            fn = receiver.agent.handoff_filter or self.handoff_filter
            span.messages_in = tuple(default_indices)
            span.attributes = {  # set before the filter runs: a broken filter still shows
                "from_agent": sender.name,
                "to_agent": receiver.name,
                "hop": transfer.hop,
                "intent": transfer.intent,
                "state": transfer.state,
                "filter": filter_name(fn),
                "removed": None,
            }
            messages, indices = default, default_indices
            if fn is not None:
                messages, indices = _apply_filter(fn, default, default_indices, ctx)
            span.messages_out = tuple(indices)
            kept = {id(m) for m in messages}
            span.attributes["removed"] = sum(1 for m in default if id(m) not in kept)
        conv.history = messages
        return Handover(messages, indices, counter)


def implicit_team(agent: Agent) -> Team:
    """The Team an agent with handoffs forms when run on its own (entry: the agent)."""
    members: dict[str, Agent] = {}
    stack = [agent]
    while stack:
        node = stack.pop()
        known = members.get(node.name)
        if known is node:
            continue
        if known is not None:
            raise ConfigError(
                f"two different agents are named {node.name!r} among the handoffs of "
                f"{agent.name!r}; give them distinct names"
            )
        members[node.name] = node
        stack.extend(t for t in reversed(node.handoffs) if isinstance(t, Agent))
    try:
        return Team(list(members.values()), entry=agent, name=agent.name)
    except ConfigError as exc:
        raise ConfigError(
            f"{exc}. Agent {agent.name!r} runs without a Team, so handoffs by name resolve "
            "only among the agents its handoffs reach as Agent objects; put the agents in "
            f"al.Team([...], entry={snake_case(agent.name)}) or pass the Agent objects"
        ) from None


def _absorb(conv: TeamState, member: Member, n_input: int, messages: Sequence[Message]) -> None:
    """Take an invocation's messages into the conversation (its system prompt dropped)."""
    if not messages:
        return
    skip = 1 if messages[0].role == "system" else 0  # instructions (text or a function)
    conv.transcript.extend(messages[skip + n_input :])
    conv.history = list(messages[skip:])


def _apply_filter(
    fn: HandoffFilter, default: list[Message], indices: list[int], ctx: RunContext
) -> tuple[list[Message], list[int]]:
    result = fn(list(default))
    if not isinstance(result, (list, tuple)) or not all(isinstance(m, Message) for m in result):
        # after model calls: a failed run (TypeError), not a ConfigError (CONTRACT)
        raise TypeError(
            f"handoff filter {filter_name(fn)!r} must return a list of al.Message, got "
            f"{type(result).__name__}; return the messages to keep, e.g. "
            "lambda messages: messages[-4:]"
        )
    where = {id(m): i for m, i in zip(default, indices, strict=True)}
    out = [where[id(m)] if id(m) in where else ctx.trace.add_message(m) for m in result]
    return list(result), out
